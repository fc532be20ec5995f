"""Property tests of the segment/render round trip on generated Markdown articles.

The documents come from :mod:`tests.core.markdown_strategies`; every property
compares an article with its own rendering, so the generator need not predict
how markdown-it reads a document, only produce varied ones.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.core import markdown, render, segment
from tests.core.markdown_strategies import documents

ROUND_TRIP = settings(database=None, derandomize=True, deadline=None, max_examples=250)
FEWER = settings(ROUND_TRIP, max_examples=150)

WHITESPACE = re.compile(r"\s+")
SIGNIFICANT = (
    "# x",
    "- x",
    "1. x",
    "> x",
    "```",
    "---",
    "===",
    "<div>",
    "[a]: /u",
    "| a | b |",
    "\n\n",
    "\\",
    "  \n",
    "\n",
    "|",
    "-|",
    "[a]:",
    "~~~",
    "    x",
    "{1}",
    "<!--",
)
HOSTILE_HTML = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<SCRIPT>alert(1)</SCRIPT>",
    "<a href='JavaScript:alert(1)'>y</a>",
)


def body_of(text: str) -> str:
    return text[segment.parse(text).body_start :]


def block_structure(text: str) -> list[tuple[str, int, str]]:
    """The block tokens of an article's body: type, nesting level and tag."""
    tokens = markdown.parser().parse(body_of(text))
    return [(token.type, token.level, token.tag) for token in tokens]


def code_blocks(text: str) -> list[tuple[str, str, str]]:
    tokens = markdown.parser().parse(body_of(text))
    return [
        (token.type, token.info, token.content)
        for token in tokens
        if token.type in ("fence", "code_block")
    ]


def targets(text: str) -> Counter[tuple[str, str]]:
    """Every link href and image src in the body's inline content."""
    found: Counter[tuple[str, str]] = Counter()

    def walk(tokens: list[Any]) -> None:
        for token in tokens:
            if token.type == "link_open":
                found["href", token.attrGet("href")] += 1
            elif token.type == "image":
                found["src", token.attrGet("src")] += 1
            if token.children:
                walk(token.children)

    walk(markdown.parser().parse(body_of(text)))
    return found


def same_translations(document: segment.Document) -> dict[int, str]:
    return {s.position: s.source for s in document.segments}


def pseudo(source: str) -> str:
    """Ⓟ-prefixed, accented pseudo-translation that leaves placeholders alone."""
    parts = re.split(r"(\{\d+\})", source)
    table = str.maketrans({"a": "á", "e": "é", "o": "ö"})
    return "Ⓟ " + "".join(
        part if index % 2 else part.translate(table) for index, part in enumerate(parts)
    )


# -- a. identity -------------------------------------------------------------------


@ROUND_TRIP
@given(documents())
def test_rendering_every_segment_with_its_source_is_identity(text: str) -> None:
    document = segment.parse(text)
    assert render.render_markdown(document, same_translations(document)) == text


# -- b. the splicing path ----------------------------------------------------------


@ROUND_TRIP
@given(documents())
def test_splicing_unchanged_translations_keeps_html_and_segments(text: str) -> None:
    document = segment.parse(text)
    spliced = render.render_markdown(document, same_translations(document), keep_unchanged=False)

    def html(markdown_text: str) -> str:
        return WHITESPACE.sub(" ", markdown.parser().render(body_of(markdown_text))).strip()

    assert html(spliced) == html(text)
    again = segment.parse(spliced)
    assert [s.source for s in again.segments] == [s.source for s in document.segments]


# -- c. pseudo-translation ---------------------------------------------------------


@ROUND_TRIP
@given(documents())
def test_pseudo_translation_keeps_structure(text: str) -> None:
    document = segment.parse(text)
    translated = render.render_markdown(
        document, {s.position: pseudo(s.source) for s in document.segments}
    )
    assert block_structure(translated) == block_structure(text)
    assert code_blocks(translated) == code_blocks(text)
    assert targets(translated) == targets(text)
    assert len(segment.parse(translated).segments) == len(document.segments)


# -- d. hostile translations -------------------------------------------------------

hostile = st.lists(
    st.one_of(st.text(max_size=8), st.sampled_from(SIGNIFICANT)), min_size=1, max_size=4
).map("".join)


@ROUND_TRIP
@given(documents(), st.data())
def test_hostile_translations_keep_block_structure(text: str, data: st.DataObject) -> None:
    document = segment.parse(text)
    translations = {
        s.position: data.draw(hostile, label=f"translation {s.position}") for s in document.segments
    }
    translated = render.render_markdown(document, translations)
    assert [t[0] for t in block_structure(translated)] == [t[0] for t in block_structure(text)]


# -- e. safe HTML ------------------------------------------------------------------


class _Tags(HTMLParser):
    """Collects the markup of an HTML fragment: tags as written, and attributes decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.markup: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.markup.append(self.get_starttag_text() or "")
        self.attributes += [(name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.markup.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.markup.append(f"<!--{data}-->")


hostile_html = st.lists(
    st.one_of(st.sampled_from(HOSTILE_HTML), st.sampled_from(("text", "\n", " ", "{1}"))),
    min_size=1,
    max_size=4,
).map("".join)


@FEWER
@given(documents(), st.data())
def test_rendered_html_has_no_script_handler_or_javascript_url(
    text: str, data: st.DataObject
) -> None:
    document = segment.parse(text)
    translations = {
        s.position: data.draw(hostile_html, label=f"translation {s.position}")
        for s in document.segments
    }
    html = render.render_html(document, translations, language="fr")
    assert "<script" not in html.lower()
    # "onerror" and "javascript:" may be shown as escaped text, or sit inside an https URL's
    # query; never as an event handler or as the scheme of a link.
    tags = _Tags()
    tags.feed(html)
    tags.close()
    for markup in tags.markup:
        assert "<script" not in markup.lower()
        assert "onerror" not in markup.lower()
    for name, value in tags.attributes:
        assert not name.lower().startswith("on")
        if name.lower() in ("href", "src"):
            assert not re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith("javascript:")


# -- f. no markup from a translation in the published Markdown -----------------------


def markup(text: str) -> set[str]:
    """Raw HTML and autolinks markdown-it finds in an article's body, as written."""
    found: set[str] = set()

    def walk(tokens: list[Any]) -> None:
        for token in tokens:
            if token.type in ("html_inline", "html_block"):
                found.add(token.content.strip())
            elif token.type == "link_open" and token.markup == "autolink":
                found.add(f"<{token.attrGet('href')}>")
            walk(token.children or [])

    walk(markdown.parser().parse(body_of(text)))
    return found


hostile_markup = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE_HTML),
        st.sampled_from(SIGNIFICANT),
        st.sampled_from(("`", "``", "<", "\\", "<x@y.org>", "<b>", "</i>", "{1}", "{2}")),
        st.text(max_size=6),
    ),
    min_size=1,
    max_size=5,
).map("".join)


@FEWER
@given(documents(), st.data())
def test_published_markdown_has_no_markup_the_source_lacks(text: str, data: st.DataObject) -> None:
    document = segment.parse(text)
    translations = {
        s.position: data.draw(hostile_markup, label=f"translation {s.position}")
        for s in document.segments
    }
    rendered = render.render_markdown(document, translations)
    # A "<url>" link destination of the source, put on its own, is an autolink to that url.
    hrefs = {f"<{href}>" for (kind, href) in targets(text) if kind == "href"}
    assert markup(rendered) - markup(text) <= hrefs
