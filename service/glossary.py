"""The glossary: agreed translations of terms, one list per language, and the check they give.

1. A term is an English word or phrase (as written in the sources) with its agreed
   translation in one language and an optional note. Term and translation are trimmed,
   non-empty, at most :data:`MAX_TERM_CHARS` characters and one line; a note is at most
   :data:`MAX_NOTE_CHARS`. A language holds a term once, whatever its case ("Task force"
   and "task force" are one term): a second one is a Conflict.
2. Anyone may read a glossary (:func:`terms`, the exports, :func:`found`, :func:`check`);
   only reviewers and above change it (:func:`add`, :func:`update`, :func:`remove`, the
   imports). A translator is refused (PermissionDenied) before anything is read or written.
   Every language code is validated (LanguageError, 404); every change commits its own
   transaction.
3. :func:`found` lists the terms occurring in a source text as whole words, in any case
   and with any run of spaces between their words. Where occurrences overlap, the longest
   wins ("Leadership Development Task Force" over "task force" inside it); the result is in
   reading order, each with its character offsets (``source[start:end]`` is the text found).
4. The glossary check is a warning, never critical: for a non-empty translation, every
   term found in the source whose agreed translation does not occur in it (case-insensitive,
   as a substring, spaces normalised) is named in one :class:`~service.core.checks.CheckResult`
   with id ``glossary``. An empty translation, or one with every agreed term, gives None.
5. A :class:`Matcher` loads a language's terms once (one query) and answers ``found`` and
   ``check`` for any number of segments: an editor listing makes one per language, not one
   per segment. The module-level :func:`found` and :func:`check` are for a single text.
6. Files: CSV (UTF-8 with or without a BOM, a header naming the columns ``term``,
   ``translation`` and optionally ``note``, in any order) and TBX (read and written with
   translate-toolkit's ``tbxfile``: English source, the language as target, the note as a
   ``<note from="translator">``). An import is checked whole before anything is written:
   the size limit (:data:`MAX_FILE_BYTES`, TooLarge), the encoding and syntax, the
   languages a TBX file names, and every row (a term twice in the file, or a bad term,
   is an error naming the file and its line). Then all rows are applied in one
   transaction: a new term is added, a known one (any case) takes the file's text, and
   terms missing from the file are kept. The report counts added, updated, unchanged.
   A TBX file may hold several target languages: the language's terms are read, the
   others ignored; a file naming target languages but not this one is refused.
   ``docs/glossary-example.csv`` is an example: the seed article's terms in Spanish.
   A CSV cell that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
   ``@``, a tab or a carriage return) is written with a leading ``'`` (OWASP's advice
   against CSV injection), and that ``'`` is taken off again on import, so a file
   exported here comes back as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from translate.misc.xml_helpers import getXMLlang, parse_xml
from translate.storage.tbx import tbxfile

from service.core import languages
from service.core.checks import CheckResult
from service.core.messages import N_, Message
from service.db import db
from service.errors import ChorusError, Conflict, NotFound, PermissionDenied, TooLarge
from service.models import Role, Term, User, utcnow

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_NOTE_CHARS",
    "MAX_TERM_CHARS",
    "Found",
    "ImportReport",
    "Matcher",
    "add",
    "check",
    "export_csv",
    "export_tbx",
    "found",
    "import_csv",
    "import_tbx",
    "matcher",
    "remove",
    "terms",
    "update",
]

MAX_TERM_CHARS = 200  # the width of terms.term and terms.translation
MAX_NOTE_CHARS = 2000
MAX_FILE_BYTES = 1024 * 1024  # an imported CSV or TBX file: thousands of terms
COLUMNS = ("term", "translation", "note")  # the CSV header, as exported
SOURCE_LANGUAGE = "en"

_XML_POSITION = re.compile(r", line \d+, column \d+$")
# C0 and C1 controls but the tab: PostgreSQL stores no NUL, XML carries no other C0.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# The parts of an entry, as refusals name them.
_TERM, _TRANSLATION, _NOTE = N_("term"), N_("translation"), N_("note")
_GLOSSARY = N_("Glossary")  # the name of its check


@dataclass(frozen=True)
class Found:
    """One occurrence of a glossary term in a source text."""

    term: str  # as the glossary writes it; source[start:end] is the text as found
    translation: str
    note: str
    start: int
    end: int


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


class Entry(Protocol):
    """What a matcher needs of a term (a Term row will do)."""

    term: str
    translation: str
    note: str


# -- reading and matching -------------------------------------------------------------------


_WORD = re.compile(r"\w+")


def _pattern(term: str) -> re.Pattern[str]:
    """The term in any case, with any run of spaces between its words, and no letter or
    digit glued to either end (so "C++" is not found in "C++x", nor "force" in "forces")."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Compiled:
    pattern: re.Pattern[str]
    key: str | None  # the term's first run of letters and digits, lower case, when ASCII
    term: str
    translation: str
    note: str


