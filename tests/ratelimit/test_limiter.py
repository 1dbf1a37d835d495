"""The limiter script on the real Redis: GCRA with burst, revocation and overrides in one call."""

import pytest

from ratelimit import limiter
from ratelimit.limiter import Policy


def admitted(client, bucket, policy, n, **kwargs):
    return sum(limiter.hit(client, bucket, policy, **kwargs).allowed for _ in range(n))


def test_no_burst_admits_exactly_the_limit(redis_client):
    assert admitted(redis_client, "b", Policy(100, 3600), 400) == 100


def test_burst_adds_to_the_limit_then_the_sustained_rate_applies(redis_client):
    policy = Policy(10, 3600, burst=5)
    assert admitted(redis_client, "b", policy, 50) == 15
    decision = limiter.hit(redis_client, "b", policy)
    assert not decision.allowed
    assert 359_000 <= decision.retry_after_ms <= 360_000  # one request every 360 s


def test_refill_at_the_sustained_rate_and_no_boundary_doubling(redis_client):
    """Exhausted, then just past what a fixed window would call its edge: only the refill passes."""
    import time

    policy = Policy(5, 1)  # 5 per second: one every 200 ms
    started = time.monotonic()
    assert admitted(redis_client, "b", policy, 20) == 5
    time.sleep(0.45)  # a fixed one-second window might reset around here and admit 5 more
    again = admitted(redis_client, "b", policy, 20)
    elapsed_ms = (time.monotonic() - started) * 1000
    assert 1 <= again <= elapsed_ms // 200 + 1  # only what refilled, at 200 ms a request
    assert again < 5


def test_remaining_and_reset_count_down(redis_client):
    policy = Policy(10, 60, burst=0)
    first = limiter.hit(redis_client, "b", policy)
    assert (first.capacity, first.remaining) == (10, 9)
    assert 5_900 <= first.reset_after_ms <= 6_000
    second = limiter.hit(redis_client, "b", policy)
    assert second.remaining == 8 and second.reset_after_ms > first.reset_after_ms


def test_peek_consumes_nothing(redis_client):
    policy = Policy(3, 60)
    limiter.hit(redis_client, "b", policy)
    for _ in range(5):
        assert limiter.hit(redis_client, "b", policy, cost=0).remaining == 2


def test_a_revocation_marker_refuses_without_counting(redis_client):
    redis_client.set("marker", "1")
    assert limiter.hit(redis_client, "b", Policy(3, 60), revocation_keys=("absent", "marker")).revoked
    assert not redis_client.exists("b")
    assert limiter.hit(redis_client, "b", Policy(3, 60), revocation_keys=("absent",)).allowed


@pytest.mark.parametrize(("override", "expected"), [("2.0", 20), ("0.5", 5), ("exempt", 50)])
def test_overrides_scale_or_exempt(redis_client, override, expected):
    redis_client.set("override", override)
    assert admitted(redis_client, "b", Policy(10, 3600), 50, override_key="override") == expected


def test_the_script_is_reloaded_after_a_script_flush(redis_client):
    redis_client.script_flush()
    assert limiter.hit(redis_client, "b", Policy(1, 60)).allowed
    assert redis_client.script_exists(limiter.SHA) == [True]
