"""Foreign keys whose own index a Meta index or constraint starting with the same column
already serves: the index dropped concurrently (core.db.indexes), one B-tree fewer per write."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("portal", "0002_hash_recovery_codes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            "portal",
            model_name="invite",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="invites_made",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
