"""Publication: finished languages become PO files committed to git, by the worker.

1. A change never touches git. A save, approval, revert, upload or import that
   leaves a language finished calls :func:`due` inside its own transaction: it adds
   a pending row to ``publications`` (unless one is pending already) and the caller
   wakes the worker after its commit (:func:`wake`). The row is the record of what
   is due; the queue message only wakes the worker, so a lost message is redone on
   the worker's start or by ``chorus publish``.
2. :func:`process` does one publication, under the repository's inter-process lock:
   it reads the language from the database (:func:`service.catalogs.snapshot`), skips
   it when it stopped being finished or is already published as it is, else writes
   ``po/<slug>/<lang>.po`` and commits that path only. Author: the translator with
   the most changes to that language since its last publication; every other
   contributor gets a ``Co-authored-by:`` trailer; committer: the service identity.
   Then it pushes, when a remote is configured.
3. A git failure is recorded on the row (reason and attempt count) and left pending
   for the queue's retry with backoff; the last retry marks it failed. A worker that
   dies mid-publication leaves the row pending: redoing it finds the commit already
   made (git holds that content) and records it, so nothing is committed twice.
4. The template ``po/<slug>/<slug>.pot`` is published the same way (language None)
   when an article is imported or changes.
5. The transaction that records a language's commit also records the webhook event
   ``published`` (:func:`service.webhooks.notify`; delivered after the commit, by the
   worker): the article, its title, the language, the source revision, the commit and
   the API paths of the published translation. The template raises no event.
6. :func:`publish` is the synchronous path for scripts and tests (``chorus
   publish``): it records what is due and processes it in the calling process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import case, func, select, update

from service import catalogs, coverage, queries, webhooks
from service.content import Content
from service.core import catalog, stats
from service.core.stats import State
from service.core.vcs import GitError, Identity, Repository
from service.db import db
from service.models import (
    Article,
    Change,
    Publication,
    PublicationStatus,
    Segment,
    Translation,
    User,
    utcnow,
)

log = logging.getLogger(__name__)
QUEUE = "chorus.queue"  # the app extension that wakes the worker (service.queue)


@dataclass(frozen=True)
class PublishResult:
    slug: str
    language: str  # BCP 47, or "template"
    commit: str | None = None
    error: str | None = None
    skipped: str | None = None  # why nothing was committed (not finished, already published)
    queued: bool = False  # left pending, to be retried

    def summary(self) -> str:
        if self.error:
            again = "; will be retried" if self.queued else ""
            return f"{self.slug} {self.language}: not published: {self.error}{again}"
        if self.skipped:
            return f"{self.slug} {self.language}: {self.skipped}"
        return f"{self.slug} {self.language}: published as {(self.commit or '?')[:12]}"


# -- recording what is due (inside the caller's transaction) -----------------------------


def finished(item: Article, code: str) -> bool:
    """Whether the language is finished, by one grouped count over the session's rows."""
    done = State.APPROVED if item.review_required else State.TRANSLATED
    active = (Segment.article_id == item.id, Segment.obsolete.is_(False))
    segments = db.session.scalar(select(func.count()).select_from(Segment).where(*active))
    counted = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Translation.critical, 1), else_=0)), 0),
        )
        .select_from(Translation)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(*active, Translation.language == code, Translation.state >= done)
    ).one()
    return segments > 0 and counted[0] == segments and counted[1] == 0


def due(item: Article, code: str | None) -> Publication | None:
    """Record that a language (None: the template) is due, if it is finished.

    Returns the pending row (new or already there), or None when nothing is due.
    Does not commit: the row lands with the caller's change or not at all.
    """
    db.session.flush()
    if code is not None and not finished(item, code):
        return None
    waiting = db.session.scalar(
        select(Publication)
        .where(
            Publication.article_id == item.id,
            Publication.language.is_(None) if code is None else Publication.language == code,
            Publication.status.in_([PublicationStatus.PENDING, PublicationStatus.FAILED]),
        )
        .order_by(Publication.id.desc())
    )
    if waiting is not None:
        waiting.status = PublicationStatus.PENDING  # a failed one is due again
        waiting.requests = Publication.requests + 1  # the worker may be reading it right now
        waiting.updated_at = utcnow()
        db.session.flush()
        return waiting
    row = Publication(article_id=item.id, language=code, revision_id=queries.revision(item).id)
    db.session.add(row)
    db.session.flush()
    return row


def wake(rows: Iterable[Publication | None]) -> bool:
    """After the commit: ask the worker to do these publications. Never raises: a queue
    that cannot be reached is logged, and the pending rows wait for the worker's start
    or ``chorus publish``. True when every row was handed to the queue."""
    ids = sorted({row.id for row in rows if row is not None})
    if not ids:
        return True
    try:
        current_app.extensions[QUEUE].publish(ids)
    except Exception as error:  # the queue's storage failing must never fail a save
        log.warning("publications %s stay pending: queue unavailable (%s)", ids, error)
        return False
    return True


