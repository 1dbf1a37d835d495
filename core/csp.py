"""The ``Content-Security-Policy`` of every HTML page: django-csp's middleware, for HTML only.

The policy is ``settings.CONTENT_SECURITY_POLICY`` (scripts from this origin or with the
request's nonce, no framing, forms post here only). A view widens it for its own pages
with django-csp's decorators, as the docs pages do in ``config/urls.py``::

    csp_update({"style-src": UNSAFE_INLINE})(SpectacularRedocView.as_view(url_name="schema"))

JSON, YAML and every other non-HTML response go out without the header: the middleware
looks at ``Content-Type`` and returns, and no policy is built for them; an API request that
does not accept HTML (every API client) does not go through django-csp at all.
"""

from __future__ import annotations

from typing import Any, cast

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.http import HttpRequest, HttpResponseBase

from core.headers import API_PREFIX


def is_html(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """``CSPMiddleware`` whose header goes on ``text/html`` responses only.

    ``request.csp_nonce`` (``<script nonce="{{ request.csp_nonce }}">``) is set for every
    request, lazily: a page that reads it gets ``'nonce-...'`` in its ``script-src``.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """An API client that does not accept HTML gets no page: the library is skipped (~25,000
        instructions a request). A browser always sends ``Accept: text/html`` for a page."""
        if request.path_info.startswith(API_PREFIX) and "html" not in request.META.get("HTTP_ACCEPT", ""):
            return cast(HttpResponseBase, self.get_response(request))  # a WSGI stack: never awaitable
        return cast(HttpResponseBase, super().__call__(request))

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not is_html(response):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if getattr(getattr(response, "accepted_renderer", None), "format", None) == "api":  # DRF's browsable page
            # DRF's own templates for these pages set inline style attributes (and Pygments'
            # <style>); their scripts are files, so script-src stays strict.
            update: dict[str, Any] = dict(parts.update or {})
            update["style-src"] = [*update.get("style-src", []), UNSAFE_INLINE]
            parts.update = update
        return parts


def policy(*, report_uri: str = "") -> dict[str, Any]:
    """``settings.CONTENT_SECURITY_POLICY``: scripts from this origin or with the request's nonce,
    nothing inline otherwise, no framing, forms post here only. A page widens it with
    django-csp's decorators (docs/conventions.md#pages); ``report_uri``: ``CSP_REPORT_URI``."""
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF, NONCE],  # the nonce only on a page that used request.csp_nonce
            "style-src": [SELF],
            "img-src": [SELF, "data:"],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [NONE],
            "frame-ancestors": [NONE],
            "form-action": [SELF],
            **({"report-uri": [report_uri]} if report_uri else {}),
        }
    }
