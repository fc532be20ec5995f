"""The working copy's tables, as typed SQLAlchemy 2 models.

An article has revisions (its source text at each import) and segments (stable
``number`` per article, the PO ``msgctxt``). A translation is one segment in
one language, with a state (:class:`service.core.stats.State`) and a
``version`` that every change increments (compare-and-set). Every change is
also a row of ``changes``, never updated nor deleted. Suggestions keep text
that could not be applied (a conflict) so it is never lost. Publications
record which commit published which language at which source revision.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.db import db


def unit_digest(source: str, target: str) -> str:
    """The key of a memory entry in its language: SHA-256 of its source and target."""
    return hashlib.sha256(f"{source}\x00{target}".encode("utf-8", "surrogatepass")).hexdigest()


def _unit_digest(context) -> str:  # the column default, for entries made without one
    row = context.get_current_parameters()
    return unit_digest(row["source"], row["target"])


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    TRANSLATOR = "translator"
    REVIEWER = "reviewer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    def at_least(self, other: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(other)


class How(StrEnum):
    """How a change was made, as the history shows it."""

    EDITOR = "editor"
    UPLOAD = "upload"
    IMPORT = "import"
    REVERT = "revert"
    APPROVE = "approve"


class PublicationStatus(StrEnum):
    """Where a publication is: due (pending), done (committed), given up (failed), or
    not needed once the worker looked (skipped: no longer finished, or already published)."""

    PENDING = "pending"
    COMMITTED = "committed"
    FAILED = "failed"
    SKIPPED = "skipped"


class SuggestionOrigin(StrEnum):
    """Why a text was kept as a suggestion instead of applied."""

    CONFLICT = "conflict"  # an editor save on a stale version
    UPLOAD = "upload"  # an offline entry whose segment changed on the server meanwhile


class DeliveryStatus(StrEnum):
    """Where a webhook delivery is: due or being retried (pending), answered 2xx
    (delivered), or given up after its last retry (failed; a coordinator may retry it)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16), default=Role.TRANSLATOR.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    languages: Mapped[str] = mapped_column(Text, default="")  # BCP 47, space-separated
    locale: Mapped[str] = mapped_column(String(35), default="")  # interface language; "" = ask
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        """The session's key: the row id and a digest of the password hash, so changing the
        password signs out every other session and remember cookie."""
        return f"{self.id}:{self.session_key}"

    @property
    def session_key(self) -> str:
        return hashlib.sha256((self.password_hash or "").encode()).hexdigest()[:16]

    @property
    def working_languages(self) -> list[str]:
        return self.languages.split()

    @property
    def git_email(self) -> str:
        return self.email or f"{self.name}@users.chorus.invalid"


