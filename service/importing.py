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
4. All database changes are one transaction. Afterwards the template
   ``po/<slug>/<slug>.pot`` is committed to git (see :mod:`service.publishing`);
   a git failure is recorded there and does not undo the import.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from service import publishing, queries
from service.content import Content, NotFound, check_slug
from service.core import segment as segmenting
from service.core import update
from service.core.errors import SourceError
from service.core.files import atomic_write
from service.core.stats import State
from service.db import db
from service.models import Article, Change, How, Revision, Segment, Translation, User, utcnow


@dataclass(frozen=True)
class ImportReport:
    slug: str
    counts: dict[str, int]
    segments: int
    words: int
    revision: int
    outdated_translations: int = 0
    publication_error: str | None = None

    def summary(self) -> str:
        c = self.counts
        text = (
            f"{self.slug}: {self.segments} segments ({self.words} words), revision "
            f"{self.revision}: {c['new']} new, {c['unchanged']} unchanged, {c['outdated']} "
            f"outdated, {c['obsolete']} obsolete"
        )
        if self.outdated_translations:
            text += f"; {self.outdated_translations} translations now outdated"
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
    report = _store(content, slug, document, retranslate=retranslate, user=user)
    if path.resolve() != content.source(slug).resolve():
        try:
            atomic_write(content.source(slug), text)
        except OSError as error:
            raise SourceError(
                content.source_name(slug), f"cannot be written ({error.strerror})"
            ) from None
    error = publishing.publish_template(content, queries.article(slug))
    return replace(report, publication_error=error)


def _store(
    content: Content,
    slug: str,
    document: segmenting.Document,
    *,
    retranslate: bool,
    user: User | None,
) -> ImportReport:
    article = db.session.scalar(db.select(Article).where(Article.slug == slug))
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
    latest = db.session.scalar(
        db.select(Revision)
        .where(Revision.article_id == article.id)
        .order_by(Revision.number.desc())
    )
    if latest is None or latest.digest != digest:
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
    for match, parsed in zip(plan.matches, document.segments, strict=True):
        row = existing.get(match.id)
        if row is None:
            row = Segment(article_id=article.id, number=match.id, source=parsed.source)
            db.session.add(row)
        elif row.source != parsed.source:
            row.previous_source = row.source
            if match.status == update.Status.OUTDATED:
                outdated_translations += _outdate(row, user)
            row.source = parsed.source
        row.kind, row.position, row.line = parsed.kind, parsed.position, parsed.line
        row.words, row.obsolete = parsed.words, False
    for number in plan.obsolete:
        existing[number].obsolete = True
        existing[number].position = None
    db.session.commit()
    return ImportReport(
        slug=slug,
        counts=plan.counts(),
        segments=len(document.segments),
        words=document.words,
        revision=latest.number,
        outdated_translations=outdated_translations,
    )


def _outdate(row: Segment, user: User | None) -> int:
    """Mark every translation of a changed segment outdated, keeping its text."""
    count = 0
    for translation in db.session.scalars(
        db.select(Translation).where(Translation.segment_id == row.id, Translation.text != "")
    ):
        old_state = translation.state
        if old_state != State.OUTDATED:
            translation.previous_source = row.source
        translation.state = int(State.OUTDATED)
        translation.version += 1
        translation.updated_at = utcnow()
        db.session.add(
            Change(
                segment_id=row.id,
                language=translation.language,
                user_id=user.id if user else None,
                how=How.IMPORT.value,
                old_text=translation.text,
                new_text=translation.text,
                old_state=old_state,
                new_state=int(State.OUTDATED),
                version=translation.version,
            )
        )
        count += 1
    return count
