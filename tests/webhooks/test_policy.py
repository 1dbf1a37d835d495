"""The retry policy (webhooks/policy.py): what an answer means and when to try again."""

import pytest

from webhooks.policy import breaker_open_seconds, outcome_of, retry_delay, trips_breaker

SCHEDULE = (5, 60, 300)


@pytest.mark.parametrize(
    "status, expected",
    [
        pytest.param(200, "delivered", id="200"),
        pytest.param(204, "delivered", id="204"),
        pytest.param(299, "delivered", id="299"),
        pytest.param(100, "final", id="100"),
        pytest.param(300, "final", id="300"),
        pytest.param(301, "final", id="301-redirect-not-followed"),
        pytest.param(400, "final", id="400"),
        pytest.param(404, "final", id="404"),
        pytest.param(408, "retry", id="408-timeout"),
        pytest.param(410, "gone", id="410"),
        pytest.param(425, "retry", id="425-too-early"),
        pytest.param(429, "retry", id="429-too-many"),
        pytest.param(499, "final", id="499"),
        pytest.param(500, "retry", id="500"),
        pytest.param(503, "retry", id="503"),
        pytest.param(599, "retry", id="599"),
        pytest.param(None, "retry", id="no-answer"),
    ],
)
def test_outcome_of(status, expected):
    assert outcome_of(status) == expected


def fixed(value):
    return lambda a, b: value


def low(a, b):
    return a


def high(a, b):
    return b


@pytest.mark.parametrize(
    "attempts, uniform, expected",
    [
        pytest.param(0, fixed(1.0), None, id="attempt-0-none"),
        pytest.param(-1, fixed(1.0), None, id="negative-none"),
        pytest.param(1, fixed(1.0), 5.0, id="attempt-1-first-step"),
        pytest.param(2, fixed(1.0), 60.0, id="attempt-2"),
        pytest.param(3, fixed(1.0), 300.0, id="last-step"),
        pytest.param(4, fixed(1.0), None, id="past-schedule-none"),
        pytest.param(1, low, 4.0, id="jitter-lower-bound"),
        pytest.param(1, high, 6.0, id="jitter-upper-bound"),
        pytest.param(3, low, 240.0, id="last-lower-bound"),
        pytest.param(3, high, 360.0, id="last-upper-bound"),
    ],
)
def test_retry_delay_follows_the_schedule_with_jitter(attempts, uniform, expected):
    assert retry_delay(attempts, schedule=SCHEDULE, jitter=0.2, uniform=uniform) == expected


def test_jitter_bounds_are_passed_to_uniform():
    calls = []

    def uniform(low: float, high: float) -> float:
        calls.append((low, high))
        return 1.0

    retry_delay(2, schedule=SCHEDULE, jitter=0.25, uniform=uniform)
    assert calls == [(0.75, 1.25)]


def test_an_empty_schedule_never_retries():
    assert retry_delay(1, schedule=(), jitter=0.0, uniform=fixed(1.0)) is None


@pytest.mark.parametrize(
    "attempts, retry_after, max_retry_after, expected",
    [
        pytest.param(1, 120, 86400, 120.0, id="longer-retry-after-wins"),
        pytest.param(1, 3, 86400, 5.0, id="shorter-retry-after-does-not-shorten"),
        pytest.param(1, 0, 86400, 5.0, id="zero-retry-after-ignored"),
        pytest.param(1, None, 86400, 5.0, id="no-retry-after"),
        pytest.param(1, 10**6, 86400, 86400.0, id="capped-at-default-max"),
        pytest.param(1, 1000, 600, 600.0, id="capped-at-custom-max"),
        pytest.param(3, 1000, 100, 300.0, id="cap-never-shortens-the-schedule"),
        pytest.param(4, 120, 86400, None, id="past-schedule-stays-none"),
    ],
)
def test_retry_after_lengthens_up_to_the_cap(attempts, retry_after, max_retry_after, expected):
    delay = retry_delay(
        attempts,
        schedule=SCHEDULE,
        jitter=0.2,
        retry_after=retry_after,
        max_retry_after=max_retry_after,
        uniform=fixed(1.0),
    )
    assert delay == expected


@pytest.mark.parametrize(
    ("openings", "expected"),
    [(0, 5.0), (1, 5.0), (2, 300.0), (3, 1800.0), (4, 1800.0), (99, 1800.0)],
    ids=["zeroth-as-first", "first", "second", "last", "past-the-end", "far-past-the-end"],
)
def test_a_breaker_stays_open_along_the_retry_schedule(openings, expected):
    assert breaker_open_seconds(openings, schedule=(5, 300, 1800)) == expected


def test_a_breaker_needs_a_schedule():
    assert breaker_open_seconds(1, schedule=()) == 0.0


@pytest.mark.parametrize(
    ("failures", "threshold", "trips"),
    [(0, 3, False), (2, 3, False), (3, 3, True), (7, 3, True), (1, 1, True), (5, 0, False)],
    ids=["none", "below", "at", "above", "threshold-one", "disabled"],
)
def test_consecutive_failures_trip_the_breaker_at_the_threshold(failures, threshold, trips):
    assert trips_breaker(failures, threshold=threshold) is trips


def test_a_refused_url_is_final_whatever_the_status():
    assert outcome_of(None, refused=True) == "final"
    assert outcome_of(503, refused=True) == "final"
