"""The client address (core/client.py) behind 0, 1 or 2 trusted proxies."""

import pytest
from django.test import RequestFactory

from core.client import client_ip

REMOTE = "203.0.113.7"


def request(remote=REMOTE, forwarded=None):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    req = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    if remote is None:
        del req.META["REMOTE_ADDR"]
    return req


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        # No trusted proxy: the header is whatever the client wrote.
        pytest.param(0, None, REMOTE, id="0-no-header"),
        pytest.param(0, "1.1.1.1", REMOTE, id="0-header-ignored"),
        pytest.param(-1, "1.1.1.1", REMOTE, id="negative-counts-as-none"),
        # One proxy: it appended the address it saw, the last entry.
        pytest.param(1, "1.1.1.1", "1.1.1.1", id="1-single-entry"),
        pytest.param(1, "6.6.6.6, 1.1.1.1", "1.1.1.1", id="1-prepended-entry-ignored"),
        pytest.param(1, "6.6.6.6,7.7.7.7 ,  1.1.1.1 ", "1.1.1.1", id="1-spaces-around-entries"),
        pytest.param(1, "1.1.1.1, , ", "1.1.1.1", id="1-empty-entries-skipped"),
        pytest.param(1, None, REMOTE, id="1-no-header-falls-back"),
        pytest.param(1, "", REMOTE, id="1-empty-header-falls-back"),
        pytest.param(1, " , ", REMOTE, id="1-only-empty-entries-fall-back"),
        pytest.param(1, "6.6.6.6, unknown", REMOTE, id="1-non-ip-falls-back"),
        pytest.param(1, "1.1.1.1:5555", REMOTE, id="1-ip-with-port-falls-back"),
        pytest.param(1, "2001:DB8:0:0::1", "2001:db8::1", id="1-ipv6-normalised"),
        pytest.param(1, "::ffff:1.2.3.4", "1.2.3.4", id="1-v4-mapped-is-the-v4-address"),
        pytest.param(1, "001.002.003.004", REMOTE, id="1-leading-zero-ipv4-falls-back"),
        # Two proxies: the first one's entry is second from the right.
        pytest.param(2, "1.1.1.1, 10.0.0.2", "1.1.1.1", id="2-second-from-right"),
        pytest.param(2, "6.6.6.6, 9.9.9.9, 1.1.1.1, 10.0.0.2", "1.1.1.1", id="2-prepended-entries-ignored"),
        pytest.param(2, "1.1.1.1", REMOTE, id="2-too-few-hops-fall-back"),
        pytest.param(2, "garbage, 10.0.0.2", REMOTE, id="2-non-ip-falls-back"),
        pytest.param(2, "1.1.1.1, not-an-ip", "1.1.1.1", id="2-rightmost-entry-not-checked"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.API_TRUSTED_PROXIES = proxies
    assert client_ip(request(forwarded=forwarded)) == expected


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_a_client_cannot_choose_its_address_by_prepending(settings, proxies):
    settings.API_TRUSTED_PROXIES = proxies
    honest = "1.1.1.1, 10.0.0.2"
    seen = {client_ip(request(forwarded=f"{spoof}{honest}")) for spoof in ("", "6.6.6.6, ", "7.7.7.7, 8.8.8.8, ")}
    assert len(seen) == 1


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        pytest.param(0, "2001:DB8::0001", None, "2001:db8::1", id="remote-addr-normalised"),
        pytest.param(0, "::ffff:192.0.2.7", None, "192.0.2.7", id="remote-addr-v4-mapped-is-v4"),
        pytest.param(0, None, None, "0.0.0.0", id="no-remote-addr"),
        pytest.param(0, "", None, "0.0.0.0", id="empty-remote-addr"),
        pytest.param(1, None, "bogus", "0.0.0.0", id="fallback-without-remote-addr"),
    ],
)
def test_remote_addr_has_one_spelling_per_address(settings, proxies, remote, forwarded, expected):
    settings.API_TRUSTED_PROXIES = proxies
    assert client_ip(request(remote=remote, forwarded=forwarded)) == expected
