"""make faults (tools/bench/faults.py): what it counts, on recorded delivery ids and answers."""

from bench.faults import Phase, judge
from bench.harness import Record, Tally, tally


def test_expected_received_lost_and_duplicated_from_the_ids_that_arrived():
    arrivals = ["a", "b", "a", "x", "c", "a", "b"]  # x: another phase's
    assert tally({"a", "b", "c", "d"}, arrivals) == Tally(expected=4, received=3, lost=1, duplicated=3)
    assert tally({"x"}, arrivals) == Tally(expected=1, received=1, lost=0, duplicated=0)
    assert tally(set(), arrivals) == Tally(expected=0, received=0, lost=0, duplicated=0)
    assert tally({"a"}, []) == Tally(expected=1, received=0, lost=1, duplicated=0)


def test_a_phase_is_broken_by_a_500_a_503_without_retry_after_no_answer_or_a_lost_webhook():
    phase = Phase("Redis stopped", start=0.0, injected=10.0, recovered=17.0, end=22.0, expected={"a", "b"})
    records = [
        Record("GET /repos", "GET", 200, 9.0, 1.5, False),  # overlaps the fault: waited 1.5 s
        Record("GET /repos", "GET", 200, 18.0, 3.0, False),  # after it: not counted as waiting on it
        Record("POST /authenticate", "POST", 503, 11.0, 0.01, True),
        Record("POST /repos", "POST", 201, 12.0, 0.02, False),
    ]
    verdict = judge(phase, records, ["a", "b", "b"])
    assert (verdict.requests, verdict.by_status) == (4, "200: 2, 201: 1, 503: 1")
    assert verdict.unavailable == "POST /authenticate: 1"
    assert (verdict.without_retry_after, verdict.server_errors, verdict.no_answer) == (0, 0, 0)
    assert verdict.longest_read == 1.5
    assert verdict.webhooks == Tally(expected=2, received=2, lost=0, duplicated=1)
    assert not verdict.broken
    for record in (
        Record("POST /repos", "POST", 503, 11.0, 0.01, False),
        Record("POST /repos", "POST", 500, 11.0, 0.01, False),
        Record("POST /repos", "POST", -1, 11.0, 30.0, False),
    ):
        assert judge(phase, [*records, record], ["a", "b"]).broken
    assert judge(phase, records, ["a"]).broken  # b lost
