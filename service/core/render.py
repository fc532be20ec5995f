"""Write translations back into an article: translated Markdown, and safe HTML.

1. In: a :class:`~service.core.segment.Document` and its translations keyed by
   segment position. Out: the article's Markdown with each translated segment
   spliced in place; every byte outside the segments (front matter, code
   blocks, reference definitions, blank lines, line endings) is kept as is.
2. A segment without a translation, or whose translation equals its source,
   keeps its source text byte for byte; so with every translation equal to its
   source the rendered article is identical to the source file.
3. A translation is written so the article keeps its block structure whatever
   it holds: placeholders ``{n}`` are put back as the source's Markdown; a line
   that would start a new block (``# ``, ``- ``, ``1. ``, ``>``, a fence, HTML)
   is escaped; a translator's line break becomes a hard line break in
   paragraphs and a space in headings and table cells; pipes in table cells
   are escaped; a title is written back as a quoted front-matter string.
   Raw HTML typed in a translation is not published: a ``<`` of its text that
   would open a tag, comment, declaration or autolink is written ``&lt;``
   (code spans are left as written), so markdown-it finds in a translated
   segment no HTML and no autolink but the source's own placeholders. If it
   still would (a code span it reads otherwise), the ``<`` in code goes too.
4. :func:`sound` sets aside translations that fail a critical check (a lost
   placeholder would drop a link): callers render the source text for those
   segments and tell the user, so a rendering is never silently broken.
5. HTML is the translated Markdown rendered with the same dialect and then
   sanitised with nh3 (ammonia): no script, event handler, ``javascript:``
   URL or frame can come through, whatever the source or a translation says.
6. :func:`pieces` gives each segment on its own: its source as plain text (what a page
   showing the article holds there) and its translation as inline HTML, taken from the
   whole translated article and sanitised as in 5, for swapping a post's text in place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import nh3
from markdown_it.token import Token

from service.core import checks, markdown
from service.core.segment import PLACEHOLDER, Document, Segment, parse, quote_scalar

_REFERENCE_START = re.compile(r"\[(?:[^\]\\]|\\.)*\]:")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
# markdown-it's cell splitter takes any pipe after a backslash as escaped.
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_BACKSLASHES_AND_PIPE = re.compile(r"(\\*)\|")
_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)$")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# markdown-it opens raw HTML (inline or a block) and autolinks only at a "<" followed by one
# of these; "&lt;" is what no backslash or neighbour can turn back into a "<".
_MARKUP_START = re.compile(r"<(?=[A-Za-z/!?])")
_ESCAPE_BACKTICKS_OR_MARKUP = re.compile(r"\\.|`+|<(?=[A-Za-z/!?])", re.DOTALL)
_ANGLED = re.compile(r"<[^<>\s]*>")
_HTML_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "code": {"class"}, "article": {"lang", "dir"}}


def sound(
    document: Document, translations: Mapping[int, str]
) -> tuple[dict[int, str], dict[int, list[checks.CheckResult]]]:
    """Split translations into those safe to render and those failing a critical check."""
    kept: dict[int, str] = {}
    rejected: dict[int, list[checks.CheckResult]] = {}
    for segment in document.segments:
        translation = translations.get(segment.position)
        if translation is None:
            continue
        critical = [r for r in checks.run(segment.source, translation) if r.severity == "critical"]
        if critical:
            rejected[segment.position] = critical
        else:
            kept[segment.position] = translation
    return kept, rejected


def render_markdown(
    document: Document, translations: Mapping[int, str], *, keep_unchanged: bool = True
) -> str:
    """The article with each segment's translation in place of its source.

    ``keep_unchanged=False`` writes even an unchanged translation through the
    splicing path (the tests use it to check that path on every article).
    """
    text = document.text
    out: list[str] = []
    position = 0
    for segment in document.segments:
        translation = translations.get(segment.position)
        if translation is None or not translation.strip():
            continue
        if keep_unchanged and translation == segment.source:
            continue
        start, end = segment.span
        out.append(text[position:start])
        out.append(fill(segment, translation))
        position = end
    out.append(text[position:])
    return "".join(out)


def render_html(
    document: Document,
    translations: Mapping[int, str],
    *,
    language: str | None = None,
    direction: str = "ltr",
) -> str:
    """The article as a sanitised HTML fragment: ``<article>``, the title as ``<h1>``, the body."""
    rendered = parse(render_markdown(document, translations), document.name)
    body = rendered.text[rendered.body_start :]
    parts = [f'<article lang="{html.escape(language)}" dir="{direction}">' if language else ""]
    if rendered.title is not None:
        title = _substitute(rendered.segments[0], rendered.title)
        parts.append(f"<h1>{html.escape(title)}</h1>\n")
    parts.append(markdown.parser().render(body))
    fragment = "".join(parts) + ("</article>\n" if language else "")
    return nh3.clean(fragment, attributes=_HTML_ATTRIBUTES)


def fill(segment: Segment, translation: str) -> str:
    """The Markdown that replaces ``segment``'s source text for ``translation``."""
    text = markdown.NEWLINE.sub("\n", translation).strip()
    if segment.context == "title":  # a front-matter string, not Markdown
        return quote_scalar(_substitute(segment, " ".join(text.split("\n"))))
    out = _fill(segment, text, _escape_markup)
    if not _markup_is_the_sources(segment, "\n".join(out.split(segment.eol + segment.prefix))):
        out = _fill(segment, text, _escape_all_markup)
    return out


