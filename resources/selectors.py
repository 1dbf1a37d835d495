"""Reading resources: every query the views make, named ``<entity>_list`` / ``<entity>_get``.

Lists return ``.values()`` rows with only the columns the representations use (no model
instances, no password hash or README text per row), which the FastRead serializers read
directly; single objects come as model instances.
"""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accounts.models import User
from apiservice.api.pagination import TOTAL_KEY
from resources.models import OwnerCount, PGPKey, Repository, SSHKey

Rows = QuerySet[Any, dict[str, Any]]
Visibility = Repository.Visibility

REPO_COLUMNS = ("id", "created", "updated", "name", "description", "visibility", "owner__username")
SSH_COLUMNS = (
    "id",
    "authorized",
    "comment",
    "fingerprint",
    "fingerprint_sha256",
    "key",
    "last_used",
    "owner__username",
)
PGP_COLUMNS = ("id", "key", "key_id", "fingerprint", "email", "authorized", "expiration", "owner__username")


COUNTER_SQL = f'COALESCE((SELECT n FROM "{OwnerCount._meta.db_table}" WHERE owner_id = %s AND kind = %s), 0)'


def _counted(kind: str, owner_id: int) -> dict[str, Any]:
    """The owner's counter as a scalar subquery on every row: page and total in one round trip.

    Raw SQL: a ``Subquery`` of a queryset costs more to build per request than the query
    costs to run."""
    return {TOTAL_KEY: RawSQL(COUNTER_SQL, (owner_id, kind))}


# ---------------------------------------------------------------------- users


def _with_pgp_key(users: QuerySet[User]) -> QuerySet[User]:
    """Annotate ``use_pgp_key``: the fingerprint of the user's preferred PGP key, or None."""
    preferred = PGPKey.objects.filter(owner=OuterRef("pk"), preferred=True).values("fingerprint")[:1]
    return users.annotate(use_pgp_key=Subquery(preferred))


def user_get(*, user_id: int) -> User:
    return _with_pgp_key(User.objects.filter(pk=user_id)).get()


def user_get_by_name(*, username: str) -> User | None:
    """An active user by name, with ``use_pgp_key``; None for unknown or inactive ones."""
    return _with_pgp_key(User.objects.filter(username=username, is_active=True)).first()


# ----------------------------------------------------------------------- keys


def ssh_key_list(*, owner_id: int) -> Rows:
    return SSHKey.objects.filter(owner_id=owner_id).values(*SSH_COLUMNS, **_counted("ssh-key", owner_id))


def ssh_key_get(*, owner_id: int, key_id: int) -> SSHKey | None:
    return SSHKey.objects.select_related("owner").filter(owner_id=owner_id, pk=key_id).first()


def ssh_key_lookup(*, blob: str) -> SSHKey | None:
    """An active user's key by its base64 blob (anyone may look)."""
    return SSHKey.objects.select_related("owner").filter(key__endswith=" " + blob, owner__is_active=True).first()


def pgp_key_list(*, owner_id: int) -> Rows:
    return PGPKey.objects.filter(owner_id=owner_id).values(*PGP_COLUMNS, **_counted("pgp-key", owner_id))


def pgp_key_get(*, owner_id: int, key_id: int) -> PGPKey | None:
    return PGPKey.objects.select_related("owner").filter(owner_id=owner_id, pk=key_id).first()


def pgp_key_lookup(*, fingerprint: str) -> PGPKey | None:
    """An active user's key by fingerprint or key id, spaces and case ignored."""
    wanted = fingerprint.replace(" ", "").upper()
    keys = PGPKey.objects.select_related("owner").filter(Q(fingerprint=wanted) | Q(key_id=wanted))
    return keys.filter(owner__is_active=True).first()


# --------------------------------------------------------------- repositories


def _visible(owner_id: int, viewer_id: int | None, *, listing: bool) -> QuerySet[Repository]:
    """Your own repos: all. Others': public in lists; public and unlisted by name; never private."""
    repos = Repository.objects.filter(owner_id=owner_id)
    if owner_id == viewer_id:
        return repos
    if listing:
        return repos.filter(visibility=Visibility.PUBLIC)
    return repos.exclude(visibility=Visibility.PRIVATE)


def repo_list(*, owner_id: int, viewer_id: int | None) -> Rows:
    kind = "repo" if owner_id == viewer_id else "repo:public"
    return _visible(owner_id, viewer_id, listing=True).values(*REPO_COLUMNS, **_counted(kind, owner_id))


def repo_get(*, owner_id: int, name: str, viewer_id: int | None) -> Repository | None:
    return _visible(owner_id, viewer_id, listing=False).select_related("owner").filter(name=name).first()
