"""Revocation markers: written where a credential stops being valid, read by the limiter."""

import pytest
from django.utils import timezone

from auth import revocation
from auth.services import api_key_delete, jwt_verify

pytestmark = pytest.mark.django_db


def test_deleting_a_key_writes_its_marker_with_a_ttl_covering_token_lifetime(api_key, redis_client):
    key_id = api_key.api_key.pk
    api_key_delete(api_key=api_key.api_key)
    marker = revocation.api_key_marker(key_id)
    assert redis_client.exists(marker)
    assert 3600 <= redis_client.ttl(marker) <= 3660


def test_deactivating_a_user_marks_and_reactivating_clears(user, redis_client):
    marker = revocation.user_marker(user.pk)
    user.is_active = False
    user.save()
    assert redis_client.exists(marker)
    user.is_active = True
    user.save()
    assert not redis_client.exists(marker)


def test_a_jwt_names_the_markers_of_its_key_and_user(api_client, api_key, user):
    token = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").json()["token"]
    _, credential = jwt_verify(token)
    assert credential.revocation_keys == (
        revocation.api_key_marker(api_key.api_key.pk),
        revocation.user_marker(user.pk),
    )


def test_admin_expiring_a_key_marks_it(admin_client, api_key, redis_client):
    row = api_key.api_key
    response = admin_client.post(
        f"/admin/api_auth/apikey/{row.pk}/change/",
        {"expires_0": "2001-01-01", "expires_1": "00:00:00"},
    )
    assert response.status_code == 302, response.content[:500]
    row.refresh_from_db()
    assert row.expires < timezone.now()
    assert redis_client.exists(revocation.api_key_marker(row.pk))