def pending(content: Content, *, idle_for: float = 0) -> list[int]:
    """Ids of every publication still due, oldest first (redone on the worker's start): pending
    ones, and committed ones not pushed yet when a remote is configured; with ``idle_for``,
    only those nobody touched for that many seconds (their queue message was lost)."""
    due = Publication.status == PublicationStatus.PENDING
    if content.git_push:
        due |= (Publication.status == PublicationStatus.COMMITTED) & Publication.pushed.is_(False)
    query = select(Publication.id).where(due)
    if idle_for:
        query = query.where(Publication.updated_at < utcnow() - timedelta(seconds=idle_for))
    return list(db.session.scalars(query.order_by(Publication.id)))


# -- doing it (the worker, or ``chorus publish``) -----------------------------------------


def last_committed(item: Article, code: str | None) -> Publication | None:
    query = select(Publication).where(
        Publication.article_id == item.id,
        Publication.language.is_(None) if code is None else Publication.language == code,
        Publication.status == PublicationStatus.COMMITTED,
    )
    return db.session.scalar(query.order_by(Publication.id.desc()))


def contributors(item: Article, code: str, since: Publication | None) -> list[tuple[User, int]]:
    """Who changed this language since the last publication, most changes first."""
    query = (
        select(User, func.count(Change.id))
        .join(Change, Change.user_id == User.id)
        .join(Segment, Segment.id == Change.segment_id)
        .where(Segment.article_id == item.id, Change.language == code)
        .group_by(User.id)
        .order_by(func.count(Change.id).desc(), User.name)
    )
    if since is not None and since.committed_at is not None:
        query = query.where(Change.at > since.committed_at)
    return [(user, count) for user, count in db.session.execute(query).all()]


def _identity(user: User) -> Identity:
    return Identity(user.name, user.git_email)


@dataclass(frozen=True)
class _Work:
    path: str
    text: str
    message: str
    author: Identity
    co_authors: list[Identity]


def _work(content: Content, item: Article, code: str | None, revision: int) -> _Work | str:
    """What to commit for this publication, or why nothing is to be committed."""
    if code is None:
        template = catalogs.build(content, item, None, versions=False)
        message = f"Update template of {item.slug}\n\n{len(template.active)} segments"
        text = catalog.dumps(template)
        work = _Work(content.template_name(item.slug), text, message, content.committer, [])
    else:
        snap = catalogs.snapshot(content, item, code)
        if not snap.finished(item.review_required):
            return "no longer finished"
        people = contributors(item, code, last_committed(item, code)) or contributors(
            item, code, None
        )
        counts = snap.counts
        message = (
            f"Publish {code} translation of {item.slug}\n\n"
            f"{counts.total_segments} segments, {counts.total_words} words; "
            f"{len(people)} contributor{'s' if len(people) != 1 else ''}"
        )
        work = _Work(
            content.catalog_name(item.slug, code),
            snap.text,
            message,
            _identity(people[0][0]) if people else content.committer,
            [_identity(user) for user, _ in people[1:]],
        )
    last = last_committed(item, code)
    if last is not None and last.catalog == work.text and last.revision_id == revision:
        return "already published"
    return work


def process(content: Content, publication_id: int, *, final: bool = True) -> PublishResult:
    """Do one publication (commit, then push); commits the session; never raises for git.

    With ``final`` False a git failure leaves the row pending (the queue retries it);
    with ``final`` True it is marked failed.
    """
    row = db.session.get(Publication, publication_id)
    if row is None:
        return PublishResult("?", "?", skipped=f"no publication {publication_id}")
    item = db.session.get(Article, row.article_id)
    label = row.language or "template"
    try:
        repository = content.repository()
        with repository.lock():
            db.session.expire_all()  # read what other processes committed before the lock
            if row.status in (PublicationStatus.PENDING, PublicationStatus.FAILED):
                outcome = _commit(content, repository, item, row)
                if outcome is not None:
                    return outcome
            if row.status != PublicationStatus.COMMITTED:
                return PublishResult(item.slug, label, skipped=f"already {row.status}")
            _push(content, repository, row)
    except (GitError, OSError) as error:
        reason = (
            str(error) if isinstance(error, GitError) else f"{error.filename}: {error.strerror}"
        )
        return _failed(publication_id, item.slug, label, reason, final=final)
    except Exception as error:  # a database failure, a bug: recorded, retried, never silent
        log.exception("publication %s failed", publication_id)
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        return _failed(publication_id, item.slug, label, reason, final=final)
    return PublishResult(item.slug, label, commit=row.commit, error=row.push_error)


def _failed(ident: int, slug: str, label: str, reason: str, *, final: bool) -> PublishResult:
    """Record a failed attempt: left pending for the queue's retry, or failed when final."""
    db.session.rollback()
    row = db.session.get(Publication, ident)
    if row.status == PublicationStatus.COMMITTED:  # the push failed
        row.push_error = reason
    else:
        row.error = reason
        row.status = PublicationStatus.FAILED if final else PublicationStatus.PENDING
    row.attempts += 1
    row.updated_at = utcnow()
    db.session.commit()
    return PublishResult(slug, label, commit=row.commit, error=reason, queued=not final)


