"""The SSRF guard: hostile targets refused without opening a socket to them."""

import asyncio.selector_events
import ipaddress
import socket

import pytest

from webhooks.ssrf import UnsafeURL, parse_networks, resolve, validate_url
from webhooks.transport import post_webhook

HOSTILE = [
    "http://127.0.0.1/", "http://127.1.2.3:8080/x", "http://10.0.0.5/", "http://172.16.3.4/", "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://100.64.0.1/", "http://0.0.0.0/",
    "http://224.0.0.1/", "http://240.0.0.1/", "http://[::1]/", "http://[fe80::1]/", "http://[fc00::1]/",
    "http://[fd00:ec2::254]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/", "http://[::127.0.0.1]/",
    "http://localhost/", "http://[::]/",
]  # fmt: skip


@pytest.fixture
def connections(monkeypatch):
    """Every outgoing connection attempt (the network edge the asyncio transport uses), recorded."""
    attempts = []
    loop_class = asyncio.selector_events.BaseSelectorEventLoop
    original = loop_class.sock_connect

    async def record(self, sock, address):
        attempts.append(address[:2])
        return await original(self, sock, address)

    monkeypatch.setattr(loop_class, "sock_connect", record)
    return attempts


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_targets_are_refused_without_a_socket(url, connections):
    with pytest.raises(UnsafeURL):
        resolve(url, [])
    result = post_webhook(url, b"{}", {}, allowed_networks=[], connect_timeout=1, total_timeout=1)
    assert result.status is None and (result.error or "").startswith("refused:")
    assert connections == []


def test_a_public_address_passes(connections):
    target = resolve("https://93.184.216.34/hook?x=1", [])
    assert (target.address, target.port, target.path) == ("93.184.216.34", 443, "/hook?x=1")


def test_a_hostname_resolving_to_a_private_address_is_refused():
    def resolver(host, port, type):  # noqa: A002
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.1.1", port)),
        ]

    with pytest.raises(UnsafeURL, match="10.1.1.1"):
        resolve("http://mixed.example/", [], resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "http://user:pw@example.org/",
        "http:///nohost",
        "javascript:alert(1)",
        "http://example.org:99999/",
    ],
)
def test_malformed_urls(url):
    with pytest.raises(UnsafeURL):
        validate_url(url)


def test_the_allow_list_admits_an_operator_network():
    networks = parse_networks("127.0.0.0/8,::1/128")
    assert resolve("http://127.0.0.1:9/", networks).address == "127.0.0.1"
    assert networks[1] == ipaddress.ip_network("::1/128")
    with pytest.raises(UnsafeURL):
        resolve("http://10.0.0.1/", networks)


def test_a_redirect_to_a_hostile_address_is_not_followed(receiver, connections):
    receiver.script = [(302, b"", {"Location": "http://169.254.169.254/latest/"}, 0)]
    result = post_webhook(
        receiver.url, b"{}", {}, allowed_networks=parse_networks("127.0.0.0/8"), connect_timeout=2, total_timeout=5
    )
    assert result.status == 302
    assert [host for host, _ in connections] == ["127.0.0.1"]
    assert len(receiver.requests) == 1


# One reading of a URL for subscribing and sending (issue 22): legacy IPv4 forms are refused
# by both, even where the address itself is allowed.
LEGACY_IPV4 = ["127.1", "0x7f.1", "017700000001", "2130706433", "127.000.000.001", "127.0.0.1.", "0x7f000001", "0"]


@pytest.mark.parametrize("host", LEGACY_IPV4)
def test_legacy_ipv4_forms_are_refused_by_the_guard_and_by_the_sender(host, receiver, connections):
    networks = parse_networks("127.0.0.0/8")
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://{host}:{port}/hook"
    with pytest.raises(UnsafeURL, match="not a canonical IPv4 address"):
        resolve(url, networks)
    result = post_webhook(url, b"{}", {}, allowed_networks=networks, connect_timeout=1, total_timeout=2)
    assert result.refused and "not a canonical IPv4 address" in (result.error or "")
    assert connections == [] and receiver.requests == []


def test_the_host_checked_is_the_host_connected_to(receiver, connections):
    """Full-width digits are 127.0.0.1 to yarl (and so to aiohttp): the guard reads them the same way."""
    url = receiver.url.replace("127.0.0.1", "\uff11\uff12\uff17.\uff10.\uff10.\uff11")
    assert resolve(url, parse_networks("127.0.0.0/8")).host == "127.0.0.1"
    result = post_webhook(url, b"{}", {}, allowed_networks=[], connect_timeout=1, total_timeout=2)
    assert result.refused and connections == []
    delivered = post_webhook(url, b"{}", {}, allowed_networks=parse_networks("127.0.0.0/8"), connect_timeout=2,
                             total_timeout=5)  # fmt: skip
    assert delivered.status == 200 and len(receiver.requests) == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://example.org:0/", "port"), ("http://" + "a." * 127 + "org/", "longer than 253"),
     ("http://[::1/", "not a valid URL")],
)  # fmt: skip
def test_ports_and_host_lengths(url, reason):
    with pytest.raises(UnsafeURL, match=reason):
        validate_url(url)
