"""The publisher's side (``docs/embedding.md``): the blog plugin, its iframe, hreflang
tags, the badge and the feed; and, on the API blueprint, what the plugin fetches and sends.

1. ``GET /embed/<slug>.js``: the plugin, ``static/embed.js`` with the article's data
   (published languages, progress toward the target, the absolute URLs it needs, its
   texts in the reader's language) put in by the server; under 15 KB.
2. ``GET /embed/<slug>``: the iframe version, rendered on the server (no script), the
   only Chorus page any site may frame (``frame-ancestors *``).
3. ``GET /embed/<slug>/alternates.html``: ``<link rel="alternate" hreflang>`` tags for
   the post's ``<head>``; ``?href=`` a pattern for each language's URL (``{lang}``),
   ``?source=`` the original post's URL.
4. ``GET /badge/<slug>.svg``: "translated | k/N"; ``GET /feed.atom`` and
   ``GET /feed/<lang>.atom``: the newest publications, of every language or of one.
5. An unknown article gets an empty widget, an empty iframe page, no tags, a grey
   "unknown article" badge: a host page never shows an error page. Texts of the plugin
   and the iframe are in the language of the reader's ``Accept-Language`` alone (not a
   Chorus session's), so their answers ``Vary: Accept-Language``.
6. Every answer of these routes carries an ETag (its body's digest, so it changes with
   the publications), ``Cache-Control: no-cache``, 304 on ``If-None-Match``, and
   ``Access-Control-Allow-Origin: *`` (never credentials). Nothing here reads git.
7. API: ``GET /api/v1/articles/<slug>/<lang>/published`` (the published translation
   segment by segment; ETag the commit) and ``POST .../segments/<id>/feedback`` (a
   reader's feedback, :mod:`service.feedback`: no account, no CSRF token, limited per
   address to :data:`FEEDBACK_LIMIT`, CORS for any origin with its preflight).
"""

from __future__ import annotations

import functools
import html
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from service import embedding, feedback
from service.core import languages
from service.core.errors import LanguageError
from service.core.messages import N_
from service.web import CSP, access, i18n
from service.web.api import _SEGMENT, _articles, _content, _together
from service.web.api import blueprint as api
from service.web.auth import limiter
from service.web.schemas import (
    CommentOut,
    ErrorOut,
    FeedbackIn,
    LanguagePath,
    PublishedOut,
    SegmentPath,
)

blueprint = Blueprint("embed", __name__)
SCRIPT = "embed.js"
DATA = "/*CHORUS_DATA*/ null"  # where the server puts the article's data in the script
FEEDBACK_LIMIT = "5 per minute;30 per day"
_TOO_MUCH = N_("too much feedback from your address: please try again later")
FRAME_CSP = CSP.replace("frame-ancestors 'self'", "frame-ancestors *")
ATOM = "http://www.w3.org/2005/Atom"
SOURCE = languages.get(i18n.SOURCE)


# -- caching and CORS ---------------------------------------------------------------------


@blueprint.after_request
def _cached(response: Response) -> Response:
    """ETag from the body, no-cache, 304 on If-None-Match, readable from any origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if response.status_code == 200 and not response.is_streamed:
        if "ETag" not in response.headers:
            response.add_etag()
        response.headers.setdefault("Cache-Control", "no-cache")
        response.make_conditional(request)
    return response


@blueprint.after_app_request
def _feedback_cors(response: Response) -> Response:
    """The feedback route answers any origin (preflight included), without credentials.

    App-wide, so it runs after the API blueprint's own read-side headers."""
    if request.endpoint != "api.reader_feedback":
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _reader_locale() -> str:
    """The reader's language from Accept-Language alone (gettext form), for force_locale."""
    return languages.get(i18n.from_browser() or i18n.SOURCE).gettext


def _reader_language() -> str | None:
    """The first language the browser asks for that CLDR knows (any, not only ours)."""
    for tag, quality in request.accept_languages:
        if quality > 0 and tag != "*":
            try:
                return languages.get(tag).code
            except LanguageError:
                continue
    return None


def _progress(found: embedding.Widget) -> str:
    return ngettext(
        "%(done)s of %(num)s language",
        "%(done)s of %(num)s languages",
        found.target,
        done=i18n.number(found.published),
    )


def _published_url(slug: str, code: str) -> str:
    return url_for("api.translation", slug=slug, lang=code, fmt="html", _external=True)


def _pattern(name: str) -> str | None:
    """An absolute http(s) URL pattern from the query (``{lang}`` for the language)."""
    value = request.args.get(name, "")
    return value if urlsplit(value).scheme in ("http", "https") and len(value) < 2000 else None


# -- the plugin -----------------------------------------------------------------------------


