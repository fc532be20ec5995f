"""Presence: who has a segment open right now, so two people never work on it unknowingly.

Contract:

1. :func:`here` records that a user is in one segment of an article and language (or, with
   ``number=None``, in none of them any more): one row per (segment, language, user)
   holding the time it was last renewed. Being in a segment leaves every other segment
   of that article and language, so a user is in at most one at a time there.
2. A mark is a lease: :func:`others` lists, per segment, the *other* users renewed within
   ``LEASE`` seconds; an older row counts as gone (and is deleted when it is met), so a
   closed tab disappears by itself. The editor renews every few seconds while a segment
   has the focus.
3. The state lives in the database (shared by every gunicorn worker and every server),
   never in a process's memory. It never blocks anybody: saving ignores it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from service import queries
from service.db import db
from service.models import Article, Presence, Segment, User, utcnow

LEASE = 20  # seconds without renewal after which a mark is gone


def here(slug: str, code: str, number: int | None, user: User) -> dict[int, list[str]]:
    """Record where ``user`` is; returns :func:`others` for the same article and language."""
    language = queries.language(code)
    item = queries.article(slug)
    db.session.execute(
        delete(Presence).where(
            Presence.user_id == user.id,
            Presence.language == language,
            Presence.segment_id.in_(queries.segment_ids(item)),
        )
    )
    if number is not None:
        segment = queries.segment(item, number)
        db.session.add(Presence(segment_id=segment.id, language=language, user_id=user.id))
    db.session.commit()
    return _others(item, language, user)


def others(slug: str, code: str, user: User | None) -> dict[int, list[str]]:
    """Segment number -> names of the other users in it now (leases not expired)."""
    return _others(queries.article(slug), queries.language(code), user)


def _others(item: Article, language: str, user: User | None) -> dict[int, list[str]]:
    cutoff = utcnow() - timedelta(seconds=LEASE)
    stale = delete(Presence).where(
        Presence.language == language,
        Presence.segment_id.in_(queries.segment_ids(item)),
        Presence.seen_at < cutoff,
    )
    if db.session.execute(stale).rowcount:
        db.session.commit()
    query = (
        select(Segment.number, Presence)
        .join(Segment, Segment.id == Presence.segment_id)
        .where(Segment.article_id == item.id, Presence.language == language)
        .order_by(Segment.number, Presence.seen_at)
    )
    found: dict[int, list[str]] = {}
    for number, mark in db.session.execute(query):
        if user is not None and mark.user_id == user.id:
            continue
        found.setdefault(number, []).append(mark.user.name)
    return found
