"""What authentication costs per request, counted (§2, issue 3 item 6)."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_jwt_request_makes_no_sql_query_for_authentication(api_client, api_key, django_assert_num_queries):
    token = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").json()["token"]
    with django_assert_num_queries(0):
        response = api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_an_api_key_request_makes_one_indexed_query(api_client, api_key, django_assert_num_queries):
    api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"token {api_key.secret}")  # sets last_used
    with django_assert_num_queries(1) as captured:
        response = api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"token {api_key.secret}")
    assert response.status_code == 200
    sql = captured.captured_queries[0]["sql"]
    assert '"identifier" = ' in sql and "JOIN" in sql  # the unique index, with the user joined


def test_key_verification_uses_a_keyed_sha256_not_the_password_hasher(api_key):
    from auth import keytext
    from auth.conf import auth_settings

    parts = keytext.split_key(api_key.secret, "apisvc")
    assert parts is not None
    identifier, secret = parts
    assert api_key.api_key.secret_hash == keytext.secret_hash(auth_settings().KEY_HMAC_KEY, secret)
    assert len(api_key.api_key.secret_hash) == 64


def test_the_key_exchange_is_one_sql_statement_and_one_redis_round_trip(
    api_client, api_key, django_assert_num_queries, redis_round_trips
):
    """The key's indexed look-up writes its audit entry too (its commit relaxed), in one statement."""
    from accounts.models import AuditLogEntry

    api_client.post("/api/v1/authenticate", {"apiKey": api_key.secret}, format="json")  # warm: script cached
    redis_round_trips.clear()
    with django_assert_num_queries(1) as captured:
        response = api_client.post("/api/v1/authenticate", {"apiKey": api_key.secret}, format="json")
    assert response.status_code == 200
    assert redis_round_trips == ["EVALSHA"]
    sql = captured.captured_queries[0]["sql"]
    assert "set_config('synchronous_commit', 'off', true)" in sql and '"identifier" = ' in sql
    entry = AuditLogEntry.objects.filter(action="api-key:authenticate").latest("id")
    assert (entry.user_id, entry.details, entry.ip) == (
        api_key.api_key.user_id,
        api_key.api_key.identifier,
        "127.0.0.1",
    )
    assert AuditLogEntry.objects.filter(action="api-key:authenticate").count() == 2


@pytest.mark.parametrize("spoil", ["secret", "expired", "inactive"])
def test_a_refused_exchange_writes_no_audit_entry(api_client, api_key, spoil):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import AuditLogEntry
    from auth.models import ApiKey

    text = api_key.secret
    if spoil == "secret":
        text = text[:-4] + ("aaaa" if not text.endswith("aaaa") else "bbbb")
    elif spoil == "expired":
        ApiKey.objects.filter(pk=api_key.api_key.pk).update(expires=timezone.now() - timedelta(seconds=1))
    else:
        api_key.api_key.user.is_active = False
        api_key.api_key.user.save()
    before = AuditLogEntry.objects.filter(action="api-key:authenticate").count()
    response = api_client.post("/api/v1/authenticate", {"apiKey": text}, format="json")
    assert response.status_code == 401
    assert AuditLogEntry.objects.filter(action="api-key:authenticate").count() == before


@pytest.mark.fast_path
def test_a_process_verifies_a_jwt_once_and_keeps_it_no_longer_than_its_expiry(api_client, api_key, monkeypatch):
    import time

    from rest_framework_simplejwt import tokens

    from auth import services

    token = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").json()["token"]
    services.VERIFIED_JWTS.clear()
    decoded = []
    original = tokens.AccessToken.__init__

    def counting(self, *args, **kwargs):
        decoded.append(args[:1])
        original(self, *args, **kwargs)

    monkeypatch.setattr(tokens.AccessToken, "__init__", counting)
    for _ in range(3):
        user, credential = services.jwt_verify(token)
        assert (user.pk, user.username, credential.kind) == (api_key.api_key.user_id, "alice", "jwt")
    assert len(decoded) == 1  # verified once, then looked up
    assert token not in services.VERIFIED_JWTS.entries  # kept by digest, never the bearer token itself
    entry = services.VERIFIED_JWTS.get(services.jwt_digest(token))
    assert entry is not None and entry.fresh_until - time.monotonic() <= 3600
    entry.fresh_until = time.monotonic() - 1  # as if the token's exp had passed
    services.jwt_verify(token)
    assert len(decoded) == 2


def test_changed_jwt_settings_forget_the_verified_jwts(api_client, api_key, settings):
    from auth import services

    token = api_client.post(f"/api/v1/authenticate?apiKey={api_key.secret}").json()["token"]
    services.jwt_verify(token)
    assert services.VERIFIED_JWTS.get(services.jwt_digest(token)) is not None
    settings.SIMPLE_JWT = {**settings.SIMPLE_JWT, "LEEWAY": 1}
    assert services.VERIFIED_JWTS.get(services.jwt_digest(token)) is None


def test_the_key_lookup_in_sql_builds_what_the_orm_builds(make_key):
    from datetime import timedelta

    from django.utils import timezone

    from auth.models import ApiKey
    from auth.selectors import api_key_with_user

    issued = make_key(scopes=["repos:read", "keys:write"], expires=timezone.now() + timedelta(days=3))
    ApiKey.objects.filter(pk=issued.api_key.pk).update(last_used=timezone.now())
    raw = api_key_with_user(issued.api_key.identifier)
    orm = ApiKey.objects.select_related("user").get(identifier=issued.api_key.identifier)
    assert raw is not None and not raw._state.adding and not raw.user._state.adding
    for model_instance, expected in ((raw, orm), (raw.user, orm.user)):
        for field in type(expected)._meta.concrete_fields:
            got, want = getattr(model_instance, field.attname), getattr(expected, field.attname)
            assert (type(got), got) == (type(want), want), field.name
    assert api_key_with_user("no-such-key") is None