def _fill(segment: Segment, text: str, markup: Callable[[str], str]) -> str:
    """``fill`` for a heading, cell or block, with ``markup`` escaping each line's raw HTML."""
    if segment.context == "heading":
        line = " ".join(part.strip() for part in text.split("\n") if part.strip())
        heading = _CLOSING_HASHES.sub(r"\1\\\2", _substitute(segment, line, markup=markup))
        if _stays_a_heading(f"# {heading}"):
            return heading
        # A "---" line below would make it a table header, as for a setext heading.
        line = _substitute(segment, line, escape=_pipe_entities, markup=markup)
        return _CLOSING_HASHES.sub(r"\1\\\2", line)
    if segment.context == "cell":
        line = " ".join(part.strip() for part in text.split("\n") if part.strip())
        line = _substitute(segment, line, escape=_escape_pipes, markup=markup)
        if line.endswith("\\"):
            line += " "  # else it would escape the pipe closing the cell
        return line if "|" in segment.prefix else _guard(line)
    out = _block(segment, text, str, markup)
    if segment.kind == "heading" and not _stays_a_heading(out):
        # Over a "---" line (a setext underline, or a rule after an ATX heading) a line
        # holding any pipe, even an escaped one, is a table header to markdown-it; an
        # entity is a pipe it cannot take for a cell border.
        out = _block(segment, text, _pipe_entities, markup)
    return out


def _block(
    segment: Segment, text: str, escape: Callable[[str], str], markup: Callable[[str], str]
) -> str:
    """A paragraph-like block: lines guarded, joined by hard breaks."""
    lines = [
        _substitute(segment, part.strip(), escape=escape, markup=markup)
        for part in text.split("\n")
        if part.strip()
    ]
    guarded: list[str] = []
    for line in lines:
        guarded.append(_guard(line, previous=guarded[-1] if guarded else None))
    if guarded[0].startswith("[") and not _is_plain_paragraph("  \n".join(guarded)):
        guarded[0] = "\\" + guarded[0]  # a reference definition whose label spans lines
    # Two trailing spaces make the hard break: a backslash would be taken into a
    # bare URL ending the line, or read as escaped after a line ending in one.
    return ("  " + segment.eol + segment.prefix).join(guarded)


def _stays_a_heading(content: str) -> bool:
    tokens = markdown.parser().parse(content.replace("\r", "") + "\n---\n", {})
    return bool(tokens) and tokens[0].type == "heading_open"


def _substitute(
    segment: Segment,
    text: str,
    *,
    escape: Callable[[str], str] = str,
    markup: Callable[[str], str] = str,
) -> str:
    """Put the source's Markdown back in place of each known placeholder; ``escape`` the rest.

    ``markup`` escapes raw HTML in the translated line first (placeholders hold none).
    """
    text = markup(text)
    out: list[str] = []
    position = 0
    for match in PLACEHOLDER.finditer(text):
        number = int(match.group(1))
        if 1 <= number <= len(segment.placeholders):  # else: the translator's own text
            out.append(escape(text[position : match.start()]))
            out.append(segment.placeholders[number - 1])
            position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def _escape_markup(text: str) -> str:
    """``text`` with each "<" that could open raw HTML or an autolink written as "&lt;".

    A "<" escaped by a backslash, or inside a code span, is left as written.
    """
    out: list[str] = []
    position = scan = 0
    while (match := _ESCAPE_BACKTICKS_OR_MARKUP.search(text, scan)) is not None:
        scan = match.end()
        if match.group() == "<":
            out += [text[position : match.start()], "&lt;"]
            position = scan
        elif match.group()[0] == "`":  # a code span runs to the next run as long as its own
            closer = re.compile(rf"(?<!`){match.group()}(?!`)").search(text, scan)
            scan = closer.end() if closer else scan
    out.append(text[position:])
    return "".join(out)


