"""Tests for service.core.update: matching a re-imported article to its catalog."""

from __future__ import annotations

import math
from dataclasses import replace
from unittest import mock

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from service.core import update
from service.core.update import Known, Match, Plan, Status, plan

A = "Chorus splits every article into segments."
B = "Volunteers translate the segments in the browser."
B_TYPO = "Volunteers translate the segmnets in the browser."
B_TYPOS = "Volunters translat the segmnets in the browsr."
C = "Finished languages are committed to git, one commit per language."
D = "Publishers pull the finished translations when they are ready."
X = "Our cat sleeps on the keyboard all afternoon."  # nothing like C
T = "Translate the segments one by one, and save each of them, please "  # a shared stem


def known(*pairs: tuple[int, str] | tuple[int, str, bool]) -> list[Known]:
    return [Known(*pair) for pair in pairs]


def unchanged(id: int) -> Match:
    return Match(-1, id, Status.UNCHANGED)


def outdated(id: int, previous: str) -> Match:
    return Match(-1, id, Status.OUTDATED, previous)


def new(id: int) -> Match:
    return Match(-1, id, Status.NEW)


ABC = known((1, A), (2, B), (3, C))

# (known, sources, keyword arguments, matches without their positions, obsolete ids, next id)
CASES = {
    "identical": (ABC, [A, B, C], {}, [unchanged(1), unchanged(2), unchanged(3)], (), 4),
    "typo is outdated": (
        ABC,
        [A, B_TYPO, C],
        {},
        [unchanged(1), outdated(2, B), unchanged(3)],
        (),
        4,
    ),
    "typo without retranslation": (
        ABC,
        [A, B_TYPO, C],
        {"retranslate": False},
        [unchanged(1), unchanged(2), unchanged(3)],
        (),
        4,
    ),
    "typo above a strict cutoff": (
        ABC,
        [A, B_TYPO, C],
        {"cutoff": 99.0},
        [unchanged(1), new(4), unchanged(3)],
        (2,),
        5,
    ),
    "deleted": (ABC, [A, C], {}, [unchanged(1), unchanged(3)], (2,), 4),
    "inserted at start": (
        ABC,
        [D, A, B, C],
        {},
        [new(4), unchanged(1), unchanged(2), unchanged(3)],
        (),
        5,
    ),
    "inserted in the middle": (
        ABC,
        [A, D, B, C],
        {},
        [unchanged(1), new(4), unchanged(2), unchanged(3)],
        (),
        5,
    ),
    "inserted at end": (
        ABC,
        [A, B, C, D],
        {},
        [unchanged(1), unchanged(2), unchanged(3), new(4)],
        (),
        5,
    ),
    "two inserted get increasing ids": (
        ABC,
        [D, A, B, C, X],
        {},
        [new(4), unchanged(1), unchanged(2), unchanged(3), new(5)],
        (),
        6,
    ),
    "moved": (ABC, [C, A, B], {}, [unchanged(3), unchanged(1), unchanged(2)], (), 4),
    "moved and edited": (
        ABC,
        [C, B_TYPO, A],
        {},
        [unchanged(3), outdated(2, B), unchanged(1)],
        (),
        4,
    ),
    "duplicates pair in order": (
        known((1, A), (2, B), (3, A)),
        [A, A, B],
        {},
        [unchanged(1), unchanged(3), unchanged(2)],
        (),
        4,
    ),
    "an extra duplicate is new": (
        known((1, A), (2, B), (3, A)),
        [A, B, A, A],
        {},
        [unchanged(1), unchanged(2), unchanged(3), new(4)],
        (),
        5,
    ),
    "a dropped duplicate is obsolete": (
        known((1, A), (2, A)),
        [A],
        {},
        [unchanged(1)],
        (2,),
        3,
    ),
    "obsolete revived": (
        known((1, A), (2, B, True), (3, C)),
        [A, B, C],
        {},
        [unchanged(1), unchanged(2), unchanged(3)],
        (),
        4,
    ),
    "active before obsolete": (
        known((1, B, True), (2, B)),
        [B, B],
        {},
        [unchanged(2), unchanged(1)],
        (),
        3,
    ),
    "obsolete never matched by similarity": (
        known((1, A), (2, B, True)),
        [A, B_TYPO],
        {},
        [unchanged(1), new(3)],
        (),
        4,
    ),
    "obsolete ids are never reused": (
        known((1, A), (7, B, True)),
        [A, D],
        {},
        [unchanged(1), new(8)],
        (),
        9,
    ),
    "very different paragraph replaces another": (
        ABC,
        [A, B, X],
        {},
        [unchanged(1), unchanged(2), new(4)],
        (3,),
        5,
    ),
    "best score wins over document order": (
        known((1, B)),
        [B_TYPOS, B_TYPO],
        {},
        [new(2), outdated(1, B)],
        (),
        3,
    ),
    "equal scores go to the nearest old position": (
        known((1, T + "a"), (2, A), (3, B), (4, T + "b")),
        [A, B, T + "c"],
        {},
        [unchanged(2), unchanged(3), outdated(4, T + "b")],
        (1,),
        5,
    ),
    "equal scores and distances go to the earlier segment": (
        known((1, T + "a"), (2, A), (3, T + "b")),
        [A, T + "c"],
        {},
        [unchanged(2), outdated(1, T + "a")],
        (3,),
        4,
    ),
    "empty document": (ABC, [], {}, [], (1, 2, 3), 4),
    "first import": ([], [A, B, C], {}, [new(1), new(2), new(3)], (), 4),
    "nothing at all": ([], [], {}, [], (), 1),
}


