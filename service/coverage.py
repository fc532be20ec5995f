"""Coverage: how far each language of each article is, in segments and words.

A language's state follows the design ("Translation states"): ``finished``
when every active segment is translated (approved where the article asks
for review) and no critical check fails; ``published`` when a finished
catalog was committed at the current source revision; ``outdated`` when it
was published and the source changed since; else ``in progress`` or ``not
started``. Percentages are honest (:func:`service.core.stats.percent`).
The last publication problem (a failed commit or push) is carried along so
coordinators see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from service import queries
from service.core import checks, languages, stats
from service.db import db
from service.models import Article, Publication, Segment, Translation


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

    @property
    def finished(self) -> bool:
        return self.counts.is_complete(self.review) and self.critical == 0

    @property
    def percent(self) -> float:
        return self.counts.percent_done(self.review)

    @property
    def percent_words(self) -> float:
        return self.counts.percent_done_words(self.review)


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


def last_publication(item: Article, code: str | None, *, committed: bool) -> Publication | None:
    query = select(Publication).where(
        Publication.article_id == item.id,
        Publication.language.is_(None) if code is None else Publication.language == code,
    )
    if committed:
        query = query.where(Publication.status == "committed")
    return db.session.scalar(query.order_by(Publication.id.desc()))


def language_status(
    item: Article, code: str, segments: list[Segment] | None = None
) -> LanguageStatus:
    """The state and counts of one language of an article."""
    language = languages.get(code)
    segments = queries.segments(item) if segments is None else segments
    found = queries.translations(item, language.code)
    rows: list[tuple[stats.State, int]] = []
    critical = 0
    for segment in segments:
        translation: Translation | None = found.get(segment.id)
        state = stats.State(translation.state) if translation else stats.State.EMPTY
        rows.append((state, segment.words))
        if (
            translation
            and translation.text
            and checks.has_critical(checks.run(segment.source, translation.text))
        ):
            critical += 1
    counts = stats.count(rows)
    published = last_publication(item, language.code, committed=True)
    latest = last_publication(item, language.code, committed=False)
    revision = queries.revision(item)
    problem = None
    if latest is not None and latest.status == "failed":
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
            published is not None and published.revision_id != revision.id,
        ),
        published_commit=published.commit if published else None,
        problem=problem,
    )


def article_coverage(item: Article) -> ArticleCoverage:
    segments = queries.segments(item)
    priority = item.priority_languages.split()
    codes = languages.priority_order(queries.started_languages(item), priority)
    return ArticleCoverage(
        slug=item.slug,
        title=item.title,
        segments=len(segments),
        words=sum(s.words for s in segments),
        target=item.target_languages,
        review=item.review_required,
        languages=tuple(language_status(item, code, segments) for code in codes),
    )


def all_articles() -> list[ArticleCoverage]:
    return [article_coverage(a) for a in db.session.scalars(select(Article).order_by(Article.slug))]
