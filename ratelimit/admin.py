from django.contrib import admin

from ratelimit.models import RateLimitOverride


@admin.register(RateLimitOverride)
class RateLimitOverrideAdmin(admin.ModelAdmin):
    list_display = ["user", "exempt", "multiplier", "note", "updated"]
    list_filter = ["exempt"]
    search_fields = ["user__username", "note"]
    raw_id_fields = ["user"]
