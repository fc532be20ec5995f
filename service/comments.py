"""Comments: a thread per segment and language, for questions to other volunteers.

Contract:

1. :func:`add` appends a comment (plain text, 1 to ``MAX_CHARS`` characters after
   stripping, line endings as ``\\n``) by a signed-in user; ``@name`` mentions of
   existing users are returned with it. Raises NotFound, LanguageError, ChorusError
   (empty), TooLarge.
2. :func:`thread` lists one segment's comments in one language, oldest first.
3. :func:`resolve` marks a comment resolved (by its author, or a reviewer and up; a
   reader's feedback, which has no author here, by any volunteer); resolving twice
   changes nothing. Raises PermissionDenied, NotFound.
4. :func:`open_questions` counts unresolved comments per language of an article, and
   :func:`open_by_segment` per segment of one language (one grouped query each).
5. :func:`for_user` lists the unresolved comments that mention a user (``@name``, as
   :func:`mentions` reads it), newest first, with where each is: what a volunteer sees
   on the home page instead of an email (Chorus sends none). A reader's feedback
   (:mod:`service.feedback`, ``from_reader``) mentions nobody.
Comments are text: whoever shows them escapes them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from service import queries
from service.core.messages import N_
from service.db import db
from service.errors import ChorusError, NotFound, PermissionDenied, TooLarge
from service.models import Article, Comment, Role, Segment, User, utcnow

MAX_CHARS = 2000
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")


@dataclass(frozen=True)
class Mention:
    """An unresolved comment that names a user, and where it is."""

    comment: Comment
    slug: str
    title: str
    number: int  # the segment's
    language: str


@dataclass(frozen=True)
class Posted:
    comment: Comment
    mentions: tuple[str, ...]  # names of existing users mentioned


def mentions(text: str) -> tuple[str, ...]:
    """The existing users a text mentions as ``@name``, in order, once each."""
    names = list(dict.fromkeys(name.rstrip(".") for name in _MENTION.findall(text)))
    known = {user for user in names if queries.find_user(user) is not None}
    return tuple(name for name in names if name in known)


def _locate(slug: str, code: str, number: int) -> tuple[Segment, str]:
    language = queries.language(code)
    return queries.segment(queries.article(slug), number), language


def add(slug: str, code: str, number: int, text: str, user: User) -> Posted:
    segment, language = _locate(slug, code, number)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ChorusError(N_("a comment needs some text"))
    if len(text) > MAX_CHARS:
        raise TooLarge(
            N_(
                "a comment of %(num)s characters is over the limit of %(limit)s",
                num=len(text),
                limit=MAX_CHARS,
            )
        )
    comment = Comment(segment_id=segment.id, language=language, user_id=user.id, text=text)
    db.session.add(comment)
    db.session.commit()
    return Posted(comment, mentions(text))


def thread(slug: str, code: str, number: int) -> list[Comment]:
    segment, language = _locate(slug, code, number)
    query = select(Comment).where(Comment.segment_id == segment.id, Comment.language == language)
    return list(db.session.scalars(query.order_by(Comment.id)))


def resolve(slug: str, code: str, number: int, comment_id: int, user: User) -> Comment:
    segment, language = _locate(slug, code, number)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.segment_id != segment.id or comment.language != language:
        raise NotFound(
            N_(
                "no comment %(id)s on segment %(number)s (%(language)s)",
                id=comment_id,
                number=number,
                language=language,
            )
        )
    mine = comment.user_id == user.id or comment.from_reader
    if not mine and not Role(user.role).at_least(Role.REVIEWER):
        raise PermissionDenied(N_("only its author or a reviewer can resolve a comment"))
    if comment.resolved_at is None:
        comment.resolved_at = utcnow()
        comment.resolved_by = user.id
        db.session.commit()
    return comment


def _open(item: Article):
    return (
        select(Comment)
        .join(Segment, Segment.id == Comment.segment_id)
        .where(Segment.article_id == item.id, Comment.resolved_at.is_(None))
    )


def open_questions(item: Article) -> dict[str, int]:
    """Unresolved comments of an article, per language."""
    query = _open(item).with_only_columns(Comment.language, func.count()).group_by(Comment.language)
    return {language: count for language, count in db.session.execute(query)}


def open_by_segment(item: Article, code: str) -> dict[int, int]:
    """Unresolved comments of one language, per segment row id."""
    query = (
        _open(item)
        .where(Comment.language == code)
        .with_only_columns(Comment.segment_id, func.count())
        .group_by(Comment.segment_id)
    )
    return {segment_id: count for segment_id, count in db.session.execute(query)}


def for_user(user: User, limit: int = 20) -> list[Mention]:
    """The unresolved comments that mention ``user`` (not their own), newest first."""
    query = (
        select(Comment, Article.slug, Article.title, Segment.number)
        .join(Segment, Segment.id == Comment.segment_id)
        .join(Article, Article.id == Segment.article_id)
        .where(
            Comment.resolved_at.is_(None),
            Comment.from_reader.is_(False),
            Comment.text.contains(f"@{user.name}", autoescape=True),
            Comment.user_id.is_distinct_from(user.id),
        )
        .order_by(Comment.id.desc())
    )
    found: list[Mention] = []
    for comment, slug, title, number in db.session.execute(query):
        named = {name.rstrip(".") for name in _MENTION.findall(comment.text)}
        if user.name in named:  # "@ana" in the text, not "@anand"
            found.append(Mention(comment, slug, title, number, comment.language))
            if len(found) == limit:
                break
    return found
