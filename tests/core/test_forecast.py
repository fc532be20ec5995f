"""The forecast arithmetic, table-driven: pace, remaining, deadline, no activity, finished."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.core import forecast

TODAY = date(2026, 12, 1)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.mark.parametrize(
    ("remaining", "gained", "deadline", "pace", "finish", "at_risk"),
    [
        # finished already: due today, whatever the pace or the deadline
        (0, 0, None, 0.0, TODAY, False),
        (0, 500, day(-3), 0.0, TODAY, False),
        # no activity yet: no date; at risk only when a deadline is set
        (120, 0, None, 0.0, None, False),
        (120, 0, day(30), 0.0, None, True),
        # more undone than done over the window (a re-import outdated work): no pace
        (120, -40, day(30), 0.0, None, True),
        # 140 words in 14 days is 10 a day: 100 words left take 10 days
        (100, 140, None, 10.0, day(10), False),
        (100, 140, day(10), 10.0, day(10), False),  # on the deadline is in time
        (100, 140, day(9), 10.0, day(10), True),  # a day late
        # partial days round up: 101 words at 10 a day take 11 days
        (101, 140, day(10), 10.0, day(11), True),
        # a slow pace: 7 words in 14 days, 3 left: 6 days
        (3, 7, day(30), 0.5, day(6), False),
        # a deadline already passed with work left is at risk
        (10, 1400, day(-1), 100.0, day(1), True),
        (10, 1400, TODAY, 100.0, day(1), True),
        # past ten years there is no date (nor, past year 9999, any date to give)
        (210_000, 1, None, 1 / 14, None, False),
        (210_000, 1, day(30), 1 / 14, None, True),
        (3653, 14, None, 1.0, day(3653), False),
    ],
)
def test_language_forecast(remaining, gained, deadline, pace, finish, at_risk):
    found = forecast.language(remaining, gained, TODAY, deadline)
    assert found.remaining == remaining
    assert found.pace == pytest.approx(pace)
    assert found.finish == finish
    assert found.at_risk is at_risk
    assert found.finished is (remaining == 0)
    assert str(found.how)  # every forecast says how it was computed


def test_the_explanation_carries_the_figures():
    found = forecast.language(100, 140, TODAY, day(9))
    assert str(found.how) == (
        "100 words left at 10.0 words a day (140 gained in the last 14 days): 10 days"
    )
    assert found.how.params["days"] == 10
    idle = forecast.language(120, 0, TODAY, None)
    assert "none gained in the last 14 days" in idle.how


def test_a_shorter_window_is_a_faster_pace():
    assert forecast.language(100, 70, TODAY, None, window=7).finish == day(10)


def lang(finish: date | None, remaining: int = 10) -> forecast.LanguageForecast:
    return forecast.LanguageForecast(remaining, 1.0 if finish else 0.0, finish, False, "")


@pytest.mark.parametrize(
    ("target", "published", "others", "deadline", "verdict", "expected"),
    [
        # the target met (or passed) is reached, whatever else is going on
        (13, 13, [], None, forecast.REACHED, 13),
        (3, 5, [lang(None)], day(1), forecast.REACHED, 5),
        (0, 0, [], None, forecast.REACHED, 0),
        # nothing started: at risk
        (13, 0, [], day(30), forecast.AT_RISK, 0),
        (13, 0, [], None, forecast.AT_RISK, 0),
        # 2 published, 1 in time, 1 late, 1 idle: 3 expected of 3 by the deadline
        (3, 2, [lang(day(5)), lang(day(40)), lang(None)], day(30), forecast.ON_TRACK, 3),
        # the same with a target of 4: the late one does not count
        (4, 2, [lang(day(5)), lang(day(40)), lang(None)], day(30), forecast.AT_RISK, 3),
        # finished but not yet published counts (due today)
        (3, 2, [lang(TODAY, remaining=0)], day(30), forecast.ON_TRACK, 3),
        # no deadline: every language with a date counts, the idle ones do not
        (4, 2, [lang(day(5)), lang(day(400)), lang(None)], None, forecast.ON_TRACK, 4),
        (5, 2, [lang(day(5)), lang(day(400)), lang(None)], None, forecast.AT_RISK, 4),
    ],
)
def test_article_verdict(target, published, others, deadline, verdict, expected):
    found = forecast.article(target, published, others, deadline)
    assert found.verdict == verdict
    assert found.expected == expected
    assert found.target == target and found.published == published
    assert str(target) in found.how


@pytest.mark.parametrize(
    "call",
    [
        lambda: forecast.language(-1, 0, TODAY, None),
        lambda: forecast.language(1, 0, TODAY, None, window=0),
        lambda: forecast.article(-1, 0, [], None),
    ],
)
def test_nonsense_is_a_programming_error(call):
    with pytest.raises(ValueError):
        call()