class Matcher:
    """A language's terms loaded once, to find them in any number of sources."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        compiled = []
        for entry in entries:
            if not entry.term.strip():
                continue
            first = _WORD.search(entry.term)
            key = first.group().lower() if first and first.group().isascii() else None
            compiled.append(
                _Compiled(_pattern(entry.term), key, entry.term, entry.translation, entry.note)
            )
        self._entries = tuple(compiled)

    def __len__(self) -> int:
        return len(self._entries)

    def _candidates(self, source: str) -> Iterable[tuple[int, _Compiled]]:
        """The entries that may occur in ``source``.

        A match holds the term's first run of letters and digits as a whole word of the
        source. When every word of the source is ASCII, where case-insensitive means
        ``lower()``, a term whose first word is missing from the source's words is skipped
        without running its pattern: a listing runs few of a large glossary's patterns.
        """
        words = _WORD.findall(source)
        if not all(word.isascii() for word in words):
            return enumerate(self._entries)
        present = {word.lower() for word in words}
        return (
            (index, entry)
            for index, entry in enumerate(self._entries)
            if entry.key is None or entry.key in present
        )

    def found(self, source: str) -> list[Found]:
        """The terms occurring in ``source``, longest first where they overlap, in order."""
        hits = [
            (match.start(), match.end(), index)
            for index, entry in self._candidates(source)
            for match in entry.pattern.finditer(source)
        ]
        hits.sort(key=lambda hit: (hit[0] - hit[1], hit[0], hit[2]))  # longest, then first
        chosen: list[tuple[int, int, int]] = []
        for start, end, index in hits:
            if all(end <= before or start >= after for before, after, _ in chosen):
                chosen.append((start, end, index))
        chosen.sort()
        return [
            Found(
                self._entries[index].term,
                self._entries[index].translation,
                self._entries[index].note or "",
                start,
                end,
            )
            for start, end, index in chosen
        ]

    def check(self, source: str, translation: str) -> CheckResult | None:
        """The glossary warning for one segment, or None (always for an empty translation)."""
        text = " ".join(translation.split()).casefold()
        if not text:
            return None
        missing: dict[str, Found] = {}
        for item in self.found(source):
            if " ".join(item.translation.split()).casefold() not in text:
                missing.setdefault(item.term.casefold(), item)
        if not missing:
            return None
        advice = tuple(
            N_(
                '"%(term)s" should be translated "%(translation)s"',
                term=item.term,
                translation=item.translation,
            )
            for item in missing.values()
        )
        message = Message("%(advice)s", {"advice": advice})  # each said in turn, then joined
        return CheckResult(id="glossary", name=_GLOSSARY, severity="warning", message=message)


def _code(language: str) -> str:
    return languages.get(language).code


def _rows(code: str) -> list[Term]:
    return list(db.session.scalars(select(Term).where(Term.language == code)))


def _sorted(rows: Iterable[Term]) -> list[Term]:
    # In Python rather than SQL: SQLite's lower() knows ASCII only.
    return sorted(rows, key=lambda row: (row.term.casefold(), row.term))


def terms(language: str) -> list[Term]:
    """A language's glossary by term, in any case. Raises LanguageError."""
    return _sorted(_rows(_code(language)))


def matcher(language: str) -> Matcher:
    """A matcher over a language's terms (one query). Raises LanguageError."""
    return Matcher(_rows(_code(language)))


