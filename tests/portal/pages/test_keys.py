"""``/settings/ssh-keys`` and ``/settings/pgp-keys``: added by pasting, listed with fingerprints, removed;
the API's parsing, audit entries and events."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from accounts.models import AuditLogEntry
from resources.models import PGPKey, SSHKey
from resources.services.keys import ssh_key_add
from tests.portal.pages.conftest import text
from tests.resources.conftest import fixture
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def ssh_line(comment: str) -> str:
    public = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{raw} {comment}"


def test_the_empty_lists_say_what_to_do(alice):
    assert "You have no SSH keys yet. Add one with the form above: paste the line from" in text(
        alice.get("/settings/ssh-keys")
    )
    assert "You have no PGP keys yet. Add one with the form above" in text(alice.get("/settings/pgp-keys"))


def test_adding_an_ssh_key_as_the_api_does(alice, user):
    line = fixture("ssh_ed25519.pub")
    added = alice.post("/settings/ssh-keys", {"ssh-key": line})
    assert added.status_code == 302 and added["Location"] == "/settings/ssh-keys"
    key = SSHKey.objects.get(owner=user)
    page = text(alice.get("/settings/ssh-keys"))
    assert key.fingerprint_sha256 in page and key.fingerprint in page and "ed25519@fixtures" in page
    assert f"The SSH key {key.fingerprint} was added." in page and "never" in page  # last used
    assert AuditLogEntry.objects.filter(user=user, action="ssh-key:add").count() == 1
    assert Event.objects.filter(user=user, name="ssh-key:add").count() == 1


@pytest.mark.parametrize(
    ("text_in", "message"),
    [("", "ssh-key is required: an authorized_keys line"), ("ssh-ed25519 nonsense", "")],
)
def test_a_bad_ssh_key_is_shown_on_the_page(alice, text_in, message):
    page = alice.post("/settings/ssh-keys", {"ssh-key": text_in})
    assert page.status_code == 200 and 'id="key-error"' in text(page) and message in text(page)
    assert not SSHKey.objects.exists()


def test_a_key_registered_twice_is_refused(alice, other_user):
    ssh_key_add(owner=other_user, text=fixture("ssh_ed25519.pub"), ip=None)
    page = alice.post("/settings/ssh-keys", {"ssh-key": fixture("ssh_ed25519.pub")})
    assert page.status_code == 200 and "this SSH key is already registered" in text(page)


def test_pages_of_ssh_keys(alice, user, per_page):
    for n in range(3):
        ssh_key_add(owner=user, text=ssh_line(f"key-{n}"), ip=None)
    page = text(alice.get("/settings/ssh-keys"))
    assert "key-2" in page and "key-1" in page and "key-0" not in page and "3 in all." in page


def test_removing_an_ssh_key(alice, user):
    key = ssh_key_add(owner=user, text=fixture("ssh_ed25519.pub"), ip=None)
    assert f"Remove the SSH key {key.fingerprint}?" in text(alice.get(f"/settings/ssh-keys/{key.pk}/remove"))
    assert alice.post(f"/settings/ssh-keys/{key.pk}/remove")["Location"] == "/settings/ssh-keys"
    assert not SSHKey.objects.exists()
    assert Event.objects.filter(user=user, name="ssh-key:remove").count() == 1


def test_adding_and_removing_a_pgp_key(alice, user):
    assert alice.post("/settings/pgp-keys", {"pgp-key": fixture("pgp_ed25519.asc")}).status_code == 302
    key = PGPKey.objects.get(owner=user)
    page = text(alice.get("/settings/pgp-keys"))
    assert key.fingerprint in page and key.email in page
    assert alice.post(f"/settings/pgp-keys/{key.pk}/remove").status_code == 302
    assert not PGPKey.objects.exists()
    actions = set(AuditLogEntry.objects.filter(user=user).values_list("action", flat=True))
    assert {"pgp-key:add", "pgp-key:remove"} <= actions


def test_a_pgp_key_without_a_user_id_is_shown_on_the_page(alice):
    page = alice.post("/settings/pgp-keys", {"pgp-key": fixture("pgp_no_uid.asc")})
    assert page.status_code == 200 and 'id="key-error"' in text(page)
    assert fixture("pgp_no_uid.asc").strip().splitlines()[0] in text(page)  # the text is kept


def test_another_users_key_is_404(alice, other_user):
    theirs = ssh_key_add(owner=other_user, text=fixture("ssh_ed25519.pub"), ip=None)
    assert alice.get(f"/settings/ssh-keys/{theirs.pk}/remove").status_code == 404
    assert alice.post(f"/settings/ssh-keys/{theirs.pk}/remove").status_code == 404
    assert alice.post(f"/settings/pgp-keys/{theirs.pk}/remove").status_code == 404  # not a PGP key of hers either
    assert SSHKey.objects.filter(pk=theirs.pk).exists()
