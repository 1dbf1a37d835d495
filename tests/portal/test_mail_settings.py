"""Where mail goes: EMAIL_URL (django-environ), or .eml files on the embedded stack, which
``make run``'s banner names; the file backend writes one readable message per file."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

from django.core.mail import EmailMessage

from config.mail import email_settings
from devstack.mail import EmlFileBackend
from devstack.run import ROOT, mail_lines


def test_an_email_url_selects_smtp_with_tls():
    chosen = email_settings(
        url="smtp+tls://bot:s3cret@mail.example.org:587", from_email="ops@example.org", file_dir=None
    )
    assert chosen["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (chosen["EMAIL_HOST"], chosen["EMAIL_PORT"], chosen["EMAIL_USE_TLS"]) == ("mail.example.org", 587, True)
    assert (chosen["EMAIL_HOST_USER"], chosen["EMAIL_HOST_PASSWORD"]) == ("bot", "s3cret")
    assert chosen["DEFAULT_FROM_EMAIL"] == chosen["SERVER_EMAIL"] == "ops@example.org"
    assert chosen["EMAIL_TIMEOUT"] == 10


def test_without_one_the_embedded_stack_writes_files_and_production_uses_a_local_relay(tmp_path):
    embedded = email_settings(url="", from_email="", file_dir=tmp_path / "mail")
    assert embedded["EMAIL_BACKEND"] == "devstack.mail.EmlFileBackend" and embedded["EMAIL_FILE_PATH"] == str(
        tmp_path / "mail"
    )
    production = email_settings(url="", from_email="", file_dir=None)
    assert "EMAIL_BACKEND" not in production  # Django's SMTP backend on localhost:25


def test_each_message_is_one_eml_file(tmp_path):
    backend = EmlFileBackend(file_path=str(tmp_path / "mail"))
    messages = [EmailMessage(f"subject {n}", f"body {n}", "a@example.org", ["b@example.org"]) for n in range(2)]
    assert backend.send_messages(messages) == 2
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    assert sorted(str(message_from_bytes(path.read_bytes())["Subject"]) for path in files) == ["subject 0", "subject 1"]


def test_make_runs_banner_says_where_the_mail_goes():
    assert mail_lines(ROOT / "var", email_url="") == ["Mail       var/mail/ (.eml files)"]
    assert mail_lines(ROOT / "var", email_url="smtp://relay:25") == []
    assert mail_lines(None, email_url="") == []
    assert mail_lines(Path("/srv/var"), email_url="") == ["Mail       /srv/var/mail/ (.eml files)"]
