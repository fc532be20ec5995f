"""The chart's geometry: step lines scaled to the largest value, between two days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.core import chart

START = date(2026, 11, 1)


def day(offset: int) -> date:
    return START + timedelta(days=offset)


def points(line: chart.Line) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in line.points.split()]


def test_a_step_line_holds_each_value_until_the_next_and_reaches_the_top() -> None:
    found = chart.lines(
        {"es": [(day(0), 50), (day(5), 100)]}, START, day(10), width=118, height=136
    )
    # plot: x from 56 to 110 (54 units for 10 days), y from 8 (top) to 108 (0)
    assert points(found.lines[0]) == [
        (56.0, 108.0),
        (56.0, 108.0),
        (56.0, 58.0),
        (83.0, 58.0),
        (83.0, 8.0),
        (110.0, 8.0),
    ]
    assert found.top_value == 100 and found.lines[0].last == 100
    assert [value for _, value in found.ticks] == [0, 50, 100]


def test_points_before_the_start_open_the_line_and_after_the_end_are_left_out() -> None:
    found = chart.lines({"fr": [(day(-3), 40), (day(2), 80), (day(20), 10)]}, START, day(10))
    line = found.lines[0]
    assert line.last == 80
    ys = [y for _, y in points(line)]
    assert ys[0] == ys[1]  # opens at 40, not at 0
    assert max(x for x, _ in points(line)) == found.width - 8


def test_no_values_draws_flat_lines_at_zero() -> None:
    found = chart.lines({"de": [(day(1), 0)]}, START, day(2))
    assert {y for _, y in points(found.lines[0])} == {found.height - found.bottom}
    assert found.ticks == ((found.height - found.bottom, 0),)


def test_every_language_has_its_colour() -> None:
    series = {code: [(day(0), 1)] for code in ("a", "b", "c")}
    colours = [line.colour for line in chart.lines(series, START, day(1)).lines]
    assert len(set(colours)) == 3


def test_an_end_before_the_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        chart.lines({}, day(1), day(0))
