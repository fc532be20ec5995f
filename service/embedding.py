"""The publisher's side, read only: what the blog plugin, the badge and the feed show.

1. :func:`widget` is one article as a blog post's plugin shows it: its published
   languages (every language with a committed publication, the outdated ones included:
   what they say is still published), how many count toward the target (published at
   the current source revision) and the target. An unknown or malformed slug is
   ``None``, never an error: a host page shows nothing rather than an error.
2. :func:`published_segments` is a published translation segment by segment: each
   segment's stable id, kind, source as a reader sees it (plain text) and translation
   as sanitised inline HTML (:func:`service.core.render.pieces`), made from the
   publication's own record in the database (the PO text committed and the source
   revision it was made for), never from git or the working copy. It is the same for as
   long as the publication stands, so it is kept per process by commit. Raises NotFound
   (unknown article, never published) and LanguageError.
3. :func:`publications` lists committed publications of languages, newest first, for
   the feed (all languages, or one).
4. Nothing here writes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from service import coverage, publishing, queries
from service.content import Content
from service.core import catalog, languages, render, segment, stats
from service.core.languages import Language
from service.core.messages import N_
from service.db import db
from service.errors import NotFound
from service.models import Article, Publication, PublicationStatus

FEED_LIMIT = 50


@dataclass(frozen=True)
class PublishedLanguage:
    language: Language
    commit: str
    current: bool  # published at the current source revision (else outdated)


@dataclass(frozen=True)
class Widget:
    slug: str
    title: str
    target: int
    published: int  # languages counting toward the target
    languages: tuple[PublishedLanguage, ...]  # priority languages first


def find(slug: str) -> Article | None:
    """The article, or None for an unknown or malformed slug."""
    try:
        return queries.find_article(slug)
    except NotFound:
        return None


def widget(slug: str) -> Widget | None:
    """The article's published languages and its progress toward its target, or None."""
    item = find(slug)
    if item is None:
        return None
    found = coverage.article_coverage(item)
    published = tuple(
        PublishedLanguage(
            languages.get(status.code), status.published_commit, status.state == stats.PUBLISHED
        )
        for status in found.languages
        if status.published_commit
    )
    return Widget(item.slug, item.title, found.target, found.published, published)


@dataclass(frozen=True)
class PublishedSegment:
    number: int  # the segment's stable id
    kind: str
    text: str  # the source as a reader sees it
    html: str  # the translation, sanitised inline HTML; "" where the source stays


@dataclass(frozen=True)
class PublishedSegments:
    slug: str
    language: Language
    commit: str
    segments: tuple[PublishedSegment, ...]


def published_commit(slug: str, code: str) -> tuple[Language, Publication]:
    """The language and its last committed publication; raises NotFound, LanguageError."""
    item = queries.article(slug)
    language = languages.get(code)
    published = publishing.last_committed(item, language.code)
    if published is None or published.commit is None:
        raise NotFound(
            N_(
                "the %(language)s translation of %(slug)r is not published yet "
                "(ask for the draft to see the current state)",
                language=language.code,
                slug=slug,
            )
        )
    return language, published


def published_segments(content: Content, slug: str, code: str) -> PublishedSegments:
    """A published translation segment by segment (module docstring, 2)."""
    language, published = published_commit(slug, code)
    key = (str(content.root), published.commit, slug, language.code)
    kept = _KEPT.get(key)
    if kept is None:
        kept = _split(content, slug, language, published)
        with _LOCK:
            if len(_KEPT) >= _CACHE_SIZE:
                _KEPT.pop(next(iter(_KEPT)))  # the oldest
            _KEPT[key] = kept
    return kept


_KEPT: dict[tuple[str, str, str, str], PublishedSegments] = {}
_CACHE_SIZE = 256
_LOCK = threading.Lock()


def _spaced(source: str) -> str:
    """Whitespace as :func:`service.core.catalog.translations` compares sources."""
    return "\n".join(" ".join(line.split()) for line in source.split("\n"))


def _split(
    content: Content, slug: str, language: Language, published: Publication
) -> PublishedSegments:
    name = content.catalog_name(slug, language.code)
    document = segment.parse(published.revision.text, content.source_name(slug))
    committed = catalog.loads(published.catalog, name)
    # Each segment's id: the entry of the same source, in order, as translations are found.
    ids: dict[str, list[int]] = {}
    for entry in committed.active:
        ids.setdefault(_spaced(entry.source), []).append(entry.id)
    numbers = {}
    for found in document.segments:
        queue = ids.get(_spaced(found.source))
        if queue:
            numbers[found.position] = queue.pop(0)
    translations = catalog.translations(document, committed)
    rows = tuple(
        PublishedSegment(numbers[piece.position], piece.kind, piece.text, piece.html)
        for piece in render.pieces(document, translations)
        if piece.position in numbers
    )
    return PublishedSegments(slug, language, published.commit or "", rows)


@dataclass(frozen=True)
class FeedEntry:
    id: int  # the publication's
    slug: str
    title: str
    language: Language
    commit: str
    committed_at: datetime
    author: str | None  # the translator credited as the commit's author (name only)


def publications(code: str | None = None, limit: int = FEED_LIMIT) -> list[FeedEntry]:
    """Committed publications of languages (of ``code`` only, if given), newest first;
    raises LanguageError for a bad code."""
    query = (
        select(Publication, Article.slug, Article.title)
        .join(Article, Article.id == Publication.article_id)
        .where(
            Publication.status == PublicationStatus.COMMITTED,
            Publication.language.is_not(None),
            Publication.committed_at.is_not(None),
        )
        .order_by(Publication.committed_at.desc(), Publication.id.desc())
        .limit(limit)
    )
    if code is not None:
        query = query.where(Publication.language == languages.get(code).code)
    return [
        FeedEntry(
            row.id,
            slug,
            title,
            languages.get(row.language),
            row.commit or "",
            row.committed_at,
            row.author.split(" <")[0] if row.author else None,  # never the e-mail address
        )
        for row, slug, title in db.session.execute(query)
    ]
