"""Coverage: how far each language of each article is, in segments and words, as a cheap read.

1. A language's state follows the design ("Translation states"): ``finished``
   when every active segment is translated (approved where the article asks
   for review) and no critical check fails; ``published`` when a finished
   catalog was committed at the current source revision; ``outdated`` when it
   was published and the source changed since; else ``in progress`` or ``not
   started``. Percentages are honest (:func:`service.core.stats.percent`).
2. Reads run no check and load no translation: each translation stores whether
   a critical check fails on it (set when it is saved, and when a re-import
   changes its source), and ``coverage_counts`` holds, per article, language and
   state, the active segments, their source words and their critical failures.
   :func:`all_articles` is a handful of grouped queries whatever the number of
   languages and segments.
3. The summary is kept in the same transaction as every change: a use case that
   changes translations or segments calls :func:`touch`, and just before the
   transaction commits the touched (article, language) pairs are recounted from
   the rows with one grouped ``INSERT ... SELECT``. Such a use case locks its
   article row first (:func:`service.queries.article` ``for_update``), so two
   recounts of one article never interleave on PostgreSQL.
4. The last publication problem (a failed or retrying commit, a failed push)
   and whether a publication is queued are carried along so coordinators see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, delete, event, func, insert, select
from sqlalchemy.orm import Session

from service.core import checks, languages, stats
from service.db import db
from service.models import (
    Article,
    CoverageCount,
    Publication,
    PublicationStatus,
    Revision,
    Segment,
    Translation,
)

_TOUCHED = "chorus.coverage.touched"


@dataclass(frozen=True)
class LanguageStatus:
    code: str
    english_name: str
    native_name: str
    counts: stats.Counts
    review: bool
    critical: int  # translations failing a critical check
    state: str
    published_commit: str | None = None
    problem: str | None = None  # why the last publication or push failed
    queued: bool = False  # a publication is due and waits for the worker

    @property
    def finished(self) -> bool:
        return self.counts.is_complete(self.review) and self.critical == 0

    @property
    def percent(self) -> float:
        return self.counts.percent_done(self.review)

    @property
    def percent_words(self) -> float:
        return self.counts.percent_done_words(self.review)

    def as_json(self) -> dict[str, Any]:
        """The one JSON shape of a language's coverage (``chorus stats --json``, the API)."""
        return {
            "language": self.code,
            "name": self.english_name,
            "state": self.state,
            "segments": self.counts.total_segments,
            "done": self.counts.done(self.review),
            "words": self.counts.total_words,
            "done_words": self.counts.done_words(self.review),
            "percent": self.percent,
            "percent_words": self.percent_words,
            "critical": self.critical,
            "commit": self.published_commit,
            "queued": self.queued,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class ArticleCoverage:
    slug: str
    title: str
    segments: int
    words: int
    target: int
    review: bool
    languages: tuple[LanguageStatus, ...]  # priority languages first

    @property
    def published(self) -> int:
        """Languages counting toward the target: published at the current revision."""
        return sum(1 for item in self.languages if item.state == stats.PUBLISHED)

    def as_json(self) -> dict[str, Any]:
        """The one JSON shape of an article's coverage."""
        return {
            "article": self.slug,
            "title": self.title,
            "segments": self.segments,
            "words": self.words,
            "target": self.target,
            "published": self.published,
            "review": self.review,
            "languages": [item.as_json() for item in self.languages],
        }


# -- keeping the summary ----------------------------------------------------------------


def touch(article_id: int, language: str | None = None) -> None:
    """Recount this article's language (``None``: every language) before the commit."""
    touched: set[tuple[int, str | None]] = db.session.info.setdefault(_TOUCHED, set())
    touched.add((article_id, language))


def recount(session: Session, article_id: int, language: str | None = None) -> None:
    """Rebuild the summary rows of one article (one language, or all) from the rows."""
    where = [CoverageCount.article_id == article_id]
    source = [Segment.article_id == article_id, Segment.obsolete.is_(False), Translation.state != 0]
    if language is not None:
        where.append(CoverageCount.language == language)
        source.append(Translation.language == language)
    session.execute(delete(CoverageCount).where(*where))
    counted = (
        select(
            Segment.article_id,
            Translation.language,
            Translation.state,
            func.count(),
            func.coalesce(func.sum(Segment.words), 0),
            func.coalesce(func.sum(case((Translation.critical, 1), else_=0)), 0),
        )
        .join(Segment, Segment.id == Translation.segment_id)
        .where(*source)
        .group_by(Segment.article_id, Translation.language, Translation.state)
    )
    columns = ["article_id", "language", "state", "segments", "words", "critical"]
    session.execute(insert(CoverageCount).from_select(columns, counted))


@event.listens_for(Session, "before_commit")
def _recount_touched(session: Session) -> None:
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    session.flush()
    everything = {article for article, language in touched if language is None}
    for article_id, language in sorted(touched, key=lambda key: (key[0], key[1] or "")):
        if language is None or article_id not in everything:
            recount(session, article_id, language)


@event.listens_for(Session, "after_transaction_end")
def _forget_touched(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction ended (not a savepoint)
        session.info.pop(_TOUCHED, None)


def is_critical(source: str, text: str) -> bool:
    """Whether a translation fails a critical check (what ``Translation.critical`` stores)."""
    return bool(text) and checks.has_critical(checks.run(source, text))


# -- reading ------------------------------------------------------------------------------


@dataclass
class _Publications:
    committed: Publication | None = None
    latest: Publication | None = None  # the newest row that is not skipped
    queued: bool = False


@dataclass
class _Article:
    segments: int = 0
    words: int = 0
    revision_id: int | None = None
    counts: dict[str, dict[int, tuple[int, int, int]]] = field(default_factory=dict)
    publications: dict[str | None, _Publications] = field(default_factory=dict)


def _gather(article_ids: list[int]) -> dict[int, _Article]:
    """Everything coverage needs for these articles, in five grouped queries."""
    found = {ident: _Article() for ident in article_ids}
    for ident, segments, words in db.session.execute(
        select(Segment.article_id, func.count(), func.coalesce(func.sum(Segment.words), 0))
        .where(Segment.article_id.in_(article_ids), Segment.obsolete.is_(False))
        .group_by(Segment.article_id)
    ):
        found[ident].segments, found[ident].words = segments, words
    for ident, revision in db.session.execute(
        select(Revision.article_id, func.max(Revision.id))
        .where(Revision.article_id.in_(article_ids))
        .group_by(Revision.article_id)
    ):
        found[ident].revision_id = revision
    for row in db.session.scalars(
        select(CoverageCount).where(CoverageCount.article_id.in_(article_ids))
    ):
        per_state = found[row.article_id].counts.setdefault(row.language, {})
        per_state[row.state] = (row.segments, row.words, row.critical)
    for publication in _publications(article_ids):
        slot = found[publication.article_id].publications.setdefault(
            publication.language, _Publications()
        )
        if publication.status == PublicationStatus.COMMITTED:
            slot.committed = slot.committed or publication
        if publication.status == PublicationStatus.PENDING:
            slot.queued = True
        if publication.status != PublicationStatus.SKIPPED:
            slot.latest = slot.latest or publication
    return found


def _publications(article_ids: list[int]) -> list[Publication]:
    """Per article and language: the newest committed row, the newest row not skipped, and
    every pending row; newest first."""
    key = (Publication.article_id, Publication.language)
    these = Publication.article_id.in_(article_ids)
    newest_committed = (
        select(func.max(Publication.id))
        .where(these, Publication.status == PublicationStatus.COMMITTED)
        .group_by(*key)
    )
    newest = (
        select(func.max(Publication.id))
        .where(these, Publication.status != PublicationStatus.SKIPPED)
        .group_by(*key)
    )
    query = (
        select(Publication)
        .where(
            these,
            Publication.id.in_(newest_committed)
            | Publication.id.in_(newest)
            | (Publication.status == PublicationStatus.PENDING),
        )
        .order_by(Publication.id.desc())
    )
    return list(db.session.scalars(query))


def _status(item: Article, gathered: _Article, code: str) -> LanguageStatus:
    language = languages.get(code)
    per_state = gathered.counts.get(language.code, {})
    segments = {state: per_state.get(int(state), (0, 0, 0))[0] for state in stats.State}
    words = {state: per_state.get(int(state), (0, 0, 0))[1] for state in stats.State}
    segments[stats.State.EMPTY] = gathered.segments - sum(segments.values())
    words[stats.State.EMPTY] = gathered.words - sum(words.values())
    counts = stats.Counts(segments=segments, words=words)
    critical = sum(value[2] for value in per_state.values())
    slot = gathered.publications.get(language.code, _Publications())
    published, latest = slot.committed, slot.latest
    problem = None
    if latest is not None and latest.status != PublicationStatus.COMMITTED and latest.error:
        problem = latest.error
    elif published is not None and published.push_error:
        problem = published.push_error
    return LanguageStatus(
        code=language.code,
        english_name=language.english_name,
        native_name=language.native_name,
        counts=counts,
        review=item.review_required,
        critical=critical,
        state=stats.language_state(
            counts,
            item.review_required,
            critical,
            published is not None,
            published is not None and published.revision_id != gathered.revision_id,
        ),
        published_commit=published.commit if published else None,
        problem=problem,
        queued=slot.queued,
    )


def _coverage(item: Article, gathered: _Article) -> ArticleCoverage:
    listed = {code for code, per_state in gathered.counts.items() if per_state}
    # A published language stays listed (as outdated) even when none of its translated
    # segments is left in the article.
    listed |= {code for code, slot in gathered.publications.items() if code and slot.committed}
    codes = languages.priority_order(sorted(listed), item.priority_languages.split())
    return ArticleCoverage(
        slug=item.slug,
        title=item.title,
        segments=gathered.segments,
        words=gathered.words,
        target=item.target_languages,
        review=item.review_required,
        languages=tuple(_status(item, gathered, code) for code in codes),
    )


def language_status(item: Article, code: str) -> LanguageStatus:
    """The state and counts of one language of an article (started or not)."""
    return _status(item, _gather([item.id])[item.id], code)


def statuses(item: Article, codes: list[str]) -> list[LanguageStatus]:
    """The state and counts of each of ``codes`` (canonical, started or not), in that order."""
    gathered = _gather([item.id])[item.id]
    return [_status(item, gathered, code) for code in codes]


def article_coverage(item: Article) -> ArticleCoverage:
    """Every started language of one article, priority languages first."""
    return _coverage(item, _gather([item.id])[item.id])


def all_articles() -> list[ArticleCoverage]:
    """Every article, by slug, with its started languages."""
    items = list(db.session.scalars(select(Article).order_by(Article.slug)))
    gathered = _gather([item.id for item in items]) if items else {}
    return [_coverage(item, gathered[item.id]) for item in items]


@dataclass(frozen=True)
class Failure:
    """A translation that fails a critical check, with every failing check."""

    segment: int  # the segment's stable id
    line: int
    results: tuple[checks.CheckResult, ...]

    def describe(self) -> str:
        named = "; ".join(f"{r.id}: {r.message}" for r in self.results if r.severity == "critical")
        return f"segment {self.segment} (line {self.line}): {named}"


def failures(item: Article, code: str) -> list[Failure]:
    """The translations of one language that fail a critical check (checks run on those only)."""
    query = (
        select(Segment, Translation)
        .join(Translation, Translation.segment_id == Segment.id)
        .where(
            Segment.article_id == item.id,
            Segment.obsolete.is_(False),
            Translation.language == code,
            Translation.critical.is_(True),
        )
        .order_by(Segment.position)
    )
    return [
        Failure(segment.number, segment.line, tuple(checks.run(segment.source, translation.text)))
        for segment, translation in db.session.execute(query).all()
    ]
