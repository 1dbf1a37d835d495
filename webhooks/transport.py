"""Sending webhook requests safely and concurrently (§4.7), on asyncio with aiohttp.

One :class:`Transport` per worker loop holds a connection pool. Its resolver applies the
SSRF guard to every address a host resolves to, so the connection goes to an address that
was checked (and TLS is still verified against the host name, which aiohttp keeps as the
server name). Connections to the same origin are reused; redirects are not followed; the
connect and total timeouts and the response cap bound every request.

Never raises for network trouble: the outcome is a :class:`DeliveryResult` whose
``status`` is None when no HTTP answer came, with ``refused`` set when the guard said no.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ipaddress
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from core.headers import USER_AGENT
from webhooks.ssrf import Network, UnsafeURL, checked_addresses, validate_url

USER_AGENT_VALUE = "apiservice-webhooks"


@dataclass
class DeliveryResult:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str | None = None
    retry_after: float | None = None
    duration_ms: int = 0
    refused: bool = False  # the SSRF guard refused the URL: final, never retried


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver, with every resolved address checked by the SSRF guard."""

    def __init__(self, allowed_networks: Sequence[Network]) -> None:
        self.allowed_networks = allowed_networks

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise OSError(f"cannot resolve {host}") from exc
        addresses = checked_addresses(host, infos, self.allowed_networks)  # UnsafeURL propagates
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )  # fmt: skip
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class Transport:
    """A pool of guarded connections; ``async with Transport(...) as transport: await transport.post(...)``."""

    def __init__(
        self,
        *,
        allowed_networks: Sequence[Network],
        connect_timeout: float,
        total_timeout: float,
        max_response_bytes: int = 65536,
        max_connections: int = 100,
        per_origin: int = 0,
    ) -> None:
        self.allowed_networks = allowed_networks
        self.timeout = aiohttp.ClientTimeout(total=total_timeout, connect=connect_timeout, sock_connect=connect_timeout)
        self.total_timeout = total_timeout
        self.max_response_bytes = max_response_bytes
        self.max_connections, self.per_origin = max_connections, per_origin
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Transport:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.allowed_networks),
            limit=self.max_connections,
            limit_per_host=self.per_origin,
            ttl_dns_cache=10,
        )
        self.session = aiohttp.ClientSession(connector=connector, timeout=self.timeout, auto_decompress=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.session is not None:
            await self.session.close()

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> DeliveryResult:
        assert self.session is not None, "use Transport as an async context manager"
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            _, host, port, _ = validate_url(url)
            literal = ip_literal(host)
            if literal is not None:  # aiohttp connects to an IP literal without asking the resolver
                checked_addresses(host, [(0, 0, 0, "", (str(literal), port))], self.allowed_networks)
            async with self.session.post(
                url, data=body, headers={**headers, USER_AGENT: USER_AGENT_VALUE}, allow_redirects=False
            ) as response:
                text = await self._read_capped(response)
                return DeliveryResult(
                    status=response.status,
                    headers=dict(response.headers),
                    body=text,
                    retry_after=parse_retry_after(response.headers.get("Retry-After")),
                    duration_ms=elapsed(),
                )
        except UnsafeURL as exc:
            return DeliveryResult(None, error=f"refused: {exc}", duration_ms=elapsed(), refused=True)
        except aiohttp.ClientConnectorError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, UnsafeURL):
                return DeliveryResult(None, error=f"refused: {cause}", duration_ms=elapsed(), refused=True)
            return DeliveryResult(None, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=elapsed())
        except TimeoutError:
            return DeliveryResult(
                None, error=f"TimeoutError: timed out after {self.total_timeout:g} s", duration_ms=elapsed()
            )
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return DeliveryResult(None, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=elapsed())

    async def _read_capped(self, response: aiohttp.ClientResponse) -> str:
        chunks, size = [], 0
        while size <= self.max_response_bytes:
            chunk = await response.content.read(min(16384, self.max_response_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)[: self.max_response_bytes].decode("utf-8", "replace")


def post_webhook(url: str, body: bytes, headers: Mapping[str, str], **options: Any) -> DeliveryResult:
    """Send one request with a transport of its own (tools and tests; the engine keeps a pool)."""

    async def once() -> DeliveryResult:
        async with Transport(**options) as transport:
            return await transport.post(url, body, headers)

    return asyncio.run(once())


class Sender:
    """Runs a :class:`Transport` on an event loop in a thread of its own, so that the caller
    (a Celery task, a test) keeps its database work on its own thread and connection while
    many requests are in flight::

        with Sender(**options) as sender:
            future = sender.submit(url, body, headers)      # a concurrent.futures.Future
            result = future.result()
    """

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.transport = Transport(**options)
        self.thread = threading.Thread(target=self.loop.run_forever, name="webhook-sender", daemon=True)

    def __enter__(self) -> Sender:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.transport.__aenter__(), self.loop).result()
        return self

    def submit(self, url: str, body: bytes, headers: Mapping[str, str]) -> concurrent.futures.Future[DeliveryResult]:
        return asyncio.run_coroutine_threadsafe(self.transport.post(url, body, headers), self.loop)

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.transport.__aexit__(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
