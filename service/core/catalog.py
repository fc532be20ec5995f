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
   :func:`write` is atomic. :func:`loads` rejects, with the line and the
   reason, a file that does not parse, an entry without a valid id, duplicate
   ids, plural entries, and a header for another article or language.
4. :func:`build_template` makes the template from a segmented document and the
   ids :mod:`service.core.update` assigned; :func:`update` carries one
   language's translations over to a new template by id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import polib

from service import __version__
from service.core import languages
from service.core.errors import CatalogError, LanguageError
from service.core.files import atomic_write
from service.core.segment import Document

_LINE = re.compile(r"\(line (\d+)\)(?::\s*(.*))?")
_STRING = r'"(?:[^"\\]|\\.)*"'
_SYNTAX = re.compile(
    rf"\s*(?:#.*|(?:#~\s*)?(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?{_STRING})?\s*"
)
_KIND = "kind: "
_VERSION = "version: "
_SERVICE_TRANSLATOR = "Chorus <chorus@localhost>"


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


# -- building ---------------------------------------------------------------------


def build_template(
    slug: str,
    document: Document,
    ids: Sequence[int],
    source_path: str,
    previous: Catalog | None = None,
) -> Catalog:
    """The template of ``document`` whose segments got ``ids``, in order.

    Obsolete entries of ``previous`` and its active entries whose id is no
    longer used are kept as obsolete entries. Raises ValueError when ``ids``
    does not give every segment one distinct id.
    """
    if len(ids) != len(document.segments) or len(set(ids)) != len(ids):
        raise ValueError("every segment needs exactly one distinct id")
    entries = [
        Entry(id=i, source=s.source, kind=s.kind, line=s.line)
        for i, s in zip(ids, document.segments, strict=True)
    ]
    used = set(ids)
    if previous is not None:
        entries += [obsolete(e, translation="") for e in previous.entries if e.id not in used]
    return Catalog(
        slug=slug,
        source_path=source_path,
        entries=tuple(entries),
        created=previous.created if previous else now(),
    )


def update(
    catalog: Catalog | None,
    template: Catalog,
    language: str,
    *,
    retranslate: bool = True,
    translator: str | None = None,
) -> Catalog:
    """Carry a language's translations over to ``template``, matching entries by id.

    Same source: the entry is kept as it was. Changed source: the translation
    is kept, marked outdated (fuzzy), with the source it was made for as
    ``previous`` (unless ``retranslate`` is False, the "no re-translation
    needed" case, where it stays current). Entries the template no longer has
    become obsolete if they hold a translation, and are dropped if not.
    """
    old = catalog.by_id() if catalog is not None else {}
    entries: list[Entry] = []
    for new in template.entries:
        if new.obsolete:
            continue
        before = old.pop(new.id, None)
        if before is None or not before.translation:
            entries.append(new)
        elif before.source == new.source or not retranslate:
            entries.append(
                replace(
                    new,
                    translation=before.translation,
                    fuzzy=before.fuzzy and before.source == new.source,
                    previous=before.previous if before.source == new.source else None,
                )
            )
        else:
            entries.append(
                replace(
                    new,
                    translation=before.translation,
                    fuzzy=True,
                    previous=before.previous if before.fuzzy and before.previous else before.source,
                )
            )
    entries += [obsolete(e) for e in old.values() if e.translation]
    return Catalog(
        slug=template.slug,
        source_path=template.source_path,
        entries=tuple(entries),
        language=languages.get(language).gettext,
        created=template.created,
        last_translator=translator or (catalog.last_translator if catalog else _SERVICE_TRANSLATOR),
    )


def obsolete(entry: Entry, translation: str | None = None) -> Entry:
    """The entry as kept once its segment left the article: id, source and translation only."""
    text = entry.translation if translation is None else translation
    return Entry(id=entry.id, source=entry.source, translation=text, obsolete=True)


