"""SSH and PGP keys and repositories (§3), each owned by an ``accounts.User``."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SSHKey(models.Model):
    """An SSH public key; its MD5 fingerprint is unique across all users."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ssh_keys", db_index=False
    )
    key = models.TextField()
    comment = models.CharField(max_length=256, blank=True, default="")
    fingerprint = models.CharField(max_length=47, unique=True)
    fingerprint_sha256 = models.CharField(max_length=60)
    authorized = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SSH key"
        indexes = [models.Index(fields=["owner", "-id"], name="sshkey_owner_id_desc")]

    def __str__(self) -> str:
        return f"{self.fingerprint} ({self.comment})"


class PGPKey(models.Model):
    """An OpenPGP public key; its fingerprint is unique across all users.

    ``preferred`` marks the one key a user's profile shows as ``use_pgp_key`` (at most one
    per user; deleting the key clears the preference with it).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pgp_keys", db_index=False
    )
    key = models.TextField()
    key_id = models.CharField(max_length=16)
    fingerprint = models.CharField(max_length=40, unique=True)
    email = models.CharField(max_length=256, blank=True, default="")
    expiration = models.DateTimeField(null=True, blank=True)
    authorized = models.DateTimeField(auto_now_add=True)
    preferred = models.BooleanField(default=False, help_text="Shown as the profile's use_pgp_key.")

    class Meta:
        verbose_name = "PGP key"
        indexes = [models.Index(fields=["owner", "-id"], name="pgpkey_owner_id_desc")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=models.Q(preferred=True), name="pgpkey_one_preferred_per_owner"
            )
        ]

    def __str__(self) -> str:
        return self.fingerprint


class Repository(models.Model):
    """Repository metadata (no git storage)."""

    class Visibility(models.TextChoices):
        PUBLIC = "public"
        UNLISTED = "unlisted"
        PRIVATE = "private"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="repositories", db_index=False
    )
    name = models.CharField(max_length=256)
    description = models.TextField(blank=True, default="", max_length=4096)
    visibility = models.CharField(max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    # null (no override) differs from "" (an empty override)
    readme = models.TextField(null=True, blank=True, help_text="A README override (text); null: none.")  # noqa: DJ001
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "repositories"
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="repository_unique_name_per_owner")]
        indexes = [
            # a page is a backward range scan of one of these (resources.selectors.OWN_PAGE)
            models.Index(fields=["owner", "id"], name="repo_owner_id"),
            models.Index(fields=["owner", "visibility", "id"], name="repo_owner_vis_id"),
        ]

    def __str__(self) -> str:
        return f"~{self.owner_id}/{self.name}"


class OwnerCount(models.Model):
    """How many resources of a kind an owner has: the ``total`` of a list page without a ``COUNT(*)``.

    Kept exact by PostgreSQL triggers on the counted tables (migrations ``0002_owner_counts``,
    ``0004_statement_counts``), in the transaction of every change however it is made (API,
    admin, bulk inserts, cascades); statement-level, so one statement writes each of its
    owners' counter rows once however many rows it changes. Kinds: ``repo``, ``repo:public``, ``ssh-key``, ``pgp-key``. No foreign key: a
    deleted user's counters stay behind, harmless, as user ids are never reused.
    """

    owner_id = models.BigIntegerField()
    kind = models.CharField(max_length=32)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner_id", "kind"], name="ownercount_owner_kind")]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.kind}: {self.n}"
