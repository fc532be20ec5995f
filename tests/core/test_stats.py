"""Tests for service.core.stats: states, honest percentages, counts, language states."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.core.stats import (
    FINISHED,
    IN_PROGRESS,
    LANGUAGE_STATES,
    NOT_STARTED,
    OUTDATED,
    PUBLISHED,
    Counts,
    State,
    count,
    language_state,
    percent,
)

EM, OD, TR, AP = State.EMPTY, State.OUTDATED, State.TRANSLATED, State.APPROVED


@pytest.mark.parametrize(
    ("state", "value", "label"),
    [(EM, 0, "empty"), (OD, 10, "outdated"), (TR, 20, "translated"), (AP, 30, "approved")],
)
def test_state_values_and_labels(state: State, value: int, label: str) -> None:
    assert (int(state), state.label) == (value, label)


def test_states_are_ordered() -> None:
    assert sorted([AP, EM, TR, OD]) == [EM, OD, TR, AP]
    assert EM < OD < TR < AP


@pytest.mark.parametrize(
    ("part", "total", "expected"),
    [
        (0, 0, 0.0),
        (0, 10, 0.0),
        (10, 10, 100.0),
        (1, 2, 50.0),
        (1, 3, 33.3),
        (2, 3, 66.7),
        (999, 1000, 99.9),
        (9999, 10000, 99.9),  # rounds to 100.0, shown as 99.9
        (1, 1000, 0.1),
        (1, 100000, 0.1),  # rounds to 0.0, shown as 0.1
        (7, 13, 53.8),
    ],
)
def test_percent(part: int, total: int, expected: float) -> None:
    assert percent(part, total) == expected


@pytest.mark.parametrize(("part", "total"), [(-1, 5), (1, -5), (6, 5), (1, 0)])
def test_percent_rejects(part: int, total: int) -> None:
    with pytest.raises(ValueError):
        percent(part, total)


@given(st.integers(min_value=1, max_value=10**9).flatmap(
    lambda total: st.tuples(st.integers(min_value=0, max_value=total), st.just(total))
))  # fmt: skip
def test_percent_is_honest(part_total: tuple[int, int]) -> None:
    part, total = part_total
    value = percent(part, total)
    assert 0.0 <= value <= 100.0
    assert (value == 100.0) == (part == total)
    assert (value == 0.0) == (part == 0)


# (state, words) of each active segment; then the expected counts, with and without review.
ARTICLE = [(EM, 5), (OD, 7), (TR, 10), (TR, 3), (AP, 25)]


@pytest.mark.parametrize(
    ("items", "review", "expected"),
    [
        # (total, total words, done, done words, % done, % done words, complete)
        ([], False, (0, 0, 0, 0, 0.0, 0.0, False)),
        ([], True, (0, 0, 0, 0, 0.0, 0.0, False)),
        (ARTICLE, False, (5, 50, 3, 38, 60.0, 76.0, False)),
        (ARTICLE, True, (5, 50, 1, 25, 20.0, 50.0, False)),
        ([(TR, 4), (AP, 6)], False, (2, 10, 2, 10, 100.0, 100.0, True)),
        ([(TR, 4), (AP, 6)], True, (2, 10, 1, 6, 50.0, 60.0, False)),
        ([(AP, 4), (AP, 6)], True, (2, 10, 2, 10, 100.0, 100.0, True)),
        ([(OD, 4), (TR, 6)], False, (2, 10, 1, 6, 50.0, 60.0, False)),
        ([(EM, 1)], False, (1, 1, 0, 0, 0.0, 0.0, False)),
        ([(TR, 0), (EM, 9)], False, (2, 9, 1, 0, 50.0, 0.0, False)),  # a segment of no words
        ([(TR, 1)] + [(EM, 1)] * 1999, False, (2000, 2000, 1, 1, 0.1, 0.1, False)),
        ([(TR, 1)] * 1999 + [(EM, 1)], False, (2000, 2000, 1999, 1999, 99.9, 99.9, False)),
    ],
)
def test_count(
    items: list[tuple[State, int]],
    review: bool,
    expected: tuple[int, int, int, int, float, float, bool],
) -> None:
    counts = count(items)
    assert (
        counts.total_segments,
        counts.total_words,
        counts.done(review),
        counts.done_words(review),
        counts.percent_done(review),
        counts.percent_done_words(review),
        counts.is_complete(review),
    ) == expected


def test_count_per_state() -> None:
    counts = count(ARTICLE)
    assert dict(counts.segments) == {EM: 1, OD: 1, TR: 2, AP: 1}
    assert dict(counts.words) == {EM: 5, OD: 7, TR: 13, AP: 25}
    assert counts.started == 4


def test_counts_fill_missing_states_and_are_read_only() -> None:
    counts = Counts(segments={TR: 2}, words={TR: 9})
    assert dict(counts.segments) == {EM: 0, OD: 0, TR: 2, AP: 0}
    with pytest.raises(TypeError):
        counts.segments[EM] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "items",
    [[(TR, -1)], [(15, 3)], [(99, 3)]],
)
def test_count_rejects(items: list[tuple[State, int]]) -> None:
    with pytest.raises(ValueError):
        count(items)


def test_counts_reject_negative_values() -> None:
    with pytest.raises(ValueError):
        Counts(segments={TR: -1})


NONE = count([(EM, 3), (EM, 4)])
SOME = count([(TR, 3), (EM, 4)])
OUTDATED_ONLY = count([(OD, 3), (EM, 4)])
ALL_TRANSLATED = count([(TR, 3), (TR, 4)])
ALL_APPROVED = count([(AP, 3), (AP, 4)])
MIXED_DONE = count([(TR, 3), (AP, 4)])
NO_SEGMENTS = count([])


@pytest.mark.parametrize(
    ("counts", "review", "critical", "published", "outdated", "expected"),
    [
        # finished: every active segment translated, no critical check failing
        (ALL_TRANSLATED, False, 0, False, False, FINISHED),
        (MIXED_DONE, False, 0, False, False, FINISHED),
        (ALL_APPROVED, False, 0, False, False, FINISHED),
        # ... where review is required, every one approved
        (ALL_APPROVED, True, 0, False, False, FINISHED),
        (MIXED_DONE, True, 0, False, False, IN_PROGRESS),
        (ALL_TRANSLATED, True, 0, False, False, IN_PROGRESS),
        # ... and a critical failure keeps it from being finished
        (ALL_TRANSLATED, False, 1, False, False, IN_PROGRESS),
        (ALL_APPROVED, True, 2, False, False, IN_PROGRESS),
        # published: its finished catalog committed at the current source revision
        (ALL_TRANSLATED, False, 0, True, False, PUBLISHED),
        (ALL_APPROVED, True, 0, True, False, PUBLISHED),
        # outdated: published, and the source has changed since
        (SOME, False, 0, True, True, OUTDATED),
        (ALL_TRANSLATED, False, 0, True, True, OUTDATED),  # updated, not yet republished
        (NONE, False, 0, True, True, OUTDATED),
        # otherwise in progress ...
        (SOME, False, 0, False, False, IN_PROGRESS),
        (SOME, True, 0, False, False, IN_PROGRESS),
        (OUTDATED_ONLY, False, 0, False, False, IN_PROGRESS),
        # ... or not started
        (NONE, False, 0, False, False, NOT_STARTED),
        (NONE, True, 0, False, False, NOT_STARTED),
        (NO_SEGMENTS, False, 0, False, False, NOT_STARTED),
    ],
)
def test_language_state(
    counts: Counts, review: bool, critical: int, published: bool, outdated: bool, expected: str
) -> None:
    state = language_state(counts, review, critical, published, outdated)
    assert state == expected
    assert state in LANGUAGE_STATES


@pytest.mark.parametrize(
    ("critical", "published", "outdated"),
    [(-1, False, False), (0, False, True)],
)
def test_language_state_rejects(critical: int, published: bool, outdated: bool) -> None:
    with pytest.raises(ValueError):
        language_state(SOME, False, critical, published, outdated)