@blueprint.get("/embed/<slug>.js")
@access.public
def script(slug: str) -> Response:
    """The blog plugin with the article's data; an unknown article's does nothing."""
    found = embedding.widget(slug)
    data = None
    if found is not None:
        with force_locale(_reader_locale()):
            data = _data(found)
    code = _static(SCRIPT)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    response = Response(code.replace(DATA, text, 1), mimetype="text/javascript")
    response.vary.add("Accept-Language")
    return response


def _static(name: str) -> str:
    """A static file with its indentation and whole-line comments left out (what is
    served stays well under 15 KB without a build step)."""
    path = Path(current_app.static_folder or "", name)
    return _compact(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _compact(path: Path, mtime: int) -> str:
    text = _BLOCK_COMMENT.sub("", path.read_text(encoding="utf-8"))
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("//")) + "\n"


_BLOCK_COMMENT = re.compile(r"^\s*/\*(?!CHORUS_DATA).*?\*/[ \t]*$", re.MULTILINE | re.DOTALL)


def _data(found: embedding.Widget) -> dict:
    slug = found.slug
    ui = languages.get(i18n.from_browser() or i18n.SOURCE)
    return {
        "slug": slug,
        "ui": {"code": ui.code, "dir": ui.direction},
        "css": _static("embed.css"),
        "title": found.title,
        "published": found.published,
        "target": found.target,
        "api": url_for("api.article", slug=slug, _external=True),
        "article": url_for("pages.article", slug=slug, _external=True),
        "translate": url_for("pages.start", slug=slug, _external=True),
        "source": {"code": SOURCE.code, "name": SOURCE.native_name, "dir": SOURCE.direction},
        "languages": [
            {
                "code": item.language.code,
                "name": item.language.native_name,
                "dir": item.language.direction,
            }
            for item in found.languages
        ],
        "messages": {
            "read_in": _("Read in:"),
            "languages": _("Languages of this article"),
            "help": _("Help translate this article"),
            "progress": _progress(found),
            "report": _("Report a problem or suggest a better wording"),
            "label": _("What is wrong, or how would you say it? The translators will read it."),
            "send": _("Send"),
            "cancel": _("Cancel"),
            "thanks": _("Thank you: the translators of this language will see it."),
            "not_sent": _("Not sent: %(reason)s", reason="{reason}"),
            "not_loaded": _("The translation could not be loaded."),
        },
    }


@blueprint.get("/embed/<slug>")
@access.public
def frame(slug: str) -> Response:
    """The iframe version: the switcher as links and the call to action, no script."""
    found = embedding.widget(slug)
    pattern = _pattern("href")
    reader = _reader_language()
    with force_locale(_reader_locale()):
        if found is None or reader is None or reader.split("-")[0] == SOURCE.code:
            cta = url_for("pages.article", slug=slug, _external=True) if found else ""
        else:
            cta = url_for("pages.start", slug=slug, lang=reader, _external=True)
        links = []
        for item in found.languages if found else ():
            code = item.language.code
            href = pattern.replace("{lang}", code) if pattern else _published_url(slug, code)
            links.append((item.language, href))
        page = render_template(
            "embed.html",
            found=found,
            links=links,
            cta=cta,
            progress=_progress(found) if found else "",
            reader=languages.get(i18n.from_browser() or i18n.SOURCE),
        )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAME_CSP  # the one framable page
    response.vary.add("Accept-Language")
    return response


@blueprint.get("/embed/<slug>/alternates.html")
@access.public
def alternates(slug: str) -> Response:
    """``<link rel="alternate" hreflang>`` tags of the published languages, for a <head>."""
    found = embedding.widget(slug)
    pattern, source = _pattern("href"), _pattern("source")
    lines = []
    if found is not None and source:
        for hreflang in (SOURCE.code, "x-default"):
            lines.append(_link(hreflang, source))
    for item in found.languages if found else ():
        code = item.language.code
        lines.append(
            _link(code, pattern.replace("{lang}", code) if pattern else _published_url(slug, code))
        )
    return Response("".join(lines), mimetype="text/html")


def _link(hreflang: str, href: str) -> str:
    return f'<link rel="alternate" hreflang="{html.escape(hreflang)}" href="{html.escape(href)}">\n'


# -- the badge --------------------------------------------------------------------------

_NARROW = frozenset("fijlrt1I.,:;|!' /")
_COLOURS = ((1.0, "#4c1"), (0.75, "#97ca00"), (0.5, "#a4a61d"), (0.25, "#dfb317"))


def _width(text: str) -> int:
    """The text's width in Verdana 11px, near enough for a badge (as shields.io lays out)."""
    return round(sum(4.2 if c in _NARROW else 8.5 if c.isupper() else 6.9 for c in text)) + 10


