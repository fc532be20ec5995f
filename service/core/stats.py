"""Translation states and coverage: segment states in, counts, percentages and a label out.

Contract:

1. ``State`` is the ordered state of one segment's translation:
   EMPTY < OUTDATED (fuzzy) < TRANSLATED < APPROVED, as integers like Weblate's.
2. ``count`` takes (state, source words) for every active segment of one language of one
   article (obsolete segments are not passed in) and returns ``Counts``: segments and
   words per state, with what is done with and without review.
3. ``percent`` is honest: 100.0 only when everything is done, never 0.0 when something is.
4. ``language_state`` names the state of a language of an article, as defined in the
   design's "Translation states": not started, in progress, finished, published, outdated.
5. Raises: ``ValueError`` for negative counts, a part larger than its total, an unknown
   state, or contradictory flags. These are programming errors, not user input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType

__all__ = [
    "FINISHED",
    "IN_PROGRESS",
    "LANGUAGE_STATES",
    "NOT_STARTED",
    "OUTDATED",
    "PUBLISHED",
    "Counts",
    "State",
    "count",
    "language_state",
    "percent",
]

NOT_STARTED = "not started"
IN_PROGRESS = "in progress"
FINISHED = "finished"
PUBLISHED = "published"
OUTDATED = "outdated"
LANGUAGE_STATES = (NOT_STARTED, IN_PROGRESS, FINISHED, PUBLISHED, OUTDATED)


class State(IntEnum):
    """The state of one segment's translation; a higher value is further along."""

    EMPTY = 0
    OUTDATED = 10
    TRANSLATED = 20
    APPROVED = 30

    @property
    def label(self) -> str:
        """The lower-case word shown to people and sent over the API."""
        return self.name.lower()


def percent(part: int, total: int) -> float:
    """Return ``part`` of ``total`` in percent, one decimal, rounded away from 0 and 100.

    Raises ValueError when either is negative or part exceeds total.
    """
    if part < 0 or total < 0:
        raise ValueError(f"negative count: {part} of {total}")
    if part > total:
        raise ValueError(f"part exceeds total: {part} of {total}")
    if total == 0:
        return 0.0
    value = round(100 * part / total, 1)
    # Rounding alone would show 999 of 1000 as 100.0 and 1 of 2000 as 0.0.
    if part < total:
        value = min(value, 99.9)
    if part > 0:
        value = max(value, 0.1)
    return value


def _per_state(values: Mapping[State, int]) -> Mapping[State, int]:
    complete = {state: values.get(state, 0) for state in State}
    if any(number < 0 for number in complete.values()):
        raise ValueError(f"negative count in {complete}")
    return MappingProxyType(complete)


@dataclass(frozen=True)
class Counts:
    """Segments and source words per state, for one language of one article."""

    segments: Mapping[State, int] = field(default_factory=dict)
    words: Mapping[State, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every state is present and nothing can be changed afterwards.
        object.__setattr__(self, "segments", _per_state(self.segments))
        object.__setattr__(self, "words", _per_state(self.words))

    @property
    def total_segments(self) -> int:
        """Active segments."""
        return sum(self.segments.values())

    @property
    def total_words(self) -> int:
        """Source words in active segments."""
        return sum(self.words.values())

    @property
    def started(self) -> int:
        """Segments with any translation, outdated included."""
        return self.total_segments - self.segments[State.EMPTY]

    def done(self, review: bool) -> int:
        """Segments counted as done: APPROVED with review, TRANSLATED or APPROVED without."""
        return sum(self.segments[state] for state in _done_states(review))

    def done_words(self, review: bool) -> int:
        """Source words in segments counted as done."""
        return sum(self.words[state] for state in _done_states(review))

    def percent_done(self, review: bool) -> float:
        return percent(self.done(review), self.total_segments)

    def percent_done_words(self, review: bool) -> float:
        return percent(self.done_words(review), self.total_words)

    def is_complete(self, review: bool) -> bool:
        """True when every active segment is done; an article with none is not complete."""
        return self.total_segments > 0 and self.done(review) == self.total_segments


def _done_states(review: bool) -> tuple[State, ...]:
    return (State.APPROVED,) if review else (State.TRANSLATED, State.APPROVED)


def count(items: Iterable[tuple[State, int]]) -> Counts:
    """Count (state, source words) pairs, one per active segment.

    Raises ValueError for an unknown state or a negative word count.
    """
    segments = dict.fromkeys(State, 0)
    words = dict.fromkeys(State, 0)
    for raw_state, number in items:
        state = State(raw_state)
        if number < 0:
            raise ValueError(f"negative word count {number} for a {state.label} segment")
        segments[state] += 1
        words[state] += number
    return Counts(segments=segments, words=words)


def language_state(
    counts: Counts,
    review: bool,
    critical_failures: int,
    published: bool,
    outdated_since_publish: bool,
) -> str:
    """Name the state of one language of an article (one of ``LANGUAGE_STATES``).

    ``published``: a finished catalog of this language was committed;
    ``outdated_since_publish``: the source changed after that commit.
    Raises ValueError for negative failures, or outdated without published.
    """
    if critical_failures < 0:
        raise ValueError(f"negative number of critical failures: {critical_failures}")
    if outdated_since_publish and not published:
        raise ValueError("a language cannot be outdated since publication without a publication")
    if published:
        return OUTDATED if outdated_since_publish else PUBLISHED
    if counts.is_complete(review) and critical_failures == 0:
        return FINISHED
    if counts.started > 0:
        return IN_PROGRESS
    return NOT_STARTED
