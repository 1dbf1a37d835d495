"""Rate limits through the HTTP stack: scopes, headers, 429s, /rate-limit, outages, cost."""

import socket

import pytest
import requests

from core import headers as h
from core.redis import get_redis

pytestmark = pytest.mark.django_db

HEADERS = [
    h.RATELIMIT_LIMIT, h.RATELIMIT_REMAINING, h.RATELIMIT_RESET, h.RATELIMIT_RESET_SECONDS, h.RATELIMIT_DURATION,
    h.RATELIMIT_SCOPE, h.IETF_RATELIMIT_POLICY, h.IETF_RATELIMIT,
]  # fmt: skip


@pytest.fixture
def key(api_key):
    return api_key


@pytest.mark.parametrize(
    ("method", "path", "scope", "authenticated"),
    [
        ("get", "/api/v1/version", "anonymous-read", False),
        ("post", "/api/v1/version", "anonymous-write", False),
        ("get", "/api/v1/no-such-route", "anonymous-read", False),
        ("get", "/api/v1/keys", "authenticated-read", True),
        ("delete", "/api/v1/keys/999999", "authenticated-write", True),
        ("post", "/api/v1/authenticate", "authenticate", False),
        ("post", "/api/v1/oauth/token", "oauth-token", False),
        ("post", "/api/v1/oauth/revoke", "oauth-revoke", False),
        ("post", "/api/v1/keys", "apikey-create", True),
    ],
)
def test_every_response_carries_the_headers_of_its_scope(api_client, key, method, path, scope, authenticated):
    extra = {"HTTP_AUTHORIZATION": f"token {key.secret}"} if authenticated else {}
    response = getattr(api_client, method)(path, **extra)
    assert all(name in response for name in HEADERS), response.headers
    assert response[h.RATELIMIT_SCOPE] == scope
    assert response[h.IETF_RATELIMIT_POLICY].startswith(f'"{scope}";q=')


