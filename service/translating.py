"""Saving translations: compare-and-set on a version, history, suggestions, approval, revert.

1. A save carries the version the translator started from (0 for a segment
   never translated in that language). The server compares and sets in one
   statement (``UPDATE ... WHERE version = :started_from``, or an insert that
   a unique constraint guards); success increments the version.
2. A stale version is a conflict, not an error: the result carries the
   current text, its version and its author, and the typed text is kept as a
   suggestion, never thrown away.
3. Every change writes a history row (who, when, old, new, how); history is
   never updated or deleted. Any earlier text can be restored (a revert is a
   change like the others).
4. Text is checked before anything is written: a known segment, not obsolete,
   no longer than the limit. Saving the text and state already there changes
   nothing (no new version, no history row), whatever version it carries.
5. :func:`apply` does the work inside the caller's transaction (an upload
   applies many entries in one); :func:`save`, :func:`approve` and
   :func:`revert` commit their own. Each stores whether a critical check fails
   on the text (read by :mod:`service.coverage` without running checks again).
6. A change that leaves the language finished records a pending publication in
   the same transaction and wakes the worker after the commit; the result says
   the publication is queued. No git work happens here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from service import history as changes
from service import publishing, queries
from service.content import Content
from service.core import checks
from service.core.messages import N_, Message
from service.core.stats import State
from service.db import db
from service.errors import ChorusError, NotFound, PermissionDenied, TooLarge
from service.models import (
    Article,
    Change,
    How,
    Role,
    Segment,
    Suggestion,
    SuggestionOrigin,
    Translation,
    User,
    utcnow,
)


@dataclass(frozen=True)
class SaveResult:
    """What a save did: applied, or a conflict with what the server holds."""

    applied: bool
    version: int  # the translation's version now on the server
    text: str  # the text now on the server
    state: State
    author: str | None  # who wrote the text now on the server
    checks: tuple[checks.CheckResult, ...] = ()
    suggestion_id: int | None = None  # on conflict: where the typed text was kept
    changed: bool = True  # False when the save repeated what was there
    publication_queued: bool = False  # the language is finished: the worker will publish it

    @property
    def conflict(self) -> bool:
        return not self.applied


def normalise(text: str) -> str:
    """A translation as stored: line endings as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_breaks_at_the_ends(source: str, text: str) -> str:
    """A line break at one end of the translation but not of the source is a stray Enter
    key; gettext refuses such an entry (``msgfmt -c``), so it is dropped."""
    if not source.startswith("\n"):
        text = text.lstrip("\n")
    if not source.endswith("\n"):
        text = text.rstrip("\n")
    return text


def check_text(content: Content, segment: Segment, text: str) -> str:
    """The text to store (line endings normalised, stray line breaks at its ends dropped);
    raises TooLarge or NotFound."""
    if segment.obsolete:
        raise NotFound(N_("segment %(number)s is no longer in the article", number=segment.number))
    text = _line_breaks_at_the_ends(segment.source, normalise(text))
    if len(text) > content.max_translation_chars:
        raise TooLarge(
            N_(
                "segment %(number)s: translation of %(num)s characters is over the limit of "
                "%(limit)s",
                number=segment.number,
                num=len(text),
                limit=content.max_translation_chars,
            )
        )
    return text


