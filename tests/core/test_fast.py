"""FastRead has DRF's semantics: every subclass, on real rows, renders what DRF renders."""

from __future__ import annotations

import contextlib
import importlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone
from rest_framework import serializers as drf

from accounts import selectors as account_selectors
from accounts.models import AuditLogEntry
from core.fast import FastRead
from core.pagination import PageRequest
from resources import selectors
from resources.models import PGPKey, Repository, SSHKey
from tests.resources.conftest import fixture
from webhooks.models import Delivery, Subscription

pytestmark = [pytest.mark.django_db, pytest.mark.fast_path]


ROOT = str(Path(__file__).resolve().parents[2])


def first_party_fast_reads() -> set[Any]:
    """Every FastRead subclass of the project's apps (their serializers modules imported first)."""
    for config in apps.get_app_configs():
        if config.path.startswith(ROOT):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{config.name}.serializers")
    found, todo = set(), list(FastRead.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if not cls.__module__.startswith("tests."):
            found.add(cls)
    return found


def drf_output(serializer):
    """DRF's own Serializer.to_representation for the same declared fields."""
    return drf.Serializer.to_representation(serializer, serializer.instance)


def pgp_key(user):
    from resources.parsing.pgp import parse_pgp_key

    parsed = parse_pgp_key(fixture("pgp_ed25519.asc"))
    return PGPKey.objects.create(
        owner=user, key=parsed.armored, key_id=parsed.key_id, fingerprint=parsed.fingerprint,
        email=parsed.email, expiration=parsed.expiration, preferred=True,
    )  # fmt: skip


def delivery(user):
    subscription = Subscription.objects.create(user=user, url="https://hooks.example.org/x", events=["repo:create"])
    return Delivery.objects.create(
        subscription=subscription, event_name="repo:create", url=subscription.url, body='{"id":1}',
        payload_headers={"X-Webhook-Event": "repo:create"}, next_attempt=timezone.now(),
    )  # fmt: skip


# serializer name -> (a real instance, the .values() rows the list path reads for it, or None)
ROWS = {
    "UserShortSerializer": lambda u: (u, None),
    "AuditLogEntrySerializer": lambda u: (
        AuditLogEntry.objects.create(user=u, action="a", ip="192.0.2.1", details="d"),
        lambda: account_selectors.audit_log_list(user_id=u.pk),
    ),
    "UserPublicSerializer": lambda u: (pgp_key(u) and selectors.user_get(user_id=u.pk), None),
    "UserSerializer": lambda u: (selectors.user_get(user_id=u.pk), None),
    "SSHKeySerializer": lambda u: (
        SSHKey.objects.create(owner=u, key="ssh-ed25519 X", fingerprint="f", fingerprint_sha256="s", last_used=None),
        lambda: selectors.ssh_key_list(owner_id=u.pk),
    ),
    "PGPKeySerializer": lambda u: (pgp_key(u), lambda: selectors.pgp_key_list(owner_id=u.pk)),
    "RepositorySerializer": lambda u: (
        Repository.objects.create(owner=u, name="r", description="d", visibility="unlisted"),
        lambda: selectors.RepoQuery(owner_id=u.pk, viewer_id=u.pk).page(PageRequest(start=None, per_page=100)).rows,
    ),
    "SubscriptionSerializer": lambda u: (
        Subscription.objects.create(user=u, url="https://h.example/", events=["repo:create"]),
        None,
    ),
    "DeliverySerializer": lambda u: (delivery(u), None),
}


def test_every_fast_read_serializer_is_compared_here():
    assert {cls.__name__ for cls in first_party_fast_reads()} == set(ROWS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_fast_read_equals_drf_on_real_rows(user, name):
    (cls,) = [cls for cls in first_party_fast_reads() if cls.__name__ == name]
    instance, values = ROWS[name](user)
    if hasattr(instance, "refresh_from_db") and not hasattr(instance, "use_pgp_key"):
        instance.refresh_from_db()
    expected = drf_output(cls(instance))
    assert cls(instance).data == expected
    assert cls().to_representations([instance, instance]) == [expected, expected]  # a page, one builder
    if values is not None:  # the list path: .values() dicts through the same serializer
        (row,) = [row for row in values() if row["id"] == instance.pk]
        assert cls(row).data == expected
        assert cls().to_representations([row]) == [expected]


def test_a_page_goes_through_an_overridden_to_representation():
    """A subclass's own ``to_representation`` is not bypassed by the page's single builder."""

    class Shouting(FastRead, drf.Serializer):
        name = drf.CharField()

        def to_representation(self, instance):
            return {"name": super().to_representation(instance)["name"].upper()}

    assert Shouting().to_representations([{"name": "a"}, {"name": "b"}]) == [{"name": "A"}, {"name": "B"}]
    assert Shouting().to_representations([]) == []


def test_char_field_over_an_int_renders_a_string_as_drf_does():
    class Row(FastRead, drf.Serializer):
        code = drf.CharField()
        count = drf.IntegerField()

    row = {"code": 5, "count": "7"}
    assert Row(row).data == drf.Serializer.to_representation(Row(row), row) == {"code": "5", "count": 7}


def test_values_of_a_subclass_go_through_the_converter_as_drf_does():
    """The generated code passes a value through only when its type is exactly the output's."""

    class Label(str):
        pass

    class Row(FastRead, drf.Serializer):
        flag = drf.IntegerField()
        title = drf.CharField()
        at = drf.DateTimeField()
        missing = drf.CharField(allow_null=True)

    row = {"flag": True, "title": Label("x"), "at": datetime(2026, 11, 22, 12, 34, 56, tzinfo=UTC), "missing": None}
    out = Row(row).data
    assert out == drf.Serializer.to_representation(Row(row), row)
    assert out == {"flag": 1, "title": "x", "at": "2026-11-22T12:34:56+00:00", "missing": None}
    assert type(out["flag"]) is int and type(out["title"]) is str


def test_dotted_sources_are_none_safe_where_null_is_allowed():
    class Holder:
        inner = None

    class Row(FastRead, drf.Serializer):
        value = drf.CharField(source="inner.name", allow_null=True)

    assert Row(Holder()).data == drf.Serializer.to_representation(Row(Holder()), Holder()) == {"value": None}


def test_a_different_datetime_format_is_honoured(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DATETIME_FORMAT": "%d/%m/%Y %H:%M"}

    class Row(FastRead, drf.Serializer):
        at = drf.DateTimeField()

    row = {"at": datetime(2026, 11, 22, 12, 34, 56, tzinfo=UTC)}
    assert Row(row).data == {"at": "22/11/2026 12:34"}


def test_a_nested_serializer_reads_prefixed_keys_of_a_values_row():
    from accounts.serializers import UserShortSerializer

    class Row(FastRead, drf.Serializer):
        id = drf.IntegerField()
        owner = UserShortSerializer()

    assert Row({"id": 1, "owner__username": "alice"}).data == {
        "id": 1,
        "owner": {"canonical_name": "~alice", "name": "alice"},
    }