def found(language: str, source: str) -> list[Found]:
    """The language's terms occurring in ``source``; see :meth:`Matcher.found`."""
    return matcher(language).found(source)


def check(language: str, source: str, translation: str) -> CheckResult | None:
    """The glossary warning for one segment; see :meth:`Matcher.check`."""
    return matcher(language).check(source, translation)


# -- changing ---------------------------------------------------------------------------------


def _allow(user: User) -> None:
    if not Role(user.role).at_least(Role.REVIEWER):
        raise PermissionDenied(
            N_(
                "%(name)s is a %(role)s: only reviewers and above change the glossary",
                name=user.name,
                role=Message(user.role),  # the role's word (service.web.i18n.WORDS)
            )
        )


def _one_line(value: str, what: str) -> str | None:
    """Why a term or translation is refused, or None."""
    if not value:
        return N_("empty %(what)s", what=what)
    if len(value.splitlines()) > 1:
        return N_("line break in the %(what)s", what=what)
    if _CONTROL.search(value):
        return N_("control character in the %(what)s", what=what)
    if len(value) > MAX_TERM_CHARS:
        return N_(
            "%(what)s of %(num)s characters is over the limit of %(limit)s",
            what=what,
            num=len(value),
            limit=MAX_TERM_CHARS,
        )
    return None