class Token(db.Model):
    __tablename__ = "tokens"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    scope: Mapped[str] = mapped_column(String(8), default=TokenScope.READ.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(Text)
    target_languages: Mapped[int] = mapped_column(default=13)
    priority_languages: Mapped[str] = mapped_column(Text, default="")  # BCP 47, space-separated
    deadline: Mapped[date | None]
    review_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Revision(db.Model):
    """The article's source text as imported, numbered 1, 2, ... per article."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Segment(db.Model):
    __tablename__ = "segments"
    __table_args__ = (
        UniqueConstraint("article_id", "number"),
        Index("ix_segments_article_position", "article_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int]  # the stable id: msgctxt, URL id; never reused within an article
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None]  # order in the current source; None once obsolete
    line: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(Text)
    previous_source: Mapped[str | None] = mapped_column(Text)  # before the last change
    words: Mapped[int] = mapped_column(default=0)
    obsolete: Mapped[bool] = mapped_column(default=False)


class Translation(db.Model):
    __tablename__ = "translations"
    __table_args__ = (
        UniqueConstraint("segment_id", "language"),
        Index("ix_translations_language", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))  # BCP 47
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    previous_source: Mapped[str | None] = mapped_column(Text)  # what an outdated text translated
    critical: Mapped[bool] = mapped_column(default=False)  # a critical check fails on the text
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    segment: Mapped[Segment] = relationship()
    user: Mapped[User | None] = relationship()


class Change(db.Model):
    """One change of one translation: append-only history."""

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_segment_language", "segment_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    how: Mapped[str] = mapped_column(String(16))
    old_text: Mapped[str] = mapped_column(Text, default="")
    new_text: Mapped[str] = mapped_column(Text, default="")
    old_state: Mapped[int] = mapped_column(default=0)
    new_state: Mapped[int] = mapped_column(default=0)
    version: Mapped[int]  # the translation's version after this change

    user: Mapped[User | None] = relationship()


class Suggestion(db.Model):
    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_segment_language", "segment_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))  # a SuggestionOrigin
    based_on_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()


class MemoryEntry(db.Model):
    """A translation unit brought from outside (a TMX import): memory beyond Chorus's own
    translations, which are read from ``translations`` directly."""

    __tablename__ = "memory_entries"
    __table_args__ = (
        # A digest, not the texts: a B-tree row of PostgreSQL holds 2,704 bytes at most.
        UniqueConstraint("language", "digest"),
        Index("ix_memory_entries_language", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(35))  # BCP 47, the target language
    source: Mapped[str] = mapped_column(Text)  # English
    target: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64), default=_unit_digest)  # of source, target
    origin: Mapped[str] = mapped_column(Text, default="")  # where it came from: a file name
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Term(db.Model):
    """A glossary entry: a source term and its agreed translation in one language."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("language", "folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(35))
    term: Mapped[str] = mapped_column(String(200))  # as written in English
    # The term case-folded (set with it): "Task force" and "task force" are one term.
    folded: Mapped[str] = mapped_column(String(600))
    translation: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship()

    @validates("term")
    def _fold(self, key: str, value: str) -> str:
        self.folded = value.casefold()
        return value


class Comment(db.Model):
    """One message of a segment's thread in one language."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_segment_language", "segment_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Sent by a reader of the published post through the blog plugin (no account).
    from_reader: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Presence(db.Model):
    """Who has a segment open right now: a lease renewed while they stay, never a lock."""

    __tablename__ = "presence"

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class Publication(db.Model):
    """One publication of a language (or, with language None, the template) to git.

    A change that finishes a language adds a pending row in its own transaction; the
    worker commits it (retrying with backoff, counted in ``attempts``) and marks it
    committed, failed or skipped. The row, not the queue message, is the record of what
    is due.
    """

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_article_language", "article_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    language: Mapped[str | None] = mapped_column(String(35))
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=PublicationStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    # Bumped by every change that asks for this publication while it is pending, so the
    # worker records its commit only if nothing asked again after it read the language.
    requests: Mapped[int] = mapped_column(default=0)
    commit: Mapped[str | None] = mapped_column(String(64))
    catalog: Mapped[str] = mapped_column(Text, default="")  # the PO text written
    author: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)  # why the last attempt failed or skipped
    committed_at: Mapped[datetime | None]
    pushed: Mapped[bool] = mapped_column(default=False)
    push_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    revision: Mapped[Revision] = relationship()


class CoverageCount(db.Model):
    """Active segments of one article in one language in one state, with their source words
    and how many of their translations fail a critical check.

    A summary kept in the same transaction as every change (:mod:`service.coverage`), so
    coverage is read without running checks or loading translations. Segments with no
    translation row are counted as EMPTY from the article's totals, not stored here.
    """

    __tablename__ = "coverage_counts"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    state: Mapped[int] = mapped_column(primary_key=True)
    segments: Mapped[int] = mapped_column(default=0)
    words: Mapped[int] = mapped_column(default=0)
    critical: Mapped[int] = mapped_column(default=0)


class Webhook(db.Model):
    """A receiver a coordinator registered: events are POSTed to ``url`` as JSON signed
    with HMAC-SHA256 of ``secret``."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)
    events: Mapped[str] = mapped_column(Text)  # space-separated: published outdated feedback
    active: Mapped[bool] = mapped_column(default=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(db.Model):
    """One event for one webhook. ``payload`` is the exact body, fixed when the event
    happened, so every attempt sends the same bytes; the row is the record of what is due
    (the queue only wakes the worker)."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_webhook_status", "webhook_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    response_status: Mapped[int | None]  # the receiver's last HTTP status
    error: Mapped[str | None] = mapped_column(Text)  # why the last attempt failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    webhook: Mapped[Webhook] = relationship()
