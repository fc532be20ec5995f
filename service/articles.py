"""Use cases over the article files: import, export, render, coverage.

These are plain functions over a :class:`Content` folder (the git work tree
holding ``source/`` and ``po/``), shared by the CLI and the web views; they
know no request and no Flask. Layout, as the design gives it:
``source/<slug>.md``, ``po/<slug>/<slug>.pot``, ``po/<slug>/<lang>.po`` with
the gettext form of the language code.

Every function raises :class:`~service.core.errors.ChorusError` subclasses for
bad input (unknown article or language, unreadable file) and writes nothing
then; files it writes are written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.core import catalog, languages, render, segment, stats, update
from service.core.catalog import Catalog
from service.core.errors import ChorusError, SourceError
from service.core.files import atomic_write
from service.core.segment import Document

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}", re.IGNORECASE)


class NotFound(ChorusError):
    """An article or a catalog that does not exist."""


@dataclass(frozen=True)
class Content:
    """The content folder and the limits that apply to what is read from it."""

    root: Path
    max_source_bytes: int = 1_048_576
    max_catalog_bytes: int = 4_194_304

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Content:
        """The content folder named by the settings (``CONTENT_DIR`` and the limits)."""
        return cls(
            root=Path(config["CONTENT_DIR"]),
            max_source_bytes=config["MAX_SOURCE_BYTES"],
            max_catalog_bytes=config["MAX_CATALOG_BYTES"],
        )

    def source(self, slug: str) -> Path:
        return self.root / "source" / f"{check_slug(slug)}.md"

    def template(self, slug: str) -> Path:
        return self.root / "po" / check_slug(slug) / f"{slug}.pot"

    def catalog(self, slug: str, language: str) -> Path:
        return self.root / "po" / check_slug(slug) / f"{languages.get(language).gettext}.po"


def check_slug(slug: str) -> str:
    """The slug itself; raises NotFound for one that cannot name an article file."""
    if not _SLUG.fullmatch(slug):
        raise NotFound(f"{slug!r} is not an article name (letters, digits, '-' and '_' only)")
    return slug


def slugs(content: Content) -> list[str]:
    """The articles in ``source/``, by name."""
    folder = content.root / "source"
    return sorted(p.stem for p in folder.glob("*.md") if _SLUG.fullmatch(p.stem))


def document(content: Content, slug: str) -> Document:
    """The segmented source of an article; raises NotFound or SourceError."""
    path = content.source(slug)
    if not path.is_file():
        raise NotFound(f"no article {slug!r} (no file source/{slug}.md)")
    text = segment.read_source(path, content.max_source_bytes, name=f"source/{slug}.md")
    return segment.parse(text, f"source/{slug}.md")


def template(content: Content, slug: str) -> Catalog | None:
    """The article's template, or None before its first import."""
    path = content.template(slug)
    if not path.is_file():
        return None
    return catalog.read(path, max_bytes=content.max_catalog_bytes, slug=slug, language="")


def language_catalog(content: Content, slug: str, language: str) -> Catalog | None:
    """The catalog of one language of an article, or None when it was never started."""
    path = content.catalog(slug, language)
    if not path.is_file():
        return None
    return catalog.read(path, max_bytes=content.max_catalog_bytes, slug=slug, language=language)


def started_languages(content: Content, slug: str) -> list[str]:
    """BCP 47 codes of the languages that have a catalog for this article."""
    found = []
    for path in sorted((content.root / "po" / check_slug(slug)).glob("*.po")):
        try:
            found.append(languages.get(path.stem).code)
        except ChorusError:
            continue  # not a catalog of ours
    return found


@dataclass(frozen=True)
class ImportReport:
    slug: str
    counts: dict[str, int]
    segments: int
    words: int
    languages: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        c = self.counts
        return (
            f"{self.slug}: {self.segments} segments ({self.words} words): "
            f"{c['new']} new, {c['unchanged']} unchanged, {c['outdated']} outdated, "
            f"{c['obsolete']} obsolete; {len(self.languages)} language catalogs updated"
        )


def import_article(
    content: Content, slug_or_path: str, *, retranslate: bool = True
) -> ImportReport:
    """Import or re-import an article and carry every language over to its new template.

    ``slug_or_path`` is an article name or a Markdown file; a file outside
    ``source/`` is copied there first. Everything is read and checked before
    anything is written.
    """
    path = Path(slug_or_path)
    if path.suffix == ".md" or path.exists():
        slug = check_slug(path.stem)
        text = segment.read_source(path, content.max_source_bytes)
        if not path.is_file():
            raise SourceError(str(path), "not a file")
    else:
        slug = check_slug(slug_or_path)
        if not content.source(slug).is_file():
            raise NotFound(f"no article {slug!r} (no file source/{slug}.md)")
        text = segment.read_source(content.source(slug), content.max_source_bytes)
    source_name = f"source/{slug}.md"
    parsed = segment.parse(text, source_name)
    previous = template(content, slug)
    known = [update.Known(e.id, e.source, e.obsolete) for e in previous.entries] if previous else []
    plan = update.plan(known, [s.source for s in parsed.segments], retranslate=retranslate)
    ids = [match.id for match in plan.matches]
    new_template = catalog.build_template(slug, parsed, ids, source_name, previous)
    codes = started_languages(content, slug) if previous else []
    updated = [
        (
            code,
            catalog.update(
                language_catalog(content, slug, code), new_template, code, retranslate=retranslate
            ),
        )
        for code in codes
    ]
    # All checked: now write. The source first, so po/ never refers to text that is not there.
    if content.source(slug).resolve() != path.resolve() or not content.source(slug).is_file():
        atomic_write(content.source(slug), text)
    catalog.write(new_template, content.template(slug))
    for code, language_catalog_ in updated:
        catalog.write(language_catalog_, content.catalog(slug, code))
    return ImportReport(
        slug=slug,
        counts=plan.counts(),
        segments=len(parsed.segments),
        words=parsed.words,
        languages=tuple(code for code, _ in updated),
    )


