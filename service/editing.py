"""The editor's use cases: one article in one language, as the editor and the API see it.

Contract:

1. :func:`listing` gives every active segment in article order with its kind,
   source, translation, state, version, author, the previous source of an
   outdated translation (and a word diff from it to the source), the checks that
   fail on it (the glossary's warning included), the suggestions kept for it (from
   conflicts and uploads), its open comments and the glossary terms in its source, plus
   the language's coverage. It reads only; the language need not be started. Raises
   NotFound or LanguageError.
2. :func:`save`, :func:`approve` and :func:`revert` do what
   :mod:`service.translating` does (compare-and-set, history, checks, a
   publication queued when the language is finished) and add the glossary's warning
   to the check results and the language's coverage after the change, so a progress
   bar can move without another request.
3. :func:`changes` is one segment's history, newest first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from service import comments, coverage, glossary, queries, translating
from service.content import Content
from service.core import checks, diff, languages
from service.core.stats import State
from service.db import db
from service.models import Article, Change, Suggestion, Term, User


@dataclass(frozen=True)
class SuggestionView:
    id: int
    text: str
    origin: str
    author: str | None
    created_at: datetime
    based_on_version: int


@dataclass(frozen=True)
class SegmentView:
    number: int  # the segment's stable id
    kind: str
    source: str
    translation: str
    state: State
    version: int
    author: str | None
    updated_at: datetime | None
    previous_source: str | None  # what an outdated translation translated
    source_diff: tuple[tuple[diff.Op, str], ...]  # previous source -> source, word by word
    checks: tuple[checks.CheckResult, ...]
    suggestions: tuple[SuggestionView, ...]
    open_comments: int = 0  # unresolved comments in this language
    terms: tuple[glossary.Found, ...] = ()  # glossary terms in the source, in order


@dataclass(frozen=True)
class Listing:
    article: Article
    language: languages.Language
    status: coverage.LanguageStatus
    segments: tuple[SegmentView, ...]
    glossary: tuple[Term, ...] = ()  # the language's glossary, by term


@dataclass(frozen=True)
class Outcome:
    """A save, approval or revert, and the language's coverage after it."""

    result: translating.SaveResult
    status: coverage.LanguageStatus


def listing(slug: str, code: str) -> Listing:
    """The editor's view of one article and language."""
    language = languages.get(code)
    item = queries.article(slug)
    found = queries.translations(item, language.code)
    kept = _suggestions(item, language.code)
    asked = comments.open_by_segment(item, language.code)
    terms = glossary.matcher(language.code)
    views = []
    for segment in queries.segments(item):
        translation = found.get(segment.id)
        text = translation.text if translation is not None else ""
        state = State(translation.state) if translation is not None else State.EMPTY
        previous = None
        if state == State.OUTDATED:
            previous = translation.previous_source or segment.previous_source
        views.append(
            SegmentView(
                number=segment.number,
                kind=segment.kind,
                source=segment.source,
                translation=text,
                state=state,
                version=translation.version if translation is not None else 0,
                author=translation.user.name if translation and translation.user else None,
                updated_at=translation.updated_at if translation is not None else None,
                previous_source=previous,
                source_diff=tuple(diff.words(previous, segment.source)) if previous else (),
                checks=_checks(terms, segment.source, text),
                suggestions=tuple(s for s in kept.get(segment.id, ()) if s.text != text),
                open_comments=asked.get(segment.id, 0),
                terms=tuple(terms.found(segment.source)),
            )
        )
    status = coverage.language_status(item, language.code)
    return Listing(item, language, status, tuple(views), tuple(glossary.terms(language.code)))


def _suggestions(item: Article, code: str) -> dict[int, list[SuggestionView]]:
    query = (
        select(Suggestion)
        .where(
            Suggestion.language == code,
            Suggestion.segment_id.in_(queries.segment_ids(item)),
        )
        .order_by(Suggestion.id.desc())
    )
    kept: dict[int, list[SuggestionView]] = defaultdict(list)
    for row in db.session.scalars(query):
        kept[row.segment_id].append(
            SuggestionView(
                row.id,
                row.text,
                row.origin,
                row.user.name if row.user else None,
                row.created_at,
                row.based_on_version,
            )
        )
    return kept


def _checks(terms: glossary.Matcher, source: str, text: str) -> tuple[checks.CheckResult, ...]:
    """The core checks, then the glossary's warning."""
    found = checks.run(source, text)
    extra = terms.check(source, text)
    return (*found, extra) if extra else tuple(found)


def _outcome(slug: str, code: str, number: int, result: translating.SaveResult) -> Outcome:
    item = queries.article(slug)
    language = queries.language(code)
    if result.applied:
        source = queries.segment(item, number).source
        extra = glossary.matcher(language).check(source, result.text)
        if extra:
            result = replace(result, checks=(*result.checks, extra))
    return Outcome(result, coverage.language_status(item, language))


def save(
    content: Content, slug: str, code: str, number: int, text: str, version: int, user: User
) -> Outcome:
    """Save one translation (compare-and-set); a conflict is an outcome, not an error."""
    result = translating.save(content, slug, code, number, text, version, user)
    return _outcome(slug, code, number, result)


def approve(
    content: Content, slug: str, code: str, number: int, version: int, user: User
) -> Outcome:
    """A reviewer's approval of the current text; raises PermissionDenied below reviewer."""
    return _outcome(
        slug, code, number, translating.approve(content, slug, code, number, version, user)
    )


def revert(
    content: Content, slug: str, code: str, number: int, change_id: int, user: User
) -> Outcome:
    """Restore the text a history row recorded."""
    return _outcome(
        slug, code, number, translating.revert(content, slug, code, number, change_id, user)
    )


def changes(slug: str, code: str, number: int) -> list[Change]:
    """One segment's history in one language, newest first."""
    return translating.history(slug, code, number)
