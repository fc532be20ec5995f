"""The geometry of a line chart of words over time, for a server-rendered SVG.

Contract:

1. :func:`lines` takes, per label (a language code), a series of (day, value) points
   sorted by day, the first and last day to show, and the chart's size; it returns a
   :class:`Chart` whose polylines are step lines (a value holds until the next point,
   and the last one until ``end``), scaled so the largest value reaches the top.
2. Coordinates are in the SVG's user units, origin top left, rounded to one decimal;
   ``ticks`` are (y, value) for 0, half and the top value, ``days`` the x of the first
   and last day. An empty input, or one whose values are all 0, draws flat lines at 0.
3. Pure: no I/O, no markup (the template escapes every label it writes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str  # "x,y x,y ..." for <polyline points>
    last: int  # the value at the end


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int  # the plot's margins, for the axes
    bottom: int
    top_value: int
    start: date
    end: date
    lines: tuple[Line, ...]
    ticks: tuple[tuple[float, int], ...]


def lines(
    series: dict[str, list[tuple[date, int]]],
    start: date,
    end: date,
    *,
    width: int = 640,
    height: int = 220,
    left: int = 56,
    bottom: int = 28,
) -> Chart:
    """Step lines of every series between ``start`` and ``end`` (see the contract)."""
    if end < start:
        raise ValueError(f"the chart ends ({end}) before it starts ({start})")
    top_value = max((value for points in series.values() for _, value in points), default=0)
    span = max((end - start).days, 1)
    plot_w, plot_h = width - left - 8, height - bottom - 8

    def x(day: date) -> float:
        return round(left + plot_w * (min(max(day, start), end) - start).days / span, 1)

    def y(value: int) -> float:
        return round(8 + plot_h * (1 - value / top_value), 1) if top_value else 8.0 + plot_h

    drawn = []
    for index, (label, points) in enumerate(series.items()):
        value = 0
        for day, new in points:
            if day < start:
                value = new  # the value the chart opens with
        path = [(x(start), y(value))]
        for day, new in points:
            if start <= day <= end:
                path += [(x(day), y(value)), (x(day), y(new))]
                value = new
        path.append((x(end), y(value)))
        text = " ".join(f"{px},{py}" for px, py in path)
        drawn.append(Line(label, PALETTE[index % len(PALETTE)], text, value))
    ticks = tuple((y(value), value) for value in sorted({0, top_value // 2, top_value}))
    return Chart(width, height, left, bottom, top_value, start, end, tuple(drawn), ticks)
