"""The suite asks no name server (tests/conftest.py): the guard and the name_service stub."""

import asyncio
import socket

import pytest

from tests.conftest import DNS_QUERIES
from webhooks.transport import post_webhook


@pytest.fixture
def refusals():
    """The names the guard refuses during the test, taken off its list so the test may pass."""
    before = len(DNS_QUERIES)
    seen: list[str] = []
    yield seen
    seen.extend(DNS_QUERIES[before:])
    del DNS_QUERIES[before:]


def test_a_name_is_refused_before_any_query(refusals):
    with pytest.raises(socket.gaierror, match="tests make no DNS queries"):
        socket.getaddrinfo("does-not-resolve.invalid", 443)
    with pytest.raises(socket.gaierror):
        socket.gethostbyname("example.org")
    with pytest.raises(socket.gaierror):
        socket.gethostbyaddr("93.184.216.34")  # a reverse lookup is a query too
    assert DNS_QUERIES[-3:] == ["'does-not-resolve.invalid'", "'example.org'", "'93.184.216.34'"]


async def resolve_in_loop(host: str) -> list:
    return await asyncio.get_running_loop().getaddrinfo(host, 443)


def test_the_event_loop_and_so_aiohttp_and_the_webhook_engine_are_guarded(refusals):
    with pytest.raises(socket.gaierror, match="tests make no DNS queries"):
        asyncio.run(resolve_in_loop("hooks.example.org"))
    result = post_webhook("https://hooks.example.org/x", b"{}", {}, allowed_networks=[], connect_timeout=1,
                          total_timeout=2)  # fmt: skip
    assert result.status is None and "hooks.example.org" in (result.error or "")
    assert DNS_QUERIES[-1] == "'hooks.example.org'"


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "LOCALHOST", None])
def test_ip_literals_and_localhost_pass(host):
    assert socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)


def test_a_bracketed_address_is_a_name_to_the_resolver_and_refused(refusals):
    with pytest.raises(socket.gaierror, match="tests make no DNS queries"):
        socket.getaddrinfo("[::1]", 80)


def test_the_name_service_answers_its_names_and_knows_no_other(name_service):
    name_service({"hooks.example.org": ["93.184.216.34", "2001:db8::1"]})
    answers = [info[4][0] for info in socket.getaddrinfo("hooks.example.org", 443)]
    assert answers == ["93.184.216.34", "2001:db8::1"]
    before = len(DNS_QUERIES)
    with pytest.raises(socket.gaierror, match="Name or service not known"):
        socket.getaddrinfo("does-not-resolve.invalid", 443)
    assert len(DNS_QUERIES) == before  # answered by the stub: no query, nothing to fail


def test_this_hosts_own_name_is_localhost_without_a_query():
    """A mail's Message-ID and SMTP's EHLO ask ``socket.getfqdn()``, which would ask DNS for this host's name."""
    before = len(DNS_QUERIES)
    assert socket.getfqdn() == socket.getfqdn(socket.gethostname()) == "localhost"
    assert len(DNS_QUERIES) == before


def test_a_mail_message_names_this_host_without_a_query():
    from django.core.mail import EmailMessage

    before = len(DNS_QUERIES)
    message = EmailMessage("subject", "body", "a@example.org", ["b@example.org"]).message()
    assert message["Message-ID"].endswith("@localhost>") and len(DNS_QUERIES) == before
