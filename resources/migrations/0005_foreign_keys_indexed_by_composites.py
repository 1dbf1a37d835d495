"""Foreign keys whose own index a Meta index or constraint starting with the same column
already serves: the index dropped concurrently (core.db.indexes), one B-tree fewer per write."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db.indexes import foreign_key_index_dropped


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY runs outside a transaction

    dependencies = [
        ("resources", "0004_statement_counts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        foreign_key_index_dropped(
            "resources",
            model_name="pgpkey",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="pgp_keys",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        foreign_key_index_dropped(
            "resources",
            model_name="repository",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="repositories",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        foreign_key_index_dropped(
            "resources",
            model_name="sshkey",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="ssh_keys",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
