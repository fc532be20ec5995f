"""The one Markdown dialect Chorus reads and writes, and where its parts sit in the source.

1. The dialect is CommonMark with GitHub's tables and strikethrough, and bare
   ``scheme://`` URLs recognised as links (linkify without fuzzy matching), as
   markdown-it-py implements them. Segmenting, rendering and the tests all use
   :func:`parser`, so what is a segment and what is rendered never disagree.
2. markdown-it gives block tokens their line ranges but no columns, and inline
   tokens no position at all. :func:`parser` therefore wraps a few rules to
   record positions as they parse: for paragraphs, headings and table rows the
   offsets where each line's content starts and ends (after container markers
   such as ``>`` and list bullets); for inline constructs (links, images,
   autolinks, inline HTML, bare URLs, line breaks) their span in the inline
   text. Recording happens only when the caller asks for it through ``env``,
   so a plain ``parse`` or ``render`` is unaffected.
3. Nothing here knows about translations: :mod:`service.core.segment` turns the
   recorded positions into segments, :mod:`service.core.render` splices.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline.linkify import SCHEME_RE

# Keys of the ``env`` dict through which the wrapped rules report positions.
BLOCK_LINES = "chorus_block_lines"
INLINE_SPANS = "chorus_inline_spans"

_BLOCK_RULES = ("paragraph", "heading", "lheading", "table")
_INLINE_RULES = ("link", "image", "autolink", "html_inline", "linkify", "newline", "escape")

NEWLINE = re.compile(r"\r\n?|\n")


@dataclass(frozen=True)
class InlineSpan:
    """One inline construct found in an inline text: ``text[start:end]``.

    ``label_end`` is set for links and images: the index of the ``]`` closing
    the label, so ``text[label_end + 1:end]`` is the destination part.
    """

    rule: str
    start: int
    end: int
    token: str = ""
    label_end: int = -1


def normalize(text: str) -> str:
    """The text exactly as markdown-it sees it: line endings as ``\\n``, NUL as U+FFFD."""
    return NEWLINE.sub("\n", text).replace("\0", "\ufffd")


def _record_block(name: str, rule: Any) -> Any:
    def recording(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        ok = rule(state, start_line, end_line, silent)
        lines = state.env.get(BLOCK_LINES) if isinstance(state.env, dict) else None
        if ok and not silent and lines is not None:
            lines[start_line] = [
                (state.bMarks[n] + state.tShift[n], state.eMarks[n])
                for n in range(start_line, state.line)
            ]
        return ok

    return recording


def _record_inline(name: str, rule: Any) -> Any:
    def recording(state: Any, silent: bool) -> bool:
        start = state.pos
        pending = state.pending
        ok = rule(state, silent)
        spans = state.env.get(INLINE_SPANS) if isinstance(state.env, dict) else None
        if not ok or silent or spans is None:
            return ok
        token = state.tokens[-1].type if state.tokens else ""
        label_end = -1
        if name == "linkify":
            start -= len(SCHEME_RE.search(pending).group(1))
        elif name in ("link", "image"):
            saved = state.pos
            label_end = state.md.helpers.parseLinkLabel(
                state, start + (1 if name == "image" else 0), name == "link"
            )
            state.pos = saved
        spans.append(InlineSpan(name, start, state.pos, token, label_end))
        return ok

    return recording


@functools.cache
def parser() -> MarkdownIt:
    """The shared markdown-it instance, with position recording wrapped in."""
    md = MarkdownIt("commonmark", {"linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.core.ruler.disable("linkify")  # only scheme URLs, found by the inline rule
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    for rule in md.block.ruler.__rules__:
        if rule.name in _BLOCK_RULES:
            rule.fn = _record_block(rule.name, rule.fn)
    for rule in md.inline.ruler.__rules__:
        if rule.name in _INLINE_RULES:
            rule.fn = _record_inline(rule.name, rule.fn)
    md.block.ruler.__cache__ = None
    md.inline.ruler.__cache__ = None
    return md


def inline_spans(text: str, references: dict[str, Any]) -> list[InlineSpan]:
    """Parse ``text`` as inline Markdown and return its recorded spans, in start order."""
    md = parser()
    env: dict[str, Any] = {"references": references, INLINE_SPANS: []}
    md.inline.parse(text, md, env, [])
    return sorted(env[INLINE_SPANS], key=lambda span: (span.start, -span.end))
