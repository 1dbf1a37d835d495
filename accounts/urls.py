"""Account routes under /api/v1/."""

from accounts.views import AuditLogView
from core.routing import route

urlpatterns = [route("user/audit-log", AuditLogView.as_view(), "audit-log")]
