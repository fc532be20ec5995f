"""The word diff shown for outdated segments gives both texts back exactly."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from service.core import diff


def _old(pieces):
    return "".join(text for op, text in pieces if op != "added")


def _new(pieces):
    return "".join(text for op, text in pieces if op != "removed")


def test_a_changed_word_is_removed_and_added() -> None:
    pieces = diff.words("Feedback in 13 languages.", "Feedback in 14 languages.")
    assert pieces == [
        ("same", "Feedback in "),
        ("removed", "13"),
        ("added", "14"),
        ("same", " languages."),
    ]


def test_identical_texts_are_one_same_piece() -> None:
    assert diff.words("a b", "a b") == [("same", "a b")]
    assert diff.words("", "") == []


@given(st.text(alphabet="ab \n.", max_size=40), st.text(alphabet="ab \n.", max_size=40))
def test_both_texts_come_back_exactly(old: str, new: str) -> None:
    pieces = diff.words(old, new)
    assert _old(pieces) == old
    assert _new(pieces) == new
    assert all(text for _, text in pieces)
    assert all(a[0] != b[0] for a, b in itertools.pairwise(pieces))
