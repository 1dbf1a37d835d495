"""The registry of event types: apps declare the events they emit; the catalogue and
subscriptions read them from here, so this app never names another app's resources.

Modelled on NetBox's ``EventType.register()``. An app registers its events when it loads::

    # resources/events.py
    REPO_CREATE = register(EventType("repo:create", scope="repos:read",
                                     serializer=RepositorySerializer, description="a repository was created"))

    event_emit(user_id=repo.owner_id, event=REPO_CREATE, payload=REPO_CREATE.payload(repo))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rest_framework import serializers


@dataclass(frozen=True)
class EventType:
    """An event: its name, the read scope needed to subscribe, and the serializer of its payload.

    ``serializer`` None means a removal, whose payload is ``{"id": N}``.
    """

    name: str
    scope: str
    description: str
    serializer: type[serializers.BaseSerializer] | None = None

    @property
    def removal(self) -> bool:
        return self.serializer is None

    def payload(self, instance: Any) -> dict[str, Any]:
        """The payload for ``instance``: the resource as the API encodes it, or ``{"id": N}``."""
        if self.serializer is None:
            return {"id": instance if isinstance(instance, int) else instance.pk}
        return dict(self.serializer(instance).data)


_REGISTRY: dict[str, EventType] = {}


class UnknownEvent(KeyError):
    """No app registered an event of that name."""


def register(event_type: EventType) -> EventType:
    """Add ``event_type`` to the registry; a second, different registration of a name is an error."""
    existing = _REGISTRY.get(event_type.name)
    if existing is not None and existing != event_type:
        raise ValueError(f"event {event_type.name!r} is already registered differently")
    _REGISTRY[event_type.name] = event_type
    return event_type


def get(name: str) -> EventType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownEvent(name) from None


def names() -> list[str]:
    return list(_REGISTRY)


def all_events() -> list[EventType]:
    return list(_REGISTRY.values())
