"""Progress over time, from the history: words done per day, contributors, last activity.

Contract:

1. :func:`activity` reads the history (``changes``) of the active segments of some
   articles in one query, oldest first, and replays it per article and language:
   after each day with changes, the done words are the source words of the active
   segments whose latest state counts as done (translated, or approved where the article
   asks for review). The series is what the dashboard charts and what the forecast's
   pace is measured on (:func:`Activity.done_on`).
2. Words are today's source words of each segment (a segment's words as imported last),
   so the last point of a series equals the coverage summary's done words when every
   change went through the history (saves, uploads, imports, reverts and approvals do).
3. Contributors are the people with changes in the language, most changes first; the
   last activity is the time of the newest change. Imports (no person) count for neither.
4. Reads only: one query replays the history (with each segment's words), a second
   fetches the contributors' counts and names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from service.core.stats import State
from service.db import db
from service.models import Article, Change, Segment, User


@dataclass
class Activity:
    series: list[tuple[date, int]] = field(default_factory=list)  # (day, done words), by day
    contributors: list[tuple[str, int]] = field(default_factory=list)  # (name, changes)
    last: datetime | None = None

    def done_on(self, day: date) -> int:
        """Done words at the end of ``day`` (0 before the first change)."""
        done = 0
        for when, words in self.series:
            if when > day:
                break
            done = words
        return done


def activity(items: list[Article]) -> dict[tuple[int, str], Activity]:
    """The activity of every started language of these articles, keyed (article id, code)."""
    if not items:
        return {}
    review = {item.id: item.review_required for item in items}
    found: dict[tuple[int, str], Activity] = defaultdict(Activity)
    states: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    done: dict[tuple[int, str], int] = defaultdict(int)
    query = (
        select(
            Change.segment_id,
            Change.language,
            Change.at,
            Change.new_state,
            Change.user_id,
            Segment.article_id,
            Segment.words,
        )
        .join(Segment, Segment.id == Change.segment_id)
        .where(Segment.article_id.in_(review), Segment.obsolete.is_(False))
        .order_by(Change.at, Change.id)
    )
    for segment_id, code, at, state, user_id, article_id, count in db.session.execute(query):
        key = (article_id, code)
        threshold = State.APPROVED if review[article_id] else State.TRANSLATED
        before = states[key].get(segment_id, 0) >= threshold
        after = state >= threshold
        states[key][segment_id] = state
        done[key] += count * (after - before)
        item = found[key]
        series, day = item.series, at.date()
        if series and series[-1][0] == day:
            series[-1] = (day, done[key])
        else:
            series.append((day, done[key]))
        if user_id is not None:
            item.last = at
    people = (
        select(Segment.article_id, Change.language, User.name, func.count(), func.max(Change.at))
        .join(Segment, Segment.id == Change.segment_id)
        .join(User, User.id == Change.user_id)
        .where(Segment.article_id.in_(review), Segment.obsolete.is_(False))
        .group_by(Segment.article_id, Change.language, User.name)
        .order_by(func.count().desc(), User.name)
    )
    for article_id, code, name, changes, _last in db.session.execute(people):
        found[(article_id, code)].contributors.append((name, changes))
    return dict(found)
