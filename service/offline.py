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
4. A file none of whose entries names a segment of the article (all unknown) is
   refused: it is most likely a catalog of something else.
5. The report names every applied translation that fails a critical check (it
   keeps the language from being finished), and says whether the upload finished
   the language (its publication is then queued for the worker).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from service import catalogs, coverage, publishing, queries, translating
from service.content import Content
from service.core import catalog
from service.core.stats import State
from service.db import db
from service.errors import CatalogError, TooLarge
from service.models import Change, How, Segment, SuggestionOrigin, Translation, User


class Outcome(StrEnum):
    """What an upload did with one entry."""

    APPLIED = "applied"
    OUTDATED = "outdated"
    CONFLICT = "conflict"
    UNCHANGED = "unchanged"
    EMPTY = "empty"
    UNKNOWN = "unknown"
    OBSOLETE = "obsolete"


@dataclass(frozen=True)
class EntryOutcome:
    segment: int
    outcome: Outcome
    message: str = ""


@dataclass(frozen=True)
class UploadReport:
    slug: str
    language: str
    entries: tuple[EntryOutcome, ...]
    failures: tuple[coverage.Failure, ...] = ()  # applied translations failing a critical check
    publication_queued: bool = False

    def counts(self) -> dict[str, int]:
        return dict(Counter(e.outcome.value for e in self.entries))

    def lines(self) -> list[str]:
        rows = [f"{e.segment:>6}  {e.outcome:<9} {e.message}".rstrip() for e in self.entries]
        rows += [f"critical: {failure.describe()}" for failure in self.failures]
        summary = ", ".join(f"{n} {what}" for what, n in sorted(self.counts().items()))
        rows.append(f"{self.slug} {self.language}: {summary or 'nothing in the file'}")
        if self.publication_queued:
            rows.append(f"{self.slug} {self.language}: finished; publication queued")
        return rows


def export(content: Content, slug: str, language: str) -> str:
    """The current catalog of a language as PO text, stamped with versions."""
    item = queries.article(slug)
    code = queries.language(language)
    return catalog.dumps(catalogs.build(content, item, code, versions=True))


def upload(
    content: Content, slug: str, language: str, data: bytes, user: User, name: str = "upload.po"
) -> UploadReport:
    """Merge an uploaded PO; one transaction. Raises CatalogError, TooLarge, NotFound."""
    code = queries.language(language)
    item = queries.article(slug)
    if len(data) > content.max_catalog_bytes:
        raise TooLarge(f"{name}: larger than the limit of {content.max_catalog_bytes} bytes")
    uploaded = catalog.parse_bytes(data, name, slug=slug, language=code)
    item = queries.article(slug, for_update=True)
    segments = {row.number: row for row in queries.segments(item)}
    obsolete = {row.number for row in queries.segments(item, obsolete=True)}
    known = [entry for entry in uploaded.active if entry.id in segments or entry.id in obsolete]
    if uploaded.active and not known:
        db.session.rollback()
        raise CatalogError(name, f"no entry matches a segment of {slug!r}; nothing was applied")
    for entry in uploaded.active:
        if entry.id in segments and entry.translation:
            translating.check_text(content, segments[entry.id], entry.translation)

    found = queries.translations(item, code)
    outcomes = []
    try:
        for entry in uploaded.active:
            outcomes.append(_merge(entry, segments, obsolete, found, code, user))
        changed = any(o.outcome in (Outcome.APPLIED, Outcome.OUTDATED) for o in outcomes)
        due = publishing.due(item, code) if changed else None
        applied = {o.segment for o in outcomes if o.outcome in (Outcome.APPLIED, Outcome.OUTDATED)}
        db.session.flush()
        failures = tuple(f for f in coverage.failures(item, code) if f.segment in applied)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    publishing.wake([due])
    return UploadReport(slug, code, tuple(outcomes), failures, due is not None)


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
        if number in obsolete:
            return EntryOutcome(number, Outcome.OBSOLETE, "the segment left the article")
        return EntryOutcome(number, Outcome.UNKNOWN, "no such segment")
    segment = segments[number]
    if not entry.translation:
        return EntryOutcome(number, Outcome.EMPTY)
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
        return EntryOutcome(number, Outcome.UNCHANGED)
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
        suggestion_origin=SuggestionOrigin.UPLOAD,
    )
    if result.conflict:
        who = f" by {result.author}" if result.author else ""
        return EntryOutcome(
            number,
            Outcome.CONFLICT,
            f"changed on the server since export{who}; kept as a suggestion",
        )
    if source_changed:
        return EntryOutcome(number, Outcome.OUTDATED, "the source changed since export")
    return EntryOutcome(number, Outcome.APPLIED)
