"""ApiKey.uuid (Quay's app-token routes) and OAuthClient (an OAuth application's scopes).

The uuid column is filled for existing keys with gen_random_uuid() before it becomes unique.
"""

import uuid

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings


class Migration(migrations.Migration):
    dependencies = [
        ("api_auth", "0001_initial"),
        migrations.swappable_dependency(oauth2_settings.APPLICATION_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="apikey", name="uuid", field=models.UUIDField(null=True, editable=False)),
        migrations.RunSQL(
            "UPDATE api_auth_apikey SET uuid = gen_random_uuid() WHERE uuid IS NULL", migrations.RunSQL.noop
        ),
        migrations.AlterField(
            model_name="apikey",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.CreateModel(
            name="OAuthClient",
            fields=[
                (
                    "application",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="api_client",
                        serialize=False,
                        to=oauth2_settings.APPLICATION_MODEL,
                    ),
                ),
                (
                    "scopes",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.CharField(max_length=32), default=list, size=None
                    ),
                ),
            ],
            options={"verbose_name": "OAuth client scopes"},
        ),
    ]
