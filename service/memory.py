"""Translation memory: suggestions for a segment from every translation already made, and TMX.

1. The memory of a language is every non-empty translation into it of state TRANSLATED or
   APPROVED (OUTDATED and EMPTY ones do not count), of every article, in active and obsolete
   segments alike, plus the ``memory_entries`` of that language (units imported from TMX).
   A (source, translation) pair is one entry however many segments or files hold it; its
   origin is that of its best holder (below). Sources are compared with every run of
   whitespace made one space and the ends stripped, as segments are.
2. :func:`suggestions` ``(language, source, *, limit=5, exclude_segment_id=None)`` returns at
   most ``limit`` :class:`Match` values, best first. ``score`` is RapidFuzz's ``fuzz.ratio``
   (Indel similarity, 0..100) of the two sources rounded down; 100 and ``exact=True`` only
   when they are equal, so a near match scores 99 at most. Pairs scoring under
   :data:`CUTOFF` (50) are left out. Order: the unrounded ratio, then approved translations
   before translated ones before TMX units, newer before older, then translation, source
   and origin as text, so equal inputs always give the same list. ``exclude_segment_id``
   leaves out that segment's own current translation (the same pair held elsewhere stays).
   The language is validated (``LanguageError``); an empty source has no suggestions.
3. Speed: each process keeps, per database engine and language, the memory in two parts,
   the language's translations and its imported entries, as lists ready for
   ``rapidfuzz.process.extract`` (which scores in C), and checks both on every call with one
   fingerprint query: count, sum of versions and highest id of the language's translations;
   count and highest id of all revisions (a re-import can change a segment's source and
   leave its translation as it is); the highest id of all memory entries. A save, approval,
   revert, upload or re-import rebuilds the translations part at the next call; a TMX import
   rebuilds the entries part of its own language (for the others it costs one indexed
   query). TMX imports are serialised (an advisory lock on PostgreSQL; SQLite has one writer),
   so entries are committed in id order and the highest id tells all. Figures for 100,000
   entries: ``bench/memory_bench.py``, ``docs/benchmarks.md``. A change made behind Chorus's
   back (an entry deleted, a row edited keeping the counts and versions) is seen only once
   the process restarts or the fingerprint moves for another reason.
4. :func:`export_tmx` ``(language) -> bytes`` writes the whole memory of a language (each
   pair once, sorted by source then translation) as TMX 1.4 with translate-toolkit's
   ``tmxfile``: source language ``en``, target the canonical BCP 47 code, the origin as the
   unit's ``<note>`` and its date as ``changedate``.
5. :func:`import_tmx` ``(language, data, name) -> ImportReport`` reads a TMX file with
   ``tmxfile`` and refuses it whole, importing nothing, when it is over
   :data:`MAX_TMX_BYTES` (``TooLarge``); when it is not well-formed XML, not TMX, or has no
   ``<body>`` (``CatalogError`` naming the file and, where the parser gives it, the line);
   when a unit's source is not English, or a ``<tuv>`` names no valid language or another
   target language than ``language`` (compared as canonical BCP 47 codes through
   :func:`service.core.languages.get`; ``CatalogError`` with the unit's line). Otherwise
   every new unit is inserted in one transaction with the file's name as origin. The report
   counts units added, duplicates (already in the memory: a memory entry, a current
   translation of the same text, or an earlier unit of the file), units with an empty
   source or translation, and units over :data:`MAX_UNIT_BYTES` (source and translation
   together, in UTF-8): pages of text, not sentences a volunteer would be offered. The
   unique key of an entry is a digest of its texts, so any length fits the index.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree
from rapidfuzz import fuzz, process
from sqlalchemy import func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from translate.misc.xml_helpers import getXMLlang
from translate.storage import tmx

from service import queries
from service.core import languages
from service.core.errors import CatalogError, LanguageError
from service.core.messages import N_
from service.core.stats import State
from service.db import db
from service.errors import TooLarge
from service.models import (
    Article,
    MemoryEntry,
    Revision,
    Segment,
    Translation,
    unit_digest,
    utcnow,
)

__all__ = [
    "CUTOFF",
    "MAX_TMX_BYTES",
    "MAX_UNIT_BYTES",
    "ImportReport",
    "Match",
    "export_tmx",
    "import_tmx",
    "suggestions",
]

CUTOFF = 50  # lowest fuzz.ratio a suggestion may have
MAX_TMX_BYTES = 16 * 1024 * 1024  # about 50,000 units of sentences; larger files are refused
MAX_UNIT_BYTES = 20_000  # source + translation in UTF-8: longer is no sentence to suggest
SOURCE_LANGUAGE = "en"
USED = (int(State.TRANSLATED), int(State.APPROVED))
# How a holder of a pair ranks among holders of equal score: higher first.
_APPROVED, _TRANSLATED, _IMPORTED = 3, 2, 1
_XML_POSITION = re.compile(r"(, line \d+)?, column \d+$")


@dataclass(frozen=True)
class Match:
    """One suggestion: how close its source is (0..100), its text and where it comes from."""

    score: int
    source: str
    translation: str
    origin: str  # "article <slug>, segment <n>" or "TMX <file name>"
    exact: bool


@dataclass(frozen=True)
class ImportReport:
    """What a TMX import did."""

    name: str
    language: str
    added: int
    duplicates: int
    empty: int  # units with an empty source or translation, skipped
    too_long: int = 0  # units over MAX_UNIT_BYTES, skipped

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.duplicates} duplicates", f"{self.empty} empty"]
        if self.too_long:
            parts.append(f"{self.too_long} too long (over {MAX_UNIT_BYTES} bytes)")
        return f"{self.name} into the {self.language} memory: {', '.join(parts)}"


def normalise(text: str) -> str:
    """A source as compared: every run of whitespace one space, no space at the ends."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # the usual case, as segments are stored (no whitespace but " " prints)
    return " ".join(text.split())