def apply(
    segment: Segment,
    language: str,
    text: str,
    version: int,
    user: User | None,
    *,
    how: How = How.EDITOR,
    state: State | None = None,
    previous_source: str | None = None,
    suggestion_origin: SuggestionOrigin = SuggestionOrigin.CONFLICT,
) -> SaveResult:
    """Compare-and-set one translation inside the current transaction.

    ``state`` defaults to TRANSLATED for a text and EMPTY for no text.
    """
    if state is None:
        state = State.TRANSLATED if text else State.EMPTY
    current = queries.translation(segment, language)
    current_version = current.version if current is not None else 0
    if current is not None and current.text == text and current.state == state:
        return _result(current, changed=False)  # nothing to change, nothing lost
    if current_version != version:
        return _conflict(segment, language, text, version, user, current, suggestion_origin)
    old_text = current.text if current is not None else ""
    old_state = current.state if current is not None else int(State.EMPTY)
    now = utcnow()
    values = {
        "text": text,
        "state": int(state),
        "version": version + 1,
        "user_id": user.id if user else None,
        "updated_at": now,
        "previous_source": previous_source if state == State.OUTDATED else None,
    }
    results = tuple(checks.run(segment.source, text))  # once: stored outcome and the answer
    values["critical"] = checks.has_critical(results)
    if current is None:
        # ON CONFLICT DO NOTHING rather than a savepoint: pysqlite commits a released
        # savepoint on its own, which would split this change from its history row.
        statement = _insert_ignoring_duplicates(db.session.get_bind().dialect.name)
        inserted = db.session.execute(
            statement.values(segment_id=segment.id, language=language, **values).returning(
                Translation.id
            )
        ).scalar_one_or_none()
        if inserted is None:  # another save inserted it first
            return _conflict(
                segment,
                language,
                text,
                version,
                user,
                queries.translation(segment, language),
                suggestion_origin,
            )
    else:
        done = db.session.execute(
            update(Translation)
            .where(Translation.id == current.id, Translation.version == version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            db.session.expire(current)
            return _conflict(segment, language, text, version, user, current, suggestion_origin)
        db.session.expire(current)
    changes.record(
        segment,
        language,
        user,
        how,
        old=(old_text, old_state),
        new=(text, int(state)),
        version=version + 1,
        at=now,
    )
    db.session.flush()
    return _result(queries.translation(segment, language), results=results)


def _insert_ignoring_duplicates(dialect: str):
    """An INSERT into translations that does nothing when the (segment, language) row exists."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Translation).on_conflict_do_nothing(
        index_elements=["segment_id", "language"]
    )


def _result(
    translation: Translation,
    *,
    changed: bool = True,
    results: tuple[checks.CheckResult, ...] | None = None,
) -> SaveResult:
    if results is None:
        results = tuple(checks.run(translation.segment.source, translation.text))
    return SaveResult(
        applied=True,
        version=translation.version,
        text=translation.text,
        state=State(translation.state),
        author=translation.user.name if translation.user else None,
        checks=results,
        changed=changed,
    )


def _conflict(
    segment: Segment,
    language: str,
    text: str,
    version: int,
    user: User | None,
    current: Translation | None,
    origin: SuggestionOrigin,
) -> SaveResult:
    suggestion_id = None
    if text and (current is None or text != current.text):
        suggestion = Suggestion(
            segment_id=segment.id,
            language=language,
            user_id=user.id if user else None,
            text=text,
            origin=origin.value,
            based_on_version=version,
        )
        db.session.add(suggestion)
        db.session.flush()
        suggestion_id = suggestion.id
    return SaveResult(
        applied=False,
        version=current.version if current else 0,
        text=current.text if current else "",
        state=State(current.state) if current else State.EMPTY,
        author=current.user.name if current and current.user else None,
        suggestion_id=suggestion_id,
        changed=False,
    )


def _locate(
    slug: str, language: str, number: int, *, for_update: bool = False
) -> tuple[Article, Segment, str]:
    code = queries.language(language)
    item = queries.article(slug, for_update=for_update)
    return item, queries.segment(item, number), code


def save(
    content: Content,
    slug: str,
    language: str,
    number: int,
    text: str,
    version: int,
    user: User | None,
) -> SaveResult:
    """Save one translation from the editor; commits. Raises NotFound, TooLarge, LanguageError."""
    item, segment, code = _locate(slug, language, number, for_update=True)
    text = check_text(content, segment, text)
    return _commit(item, code, apply(segment, code, text, version, user))


def _commit(item: Article, code: str, result: SaveResult) -> SaveResult:
    """Commit the change, with a pending publication when it finished the language."""
    due = publishing.due(item, code) if result.changed else None
    db.session.commit()
    if due is None:
        return result
    publishing.wake([due])
    return replace(result, publication_queued=True)


def approve(
    content: Content, slug: str, language: str, number: int, version: int, user: User
) -> SaveResult:
    """Approve the current translation (reviewers and up); commits.

    Raises PermissionDenied, NotFound, or ChorusError when there is nothing to approve.
    """
    if not Role(user.role).at_least(Role.REVIEWER):
        raise PermissionDenied(
            N_(
                "%(name)s is a %(role)s; approving needs a reviewer",
                name=user.name,
                role=Message(user.role),  # the role's word (service.web.i18n.WORDS)
            )
        )
    item, segment, code = _locate(slug, language, number, for_update=True)
    current = queries.translation(segment, code)
    if current is None or not current.text:
        raise ChorusError(
            N_(
                "segment %(number)s has no %(language)s translation to approve",
                number=number,
                language=code,
            )
        )
    result = apply(
        segment, code, current.text, version, user, how=How.APPROVE, state=State.APPROVED
    )
    return _commit(item, code, result)


def history(slug: str, language: str, number: int) -> list[Change]:
    """Every change of one translation, newest first."""
    _, segment, code = _locate(slug, language, number)
    query = select(Change).where(Change.segment_id == segment.id, Change.language == code)
    return list(db.session.scalars(query.order_by(Change.id.desc())))


def revert(
    content: Content, slug: str, language: str, number: int, change_id: int, user: User
) -> SaveResult:
    """Restore the text a history row recorded; commits. Raises NotFound."""
    item, segment, code = _locate(slug, language, number, for_update=True)
    change = db.session.get(Change, change_id)
    if change is None or change.segment_id != segment.id or change.language != code:
        raise NotFound(
            N_(
                "no change %(id)s in the history of segment %(number)s (%(language)s)",
                id=change_id,
                number=number,
                language=code,
            )
        )
    current = queries.translation(segment, code)
    text = check_text(content, segment, change.new_text)
    result = apply(segment, code, text, current.version if current else 0, user, how=How.REVERT)
    return _commit(item, code, result)


def suggestions(slug: str, language: str, number: int) -> list[Suggestion]:
    """Suggestions kept for one segment and language, newest first."""
    _, segment, code = _locate(slug, language, number)
    query = select(Suggestion).where(
        Suggestion.segment_id == segment.id, Suggestion.language == code
    )
    return list(db.session.scalars(query.order_by(Suggestion.id.desc())))
