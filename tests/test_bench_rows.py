"""The bench's pass/fail judgements, on made-up measurements."""

from collections import Counter

from bench import comments, pages, scale
from bench.sites import embedded
from bench.wrk import WrkResult


def result(rate, errors=0, p99=5.0):
    return WrkResult(
        requests=int(rate * 10),
        seconds=10,
        rate=rate,
        latency_ms={50: 1.0, 99: p99},
        non_2xx=errors,
    )


def test_a_ratio_row_passes_at_its_target_and_fails_below_or_with_errors():
    reference = pages.Reference("nginx static", 1000)
    assert pages.ratio_row("a", result(700), reference, 0.7, "").passed is True
    assert pages.ratio_row("a", result(690), reference, 0.7, "").passed is False
    assert (
        pages.ratio_row("a", result(900, errors=1), reference, 0.7, "").passed is False
    )
    assert pages.ratio_row("a", result(10), reference, None, "").passed is None
    assert pages.latency_row("p99", result(1, p99=20.5)).passed is False


def test_comments_must_be_stored_exactly_as_posted(tmp_path):
    site = embedded(tmp_path)

    def run(stored, answered):
        return comments.CommentRun(
            answered=Counter(answered),
            latencies_ms=[1.0],
            seconds=1,
            stored=stored,
            prepared=100,
        )

    assert comments.rows(site, run(10, {200: 10}), "")[1].passed is True
    assert comments.rows(site, run(11, {200: 10}), "")[1].passed is False
    assert comments.rows(site, run(10, {200: 10, 429: 1}), "")[0].passed is False


def test_the_scale_test_fails_on_a_lost_view_or_a_failed_read():
    tally = scale.Tally(beacons_sent=100, comments_posted=10)
    tally.answered.update({("GET", 200): 1000, ("beacon", 502): 2})
    errors, comment_row, view_row, _ = scale.rows(tally, 100, 10, "killed")
    assert errors.passed and comment_row.passed and view_row.passed

    assert scale.rows(tally, 99, 10, "")[2].passed is False  # a view lost
    assert scale.rows(tally, 100, 9, "")[1].passed is False  # a comment lost
    tally.answered[("GET", 502)] = 1
    assert scale.rows(tally, 100, 10, "")[0].passed is False
    tally.answered[("GET", 502)] = 0
    tally.answered[("comment", 502)] = 20  # more than were in flight
    assert scale.rows(tally, 100, 10, "")[0].passed is False