# --- the per-process memory ---------------------------------------------------------------

Holder = tuple[int, str, int | None]  # (rank: lower is better, origin, segment id or None)


@dataclass
class _Part:
    """One part of a language's memory (its translations, or its imported entries) as columns
    ready for RapidFuzz. Pair ``i`` has ``choices[i]`` (its normalised source), ``sources[i]``
    (as its best holder has it), ``translations[i]``, ``dates[i]`` and ``holders[i]`` (best
    first). Pairs are in their best holder's rank order, so RapidFuzz's ties, which it breaks
    by index, fall in that order. Plain lists of strings: nearly nothing for the garbage
    collector to walk."""

    fingerprint: tuple[Any, ...]
    choices: list[str]
    sources: list[str]
    translations: list[str]
    dates: list[datetime]
    holders: list[tuple[Holder, ...]]

    def best(self, index: int, exclude_segment_id: int | None) -> Holder | None:
        for holder in self.holders[index]:
            if exclude_segment_id is None or holder[2] != exclude_segment_id:
                return holder
        return None


_CACHE: weakref.WeakKeyDictionary[Any, dict[str, tuple[_Part, _Part]]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_ENTRIES_RANK = 1 << 40  # every imported entry ranks after every translation
# Imports take this lock (PostgreSQL; SQLite has one writer anyway), so memory entries are
# committed in id order and the highest id tells whether any were added.
_IMPORT_LOCK = 0x43686F7275734D  # "ChorusM"


def _fingerprint(code: str) -> tuple[tuple[Any, ...], int | None]:
    """One query: what changes whenever the translations of ``code`` may have changed
    (count, sum of versions and highest id of its translations; count and highest id of all
    revisions), and the highest id of all memory entries."""
    translations = (
        select(
            func.count(Translation.id),
            func.coalesce(func.sum(Translation.version), 0),
            func.max(Translation.id),
        )
        .where(Translation.language == code)
        .subquery()
    )
    revisions = select(func.count(Revision.id), func.max(Revision.id)).subquery()
    entries = select(func.max(MemoryEntry.id)).scalar_subquery()
    query = select(*translations.c, *revisions.c, entries).select_from(
        translations.join(revisions, true())  # one row each
    )
    *found, highest = db.session.execute(query).one()
    return tuple(found), highest


def _part(
    found: list[tuple[int, datetime, str, str, str, int | None]],
    offset: int,
    fingerprint: tuple[Any, ...],
) -> _Part:
    """A part from its holders: (rank class, date, translation, source, origin, segment id)."""
    found = [h for h in found if h[2].strip() and h[3].strip()]
    found.sort(key=lambda h: (h[2], h[3], h[4]))
    found.sort(key=lambda h: (h[0], h[1]), reverse=True)  # stable: the text order stays
    index: dict[tuple[str, str], int] = {}
    part = _Part(fingerprint, [], [], [], [], [])
    grouped: list[list[Holder]] = []
    for position, (_, when, translation, source, origin, segment_id) in enumerate(found):
        key = normalise(source)
        holder = (offset + position, origin, segment_id)
        at = index.setdefault((key, translation), len(grouped))
        if at < len(grouped):
            grouped[at].append(holder)
            continue
        grouped.append([holder])
        part.choices.append(key)
        part.sources.append(source)
        part.translations.append(translation)
        part.dates.append(when)
    part.holders = [tuple(holders) for holders in grouped]
    # The sources again, allocated one after the other: RapidFuzz then reads memory in order,
    # and scores 100,000 of them 2.4 times faster than strings scattered over the heap as the
    # database driver made them (docs/benchmarks.md). Normalised, they hold no line break.
    part.choices = "\n".join(part.choices).split("\n") if part.choices else []
    # A source that needed no normalising is kept once.
    part.sources = [c if c == s else s for c, s in zip(part.choices, part.sources, strict=True)]
    return part


def _translations(code: str, fingerprint: tuple[Any, ...]) -> _Part:
    query = (
        select(
            Translation.state,
            Translation.updated_at,
            Translation.text,
            Segment.source,
            Article.slug,
            Segment.number,
            Segment.id,
        )
        .join(Segment, Segment.id == Translation.segment_id)
        .join(Article, Article.id == Segment.article_id)
        .where(Translation.language == code, Translation.state.in_(USED), Translation.text != "")
    )
    found = [
        (
            _APPROVED if state == State.APPROVED else _TRANSLATED,
            when,
            text,
            source,
            N_("article %(slug)s, segment %(number)s", slug=slug, number=number),
            segment_id,
        )
        for state, when, text, source, slug, number, segment_id in db.session.execute(query)
    ]
    return _part(found, 0, fingerprint)


def _entries(code: str, fingerprint: tuple[Any, ...]) -> _Part:
    query = select(
        MemoryEntry.created_at, MemoryEntry.target, MemoryEntry.source, MemoryEntry.origin
    ).where(MemoryEntry.language == code)
    origins: dict[str, str] = {}  # one string per file, not per entry
    found = [
        (
            _IMPORTED,
            when,
            target,
            source,
            origins.setdefault(origin, N_("TMX %(name)s", name=origin)),
            None,
        )
        for when, target, source, origin in db.session.execute(query)
    ]
    return _part(found, _ENTRIES_RANK, fingerprint)


def _highest_entry(code: str) -> int | None:
    return db.session.scalar(select(func.max(MemoryEntry.id)).where(MemoryEntry.language == code))


def _memory(code: str) -> tuple[_Part, _Part]:
    """The memory of ``code`` for this database: its translations and its imported entries,
    each rebuilt only when its own fingerprint changed."""
    engine = db.session.get_bind()
    # Fingerprints before rows: a change committed in between only rebuilds once more.
    translated, highest = _fingerprint(code)
    with _LOCK:
        cached = _CACHE.setdefault(engine, {}).get(code)
    mine, entries = cached if cached is not None else (None, None)
    if mine is None or mine.fingerprint != translated:
        mine = _translations(code, translated)
    if entries is None or entries.fingerprint[0] != highest:
        # Some import added entries: of this language only if its own highest id moved.
        own = _highest_entry(code)
        if entries is None or entries.fingerprint[1] != own:
            entries = _entries(code, (highest, own))
        else:
            entries = replace(entries, fingerprint=(highest, own))
    with _LOCK:
        _CACHE.setdefault(engine, {})[code] = (mine, entries)
    return mine, entries


def suggestions(
    language: str, source: str, *, limit: int = 5, exclude_segment_id: int | None = None
) -> list[Match]:
    """The best ``limit`` matches for ``source`` in the memory of ``language``, best first.

    Raises LanguageError for an invalid language code.
    """
    code = queries.language(language)
    query = normalise(source)
    if not query or limit <= 0:
        return []
    ranked: dict[tuple[str, str], tuple[float, int, Match]] = {}
    mine, entries = _memory(code)
    for part in (mine, entries):
        # One more from the part that may hold the excluded translation: its pair may drop out.
        wanted = limit + (exclude_segment_id is not None and part is mine)
        found = process.extract(
            query, part.choices, scorer=fuzz.ratio, score_cutoff=CUTOFF, limit=wanted
        )
        for choice, ratio, index in found:
            holder = part.best(index, exclude_segment_id)
            key = (choice, part.translations[index])
            if holder is None or (key in ranked and ranked[key][1] < holder[0]):
                continue  # a pair held in both parts is shown from the better holder
            exact = choice == query
            score = 100 if exact else min(int(ratio), 99)
            match = Match(score, part.sources[index], key[1], holder[1], exact)
            ranked[key] = (-ratio, holder[0], match)
    best = sorted(ranked.values(), key=lambda item: item[:2])
    return [match for _, _, match in best[:limit]]


# --- TMX ----------------------------------------------------------------------------------


def export_tmx(language: str) -> bytes:
    """The memory of ``language`` as a TMX 1.4 file (UTF-8). Raises LanguageError."""
    code = queries.language(language)
    best: dict[tuple[str, str], tuple[int, str, str, datetime]] = {}
    for part in _memory(code):
        for index, key in enumerate(zip(part.choices, part.translations, strict=True)):
            rank, origin, _ = part.holders[index][0]
            if key not in best or rank < best[key][0]:
                best[key] = (rank, part.sources[index], origin, part.dates[index])
    store = tmx.tmxfile(sourcelanguage=SOURCE_LANGUAGE, targetlanguage=code)
    for (_, translation), (_, source, origin, when) in sorted(
        best.items(), key=lambda item: (item[1][1], item[0][1])
    ):
        unit = store.addsourceunit(source, SOURCE_LANGUAGE)
        unit.settarget(translation, code, append=True)
        unit.addnote(origin)
        unit.xmlelement.set("changedate", when.strftime("%Y%m%dT%H%M%SZ"))
    return bytes(store)


def import_tmx(
    language: str, data: bytes, name: str, *, max_bytes: int = MAX_TMX_BYTES
) -> ImportReport:
    """Add the units of a TMX file to the memory of ``language``; one transaction.

    Raises LanguageError, TooLarge, or CatalogError (nothing imported).
    """
    code = queries.language(language)
    if len(data) > max_bytes:
        raise TooLarge(f"{name}: larger than the limit of {max_bytes} bytes for a TMX file")
    units = _read(code, data, name)
    pairs, empty, too_long = [], 0, 0
    for source, target in units:
        if not source.strip() or not target.strip():
            empty += 1
        elif len(source.encode("utf-8")) + len(target.encode("utf-8")) > MAX_UNIT_BYTES:
            too_long += 1
        else:
            pairs.append((source, target))
    known = _known_pairs(code)
    new: dict[tuple[str, str], None] = {}
    for pair in pairs:
        if pair not in known:
            new.setdefault(pair)
    origin, now = Path(name).name, utcnow()
    rows = [
        {"language": code, "source": s, "target": t, "origin": origin, "created_at": now}
        for s, t in new
    ]
    added = _insert(rows) if rows else 0
    db.session.commit()
    return ImportReport(name, code, added, len(pairs) - added, empty, too_long)


def _known_pairs(code: str) -> set[tuple[str, str]]:
    """Every (source, translation) already in the memory of ``code``, exactly as stored."""
    entries = select(MemoryEntry.source, MemoryEntry.target).where(MemoryEntry.language == code)
    translations = (
        select(Segment.source, Translation.text)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Translation.language == code, Translation.state.in_(USED))
    )
    known = {(source, target) for source, target in db.session.execute(entries)}
    known.update((source, text) for source, text in db.session.execute(translations))
    return known


