"""Gettext catalogs of an article: the template (POT) and one PO per language.

1. Entries are keyed by the segment's stable id, written as the entry's
   ``msgctxt``; the ``msgid`` is the segment source. Each entry carries ``#:``
   its source line, ``#. kind: ...`` its kind, and for an outdated entry the
   ``fuzzy`` flag and ``#|`` the source it was translated from. Segments that
   left the article stay as obsolete entries (``#~``): they keep their
   translation for memory and their id, so ids are never reused.
2. The header names the language (gettext form, ``pt_BR``), its Plural-Forms
   (:mod:`service.core.languages`), UTF-8, and the usual fields, so every file
   written passes ``msgfmt -c``.
3. :func:`dumps` and :func:`loads` are exact inverses on a :class:`Catalog`;
   :func:`write` is atomic. polib writes; Chorus reads with its own reader
   (:mod:`service.core.po`, gettext's grammar), and refuses whole, with the
   line and the reason, every file ``msgfmt -c`` refuses (an entry cut short, a
   string not closed, an unknown escape or keyword, stray text, ``#~`` on part
   of an entry, a duplicate, no header, a line break at one end of the source
   but not of its translation, a format flag, bad Plural-Forms), so no earlier
   entry of a broken file is ever used. It is stricter on layout than gettext
   (one keyword or string per line; no octal or hex escapes, which PO tools
   decode differently). It also rejects an entry without a valid id, duplicate
   ids, plural entries, and a header for another article or language.
   :func:`parse_bytes` drops a UTF-8 byte-order mark, the one thing msgfmt
   refuses that Chorus takes (editors add it; dropping it loses nothing).
4. This module builds no catalog from an article: the service builds the
   template and each language's catalog from its database, in one place
   (``service.catalogs``), and carries translations over by id when an article
   is re-imported. :func:`translations` gives a document the translations a
   catalog holds for its segments, matched by source text.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polib

from service.core import __version__, languages, po
from service.core.errors import CatalogError, LanguageError
from service.core.files import atomic_write
from service.core.segment import Document

_KIND = "kind: "
_VERSION = "version: "
_SERVICE_TRANSLATOR = "Chorus <chorus@localhost>"
_SEGMENT_ID = re.compile(r"0*[1-9][0-9]*")
_PLURAL_FORMS = re.compile(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", re.DOTALL)


def now() -> str:
    """The current time in the form gettext headers use."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")


@dataclass(frozen=True)
class Entry:
    """One segment in a catalog."""

    id: int
    source: str
    translation: str = ""
    kind: str = "paragraph"
    line: int = 0
    fuzzy: bool = False
    previous: str | None = None
    obsolete: bool = False
    version: int | None = None  # the server's version at export, for the offline round trip

    @property
    def translated(self) -> bool:
        """Has a current (non-outdated) translation."""
        return bool(self.translation) and not self.fuzzy


@dataclass(frozen=True)
class Catalog:
    """An article's template (``language`` None) or one language's catalog."""

    slug: str
    source_path: str
    entries: tuple[Entry, ...]
    language: str | None = None  # gettext form, e.g. "pt_BR"
    created: str = field(default_factory=now)
    revised: str = field(default_factory=now)
    last_translator: str = _SERVICE_TRANSLATOR

    @property
    def active(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if not entry.obsolete)

    def by_id(self) -> dict[int, Entry]:
        return {entry.id: entry for entry in self.entries}


def translations(
    document: Document, catalog: Catalog, *, include_outdated: bool = False
) -> dict[int, str]:
    """Translations of ``document``'s segments, keyed by position.

    Segments are matched to entries by source text, in order, so a document
    that changed since the catalog was made still gets every translation that
    fits; whitespace does not count, so a catalog written before sources had
    their whitespace normalised still fits. Outdated (fuzzy) translations are
    used only with ``include_outdated`` (a draft preview), as gettext leaves
    them out of compiled catalogs.
    """
    pending: dict[str, list[str]] = {}
    for entry in catalog.active:
        if entry.translation and (include_outdated or not entry.fuzzy):
            pending.setdefault(_spaced(entry.source), []).append(entry.translation)
    found: dict[int, str] = {}
    for segment in document.segments:
        queue = pending.get(_spaced(segment.source))
        if queue:
            found[segment.position] = queue.pop(0)
    return found


