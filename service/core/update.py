"""Match the segments of a re-imported article to the segments its catalog already has.

What goes in: the catalog's known segments (stable id, source, obsolete or not) and the
new article's segment sources, in document order. What comes out: a :class:`Plan` with one
:class:`Match` per new source, the ids of segments that became obsolete, and the next free
id. Nothing is read or written here; the caller applies the plan to the database.

The principles of matching, applied in this order:

1. Exact text first. Each new source takes the first unused known segment with the same
   text, active segments before obsolete ones; duplicated texts pair in order (the first
   new occurrence with the first known one). An obsolete segment whose text comes back is
   revived with its id, and so with its translation. Status UNCHANGED.
2. Then similar text, among what is left. Only active known segments take part. Pairs
   scoring at least ``cutoff`` with RapidFuzz's ``fuzz.ratio`` (0 to 100, case-sensitive,
   no preprocessing) are chosen greedily, best score first; a tie goes to the pair whose
   new position is closest to the known segment's old position (its index among the active
   known segments), then to the earlier new position, then to the earlier known segment.
   Each side is used at most once. Status OUTDATED, with ``previous`` set to the known
   source so an editor can show the change; with ``retranslate=False`` (the coordinator's
   "no re-translation needed", for a typo fix) UNCHANGED and no ``previous``.
3. Every new source still unmatched is NEW and gets a fresh id: one more than the highest
   id ever seen, increasing in document order. Ids are never reused, not even the ids of
   obsolete segments.
4. Every active known segment matched by nothing becomes obsolete.

Promised: the plan depends only on its input (no randomness, no thread timing); every id
in ``matches`` is distinct; a text found once among the known segments and once among the
new sources keeps its id, wherever it moved.

Cost: exact matching is one dict pass, O(n). Similar matching compares only the leftovers,
L new sources against M known segments, one new source at a time (``process.extract``), so
the work is O(L * M) comparisons in RapidFuzz's C++ code, which skips pairs whose lengths
alone rule out the cutoff. Memory stays O(L * TOP_K + M) however large L and M are: of each
new source's candidates only the best ``_TOP_K`` are kept, and the next ones are fetched
again, against what is still free, only if all of those are taken first. The greedy choice
is the same as with the full L x M score matrix, which is never built. (``process.cdist``
would build that matrix, and it needs NumPy, which Chorus does not depend on.)
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process

# Candidates kept per leftover source. Real edits have one close candidate; more are
# fetched again only for a source whose kept candidates were all taken by better pairs.
_TOP_K = 4


@dataclass(frozen=True)
class Known:
    """A segment the catalog already has."""

    id: int
    source: str
    obsolete: bool = False


class Status(StrEnum):
    """What re-importing does to a new source's segment."""

    UNCHANGED = "unchanged"
    OUTDATED = "outdated"
    NEW = "new"


@dataclass(frozen=True)
class Match:
    """The segment one new source continues, or the fresh one it starts."""

    position: int
    id: int
    status: Status
    previous: str | None = None


@dataclass(frozen=True)
class Plan:
    """The outcome of matching a new version of an article to its catalog."""

    matches: tuple[Match, ...]
    obsolete: tuple[int, ...]
    next_id: int

    def counts(self) -> dict[str, int]:
        """Return how many segments are new, unchanged, outdated and obsolete."""
        counts = dict.fromkeys(("new", "unchanged", "outdated"), 0)
        for match in self.matches:
            counts[match.status.value] += 1
        counts["obsolete"] = len(self.obsolete)
        return counts


def plan(
    known: Sequence[Known],
    sources: Sequence[str],
    *,
    retranslate: bool = True,
    cutoff: float = 75.0,
) -> Plan:
    """Match new segment sources to known segments by the principles above.

    Raises ValueError when two known segments share an id, an id is below 1, or ``cutoff``
    is not in (0, 100]; TypeError when ``sources`` is a single string.
    """
    _check(known, sources, cutoff)
    continued: list[int | None] = [None] * len(sources)  # index into `known`, per position
    exact = [False] * len(sources)
    used = [False] * len(known)

    by_text: dict[str, deque[int]] = {}
    for want_obsolete in (False, True):
        for index, segment in enumerate(known):
            if segment.obsolete is want_obsolete:
                by_text.setdefault(segment.source, deque()).append(index)
    for position, source in enumerate(sources):
        queue = by_text.get(source)
        if queue:
            index = queue.popleft()
            continued[position] = index
            exact[position] = used[index] = True

    active = [index for index, segment in enumerate(known) if not segment.obsolete]
    old_position = {index: rank for rank, index in enumerate(active)}
    free = {index: known[index].source for index in active if not used[index]}
    rows = [position for position, index in enumerate(continued) if index is None]
    for position, index in _pair_similar(sources, rows, free, old_position, cutoff).items():
        continued[position] = index
        used[index] = True

    next_id = max((segment.id for segment in known), default=0) + 1
    matches: list[Match] = []
    for position, index in enumerate(continued):
        if index is None:
            matches.append(Match(position, next_id, Status.NEW))
            next_id += 1
        elif exact[position] or not retranslate:
            matches.append(Match(position, known[index].id, Status.UNCHANGED))
        else:
            segment = known[index]
            matches.append(Match(position, segment.id, Status.OUTDATED, segment.source))
    obsolete = tuple(known[index].id for index in active if not used[index])
    return Plan(tuple(matches), obsolete, next_id)


def _check(known: Sequence[Known], sources: Sequence[str], cutoff: float) -> None:
    if isinstance(sources, str):
        raise TypeError("sources must be a sequence of strings, not one string")
    if not 0 < cutoff <= 100:
        raise ValueError(f"cutoff must be in (0, 100], not {cutoff!r}")
    seen: set[int] = set()
    for segment in known:
        if segment.id < 1:
            raise ValueError(f"segment id {segment.id} is below 1")
        if segment.id in seen:
            raise ValueError(f"segment id {segment.id} appears twice")
        seen.add(segment.id)


def _pair_similar(
    sources: Sequence[str],
    rows: Sequence[int],
    free: dict[int, str],
    old_position: Mapping[int, int],
    cutoff: float,
) -> dict[int, int]:
    """Pair leftover positions with free known indexes, best score first; consumes ``free``."""
    chosen: dict[int, int] = {}
    if not rows or not free:
        return chosen
    # A heap of (-score, distance, position, index): popping gives the global best pair.
    heap: list[tuple[float, int, int, int]] = []
    pending: dict[int, int] = {}  # entries per position still in the heap
    truncated: set[int] = set()  # positions with candidates beyond those in the heap

    def fetch(position: int) -> None:
        found = process.extract(
            sources[position],
            free,
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=None,
        )
        ranked = (
            (-score, abs(position - old_position[index]), position, index)
            for _, score, index in found
        )
        best = heapq.nsmallest(_TOP_K, ranked)
        for entry in best:
            heapq.heappush(heap, entry)
        pending[position] = len(best)
        if len(found) > len(best):
            truncated.add(position)
        else:
            truncated.discard(position)

    for position in rows:
        fetch(position)
    while heap and free:
        _, _, position, index = heapq.heappop(heap)
        pending[position] -= 1
        if position in chosen:
            continue
        if index in free:
            chosen[position] = index
            del free[index]
        elif pending[position] == 0 and position in truncated:
            # Its kept candidates were all taken; the next ones can only score lower, so
            # fetching them now keeps the order of the heap.
            fetch(position)
    return chosen
