"""Lookups shared by the use cases: an article, a revision, a segment, a translation, a user.

Each raises :class:`~service.content.NotFound` with a one-line reason when the
thing asked for does not exist, so callers never test for None.
"""

from __future__ import annotations

from sqlalchemy import select

from service.content import check_slug
from service.core import languages
from service.core.messages import N_
from service.db import db
from service.errors import NotFound
from service.models import Article, Revision, Segment, Translation, User


def find_article(slug: str, *, for_update: bool = False) -> Article | None:
    """The article, or None. ``for_update`` locks its row until the transaction ends: every
    use case that changes an article's translations or segments takes it first, so their
    coverage recounts (:mod:`service.coverage`) never interleave."""
    query = select(Article).where(Article.slug == check_slug(slug))
    return db.session.scalar(query.with_for_update() if for_update else query)


def article(slug: str, *, for_update: bool = False) -> Article:
    found = find_article(slug, for_update=for_update)
    if found is None:
        raise NotFound(
            N_("no article '%(slug)s' (import it with: chorus import %(slug)s)", slug=slug)
        )
    return found


def language(code: str) -> str:
    """The canonical BCP 47 code; raises LanguageError."""
    return languages.get(code).code


def latest_revision(article_id: int) -> Revision | None:
    query = select(Revision).where(Revision.article_id == article_id)
    return db.session.scalar(query.order_by(Revision.number.desc()))


def revision(item: Article) -> Revision:
    found = latest_revision(item.id)
    if found is None:  # an article always gets a revision when it is imported
        raise NotFound(f"article {item.slug!r} has no source revision")
    return found


def segments(item: Article, *, obsolete: bool = False) -> list[Segment]:
    """Active segments in reading order (or, with ``obsolete``, the obsolete ones)."""
    query = select(Segment).where(Segment.article_id == item.id, Segment.obsolete == obsolete)
    order = Segment.number if obsolete else Segment.position
    return list(db.session.scalars(query.order_by(order)))


def segment_ids(item: Article):
    """A subquery of the row ids of the article's segments (active and obsolete)."""
    return select(Segment.id).where(Segment.article_id == item.id).scalar_subquery()


def segment(item: Article, number: int) -> Segment:
    found = db.session.scalar(
        select(Segment).where(Segment.article_id == item.id, Segment.number == number)
    )
    if found is None:
        raise NotFound(
            N_("article %(slug)r has no segment %(number)s", slug=item.slug, number=number)
        )
    return found


def translation(segment: Segment, code: str) -> Translation | None:
    """One segment's translation into one language, if there is a row."""
    return db.session.scalar(
        select(Translation).where(
            Translation.segment_id == segment.id, Translation.language == code
        )
    )


def translations(item: Article, code: str) -> dict[int, Translation]:
    """The article's translations into one language, keyed by segment id (row id)."""
    query = (
        select(Translation)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Segment.article_id == item.id, Translation.language == code)
    )
    return {t.segment_id: t for t in db.session.scalars(query)}


def started_languages(item: Article) -> list[str]:
    """Languages with at least one non-empty translation of an active segment."""
    query = (
        select(Translation.language)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(Segment.article_id == item.id, Segment.obsolete.is_(False), Translation.text != "")
        .group_by(Translation.language)
        .order_by(Translation.language)
    )
    return list(db.session.scalars(query))


def find_user(name: str) -> User | None:
    return db.session.scalar(select(User).where(User.name == name))


def user(name: str) -> User:
    found = find_user(name)
    if found is None:
        raise NotFound(
            N_(
                "no user '%(name)s' (add one with: chorus user add %(name)s --role translator)",
                name=name,
            )
        )
    return found


def user_by_id(ident: int) -> User | None:
    """The user of a session (Flask-Login stores the row id), or None once it is gone."""
    return db.session.get(User, ident)