def _spaced(source: str) -> str:
    """A source with each run of whitespace one space, hard line breaks kept."""
    return "\n".join(" ".join(line.split()) for line in source.split("\n"))


# -- text -------------------------------------------------------------------------


def dumps(catalog: Catalog) -> str:
    """The catalog as PO (or POT) text."""
    po = polib.POFile(wrapwidth=78)
    po.metadata = _header(catalog)
    for entry in catalog.entries:
        po.append(
            polib.POEntry(
                msgctxt=str(entry.id),
                msgid=entry.source,
                msgstr=entry.translation,
                comment=f"{_KIND}{entry.kind}"
                + (f"\n{_VERSION}{entry.version}" if entry.version is not None else ""),
                occurrences=[(catalog.source_path, str(entry.line))] if entry.line else [],
                flags=["fuzzy"] if entry.fuzzy else [],
                previous_msgid=entry.previous,
                obsolete=entry.obsolete,
            )
        )
    return str(po)


def _header(catalog: Catalog) -> dict[str, str]:
    header = {
        "Project-Id-Version": catalog.slug,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": catalog.created,
        "PO-Revision-Date": catalog.revised,
        "Last-Translator": catalog.last_translator,
        "Language-Team": "none",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"Chorus {__version__}",
    }
    if catalog.language is not None:
        language = languages.get(catalog.language)
        header["Language"] = language.gettext
        header["Language-Team"] = (
            f"{language.english_name} <https://chorus.invalid/{language.code}>"
        )
        header["Plural-Forms"] = language.plural_forms
    return header


def loads(
    text: str,
    name: str,
    *,
    slug: str | None = None,
    language: str | None = None,
) -> Catalog:
    """Parse PO text; raises CatalogError (with the line where known) for anything wrong.

    Every file ``msgfmt -c`` refuses is refused whole (see :mod:`service.core.po`);
    so is a file without a segment id on each entry, or with duplicate ids or
    plural entries. With ``slug`` and ``language`` given, a catalog for another
    article or another language is an error too (``language=""`` expects a template).
    """
    items = po.read(text, name)
    header = _header_fields(items, name)
    charset = re.search(r"charset=([\w-]+)", header.get("Content-Type", ""))
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise CatalogError(name, f"declares charset {charset.group(1)}; Chorus reads UTF-8 only")
    found_slug = header.get("Project-Id-Version", "")
    if slug is not None and found_slug != slug:
        raise CatalogError(name, f"is a catalog of {found_slug or 'no article'!r}, not {slug!r}")
    found_language = _language(header, name)
    if language is not None:
        wanted = languages.get(language).gettext if language else None
        if found_language != wanted:
            raise CatalogError(
                name,
                f"is a catalog for {found_language or 'no language'}, not {wanted or 'a template'}",
            )
    entries = _entries(items[1:], name)
    return Catalog(
        slug=found_slug,
        source_path=next((item.path for item in items[1:] if item.path), ""),
        entries=tuple(entries),
        language=found_language,
        created=header.get("POT-Creation-Date", ""),
        revised=header.get("PO-Revision-Date", ""),
        last_translator=header.get("Last-Translator", ""),
    )


def _header_fields(items: Sequence[po.Item], name: str) -> dict[str, str]:
    """The header's fields; msgfmt -c calls a file without a (non-empty) header fatal."""
    if not items:
        raise CatalogError(name, "not a PO file: no header and no entry")
    first = items[0]
    if first.obsolete or "msgctxt" in first.fields or first.fields["msgid"]:
        raise CatalogError(name, 'has no header (its first entry must be msgid "")', first.line)
    if not first.fields["msgstr"].strip():
        raise CatalogError(name, "has an empty header", first.line)
    fields: dict[str, str] = {}
    for line in first.fields["msgstr"].split("\n"):
        key, colon, value = line.partition(":")
        if colon:
            fields[key.strip()] = value.strip()
    return fields


