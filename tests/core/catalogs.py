"""Catalogs for the core's tests, made straight from a segmented document.

The service builds catalogs from its database (``service.catalogs``); the core's
tests only need the values: ids 1..n in reading order, each entry's kind and line
from its segment, no translation.
"""

from __future__ import annotations

from service.core import languages
from service.core.catalog import Catalog, Entry
from service.core.segment import Document


def from_document(
    slug: str, document: Document, source_path: str, *, language: str | None = None
) -> Catalog:
    """The template of ``document`` (``language`` None) or an untranslated catalog for it."""
    entries = tuple(
        Entry(id=number, source=s.source, kind=s.kind, line=s.line)
        for number, s in enumerate(document.segments, start=1)
    )
    code = languages.get(language).gettext if language is not None else None
    return Catalog(slug=slug, source_path=source_path, entries=entries, language=code)
