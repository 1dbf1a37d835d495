"""``/settings/audit-log``: what was done with your account, newest first (``GET /api/v1/user/audit-log``'s rows)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import audit_log_list
from portal.paging import page_of
from portal.views.common import owner_id, read_view


@read_view
def audit_log(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/audit_log.html", {"page": page_of(request, audit_log_list(user_id=owner_id(request)))}
    )
