"""Importing an article into the working copy, and re-importing it when its source changes.

1. In: an article name (``source/<slug>.md``) or a Markdown file anywhere (copied
   to ``source/`` once it has been read and checked). Out: an
   :class:`ImportReport` with new / unchanged / outdated / obsolete counts.
2. The source goes through the pipeline: :func:`service.core.segment.parse`,
   then :func:`service.core.update.plan` against the segments already known,
   so every segment keeps its stable number. Unchanged segments keep their
   translations as they are. A changed segment keeps every translation, now
   outdated, with the source it translated recorded as its previous source;
   with ``retranslate=False`` (a typo fix) they stay current. Vanished
   segments become obsolete, kept for history.
3. Each import whose text differs from the last one adds a revision (the
   source text), which publications refer to.
4. All database changes are one transaction. A changed segment's translations are
   checked again (their stored critical outcome), and nothing else is. In the same
   transaction the template (when the source changed, or was never published) and
   every language the import leaves finished are recorded as due publications; the
   worker commits them (see :mod:`service.publishing`). A typo fix therefore
   republishes the finished languages without anyone touching them.
5. A new revision turns every language published at the previous one outdated: the
   same transaction records the webhook event ``outdated`` for them (the article, its
   title, those languages, the new revision number, and ``retranslate``: false for a
   typo fix, whose finished languages are republished as they are), delivered by the
   worker after the commit (:mod:`service.webhooks`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from service import coverage, history, publishing, queries, webhooks
from service.content import Content, check_slug
from service.core import segment as segmenting
from service.core import update
from service.core.errors import SourceError
from service.core.files import atomic_write
from service.core.stats import State
from service.db import db
from service.errors import NotFound
from service.models import (
    Article,
    How,
    Publication,
    PublicationStatus,
    Revision,
    Segment,
    Translation,
    User,
    utcnow,
)


@dataclass(frozen=True)
class ImportReport:
    slug: str
    counts: dict[str, int]
    segments: int
    words: int
    revision: int
    outdated_translations: int = 0
    queued: tuple[str, ...] = ()  # publications now due: "template" and language codes

    def summary(self) -> str:
        c = self.counts
        fixed = f", {c['typo-fixed']} typo-fixed" if c.get("typo-fixed") else ""
        text = (
            f"{self.slug}: {self.segments} segments ({self.words} words), revision "
            f"{self.revision}: {c['new']} new, {c['unchanged']} unchanged{fixed}, "
            f"{c['outdated']} outdated, {c['obsolete']} obsolete"
        )
        if self.outdated_translations:
            text += f"; {self.outdated_translations} translations now outdated"
        languages = [code for code in self.queued if code != "template"]
        if languages:
            text += f"; publication queued for {' '.join(languages)}"
        return text


def read(content: Content, slug_or_path: str) -> tuple[str, str, Path]:
    """(slug, text, path) of what to import; raises NotFound or SourceError."""
    path = Path(slug_or_path)
    if path.suffix == ".md" or "/" in slug_or_path:
        slug = check_slug(path.stem)
        text = segmenting.read_source(path, content.max_source_bytes)
    else:
        slug = check_slug(slug_or_path)
        path = content.source(slug)
        if not path.is_file():
            raise NotFound(f"no article {slug!r} (no file source/{slug}.md)")
        text = segmenting.read_source(path, content.max_source_bytes, content.source_name(slug))
    return slug, text, path


def import_article(
    content: Content, slug_or_path: str, *, retranslate: bool = True, user: User | None = None
) -> ImportReport:
    """Import or re-import one article; commits. Raises NotFound or SourceError."""
    slug, text, path = read(content, slug_or_path)
    document = segmenting.parse(text, content.source_name(slug))
    if path.resolve() != content.source(slug).resolve():
        try:
            atomic_write(content.source(slug), text)
        except OSError as error:
            raise SourceError(
                content.source_name(slug), f"cannot be written ({error.strerror})"
            ) from None
    report, due = _store(content, slug, document, retranslate=retranslate, user=user)
    publishing.wake(due)
    return report


def _store(
    content: Content,
    slug: str,
    document: segmenting.Document,
    *,
    retranslate: bool,
    user: User | None,
) -> tuple[ImportReport, list[Publication]]:
    article = queries.find_article(slug, for_update=True)
    if article is None:
        article = Article(
            slug=slug,
            title=document.title or slug,
            target_languages=content.target_languages,
            priority_languages=" ".join(content.priority_languages),
        )
        db.session.add(article)
        db.session.flush()
    article.title = document.title or slug

    digest = hashlib.sha256(document.text.encode("utf-8")).hexdigest()
    latest = previous = queries.latest_revision(article.id)
    changed = latest is None or latest.digest != digest
    if changed:
        article.updated_at = utcnow()
        latest = Revision(
            article_id=article.id,
            number=(latest.number + 1) if latest else 1,
            text=document.text,
            digest=digest,
        )
        db.session.add(latest)

    existing = {
        s.number: s
        for s in db.session.scalars(db.select(Segment).where(Segment.article_id == article.id))
    }
    known = [update.Known(n, s.source, s.obsolete) for n, s in sorted(existing.items())]
    plan = update.plan(known, [s.source for s in document.segments], retranslate=retranslate)
    outdated_translations = 0
    counts = plan.counts()
    counts["typo-fixed"] = 0
    for match, parsed in zip(plan.matches, document.segments, strict=True):
        row = existing.get(match.id)
        if row is None:
            row = Segment(article_id=article.id, number=match.id, source=parsed.source)
            db.session.add(row)
        elif row.source != parsed.source:
            row.previous_source = row.source
            # A change of whitespace alone (sources are normalised as translate-toolkit
            # reads them) needs no new translation.
            outdate = match.status == update.Status.OUTDATED and not _same_words(
                row.source, parsed.source
            )
            outdated_translations += _recheck(row, parsed.source, user, outdate=outdate)
            if not outdate:
                counts["typo-fixed"] += 1
                counts[match.status.value] -= 1
            row.source = parsed.source
        row.kind, row.position, row.line = parsed.kind, parsed.position, parsed.line
        row.words, row.obsolete = parsed.words, False
    for number in plan.obsolete:
        existing[number].obsolete = True
        existing[number].position = None
    coverage.touch(article.id)  # words, positions and obsolete segments may all have changed
    db.session.flush()
    due = []
    moved = changed or any(counts[what] for what in ("new", "outdated", "typo-fixed", "obsolete"))
    if moved or publishing.last_committed(article, None) is None:
        due.append(publishing.due(article, None))
    # An import that changed nothing asks for nothing (chorus init runs on every upgrade).
    for code in queries.started_languages(article) if moved else ():
        due.append(publishing.due(article, code))
    due = [row for row in due if row is not None]
    queued = tuple(row.language or "template" for row in due)
    if changed and previous is not None:
        _outdated(article, previous, latest, retranslate=retranslate)
    db.session.commit()
    report = ImportReport(
        slug=slug,
        counts=counts,
        segments=len(document.segments),
        words=document.words,
        revision=latest.number,
        outdated_translations=outdated_translations,
        queued=queued,
    )
    return report, due


def _outdated(
    article: Article, previous: Revision, revision: Revision, *, retranslate: bool
) -> None:
    """Record the ``outdated`` webhook event for the languages whose newest publication is at
    the previous revision (published until this import; those outdated before are not
    announced again)."""
    newest: dict[str, Publication] = {}
    for row in db.session.scalars(
        db.select(Publication)
        .where(
            Publication.article_id == article.id,
            Publication.language.is_not(None),
            Publication.status == PublicationStatus.COMMITTED,
        )
        .order_by(Publication.id.desc())
    ):
        newest.setdefault(row.language, row)
    codes = sorted(code for code, row in newest.items() if row.revision_id == previous.id)
    if codes:
        webhooks.notify(
            "outdated",
            {
                "article": article.slug,
                "title": article.title,
                "languages": codes,
                "revision": revision.number,
                "retranslate": retranslate,
            },
        )


def _same_words(old: str, new: str) -> bool:
    return old.split() == new.split()


def _recheck(row: Segment, source: str, user: User | None, *, outdate: bool) -> int:
    """A segment's source changed: check its translations again against ``source``, and
    with ``outdate`` mark them outdated, keeping their text. Returns how many it outdated."""
    count = 0
    for translation in db.session.scalars(
        db.select(Translation).where(Translation.segment_id == row.id, Translation.text != "")
    ):
        translation.critical = coverage.is_critical(source, translation.text)
        if not outdate:
            continue
        old_state = translation.state
        if old_state != State.OUTDATED:
            translation.previous_source = row.source
        translation.state = int(State.OUTDATED)
        translation.version += 1
        translation.updated_at = utcnow()
        history.record(
            row,
            translation.language,
            user,
            How.IMPORT,
            old=(translation.text, old_state),
            new=(translation.text, State.OUTDATED),
            version=translation.version,
        )
        count += 1
    return count
