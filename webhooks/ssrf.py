"""Where a webhook may be sent (§4.7). Pure: no Django.

http(s) only, no credentials in the URL; the host is resolved once, and every address it
resolves to must be public: loopback, private, link-local, CGNAT, multicast, reserved,
unspecified and cloud-metadata addresses are refused, and so are their IPv4-mapped,
IPv4-compatible, 6to4 and NAT64 forms, unless inside an operator's allow-list.

Subscribing and sending read a URL alike: both parse it with yarl, the parser aiohttp
sends with, so the host checked is the host connected to (``http://１２７.０.０.１/`` is
``127.0.0.1`` to both); both refuse an IPv4 address written in a legacy form (``127.1``,
``0x7f.1``, ``017700000001``, ``2130706433``), which aiohttp refuses to connect to and
``getaddrinfo`` would map onto an address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
CGNAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
MAX_URL_LENGTH = 2048
MAX_HOST_LENGTH = 253  # a DNS name's limit; also keeps "scheme://host:port" within Delivery.origin


class UnsafeURL(ValueError):
    """A webhook URL that may not be used; the message says why."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line
    address: str  # the checked IP the connection goes to


def parse_networks(value: str) -> list[Network]:
    """``"127.0.0.0/8,::1/128"`` -> networks (the ``WEBHOOK_ALLOWED_NETWORKS`` format)."""
    try:
        return [ipaddress.ip_network(item.strip(), strict=False) for item in value.split(",") if item.strip()]
    except ValueError as exc:
        raise ValueError(f"WEBHOOK_ALLOWED_NETWORKS must be comma-separated CIDRs: {exc}") from exc


def split_url(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path)`` as aiohttp will see them; raises UnsafeURL.

    ``host`` is yarl's ``raw_host``: lower case, IDNA-encoded, an IPv6 address without
    brackets; it is what aiohttp's connector resolves or connects to.
    """
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH:
        raise UnsafeURL(f"url must be an http(s) URL of at most {MAX_URL_LENGTH} characters")
    try:
        parts = URL(url.strip())
        host, port = parts.raw_host, parts.port
    except ValueError as exc:  # an unclosed "[", a port out of range, a backslash in the authority
        raise UnsafeURL("url is not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("url must use http or https")
    if parts.user is not None or parts.password is not None:
        raise UnsafeURL("url must not carry credentials")
    if not host:
        raise UnsafeURL("url must name a host")
    if len(host) > MAX_HOST_LENGTH:
        raise UnsafeURL(f"url's host name is longer than {MAX_HOST_LENGTH} characters")
    if not port:
        raise UnsafeURL("url's port must be from 1 to 65535")
    return parts.scheme, host, port, parts.raw_path_qs or "/"


def legacy_ipv4(host: str) -> bool:
    """An IPv4 address in another form than the dotted quad: ``127.1``, ``0x7f.1``,
    ``017700000001``, ``2130706433``, ``127.000.000.001``, ``127.0.0.1.``.

    aiohttp takes a host of digits and dots for an address and refuses it unless it is a
    dotted quad ("is not a canonical IPv4 address"); ``inet_aton`` (as ``getaddrinfo``)
    reads the other forms as an address.
    """
    if ":" in host:
        return False
    try:
        ipaddress.IPv4Address(host)
        return False
    except ValueError:
        pass
    if host.replace(".", "").isdigit():
        return True
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def validate_url(url: str) -> tuple[str, str, int, str]:
    """Syntax checks only: ``(scheme, host, port, path)``; raises UnsafeURL."""
    scheme, host, port, path = split_url(url)
    if legacy_ipv4(host):
        try:
            spelled = f"write it as {socket.inet_ntoa(socket.inet_aton(host))}"
        except OSError:
            spelled = "write an address as four decimal numbers"
        raise UnsafeURL(f"url's host {host} is not a canonical IPv4 address; {spelled}")
    return scheme, host, port, path


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in an IPv6 one (mapped, compatible, 6to4, NAT64), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64 or address in NAT64_LOCAL:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    packed = int(address)
    if packed >> 32 == 0 and packed > 1:  # IPv4-compatible ::a.b.c.d (deprecated, still routable)
        return ipaddress.IPv4Address(packed)
    return None


def is_public(address: IPAddress) -> bool:
    inner = embedded_ipv4(address)
    if inner is not None and not is_public(inner):
        return False
    if address in METADATA or (isinstance(address, ipaddress.IPv4Address) and address in CGNAT):
        return False
    flags = [
        address.is_private, address.is_loopback, address.is_link_local, address.is_multicast,
        address.is_reserved, address.is_unspecified,
    ]  # fmt: skip
    if isinstance(address, ipaddress.IPv6Address):
        flags.append(address.is_site_local)
    return not any(flags)


def allowed(address: IPAddress, networks: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def checked_addresses(host: str, infos: Sequence[tuple], allowed_networks: Sequence[Network]) -> list[IPAddress]:
    """The addresses of ``getaddrinfo`` results, all of them public (or allowed); else UnsafeURL."""
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not (allowed(address, allowed_networks) or is_public(address)):
            raise UnsafeURL(f"{host} resolves to {address}, which webhooks may not reach")
        addresses.append(address)
    if not addresses:
        raise UnsafeURL(f"cannot resolve {host}")
    return addresses


def resolve(url: str, allowed_networks: Sequence[Network], *, resolver: Any = None) -> Target:
    """Resolve the URL's host once; refuse it if any address is not public (or allowed)."""
    scheme, host, port, path = validate_url(url)
    try:
        infos = (resolver or socket.getaddrinfo)(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"cannot resolve {host}") from exc
    addresses = checked_addresses(host, infos, allowed_networks)
    return Target(scheme, host, port, path, str(addresses[0]))


def origin_of(url: str) -> str:
    """``https://hooks.example.org:443``: the endpoint a URL is sent to (caps and breakers are per origin).

    Never raises: a stored URL that no longer parses (subscribed under older rules) is an
    origin of its own, and its delivery is refused when it is sent.
    """
    try:
        scheme, host, port, _ = split_url(url)
    except UnsafeURL:
        return url[:MAX_HOST_LENGTH]
    return f"{scheme}://{host}:{port}"
