"""DRF's view of the API pipeline's caller: ``request.user`` and ``request.auth``.

The pipeline's :func:`auth.steps.authenticate` verified the credential before the view
ran (and :func:`auth.steps.authorize` answered a refused one); this class only hands the
result to DRF, so views, serializers and the browsable page see the caller as usual.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication

from core.context import api_context
from core.headers import WWW_AUTHENTICATE_VALUE


class ContextAuthentication(BaseAuthentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        context = api_context()
        if context is None or context.credential is None:
            return None
        return context.user, context.credential

    def authenticate_header(self, request: Any) -> str:
        return WWW_AUTHENTICATE_VALUE
