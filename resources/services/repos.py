"""Repository flows: create, update (rename), delete, README override; each with audit and event.

Field rules (the name's characters, the visibility's values) are the serializers'; the
rule that needs the database (a name unique per owner) is here.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.services import audit_log_record
from core.errors import ServiceError
from resources import events
from resources.models import Repository
from webhooks.services.emitting import event_emit


def _name_taken(name: str) -> ServiceError:
    return ServiceError("name", f"you already have a repository named {name!r}")


def repo_create(*, owner: User, name: str, description: str = "", visibility: str = "", ip: str | None) -> Repository:
    try:
        with transaction.atomic():
            repo = Repository.objects.create(
                owner=owner, name=name, description=description, visibility=visibility or Repository.Visibility.PUBLIC
            )
            audit_log_record(user_id=owner.pk, action="repo:create", ip=ip, details=name)
            event_emit(user_id=owner.pk, event=events.REPO_CREATE, payload=events.REPO_CREATE.payload(repo))
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    return repo


def repo_update(*, repo: Repository, changes: dict[str, Any], ip: str | None) -> Repository:
    """Apply ``changes`` (already without the ``""`` that means "unchanged")."""
    changed = [key for key, value in changes.items() if getattr(repo, key) != value]
    if not changed:
        return repo
    try:
        with transaction.atomic():
            for key in changed:
                setattr(repo, key, changes[key])
            repo.save(update_fields=[*changed, "updated"])
            audit_log_record(
                user_id=repo.owner_id, action="repo:update", ip=ip, details=f"{repo.name}: {', '.join(changed)}"
            )
            event_emit(user_id=repo.owner_id, event=events.REPO_UPDATE, payload=events.REPO_UPDATE.payload(repo))
    except IntegrityError as exc:
        raise _name_taken(changes["name"]) from exc
    return repo


def repo_delete(*, repo: Repository, ip: str | None) -> None:
    with transaction.atomic():
        repo_id = repo.pk
        audit_log_record(user_id=repo.owner_id, action="repo:delete", ip=ip, details=repo.name)
        repo.delete()
        event_emit(user_id=repo.owner_id, event=events.REPO_DELETE, payload=events.REPO_DELETE.payload(repo_id))


def repo_readme_set(*, repo: Repository, readme: str | None, ip: str | None) -> None:
    """Set (or, with None, remove) the README override; an update of the repository."""
    with transaction.atomic():
        repo.readme = readme
        repo.save(update_fields=["readme", "updated"])
        action = "repo:readme-delete" if readme is None else "repo:readme-update"
        audit_log_record(user_id=repo.owner_id, action=action, ip=ip, details=repo.name)
        event_emit(user_id=repo.owner_id, event=events.REPO_UPDATE, payload=events.REPO_UPDATE.payload(repo))
