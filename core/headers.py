"""Header names and path prefixes that more than one module uses, in one place. No Django.

>>> f"{API_V1}rate-limit"
'/api/v1/rate-limit'
"""

from __future__ import annotations

# Paths: everything under API_PREFIX follows the §1 conventions (JSON errors, rate limits).
API_PREFIX = "/api/"
API_V1 = "/api/v1/"

# Credentials (§2.4)
AUTHORIZATION = "Authorization"
WWW_AUTHENTICATE = "WWW-Authenticate"
WWW_AUTHENTICATE_VALUE = 'Bearer realm="api"'

# Request ids (§6.6)
REQUEST_ID = "X-Request-ID"

# Shared by errors, rate limits and outages
RETRY_AFTER = "Retry-After"
ALLOW = "Allow"
LINK = "Link"

# Conditional requests (§1.12)
ETAG = "ETag"
LAST_MODIFIED = "Last-Modified"
IF_NONE_MATCH = "If-None-Match"
IF_MODIFIED_SINCE = "If-Modified-Since"
IF_MATCH = "If-Match"

# Idempotent writes (§1.13): the IETF draft's request header and Stripe's replay marker
IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENT_REPLAYED = "Idempotent-Replayed"

# Rate limits (§5.3): Funkwhale's set and the IETF fields
RATELIMIT_LIMIT = "X-RateLimit-Limit"
RATELIMIT_REMAINING = "X-RateLimit-Remaining"
RATELIMIT_RESET = "X-RateLimit-Reset"
RATELIMIT_RESET_SECONDS = "X-RateLimit-ResetSeconds"
RATELIMIT_DURATION = "X-RateLimit-Duration"
RATELIMIT_SCOPE = "X-RateLimit-Scope"
IETF_RATELIMIT_POLICY = "RateLimit-Policy"
IETF_RATELIMIT = "RateLimit"

# Webhook deliveries (§4.3): sourcehut's and Standard Webhooks' headers
CONTENT_TYPE = "Content-Type"
CONTENT_LENGTH = "Content-Length"
WEBHOOK_EVENT = "X-Webhook-Event"
WEBHOOK_DELIVERY = "X-Webhook-Delivery"
PAYLOAD_NONCE = "X-Payload-Nonce"
PAYLOAD_SIGNATURE = "X-Payload-Signature"
STANDARD_WEBHOOK_ID = "webhook-id"
STANDARD_WEBHOOK_TIMESTAMP = "webhook-timestamp"
STANDARD_WEBHOOK_SIGNATURE = "webhook-signature"
USER_AGENT = "User-Agent"


def meta_key(name: str) -> str:
    """Where WSGI puts a request header in ``request.META``: a lookup there costs nothing, where
    the first use of ``request.headers`` copies every header of the request.

    >>> meta_key(IF_NONE_MATCH)
    'HTTP_IF_NONE_MATCH'
    """
    return "HTTP_" + name.upper().replace("-", "_")


# CORS (django-cors-headers, docs/operations.md#cors): what a browser script may send to /api/ ...
CORS_REQUEST_HEADERS = tuple(
    name.lower()
    for name in (AUTHORIZATION, CONTENT_TYPE, IDEMPOTENCY_KEY, IF_MATCH, IF_NONE_MATCH, IF_MODIFIED_SINCE, REQUEST_ID)
)
# ... and which response headers it may read
CORS_RESPONSE_HEADERS = (
    RATELIMIT_LIMIT, RATELIMIT_REMAINING, RATELIMIT_RESET, RATELIMIT_RESET_SECONDS, RATELIMIT_DURATION, RATELIMIT_SCOPE,
    IETF_RATELIMIT, IETF_RATELIMIT_POLICY, RETRY_AFTER, LINK, ETAG, REQUEST_ID, IDEMPOTENT_REPLAYED, WWW_AUTHENTICATE,
)  # fmt: skip
