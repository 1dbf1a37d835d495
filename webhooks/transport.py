"""Sending one webhook request safely (§4.7): to the checked address, no redirects, bounded.

Never raises for network trouble: the outcome is a :class:`DeliveryResult` whose
``status`` is None when no HTTP answer came.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from apiservice.api.headers import USER_AGENT
from webhooks.ssrf import Network, Target, UnsafeURL, resolve


@dataclass
class DeliveryResult:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    error: str | None = None
    retry_after: float | None = None
    duration_ms: int = 0


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the already-checked address; Host stays the URL's host name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = socket.create_connection((self.target.address, self.target.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As :class:`PinnedHTTPConnection`, with TLS verified against the host name (SNI too)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self.target = target

    def connect(self) -> None:
        raw = socket.create_connection((self.target.address, self.target.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.target.host)  # type: ignore[attr-defined]


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


def post_webhook(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    allowed_networks: Sequence[Network],
    connect_timeout: float,
    total_timeout: float,
    max_response_bytes: int = 65536,
) -> DeliveryResult:
    started = time.monotonic()
    deadline = started + total_timeout

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = resolve(url, allowed_networks)
    except UnsafeURL as exc:
        return DeliveryResult(None, error=f"refused: {exc}", duration_ms=elapsed())
    connection_class = PinnedHTTPSConnection if target.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(target, timeout=min(connect_timeout, total_timeout))
    try:
        connection.connect()
        sock = connection.sock  # http.client drops its reference once the response owns the socket
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        connection.request("POST", target.path, body=body, headers={**headers, USER_AGENT: "apiservice-webhooks"})
        response = connection.getresponse()
        chunks, size = [], 0
        while size <= max_response_bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("total timeout while reading the response")
            sock.settimeout(remaining)
            chunk = response.read1(min(16384, max_response_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        text = b"".join(chunks)[:max_response_bytes].decode("utf-8", "replace")
        response_headers = dict(response.getheaders())
        return DeliveryResult(
            status=response.status,
            headers=response_headers,
            body=text,
            retry_after=parse_retry_after(response.getheader("Retry-After")),
            duration_ms=elapsed(),
        )
    except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
        return DeliveryResult(None, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=elapsed())
    finally:
        connection.close()