def _language(header: dict[str, str], name: str) -> str | None:
    """The header's language in gettext form, its Plural-Forms checked against CLDR."""
    plural_forms = header.get("Plural-Forms")
    found = header.get("Language", "") or None
    if found is None:
        if plural_forms and not _valid_plural_forms(plural_forms):
            raise CatalogError(name, f"Plural-Forms {plural_forms!r} is not a valid expression")
        return None
    try:
        found = languages.get(found).gettext
    except LanguageError as error:
        raise CatalogError(name, f"header: {error}") from None
    expected = languages.get(found).plural_forms
    if plural_forms and _squash(plural_forms) != _squash(expected):
        raise CatalogError(
            name, f"Plural-Forms {plural_forms!r} does not match {found} ({expected!r})"
        )
    return found


def _valid_plural_forms(text: str) -> bool:
    """What msgfmt -c asks of Plural-Forms: a count and a C expression it can evaluate."""
    match = _PLURAL_FORMS.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        return False
    try:
        gettext.c2py(match.group(2))  # the standard library's reader of these expressions
    except (ValueError, RecursionError):
        return False
    return True


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(";")


def _entries(items: Iterable[po.Item], name: str) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[int] = set()
    for item in items:  # obsolete entries included, in file order
        context = item.fields.get("msgctxt", "")
        if not _SEGMENT_ID.fullmatch(context):
            raise CatalogError(
                name, "entry has no segment id (msgctxt must be a number)", item.line
            )
        ident = int(context)
        if ident in seen:
            raise CatalogError(name, f"segment id {ident} appears twice", item.line)
        seen.add(ident)
        _check_flags_and_line_breaks(item, name)
        kind, version = "paragraph", None
        for comment in item.comments:
            if comment.startswith(_KIND):
                kind = comment[len(_KIND) :].strip()
            elif comment.startswith(_VERSION) and comment[len(_VERSION) :].strip().isdigit():
                version = int(comment[len(_VERSION) :].strip())
        entries.append(
            Entry(
                id=ident,
                source=item.fields["msgid"],
                translation=item.fields["msgstr"],
                kind=kind,
                line=item.source_line,
                fuzzy="fuzzy" in item.flags,
                previous=item.previous.get("msgid"),
                obsolete=item.obsolete,
                version=version,
            )
        )
    return entries


def _check_flags_and_line_breaks(item: po.Item, name: str) -> None:
    """What msgfmt -c checks in an entry beyond its syntax; raises CatalogError."""
    formats = [flag for flag in item.flags if flag.endswith("-format") and flag[:3] != "no-"]
    if formats:
        # msgfmt would check the translation as a format string (c-format,
        # python-format ...); a segment is prose, so such a flag is a mistake.
        raise CatalogError(name, f"flag {formats[0]}: segments are not format strings", item.line)
    source, translation = item.fields["msgid"], item.fields["msgstr"]
    if item.obsolete or "fuzzy" in item.flags or not translation:
        return  # msgfmt compiles neither, so it does not check them
    for where, test in (("begin", str.startswith), ("end", str.endswith)):
        if test(source, "\n") != test(translation, "\n"):
            raise CatalogError(
                name,
                f"source and translation do not both {where} with a line break",
                item.lines["msgstr"],
            )


# -- files ------------------------------------------------------------------------


def write(catalog: Catalog, path: str | Path) -> None:
    """Write the catalog to ``path`` atomically."""
    atomic_write(path, dumps(catalog))


def read(
    path: str | Path,
    *,
    max_bytes: int,
    slug: str | None = None,
    language: str | None = None,
) -> Catalog:
    """Read a PO/POT file; raises CatalogError when missing, too large, not UTF-8 or invalid."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise CatalogError(str(path), f"larger than the limit of {max_bytes} bytes ({size})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(str(path), "no such file") from None
    except OSError as error:
        raise CatalogError(str(path), f"cannot be read ({error.strerror})") from None
    return parse_bytes(data, str(path), slug=slug, language=language)


def parse_bytes(
    data: bytes, name: str, *, slug: str | None = None, language: str | None = None
) -> Catalog:
    """Decode and parse PO bytes; raises CatalogError."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CatalogError(name, "not UTF-8", line) from None
    if "\0" in text:
        raise CatalogError(name, "binary file (it contains NUL bytes), not a PO file")
    return loads(text.removeprefix("\ufeff"), name, slug=slug, language=language)
