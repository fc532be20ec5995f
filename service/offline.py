"""Offline work: download a language's catalog as PO, translate it anywhere, upload it back.

1. The downloaded PO stamps every entry with ``#. version: n``, the server's
   version of that translation when it was exported.
2. An upload is checked whole before anything is applied: size, UTF-8, PO
   syntax (with the line of the first error), the article and language of its
   header, Plural-Forms, and every translation's length. Any failure is one
   clear error and nothing is applied.
3. Then each entry (matched by its segment number, the ``msgctxt``) gets one
   outcome, all in one transaction:
   - ``applied``: the server still holds the exported version; the text is saved;
   - ``outdated``: applied, but the source changed since the export, so the
     translation is marked outdated with the source it was made for;
   - ``conflict``: the server text changed since the export (a re-import that
     only outdated it does not count); the server keeps
     its text and the uploaded one is kept as a suggestion;
   - ``unchanged``, ``empty`` (nothing to apply), ``unknown`` (no such segment),
     ``obsolete`` (the segment left the article).
   An entry without a version stamp counts as exported before any translation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from service import publishing, queries, translating
from service.content import Content
from service.core import catalog
from service.core.errors import CatalogError
from service.core.stats import State
from service.db import db
from service.models import Change, How, Segment, Translation, User


@dataclass(frozen=True)
class EntryOutcome:
    segment: int
    outcome: str
    message: str = ""


@dataclass(frozen=True)
class UploadReport:
    slug: str
    language: str
    entries: tuple[EntryOutcome, ...]
    published: str | None = None
    publication_error: str | None = None

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.outcome for e in self.entries))

    def lines(self) -> list[str]:
        rows = [f"{e.segment:>6}  {e.outcome:<9} {e.message}".rstrip() for e in self.entries]
        summary = ", ".join(f"{n} {what}" for what, n in sorted(self.counts().items()))
        return [*rows, f"{self.slug} {self.language}: {summary or 'nothing in the file'}"]


def export(content: Content, slug: str, language: str) -> str:
    """The current catalog of a language as PO text, stamped with versions."""
    item = queries.article(slug)
    code = queries.language(language)
    return catalog.dumps(publishing.build_catalog(content, item, code, versions=True))


def upload(
    content: Content, slug: str, language: str, data: bytes, user: User, name: str = "upload.po"
) -> UploadReport:
    """Merge an uploaded PO; one transaction. Raises CatalogError, TooLong, NotFound."""
    item = queries.article(slug)
    code = queries.language(language)
    if len(data) > content.max_catalog_bytes:
        raise CatalogError(name, f"larger than the limit of {content.max_catalog_bytes} bytes")
    uploaded = catalog.parse_bytes(data, name, slug=slug, language=code)
    segments = {row.number: row for row in queries.segments(item)}
    obsolete = {row.number for row in queries.segments(item, obsolete=True)}
    for entry in uploaded.active:
        if entry.id in segments and entry.translation:
            translating.check_text(content, segments[entry.id], entry.translation)

    found = queries.translations(item, code)
    outcomes = []
    try:
        for entry in uploaded.active:
            outcomes.append(_merge(entry, segments, obsolete, found, code, user))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    report = UploadReport(slug, code, tuple(outcomes))
    if any(o.outcome in ("applied", "outdated") for o in outcomes):
        done = publishing.after_change(content, item, code)
        if done is not None and not done.skipped:
            return UploadReport(slug, code, tuple(outcomes), done.commit, done.error)
    return report


def _base_version(
    segment: Segment, code: str, exported_at: int, current: Translation | None
) -> int:
    """The version to compare against: the exported one, moved past changes that only
    re-imported the source (they outdate a translation without touching its text)."""
    if current is None or current.version <= exported_at:
        return exported_at
    since = db.session.scalars(
        select(Change).where(
            Change.segment_id == segment.id, Change.language == code, Change.version > exported_at
        )
    ).all()
    if since and all(c.how == How.IMPORT.value and c.old_text == c.new_text for c in since):
        return current.version
    return exported_at


def _merge(entry, segments, obsolete, found, code: str, user: User) -> EntryOutcome:
    number = entry.id
    if number not in segments:
        what = "obsolete" if number in obsolete else "unknown"
        reason = "the segment left the article" if what == "obsolete" else "no such segment"
        return EntryOutcome(number, what, reason)
    segment = segments[number]
    if not entry.translation:
        return EntryOutcome(number, "empty")
    current = found.get(segment.id)
    text = translating.normalise(entry.translation)
    exported_at = _base_version(segment, code, entry.version or 0, current)
    source_changed = entry.source != segment.source
    state = State.OUTDATED if (entry.fuzzy or source_changed) else State.TRANSLATED
    if (
        current is not None
        and current.text == text
        and (
            current.state == state
            or (state == State.TRANSLATED and current.state == State.APPROVED)
        )
    ):
        return EntryOutcome(number, "unchanged")
    previous = entry.source if source_changed else (entry.previous if entry.fuzzy else None)
    result = translating.apply(
        segment,
        code,
        text,
        exported_at,
        user,
        how=How.UPLOAD,
        state=state,
        previous_source=previous,
        suggestion_origin="upload",
    )
    if result.conflict:
        who = f" by {result.author}" if result.author else ""
        return EntryOutcome(
            number, "conflict", f"changed on the server since export{who}; kept as a suggestion"
        )
    if source_changed:
        return EntryOutcome(number, "outdated", "the source changed since export")
    return EntryOutcome(number, "applied")