def _checked(term: str, translation: str, note: str, where: str = "") -> tuple[str, str, str]:
    """The entry as stored (trimmed, note line endings as ``\\n``); raises ChorusError."""
    term, translation = term.strip(), translation.strip()
    note = (note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    reason = _one_line(term, _TERM) or _one_line(translation, _TRANSLATION)
    if reason is None and _CONTROL.search(note.replace("\n", "")):
        reason = N_("control character in the %(what)s", what=_NOTE)
    if reason is None and len(note) > MAX_NOTE_CHARS:
        reason = N_(
            "%(what)s of %(num)s characters is over the limit of %(limit)s",
            what=_NOTE,
            num=len(note),
            limit=MAX_NOTE_CHARS,
        )
    if reason is not None:
        raise ChorusError(f"{where}{reason}" if where else reason)
    return term, translation, note


def _taken(code: str, term: str, but: int | None = None) -> None:
    query = select(Term).where(Term.language == code, Term.folded == term.casefold())
    for row in db.session.scalars(query):
        if row.id != but:
            raise Conflict(
                N_("the %(language)s glossary has %(term)r already", language=code, term=row.term)
            )


def _commit(code: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:  # the same term added at the same time
        db.session.rollback()
        raise Conflict(
            N_("the %(language)s glossary changed at the same time; retry", language=code)
        ) from None
    except BaseException:
        db.session.rollback()
        raise


def add(language: str, term: str, translation: str, note: str, user: User) -> Term:
    """Add a term; raises PermissionDenied, LanguageError, ChorusError, Conflict."""
    _allow(user)
    code = _code(language)
    term, translation, note = _checked(term, translation, note)
    _taken(code, term)
    row = Term(
        language=code,
        term=term,
        translation=translation,
        note=note,
        user_id=user.id,
        updated_at=utcnow(),
    )
    db.session.add(row)
    _commit(code)
    return row


def _get(term_id: int) -> Term:
    row = db.session.get(Term, term_id)
    if row is None:
        raise NotFound(N_("no glossary term %(id)s", id=term_id))
    return row


def update(term_id: int, term: str, translation: str, note: str, user: User) -> Term:
    """Replace a term's text, translation and note; raises PermissionDenied, NotFound,
    ChorusError, Conflict."""
    _allow(user)
    row = _get(term_id)
    term, translation, note = _checked(term, translation, note)
    _taken(row.language, term, but=row.id)
    if (row.term, row.translation, row.note) != (term, translation, note):
        row.term, row.translation, row.note = term, translation, note
        row.user_id, row.updated_at = user.id, utcnow()
        _commit(row.language)
    return row


def remove(term_id: int, user: User, language: str | None = None) -> None:
    """Delete a term (of ``language``, when given); raises PermissionDenied, NotFound."""
    _allow(user)
    row = _get(term_id)
    if language is not None and row.language != _code(language):
        raise NotFound(
            N_("no term %(id)s in the %(language)s glossary", id=term_id, language=_code(language))
        )
    db.session.delete(row)
    _commit(row.language)


# -- files ------------------------------------------------------------------------------------

Row = tuple[int | None, str, str, str]  # line (where known), term, translation, note


def _size(data: bytes, name: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(f"{name}: larger than the limit of {MAX_FILE_BYTES} bytes")


def _checked_rows(rows: Iterable[Row], name: str) -> list[tuple[str, str, str]]:
    """Every row checked, and no term twice; raises ChorusError naming the line."""
    seen: dict[str, int | None] = {}
    checked = []
    for line, term, translation, note in rows:
        where = f"{name} line {line}: " if line else f"{name}: "
        entry = _checked(term, translation, note, where)
        key = entry[0].casefold()
        if key in seen:
            earlier = f" on line {seen[key]}" if seen[key] else ""
            raise ChorusError(f"{where}{entry[0]!r} is in the file already{earlier}")
        seen[key] = line
        checked.append(entry)
    return checked


def _apply(code: str, entries: Sequence[tuple[str, str, str]], user: User) -> ImportReport:
    """Add or update every entry in one transaction."""
    existing = {row.term.casefold(): row for row in _rows(code)}
    added = updated = unchanged = 0
    now = utcnow()
    for term, translation, note in entries:
        row = existing.get(term.casefold())
        if row is None:
            db.session.add(
                Term(
                    language=code,
                    term=term,
                    translation=translation,
                    note=note,
                    user_id=user.id,
                    updated_at=now,
                )
            )
            added += 1
        elif (row.term, row.translation, row.note) == (term, translation, note):
            unchanged += 1
        else:
            row.term, row.translation, row.note = term, translation, note
            row.user_id, row.updated_at = user.id, now
            updated += 1
    _commit(code)  # nothing was flushed before: one transaction, all or nothing
    return ImportReport(added, updated, unchanged)


def export_csv(language: str) -> str:
    """The glossary as CSV with the header ``term,translation,note``. Raises LanguageError."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(
        tuple(map(_inert, (row.term, row.translation, row.note))) for row in terms(language)
    )
    return out.getvalue()


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell: str) -> str:
    """A cell no spreadsheet runs as a formula."""
    return "'" + cell if cell.startswith(_FORMULA) else cell


def _as_written(cell: str) -> str:
    """The cell :func:`_inert` was given."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA) else cell


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ChorusError(f"{name} line {line}: not UTF-8 text") from None


def _read_csv(data: bytes, name: str) -> list[Row]:
    reader = csv.reader(io.StringIO(_text(data, name), newline=""), strict=True)
    rows: list[Row] = []
    start = 1  # the line a record begins on: a quoted note may span several
    columns: list[str] | None = None
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if columns is None:
                columns = _header(record, name)
            elif any(field.strip() for field in record):
                if len(record) > len(columns):
                    raise ChorusError(
                        f"{name} line {line}: {len(record)} fields, the header names {len(columns)}"
                    )
                fields = dict(zip(columns, map(_as_written, record), strict=False))
                term, translation = fields.get("term", ""), fields.get("translation", "")
                rows.append((line, term, translation, fields.get("note", "")))
    except csv.Error as error:
        raise ChorusError(f"{name} line {reader.line_num}: not valid CSV ({error})") from None
    if columns is None:
        raise ChorusError(f"{name}: empty file; expected the header {','.join(COLUMNS)}")
    return rows


def _header(record: list[str], name: str) -> list[str]:
    columns = [field.strip().lower() for field in record]
    unknown = [field for field in columns if field not in COLUMNS]
    if unknown or len(set(columns)) != len(columns) or not {"term", "translation"} <= set(columns):
        raise ChorusError(
            f"{name} line 1: expected the header {','.join(COLUMNS)} (note optional), "
            f"found {','.join(record)!r}"
        )
    return columns


def import_csv(language: str, data: bytes, name: str, user: User) -> ImportReport:
    """Merge a CSV file into the glossary, all or nothing; raises PermissionDenied,
    LanguageError, TooLarge, ChorusError, Conflict."""
    _allow(user)
    code = _code(language)
    _size(data, name)
    return _apply(code, _checked_rows(_read_csv(data, name), name), user)


def export_tbx(language: str) -> bytes:
    """The glossary as TBX: English source, the language as target. Raises LanguageError."""
    code = _code(language)
    rows = _sorted(_rows(code))
    store = tbxfile(sourcelanguage=SOURCE_LANGUAGE, targetlanguage=code)
    for row in rows:
        unit = store.addsourceunit(row.term)
        unit.settarget(row.translation, lang=code)
        if row.note:
            unit.addnote(row.note, origin="translator")
    return bytes(store)


def _same_language(tag: str | None, code: str) -> bool:
    """Whether an ``xml:lang`` names ``code`` (``es-ES`` does name ``es``)."""
    if not tag:
        return False
    try:
        named = languages.get(tag).code
    except ChorusError:
        return False
    return named == code or ("-" not in code and named.split("-")[0] == code)


def _parse_tbx(data: bytes, name: str) -> tbxfile:
    try:
        root = parse_xml(data)
    except etree.XMLSyntaxError as error:
        reason = _XML_POSITION.sub("", error.msg or "not well-formed")
        where = f"{name} line {error.lineno}" if error.lineno else name
        raise ChorusError(f"{where}: not well-formed XML: {reason}") from None
    if root.tag != "martif":
        raise ChorusError(
            f"{name}: not a TBX file (its root element is <{etree.QName(root).localname}>,"
            " expected <martif>)"
        )
    try:
        return tbxfile.parsestring(data)
    except Exception as error:  # the file came from anywhere: its faults are the user's
        raise ChorusError(f"{name}: not a TBX file translate-toolkit can read ({error})") from None


def _read_tbx(data: bytes, name: str, code: str) -> list[Row]:
    store = _parse_tbx(data, name)
    root = store.document.getroot()
    source = getXMLlang(root)
    if source and not _same_language(source, SOURCE_LANGUAGE):
        raise ChorusError(f"{name}: its source language is {source}, and terms are English")
    targets = {
        getXMLlang(node)
        for unit in store.units
        for node in unit.getlanguageNodes()
        if getXMLlang(node) and not _same_language(getXMLlang(node), SOURCE_LANGUAGE)
    }
    if targets and not any(_same_language(tag, code) for tag in targets):
        raise ChorusError(
            f"{name}: the file translates into {', '.join(sorted(targets))}, not {code};"
            " nothing was imported"
        )
    rows: list[Row] = []
    for unit in store.units:
        line = unit.xmlelement.sourceline
        where = f"{name} line {line}" if line else name
        tags = [getXMLlang(node) for node in unit.getlanguageNodes()]
        if None in tags or "" in tags:
            raise ChorusError(f"{where}: a langSet without xml:lang")
        english = next((tag for tag in tags if _same_language(tag, SOURCE_LANGUAGE)), None)
        if english is None:
            raise ChorusError(f"{where}: no English term")
        sources = unit.get_target_terms(english)
        term = " ".join(sources[0].text.split()) if sources else ""
        target = next((tag for tag in tags if _same_language(tag, code)), None)
        translated = unit.get_target_terms(target) if target else []
        if not translated or not translated[0].text.strip():
            raise ChorusError(f"{where}: {term!r} has no translation into {code}")
        notes = dict.fromkeys(  # in order, each once
            note.text.strip()
            for note in translated[0].notes
            if note.origin != "pos" and note.text.strip()
        )
        rows.append((line, term, " ".join(translated[0].text.split()), "\n".join(notes)))
    return rows


def import_tbx(language: str, data: bytes, name: str, user: User) -> ImportReport:
    """Merge a TBX file into the glossary, all or nothing; raises PermissionDenied,
    LanguageError, TooLarge, ChorusError, Conflict."""
    _allow(user)
    code = _code(language)
    _size(data, name)
    return _apply(code, _checked_rows(_read_tbx(data, name, code), name), user)
