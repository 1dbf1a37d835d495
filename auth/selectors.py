"""Reads of credentials for the request path."""

from __future__ import annotations

from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection

from auth.models import ApiKey


@cache
def _key_with_user_sql() -> tuple[str, list[str], list[str]]:
    """The statement (built once per process from the models) and the attribute names of its columns."""
    user_model = get_user_model()
    key_fields, user_fields = ApiKey._meta.concrete_fields, user_model._meta.concrete_fields
    columns = [f'k."{field.column}"' for field in key_fields] + [f'u."{field.column}"' for field in user_fields]
    sql = (
        f'SELECT {", ".join(columns)} FROM "{ApiKey._meta.db_table}" k '
        f'JOIN "{user_model._meta.db_table}" u ON u."{user_model._meta.pk.column}" = k."user_id" '
        'WHERE k."identifier" = %s'
    )
    return sql, [field.attname for field in key_fields], [field.attname for field in user_fields]


def api_key_with_user(identifier: str) -> ApiKey | None:
    """The key with this identifier and its user, in one indexed query; None if there is none.

    Written in SQL: compiling the equivalent ``select_related`` queryset cost the ORM about
    0.7 ms per request, several times the query (issue #12). The rows become the same model
    instances the ORM would build (``Model.from_db``; none of these columns needs a converter:
    ``tests/auth/test_cost.py`` compares every field with the ORM's).
    """
    sql, key_names, user_names = _key_with_user_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [identifier])
        row = cursor.fetchone()
    if row is None:
        return None
    api_key = ApiKey.from_db(connection.alias, key_names, row[: len(key_names)])
    api_key.user = get_user_model().from_db(connection.alias, user_names, row[len(key_names) :])
    return api_key