def translations(
    document: Document, catalog: Catalog, *, include_outdated: bool = False
) -> dict[int, str]:
    """Translations of ``document``'s segments, keyed by position.

    Segments are matched to entries by source text, in order, so a document
    that changed since the catalog was made still gets every translation that
    fits. Outdated (fuzzy) translations are used only with ``include_outdated``
    (a draft preview), as gettext leaves them out of compiled catalogs.
    """
    pending: dict[str, list[str]] = {}
    for entry in catalog.active:
        if entry.translation and (include_outdated or not entry.fuzzy):
            pending.setdefault(entry.source, []).append(entry.translation)
    found: dict[int, str] = {}
    for segment in document.segments:
        queue = pending.get(segment.source)
        if queue:
            found[segment.position] = queue.pop(0)
    return found


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

    With ``slug`` and ``language`` given, a catalog for another article or
    another language is an error too (``language=""`` expects a template).
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if not _SYNTAX.fullmatch(line):
            raise CatalogError(name, f"not a valid PO file (cannot read {line[:40]!r})", number)
    try:
        po = polib.pofile(text, wrapwidth=78)
    except (OSError, ValueError, UnicodeError) as error:
        match = _LINE.search(str(error))
        if match:
            reason = match.group(2) or "syntax error"
            raise CatalogError(
                name, f"not a valid PO file ({reason})", int(match.group(1))
            ) from None
        raise CatalogError(name, f"not a valid PO file ({error})") from None
    header = po.metadata
    if not header and not len(po):
        raise CatalogError(name, "not a PO file: no header and no entry")
    charset = re.search(r"charset=([\w-]+)", header.get("Content-Type", ""))
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise CatalogError(name, f"declares charset {charset.group(1)}; Chorus reads UTF-8 only")
    found_slug = header.get("Project-Id-Version", "")
    if slug is not None and found_slug != slug:
        raise CatalogError(name, f"is a catalog of {found_slug or 'no article'!r}, not {slug!r}")
    found_language = header.get("Language", "") or None
    if found_language is not None:
        try:
            found_language = languages.get(found_language).gettext
        except LanguageError as error:
            raise CatalogError(name, f"header: {error}") from None
        expected = languages.get(found_language).plural_forms
        plural_forms = header.get("Plural-Forms")
        if plural_forms and _squash(plural_forms) != _squash(expected):
            raise CatalogError(
                name,
                f"Plural-Forms {plural_forms!r} does not match {found_language} ({expected!r})",
            )
    if language is not None:
        wanted = languages.get(language).gettext if language else None
        if found_language != wanted:
            raise CatalogError(
                name,
                f"is a catalog for {found_language or 'no language'}, not {wanted or 'a template'}",
            )
    return Catalog(
        slug=found_slug,
        source_path=_source_path(po),
        entries=tuple(_entries(po, name)),
        language=found_language,
        created=header.get("POT-Creation-Date", ""),
        revised=header.get("PO-Revision-Date", ""),
        last_translator=header.get("Last-Translator", ""),
    )


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(";")


def _source_path(po: Iterable[polib.POEntry]) -> str:
    for entry in po:
        if entry.occurrences:
            return entry.occurrences[0][0]
    return ""


def _entries(po: polib.POFile, name: str) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[int] = set()
    for item in po:  # obsolete entries included, in file order
        line = getattr(item, "linenum", None)
        if item.msgid_plural:
            raise CatalogError(name, "plural entries are not used by articles", line)
        if not item.msgctxt or not item.msgctxt.isdigit() or int(item.msgctxt) < 1:
            raise CatalogError(name, "entry has no segment id (msgctxt must be a number)", line)
        ident = int(item.msgctxt)
        if ident in seen:
            raise CatalogError(name, f"segment id {ident} appears twice", line)
        seen.add(ident)
        kind, version = "paragraph", None
        for comment in item.comment.splitlines():
            if comment.startswith(_KIND):
                kind = comment[len(_KIND) :].strip()
            elif comment.startswith(_VERSION) and comment[len(_VERSION) :].strip().isdigit():
                version = int(comment[len(_VERSION) :].strip())
        entries.append(
            Entry(
                id=ident,
                source=item.msgid,
                translation=item.msgstr,
                kind=kind,
                line=int(item.occurrences[0][1]) if item.occurrences else 0,
                fuzzy="fuzzy" in item.flags,
                previous=item.previous_msgid,
                obsolete=bool(item.obsolete),
                version=version,
            )
        )
    return entries


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
