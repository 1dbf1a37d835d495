"""Reads of credentials for the request path."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

from accounts.services import audit_log_record_use_sql
from auth.models import ApiKey


@dataclass(frozen=True, slots=True)
class RecordedUse:
    """An audit entry the look-up writes in the same statement, if the key turns out to be good.

    ``secret_hash`` is the keyed hash of the presented secret and ``now`` the instant of the
    expiry check: the entry is written only for a key whose stored hash is that one, not
    expired at ``now``, of an active user, the same conditions the caller then checks in
    Python (with ``hmac.compare_digest``) before answering. The SQL equality compares keyed
    digests, which tell a timing attacker nothing: without the server's key no one can
    compute the digest of a guess.
    """

    action: str
    ip: str | None
    secret_hash: str
    now: datetime


# What the key exchange reads: enough to check the key and mint the JWT. Every other column
# is left deferred (parsing the full rows cost about 0.15 ms more per exchange).
EXCHANGE_KEY_FIELDS = ("id", "user", "identifier", "secret_hash", "scopes", "expires")
EXCHANGE_USER_FIELDS = ("id", "username", "is_active")


@cache
def _statement(*, narrow: bool, recording: bool) -> tuple[str, list[str], list[str]]:
    """The statement (built once per process from the models) and the attribute names of its columns.

    The columns are selected as ``c0, c1, ...`` (the key's and the user's ``id`` would
    otherwise share a name). ``narrow``: only the exchange's columns. ``recording``: the
    statement also writes a :class:`RecordedUse`.
    """
    user_model = get_user_model()
    key_fields: Sequence[Any] = (
        [ApiKey._meta.get_field(name) for name in EXCHANGE_KEY_FIELDS] if narrow else ApiKey._meta.concrete_fields
    )
    user_fields: Sequence[Any] = (
        [user_model._meta.get_field(name) for name in EXCHANGE_USER_FIELDS]
        if narrow
        else user_model._meta.concrete_fields
    )
    sources = [f'k."{field.column}"' for field in key_fields] + [f'u."{field.column}"' for field in user_fields]
    alias = {source: f"c{position}" for position, source in enumerate(sources)}
    select = (
        f"SELECT {', '.join(f'{source} AS {name}' for source, name in alias.items())} "
        f'FROM "{ApiKey._meta.db_table}" k '
        f'JOIN "{user_model._meta.db_table}" u ON u."{user_model._meta.pk.column}" = k."user_id" '
        'WHERE k."identifier" = %(identifier)s'
    )
    names = [field.attname for field in key_fields], [field.attname for field in user_fields]
    if not recording:
        return select, *names

    def column(model: Any, name: str) -> str:
        return alias[f'{"k" if model is ApiKey else "u"}."{model._meta.get_field(name).column}"']

    user_id, identifier = column(ApiKey, "user"), column(ApiKey, "identifier")
    expires, is_active = column(ApiKey, "expires"), column(user_model, "is_active")
    recorded = audit_log_record_use_sql(
        rows="found",
        user_id=user_id,
        details=identifier,
        condition=(
            f"{column(ApiKey, 'secret_hash')} = %(secret_hash)s "
            f"AND ({expires} IS NULL OR {expires} > %(now)s) AND {is_active}"
        ),
    )
    statement = f"WITH found AS ({select}), {recorded} SELECT {', '.join(alias.values())} FROM found"
    return statement, *names


def _fetch(statement: tuple[str, list[str], list[str]], params: dict[str, Any]) -> ApiKey | None:
    sql, key_names, user_names = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    api_key = ApiKey.from_db(connection.alias, key_names, row[: len(key_names)])
    api_key.user = get_user_model().from_db(connection.alias, user_names, row[len(key_names) :])
    return api_key


def api_key_with_user(identifier: str) -> ApiKey | None:
    """The key with this identifier and its user (full rows: the user becomes ``request.user``),
    in one indexed query; None if there is none.

    Written in SQL: compiling the equivalent ``select_related`` queryset cost the ORM about
    0.7 ms per request, several times the query (issue #12). The rows become the same model
    instances the ORM would build (``Model.from_db``; none of these columns needs a converter:
    ``tests/auth/test_cost.py`` compares every field with the ORM's).
    """
    return _fetch(_statement(narrow=False, recording=False), {"identifier": identifier})


def api_key_for_exchange(identifier: str, *, record_use: RecordedUse) -> ApiKey | None:
    """The key and its user's name and state (the rest deferred), writing ``record_use`` for a
    good key in the same statement, its commit not waiting for the WAL flush (as
    :func:`accounts.services.audit_log_record_use`): the exchange is one SQL round trip."""
    params = {
        "identifier": identifier,
        "ip": record_use.ip,
        "action": record_use.action,
        "secret_hash": record_use.secret_hash,
        "now": record_use.now,
    }
    return _fetch(_statement(narrow=True, recording=True), params)


def api_key_list(*, user_id: int) -> QuerySet[ApiKey]:
    """A user's API keys (app tokens are API keys too), newest first once paginated."""
    return ApiKey.objects.filter(user_id=user_id)
