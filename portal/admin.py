"""Operators' invites: made in the admin too; the link is shown once, in the message after saving."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from core.client import client_ip
from portal.conf import portal_settings
from portal.models import Invite
from portal.services.invites import invite_create


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["id", "note", "created_by", "created", "expires", "used_by", "used_at"]
    list_select_related = ["created_by", "used_by"]
    search_fields = ["note", "created_by__username", "used_by__username"]
    fields = ["note", "expires"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"expires": timezone.now() + timedelta(days=portal_settings().INVITE_DAYS)}

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an invite is made, used or deleted; never edited

    def save_model(self, request: HttpRequest, obj: Invite, form: Any, change: bool) -> None:
        issued = invite_create(created_by=request.user, note=obj.note, expires=obj.expires, ip=client_ip(request))
        obj.pk, obj.token_hash, obj.created_by = issued.invite.pk, issued.invite.token_hash, issued.invite.created_by
        obj._state.adding = False
        link = request.build_absolute_uri(f"{reverse('portal:signup')}?{urlencode({'invite': issued.token})}")
        messages.warning(request, format_html("The invite link, shown this once: <code>{}</code>", link))

    def response_add(self, request: HttpRequest, obj: Invite, post_url_continue: str | None = None) -> HttpResponse:
        response = super().response_add(request, obj, post_url_continue)
        response["Cache-Control"] = "no-store"
        return response
