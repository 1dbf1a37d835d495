"""Per-user rate-limit overrides, edited in the admin (§5.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class RateLimitOverride(models.Model):
    """Raise (or lower) a user's limits by ``multiplier``, or exempt them.

    Saved into Redis as well, where the limiter script reads it in the same round trip
    as the limit: the request path never queries the database for it.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rate_limit_override")
    exempt = models.BooleanField(default=False, help_text="No limits at all for this user.")
    multiplier = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.01)], help_text="Scales the limit and burst of per-user scopes."
    )
    note = models.CharField(max_length=200, blank=True, default="")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "rate-limit override"

    def __str__(self) -> str:
        return f"{self.user}: {'exempt' if self.exempt else f'x{self.multiplier:g}'}"

    @property
    def redis_value(self) -> str:
        return "exempt" if self.exempt else repr(float(self.multiplier))
