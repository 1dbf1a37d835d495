"""What an authenticated request carries: ``request.auth`` is a :class:`Credential`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Credential:
    """The credential a request presented, after verification.

    ``revocation_keys`` are Redis keys whose existence means the credential was revoked
    after it was issued; the rate limiter checks them in the same round trip as the
    limit (one Redis round trip per request for both).
    """

    kind: Literal["jwt", "apikey"]
    user_id: int
    api_key_id: int
    scopes: frozenset[str]
    revocation_keys: tuple[str, ...] = field(default=())
