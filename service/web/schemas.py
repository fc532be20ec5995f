"""The API's typed request and response bodies (pydantic), from which /openapi.json is made.

Each response model has a ``of`` constructor from the use cases' own values, so a view
never builds a JSON dict by hand and the description cannot drift from what is sent.
Request models are strict where a wrong type must be refused rather than coerced: a
``version`` is an integer, never the string ``"3"``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from service import coverage, editing, translating
from service.core import checks
from service.core.messages import N_
from service.core.stats import State
from service.models import Change, Comment
from service.web.i18n import say

StateName = Literal["empty", "outdated", "translated", "approved"]
LanguageState = Literal["not started", "in progress", "finished", "published", "outdated"]


MAX_NUMBER = 2**31 - 1  # versions and ids are 32-bit integers in the database


def _unicode(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds a lone surrogate (\\ud800-\\udfff), not Unicode") from None
    if "\x00" in text:
        raise ValueError("the text holds a NUL character")
    return text


def _utc(moment: datetime) -> datetime:
    """Stored times are UTC without a zone (SQLite keeps none): say so, as RFC 3339 wants."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


Text = Annotated[StrictStr, AfterValidator(_unicode)]
Moment = Annotated[datetime, AfterValidator(_utc)]
Number = Annotated[StrictInt, Field(ge=0, le=MAX_NUMBER)]


def state_name(state: int) -> StateName:
    return State(state).name.lower()  # type: ignore[return-value]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests ------------------------------------------------------------------------


class ArticlePath(BaseModel):
    slug: str


class LanguagePath(ArticlePath):
    lang: str


class SegmentPath(LanguagePath):
    number: int = Field(ge=1, le=MAX_NUMBER, description="the segment's stable id")


class SaveIn(Body):
    translation: Text
    version: Number = Field(description="the version the translator started from")


class ApproveIn(Body):
    version: Number = Field(description="the version being approved")


class RevertIn(Body):
    change: Annotated[StrictInt, Field(ge=1, le=MAX_NUMBER)] = Field(
        description="the history row whose text comes back"
    )


# -- responses -----------------------------------------------------------------------


class ErrorOut(BaseModel):
    error: str = Field(description="a short kind: not-found, conflict, bad-request, ...")
    message: str


class CheckOut(BaseModel):
    id: str
    name: str
    severity: Literal["critical", "warning"]
    message: str

    @classmethod
    def of(cls, result: checks.CheckResult) -> CheckOut:
        return cls(
            id=result.id,
            name=say(result.name),
            severity=result.severity,
            message=say(result.message),
        )


class LanguageOut(BaseModel):
    """One language of an article: the shape of ``chorus stats --json``."""

    language: str
    name: str
    state: LanguageState
    segments: int
    done: int
    words: int
    done_words: int
    percent: float
    percent_words: float
    critical: int
    commit: str | None
    queued: bool
    problem: str | None

    @classmethod
    def of(cls, status: coverage.LanguageStatus) -> LanguageOut:
        return cls(**status.as_json())


class ArticleOut(BaseModel):
    article: str
    title: str
    segments: int
    words: int
    target: int
    published: int
    review: bool
    languages: list[LanguageOut]

    @classmethod
    def of(cls, item: coverage.ArticleCoverage) -> ArticleOut:
        return cls(**item.as_json())


class ArticlesOut(BaseModel):
    articles: list[ArticleOut]


class SuggestionOut(BaseModel):
    id: int
    text: str
    origin: Literal["conflict", "upload"]
    author: str | None
    created_at: Moment
    based_on_version: int


class FoundOut(BaseModel):
    term: str
    translation: str = Field(description="the agreed translation")
    note: str
    start: int = Field(description="character offset of the term in the source")
    end: int


class SegmentOut(BaseModel):
    id: int = Field(description="the segment's stable id (its msgctxt)")
    kind: str
    source: str
    translation: str
    state: StateName
    version: int
    author: str | None
    updated_at: Moment | None
    previous_source: str | None
    checks: list[CheckOut]
    suggestions: list[SuggestionOut]
    open_comments: int = Field(description="unresolved comments on it in this language")
    terms: list[FoundOut] = Field(description="glossary terms in the source, in order")

    @classmethod
    def of(cls, view: editing.SegmentView) -> SegmentOut:
        return cls(
            id=view.number,
            kind=view.kind,
            source=view.source,
            translation=view.translation,
            state=state_name(view.state),
            version=view.version,
            author=view.author,
            updated_at=view.updated_at,
            previous_source=view.previous_source,
            checks=[CheckOut.of(result) for result in view.checks],
            suggestions=[SuggestionOut(**vars(s)) for s in view.suggestions],
            open_comments=view.open_comments,
            terms=[FoundOut(**vars(found)) for found in view.terms],
        )


