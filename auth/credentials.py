"""What an authenticated request carries: ``request.auth`` is a :class:`Credential`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Credential:
    """The credential a request presented, after verification.

    ``revocation_keys`` are Redis keys whose existence means the credential was revoked
    after it was issued; the rate limiter checks them in the same round trip as the
    limit (one Redis round trip per request for both). An OAuth access token has
    ``api_key_id`` 0 and names its row in ``oauth_token_id``.
    """

    kind: Literal["jwt", "apikey", "oauth", "session"]
    user_id: int
    api_key_id: int
    scopes: frozenset[str]
    revocation_keys: tuple[str, ...] = field(default=())
    oauth_token_id: int | None = None
    oauth_digest: str | None = field(default=None, repr=False)  # the token's checksum, for the claims cache
    username: str = ""  # a JWT's username claim (what ``request.user`` shows without a query)
    oauth_application_id: int | None = None

    @property
    def family(self) -> str:
        """The credentials that share this one's standing (§1.13): an API key and every JWT
        minted from it (an app token is an API key); all OAuth tokens of one grant (the
        user's authorization of one application).

        >>> Credential(kind="jwt", user_id=1, api_key_id=7, scopes=frozenset()).family
        'apikey:7'
        """
        if self.kind == "oauth":
            return f"oauth-app:{self.oauth_application_id}"
        if self.kind == "session":
            return f"session:{self.user_id}"
        return f"apikey:{self.api_key_id}"
