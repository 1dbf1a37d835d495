"""Serializers whose read path is compiled from their own fields: one definition, two speeds.

DRF's ``Serializer.to_representation`` walks every field through ``get_attribute`` and
``to_representation`` per row (~37 us/row for a ModelSerializer here). :class:`FastRead`
turns the same declared fields into a plan of ``(name, getter, converter)`` once per
serializer instance and builds each row as a plain dict, with DRF's semantics: a
``CharField`` over an int renders ``"5"``, a dotted source through a null relation gives
``None`` where the field allows null, ``DATETIME_FORMAT`` is honoured (the shortcut is
taken only for the service's UTC format). The OpenAPI schema still comes from the
declared fields, so the document and the output cannot drift;
``tests/core/test_fast.py`` compares every subclass with DRF's own output.

Rows may be model instances or the flat dicts of ``.values()``: a field's source
``owner.username`` is read as ``row["owner__username"]``, so list views can skip model
instantiation (the largest per-row cost) with the same serializer::

    class RepoSerializer(FastRead, serializers.Serializer):
        id = serializers.IntegerField()
        owner = UserShortSerializer()            # reads owner__username, owner__canonical_name

    RepoSerializer(Repository.objects.values("id", "owner__username", ...), many=True).data

Sources must be attributes (not methods), as DRF's would call a callable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any
from weakref import WeakKeyDictionary

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from rest_framework import serializers
from rest_framework.settings import api_settings

from core import caches
from core.conf import fast_paths

Getter = Callable[[Any], Any]
Converter = Callable[[Any], Any] | None
Plan = list[tuple[str, Getter, Converter]]

# The service's DATETIME_FORMAT: RFC 3339 in UTC with an explicit offset (§1.6).
UTC_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"


def rfc3339(value: datetime | str) -> str:
    """``2026-11-22T12:34:56+00:00``: what ``UTC_FORMAT`` gives, several times faster than strftime."""
    if isinstance(value, str):  # DRF passes strings through
        return value
    if value.tzinfo is not UTC:  # PostgreSQL's values already are UTC: skip the conversion
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")


def _as_str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _as_int(value: Any) -> int:
    return value if type(value) is int else int(value)


def _datetime_converter(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = getattr(field, "timezone", None) or field.default_timezone()
    if output_format == UTC_FORMAT and settings.USE_TZ and str(zone) == "UTC":
        return rfc3339
    return field.to_representation


def _choice_converter(field: serializers.ChoiceField) -> Callable[[Any], Any]:
    mapping = field.choice_strings_to_values
    return lambda value: value if value == "" else mapping.get(str(value), value)


def converter(field: serializers.Field) -> Converter:
    """DRF's ``to_representation`` for ``field``, or a faster equivalent; None when the value is kept as is."""
    if isinstance(field, serializers.DateTimeField):
        return _datetime_converter(field)
    if type(field) is serializers.CharField:
        return _as_str
    if type(field) is serializers.IntegerField:
        return _as_int
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        return _choice_converter(field)
    if type(field) is serializers.JSONField and not field.binary:
        return None
    return field.to_representation


def _attr_getter(attrs: list[str], *, none_safe: bool) -> Getter:
    getter = attrgetter(".".join(attrs))
    if not none_safe:
        return getter

    def get(obj: Any) -> Any:
        try:
            return getter(obj)
        except AttributeError:  # DRF: a missing attribute (or a null on the way) is None where null is allowed
            return None

    return get


Builder = Callable[[Any], dict[str, Any]]


