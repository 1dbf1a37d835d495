"""Stored first answers of idempotent writes, in the idempotency app's own table.

They were the rows of the project package's ``apiservice_idempotencyrecord`` table, keyed by
user; keys are now the credential family's (issue 22), so no stored row could be replayed
any more, and the old table is dropped rather than copied.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key_hash", models.CharField(max_length=64)),
                ("fingerprint", models.CharField(max_length=64)),
                ("method", models.CharField(max_length=8)),
                ("path", models.CharField(max_length=2048)),
                ("status", models.PositiveSmallIntegerField()),
                ("headers", models.JSONField(default=list)),
                ("body", models.BinaryField()),
                ("created", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("user", "key_hash"), name="idempotency_user_key")],
            },
        ),
        migrations.RunSQL('DROP TABLE IF EXISTS "apiservice_idempotencyrecord"', migrations.RunSQL.noop),
    ]
