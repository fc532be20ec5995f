"""Publication: finished languages become PO files committed to git; and rendering them.

1. The catalog of a language is built from the working copy (active segments
   in order, obsolete ones that keep a translation at the end). Exported for
   offline work it carries each entry's version; published it does not.
2. When a language of an article is finished (:mod:`service.coverage`),
   :func:`publish_language` writes ``po/<slug>/<lang>.po`` atomically and
   commits that path only (:class:`service.core.vcs.Repository`, under its
   inter-process lock). Author: the translator with the most changes to that
   language since its last publication; every other contributor gets a
   ``Co-authored-by:`` trailer; committer: the service identity. A catalog
   already committed at the current revision is not committed again.
3. Every attempt is a row of ``publications``: committed (with the commit and
   the PO text) or failed (with the reason). A failed commit or push never
   undoes a save; :func:`publish` retries what is pending, and the reason is
   shown by ``chorus stats`` and on the dashboard.
4. The template ``po/<slug>/<slug>.pot`` is committed the same way when an
   article is imported or changes.
5. Reading never publishes: :func:`render` of the published form reads the
   PO text and source revision recorded by the last committed publication.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from service import coverage, queries
from service.content import Content, NotFound
from service.core import catalog, languages, render, segment
from service.core.catalog import Catalog, Entry
from service.core.errors import ChorusError
from service.core.stats import State
from service.core.vcs import GitError, Identity
from service.db import db
from service.models import Article, Change, Publication, Segment, Translation, User, utcnow

_DATE = "%Y-%m-%d %H:%M+0000"


@dataclass(frozen=True)
class PublishResult:
    slug: str
    language: str
    commit: str | None = None
    error: str | None = None
    skipped: str | None = None  # why nothing was done (not finished, already published)

    def summary(self) -> str:
        if self.error:
            return f"{self.slug} {self.language}: not published: {self.error}"
        if self.skipped:
            return f"{self.slug} {self.language}: {self.skipped}"
        return (
            f"{self.slug} {self.language}: published as {self.commit[:12] if self.commit else '?'}"
        )


def build_catalog(content: Content, item: Article, code: str | None, *, versions: bool) -> Catalog:
    """The article's template (``code`` None) or one language's catalog, from the database."""
    active = queries.segments(item)
    found = queries.translations(item, code) if code else {}
    entries = []
    for row in active:
        translation = found.get(row.id)
        text = translation.text if translation else ""
        outdated = bool(text) and translation is not None and translation.state == State.OUTDATED
        entries.append(
            Entry(
                id=row.number,
                source=row.source,
                translation=text,
                kind=row.kind,
                line=row.line,
                fuzzy=outdated,
                previous=translation.previous_source if outdated else None,
                version=(translation.version if translation else 0) if versions else None,
            )
        )
    for row in queries.segments(item, obsolete=True):
        translation = found.get(row.id)
        if code is None or (translation is not None and translation.text):
            text = translation.text if translation else ""
            entries.append(Entry(id=row.number, source=row.source, translation=text, obsolete=True))
    # Dates come from the data, so an unchanged catalog is byte-identical (no empty commits).
    dates = [t.updated_at for t in found.values()] or [queries.revision(item).created_at]
    return Catalog(
        slug=item.slug,
        source_path=content.source_name(item.slug),
        entries=tuple(entries),
        language=languages.get(code).gettext if code else None,
        created=item.created_at.strftime(_DATE),
        revised=max(dates).strftime(_DATE),
    )


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
    if since is not None:
        query = query.where(Change.at > since.created_at)
    return [(user, count) for user, count in db.session.execute(query).all()]


def _identity(user: User) -> Identity:
    return Identity(user.name, user.git_email)


def _record(item: Article, code: str | None, text: str, **fields: object) -> Publication:
    publication = Publication(
        article_id=item.id,
        language=code,
        revision_id=queries.revision(item).id,
        catalog=text,
        **fields,
    )
    db.session.add(publication)
    db.session.commit()
    return publication


def _commit(
    content: Content,
    item: Article,
    code: str | None,
    path: str,
    text: str,
    message: str,
    author: Identity,
    co_authors: list[Identity],
) -> PublishResult:
    label = code or "template"
    last = coverage.last_publication(item, code, committed=True)
    if last is not None and last.catalog == text and last.revision_id == queries.revision(item).id:
        return PublishResult(item.slug, label, commit=last.commit, skipped="already published")
    try:
        repository = content.repository()
        sha = repository.commit({path: text.encode("utf-8")}, message, author, co_authors)
        sha = sha or repository.head()
    except (GitError, OSError) as error:
        reason = str(error) if isinstance(error, GitError) else f"{path}: {error.strerror}"
        _record(item, code, text, status="failed", error=reason, author=str(author))
        return PublishResult(item.slug, label, error=reason)
    publication = _record(item, code, text, status="committed", commit=sha, author=str(author))
    push(content, publication)
    return PublishResult(item.slug, label, commit=sha, error=publication.push_error)


def push(content: Content, publication: Publication) -> None:
    """Push to the configured remote, recording the outcome; never raises."""
    if not content.git_push:
        return
    try:
        content.repository().push(content.git_push)
    except GitError as error:
        publication.push_error = str(error)
    else:
        publication.pushed, publication.push_error = True, None
    publication.updated_at = utcnow()
    db.session.commit()


def publish_template(content: Content, item: Article) -> str | None:
    """Commit the article's template; returns the reason when it failed."""
    template = build_catalog(content, item, None, versions=False)
    text = catalog.dumps(template)
    message = f"Update template of {item.slug}\n\n{len(template.active)} segments"
    result = _commit(
        content, item, None, content.template_name(item.slug), text, message, content.committer, []
    )
    return result.error