def _colour(done: int, target: int) -> str:
    share = done / target if target > 0 else 1.0
    for least, colour in _COLOURS:
        if share >= least:
            return colour
    return "#fe7d37" if done else "#e05d44"


def badge_svg(label: str, value: str, colour: str) -> str:
    """A shields-style badge: ``label | value``, everything XML-escaped."""
    left, right = _width(label), _width(value)
    total = left + right
    label, value, title = html.escape(label), html.escape(value), html.escape(f"{label}: {value}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" '
        f'aria-label="{title}"><title>{title}</title>'
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="15" fill="#010101" fill-opacity=".3">{label}</text>'
        f'<text x="{left / 2}" y="14">{label}</text>'
        f'<text x="{left + right / 2}" y="15" fill="#010101" fill-opacity=".3">{value}</text>'
        f'<text x="{left + right / 2}" y="14">{value}</text></g></svg>'
    )


@blueprint.get("/badge/<slug>.svg")
@access.public
def badge(slug: str) -> Response:
    """ "translated | k/N" (published at the current revision / target); grey when unknown."""
    found = embedding.widget(slug)
    if found is None:
        svg = badge_svg("translated", "unknown article", "#9f9f9f")
    else:
        value = f"{found.published}/{found.target}"
        svg = badge_svg("translated", value, _colour(found.published, found.target))
    return Response(svg, mimetype="image/svg+xml")


# -- the feed ---------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str):
    child = ET.SubElement(parent, tag, attributes)
    child.text = text
    return child


@blueprint.get("/feed.atom")
@blueprint.get("/feed/<lang>.atom")
@access.public
def feed(lang: str | None = None) -> Response:
    """The newest publications (of every language, or of ``lang``) as an Atom feed."""
    language = languages.get(lang) if lang is not None else None
    entries = embedding.publications(language.code if language else None)
    host = urlsplit(request.host_url).hostname or "localhost"
    root = ET.Element("feed", {"xmlns": ATOM})
    if language is None:
        _sub(root, "title", "Chorus: published translations")
    else:
        _sub(root, "title", f"Chorus: translations published in {language.english_name}")
    _sub(root, "id", request.base_url)
    _sub(root, "updated", _stamp(entries[0].committed_at) if entries else "1970-01-01T00:00:00Z")
    _sub(_sub(root, "author"), "name", "Chorus")
    _sub(root, "link", rel="self", href=request.base_url)
    _sub(root, "link", rel="alternate", type="text/html", href=request.host_url)
    _sub(root, "generator", "Chorus")
    for entry in entries:
        item = _sub(root, "entry")
        code = entry.language.code
        _sub(item, "title", f"{entry.title} in {entry.language.english_name}")
        day = entry.committed_at.strftime("%Y-%m-%d")
        _sub(item, "id", f"tag:{host},{day}:{entry.slug}/{code}/{entry.commit}")
        _sub(item, "updated", _stamp(entry.committed_at))
        _sub(item, "published", _stamp(entry.committed_at))
        _sub(item, "link", rel="alternate", type="text/html", hreflang=code,
             href=_published_url(entry.slug, code))  # fmt: skip
        _sub(_sub(item, "author"), "name", entry.author or "Chorus")
        _sub(item, "category", term=code, label=entry.language.english_name)
        _sub(
            item,
            "summary",
            f"{entry.title} is published in {entry.language.english_name} "
            f"({entry.language.native_name}), commit {entry.commit[:12]}.",
        )
    body = ET.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


# -- on the API: what the plugin fetches and sends ------------------------------------------

_NOT_MODIFIED = {"description": "not modified (If-None-Match holds the ETag)"}


@api.get(
    "/articles/<slug>/<lang>/published",
    tags=_articles,
    responses={"200": PublishedOut, "304": _NOT_MODIFIED},
)
@access.public
def published(path: LanguagePath):
    """The published translation segment by segment: stable id, source text, inline HTML."""
    language, publication = embedding.published_commit(path.slug, path.lang)
    etag = f"{publication.commit}.segments"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        found = embedding.published_segments(_content(), path.slug, language.code)
        body = PublishedOut.of(found).model_dump_json()
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return response


@api.post(
    _SEGMENT + "/feedback",
    tags=_together,
    responses={"201": CommentOut, "413": ErrorOut, "429": ErrorOut},
    security=[{}, {"bearer": []}],
)
@limiter.limit(FEEDBACK_LIMIT, methods=["POST"], error_message=lambda: i18n.say(_TOO_MUCH))
@access.public_write
def reader_feedback(path: SegmentPath, body: FeedbackIn):
    """A reader's feedback on a published segment: a comment for the language's
    volunteers, never published. No account needed; limited per address."""
    made = feedback.submit(path.slug, path.lang, path.number, body.text)
    return CommentOut.of(made).model_dump(mode="json"), 201
