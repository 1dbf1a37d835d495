"""Signing (pure) and the docs' verification snippet, on the exact bytes."""

import base64
import time

import pytest

from tests.webhooks.conftest import docs_snippet
from webhooks.signing import (
    SigningKeyError,
    generate_signing_key,
    parse_signing_keys,
    sign_sourcehut,
    signature_headers,
)


@pytest.fixture
def keys():
    return parse_signing_keys(",".join([generate_signing_key("new"), generate_signing_key("old")]))


def test_headers_verify_with_the_docs_snippet(keys):
    body = b'{"event":"repo:create","payload":{"id":1}}'
    headers = signature_headers(
        keys=keys, delivery_id="d-1", event="repo:create", body=body, timestamp=int(time.time())
    )
    snippet = docs_snippet()
    public = [key.public_key_b64 for key in keys]
    assert snippet["verify_sourcehut"](headers, body, public)
    assert snippet["verify_standard"](headers, body, public)
    assert snippet["verify_standard"](headers, body, public[1:])  # rotation: the old key alone still verifies
    assert not snippet["verify_sourcehut"](headers, body + b" ", public)
    assert not snippet["verify_standard"](headers, body.replace(b"1", b"2"), public)
    stale = {**headers, "webhook-timestamp": str(int(time.time()) - 3600)}
    assert not snippet["verify_standard"](stale, body, public)


def test_header_set(keys):
    headers = signature_headers(keys=keys, delivery_id="d-1", event="ssh-key:add", body=b"{}", timestamp=1)
    assert headers["X-Webhook-Delivery"] == headers["webhook-id"] == "d-1"
    assert headers["X-Webhook-Event"] == "ssh-key:add"
    assert len(bytes.fromhex(headers["X-Payload-Nonce"])) == 16
    assert headers["webhook-signature"].count("v1a,") == 2
    assert headers["X-Payload-Signature"] == sign_sourcehut(keys[0], b"{}", headers["X-Payload-Nonce"])


@pytest.mark.parametrize(
    "value",
    ["", "nocolon", "id:notbase64!", "id:" + base64.b64encode(b"short").decode(), "a:" + "A" * 44 + ",a:" + "A" * 44],
)
def test_bad_key_configuration_is_refused_clearly(value):
    with pytest.raises(SigningKeyError):
        parse_signing_keys(value)


def test_generate_webhook_key_command_prints_a_usable_key(capsys):
    from django.core.management import call_command

    call_command("generate_webhook_key", "--id", "2026-11")
    out, err = capsys.readouterr()
    (key,) = parse_signing_keys(out.strip())
    assert key.key_id == "2026-11" and key.public_key_b64 in err


def test_the_first_key_of_a_production_deployment_is_generated_where_the_checks_refuse_to_start():
    """``manage.py generate_webhook_key`` is how the key the checks ask for is made: it runs without one."""
    import subprocess
    import sys

    from tests.conftest import ROOT, service_env

    env = service_env(DJANGO_DEBUG="0")
    env.pop("WEBHOOK_SIGNING_KEYS")
    result = subprocess.run(
        [sys.executable, "manage.py", "generate_webhook_key", "--id", "first"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (key,) = parse_signing_keys(result.stdout.strip())
    assert key.key_id == "first" and key.public_key_b64 in result.stderr


def test_production_without_signing_keys_refuses_to_start():
    import subprocess
    import sys

    from tests.conftest import ROOT, service_env

    env = service_env(DJANGO_DEBUG="0")
    env.pop("WEBHOOK_SIGNING_KEYS")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "(webhooks.E001) WEBHOOK_SIGNING_KEYS" in result.stderr