def publish_language(content: Content, item: Article, code: str) -> PublishResult:
    """Commit one language if it is finished and not yet published as it is."""
    status = coverage.language_status(item, code)
    if not status.finished:
        return PublishResult(item.slug, code, skipped=f"not finished ({status.state})")
    text = catalog.dumps(build_catalog(content, item, code, versions=False))
    people = contributors(item, code, coverage.last_publication(item, code, committed=True))
    if not people:
        people = contributors(item, code, None)
    author = _identity(people[0][0]) if people else content.committer
    co_authors = [_identity(user) for user, _ in people[1:]]
    counts = status.counts
    message = (
        f"Publish {code} translation of {item.slug}\n\n"
        f"{counts.total_segments} segments, {counts.total_words} words; "
        f"{len(people)} contributor{'s' if len(people) != 1 else ''}"
    )
    return _commit(
        content,
        item,
        code,
        content.catalog_name(item.slug, code),
        text,
        message,
        author,
        co_authors,
    )


def after_change(content: Content, item: Article, code: str) -> PublishResult | None:
    """Publish the language if the change finished it; failures are recorded, not raised."""
    # Cheap first: a language with a segment not yet translated cannot be finished, and
    # most saves are of such languages; only then run every check (language_status).
    active = Segment.article_id == item.id, Segment.obsolete.is_(False)
    segments = db.session.scalar(select(func.count()).select_from(Segment).where(*active))
    translated = db.session.scalar(
        select(func.count())
        .select_from(Translation)
        .join(Segment, Segment.id == Translation.segment_id)
        .where(*active, Translation.language == code, Translation.state >= State.TRANSLATED)
    )
    if translated < segments:
        return None
    result = publish_language(content, item, code)
    return None if result.skipped and result.skipped.startswith("not finished") else result


def publish(
    content: Content, slug: str | None = None, code: str | None = None
) -> list[PublishResult]:
    """Commit every finished, unpublished language (of one article, or one language), retrying
    failed template commits and pushes on the way. Idempotent."""
    items = [queries.article(slug)] if slug else list(db.session.scalars(select(Article)))
    results = []
    for item in items:
        error = publish_template(content, item)
        if error:
            results.append(PublishResult(item.slug, "template", error=error))
        codes = [queries.language(code)] if code else queries.started_languages(item)
        for language in codes:
            result = publish_language(content, item, language)
            if result.skipped == "already published":
                last = coverage.last_publication(item, language, committed=True)
                if last is not None and content.git_push and not last.pushed:
                    push(content, last)
                    result = PublishResult(
                        item.slug, language, commit=last.commit, error=last.push_error
                    )
            results.append(result)
    return results


def render_article(
    content: Content, slug: str, code: str, *, fmt: str = "md", draft: bool = False
) -> tuple[str, list[str]]:
    """The published translation (or with ``draft`` the current state) and warnings.

    Raises NotFound when the language was never published and ``draft`` is off.
    """
    if fmt not in ("md", "html"):
        raise ChorusError(f"unknown format {fmt!r} (md or html)")
    item = queries.article(slug)
    language = languages.get(code)
    if draft:
        document = segment.parse(queries.revision(item).text, content.source_name(slug))
        found = queries.translations(item, language.code)
        translations = {
            row.position: found[row.id].text
            for row in queries.segments(item)
            if row.id in found and found[row.id].text and row.position is not None
        }
    else:
        published = coverage.last_publication(item, language.code, committed=True)
        if published is None:
            raise NotFound(
                f"the {language.code} translation of {slug!r} is not published yet "
                "(--draft shows the current state)"
            )
        document = segment.parse(published.revision.text, content.source_name(slug))
        translations = catalog.translations(document, catalog.loads(published.catalog, "published"))
    usable, rejected = render.sound(document, translations)
    if fmt == "md":
        text = render.render_markdown(document, usable)
    else:
        text = render.render_html(
            document, usable, language=language.code, direction=language.direction
        )
    warnings = [
        f"line {document.segments[p].line} ({document.segments[p].kind}): translation not used, "
        f"source text shown: " + "; ".join(r.message for r in results)
        for p, results in rejected.items()
    ]
    return text, warnings