def _escape_all_markup(text: str) -> str:
    return _MARKUP_START.sub("&lt;", text)


def _markup_is_the_sources(segment: Segment, inline: str) -> bool:
    """True when all raw HTML and autolinks markdown-it finds in ``inline`` are placeholders."""
    allowed = set(segment.placeholders)
    # An autolink of the source, or a "<url>" link destination of it left on its own.
    autolinks = {href for p in allowed for part in _ANGLED.findall(p) for href in _autolinks(part)}
    for token in _inline_tokens(inline):
        if token.type == "html_inline" and token.content not in allowed:
            return False
        autolink = token.type == "link_open" and token.markup == "autolink"
        if autolink and token.attrGet("href") not in autolinks:
            return False
    return True


def _autolinks(text: str) -> list[str | int | float | None]:
    return [t.attrGet("href") for t in _inline_tokens(text) if t.markup == "autolink"]


def _inline_tokens(text: str) -> list[Token]:
    tokens = markdown.parser().parseInline(text)
    return list(tokens[0].children or []) if tokens else []


def _escape_pipes(text: str) -> str:
    return _UNESCAPED_PIPE.sub(r"\\|", text)


def _pipe_entities(text: str) -> str:
    # An odd run of backslashes escapes the pipe (drop that one); an even run is escaped
    # backslashes (keep them all).
    return _BACKSLASHES_AND_PIPE.sub(
        lambda m: m.group(1)[: len(m.group(1)) // 2 * 2] + "&#124;", text
    )


def _guard(line: str, *, previous: str | None = None) -> str:
    """Escape the start of a paragraph's line so it cannot open another block.

    A first line (``previous`` None) is read as the start of a block; a later one
    after the line before it, as markdown-it reads a paragraph's continuation.
    """
    plain = _is_plain_paragraph(line if previous is None else f"{previous}  \n{line}")
    # "[label]:" opening a block is a reference definition with whatever line follows.
    if plain and not (previous is None and _REFERENCE_START.match(line)):
        return line
    if line[0] in _ASCII_PUNCTUATION:
        return "\\" + line
    marker = _ORDERED_MARKER.match(line)
    if marker:
        return f"{marker.group(1)}\\{line[marker.end(1) :]}"
    return line


def _is_plain_paragraph(text: str) -> bool:
    tokens = markdown.parser().parse(text, {})
    return [token.type for token in tokens] == ["paragraph_open", "inline", "paragraph_close"]


# -- one segment at a time (the blog plugin swaps a post's text segment by segment) -------


@dataclass(frozen=True)
class Piece:
    """One segment of an article as a reader sees it, and its translation as inline HTML.

    ``text`` is the source as rendered, as plain text (what a page showing the article
    holds in that block); ``html`` is the translation rendered and sanitised like
    :func:`render_html` renders it, inline (no enclosing block element), or "" where the
    segment has no usable translation.
    """

    position: int
    kind: str
    text: str
    html: str


def pieces(document: Document, translations: Mapping[int, str]) -> list[Piece]:
    """Every segment of ``document`` with its translation rendered on its own.

    The translations are spliced into the whole article first (:func:`render_markdown`),
    so each segment's Markdown is exactly what the published article holds; a
    translation failing a critical check is left out (``html`` ""), as in a rendering.
    """
    usable, _ = sound(document, translations)
    rendered = parse(render_markdown(document, usable), document.name)
    source_env = _references(document)
    if len(rendered.segments) != len(document.segments):  # never expected: render keeps blocks
        rendered, usable = document, {}
    rendered_env = _references(rendered)
    found = []
    for original, translated in zip(document.segments, rendered.segments, strict=True):
        text = _plain(_inline_html(document, original, source_env))
        done = original.position in usable
        inline = _inline_html(rendered, translated, rendered_env) if done else ""
        found.append(Piece(original.position, original.kind, text, inline))
    return found


def _references(document: Document) -> dict:
    env: dict = {}
    markdown.parser().parse(document.text[document.body_start :], env)
    return env


def _inline_html(document: Document, segment: Segment, env: dict) -> str:
    if segment.context == "title":
        return html.escape(_substitute(segment, segment.source))
    raw = document.text[segment.span[0] : segment.span[1]]
    if segment.prefix and segment.context == "block":
        raw = raw.replace(segment.eol + segment.prefix, "\n")
    inline = markdown.parser().renderInline(markdown.normalize(raw), dict(env))
    return nh3.clean(inline, attributes=_HTML_ATTRIBUTES).strip()


_TAG = re.compile(r"<[^>]*>")


def _plain(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())
