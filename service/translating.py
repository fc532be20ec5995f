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
   :func:`revert` commit their own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from service import publishing, queries
from service.content import Content, NotFound
from service.core import checks
from service.core.errors import ChorusError
from service.core.stats import State
from service.db import db
from service.models import (
    Article,
    Change,
    How,
    Role,
    Segment,
    Suggestion,
    Translation,
    User,
    utcnow,
)


class PermissionDenied(ChorusError):
    """The user's role does not allow this."""


class TooLong(ChorusError):
    """A translation over the configured size limit."""


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
    published: str | None = None  # the commit, when this save finished the language
    publication_error: str | None = None  # why publishing it failed (it is retried)

    @property
    def conflict(self) -> bool:
        return not self.applied


def normalise(text: str) -> str:
    """A translation as stored: line endings as ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_text(content: Content, segment: Segment, text: str) -> str:
    """The text to store (line endings normalised); raises TooLong or NotFound."""
    if segment.obsolete:
        raise NotFound(f"segment {segment.number} is no longer in the article")
    text = normalise(text)
    if len(text) > content.max_translation_chars:
        raise TooLong(
            f"segment {segment.number}: translation of {len(text)} characters is over "
            f"the limit of {content.max_translation_chars}"
        )
    return text


def _current(segment: Segment, language: str) -> Translation | None:
    return db.session.scalar(
        select(Translation).where(
            Translation.segment_id == segment.id, Translation.language == language
        )
    )


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
    suggestion_origin: str = "conflict",
) -> SaveResult:
    """Compare-and-set one translation inside the current transaction.

    ``state`` defaults to TRANSLATED for a text and EMPTY for no text.
    """
    if state is None:
        state = State.TRANSLATED if text else State.EMPTY
    current = _current(segment, language)
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
    if current is None:
        try:
            with db.session.begin_nested():
                db.session.add(Translation(segment_id=segment.id, language=language, **values))
        except IntegrityError:  # another save inserted it first
            return _conflict(
                segment,
                language,
                text,
                version,
                user,
                _current(segment, language),
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
    db.session.add(
        Change(
            segment_id=segment.id,
            language=language,
            user_id=user.id if user else None,
            at=now,
            how=how.value,
            old_text=old_text,
            new_text=text,
            old_state=old_state,
            new_state=int(state),
            version=version + 1,
        )
    )
    db.session.flush()
    return _result(_current(segment, language))


def _result(translation: Translation, *, changed: bool = True) -> SaveResult:
    return SaveResult(
        applied=True,
        version=translation.version,
        text=translation.text,
        state=State(translation.state),
        author=translation.user.name if translation.user else None,
        checks=tuple(checks.run(translation.segment.source, translation.text)),
        changed=changed,
    )


def _conflict(
    segment: Segment,
    language: str,
    text: str,
    version: int,
    user: User | None,
    current: Translation | None,
    origin: str,
) -> SaveResult:
    suggestion_id = None
    if text and (current is None or text != current.text):
        suggestion = Suggestion(
            segment_id=segment.id,
            language=language,
            user_id=user.id if user else None,
            text=text,
            origin=origin,
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


def _locate(slug: str, language: str, number: int) -> tuple[Article, Segment, str]:
    item = queries.article(slug)
    return item, queries.segment(item, number), queries.language(language)


def save(
    content: Content,
    slug: str,
    language: str,
    number: int,
    text: str,
    version: int,
    user: User | None,
) -> SaveResult:
    """Save one translation from the editor; commits. Raises NotFound, TooLong, LanguageError."""
    item, segment, code = _locate(slug, language, number)
    text = check_text(content, segment, text)
    result = apply(segment, code, text, version, user)
    db.session.commit()
    return _publish(content, item, code, result)


def _publish(content: Content, item: Article, code: str, result: SaveResult) -> SaveResult:
    """After a committed change: publish the language if it is now finished."""
    if not result.changed:
        return result
    done = publishing.after_change(content, item, code)
    if done is None or done.skipped:
        return result
    return replace(result, published=done.commit, publication_error=done.error)


def approve(
    content: Content, slug: str, language: str, number: int, version: int, user: User
) -> SaveResult:
    """Approve the current translation (reviewers and up); commits.

    Raises PermissionDenied, NotFound, or ChorusError when there is nothing to approve.
    """
    if not Role(user.role).at_least(Role.REVIEWER):
        raise PermissionDenied(f"{user.name} is a {user.role}; approving needs a reviewer")
    item, segment, code = _locate(slug, language, number)
    current = _current(segment, code)
    if current is None or not current.text:
        raise ChorusError(f"segment {number} has no {code} translation to approve")
    result = apply(
        segment, code, current.text, version, user, how=How.APPROVE, state=State.APPROVED
    )
    db.session.commit()
    return _publish(content, item, code, result)


def history(slug: str, language: str, number: int) -> list[Change]:
    """Every change of one translation, newest first."""
    _, segment, code = _locate(slug, language, number)
    query = select(Change).where(Change.segment_id == segment.id, Change.language == code)
    return list(db.session.scalars(query.order_by(Change.id.desc())))


def revert(
    content: Content, slug: str, language: str, number: int, change_id: int, user: User
) -> SaveResult:
    """Restore the text a history row recorded; commits. Raises NotFound."""
    item, segment, code = _locate(slug, language, number)
    change = db.session.get(Change, change_id)
    if change is None or change.segment_id != segment.id or change.language != code:
        raise NotFound(f"no change {change_id} in the history of segment {number} ({code})")
    current = _current(segment, code)
    text = check_text(content, segment, change.new_text)
    result = apply(segment, code, text, current.version if current else 0, user, how=How.REVERT)
    db.session.commit()
    return _publish(content, item, code, result)


def suggestions(slug: str, language: str, number: int) -> list[Suggestion]:
    """Suggestions kept for one segment and language, newest first."""
    _, segment, code = _locate(slug, language, number)
    query = select(Suggestion).where(
        Suggestion.segment_id == segment.id, Suggestion.language == code
    )
    return list(db.session.scalars(query.order_by(Suggestion.id.desc())))
