"""Per-row cost of the list serialization: the compiled read path vs DRF's own.

    PYTHONPATH=tools .venv/bin/python -m bench.serializers     # prints microseconds per row

Runs on the embedded servers (var/bench) unless DATABASE_URL/REDIS_URL are set. Not a test.
"""

from __future__ import annotations

import time
from typing import Any

from bench.boot import boot


def model_serializer() -> type:
    """A DRF ModelSerializer with the same fields as RepositorySerializer (needs Django set up)."""
    from rest_framework import serializers as drf

    from resources.models import Repository

    class RepositoryModelSerializer(drf.ModelSerializer):
        owner = drf.SerializerMethodField()

        class Meta:
            model = Repository
            fields = ["id", "created", "updated", "name", "owner", "description", "visibility"]

        def get_owner(self, obj: Any) -> dict[str, str]:
            return {"canonical_name": obj.owner.canonical_name, "name": obj.owner.username}

    return RepositoryModelSerializer


def per_row(label, serializer_class, rows, rounds=20):
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        serializer_class(rows, many=True).data  # noqa: B018
        best = min(best, time.perf_counter() - started)
    print(f"{label:<40} {best / len(rows) * 1e6:7.2f} us/row")


def main() -> None:
    boot()
    from django.core.management import call_command
    from rest_framework import serializers as drf

    from accounts.models import User
    from resources.models import Repository
    from resources.serializers import RepositorySerializer

    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username="bench-serializers")
    if not Repository.objects.filter(owner=owner).exists():
        Repository.objects.bulk_create([Repository(owner=owner, name=f"r{i}") for i in range(100)])
    rows = list(Repository.objects.filter(owner=owner).select_related("owner")[:100])
    per_row("DRF ModelSerializer (same fields)", model_serializer(), rows)
    per_row(
        "DRF Serializer, default read path",
        type("Plain", (RepositorySerializer,), {"to_representation": drf.Serializer.to_representation}),
        rows,
    )
    per_row("RepositorySerializer (compiled FastRead)", RepositorySerializer, rows)


if __name__ == "__main__":
    main()
