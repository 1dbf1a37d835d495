"""Reading resources: every query the views make, named ``<entity>_list`` / ``<entity>_get``.

Lists return ``.values()`` rows with only the columns the representations use (no model
instances, no password hash or README text per row), which the FastRead serializers read
directly; single objects come as model instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accounts.models import User
from core.pagination import TOTAL_KEY
from core.sql import column_names, prepared_cursor
from resources.models import OwnerCount, PGPKey, Repository, SSHKey

Rows = QuerySet[Any, dict[str, Any]]
Visibility = Repository.Visibility

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


USER_ID_SQL = f'SELECT id FROM "{User._meta.db_table}" WHERE username = %(username)s AND is_active'


def user_id_by_name(*, username: str) -> int | None:
    """An active user's id by name, all a ``/~name/repos`` route needs of the user; None for
    unknown or inactive ones. In SQL, prepared: :func:`user_get_by_name` builds the whole
    user through the ORM (~1.3 ms in a loop, against ~0.1 ms)."""
    with prepared_cursor() as cursor:
        cursor.execute(USER_ID_SQL, {"username": username})
        row = cursor.fetchone()
    return None if row is None else int(row[0])


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


def _visible_by_name(owner_id: int, viewer_id: int | None) -> QuerySet[Repository]:
    """Your own repos: all. Others': public and unlisted by name; never private (lists: only
    public ones, :func:`repo_list`)."""
    repos = Repository.objects.filter(owner_id=owner_id)
    if owner_id == viewer_id:
        return repos
    return repos.exclude(visibility=Visibility.PRIVATE)


# The hottest query of the service, in SQL: compiling the equivalent queryset costs the ORM
# ~1 ms per request, several times what PostgreSQL takes to run it, and timestamps come
# out as RFC 3339 text, neither parsed by psycopg nor formatted again by the serializer.
RFC3339 = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
REPO_SQL = (
    "SELECT r.id, {created} AS created, {updated} AS updated, r.name, r.description, r.visibility, "
    '{owner} AS owner__username{extra} FROM "{repos}" r{join} WHERE {where}'
)
# A page has one owner: its name is read once (a scalar subquery, run once per statement)
# instead of joined to each row.
REPO_PAGE_SQL = REPO_SQL.format(
    created=RFC3339.format("r.created"), updated=RFC3339.format("r.updated"),
    owner=f'(SELECT username FROM "{User._meta.db_table}" WHERE id = %(owner)s)', join="",
    extra=f", {COUNTER_SQL.replace('%s AND kind = %s', '%(owner)s AND kind = %(kind)s')} AS {TOTAL_KEY}",
    repos=Repository._meta.db_table, where="{where}",
)  # fmt: skip
# A page is a range of one index, whatever PostgreSQL knows of the data. Written as
# "owner_id = x AND id <= start ORDER BY id DESC", it could also walk the primary key
# backwards and skip other owners' rows, and does where the statistics say the owner holds
# most of the table, or, in a generic plan, where the table has few owners: a small owner's
# page then walked past every other owner's rows in between. As a row comparison ordered by
# (owner_id, id), only repo_owner_id (or repo_owner_vis_id) yields the order, so the plan
# stays a bounded backward scan of the owner's entries, generic plans included; page 1 is
# the same statement with the newest possible start, and a literal LIMIT lets PostgreSQL
# keep its generic plan instead of planning every request (docs/performance.md).
OWN_PAGE = "r.owner_id >= %(owner)s AND (r.owner_id, r.id) <= (%(owner)s, %(start)s)"
PUBLIC_PAGE = (
    "r.owner_id >= %(owner)s AND (r.owner_id, r.visibility, r.id) <= (%(owner)s, %(public)s, %(start)s) "
    "AND r.visibility = %(public)s"
)
OWN_PAGE_SQL, PUBLIC_PAGE_SQL = REPO_PAGE_SQL.format(where=OWN_PAGE), REPO_PAGE_SQL.format(where=PUBLIC_PAGE)
PAGE_ORDER = " ORDER BY r.owner_id DESC, r.id DESC LIMIT {limit:d}"
NEWEST = 2**63 - 1  # the largest bigint: page 1 starts after every id
REPO_ROW_SQL = REPO_SQL.format(
    created=RFC3339.format("r.created"), updated=RFC3339.format("r.updated"), extra="",
    owner="u.username", join=f' JOIN "{User._meta.db_table}" u ON u.id = r.owner_id',
    repos=Repository._meta.db_table, where="r.owner_id = %(owner)s",
)  # fmt: skip


@dataclass(frozen=True)
class KeysetRows:
    """A list that pages itself (``KeysetPagination`` asks it for ``keyset_page``): rows as dicts,
    each carrying the collection's total, in one round trip."""

    sql: str
    params: dict[str, Any]

    def keyset_page(self, *, start: int | None, limit: int) -> list[dict[str, Any]]:
        newest = NEWEST if start is None else max(-NEWEST, min(start, NEWEST))  # a bigint, however large
        params = {**self.params, "start": newest}
        sql = self.sql + PAGE_ORDER.format(limit=limit)
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            names = column_names(cursor, sql)
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def repo_list(*, owner_id: int, viewer_id: int | None) -> KeysetRows:
    """Your repositories, all of them; someone else's, only the public ones (unlisted ones are
    reached by name only; the visibility tests pin both)."""
    if owner_id == viewer_id:
        return KeysetRows(OWN_PAGE_SQL, {"owner": owner_id, "kind": "repo"})
    return KeysetRows(PUBLIC_PAGE_SQL, {"owner": owner_id, "kind": "repo:public", "public": Visibility.PUBLIC})


def repo_row(*, owner_id: int, name: str, viewer_id: int | None) -> dict[str, Any] | None:
    """A repository by name as the serializer reads it (a dict row, in SQL), for reads only;
    the same visibility rule as :func:`repo_get`, which writes use."""
    sql = REPO_ROW_SQL + " AND r.name = %(name)s"
    params: dict[str, Any] = {"owner": owner_id, "name": name}
    if owner_id != viewer_id:
        sql, params["private"] = sql + " AND r.visibility <> %(private)s", Visibility.PRIVATE
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return None if row is None else dict(zip(column_names(cursor, sql), row, strict=True))


def repo_get(*, owner_id: int, name: str, viewer_id: int | None) -> Repository | None:
    return _visible_by_name(owner_id, viewer_id).select_related("owner").filter(name=name).first()
