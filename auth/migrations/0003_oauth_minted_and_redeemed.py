"""ApiKey.oauth_application (a key minted through an OAuth grant dies with it) and
OAuthRedeemedCode (authorization codes already exchanged, to revoke what a reused one issued).

Existing keys keep a null origin: they were not recorded as minted through OAuth.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from oauth2_provider.settings import oauth2_settings


class Migration(migrations.Migration):
    dependencies = [
        ("api_auth", "0002_oauth_apptokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        migrations.swappable_dependency(oauth2_settings.APPLICATION_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="oauth_application",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="minted_api_keys",
                to=oauth2_settings.APPLICATION_MODEL,
                verbose_name="minted through OAuth application",
            ),
        ),
        migrations.CreateModel(
            name="OAuthRedeemedCode",
            fields=[
                ("code_checksum", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("token_family", models.UUIDField()),
                ("code_challenge", models.CharField(blank=True, max_length=128)),
                ("code_challenge_method", models.CharField(blank=True, max_length=10)),
                ("redeemed", models.DateTimeField(db_index=True)),
                (
                    "application",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=oauth2_settings.APPLICATION_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={"verbose_name": "redeemed OAuth code"},
        ),
    ]
