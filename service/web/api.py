"""The segment API (``/api/v1``, JSON): thin views over :mod:`service.editing`.

flask-openapi3 validates each request against the typed models of
:mod:`service.web.schemas` (a body that is not JSON or not of the model's shape is a
400 in the error table's shape, and nothing runs) and describes every route in
``/openapi.json``. A stale save is a 409 carrying the server's text and author, the
typed text being kept as a suggestion. Reads are public; writes need a signed-in
user or a ``write`` token; approval needs a reviewer.
"""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_login import current_user
from flask_openapi3 import APIBlueprint, Tag

from service import MACHINE, comments, coverage, editing, glossary, presence, queries, suggesting
from service.content import Content
from service.models import Role
from service.web import access
from service.web.schemas import (
    ApproveIn,
    ArticleOut,
    ArticlePath,
    ArticlesOut,
    ChangeOut,
    CommentIn,
    CommentOut,
    CommentPath,
    ConflictOut,
    ErrorOut,
    GlossaryOut,
    GlossaryPath,
    HistoryOut,
    LanguagePath,
    PresenceIn,
    PresenceOut,
    RevertIn,
    SavedOut,
    SaveIn,
    SegmentPath,
    SegmentsOut,
    SuggestionsOut,
    TermIn,
    TermOut,
    TermPath,
    ThreadOut,
    WhoamiOut,
)

PREFIX = "/api/v1"
blueprint = APIBlueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    abp_responses={"400": ErrorOut, "404": ErrorOut, "503": ErrorOut},
)
_articles = [Tag(name="articles", description="articles and their coverage")]
_segments = [Tag(name="segments", description="translating, one segment at a time")]
_accounts = [Tag(name="accounts")]
_glossary = [Tag(name="glossary", description="agreed translations of terms")]
_together = [Tag(name="together", description="comments and who is where")]
_WRITE = {"401": ErrorOut, "403": ErrorOut, "413": ErrorOut}
_SIGNED_IN = [{"bearer": []}, {"session": []}]  # either one
_SEGMENT = "/articles/<slug>/<lang>/segments/<int:number>"


def _content() -> Content:
    return Content.from_config(current_app.config)


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


@blueprint.after_request
def _read_side(response: Response) -> Response:
    """Every read: an ETag (the body's digest, unless the view gave one) answered with 304
    on ``If-None-Match``, and CORS for any origin (without credentials: a page elsewhere
    may read what is public, and can never write)."""
    if request.method not in _READS:
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, X-Chorus-Commit"
    response.vary.update(("Accept-Language", "Cookie", "Authorization"))
    if request.method == "OPTIONS":  # a preflight: what a cross-origin read may send
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
        return response
    if response.status_code == 200 and not response.is_streamed:
        if "ETag" not in response.headers:
            response.add_etag()
        response.headers.setdefault("Cache-Control", "no-cache")
        response.make_conditional(request)
    return response


def _saved(outcome: editing.Outcome):
    if outcome.result.conflict:
        return ConflictOut.of(outcome.result).model_dump(mode="json"), 409
    return SavedOut.of(outcome).model_dump(mode="json")


@blueprint.get(
    "/whoami", tags=_accounts, responses={"200": WhoamiOut, "401": ErrorOut}, security=_SIGNED_IN
)
@access.signed_in
def whoami():
    """Who the session or token belongs to."""
    return WhoamiOut(
        user=current_user.name,
        role=current_user.role,
        scope=g.get("token_scope"),
        languages=current_user.working_languages,
    ).model_dump(mode="json")


@blueprint.get("/articles", tags=_articles, responses={"200": ArticlesOut})
@access.public
def articles():
    """Every article with its coverage summary."""
    found = [ArticleOut.of(item) for item in coverage.all_articles()]
    return ArticlesOut(articles=found).model_dump(mode="json")


@blueprint.get("/articles/<slug>", tags=_articles, responses={"200": ArticleOut})
@access.public
def article(path: ArticlePath):
    """One article: its target and its languages with state and counts."""
    return ArticleOut.of(coverage.article_coverage(queries.article(path.slug))).model_dump(
        mode="json"
    )


@blueprint.get("/articles/<slug>/<lang>/segments", tags=_segments, responses={"200": SegmentsOut})
@access.public
def segments(path: LanguagePath):
    """Every active segment in article order, with its translation, checks and suggestions."""
    return SegmentsOut.of(editing.listing(path.slug, path.lang)).model_dump(mode="json")


