"""Reading resources: every query the views make, named ``<entity>_list`` / ``<entity>_get``.

Lists return ``.values()`` rows with only the columns the representations use (no model
instances, no password hash or README text per row), which the FastRead serializers read
directly; single objects come as model instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from accounts.models import User
from core.conf import fast_paths
from core.fast import read_rows
from core.pagination import TOTAL_KEY, Page, PageRequest, QuerySetPages, page_of
from core.sql import dict_rows
from resources.models import OwnerCount, PGPKey, Repository, SSHKey

Rows = QuerySet[Any]  # dicts on the fast path, models on the reference path
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
    """The owner's counter as a scalar subquery on every row: page and total in one round trip
    (a fast path; the reference path counts the rows).

    Raw SQL: a ``Subquery`` of a queryset costs more to build per request than the query
    costs to run."""
    return {TOTAL_KEY: RawSQL(COUNTER_SQL, (owner_id, kind))} if fast_paths() else {}


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
    with connection.cursor() as cursor:
        cursor.execute(USER_ID_SQL, {"username": username})
        row = cursor.fetchone()
    return None if row is None else int(row[0])


# ----------------------------------------------------------------------- keys


def ssh_key_list(*, owner_id: int) -> Rows:
    return read_rows(SSHKey.objects.filter(owner_id=owner_id), *SSH_COLUMNS, **_counted("ssh-key", owner_id))


def ssh_key_get(*, owner_id: int, key_id: int) -> SSHKey | None:
    return SSHKey.objects.select_related("owner").filter(owner_id=owner_id, pk=key_id).first()


def ssh_key_lookup(*, blob: str) -> SSHKey | None:
    """An active user's key by its base64 blob (anyone may look)."""
    return SSHKey.objects.select_related("owner").filter(key__endswith=" " + blob, owner__is_active=True).first()


def pgp_key_list(*, owner_id: int) -> Rows:
    return read_rows(PGPKey.objects.filter(owner_id=owner_id), *PGP_COLUMNS, **_counted("pgp-key", owner_id))


def pgp_key_get(*, owner_id: int, key_id: int) -> PGPKey | None:
    return PGPKey.objects.select_related("owner").filter(owner_id=owner_id, pk=key_id).first()


def pgp_key_lookup(*, fingerprint: str) -> PGPKey | None:
    """An active user's key by fingerprint or key id, spaces and case ignored."""
    wanted = fingerprint.replace(" ", "").upper()
    keys = PGPKey.objects.select_related("owner").filter(Q(fingerprint=wanted) | Q(key_id=wanted))
    return keys.filter(owner__is_active=True).first()


# --------------------------------------------------------------- repositories

REPO_COLUMNS = ("id", "created", "updated", "name", "description", "visibility", "owner__username")

# The hottest queries of the service, in SQL on the fast path: compiling the equivalent
# queryset costs the ORM ~1 ms per request, several times what PostgreSQL takes to run it,
# and timestamps come out as RFC 3339 text, neither parsed by psycopg nor formatted again by
# the serializer. The ORM's queryset (RepoQuery.rows) is the reference path; a test checks
# that both give the same representation.
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
    repos=Repository._meta.db_table, where="r.owner_id = %(owner)s AND r.name = %(name)s",
)  # fmt: skip
VISIBLE_ROW_SQL = REPO_ROW_SQL + " AND r.visibility = ANY(%(visible)s)"


def _fetch(sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict_rows(cursor, sql)


@dataclass(frozen=True)
class RepoQuery:
    """Repositories as one caller sees one owner's: the only home of the visibility rule.

    Your own repositories: all of them. Someone else's: public and unlisted ones by name,
    only public ones in a list (an unlisted repository is reached by its name alone), never
    a private one. Reads (:meth:`page`, :meth:`row`) and writes (:meth:`one`) ask here.

        RepoQuery(owner_id=7, viewer_id=None).page(PageRequest(start=None, per_page=50))
    """

    owner_id: int
    viewer_id: int | None

    def visible(self, *, listing: bool) -> tuple[str, ...] | None:
        """The visibilities the viewer may see (None: all of them)."""
        if self.owner_id == self.viewer_id:
            return None
        return (Visibility.PUBLIC,) if listing else (Visibility.PUBLIC, Visibility.UNLISTED)

    def queryset(self, *, listing: bool) -> QuerySet[Repository]:
        repos = Repository.objects.filter(owner_id=self.owner_id)
        visible = self.visible(listing=listing)
        return repos if visible is None else repos.filter(visibility__in=visible)

    def one(self, name: str) -> Repository | None:
        """The repository itself (for a change), if the viewer may see it."""
        return self.queryset(listing=False).select_related("owner").filter(name=name).first()

    def row(self, name: str) -> dict[str, Any] | Repository | None:
        """The repository as the serializer reads it (a dict row; the model on the reference
        path), if the viewer may see it."""
        if not fast_paths():
            return self.one(name)
        visible = self.visible(listing=False)
        params: dict[str, Any] = {"owner": self.owner_id, "name": name}
        if visible is not None:
            params["visible"] = list(visible)
        rows = _fetch(REPO_ROW_SQL if visible is None else VISIBLE_ROW_SQL, params)
        return rows[0] if rows else None

    def page(self, wanted: PageRequest) -> Page[Any]:
        """A page of the list, its total from the owner's counter, in one round trip."""
        visible = self.visible(listing=True)
        if not fast_paths():
            return QuerySetPages(read_rows(self.queryset(listing=True), *REPO_COLUMNS)).page(wanted)
        newest = NEWEST if wanted.start is None else wanted.start
        if visible is None:
            sql, params = OWN_PAGE_SQL, {"owner": self.owner_id, "kind": "repo", "start": newest}
        else:
            (public,) = visible  # a list shows public repositories only (see visible())
            sql = PUBLIC_PAGE_SQL
            params = {"owner": self.owner_id, "kind": "repo:public", "public": public, "start": newest}
        sql += PAGE_ORDER.format(limit=wanted.per_page + 1)
        return page_of(_fetch(sql, params), wanted, lambda: self._counted(visible))

    def _counted(self, visible: tuple[str, ...] | None) -> int:
        """The size of the list past its last page (no row carried it): the owner's counter."""
        kind = "repo" if visible is None else "repo:public"
        count = OwnerCount.objects.filter(owner_id=self.owner_id, kind=kind).values_list("n", flat=True).first()
        return count or 0
