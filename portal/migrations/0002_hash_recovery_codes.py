"""Recovery codes stored before this migration were the codes themselves (django-otp's
``StaticToken.token``); they become what ``portal.services.twofactor.recovery_code_digest``
stores, so the same codes keep working. One way only: a code's HMAC cannot be turned back."""

from django.db import migrations
from django.utils.crypto import salted_hmac

SALT = "portal.recovery-code"  # portal.services.twofactor.RECOVERY_SALT, frozen here
DIGEST_LENGTH = 16


def hash_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")  # noqa: N806 (a model class)
    for token in StaticToken.objects.exclude(token__regex=r"^[0-9a-f]{16}$").iterator():
        digest = salted_hmac(SALT, token.token.lower(), algorithm="sha256").hexdigest()[:DIGEST_LENGTH]
        StaticToken.objects.filter(pk=token.pk).update(token=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop, elidable=False)]
