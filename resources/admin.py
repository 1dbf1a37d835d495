"""Operators' pages for SSH and PGP keys and repositories."""

from __future__ import annotations

from django.contrib import admin

from resources.models import PGPKey, Repository, SSHKey


@admin.register(SSHKey)
class SSHKeyAdmin(admin.ModelAdmin):
    list_display = ["fingerprint", "comment", "owner", "authorized", "last_used"]
    search_fields = ["fingerprint", "comment", "owner__username"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    readonly_fields = ["fingerprint", "fingerprint_sha256", "authorized", "last_used"]


@admin.register(PGPKey)
class PGPKeyAdmin(admin.ModelAdmin):
    list_display = ["fingerprint", "email", "owner", "preferred", "authorized", "expiration"]
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
