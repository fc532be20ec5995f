"""The coordinator's figures: coverage toward each article's target, forecasts, activity.

Contract:

1. :func:`overview` gathers, for every article: its coverage (:mod:`service.coverage`),
   per started language the remaining segments and words, contributors, last activity
   and the forecast of its finishing date at the recent pace (:mod:`service.core.forecast`,
   measured on :mod:`service.progress`), the article's verdict on its target, and the
   words-over-time series the page charts. Languages of the matrix are the priority
   languages of every article first (their order as configured), then every other
   started language by code. The registered webhooks and their delivery log come along.
2. :func:`stats_json` is the same figures as JSON-ready dicts, one per article: the coverage
   fields (``service.coverage.ArticleCoverage.as_json``) plus deadline, verdict and how
   it was computed, and per language the remaining counts, contributors, last activity
   and forecast. ``chorus stats --json``, ``/api/v1/stats.json`` and the page say the
   same; :func:`stats_csv` is one row per article and started language.
3. :func:`import_preview` says what re-importing an article from ``source/`` would do
   (a slug names ``source/<slug>.md``, never another path), without changing anything:
   counts, and each new, changed and removed segment, with how many translations would
   become outdated and which published languages with them;
   :func:`import_source` does it, as ``chorus import`` would (credited to nobody).
4. :func:`publish_now` records every finished language (and the template when its
   revision is not committed) as due, makes failed publications due again, commits, and
   wakes the worker, which also retries failed pushes. It does no git itself.
5. Reads only, but for :func:`publish_now`; ``today`` is the UTC date unless given.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from service import coverage, importing, progress, publishing, queries, webhooks
from service.content import Content, check_slug
from service.core import chart, diff, forecast, stats, update
from service.core import segment as segmenting
from service.db import db
from service.models import (
    Article,
    Delivery,
    Publication,
    PublicationStatus,
    Segment,
    Translation,
    Webhook,
    utcnow,
)

CHART_DAYS = 90  # the chart shows at most the last three months


@dataclass(frozen=True)
class LanguageRow:
    status: coverage.LanguageStatus
    remaining_segments: int
    remaining_words: int
    contributors: tuple[tuple[str, int], ...]
    last: datetime | None
    forecast: forecast.LanguageForecast

    def as_json(self) -> dict[str, Any]:
        item = self.status.as_json()
        item.update(
            remaining_segments=self.remaining_segments,
            remaining_words=self.remaining_words,
            contributors=[{"name": name, "changes": n} for name, n in self.contributors],
            last_activity=self.last.isoformat() + "Z" if self.last else None,
            pace=round(self.forecast.pace, 1),
            forecast=self.forecast.finish.isoformat() if self.forecast.finish else None,
            at_risk=self.forecast.at_risk,
            how=str(self.forecast.how),
        )
        return item


@dataclass(frozen=True)
class ArticleRow:
    coverage: coverage.ArticleCoverage
    deadline: date | None
    priority: tuple[str, ...]
    verdict: forecast.ArticleForecast
    languages: tuple[LanguageRow, ...]  # started languages, priority first
    chart: chart.Chart | None  # None: nothing translated yet

    @property
    def by_code(self) -> dict[str, LanguageRow]:
        return {row.status.code: row for row in self.languages}

    @property
    def at_risk(self) -> tuple[LanguageRow, ...]:
        return tuple(row for row in self.languages if row.forecast.at_risk)

    def as_json(self) -> dict[str, Any]:
        item = self.coverage.as_json()
        item.update(
            deadline=self.deadline.isoformat() if self.deadline else None,
            verdict=self.verdict.verdict,
            expected=self.verdict.expected,
            how=str(self.verdict.how),
            languages=[row.as_json() for row in self.languages],
        )
        return item


@dataclass(frozen=True)
class Dashboard:
    today: date
    articles: tuple[ArticleRow, ...]
    columns: tuple[str, ...]  # the matrix's languages, priority first
    new_sources: tuple[str, ...]  # articles in source/ not imported yet
    webhooks: tuple[Webhook, ...] = ()
    deliveries: tuple[Delivery, ...] = ()  # the delivery log, newest first

    @property
    def problems(self) -> tuple[tuple[ArticleRow, coverage.LanguageStatus], ...]:
        """Every language whose last publication or push failed, with its article."""
        return tuple(
            (article, row.status)
            for article in self.articles
            for row in article.languages
            if row.status.problem
        )


def _today(today: date | None) -> date:
    return today or utcnow().date()


def rows(today: date | None = None) -> list[ArticleRow]:
    """Every article's figures, by slug (see the module's contract)."""
    today = _today(today)
    items = {item.slug: item for item in db.session.scalars(select(Article))}
    covered = coverage.all_articles()
    active = progress.activity(list(items.values()))
    start = date.fromordinal(today.toordinal() - forecast.WINDOW_DAYS)
    found_rows = []
    for cover in covered:
        item = items.get(cover.slug)
        if item is None:  # imported between the two reads: on the next page
            continue
        found = []
        for status in cover.languages:
            seen = active.get((item.id, status.code), progress.Activity())
            done_words = status.counts.done_words(status.review)
            remaining = status.counts.total_words - done_words
            gained = done_words - seen.done_on(start)
            found.append(
                LanguageRow(
                    status=status,
                    remaining_segments=status.counts.total_segments
                    - status.counts.done(status.review),
                    remaining_words=remaining,
                    contributors=tuple(seen.contributors),
                    last=seen.last,
                    forecast=forecast.language(remaining, gained, today, item.deadline),
                )
            )
        unpublished = [row.forecast for row in found if row.status.state != stats.PUBLISHED]
        verdict = forecast.article(cover.target, cover.published, unpublished, item.deadline)
        found_rows.append(
            ArticleRow(
                cover,
                item.deadline,
                tuple(item.priority_languages.split()),
                verdict,
                tuple(found),
                _chart(item, active, found, today),
            )
        )
    return found_rows


def _chart(
    item: Article, active: dict, found: list[LanguageRow], today: date
) -> chart.Chart | None:
    series = {
        row.status.code: active[(item.id, row.status.code)].series
        for row in found
        if (item.id, row.status.code) in active and active[(item.id, row.status.code)].series
    }
    if not series:
        return None
    first = min(points[0][0] for points in series.values())
    start = max(first, date.fromordinal(today.toordinal() - CHART_DAYS))
    return chart.lines(series, start, max(today, start))


def overview(content: Content, today: date | None = None) -> Dashboard:
    """Everything the dashboard shows (see the module's contract)."""
    today = _today(today)
    found = rows(today)
    priority: list[str] = []
    for item in db.session.scalars(select(Article).order_by(Article.slug)):
        for code in item.priority_languages.split() or content.priority_languages:
            if code not in priority:
                priority.append(code)
    started = sorted({row.status.code for a in found for row in a.languages} - set(priority))
    known = set(db.session.scalars(select(Article.slug)))
    fresh = tuple(slug for slug in content.slugs() if slug not in known)
    return Dashboard(
        today,
        tuple(found),
        tuple(priority + started),
        fresh,
        tuple(webhooks.webhooks()),
        tuple(webhooks.deliveries()),
    )


def stats_json(today: date | None = None) -> list[dict[str, Any]]:
    """The dashboard's figures as JSON-ready dicts, one per article, by slug."""
    return [row.as_json() for row in rows(today)]


CSV_FIELDS = (
    "article",
    "title",
    "target",
    "published",
    "deadline",
    "verdict",
    "language",
    "name",
    "state",
    "segments",
    "done",
    "words",
    "done_words",
    "percent",
    "percent_words",
    "remaining_segments",
    "remaining_words",
    "contributors",
    "last_activity",
    "pace",
    "forecast",
    "at_risk",
)


def stats_csv(articles: list[dict[str, Any]] | None = None) -> str:
    """The same figures (``articles`` as :func:`stats_json` gives them, or all of today's),
    one row per article and started language (RFC 4180, CRLF)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for article in stats_json() if articles is None else articles:
        for item in article["languages"]:
            names = " ".join(person["name"] for person in item["contributors"])
            writer.writerow(
                {
                    **{key: article[key] for key in CSV_FIELDS[:6]},
                    **item,
                    "name": item["name"],
                    "contributors": names,
                }
            )
    return out.getvalue()


# -- management ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentChange:
    number: int | None  # None: a new segment
    status: str  # "new", "outdated" (changed), "obsolete" (removed)
    old: str
    new: str
    translations: int  # how many would become outdated (changed) or stop counting (removed)
    diff: tuple[tuple[diff.Op, str], ...] = ()  # old -> new, word by word (changed ones)


@dataclass(frozen=True)
class ImportPreview:
    slug: str
    title: str
    exists: bool
    counts: dict[str, int]
    changes: tuple[SegmentChange, ...]
    outdated_translations: int
    published: tuple[str, ...]  # published languages that would become outdated

    @property
    def changed(self) -> bool:
        return any(self.counts[key] for key in ("new", "outdated", "obsolete"))


def import_preview(content: Content, slug: str) -> ImportPreview:
    """What re-importing ``source/<slug>.md`` would change; raises NotFound or SourceError."""
    slug, text, _path = importing.read(content, check_slug(slug))
    document = segmenting.parse(text, content.source_name(slug))
    item = queries.find_article(slug)
    existing = (
        {
            s.number: s
            for s in db.session.scalars(select(Segment).where(Segment.article_id == item.id))
        }
        if item
        else {}
    )
    known = [update.Known(n, s.source, s.obsolete) for n, s in sorted(existing.items())]
    plan = update.plan(known, [s.source for s in document.segments])
    counts = plan.counts()
    touched = [m.id for m in plan.matches if m.status == update.Status.OUTDATED] + list(
        plan.obsolete
    )
    translated = _translated(item.id, touched) if item else {}
    changes: list[SegmentChange] = []
    for match, parsed in zip(plan.matches, document.segments, strict=True):
        if match.status == update.Status.NEW:
            changes.append(SegmentChange(None, "new", "", parsed.source, 0))
        elif match.status == update.Status.OUTDATED:
            old = existing[match.id].source
            pieces = tuple(diff.words(old, parsed.source))
            count = translated.get(match.id, 0)
            changes.append(SegmentChange(match.id, "outdated", old, parsed.source, count, pieces))
    for number in plan.obsolete:
        changes.append(
            SegmentChange(
                number, "obsolete", existing[number].source, "", translated.get(number, 0)
            )
        )
    outdated = sum(c.translations for c in changes if c.status == "outdated")
    published: tuple[str, ...] = ()
    if item is not None and (counts["outdated"] or counts["new"] or counts["obsolete"]):
        published = tuple(
            status.code
            for status in coverage.article_coverage(item).languages
            if status.state == stats.PUBLISHED
        )
    return ImportPreview(
        slug=slug,
        title=document.title or slug,
        exists=item is not None,
        counts=counts,
        changes=tuple(changes),
        outdated_translations=outdated,
        published=published,
    )


def import_source(content: Content, slug: str, *, retranslate: bool) -> importing.ImportReport:
    """Import ``source/<slug>.md`` (a slug only, never a path); commits. As ``chorus import``,
    the changes are nobody's: an import credits no one and is no one's activity."""
    return importing.import_article(content, check_slug(slug), retranslate=retranslate)


def _translated(article_id: int, numbers: list[int]) -> dict[int, int]:
    """Per segment number: its translations that are done (the ones a change outdates)."""
    if not numbers:
        return {}
    return dict(
        db.session.execute(
            select(Segment.number, func.count(Translation.id))
            .join(Translation, Translation.segment_id == Segment.id)
            .where(
                Segment.article_id == article_id,
                Segment.number.in_(numbers),
                Translation.state > stats.State.OUTDATED,
            )
            .group_by(Segment.number)
        ).all()
    )


def publish_now(slug: str) -> tuple[str, ...]:
    """Ask the worker to publish the article's finished languages now; commits. Returns
    what is due ("template" and language codes). Raises NotFound."""
    item = queries.article(slug, for_update=True)
    due: list[Publication | None] = []
    template = publishing.last_committed(item, None)
    if template is None or template.revision_id != queries.revision(item).id:
        due.append(publishing.due(item, None))
    for status in coverage.article_coverage(item).languages:
        if status.state == stats.FINISHED or status.problem:
            due.append(publishing.due(item, status.code))
    unpushed = select(Publication).where(
        Publication.article_id == item.id,
        Publication.status == PublicationStatus.COMMITTED,
        Publication.pushed.is_(False),
        Publication.push_error.is_not(None),
    )
    due.extend(db.session.scalars(unpushed))
    rows = [row for row in due if row is not None]
    db.session.commit()
    publishing.wake(rows)
    return tuple(sorted({row.language or "template" for row in rows}))
