"""The read side: an article's translation as published, or as it stands now (the draft).

1. Formats: ``md`` (the article's Markdown with translations spliced in), ``html``
   (the same, rendered and sanitised) and ``po`` (the catalog).
2. The published form is exactly what was committed: the PO file is read from git
   at the publication's commit (never from the work tree, which a person may have
   changed), and the source is the revision that publication was made from. A
   language never published is NotFound, with a hint to ask for the draft.
3. The draft is read from the database: every current translation (outdated ones
   included, as a preview shows them); the PO draft is the export without versions.
4. A translation failing a critical check is never rendered: the source text is
   shown in its place and a warning says which line and why.
5. :func:`overview` is one article as its page shows it: coverage of its started
   languages, the priority languages nobody started yet, and its source as HTML.
   :func:`home` is the home page: every article's coverage and, for a signed-in
   volunteer, the open comments that mention them.
6. Reading never writes: no commit, no database change.
7. A published reading is the same for as long as its publication stands: its ETag is
   the commit and the format (:func:`etag`). Given the ETags a client already holds
   (``known``), :func:`read` answers ``not_modified`` from the database alone, without
   reading git; otherwise the rendering is kept per process by (content folder, commit,
   file, format), since a commit never changes, so git is read once per publication.
"""

from __future__ import annotations

import threading
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from service import catalogs, comments, coverage, publishing, queries
from service.content import Content
from service.core import catalog, languages, render, segment
from service.core.languages import Language
from service.core.messages import N_
from service.errors import ChorusError, GitError, NotFound
from service.models import User

FORMATS = ("md", "html", "po")


@dataclass(frozen=True)
class Reading:
    """One rendering of a translation."""

    text: str
    warnings: tuple[str, ...] = ()
    commit: str | None = None  # the publication's commit; None for a draft
    etag: str | None = None  # for a published reading: stable while the publication stands
    not_modified: bool = False  # the client holds it already (``known``): no text


def etag(commit: str, fmt: str) -> str:
    """The entity tag of a published reading: its commit and format."""
    return f"{commit}.{fmt}"


def read(
    content: Content,
    slug: str,
    code: str,
    *,
    fmt: str = "md",
    draft: bool = False,
    known: Collection[str] = (),
) -> Reading:
    """The published translation (or, with ``draft``, the current state) in ``fmt``.

    Raises NotFound for an unknown article or a language never published (without
    ``draft``), LanguageError, ChorusError for an unknown format, GitError when the
    published commit cannot be read.
    """
    if fmt not in FORMATS:
        raise ChorusError(f"unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    item = queries.article(slug)
    language = languages.get(code)
    if draft:
        if fmt == "po":
            built = catalogs.build(content, item, language.code, versions=False)
            return Reading(catalog.dumps(built))
        document = segment.parse(queries.revision(item).text, content.source_name(slug))
        found = queries.translations(item, language.code)
        translations = {
            row.position: found[row.id].text
            for row in queries.segments(item)
            if row.id in found and found[row.id].text and row.position is not None
        }
    else:
        published = publishing.last_committed(item, language.code)
        if published is None or published.commit is None:
            raise NotFound(
                N_(
                    "the %(language)s translation of %(slug)r is not published yet "
                    "(ask for the draft to see the current state)",
                    language=language.code,
                    slug=slug,
                )
            )
        tag = etag(published.commit, fmt)
        if tag in known:
            return Reading("", commit=published.commit, etag=tag, not_modified=True)
        key = (str(content.root), published.commit, content.catalog_name(slug, language.code), fmt)
        kept = _PUBLISHED.get(key)
        if kept is None:
            found = _published(content, slug, language, fmt, published.commit, published.revision)
            kept = replace(found, etag=tag)
            with _LOCK:
                if len(_PUBLISHED) >= _CACHE_SIZE:
                    _PUBLISHED.pop(next(iter(_PUBLISHED)))  # the oldest
                _PUBLISHED[key] = kept
        return kept
    return _rendered(document, translations, language, fmt)


_PUBLISHED: dict[tuple[str, str, str, str], Reading] = {}
_CACHE_SIZE = 512
_LOCK = threading.Lock()


def _published(
    content: Content, slug: str, language: Language, fmt: str, commit: str, revision
) -> Reading:
    name = content.catalog_name(slug, language.code)
    data = content.repository().read_at(commit, name)
    if data is None:
        raise GitError(f"commit {commit[:12]} has no {name}")
    text = data.decode("utf-8")
    if fmt == "po":
        return Reading(text, commit=commit)
    document = segment.parse(revision.text, content.source_name(slug))
    translations = catalog.translations(document, catalog.loads(text, name))
    return replace(_rendered(document, translations, language, fmt), commit=commit)


def _rendered(document, translations: dict, language: Language, fmt: str) -> Reading:
    usable, rejected = render.sound(document, translations)
    if fmt == "md":
        text = render.render_markdown(document, usable)
    else:
        text = render.render_html(
            document, usable, language=language.code, direction=language.direction
        )
    warnings = tuple(
        f"line {document.segments[p].line} ({document.segments[p].kind}): translation not used, "
        f"source text shown: " + "; ".join(r.message for r in results)
        for p, results in rejected.items()
    )
    return Reading(text, warnings)


@dataclass(frozen=True)
class Home:
    """The home page: the articles, and the open questions for the reader."""

    articles: list[coverage.ArticleCoverage]
    mentions: list[comments.Mention]


def home(user: User | None) -> Home:
    """Every article's coverage, and the open comments that mention ``user`` (if any)."""
    return Home(coverage.all_articles(), comments.for_user(user) if user is not None else [])


@dataclass(frozen=True)
class Overview:
    """One article as its page shows it."""

    coverage: coverage.ArticleCoverage
    wanted: tuple[Language, ...]  # priority languages not started yet
    source_html: str  # sanitised
    mine: tuple[coverage.LanguageStatus, ...] = ()  # the reader's own languages, started or not
    listed: tuple[coverage.LanguageStatus, ...] = ()  # mine, then priority, then the rest
    questions: dict[str, int] = field(default_factory=dict)  # open comments per language


def overview(content: Content, slug: str, mine: list[str] | None = None) -> Overview:
    """The article's coverage, its languages for a volunteer who works in ``mine`` (their
    own first, then the priority languages, then every other started one) and its source;
    raises NotFound."""
    item = queries.article(slug)
    status = coverage.article_coverage(item)
    started = [language.code for language in status.languages]
    priority = item.priority_languages.split()
    wanted = tuple(languages.get(code) for code in priority if code not in started)
    order = list(dict.fromkeys([*(mine or []), *priority, *started]))
    listed = tuple(coverage.statuses(item, order))
    document = segment.parse(queries.revision(item).text, content.source_name(slug))
    own = tuple(row for row in listed if row.code in (mine or []))
    questions = comments.open_questions(item)
    return Overview(status, wanted, render.render_html(document, {}), own, listed, questions)
