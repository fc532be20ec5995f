"""When a language, and an article's language target, will be reached at the recent pace.

Contract:

1. :func:`language` takes the source words still to do, the words done over the last
   ``window`` days (the net gain: words translated minus words that became outdated),
   today and the deadline (or None), and returns a :class:`LanguageForecast`:
   - nothing left: finished, due today, never at risk;
   - no gain over the window (no activity, or as much undone as done): no date; at
     risk when there is a deadline, since nothing suggests it will be met;
   - otherwise the pace is gain / window words a day, the date is today plus
     ``ceil(remaining / pace)`` days, and it is at risk when that date falls after the
     deadline (a passed deadline with work left is always at risk); more than
   :data:`HORIZON_DAYS` away, the days are said but there is no date.
2. :func:`article` takes the target count, how many languages are published, and the
   forecast of every other started language, and returns an :class:`ArticleForecast`:
   ``reached`` when the published languages meet the target; otherwise the languages
   expected by the deadline (published, plus those finished or forecast on or before
   it; with no deadline, every one with a date) are counted, and the article is
   ``on track`` when they meet the target and ``at risk`` when they do not.
3. Every result carries ``how``: a :class:`~service.core.messages.Message` saying
   how it was computed, with the figures, for coordinators to check.
4. Raises ValueError for negative counts or a window under one day (programming errors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from service.core.messages import N_, Message

WINDOW_DAYS = 14  # the recent pace: words gained over the last two weeks
HORIZON_DAYS = 3653  # ten years: a date further out is no date (and may not exist)
REACHED = "reached"
ON_TRACK = "on track"
AT_RISK = "at risk"
VERDICTS = (REACHED, ON_TRACK, AT_RISK)


@dataclass(frozen=True)
class LanguageForecast:
    remaining: int  # source words still to do
    pace: float  # words a day over the window
    finish: date | None  # None: no pace to forecast from
    at_risk: bool
    how: Message

    @property
    def finished(self) -> bool:
        return self.remaining == 0


@dataclass(frozen=True)
class ArticleForecast:
    verdict: str  # one of VERDICTS
    published: int
    expected: int  # languages expected by the deadline, the published ones included
    target: int
    how: Message


def language(
    remaining: int,
    gained: int,
    today: date,
    deadline: date | None,
    window: int = WINDOW_DAYS,
) -> LanguageForecast:
    """The forecast of one language of one article (see the module's contract)."""
    if remaining < 0:
        raise ValueError(f"negative remaining words: {remaining}")
    if window < 1:
        raise ValueError(f"the window must be at least one day: {window}")
    if remaining == 0:
        return LanguageForecast(0, 0.0, today, False, N_("finished: no word left to translate"))
    pace = max(gained, 0) / window
    if pace == 0:
        how = N_(
            "%(remaining)s words left and none gained in the last %(window)s days:"
            " no pace to forecast from",
            remaining=remaining,
            window=window,
        )
        return LanguageForecast(remaining, 0.0, None, deadline is not None, how)
    days = math.ceil(remaining / pace)
    late = deadline is not None and today.toordinal() + days > deadline.toordinal()
    finish = today + timedelta(days=days) if days <= HORIZON_DAYS else None
    how = N_(
        "%(remaining)s words left at %(pace)s words a day (%(gained)s gained in the last"
        " %(window)s days): %(days)s days",
        remaining=remaining,
        pace=f"{pace:.1f}",
        gained=gained,
        window=window,
        days=days,
    )
    return LanguageForecast(remaining, pace, finish, late, how)


def article(
    target: int,
    published: int,
    others: list[LanguageForecast],
    deadline: date | None,
) -> ArticleForecast:
    """The verdict on one article's language target (see the module's contract)."""
    if target < 0 or published < 0:
        raise ValueError(f"negative counts: target {target}, published {published}")
    if published >= target:
        how = N_(
            "%(published)s languages published, the target is %(target)s",
            published=published,
            target=target,
        )
        return ArticleForecast(REACHED, published, published, target, how)
    if deadline is None:
        coming = sum(1 for item in others if item.finish is not None)
        how = N_(
            "%(published)s published and %(coming)s more moving at the recent pace,"
            " no deadline; the target is %(target)s",
            published=published,
            coming=coming,
            target=target,
        )
    else:
        coming = sum(1 for item in others if item.finish is not None and item.finish <= deadline)
        how = N_(
            "%(published)s published and %(coming)s more expected by %(deadline)s at the"
            " recent pace; the target is %(target)s",
            published=published,
            coming=coming,
            deadline=deadline.isoformat(),
            target=target,
        )
    expected = published + coming
    verdict = ON_TRACK if expected >= target else AT_RISK
    return ArticleForecast(verdict, published, expected, target, how)