def current_catalog(content: Content, slug: str, language: str) -> Catalog:
    """The language's catalog, or a new empty one made from the template."""
    existing = language_catalog(content, slug, language)
    if existing is not None:
        return existing
    base = template(content, slug)
    if base is None:
        raise NotFound(f"article {slug!r} has not been imported yet (run: chorus import {slug})")
    return catalog.update(None, base, language)


def export(content: Content, slug: str, language: str) -> str:
    """The current catalog of a language as PO text."""
    return catalog.dumps(current_catalog(content, slug, language))


@dataclass(frozen=True)
class Rendering:
    """A rendered article, and the translations left out because a critical check fails."""

    text: str
    rejected: tuple[tuple[segment.Segment, tuple[str, ...]], ...] = ()

    def warnings(self) -> list[str]:
        return [
            f"line {s.line} ({s.kind}): translation not used, source text shown: "
            + "; ".join(messages)
            for s, messages in self.rejected
        ]


def render_article(
    content: Content, slug: str, language: str, *, fmt: str = "md", draft: bool = False
) -> Rendering:
    """The article in ``language``: Markdown or sanitised HTML.

    Published form: current translations only. ``draft`` also uses outdated
    translations, as a translator's preview does. Source text where none, and
    where a translation fails a critical check (listed in the result).
    """
    if fmt not in ("md", "html"):
        raise ChorusError(f"unknown format {fmt!r} (md or html)")
    language_info = languages.get(language)
    doc = document(content, slug)
    found = language_catalog(content, slug, language)
    translations: dict[int, str] = {}
    if found is not None:
        translations = catalog.translations(doc, found, include_outdated=draft)
    usable, rejected = render.sound(doc, translations)
    if fmt == "md":
        text = render.render_markdown(doc, usable)
    else:
        text = render.render_html(
            doc, usable, language=language_info.code, direction=language_info.direction
        )
    return Rendering(
        text,
        tuple(
            (doc.segments[position], tuple(r.message for r in results))
            for position, results in rejected.items()
        ),
    )


@dataclass(frozen=True)
class LanguageCoverage:
    code: str
    name: str
    counts: stats.Counts


def coverage(content: Content, slug: str) -> list[LanguageCoverage]:
    """Counts per started language of an article, against its current template."""
    base = template(content, slug)
    if base is None:
        return []
    result = []
    for code in started_languages(content, slug):
        found = catalog.update(language_catalog(content, slug, code), base, code)
        counts = stats.count(
            (_state(entry), segment.count_words(entry.source)) for entry in found.active
        )
        result.append(LanguageCoverage(code, languages.get(code).english_name, counts))
    return result


def _state(entry: catalog.Entry) -> stats.State:
    if not entry.translation:
        return stats.State.EMPTY
    return stats.State.OUTDATED if entry.fuzzy else stats.State.TRANSLATED


def source_html(content: Content, slug: str) -> str:
    """The article's source as sanitised HTML."""
    return render.render_html(document(content, slug), {})


@dataclass(frozen=True)
class ArticleSummary:
    slug: str
    title: str
    segments: int
    words: int
    target: int
    languages: tuple[LanguageCoverage, ...]
    error: str | None = None  # why the article cannot be read, when it cannot

    @property
    def complete_languages(self) -> int:
        return sum(1 for item in self.languages if item.counts.is_complete(False))


def summary(content: Content, slug: str, target: int) -> ArticleSummary:
    """An article's title, size and coverage per started language."""
    doc = document(content, slug)
    return ArticleSummary(
        slug=slug,
        title=doc.title or slug,
        segments=len(doc.segments),
        words=doc.words,
        target=target,
        languages=tuple(coverage(content, slug)),
    )


def summaries(content: Content, target: int) -> list[ArticleSummary]:
    """Every article's summary; one that cannot be read is listed with its error."""
    result = []
    for slug in slugs(content):
        try:
            result.append(summary(content, slug, target))
        except ChorusError as error:
            result.append(ArticleSummary(slug, slug, 0, 0, target, (), error=str(error)))
    return result
