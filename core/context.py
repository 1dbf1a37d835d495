"""What a request is, as every step of the API pipeline and every view sees it: one frozen object.

    ctx = api_context()          # in a view, a step's successor, a log filter
    ctx.credential.user_id       # who is calling (None: anonymous)
    ctx.credential.scopes        # what they may do
    ctx.limit                    # what the rate limiter decided

The API pipeline (:mod:`core.pipeline`) builds an :class:`ApiContext` from the request and
each step hands a new one (``ctx._replace(...)``) to the next; nothing is stuck onto the
request. The outermost middleware (:mod:`core.observe`) opens a :func:`request_scope`, so
the request id and the context are current for the whole request, its log lines and the
access line, and are dropped when it ends.

Layer 0 knows a credential only by the :class:`Credential` protocol below; ``auth`` makes
them, the rate limiter reads their revocation markers, idempotency their family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple, Protocol

from rest_framework.permissions import SAFE_METHODS, AllowAny


class Credential(Protocol):
    """A verified credential, as the layers that do not make them see it."""

    @property
    def user_id(self) -> int: ...

    @property
    def scopes(self) -> frozenset[str]: ...

    @property
    def family(self) -> str:
        """The credentials that share this one's standing: an API key and its JWTs, one OAuth grant."""
        ...

    @property
    def revocation_keys(self) -> tuple[str, ...]:
        """Redis keys whose existence means the credential was revoked after it was issued."""
        ...


class Route(NamedTuple):
    """The view a request resolved to, and what it declares about access.

    Views declare ``required_scope`` (``"repos"``: GET needs ``repos:read``, others
    ``repos:write``), ``allow_anonymous_read`` and ``rate_limit_scopes`` (``{"POST":
    "authenticate"}``) as class attributes; a view that authenticates its callers itself
    (the OAuth token endpoint's client credentials) sets ``api_credentials = False``.
    """

    func: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    name: str
    view_class: type | None
    drf: bool  # a DRF view (APIView.as_view() marks its function with ``cls``)
    match: Any  # Django's ResolverMatch, for request.resolver_match

    def declared(self, name: str, default: Any = None) -> Any:
        """A class attribute of the view (or of the function, for a plain Django view)."""
        return getattr(self.view_class if self.view_class is not None else self.func, name, default)

    @property
    def required_scope(self) -> str | None:
        scope: str | None = self.declared("required_scope")
        return scope

    @property
    def anonymous_read(self) -> bool:
        return bool(self.declared("allow_anonymous_read", False))

    @property
    def api_credentials(self) -> bool:
        """Whether the ``Authorization`` header carries an API credential on this route and the
        pipeline checks it: on DRF's views unless they say otherwise; never on a plain Django
        view (the OAuth token endpoint reads its client's credentials itself)."""
        return bool(self.declared("api_credentials", self.drf))

    def anonymous_allowed(self, method: str) -> bool:
        """Whether a caller without a credential is served (for the pipeline and the OpenAPI padlocks)."""
        return anonymous_allowed(self.view_class, method)

    def rate_limit_scope(self, method: str) -> str | None:
        scopes: Mapping[str, str] = self.declared("rate_limit_scopes", None) or {}
        return scopes.get(method)


def anonymous_allowed(view_class: type | None, method: str) -> bool:
    """A view serves anonymous callers when every permission class it declares is DRF's
    ``AllowAny`` (the version, the key exchange), and for safe methods when it declares
    ``allow_anonymous_read`` (public profiles and repositories, key look-ups)."""
    classes = getattr(view_class, "permission_classes", None) or ()
    if classes and all(isinstance(each, type) and issubclass(each, AllowAny) for each in classes):
        return True
    return method in SAFE_METHODS and bool(getattr(view_class, "allow_anonymous_read", False))


class Limit(NamedTuple):
    """The rate limiter's answer for a request: its scope, the period and what is left."""

    scope: str
    period: int
    capacity: int
    remaining: int
    reset_after_ms: int


class ApiContext(NamedTuple):
    """One request under ``/api/``, as far as the pipeline has got with it (immutable: a step
    hands the next one ``ctx._replace(credential=...)``; a named tuple makes that ~0.7 us where
    a frozen dataclass's ``dataclasses.replace`` takes ~4.5)."""

    request_id: str
    route: Route | None  # None: no route matched (the answer will be a 404)
    credential: Credential | None = None
    user: Any = None  # the credential's user (a row, or a stand-in built from a token's claims)
    auth_error: str | None = None  # why a presented credential was refused (the answer: auth_status)
    auth_status: int = 401
    limit: Limit | None = None
    authorized: bool = False  # the route's credential and scope checks passed

    @property
    def user_id(self) -> int | None:
        return None if self.credential is None else self.credential.user_id


_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_api: ContextVar[ApiContext | None] = ContextVar("api_context", default=None)


@contextmanager
def request_scope(request_id: str | None) -> Iterator[None]:
    """The request (or task) ``request_id`` is current inside the block; no API context yet."""
    id_token, api_token = _request_id.set(request_id), _api.set(None)
    try:
        yield
    finally:
        _api.reset(api_token)
        _request_id.reset(id_token)


def current_request_id() -> str | None:
    """The id of the request (or task) this code runs for, or None outside one."""
    return _request_id.get()


def api_context() -> ApiContext | None:
    """The current API request's context, or None outside one (a browser page, a task)."""
    return _api.get()


def enter(context: ApiContext) -> None:
    """Make ``context`` current until the request scope ends (the pipeline, before the view)."""
    _api.set(context)
