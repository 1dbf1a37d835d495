"""Idempotent writes (§1.13): replay, 422 on another request, 409 while running, 400, expiry."""

import threading
import time
from datetime import timedelta

import pytest
import requests
from django.db import connection, transaction
from django.utils import timezone

from auth.models import ApiKey
from core import headers as h
from idempotency.models import IdempotencyRecord
from idempotency.services import RETENTION, idempotency_prune
from resources.models import Repository
from webhooks.models import Delivery, Event, Subscription

KEY = "5c0e8e0e-40d5-43e8-bc93-6894a57f9324"


def post_repo(api_client, auth_headers, body=None, key=KEY, path="/api/v1/repos", **extra):
    body = {"name": "hello", "description": "first"} if body is None else body
    return api_client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **auth_headers, **extra)


@pytest.mark.django_db
class TestReplay:
    def test_replay_returns_the_first_answer_and_changes_nothing(self, api_client, auth_headers, user):
        Subscription.objects.create(user=user, url="https://hooks.example.org/in", events=["repo:create"])
        first = post_repo(api_client, auth_headers)
        assert first.status_code == 201 and h.IDEMPOTENT_REPLAYED not in first

        again = post_repo(api_client, auth_headers)
        assert again.status_code == 201
        assert again[h.IDEMPOTENT_REPLAYED] == "true"
        assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
        assert h.RATELIMIT_REMAINING in again  # still counted (see test_replays_are_still_rate_limited)

        # The same request in another spelling: the other slash form, JSON re-encoded.
        raw = '{ "description": "first",  "name": "hello" }'
        respelled = api_client.post(
            "/api/v1/repos/", raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY, **auth_headers
        )
        assert respelled.status_code == 201 and respelled[h.IDEMPOTENT_REPLAYED] == "true"

        assert Repository.objects.filter(owner=user).count() == 1
        assert Event.objects.filter(user=user, name="repo:create").count() == 1
        assert Delivery.objects.filter(event_name="repo:create").count() == 1
        assert IdempotencyRecord.objects.count() == 1

    def test_an_empty_answer_is_replayed_empty(self, api_client, auth_headers, user):
        post_repo(api_client, auth_headers)
        first = api_client.delete("/api/v1/repos/hello", HTTP_IDEMPOTENCY_KEY="del-1", **auth_headers)
        again = api_client.delete("/api/v1/repos/hello", HTTP_IDEMPOTENCY_KEY="del-1", **auth_headers)
        assert first.status_code == again.status_code == 204
        assert again.content == b"" and again[h.IDEMPOTENT_REPLAYED] == "true"
        assert api_client.delete("/api/v1/repos/hello", **auth_headers).status_code == 404  # without a key: it is gone

    def test_a_different_body_or_route_is_422(self, api_client, auth_headers, user):
        assert post_repo(api_client, auth_headers).status_code == 201
        other_body = post_repo(api_client, auth_headers, {"name": "other"})
        other_route = api_client.put(
            "/api/v1/repos/hello", {"name": "hello", "description": "first"}, format="json",
            HTTP_IDEMPOTENCY_KEY=KEY, **auth_headers,
        )  # fmt: skip
        for response in (other_body, other_route):
            assert response.status_code == 422
            assert response.json()["errors"] == [
                {
                    "field": "Idempotency-Key",
                    "reason": "this Idempotency-Key was used for a different request (method, path or body)",
                }  # fmt: skip
            ]
        assert list(Repository.objects.values_list("name", "description")) == [("hello", "first")]

    def test_keys_belong_to_the_user(self, api_client, auth_headers, other_user, headers_for):
        mine = post_repo(api_client, auth_headers)
        theirs = post_repo(api_client, headers_for(other_user))
        assert theirs.status_code == 201 and h.IDEMPOTENT_REPLAYED not in theirs
        assert theirs.json()["id"] != mine.json()["id"]

    def test_errors_are_not_stored_so_a_retry_runs_again(self, api_client, auth_headers):
        bad = post_repo(api_client, auth_headers, {"name": "a b"})
        assert bad.status_code == 400 and IdempotencyRecord.objects.count() == 0
        assert post_repo(api_client, auth_headers, {"name": "fixed"}).status_code == 201

    @pytest.mark.parametrize(
        ("key", "status"),
        [("k" * 255, 201), ('"' + "q" * 255 + '"', 201), ("k" * 256, 400), ("", 400), ("tab\tkey", 400)],
    )
    def test_key_syntax(self, api_client, auth_headers, key, status):
        response = post_repo(api_client, auth_headers, key=key)
        assert response.status_code == status
        if status == 400:
            assert response.json()["errors"][0]["field"] == "Idempotency-Key"
            assert not Repository.objects.exists()

    def test_anonymous_requests_ignore_the_header(self, api_client, api_key):
        for _ in range(2):
            response = api_client.post(
                "/api/v1/authenticate", {"apiKey": api_key.secret}, format="json", HTTP_IDEMPOTENCY_KEY="anon"
            )
            assert response.status_code == 200 and h.IDEMPOTENT_REPLAYED not in response
        assert not IdempotencyRecord.objects.exists()

    def test_a_retried_put_replays_rather_than_failing_its_stale_if_match(self, api_client, auth_headers):
        post_repo(api_client, auth_headers)
        etag = api_client.get("/api/v1/repos/hello", **auth_headers)[h.ETAG]

        def put():
            return api_client.put(
                "/api/v1/repos/hello", {"description": "second"}, format="json",
                HTTP_IF_MATCH=etag, HTTP_IDEMPOTENCY_KEY="put-1", **auth_headers,
            )  # fmt: skip

        assert put().status_code == 200
        assert put()[h.IDEMPOTENT_REPLAYED] == "true"

    def test_replays_are_still_rate_limited(self, api_client, auth_headers, rate_limits):
        rate_limits(authenticated_write="2/3600+0")
        assert post_repo(api_client, auth_headers).status_code == 201
        assert post_repo(api_client, auth_headers).status_code == 201
        assert post_repo(api_client, auth_headers).status_code == 429

    def test_the_stored_answer_keeps_no_secret_in_the_clear(self, api_client, auth_headers):
        first = api_client.post(
            "/api/v1/keys",
            {"name": "ci", "scopes": ["repos:read"]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=KEY,
            **auth_headers,
        )
        again = api_client.post(
            "/api/v1/keys",
            {"name": "ci", "scopes": ["repos:read"]},
            format="json",
            HTTP_IDEMPOTENCY_KEY=KEY,
            **auth_headers,
        )
        secret = first.json()["key"]
        assert first.status_code == again.status_code == 201 and again.json()["key"] == secret
        assert ApiKey.objects.filter(name="ci").count() == 1
        record = IdempotencyRecord.objects.get()
        stored = bytes(record.body) + record.key_hash.encode() + str(record.headers).encode()
        assert secret.split("_")[2].encode() not in stored and KEY.encode() not in stored


@pytest.mark.django_db
class TestRetention:
    def test_an_answer_expires_after_the_retention_window(self, api_client, auth_headers):
        body = {"name": "ci", "scopes": ["repos:read"]}
        first = api_client.post("/api/v1/keys", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY, **auth_headers)
        IdempotencyRecord.objects.update(created=timezone.now() - RETENTION + timedelta(minutes=1))
        assert api_client.post("/api/v1/keys", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY, **auth_headers)[
            h.IDEMPOTENT_REPLAYED
        ] == "true"  # fmt: skip

        IdempotencyRecord.objects.update(created=timezone.now() - RETENTION - timedelta(minutes=1))
        later = api_client.post("/api/v1/keys", body, format="json", HTTP_IDEMPOTENCY_KEY=KEY, **auth_headers)
        assert later.status_code == 201 and h.IDEMPOTENT_REPLAYED not in later
        assert later.json()["key"] != first.json()["key"]
        assert ApiKey.objects.filter(name="ci").count() == 2
        assert IdempotencyRecord.objects.count() == 1  # the expired answer was replaced

    def test_prune_removes_old_answers_in_batches(self, api_client, auth_headers):
        for name in ("a", "b", "c"):
            post_repo(api_client, auth_headers, {"name": name}, key=f"old-{name}")
        IdempotencyRecord.objects.update(created=timezone.now() - timedelta(hours=30))
        post_repo(api_client, auth_headers, {"name": "new"}, key="new")
        assert idempotency_prune(older_than=RETENTION, batch_size=2) == 3
        assert list(IdempotencyRecord.objects.values_list("path", flat=True)) == ["/api/v1/repos"]
        assert idempotency_prune(older_than=RETENTION) == 0


def waiting_on_a_lock(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is frozen for the transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            [f'%INSERT INTO "{table}"%'],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.slow
def test_concurrent_use_is_409_and_the_answer_survives_a_restart(live_server_factory, django_user_model, make_key):
    """Two requests with one key on a real gunicorn: the second, sent while the first is held
    inside its transaction (on a table lock this test holds), is a 409; the first then
    completes, and a retry on a freshly started server gets its stored answer."""
    owner = django_user_model.objects.create_user("carol")
    secret = make_key(owner, name="live").secret
    server = live_server_factory(workers=2)
    headers = {"Authorization": f"token {secret}", "Idempotency-Key": KEY}
    body = {"name": "hello"}
    table = Repository._meta.db_table
    results: dict[str, requests.Response] = {}

    def first() -> None:
        results["first"] = requests.post(f"{server.url}/api/v1/repos", json=body, headers=headers, timeout=60)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')
        thread = threading.Thread(target=first)
        thread.start()
        deadline = time.monotonic() + 30
        while not waiting_on_a_lock(table):
            assert time.monotonic() < deadline, "the first request never reached the INSERT"
            time.sleep(0.05)
        second = requests.post(f"{server.url}/api/v1/repos", json=body, headers=headers, timeout=30)
        assert second.status_code == 409
        assert second.json()["errors"][0]["field"] == "Idempotency-Key" and second.headers["Retry-After"] == "1"
    thread.join(60)
    assert results["first"].status_code == 201

    server.stop()
    restarted = live_server_factory(workers=1)
    third = requests.post(f"{restarted.url}/api/v1/repos", json=body, headers=headers, timeout=30)
    assert third.status_code == 201 and third.headers[h.IDEMPOTENT_REPLAYED] == "true"
    assert third.content == results["first"].content
    assert Repository.objects.filter(owner=owner).count() == 1


# ---------------------------------------------------------------- who may replay (§1.13)

KEYS_BODY = {"name": "ci", "scopes": ["*"]}


def post_key(api_client, headers, key="k1"):
    return api_client.post("/api/v1/keys", KEYS_BODY, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)


@pytest.fixture
def oauth_headers(user):
    """An OAuth access token of alice's, through an application she authorized, with every scope."""
    from datetime import timedelta

    from oauth2_provider.models import get_access_token_model

    from auth.oauth import tokens as oauth_tokens
    from auth.oauth.services import oauth_app_create
    from auth.scopes import ALL_SCOPES

    application = oauth_app_create(
        user=user, name="Third party", redirect_uris=["https://app.example.org/cb"], scopes=list(ALL_SCOPES),
        client_type="public",
    ).application  # fmt: skip
    text = oauth_tokens.access_token_text()
    get_access_token_model().objects.create(
        user=user, application=application, token=text, scope=" ".join(ALL_SCOPES),
        expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip
    oauth_tokens.CACHE.clear()
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


@pytest.mark.django_db
class TestWhoMayReplay:
    def test_a_narrower_key_of_the_same_user_gets_the_routes_403_not_the_stored_secret(
        self, api_client, user, headers_for
    ):
        first = post_key(api_client, headers_for(user))
        assert first.status_code == 201
        narrow = post_key(api_client, headers_for(user, scopes=("repos:read",)))
        assert narrow.status_code == 403
        assert h.IDEMPOTENT_REPLAYED not in narrow
        assert first.json()["key"].encode() not in narrow.content
        assert narrow.json() == {"errors": [{"reason": "this credential lacks the apikeys:write scope"}]}

    def test_an_oauth_application_of_the_same_user_is_answered_as_the_route_would(
        self, api_client, user, headers_for, oauth_headers
    ):
        first = post_key(api_client, headers_for(user))
        third_party = post_key(api_client, oauth_headers)
        # The route's answer: its token holds named scopes, not "*", so it may not mint a "*" key.
        assert third_party.status_code == 403 and h.IDEMPOTENT_REPLAYED not in third_party
        assert first.json()["key"].encode() not in third_party.content
        assert "scopes" in third_party.json()["errors"][0]["reason"]
        assert ApiKey.objects.filter(user=user, name="ci").count() == 1

    def test_another_full_key_of_the_same_user_runs_the_route_afresh(self, api_client, user, headers_for):
        first = post_key(api_client, headers_for(user))
        other = post_key(api_client, headers_for(user))
        assert other.status_code == 201 and h.IDEMPOTENT_REPLAYED not in other
        assert other.json()["key"] != first.json()["key"]

    def test_a_jwt_minted_from_the_key_replays_and_the_replay_is_audited(self, api_client, user, make_key):
        from accounts.models import AuditLogEntry

        issued = make_key()
        first = post_key(api_client, {"HTTP_AUTHORIZATION": f"token {issued.secret}"})
        token = api_client.post("/api/v1/authenticate", {"apiKey": issued.secret}, format="json").json()["token"]
        again = post_key(api_client, {"HTTP_AUTHORIZATION": f"Bearer {token}"})
        assert again.status_code == 201 and again[h.IDEMPOTENT_REPLAYED] == "true"
        assert again.content == first.content
        replays = AuditLogEntry.objects.filter(user=user, action="idempotency:replay")
        assert [entry.details for entry in replays] == ["POST /api/v1/keys (201)"]

    def test_a_replay_is_refused_when_the_rate_limit_is_spent(self, api_client, user, headers_for, rate_limits):
        rate_limits(apikey_create="1/3600+0")
        headers = headers_for(user)
        assert post_key(api_client, headers).status_code == 201
        refused = post_key(api_client, headers)
        assert refused.status_code == 429 and h.IDEMPOTENT_REPLAYED not in refused
