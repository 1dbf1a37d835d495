"""Operators' pages for users, keys, repositories and the (read-only) audit log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from resources.models import AuditLogEntry, PGPKey, Repository, SSHKey, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Profile", {"fields": ("url", "location", "bio", "use_pgp_key")}))
    raw_id_fields = ["use_pgp_key"]


@admin.register(SSHKey)
class SSHKeyAdmin(admin.ModelAdmin):
    list_display = ["fingerprint", "comment", "owner", "authorized", "last_used"]
    search_fields = ["fingerprint", "comment", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["fingerprint", "fingerprint_sha256", "authorized", "last_used"]


@admin.register(PGPKey)
class PGPKeyAdmin(admin.ModelAdmin):
    list_display = ["fingerprint", "email", "owner", "authorized", "expiration"]
    search_fields = ["fingerprint", "email", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["fingerprint", "key_id", "authorized"]


@admin.register(Repository)
class RepositoryAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "visibility", "created", "updated"]
    list_filter = ["visibility"]
    search_fields = ["name", "owner__username", "description"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]


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