@blueprint.put(
    _SEGMENT,
    tags=_segments,
    responses={"200": SavedOut, "409": ConflictOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.writer
def save(path: SegmentPath, body: SaveIn):
    """Save one translation from the version it started from (compare-and-set)."""
    outcome = editing.save(
        _content(),
        path.slug,
        path.lang,
        path.number,
        body.translation,
        body.version,
        current_user._get_current_object(),
    )
    return _saved(outcome)


@blueprint.post(
    _SEGMENT + "/approve",
    tags=_segments,
    responses={"200": SavedOut, "409": ConflictOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.at_least(Role.REVIEWER)
def approve(path: SegmentPath, body: ApproveIn):
    """Approve the current translation (reviewers, where the article asks for review)."""
    outcome = editing.approve(
        _content(),
        path.slug,
        path.lang,
        path.number,
        body.version,
        current_user._get_current_object(),
    )
    return _saved(outcome)


@blueprint.get(_SEGMENT + "/history", tags=_segments, responses={"200": HistoryOut})
@access.public
def history(path: SegmentPath):
    """Every change of the segment's translation, newest first: who, when, how."""
    found = editing.changes(path.slug, path.lang, path.number)
    return HistoryOut(changes=[ChangeOut.of(change) for change in found]).model_dump(mode="json")


@blueprint.post(
    _SEGMENT + "/revert",
    tags=_segments,
    responses={"200": SavedOut, "409": ConflictOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.writer
def revert(path: SegmentPath, body: RevertIn):
    """Restore the text an earlier change recorded (a change like any other)."""
    outcome = editing.revert(
        _content(),
        path.slug,
        path.lang,
        path.number,
        body.change,
        current_user._get_current_object(),
    )
    return _saved(outcome)


@blueprint.get(_SEGMENT + "/comments", tags=_together, responses={"200": ThreadOut})
@access.public
def thread(path: SegmentPath):
    """The segment's comment thread in this language, oldest first."""
    found = comments.thread(path.slug, path.lang, path.number)
    return ThreadOut(comments=[CommentOut.of(item) for item in found]).model_dump(mode="json")


@blueprint.post(
    _SEGMENT + "/comments",
    tags=_together,
    responses={"201": CommentOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.writer
def comment(path: SegmentPath, body: CommentIn):
    """Ask or answer on a segment; ``@name`` mentions a user."""
    posted = comments.add(
        path.slug, path.lang, path.number, body.text, current_user._get_current_object()
    )
    return CommentOut.of(posted.comment).model_dump(mode="json"), 201


@blueprint.post(
    _SEGMENT + "/comments/<int:comment>/resolve",
    tags=_together,
    responses={"200": CommentOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.writer
def resolve(path: CommentPath):
    """Mark a question answered (its author, or a reviewer and up)."""
    done = comments.resolve(
        path.slug, path.lang, path.number, path.comment, current_user._get_current_object()
    )
    return CommentOut.of(done).model_dump(mode="json")


@blueprint.get("/articles/<slug>/<lang>/presence", tags=_together, responses={"200": PresenceOut})
@access.public
def who_is_where(path: LanguagePath):
    """Who has which segment open now (leases renewed within the last seconds)."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return PresenceOut.of(presence.others(path.slug, path.lang, user)).model_dump(mode="json")


@blueprint.put(
    "/articles/<slug>/<lang>/presence",
    tags=_together,
    responses={"200": PresenceOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.writer
def i_am_here(path: LanguagePath, body: PresenceIn):
    """Say which segment you are in (renew every few seconds), or null when leaving."""
    found = presence.here(path.slug, path.lang, body.segment, current_user._get_current_object())
    return PresenceOut.of(found).model_dump(mode="json")


@blueprint.get(_SEGMENT + "/suggestions", tags=_segments, responses={"200": SuggestionsOut})
@access.public
def suggestions(path: SegmentPath):
    """Translation memory matches and, where an engine has the pair, a machine translation.

    Never saved: a person takes one into the text box and saves it."""
    found = suggesting.for_segment(
        path.slug,
        path.lang,
        path.number,
        current_app.extensions[MACHINE],
        current_app.config["MT_TIMEOUT"],
    )
    return SuggestionsOut.of(found).model_dump(mode="json")


@blueprint.get("/glossary/<lang>", tags=_glossary, responses={"200": GlossaryOut})
@access.public
def terms(path: GlossaryPath):
    """A language's glossary, by term."""
    found = glossary.terms(path.lang)
    code = queries.language(path.lang)
    return GlossaryOut(language=code, terms=[TermOut.of(t) for t in found]).model_dump(mode="json")


@blueprint.post(
    "/glossary/<lang>",
    tags=_glossary,
    responses={"201": TermOut, "409": ErrorOut, **_WRITE},
    security=_SIGNED_IN,
)
@access.at_least(Role.REVIEWER)
def add_term(path: GlossaryPath, body: TermIn):
    """Add a term (reviewers and up)."""
    made = glossary.add(
        path.lang, body.term, body.translation, body.note, current_user._get_current_object()
    )
    return TermOut.of(made).model_dump(mode="json"), 201


@blueprint.delete(
    "/glossary/<lang>/<int:term>",
    tags=_glossary,
    responses={"204": None, **_WRITE},
    security=_SIGNED_IN,
)
@access.at_least(Role.REVIEWER)
def remove_term(path: TermPath):
    """Remove a term (reviewers and up)."""
    glossary.remove(path.term, current_user._get_current_object(), path.lang)
    return "", 204