def test_limit_then_429_with_retry_after_in_error_shape(api_client, rate_limits):
    rate_limits(anonymous_read="3/3600+0")
    statuses = [api_client.get("/api/v1/version").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = api_client.get("/api/v1/version")
    assert response.json()["errors"][0]["reason"].startswith("rate limit exceeded for anonymous-read")
    assert 1190 <= int(response["Retry-After"]) <= 1200
    assert response[h.RATELIMIT_REMAINING] == "0"


def test_burst_then_sustained(api_client, rate_limits):
    rate_limits(anonymous_read="2/3600+3")
    statuses = [api_client.get("/api/v1/version").status_code for _ in range(7)]
    assert statuses.count(200) == 5 and statuses[5:] == [429, 429]


def test_strict_scope_for_the_exchange(api_client, key, rate_limits):
    rate_limits(authenticate="2/3600+0")
    codes = [
        api_client.post("/api/v1/authenticate", {"apiKey": key.secret}, format="json").status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert api_client.get("/api/v1/version").status_code == 200  # other scopes untouched


def test_headers_agree_with_rate_limit_endpoint(api_client, key):
    auth = {"HTTP_AUTHORIZATION": f"token {key.secret}"}
    last = api_client.get("/api/v1/keys", **auth)
    report = api_client.get("/api/v1/rate-limit", **auth)
    scopes = {row["scope"]: row for row in report.json()["scopes"]}
    assert set(scopes) == {
        "authenticated-read", "authenticated-write", "authenticate", "apikey-create", "webhook-test", "revalidation",
    }  # fmt: skip
    read = scopes["authenticated-read"]
    # /rate-limit itself counted one read after `last`, and says so in its own headers.
    assert read["remaining"] == int(last[h.RATELIMIT_REMAINING]) - 1 == int(report[h.RATELIMIT_REMAINING])
    assert read["limit"] == int(last[h.RATELIMIT_LIMIT]) and read["duration"] == int(last[h.RATELIMIT_DURATION])
    assert abs(read["reset"] - int(report[h.RATELIMIT_RESET])) <= 1


def test_anonymous_rate_limit_report(api_client):
    scopes = [row["scope"] for row in api_client.get("/api/v1/rate-limit").json()["scopes"]]
    assert scopes == ["anonymous-read", "anonymous-write", "authenticate", "revalidation"]


def test_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(api_client, rate_limits, settings):
    rate_limits(anonymous_read="2/3600+0")
    codes = [api_client.get("/api/v1/version", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    settings.API_TRUSTED_PROXIES = 1
    codes = [
        api_client.get("/api/v1/version", HTTP_X_FORWARDED_FOR=f"1.2.3.4, 10.0.0.{i}").status_code for i in range(3)
    ]
    assert codes == [200, 200, 200]  # behind one trusted proxy, its last entry is the client
    # The client chooses what stands left of the proxy's entry; that does not pick the bucket.
    assert api_client.get("/api/v1/version", HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1").status_code == 200
    assert api_client.get("/api/v1/version", HTTP_X_FORWARDED_FOR="8.8.8.8, 10.0.0.1").status_code == 429


def test_overrides_from_the_admin_reach_the_limiter(
    api_client, key, rate_limits, user, django_capture_on_commit_callbacks
):
    from ratelimit.models import RateLimitOverride

    rate_limits(authenticated_read="2/3600+0")
    auth = {"HTTP_AUTHORIZATION": f"token {key.secret}"}
    with django_capture_on_commit_callbacks(execute=True):
        RateLimitOverride.objects.create(user=user, multiplier=2)
    assert [api_client.get("/api/v1/keys", **auth).status_code for _ in range(5)] == [200] * 4 + [429]
    with django_capture_on_commit_callbacks(execute=True):
        RateLimitOverride.objects.filter(user=user).update(exempt=True)
        RateLimitOverride.objects.get(user=user).save()
    assert api_client.get("/api/v1/keys", **auth).status_code == 200


class TestRedisDown:
    @pytest.mark.parametrize(
        ("method", "path", "body"), [("get", "/api/v1/version", None), ("post", "/api/v1/keys", {})]
    )
    def test_ordinary_scopes_fail_open_and_strict_ones_closed(
        self, api_client, key, stopped_redis, method, path, body, monkeypatch
    ):
        auth = {"HTTP_AUTHORIZATION": f"token {key.secret}"} if method == "post" else {}
        where = get_redis().connection_pool.connection_kwargs  # a unix socket's path, or a TCP port
        redis_address = where.get("path") or where["port"]
        attempts: list[object] = []
        connect = socket.socket.connect

        def counting(sock, address):
            if (address[1] if isinstance(address, tuple) else address) == redis_address:
                attempts.append(address)
            return connect(sock, address)

        monkeypatch.setattr(socket.socket, "connect", counting)
        per_request = []

        def sent(response):
            per_request.append(len(attempts))
            attempts.clear()
            return response

        ordinary = sent(api_client.get("/api/v1/version"))
        strict = sent(api_client.post("/api/v1/authenticate", {"apiKey": key.secret}, format="json"))
        created = (
            sent(api_client.post("/api/v1/keys", {"name": "x", "scopes": ["*"]}, format="json", **auth))
            if auth
            else None
        )
        # a dead Redis costs at most one refused connection per request (the first finds its
        # open socket dead instead): no retries, no backoff to wait out
        assert per_request[0] <= 1 and per_request[1:] == [1] * (len(per_request) - 1), per_request
        assert ordinary.status_code == 200
        assert strict.status_code == 503 and strict["Retry-After"].isdigit()
        assert set(strict.json()) == {"errors"}
        if created is not None:
            assert created.status_code == 503

    def test_admin_login_page_still_answers(self, client, stopped_redis):
        assert client.get("/admin/login/").status_code == 200


def test_one_redis_round_trip_per_request_for_auth_and_limits(api_client, key, monkeypatch):
    """Counted at the network edge: each command the client sends to Redis."""
    import redis.connection

    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    from core.redis import get_redis

    token = api_client.post("/api/v1/authenticate", {"apiKey": key.secret}, format="json").json()["token"]
    api_client.get("/api/v1/version", HTTP_AUTHORIZATION=f"Bearer {token}")  # script cached, connection open
    connection, opened = get_redis().connection, get_redis().connection_pool._created_connections
    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    for credential in (f"Bearer {token}", f"token {key.secret}", None):
        extra = {"HTTP_AUTHORIZATION": credential} if credential else {}
        sent.clear()
        assert api_client.get("/api/v1/version", **extra).status_code == 200
        assert len(sent) == 1, credential  # one EVALSHA: revocation markers + override + limit
    # one client, one connection, reused: no pool hand-over per command, nothing new opened
    assert get_redis().connection is connection is not None
    assert get_redis().connection_pool._created_connections == opened


def test_admin_login_is_rate_limited_with_a_429_page(client, rate_limits, settings):
    """10 a minute in django-ratelimit's fixed windows: the 11th attempt of a window is a 429.

    The test's attempts may straddle a window's end (every few dozen runs they did), so it
    makes up to 21: one boundary at most in a few seconds, and the window after it fills
    again after 10.
    """
    statuses = []
    for _ in range(21):
        response = client.post("/admin/login/", {"username": "x", "password": "y"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429 and len(statuses) >= 11, statuses
    assert b"Too many login attempts" in response.content


@pytest.mark.slow
def test_exact_under_concurrency_across_processes(live_server_factory, rate_limits):
    """100 per hour, no burst: 400 requests from 20 threads on 3 gunicorn workers admit exactly 100."""
    from concurrent.futures import ThreadPoolExecutor

    server = live_server_factory(workers=3, API_RATE_LIMIT_ANONYMOUS_READ="100/3600+0")
    from core.redis import get_redis

    get_redis().flushdb()  # forget the readiness probe's request

    def fetch(_):
        with requests.Session() as session:
            return [session.get(f"{server.url}/api/v1/version", timeout=30).status_code for _ in range(20)]

    with ThreadPoolExecutor(20) as pool:
        codes = [code for batch in pool.map(fetch, range(20)) for code in batch]
    assert len(codes) == 400
    assert codes.count(200) == 100 and codes.count(429) == 300


class TestConditionalReads:
    """A 304 for a tag the client held (§1.12) costs no read quota; nothing is unmetered."""

    def test_a_304_leaves_remaining_unchanged(self, api_client, key, rate_limits):
        rate_limits(authenticated_read="10/3600+0")
        auth = {"HTTP_AUTHORIZATION": f"token {key.secret}"}
        first = api_client.get("/api/v1/keys", **auth)
        assert first[h.RATELIMIT_REMAINING] == "9"
        for _ in range(3):
            again = api_client.get("/api/v1/keys", HTTP_IF_NONE_MATCH=first[h.ETAG], **auth)
            assert again.status_code == 304
            assert again[h.RATELIMIT_REMAINING] == "9" and again[h.RATELIMIT_SCOPE] == "authenticated-read"
        # A conditional read that turns out to be a 200 is charged like any other.
        missed = api_client.get("/api/v1/keys", HTTP_IF_NONE_MATCH='"stale"', **auth)
        assert missed.status_code == 200 and missed[h.RATELIMIT_REMAINING] == "8"
        assert api_client.get("/api/v1/keys", **auth)[h.RATELIMIT_REMAINING] == "7"

    def test_a_wildcard_or_a_date_is_charged_like_any_read(self, api_client, rate_limits):
        """``If-None-Match: *`` and ``If-Modified-Since`` need no knowledge of the resource."""
        rate_limits(anonymous_read="5/3600+0")
        api_client.get("/api/v1/version")
        star = [api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH="*") for _ in range(2)]
        assert [response.status_code for response in star] == [304, 304]
        assert [response[h.RATELIMIT_REMAINING] for response in star] == ["3", "2"]
        future = api_client.get("/api/v1/version", HTTP_IF_MODIFIED_SINCE="Tue, 01 Dec 2099 00:00:00 GMT")
        assert future[h.RATELIMIT_REMAINING] == "1"
        statuses = [api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH="*").status_code for _ in range(3)]
        assert statuses == [304, 429, 429]

    def test_free_304s_have_their_own_bound_then_are_charged(self, api_client, rate_limits):
        rate_limits(anonymous_read="3/3600+0", revalidation="2/3600+0")
        etag = api_client.get("/api/v1/version")[h.ETAG]
        remaining = [
            api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag)[h.RATELIMIT_REMAINING] for _ in range(4)
        ]
        assert remaining == ["2", "2", "1", "0"]  # two free 304s, then charged like reads
        refused = api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag)
        assert refused.status_code == 429 and refused[h.RATELIMIT_SCOPE] == "anonymous-read"

    def test_over_the_limit_still_429(self, api_client, rate_limits):
        rate_limits(anonymous_read="2/3600+0")
        etag = api_client.get("/api/v1/version")[h.ETAG]
        assert api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert api_client.get("/api/v1/version").status_code == 200  # the second of two
        refused = api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag)
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["reason"].startswith("rate limit exceeded for anonymous-read")
        assert 1700 <= int(refused["Retry-After"]) <= 1800 and refused[h.RATELIMIT_REMAINING] == "0"
        since = api_client.get("/api/v1/version", HTTP_IF_MODIFIED_SINCE="Tue, 01 Dec 2099 00:00:00 GMT")
        assert since.status_code == 429

    def test_redis_round_trips(self, api_client, monkeypatch):
        """A 304 costs one round trip (the look and the revalidation count, pipelined); a
        conditional read that is a 200, two."""
        import redis.connection

        sent = []
        original = redis.connection.AbstractConnection.send_packed_command

        def counting(self, command, check_health=True):
            sent.append(command)
            return original(self, command, check_health)

        etag = api_client.get("/api/v1/version")[h.ETAG]  # script cached, connection open
        api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag)
        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
        assert api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert len(sent) == 1
        sent.clear()
        assert api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH='"other"').status_code == 200
        assert len(sent) == 2

    def test_redis_down_conditional_reads_go_on(self, api_client, stopped_redis):
        response = api_client.get("/api/v1/version", HTTP_IF_NONE_MATCH='"x"')
        assert response.status_code == 200 and h.ETAG in response


def test_a_forked_process_gets_its_own_redis_connection():
    """A Celery pool process forked after its parent used Redis must not share the parent's socket."""
    import os

    from core.redis import get_redis

    parent = get_redis()
    parent.ping()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report whether it got a client of its own that works
        try:
            child = get_redis()
            ok = child is not parent and child.connection is not parent.connection and child.ping()
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
    assert get_redis() is parent and parent.ping()


def test_with_rate_limits_off_a_revoked_credential_is_still_refused(api_client, make_key, settings):
    """Turning the limiter off must not turn revocation off: the markers are checked alone."""
    settings.API_RATE_LIMITS_ENABLED = False
    issued = make_key()
    token = api_client.post("/api/v1/authenticate", {"apiKey": issued.secret}, format="json").json()["token"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert api_client.get("/api/v1/keys", **bearer).status_code == 200
    assert api_client.delete(f"/api/v1/keys/{issued.api_key.pk}", **bearer).status_code == 204
    refused = api_client.get("/api/v1/keys", **bearer)
    assert refused.status_code == 401 and refused.json() == {"errors": [{"reason": "credential revoked"}]}
    assert h.RATELIMIT_REMAINING not in refused
