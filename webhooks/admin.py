"""Operators' pages: subscriptions (enable/disable), deliveries (filter, redeliver), events."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages

from webhooks.models import Delivery, DeliveryAttempt, Event, Subscription
from webhooks.services.emitting import delivery_redeliver
from webhooks.services.subscriptions import subscription_disable


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "url", "event_list", "enabled", "consecutive_failures", "disabled_reason", "created"]
    list_filter = ["enabled"]
    search_fields = ["url", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions = ["enable", "disable"]

    @admin.display(description="events")
    def event_list(self, obj: Subscription) -> str:
        return ", ".join(obj.events)

    @admin.action(description="Enable selected webhooks")
    def enable(self, request: Any, queryset: Any) -> None:
        count = queryset.update(enabled=True, disabled_reason="", consecutive_failures=0)
        self.message_user(request, f"Enabled {count} webhook(s).", messages.SUCCESS)

    @admin.action(description="Disable selected webhooks")
    def disable(self, request: Any, queryset: Any) -> None:
        for subscription in queryset:
            subscription_disable(subscription=subscription, reason="disabled by an operator")
        self.message_user(request, "Disabled.", messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["created", "response_status", "error", "duration_ms"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class DeliveryStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("pending", "pending"), ("delivered", "delivered"), ("failed", "failed")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        value = self.value()
        if value == "pending":
            return queryset.filter(next_attempt__isnull=False)
        if value == "delivered":
            return queryset.filter(next_attempt__isnull=True, response_status__gte=200, response_status__lt=300)
        if value == "failed":
            return queryset.filter(next_attempt__isnull=True).exclude(response_status__gte=200, response_status__lt=300)
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["uuid", "event_name", "url", "status", "response_status", "attempts", "next_attempt", "created"]
    list_filter = [DeliveryStatusFilter, "event_name"]
    search_fields = ["uuid", "url"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.action(description="Redeliver selected deliveries")
    def redeliver(self, request: Any, queryset: Any) -> None:
        for delivery in queryset:
            delivery_redeliver(delivery=delivery)
        self.message_user(request, f"Queued {queryset.count()} delivery(ies) again.", messages.SUCCESS)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "user", "created"]
    list_filter = ["name"]
    readonly_fields = ["user", "name", "payload", "created"]

    def has_add_permission(self, request: Any) -> bool:
        return False
