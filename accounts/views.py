"""``GET /api/v1/user/audit-log`` (§3): every change and credential use, newest first."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view

from accounts import selectors
from accounts.serializers import AuditLogEntrySerializer
from core.views import ListView


@extend_schema_view(get=extend_schema(operation_id="audit_log_list", tags=["audit"]))
class AuditLogView(ListView):
    """Read only: the audit log is written by the service, never edited through the API."""

    required_scope = "audit"
    serializer_class = AuditLogEntrySerializer

    def get_queryset(self) -> Any:
        return selectors.audit_log_list(
            user_id=cast(int, self.request.user.pk)
        )  # the pipeline let only a credential through
