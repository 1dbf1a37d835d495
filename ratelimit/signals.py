"""Keep the Redis copy of each override in step with the database (after commit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.redis import get_redis
from ratelimit.models import RateLimitOverride
from ratelimit.services import override_key


@receiver(post_save, sender=RateLimitOverride, dispatch_uid="ratelimit.override_saved")
def override_saved(sender: Any, instance: RateLimitOverride, **kwargs: Any) -> None:
    key, value = override_key(instance.user_id), instance.redis_value
    transaction.on_commit(lambda: get_redis().set(key, value))


@receiver(post_delete, sender=RateLimitOverride, dispatch_uid="ratelimit.override_deleted")
def override_deleted(sender: Any, instance: RateLimitOverride, **kwargs: Any) -> None:
    key = override_key(instance.user_id)
    transaction.on_commit(lambda: get_redis().delete(key))
