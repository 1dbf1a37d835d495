"""Idempotent writes (§1.13): a retried POST/PUT/PATCH/DELETE with the same ``Idempotency-Key``
changes nothing and gets the first answer again, as Stripe and the IETF draft
(draft-ietf-httpapi-idempotency-key-header) describe.

    POST /api/v1/repos   Idempotency-Key: 5c0e...   {"name": "hello"}   -> 201 (the repository is created)
    POST /api/v1/repos   Idempotency-Key: 5c0e...   {"name": "hello"}   -> 201, Idempotent-Replayed: true
    POST /api/v1/repos   Idempotency-Key: 5c0e...   {"name": "other"}   -> 422
    (the same key while the first request still runs)                   -> 409

Keys belong to the credential's family (an API key and the JWTs minted from it; one OAuth
grant): another credential of the same user sending the same key is answered as if it had
sent none. A replay passes the same authentication, rate-limit and scope checks as the
route (a credential without the route's scope gets the route's 403, not the stored answer)
and writes an ``idempotency:replay`` audit entry. Anonymous requests ignore the header. The whole
request runs in one transaction that first takes a PostgreSQL advisory lock on (user, key)
without waiting (a second request finding it held is the 409) and ends by writing the
answer: the change, its webhook outbox rows and the stored answer commit together or not at
all. So a crash mid-request leaves neither a change nor a key stuck "in progress", and a
replay never runs the view, which is why a webhook is emitted once per change, never per
replay. Only 2xx answers are stored: an error changed nothing, and a retry runs afresh.
Answers are kept 24 hours (:data:`RETENTION`); :func:`idempotency_prune` removes older ones.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import timedelta

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from accounts.services import audit_log_record
from core.errors import ServiceError
from core.headers import IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, meta_key
from idempotency.models import IdempotencyRecord

RETENTION = timedelta(hours=24)
IDEMPOTENCY_KEY_META = meta_key(IDEMPOTENCY_KEY)
MAX_KEY_LENGTH = 255
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NONCE_BYTES = 12


class IdempotencyError(ServiceError):
    """A request whose ``Idempotency-Key`` cannot be honoured; ``status`` is the answer."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(IDEMPOTENCY_KEY, reason)


class KeyInUse(IdempotencyError):
    status = 409


class KeyReused(IdempotencyError):
    status = 422


@dataclass(frozen=True)
class Claim:
    """The right to run a request under a key, held until its transaction ends."""

    user_id: int
    family: str
    key: str
    key_hash: str
    fingerprint: str
    method: str
    path: str


def parse_key(raw: str) -> str:
    """The key of an ``Idempotency-Key`` header: Stripe's bare token or the draft's quoted string.

    >>> parse_key('"8e03978e-40d5-43e8-bc93-6894a57f9324"')
    '8e03978e-40d5-43e8-bc93-6894a57f9324'
    """
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key:
        raise IdempotencyError("Idempotency-Key must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyError(f"Idempotency-Key must be at most {MAX_KEY_LENGTH} characters")
    if not all(" " <= char <= "~" for char in key):
        raise IdempotencyError("Idempotency-Key must be printable ASCII")
    return key


def canonical_body(body: bytes) -> bytes:
    """A JSON body with sorted keys and no spacing, so a re-encoded retry still matches; else as is."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except ValueError:
        return body


def request_fingerprint(request: HttpRequest) -> str:
    """What must be equal for a retry: method, path (either slash form), query and body."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.path.rstrip("/"), request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    digest.update(canonical_body(request.body))
    return digest.hexdigest()


def key_hash(*, user_id: int, family: str, key: str) -> str:
    """The stored name of a key: the same text from another credential family is another key."""
    return salted_hmac("idempotency.key", f"{user_id}:{family}:{key}", algorithm="sha256").hexdigest()


def _cipher(*, user_id: int, family: str, key: str) -> AESGCM:
    secret = salted_hmac("idempotency.body", f"{user_id}:{family}:{key}", algorithm="sha256").digest()
    return AESGCM(secret)


def _lock_id(digest: str) -> int:
    return int.from_bytes(bytes.fromhex(digest)[:8], "big", signed=True)


def idempotency_begin(
    *, user_id: int, family: str, key: str, fingerprint: str, method: str, path: str
) -> Claim | tuple[IdempotencyRecord, bytes]:
    """Claim ``key`` for this request, or find its stored answer ``(record, body)``.

    Must run inside the request's transaction: the claim is an advisory lock that the
    commit (which also makes the stored answer visible) releases. Raises :class:`KeyInUse`
    while another request holds the key and :class:`KeyReused` for a different request.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("idempotency_begin needs the request's transaction")
    hashed = key_hash(user_id=user_id, family=family, key=key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(hashed)])
        (locked,) = cursor.fetchone()
    if not locked:
        raise KeyInUse("a request with this Idempotency-Key is still in progress; retry it shortly")
    record = IdempotencyRecord.objects.filter(user_id=user_id, key_hash=hashed).first()
    if record is not None and record.created < timezone.now() - RETENTION:
        record.delete()
        record = None
    if record is None:
        return Claim(user_id, family, key, hashed, fingerprint, method, path)
    if record.fingerprint != fingerprint:
        raise KeyReused("this Idempotency-Key was used for a different request (method, path or body)")
    body = _cipher(user_id=user_id, family=family, key=key).decrypt(
        bytes(record.body[:NONCE_BYTES]), bytes(record.body[NONCE_BYTES:]), fingerprint.encode()
    )
    return record, body


def idempotency_store(*, claim: Claim, response: HttpResponse) -> IdempotencyRecord:
    """Keep the first answer: status, headers and the body, encrypted with the client's key."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(user_id=claim.user_id, family=claim.family, key=claim.key).encrypt(
        nonce, bytes(response.content), claim.fingerprint.encode()
    )
    return IdempotencyRecord.objects.create(
        user_id=claim.user_id,
        key_hash=claim.key_hash,
        fingerprint=claim.fingerprint,
        method=claim.method,
        path=claim.path[:2048],
        status=response.status_code,
        headers=[[name, value] for name, value in response.items()],
        body=nonce + sealed,
    )


def idempotency_replay(*, record: IdempotencyRecord, body: bytes, user_id: int, ip: str | None) -> HttpResponse:
    """The stored answer again, marked ``Idempotent-Replayed``; the replay is audited."""
    audit_log_record(
        user_id=user_id, action="idempotency:replay", ip=ip, details=f"{record.method} {record.path} ({record.status})"
    )
    return replay_response(record, body)


def replay_response(record: IdempotencyRecord, body: bytes) -> HttpResponse:
    response = HttpResponse(body, status=record.status)
    del response["Content-Type"]
    for name, value in record.headers:
        response[name] = value
    response[IDEMPOTENT_REPLAYED] = "true"
    return response


def idempotency_prune(*, older_than: timedelta = RETENTION, batch_size: int = 1000) -> int:
    """Remove stored answers created before ``now - older_than``; returns how many.

    For the retention task, as ``audit_log_prune``: each batch of ``batch_size`` ids is one
    short transaction. Answers past :data:`RETENTION` are already ignored, so pruning only
    reclaims space: ``idempotency_prune(older_than=RETENTION)``.
    """
    old = IdempotencyRecord.objects.filter(created__lt=timezone.now() - older_than).order_by("id")
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(old.values_list("id", flat=True)[:batch_size])
            if not ids:
                return removed
            removed += IdempotencyRecord.objects.filter(id__in=ids).delete()[0]