class Item:
    """``row[key]``: a dict row's getter, which :func:`builder` writes as a subscript."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, row: Any) -> Any:
        return row[self.key]


# Converters that return a value of this exact type unchanged: the generated code tests the
# type inline and calls them only for anything else (a 50-row page makes 250 such calls).
PASSTHROUGH: dict[Any, type] = {_as_str: str, _as_int: int, rfc3339: str}


def builder(plan: Plan) -> Builder:
    """One row by its plan, as a generated function: for each ``(name, getter, converter)``,
    ``getter(row)``, converted unless None; a dict display of the fields, with
    no loop and no tuple unpacking per field (a 50-row page is 400 of them), dict rows read
    by subscript, and no call for a value that is already what its converter would return.

    >>> builder([("id", lambda row: row["id"], str), ("name", Item("n"), None)])({"id": 7, "n": "x"})
    {'id': '7', 'name': 'x'}
    """
    namespace: dict[str, Any] = {}
    lines, items = [], []
    for position, (name, getter, convert) in enumerate(plan):
        if isinstance(getter, Item):
            namespace[f"key{position}"] = getter.key
            value = f"row[key{position}]"
        else:
            namespace[f"get{position}"] = getter
            value = f"get{position}(row)"
        if convert is None:
            items.append(f"{name!r}: {value}")
            continue
        lines.append(f"    v{position} = {value}")
        namespace[f"convert{position}"] = convert
        kept = f"v{position} is None"
        if convert in PASSTHROUGH:
            namespace[f"type{position}"] = PASSTHROUGH[convert]
            kept += f" or v{position}.__class__ is type{position}"
        items.append(f"{name!r}: v{position} if {kept} else convert{position}(v{position})")
    source = "def build(row):\n" + "".join(line + "\n" for line in lines) + "    return {" + ", ".join(items) + "}\n"
    # The source is made of this module's text and the serializer's field names (repr'd);
    # the getters, keys and converters are passed in by name, never as text.
    exec(compile(source, f"<FastRead plan: {', '.join(name for name, _, _ in plan)}>", "exec"), namespace)  # noqa: S102
    compiled: Builder = namespace["build"]
    return compiled


# Fields whose output depends on nothing but the value (no request, no context), so a plan of
# them compiled once serves every instance of the serializer class.
CONTEXT_FREE = (
    serializers.CharField, serializers.IntegerField, serializers.FloatField, serializers.BooleanField,
    serializers.DateTimeField, serializers.ChoiceField, serializers.UUIDField, serializers.JSONField,
    serializers.DictField, serializers.ListField,
)  # fmt: skip
_SHARED: WeakKeyDictionary[type, dict[bool, Builder]] = WeakKeyDictionary()
caches.register(
    "fastread-plans",
    holds="the compiled row builder of each FastRead serializer class (rows as models and as dicts)",
    bound="two per serializer class",
    invalidation="emptied when REST_FRAMEWORK, USE_TZ or TIME_ZONE change (what the converters read)",
    clear=_SHARED.clear,
)


@receiver(setting_changed, dispatch_uid="core.fast.plans")
def _forget_plans(*, setting: str, **kwargs: Any) -> None:
    if setting in ("REST_FRAMEWORK", "USE_TZ", "TIME_ZONE"):  # what the datetime converters read
        _SHARED.clear()


class FastRead:
    """Mixin for a ``serializers.Serializer``: a compiled ``to_representation``.

    The plan is compiled once per serializer class when every field is context-free (most
    are), else once per instance (a method field is bound to its instance).
    """

    _plans: dict[bool, Builder] | None = None

    def compile_plan(self, *, rows_are_dicts: bool = False, prefix: str = "") -> Plan:
        """The plan for model instances, or for ``.values()`` dicts whose keys start with ``prefix``."""
        plan: Plan = []
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if field.write_only:
                continue
            plan.append(self._entry(name, field, rows_are_dicts=rows_are_dicts, prefix=prefix))
        return plan

    def _entry(
        self, name: str, field: serializers.Field, *, rows_are_dicts: bool, prefix: str
    ) -> tuple[str, Getter, Converter]:
        if isinstance(field, serializers.SerializerMethodField):
            if prefix:
                raise TypeError(f"{type(self).__name__}.{name}: a method field cannot read a nested dict row")
            return name, getattr(self, field.method_name), None
        if field.source == "*":
            return name, (lambda row: row), field.to_representation
        if not rows_are_dicts:
            return name, _attr_getter(field.source_attrs, none_safe=field.allow_null), converter(field)
        key = prefix + "__".join(field.source_attrs)
        if isinstance(field, FastRead):
            nested = builder(field.compile_plan(rows_are_dicts=True, prefix=key + "__"))
            if not field.allow_null:  # type: ignore[attr-defined]
                return name, nested, None  # the nested object from the same row

            def nested_row(row: Any) -> dict[str, Any] | None:
                value = nested(row)
                return None if all(item is None for item in value.values()) else value

            return name, (lambda row: row), nested_row
        if isinstance(field, serializers.BaseSerializer):
            raise TypeError(f"{type(self).__name__}.{name}: dict rows need a FastRead nested serializer")
        return name, Item(key), converter(field)

    def shareable(self) -> bool:
        """Whether this serializer's plan may serve every instance of its class."""
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, FastRead):
                if not field.shareable():
                    return False
            elif isinstance(field, serializers.SerializerMethodField) or not isinstance(field, CONTEXT_FREE):
                return False
        return True

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if not fast_paths():  # the reference path: DRF's own, field by field (rows are models there)
            return super().to_representation(instance)  # type: ignore[misc,no-any-return]
        return self._builder(rows_are_dicts=type(instance) is dict)(instance)

    def to_representations(self, rows: Sequence[Any]) -> list[dict[str, Any]]:
        """``[self.to_representation(row) for row in rows]`` for the rows of one query (all
        dicts or all models), with the row builder looked up once, not once per row (a
        50-row page: ~90,000 instructions)."""
        overridden = type(self).to_representation is not FastRead.to_representation
        if not rows or overridden or not fast_paths():
            return [self.to_representation(row) for row in rows]
        return list(map(self._builder(rows_are_dicts=type(rows[0]) is dict), rows))

    def _builder(self, *, rows_are_dicts: bool) -> Builder:
        plans = self._plans
        if plans is None:
            plans = self._plans = {}
        build_row = plans.get(rows_are_dicts)
        if build_row is None:
            shared = _SHARED.get(type(self))
            build_row = shared.get(rows_are_dicts) if shared is not None else None
            if build_row is None:
                build_row = builder(self.compile_plan(rows_are_dicts=rows_are_dicts))
                if self.shareable():
                    _SHARED.setdefault(type(self), {})[rows_are_dicts] = build_row
            plans[rows_are_dicts] = build_row
        return build_row


def read_rows(queryset: QuerySet[Any], *columns: str, **annotations: Any) -> QuerySet[Any]:
    """The rows of a list for a FastRead serializer: on the fast path, ``.values()`` dicts of
    just ``columns`` (no model instances; ``owner__username`` for a source ``owner.username``);
    on the reference path (``API_FAST_PATHS=0``), the models themselves with those relations
    joined, which DRF reads field by field."""
    if fast_paths():
        return queryset.values(*columns, **annotations)
    related = sorted({column.split("__")[0] for column in columns if "__" in column})
    return queryset.select_related(*related) if related else queryset