class SegmentsOut(BaseModel):
    article: str
    title: str
    language: str
    direction: Literal["ltr", "rtl"]
    review: bool
    status: LanguageOut
    segments: list[SegmentOut]

    @classmethod
    def of(cls, found: editing.Listing) -> SegmentsOut:
        return cls(
            article=found.article.slug,
            title=found.article.title,
            language=found.language.code,
            direction=found.language.direction,
            review=found.article.review_required,
            status=LanguageOut.of(found.status),
            segments=[SegmentOut.of(view) for view in found.segments],
        )


class SavedOut(BaseModel):
    """200: the change is applied (or was there already)."""

    version: int
    translation: str
    state: StateName
    author: str | None
    changed: bool = Field(description="false when the save repeated what was stored")
    checks: list[CheckOut]
    publication_queued: bool
    status: LanguageOut

    @classmethod
    def of(cls, outcome: editing.Outcome) -> SavedOut:
        result = outcome.result
        return cls(
            version=result.version,
            translation=result.text,
            state=state_name(result.state),
            author=result.author,
            changed=result.changed,
            checks=[CheckOut.of(item) for item in result.checks],
            publication_queued=result.publication_queued,
            status=LanguageOut.of(outcome.status),
        )


class ConflictOut(ErrorOut):
    """409: someone saved first. Theirs is here; yours is kept as suggestion ``suggestion``."""

    version: int = Field(description="the version now on the server: send it to overwrite")
    translation: str = Field(description="the text now on the server")
    state: StateName
    author: str | None
    suggestion: int | None = Field(description="where the typed text was kept")

    @classmethod
    def of(cls, result: translating.SaveResult) -> ConflictOut:
        if result.author:
            message = N_(
                "%(author)s saved this segment first (version %(version)s); "
                "your text is kept as a suggestion",
                author=result.author,
                version=result.version,
            )
        else:
            message = N_(
                "someone saved this segment first (version %(version)s); "
                "your text is kept as a suggestion",
                version=result.version,
            )
        return cls(
            error="conflict",
            message=say(message),
            version=result.version,
            translation=result.text,
            state=state_name(result.state),
            author=result.author,
            suggestion=result.suggestion_id,
        )


class ChangeOut(BaseModel):
    id: int
    at: Moment
    how: Literal["editor", "upload", "import", "revert", "approve"]
    author: str | None
    old: str
    new: str
    old_state: StateName
    new_state: StateName
    version: int

    @classmethod
    def of(cls, change: Change) -> ChangeOut:
        return cls(
            id=change.id,
            at=change.at,
            how=change.how,
            author=change.user.name if change.user else None,
            old=change.old_text,
            new=change.new_text,
            old_state=state_name(change.old_state),
            new_state=state_name(change.new_state),
            version=change.version,
        )


class HistoryOut(BaseModel):
    changes: list[ChangeOut]


class WhoamiOut(BaseModel):
    user: str
    role: Literal["translator", "reviewer", "coordinator", "admin"]
    scope: Literal["read", "write"] | None = Field(description="null when signed in by cookie")
    languages: list[str]


# -- working together ----------------------------------------------------------------


class CommentIn(Body):
    text: Text = Field(description="plain text; @name mentions a user")


class CommentPath(SegmentPath):
    comment: int = Field(ge=1, le=MAX_NUMBER)


class CommentOut(BaseModel):
    id: int
    author: str | None = Field(description="null for a reader's feedback (and a removed user)")
    text: str
    created_at: Moment
    resolved: bool
    mentions: list[str]
    from_reader: bool = Field(description="feedback sent by a reader through the blog plugin")

    @classmethod
    def of(cls, comment: Comment) -> CommentOut:
        from service.comments import mentions

        return cls(
            id=comment.id,
            author=comment.user.name if comment.user else None,
            text=comment.text,
            created_at=comment.created_at,
            resolved=comment.resolved_at is not None,
            mentions=[] if comment.from_reader else list(mentions(comment.text)),
            from_reader=bool(comment.from_reader),
        )


class ThreadOut(BaseModel):
    comments: list[CommentOut]


class PresenceIn(Body):
    segment: Annotated[StrictInt, Field(ge=1, le=MAX_NUMBER)] | None = Field(
        description="the segment you are in, or null when you leave"
    )


class PresenceOut(BaseModel):
    lease: int = Field(description="seconds a mark lasts without renewal")
    others: dict[str, list[str]] = Field(description="segment id -> names of the others in it")

    @classmethod
    def of(cls, found: dict[int, list[str]]) -> PresenceOut:
        from service.presence import LEASE

        return cls(lease=LEASE, others={str(number): names for number, names in found.items()})


# -- translator aids -----------------------------------------------------------------


class MatchOut(BaseModel):
    score: int = Field(ge=0, le=100, description="similarity of the sources; 100: the same")
    exact: bool
    source: str
    translation: str
    origin: str = Field(description="where it came from: an article's segment, or a TMX file")


class MachineOut(BaseModel):
    engine: str = Field(description="the engine that made it, e.g. apertium")
    translation: str


