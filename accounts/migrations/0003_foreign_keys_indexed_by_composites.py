"""Foreign keys whose own index a Meta index or constraint starting with the same column
already serves: the index dropped concurrently (core.db.indexes), one B-tree fewer per write."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("accounts", "0002_email_verification_and_sessions"),
    ]

    operations = [
        foreign_key_index_dropped(
            "accounts",
            model_name="auditlogentry",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="audit_log",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        foreign_key_index_dropped(
            "accounts",
            model_name="usersession",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="browser_sessions",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
