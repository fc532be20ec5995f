"""Catalogs from the working copy: the one place a template or a language's PO is built.

1. :func:`build` gives the article's template (``code`` None) or one language's
   catalog from the database: active segments in reading order, then obsolete
   ones that keep a translation (all obsolete ones in the template). An outdated
   translation is a fuzzy entry with its previous source.
2. ``versions=True`` stamps each entry with the server's version of its
   translation, for the offline round trip (:mod:`service.offline`); a published
   catalog carries none.
3. The header dates come from the data, so building an unchanged catalog twice
   gives the same bytes (no empty commits).
4. :func:`snapshot` builds a language's catalog and says whether it is finished
   from the same rows, so a publication never commits a catalog that was not
   finished when it was read.
5. Publication (:mod:`service.publishing`), export (:mod:`service.offline`) and the
   read side (:mod:`service.reading`) all build catalogs here.
"""

from __future__ import annotations

from dataclasses import dataclass

from service import queries
from service.content import Content
from service.core import catalog, languages, stats
from service.core.catalog import Catalog, Entry
from service.core.stats import State
from service.models import Article, Translation

_DATE = "%Y-%m-%d %H:%M+0000"


@dataclass(frozen=True)
class Snapshot:
    """A language's catalog and its completeness, read from the same rows."""

    catalog: Catalog
    counts: stats.Counts
    critical: int

    def finished(self, review: bool) -> bool:
        return self.counts.is_complete(review) and self.critical == 0

    @property
    def text(self) -> str:
        return catalog.dumps(self.catalog)


def build(content: Content, item: Article, code: str | None, *, versions: bool) -> Catalog:
    """The article's template (``code`` None) or one language's catalog."""
    found = queries.translations(item, code) if code else {}
    return _build(content, item, code, found, versions=versions)


def snapshot(content: Content, item: Article, code: str) -> Snapshot:
    """One language's published catalog, with the counts of the rows it was built from."""
    found = queries.translations(item, code)
    active = queries.segments(item)
    rows = []
    critical = 0
    for segment in active:
        translation = found.get(segment.id)
        rows.append((State(translation.state) if translation else State.EMPTY, segment.words))
        critical += bool(translation and translation.text and translation.critical)
    built = _build(content, item, code, found, versions=False, active=active)
    return Snapshot(built, stats.count(rows), critical)


def _build(
    content: Content,
    item: Article,
    code: str | None,
    found: dict[int, Translation],
    *,
    versions: bool,
    active: list | None = None,
) -> Catalog:
    entries = []
    for row in queries.segments(item) if active is None else active:
        translation = found.get(row.id)
        text = translation.text if translation else ""
        outdated = bool(text) and translation is not None and translation.state == State.OUTDATED
        entries.append(
            Entry(
                id=row.number,
                source=row.source,
                translation=text,
                kind=row.kind,
                line=row.line,
                fuzzy=outdated,
                previous=translation.previous_source if outdated else None,
                version=(translation.version if translation else 0) if versions else None,
            )
        )
    for row in queries.segments(item, obsolete=True):
        translation = found.get(row.id)
        if code is None or (translation is not None and translation.text):
            text = translation.text if translation else ""
            entries.append(Entry(id=row.number, source=row.source, translation=text, obsolete=True))
    dates = [t.updated_at for t in found.values()] or [queries.revision(item).created_at]
    return Catalog(
        slug=item.slug,
        source_path=content.source_name(item.slug),
        entries=tuple(entries),
        language=languages.get(code).gettext if code else None,
        created=item.created_at.strftime(_DATE),
        revised=max(dates).strftime(_DATE),
    )
