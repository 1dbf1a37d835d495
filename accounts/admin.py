"""Operators' pages for users and the (read-only) audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import AuditLogEntry, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("url", "location", "bio")}),
        ("Email", {"fields": ("email_verified", "pending_email")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "email_verified", "is_active")


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read only: the audit log is written by the service, never edited."""

    list_display = ["created", "user", "action", "ip", "details"]
    list_filter = ["action"]
    search_fields = ["user__username", "action", "details", "ip"]
    list_select_related = ["user"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