def _settle(row: Publication, seen: int, **values: object) -> bool:
    """Record the outcome on the row unless a change asked for it again after ``seen``."""
    done = db.session.execute(
        update(Publication)
        .where(Publication.id == row.id, Publication.requests == seen)
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def _commit(
    content: Content, repository: Repository, item: Article, row: Publication
) -> PublishResult | None:
    """Commit the row's catalog. Returns the result when the work is over for now (skipped,
    or asked again meanwhile), None once the row is committed (and may be pushed)."""
    seen, label = row.requests, row.language or "template"
    current = queries.revision(item)  # before the rows: a later import errs to "outdated"
    revision = current.id
    work = _work(content, item, row.language, revision)
    if isinstance(work, str):
        last = last_committed(item, row.language)
        commit = last.commit if last and work == "already published" else None
        settled = _settle(row, seen, status=PublicationStatus.SKIPPED, error=work, commit=commit)
        db.session.commit()
        reason = work if settled else "asked again meanwhile; done next"
        return PublishResult(item.slug, label, commit=commit, skipped=reason)
    sha = repository.commit(
        {work.path: work.text.encode("utf-8")}, work.message, work.author, work.co_authors
    )
    # None: git already holds this content, committed by an attempt that died before
    # recording it; that commit is the publication.
    sha = sha or repository.last_commit(work.path)
    now = utcnow()
    values = {
        "status": PublicationStatus.COMMITTED,
        "commit": sha,
        "catalog": work.text,
        "error": None,
        "revision_id": revision,
        "author": str(work.author),
        "committed_at": now,
    }
    if _settle(row, seen, attempts=Publication.attempts + 1, **values):
        _published(item, row.language, sha, current.number)
        db.session.commit()
        db.session.refresh(row)
        return None
    # A change asked for this language again while it was being committed: what was
    # committed is recorded as a publication of its own, and the row stays due (its queue
    # message is on its way), so the change is published next.
    db.session.add(
        Publication(article_id=item.id, language=row.language, attempts=1, updated_at=now, **values)
    )
    _published(item, row.language, sha, current.number)
    db.session.commit()
    return PublishResult(item.slug, label, commit=sha)


def _published(item: Article, code: str | None, sha: str, revision: int) -> None:
    """Record the ``published`` webhook event of a language's commit (the template has none)."""
    if code is None:
        return
    base = f"/api/v1/articles/{item.slug}/{code}"
    webhooks.notify(
        "published",
        {
            "article": item.slug,
            "title": item.title,
            "language": code,
            "revision": revision,
            "commit": sha,
            "paths": {fmt: f"{base}.{fmt}" for fmt in ("md", "html", "po")},
        },
    )


def _push(content: Content, repository: Repository, row: Publication) -> None:
    if not content.git_push or row.pushed:
        return
    repository.push(content.git_push, timeout=content.git_timeout)
    # A push sends HEAD, so every earlier commit went with it.
    for earlier in db.session.scalars(
        select(Publication).where(
            Publication.status == PublicationStatus.COMMITTED,
            Publication.pushed.is_(False),
            Publication.id <= row.id,
        )
    ):
        earlier.pushed, earlier.push_error, earlier.updated_at = True, None, utcnow()
    db.session.commit()


def publish(
    content: Content, slug: str | None = None, code: str | None = None
) -> list[PublishResult]:
    """Record every finished, unpublished language (of one article, or one language) and the
    templates as due, then do every due publication here and now; retries failed ones and
    pushes. Idempotent."""
    items = [queries.article(slug)] if slug else list(db.session.scalars(select(Article)))
    code = queries.language(code) if code else None
    for item in items:
        template = last_committed(item, None)
        if template is None or template.revision_id != queries.revision(item).id:
            due(item, None)
        statuses = coverage.article_coverage(item).languages
        for status in statuses:
            # A published language edited since has its own pending row already.
            if status.state == stats.FINISHED and (not code or status.code == code):
                due(item, status.code)
    db.session.commit()
    ids = {item.id for item in items}
    query = select(Publication.id).where(
        Publication.article_id.in_(ids),
        Publication.status.in_([PublicationStatus.PENDING, PublicationStatus.FAILED]),
    )
    if code:
        query = query.where(Publication.language.is_(None) | (Publication.language == code))
    rows = set(db.session.scalars(query))
    if content.git_push:
        rows |= set(
            db.session.scalars(
                select(Publication.id).where(
                    Publication.article_id.in_(ids),
                    Publication.status == PublicationStatus.COMMITTED,
                    Publication.pushed.is_(False),
                )
            )
        )
    return [process(content, ident, final=True) for ident in sorted(rows)]
