"""Per-row cost of the list serialization: the compiled read path vs DRF's own.

    .venv/bin/python bench/serializers.py           # prints microseconds per row

Runs on the embedded servers (var/bench) unless DATABASE_URL/REDIS_URL are set. Not a test.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "apiservice.settings")
os.environ.setdefault("APISERVICE_VAR_DIR", str(ROOT / "var" / "bench"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from rest_framework import serializers as drf  # noqa: E402

from resources.models import Repository, User  # noqa: E402
from resources.serializers import RepositorySerializer  # noqa: E402


class RepositoryModelSerializer(drf.ModelSerializer):
    owner = drf.SerializerMethodField()

    class Meta:
        model = Repository
        fields = ["id", "created", "updated", "name", "owner", "description", "visibility"]

    def get_owner(self, obj):
        return {"canonical_name": obj.owner.canonical_name, "name": obj.owner.username}


def per_row(label, serializer_class, rows, rounds=20):
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        serializer_class(rows, many=True).data  # noqa: B018
        best = min(best, time.perf_counter() - started)
    print(f"{label:<40} {best / len(rows) * 1e6:7.2f} us/row")


def main():
    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username="bench-serializers")
    if not Repository.objects.filter(owner=owner).exists():
        Repository.objects.bulk_create([Repository(owner=owner, name=f"r{i}") for i in range(100)])
    rows = list(Repository.objects.filter(owner=owner).select_related("owner")[:100])
    per_row("DRF ModelSerializer (same fields)", RepositoryModelSerializer, rows)
    per_row(
        "DRF Serializer, default read path",
        type("Plain", (RepositorySerializer,), {"to_representation": drf.Serializer.to_representation}),
        rows,
    )
    per_row("RepositorySerializer (compiled FastRead)", RepositorySerializer, rows)


if __name__ == "__main__":
    main()
