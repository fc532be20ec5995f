"""Suggestions for one segment: the translation memory, then a machine translation.

Contract:

1. :func:`for_segment` gives the best memory matches of the segment's source in the
   language (:func:`service.memory.suggestions`, the segment's own translation left out),
   and, when the engine supports English to that language, one machine translation,
   labelled with the engine's name. Nothing is saved: a person takes a suggestion into
   the text box and saves it like any other text.
2. The engine runs with the timeout given (``CHORUS_MT_TIMEOUT``); a slow, failing or
   missing engine gives no machine suggestion, never an error. Its answers are kept in a
   small per-process cache (source, language) so moving back and forth costs nothing.
   This is the one call in a request that starts a process: it is bounded by the timeout,
   is asked for only when a volunteer opens a segment, and is its own request, so pages
   and saves never wait for it.
3. Raises NotFound or LanguageError for an unknown article, segment or language.
"""

from __future__ import annotations

from dataclasses import dataclass

from service import memory, queries
from service.core import mt


@dataclass(frozen=True)
class Machine:
    engine: str
    text: str


@dataclass(frozen=True)
class Suggestions:
    memory: tuple[memory.Match, ...]
    machine: Machine | None


def for_segment(
    slug: str, code: str, number: int, engine: mt.Backend, timeout: float
) -> Suggestions:
    language = queries.language(code)
    segment = queries.segment(queries.article(slug), number)
    matches = memory.suggestions(language, segment.source, exclude_segment_id=segment.id)
    machine = None
    if engine.supports("en", language):
        text = _machine(engine, segment.source, language, timeout)
        if text:
            machine = Machine(engine.name, text)
    return Suggestions(tuple(matches), machine)


_CACHE: dict[tuple[str, str, str], str] = {}
_CACHE_SIZE = 2048


def _machine(engine: mt.Backend, source: str, language: str, timeout: float) -> str | None:
    """The engine's translation, from the cache when asked before; a failure or a timeout
    is not kept, so the next try may succeed."""
    key = (engine.name, language, source)
    if key in _CACHE:
        return _CACHE[key]
    text = engine.translate(source, "en", language, timeout)
    if text is not None:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)), None)  # the oldest
        _CACHE[key] = text
    return text