class SuggestionsOut(BaseModel):
    memory: list[MatchOut]
    machine: MachineOut | None = Field(description="null where no engine has the pair")

    @classmethod
    def of(cls, found) -> SuggestionsOut:
        return cls(
            memory=[
                MatchOut(
                    score=m.score,
                    exact=m.exact,
                    source=m.source,
                    translation=m.translation,
                    origin=say(m.origin),
                )
                for m in found.memory
            ],
            machine=(
                MachineOut(engine=found.machine.engine, translation=found.machine.text)
                if found.machine
                else None
            ),
        )


# -- the glossary --------------------------------------------------------------------


class TermIn(Body):
    term: Text = Field(description="as written in English, one line")
    translation: Text = Field(description="the agreed translation, one line")
    note: Text = ""


class GlossaryPath(BaseModel):
    lang: str


class TermPath(GlossaryPath):
    term: int = Field(ge=1, le=MAX_NUMBER)


class TermOut(BaseModel):
    id: int
    term: str
    translation: str
    note: str
    author: str | None
    updated_at: Moment

    @classmethod
    def of(cls, term) -> TermOut:
        return cls(
            id=term.id,
            term=term.term,
            translation=term.translation,
            note=term.note or "",
            author=term.user.name if term.user else None,
            updated_at=term.updated_at,
        )


class GlossaryOut(BaseModel):
    language: str
    terms: list[TermOut]


# -- the publisher's files and the offline round trip -----------------------------------


class FilePath(LanguagePath):
    fmt: Literal["md", "html", "po"] = Field(description="Markdown, HTML or the PO catalog")


class DraftQuery(BaseModel):
    draft: bool = Field(
        False,
        description="the current state instead of the published file (signed in); for po, "
        "the catalog to translate offline, each entry stamped with its version",
    )


class UploadEntryOut(BaseModel):
    segment: int
    outcome: Literal["applied", "outdated", "conflict", "unchanged", "empty", "unknown", "obsolete"]
    message: str


class UploadOut(BaseModel):
    slug: str
    language: str
    counts: dict[str, int] = Field(description="entries per outcome")
    entries: list[UploadEntryOut]
    critical: list[str] = Field(description="applied translations failing a critical check")
    publication_queued: bool = Field(description="the upload finished the language")

    @classmethod
    def of(cls, report) -> UploadOut:
        return cls(
            slug=report.slug,
            language=report.language,
            counts=report.counts(),
            entries=[
                UploadEntryOut(segment=e.segment, outcome=e.outcome.value, message=say(e.message))
                for e in report.entries
            ],
            critical=[failure.describe() for failure in report.failures],
            publication_queued=report.publication_queued,
        )


class ContributorOut(BaseModel):
    name: str
    changes: int


class StatsLanguageOut(LanguageOut):
    """One language with its remaining work, activity and forecast (``chorus stats --json``)."""

    remaining_segments: int
    remaining_words: int
    contributors: list[ContributorOut]
    last_activity: str | None = Field(description="the newest change by a person, ISO 8601 UTC")
    pace: float = Field(description="source words a day over the last 14 days")
    forecast: str | None = Field(description="the finishing date at that pace; null: no pace")
    at_risk: bool = Field(description="the forecast falls after the deadline")
    how: str = Field(description="how the forecast was computed, in English")


class StatsArticleOut(ArticleOut):
    deadline: str | None
    verdict: Literal["reached", "on track", "at risk"]
    expected: int = Field(description="languages expected by the deadline at the recent pace")
    how: str = Field(description="how the verdict was reached, in English")
    languages: list[StatsLanguageOut]


class StatsOut(BaseModel):
    """The coverage matrix with verdicts and forecasts: the dashboard's figures."""

    articles: list[StatsArticleOut]


# -- the publisher's side: the blog plugin's reads and a reader's feedback ---------------


class FeedbackIn(Body):
    text: Text = Field(
        max_length=20_000,
        description="plain text, 1 to 2,000 characters once stripped: what is wrong, "
        "or a better wording",
    )


class PublishedSegmentOut(BaseModel):
    id: int = Field(description="the segment's stable id (its msgctxt)")
    kind: str
    text: str = Field(description="the source as a reader sees it, as plain text")
    html: str = Field(
        description="the published translation as sanitised inline HTML; "
        "empty where the source stays"
    )


class PublishedOut(BaseModel):
    """A published translation segment by segment (what the blog plugin swaps in)."""

    article: str
    language: str
    name: str = Field(description="the language's name in itself")
    direction: Literal["ltr", "rtl"]
    commit: str
    segments: list[PublishedSegmentOut]

    @classmethod
    def of(cls, found) -> PublishedOut:
        return cls(
            article=found.slug,
            language=found.language.code,
            name=found.language.native_name,
            direction=found.language.direction,
            commit=found.commit,
            segments=[
                PublishedSegmentOut(id=row.number, kind=row.kind, text=row.text, html=row.html)
                for row in found.segments
            ],
        )