@pytest.mark.parametrize(
    ("known_segments", "sources", "options", "expected", "obsolete", "next_id"),
    CASES.values(),
    ids=CASES.keys(),
)
def test_plan(
    known_segments: list[Known],
    sources: list[str],
    options: dict[str, object],
    expected: list[Match],
    obsolete: tuple[int, ...],
    next_id: int,
) -> None:
    result = plan(known_segments, sources, **options)  # type: ignore[arg-type]
    assert result.matches == tuple(
        replace(match, position=position) for position, match in enumerate(expected)
    )
    assert result.obsolete == obsolete
    assert result.next_id == next_id


def test_counts() -> None:
    result = plan(ABC, [D, A, B_TYPO])
    assert result.counts() == {"new": 1, "unchanged": 1, "outdated": 1, "obsolete": 1}
    assert list(result.counts()) == ["new", "unchanged", "outdated", "obsolete"]


def test_values_are_frozen() -> None:
    result = plan(ABC, [A])
    with pytest.raises(AttributeError):
        result.next_id = 9  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.matches[0].id = 9  # type: ignore[misc]
    assert isinstance(result, Plan)
    assert Status.OUTDATED == "outdated"


@pytest.mark.parametrize(
    ("known_segments", "sources", "cutoff", "error", "message"),
    [
        (known((1, A), (1, B)), [A], 75.0, ValueError, "appears twice"),
        (known((1, A), (2, B, True), (2, C)), [A], 75.0, ValueError, "appears twice"),
        (known((0, A)), [A], 75.0, ValueError, "below 1"),
        (known((-3, A)), [A], 75.0, ValueError, "below 1"),
        (ABC, [A], 0.0, ValueError, "cutoff"),
        (ABC, [A], 100.5, ValueError, "cutoff"),
        (ABC, [A], math.nan, ValueError, "cutoff"),
        (ABC, A, 75.0, TypeError, "one string"),
    ],
    ids=[
        "duplicate id",
        "duplicate id with obsolete",
        "zero id",
        "negative id",
        "zero cutoff",
        "cutoff above 100",
        "nan cutoff",
        "one string",
    ],
)
def test_rejects_bad_input(
    known_segments: list[Known],
    sources: list[str],
    cutoff: float,
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        plan(known_segments, sources, cutoff=cutoff)


# Property tests. Sentences are drawn from a small vocabulary so that edits stay close.

WORDS = st.sampled_from(
    [
        *("the", "a", "segment", "source", "article", "volunteer", "translation", "catalog"),
        *("language", "git", "commit", "editor", "review", "target", "coverage", "publish"),
        *("draft", "paragraph", "heading", "list"),
    ]
)
SENTENCE = st.lists(WORDS, min_size=4, max_size=12).map(" ".join)
EDIT = st.one_of(
    st.just(("keep",)),
    st.just(("delete",)),
    st.tuples(st.just("insert"), SENTENCE),
    st.tuples(st.just("edit"), st.integers(min_value=0, max_value=50), WORDS),
)


def apply_edits(old: list[str], edits: list[tuple[object, ...]]) -> tuple[list[str], list[int]]:
    """Return the new sources and, per new source, the old index it keeps verbatim or -1."""
    new: list[str] = []
    kept_from: list[int] = []
    for index, text in enumerate(old):
        edit = edits[index % len(edits)]
        if edit[0] == "keep":
            new.append(text)
            kept_from.append(index)
        elif edit[0] == "insert":
            new += [str(edit[1]), text]
            kept_from += [-1, index]
        elif edit[0] == "edit":
            words = text.split()
            words.insert(int(str(edit[1])) % len(words), str(edit[2]))
            new.append(" ".join(words))
            kept_from.append(-1)
    return new, kept_from


@settings(max_examples=150, deadline=None)
@given(
    old=st.lists(SENTENCE, min_size=0, max_size=25, unique=True),
    edits=st.lists(EDIT, min_size=1, max_size=25),
    first_id=st.integers(min_value=1, max_value=1000),
    retranslate=st.booleans(),
)
def test_random_edits_keep_ids(
    old: list[str], edits: list[tuple[object, ...]], first_id: int, retranslate: bool
) -> None:
    new, kept_from = apply_edits(old, edits)
    changed = {text for text, index in zip(new, kept_from, strict=True) if index < 0}
    # An edit that recreates an existing text is an exact match, not an edit: keep them apart.
    assume(not changed & set(old) and len(set(new)) == len(new))
    catalog = [Known(first_id + 2 * index, text) for index, text in enumerate(old)]

    result = plan(catalog, new, retranslate=retranslate)

    assert [match.position for match in result.matches] == list(range(len(new)))
    for match, index in zip(result.matches, kept_from, strict=True):
        if index >= 0:
            assert (match.id, match.status) == (catalog[index].id, Status.UNCHANGED)
    ids = [match.id for match in result.matches]
    assert len(set(ids)) == len(ids)
    highest = max((segment.id for segment in catalog), default=0)
    fresh = [match.id for match in result.matches if match.status is Status.NEW]
    assert fresh == list(range(highest + 1, highest + 1 + len(fresh)))
    assert result.next_id == highest + 1 + len(fresh)
    sources = {segment.id: segment.source for segment in catalog}
    for match in result.matches:
        if match.status is Status.OUTDATED:
            assert retranslate
            assert match.previous == sources[match.id]
            assert fuzz.ratio(new[match.position], match.previous) >= 75.0
        else:
            assert match.previous is None
    counts = result.counts()
    assert counts["unchanged"] + counts["outdated"] + counts["new"] == len(new)
    matched_known = set(ids) & sources.keys()
    assert counts["obsolete"] + len(matched_known) == len(catalog)
    assert set(result.obsolete) == sources.keys() - matched_known


def reference_plan(catalog: list[Known], sources: list[str], cutoff: float) -> Plan:
    """The contract spelled out with every pair scored, to check the bounded-memory search."""
    used: set[int] = set()
    continued: dict[int, Known] = {}
    exact: set[int] = set()
    ordered = [s for s in catalog if not s.obsolete] + [s for s in catalog if s.obsolete]
    for position, source in enumerate(sources):
        for segment in ordered:
            if segment.id not in used and segment.source == source:
                continued[position] = segment
                exact.add(position)
                used.add(segment.id)
                break
    active = [s for s in catalog if not s.obsolete]
    pairs = sorted(
        (-score, abs(position - rank), position, rank)
        for position, source in enumerate(sources)
        if position not in continued
        for rank, segment in enumerate(active)
        if segment.id not in used and (score := fuzz.ratio(source, segment.source)) >= cutoff
    )
    for _, _, position, rank in pairs:
        if position not in continued and active[rank].id not in used:
            continued[position] = active[rank]
            used.add(active[rank].id)
    next_id = max((s.id for s in catalog), default=0) + 1
    matches = []
    for position in range(len(sources)):
        segment = continued.get(position)
        if segment is None:
            matches.append(Match(position, next_id, Status.NEW))
            next_id += 1
        elif position in exact:
            matches.append(Match(position, segment.id, Status.UNCHANGED))
        else:
            matches.append(Match(position, segment.id, Status.OUTDATED, segment.source))
    obsolete = tuple(s.id for s in active if s.id not in used)
    return Plan(tuple(matches), obsolete, next_id)


# Short strings over three letters: many pairs score alike, so candidates are often taken.
TINY = st.text(alphabet="ab ", min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(
    old=st.lists(st.tuples(TINY, st.booleans()), max_size=14),
    new=st.lists(TINY, max_size=14),
    cutoff=st.sampled_from([40.0, 60.0, 75.0]),
    top_k=st.sampled_from([1, 2, 4]),
)
def test_matches_the_full_matrix_greedy(
    old: list[tuple[str, bool]], new: list[str], cutoff: float, top_k: int
) -> None:
    catalog = [Known(index + 1, text, obsolete) for index, (text, obsolete) in enumerate(old)]
    with mock.patch.object(update, "_TOP_K", top_k):
        result = plan(catalog, new, cutoff=cutoff)
    assert result == reference_plan(catalog, new, cutoff)
