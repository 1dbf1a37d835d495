"""Operators' view of API keys: list, create (the secret is shown once), revoke. Never a secret.

OAuth applications, tokens and grants use django-oauth-toolkit's own admin pages, which
mask tokens and codes (and tokens are stored as checksums only); deleting a token or an
application there revokes it on every process (:mod:`auth.signals`). The scopes an
application may request are edited here (:class:`OAuthClientAdmin`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages

from auth import revocation, services
from auth.models import ApiKey, OAuthClient
from auth.scopes import ALL, ALL_SCOPES


class ApiKeyCreationForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in (ALL, *ALL_SCOPES)], initial=[ALL])

    class Meta:
        model = ApiKey
        fields = ["user", "name", "scopes", "expires"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["identifier", "name", "user", "scope_list", "created", "last_used", "expires"]
    list_filter = ["created", "expires"]
    search_fields = ["identifier", "name", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["identifier", "user", "name", "scopes", "created", "last_used", "oauth_application"]
    fields = ["identifier", "user", "name", "scopes", "expires", "created", "last_used", "oauth_application"]
    actions = ["revoke"]

    @admin.display(description="scopes")
    def scope_list(self, obj: ApiKey) -> str:
        return " ".join(obj.scopes)

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyCreationForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: Any, obj: Any = None) -> Any:
        return ["user", "name", "scopes", "expires"] if obj is None else self.fields

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: Any, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            if obj.is_expired():
                revocation.mark_revoked(revocation.api_key_marker(obj.pk))
            return
        issued = services.api_key_create(
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires=form.cleaned_data.get("expires"),
            ip=request.META.get("REMOTE_ADDR"),
        )
        obj.pk = issued.api_key.pk
        messages.warning(request, f"Copy this API key now; it will not be shown again: {issued.secret}")

    def delete_model(self, request: Any, obj: ApiKey) -> None:
        services.api_key_delete(api_key=obj, ip=request.META.get("REMOTE_ADDR"))

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for api_key in queryset:
            services.api_key_delete(api_key=api_key, ip=request.META.get("REMOTE_ADDR"))

    @admin.action(description="Revoke selected keys (their JWTs stop working at once)")
    def revoke(self, request: Any, queryset: Any) -> None:
        count = queryset.count()
        self.delete_queryset(request, queryset)
        self.message_user(request, f"Revoked {count} key(s).", messages.SUCCESS)


class OAuthClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=[(s, s) for s in ALL_SCOPES])

    class Meta:
        model = OAuthClient
        fields = ["application", "scopes"]


@admin.register(OAuthClient)
class OAuthClientAdmin(admin.ModelAdmin):
    form = OAuthClientForm
    list_display = ["application", "scope_list"]
    list_select_related = ["application"]
    search_fields = ["application__name", "application__client_id"]
    raw_id_fields = ["application"]

    @admin.display(description="scopes")
    def scope_list(self, obj: OAuthClient) -> str:
        return " ".join(obj.scopes)
