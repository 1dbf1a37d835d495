"""Repository flows: create, update (rename), delete, README override; each with audit and event."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from resources.models import Repository, User
from resources.serializers import RepositorySerializer
from resources.services.audit import audit_log_record
from webhooks.services import event_emit

NAME = re.compile(r"^[A-Za-z0-9._-]+$")
RESERVED = {".", "..", ".git"}


class RepositoryError(Exception):
    """A request the rules refuse; ``field`` names the request field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def repo_name_check(name: str) -> None:
    if not name:
        raise RepositoryError("name", "name is required")
    if not NAME.match(name) or name in RESERVED:
        raise RepositoryError(
            "name", "name may contain only letters, digits, '.', '_' and '-', and is not '.', '..' or '.git'"
        )


def _payload(repo: Repository) -> dict[str, Any]:
    return RepositorySerializer(repo).data


def repo_create(*, owner: User, name: str, description: str, visibility: str, ip: str | None) -> Repository:
    repo_name_check(name)
    try:
        with transaction.atomic():
            repo = Repository.objects.create(
                owner=owner, name=name, description=description, visibility=visibility or Repository.Visibility.PUBLIC
            )
            audit_log_record(user_id=owner.pk, action="repo:create", ip=ip, details=name)
            event_emit(user_id=owner.pk, event="repo:create", payload=_payload(repo))
    except IntegrityError as exc:
        raise RepositoryError("name", f"you already have a repository named {name!r}") from exc
    return repo


def repo_update(*, repo: Repository, changes: dict[str, Any], ip: str | None) -> Repository:
    """Apply ``changes``; an empty string means "unchanged" (sourcehut's rule)."""
    updates = {key: value for key, value in changes.items() if value not in ("", None)}
    if "name" in updates:
        repo_name_check(updates["name"])
    changed = [key for key, value in updates.items() if getattr(repo, key) != value]
    if not changed:
        return repo
    try:
        with transaction.atomic():
            for key in changed:
                setattr(repo, key, updates[key])
            repo.save(update_fields=[*changed, "updated"])
            audit_log_record(
                user_id=repo.owner_id, action="repo:update", ip=ip, details=f"{repo.name}: {', '.join(changed)}"
            )
            event_emit(user_id=repo.owner_id, event="repo:update", payload=_payload(repo))
    except IntegrityError as exc:
        raise RepositoryError("name", f"you already have a repository named {updates['name']!r}") from exc
    return repo


def repo_delete(*, repo: Repository, ip: str | None) -> None:
    with transaction.atomic():
        repo_id = repo.pk
        audit_log_record(user_id=repo.owner_id, action="repo:delete", ip=ip, details=repo.name)
        repo.delete()
        event_emit(user_id=repo.owner_id, event="repo:delete", payload={"id": repo_id})


def repo_readme_set(*, repo: Repository, readme: str | None, ip: str | None) -> None:
    """Set (or, with None, remove) the README override; an update of the repository."""
    with transaction.atomic():
        repo.readme = readme
        repo.save(update_fields=["readme", "updated"])
        action = "repo:readme-delete" if readme is None else "repo:readme-update"
        audit_log_record(user_id=repo.owner_id, action=action, ip=ip, details=repo.name)
        event_emit(user_id=repo.owner_id, event="repo:update", payload=_payload(repo))
