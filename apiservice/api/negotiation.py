"""Content negotiation (§1.3): JSON by default, YAML or HTML on request, else a 406."""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that an empty ``Accept`` header means ``*/*`` (RFC 9110 §12.5.1)."""

    def get_accept_list(self, request: Any) -> list[str]:
        accepted = super().get_accept_list(request)
        return accepted or ["*/*"]