def _insert(rows: list[dict[str, Any]]) -> int:
    """Insert memory entries, leaving out any another import added meanwhile; how many went in."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres:  # until the commit: entries are committed in id order (see _memory)
        db.session.execute(select(func.pg_advisory_xact_lock(_IMPORT_LOCK)))
    module = postgresql if postgres else sqlite
    statement = (
        module.insert(MemoryEntry)
        .on_conflict_do_nothing(index_elements=["language", "digest"])
        .returning(MemoryEntry.id)
    )
    keyed = [{**row, "digest": unit_digest(row["source"], row["target"])} for row in rows]
    return len(db.session.execute(statement, keyed).all())


def _read(code: str, data: bytes, name: str) -> list[tuple[str, str]]:
    """Every (source, translation) of the file, in order; a unit without one has ``""``."""
    try:
        store = tmx.tmxfile.parsestring(data)
    except etree.XMLSyntaxError as error:
        reason = _XML_POSITION.sub("", error.msg or "cannot be parsed")
        raise CatalogError(name, f"not well-formed XML: {reason}", error.lineno) from None
    except AssertionError:  # translate-toolkit's check of the root element
        store = None
    root = store.document.getroot() if store is not None else None
    if root is None or etree.QName(root).localname != "tmx":
        raise CatalogError(name, "not a TMX file (its root element is not <tmx>)")
    if store.body is None:
        raise CatalogError(name, "not a TMX file (no <body> element)")
    header = root.find(store.namespaced("header"))
    declared = header.get("srclang") if header is not None else None
    found: list[tuple[str, str]] = []
    for unit in store.units:
        line = unit.xmlelement.sourceline
        nodes = [(node, _language(node, name, line)) for node in unit.getlanguageNodes()]
        source_node = _source_node(nodes, unit.xmlelement.get("srclang") or declared, name, line)
        # the text as the file's xml:space says, "preserve" where it says nothing
        source = unit.getNodeText(source_node, "preserve") or ""  # None: no source node
        targets = [(node, lang) for node, lang in nodes if node is not source_node]
        for _, lang in targets:
            if lang != code:
                raise CatalogError(name, f"a unit translates into {lang}, not {code}", line)
        for node, _ in targets:
            found.append((source, unit.getNodeText(node, "preserve") or ""))
        if not targets:
            found.append((source, ""))
    return found


def _language(node: Any, name: str, line: int | None) -> str:
    """The canonical code of a ``<tuv>``; CatalogError when it has none or an invalid one."""
    value = getXMLlang(node) or node.get("lang")  # TMX 1.1 used a plain lang attribute
    if not value:
        raise CatalogError(name, "a <tuv> has no xml:lang", node.sourceline or line)
    try:
        return languages.get(value).code
    except LanguageError:
        raise CatalogError(name, f"unknown language {value!r}", node.sourceline or line) from None


def _source_node(
    nodes: Sequence[tuple[Any, str]], declared: str | None, name: str, line: int | None
) -> Any:
    """The ``<tuv>`` holding the English source: the declared source language's, else the
    only English one; None when the unit has no English text at all."""
    english = [node for node, code in nodes if _is_english(code)]
    if declared and declared.lower() != "*all*":
        try:
            wanted = languages.get(declared).code
        except LanguageError:
            raise CatalogError(name, f"unknown source language {declared!r}", line) from None
        if not _is_english(wanted):
            raise CatalogError(name, f"the source language is {wanted}, not English", line)
        english = [node for node, code in nodes if code == wanted] or english
    if len(english) > 1:
        raise CatalogError(name, "a unit has more than one English text", line)
    return english[0] if english else None


def _is_english(code: str) -> bool:
    return code.split("-")[0] == SOURCE_LANGUAGE
