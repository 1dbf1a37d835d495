"""Foreign keys whose own index a Meta index or constraint starting with the same column
already serves: the index dropped concurrently (core.db.indexes), one B-tree fewer per write."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("webhooks", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            "webhooks",
            model_name="delivery",
            name="subscription",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="webhooks.subscription",
            ),
        ),
        foreign_key_index_dropped(
            "webhooks",
            model_name="event",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        foreign_key_index_dropped(
            "webhooks",
            model_name="subscription",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="webhooks",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
