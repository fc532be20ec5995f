"""A word diff of two texts, for showing what changed in an outdated segment's source.

Contract: :func:`words` takes the old and the new text and returns a list of
``(op, text)`` pieces, ``op`` one of ``"same"``, ``"removed"``, ``"added"``, whose
``"same"`` and ``"removed"`` pieces joined give the old text back exactly and whose
``"same"`` and ``"added"`` pieces give the new text back exactly. Words and the
whitespace between them are compared as units (difflib's SequenceMatcher, no junk
heuristic), so a changed word shows as that word removed and its replacement added.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

Op = Literal["same", "removed", "added"]
_TOKEN = re.compile(r"\s+|[^\s]+")


def words(old: str, new: str) -> list[tuple[Op, str]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    pieces: list[tuple[Op, str]] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _add(pieces, "same", "".join(a[i1:i2]))
            continue
        if i2 > i1:
            _add(pieces, "removed", "".join(a[i1:i2]))
        if j2 > j1:
            _add(pieces, "added", "".join(b[j1:j2]))
    return pieces


def _add(pieces: list[tuple[Op, str]], op: Op, text: str) -> None:
    if pieces and pieces[-1][0] == op:
        pieces[-1] = (op, pieces[-1][1] + text)
    else:
        pieces.append((op, text))
