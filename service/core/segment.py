"""Split a Markdown article into ordered, translatable segments.

The principles, after translate-toolkit's ``translate/storage/markdown.py``:

1. In: the article's text (UTF-8 Markdown, optionally opened by YAML ``---`` or
   TOML ``+++`` front matter; lines ending in ``\\n``, ``\\r\\n`` or a lone ``\\r``,
   the front matter's included). Out: a :class:`Document` holding the text and
   its segments in reading order. A byte-order mark opening the file belongs to
   no segment: the front matter or the body starts after it.
2. Segments are the front-matter ``title``, headings, paragraphs, list items,
   block quotes and table cells; a paragraph inside a list item or a block quote
   takes the kind of its innermost container. Code blocks, raw HTML blocks, link
   reference definitions and blocks with no word in them are not segments.
3. A segment's ``source`` is its Markdown as written, with inline formatting kept
   (``*emphasis*``, ```code```) so translators can move it. Link destinations,
   images' targets, autolinks, bare URLs and inline HTML tags become numbered
   placeholders ``{1}``, ``{2}``, ... (translate-toolkit's convention), so a
   translation cannot break a URL. A literal ``{n}`` in the text becomes a
   placeholder standing for itself, so every ``{n}`` in a source is one.
4. Whitespace is normalised as translate-toolkit's reader does, so its ``po2md``
   finds our entries: soft line breaks and every run of whitespace (Unicode's too:
   U+00A0, U+3000 ...) become one space, code spans included; a hard line break
   is kept as ``\\n``, and no line starts with a space. Rendering splices by
   position, so the article's own bytes never depend on it.
5. Each segment records its kind, 1-based source line, word count (as
   translate-toolkit's ``pocount`` counts the entry: :func:`count_words`) and where
   its text sits in the article (``span``), which is what
   :mod:`service.core.render` splices a translation into. Rendering every
   segment with its own source reproduces the article byte for byte.
6. Bad input raises :class:`~service.core.errors.SourceError` with a one-line
   reason: empty, binary, not UTF-8, over the size limit, broken front matter.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from translate.tools.pocount import wordcount as pocount_words

from service.core import markdown
from service.core.errors import SourceError

KINDS = ("title", "heading", "paragraph", "list-item", "blockquote", "table-cell")

PLACEHOLDER = re.compile(r"\{(\d+)\}")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_SOFT_WHITESPACE = re.compile(r"[ \t]*\n[ \t]*")
# translate-toolkit's Markdown reader (mistletoe's renderer under it) turns every run of
# whitespace, Unicode's included (U+00A0, U+2003, U+3000 ...), into one space; an entry
# of our PO must hold the text its po2md looks for.
_WHITESPACE = re.compile(r"\s+")
_BOM = "\ufeff"
_FRONT_MATTER_OPEN = re.compile(r"\A\ufeff?(---|\+\+\+)[ \t]*(?:\r\n|\r|\n)")
_PLACEHOLDER_RULES = ("link", "image", "autolink", "html_inline", "linkify")


@dataclass(frozen=True)
class Segment:
    """One translatable unit of an article.

    ``placeholders[i]`` is the Markdown that ``{i+1}`` in ``source`` stands for.
    ``span`` is the ``(start, end)`` offset range of the segment's text in the
    article; ``prefix`` is what a continuation line inside this block starts
    with (block-quote markers, list indentation), or for a table cell what
    precedes it on its line; ``context`` says how a
    translation must be written back: ``block`` (may hold hard line breaks),
    ``heading`` / ``cell`` (one line) or ``title`` (a quoted front-matter value).
    """

    position: int
    kind: str
    source: str
    line: int
    words: int
    placeholders: tuple[str, ...]
    span: tuple[int, int]
    context: str
    prefix: str = ""
    eol: str = "\n"


@dataclass(frozen=True)
class Document:
    """An article's text and its segments, in reading order."""

    name: str
    text: str
    segments: tuple[Segment, ...]
    front_matter: str | None = None  # "yaml", "toml" or None
    body_start: int = 0  # offset of the Markdown body, after the front matter

    @property
    def title(self) -> str | None:
        for segment in self.segments:
            if segment.kind == "title":
                return segment.source
        return None

    @property
    def words(self) -> int:
        return sum(segment.words for segment in self.segments)


def read_source(path: str | Path, max_bytes: int, name: str | None = None) -> str:
    """Read a Markdown file as text.

    Raises SourceError when it is missing, larger than ``max_bytes``, empty,
    binary (holds NUL bytes) or not UTF-8.
    """
    path = Path(path)
    name = name or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(name, f"larger than the limit of {max_bytes} bytes ({size} bytes)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(name, "no such file") from None
    except IsADirectoryError:
        raise SourceError(name, "is a directory, not a Markdown file") from None
    except OSError as error:
        raise SourceError(name, f"cannot be read ({error.strerror})") from None
    return decode_source(data, name, max_bytes)


def decode_source(data: bytes, name: str, max_bytes: int) -> str:
    """Check and decode the bytes of a Markdown file; raises SourceError."""
    if len(data) > max_bytes:
        raise SourceError(name, f"larger than the limit of {max_bytes} bytes ({len(data)} bytes)")
    if b"\0" in data:
        raise SourceError(name, "binary file (it contains NUL bytes), not Markdown")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        byte = data[error.start]
        raise SourceError(
            name, f"not UTF-8 (invalid byte 0x{byte:02x} at line {line}, column {column})"
        ) from None
    if not text.strip().lstrip("\ufeff"):
        raise SourceError(name, "empty file")
    return text


def parse(text: str, name: str = "<article>") -> Document:
    """Split Markdown text into a Document; raises SourceError for broken front matter."""
    body_start, kind, title = _front_matter(text, name)
    segments: list[Segment] = []
    if title is not None:
        segments.append(title)
    segments.extend(_body_segments(text, body_start, len(segments)))
    return Document(
        name=name, text=text, segments=tuple(segments), front_matter=kind, body_start=body_start
    )


# -- front matter -----------------------------------------------------------------


def _front_matter(text: str, name: str) -> tuple[int, str | None, Segment | None]:
    """Find the front matter; return (offset of the body, its kind, the title segment)."""
    opening = _FRONT_MATTER_OPEN.match(text)
    if not opening:
        # A byte-order mark is no text: the body starts after it (render keeps it,
        # as it keeps every byte outside the segments).
        return len(_BOM) if text.startswith(_BOM) else 0, None, None
    fence = opening.group(1)
    closers = ("---", "...") if fence == "---" else ("+++",)
    position = opening.end()
    for line in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text[position:]):
        if not line.group():
            break
        if line.group().rstrip("\r\n").rstrip(" \t") in closers:
            content = text[opening.end() : position]
            body_start = position + len(line.group())
            kind = "yaml" if fence == "---" else "toml"
            return body_start, kind, _title(text, opening.end(), content, kind, name)
        position += len(line.group())
    # Never closed: a thematic break, not front matter.
    return len(_BOM) if text.startswith(_BOM) else 0, None, None


def _title(text: str, offset: int, content: str, kind: str, name: str) -> Segment | None:
    # TOML knows no lone CR line end and YAML reads one; the values do not depend on them.
    plain = markdown.NEWLINE.sub("\n", content)
    try:
        data = yaml.safe_load(plain) if kind == "yaml" else tomllib.loads(plain)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        raise SourceError(name, f"front matter is not valid YAML{where}") from None
    except tomllib.TOMLDecodeError as error:
        raise SourceError(name, f"front matter is not valid TOML ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        return None
    title = data["title"]
    if not title.strip():
        return None
    # Only a one-line title can be written back in place; find it and check
    # that the value found decodes to the title the parser saw.
    # A line ends at \n, \r\n or a lone \r, none of which is part of the value.
    separator = ":" if kind == "yaml" else "="
    pattern = re.compile(
        rf"(?:\A|(?<=[\r\n]))title[ \t]*{separator}[ \t]*([^\r\n]*?)[ \t]*(?=[\r\n]|\Z)"
    )
    for match in pattern.finditer(content):
        raw = match.group(1)
        if _decode_scalar(raw, kind) == title:
            start = offset + match.start(1)
            line = len(markdown.NEWLINE.findall(text, 0, start)) + 1
            source, placeholders = _protect_literals(_WHITESPACE.sub(" ", title).strip(), [])
            return Segment(
                position=0,
                kind="title",
                source=source,
                line=line,
                words=count_words(source),
                placeholders=tuple(placeholders),
                span=(start, start + len(raw)),
                context="title",
            )
    return None


def _decode_scalar(raw: str, kind: str) -> Any:
    try:
        if kind == "yaml":
            value = yaml.safe_load(f"v: {raw}")
            return value.get("v") if isinstance(value, dict) else None
        return tomllib.loads(f"v = {raw}").get("v")
    except (yaml.YAMLError, tomllib.TOMLDecodeError):
        return None


def quote_scalar(value: str) -> str:
    """A double-quoted string that YAML and TOML both read back as ``value``."""
    out = []
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F or char in "\u2028\u2029\ufeff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# -- body -------------------------------------------------------------------------


def _body_segments(text: str, body_start: int, first_position: int) -> list[Segment]:
    body = markdown.normalize(text[body_start:])
    # Offsets in ``body`` (normalised) map to ``text`` line by line: only line
    # endings differ, and no segment's span holds one at either end.
    raw_starts = [body_start] + [m.end() for m in markdown.NEWLINE.finditer(text, body_start)]
    starts = [0] + [m.end() for m in re.finditer("\n", body)]
    lines_before = len(markdown.NEWLINE.findall(text, 0, body_start))

    def to_text(offset: int) -> int:
        line = _line_of(starts, offset)
        return raw_starts[line] + offset - starts[line]

    env: dict[str, Any] = {markdown.BLOCK_LINES: {}}
    tokens = markdown.parser().parse(body, env)
    block_lines = env[markdown.BLOCK_LINES]
    references = env.get("references", {})
    containers: list[str] = []
    found: list[tuple[str, str, tuple[int, int] | None, str]] = []  # kind, context, span, text
    for index, token in enumerate(tokens):
        if token.type in ("blockquote_open", "list_item_open"):
            containers.append("blockquote" if token.type == "blockquote_open" else "list-item")
        elif token.type in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif token.type == "paragraph_open":
            kind = containers[-1] if containers else "paragraph"
            content = tokens[index + 1].content
            found.append(
                (kind, "block", _block_span(body, block_lines[token.map[0]], content), content)
            )
        elif token.type == "heading_open" and token.markup in ("=", "-"):  # setext
            lines = block_lines[token.map[0]][:-1]  # the underline is not content
            content = tokens[index + 1].content
            found.append(("heading", "block", _block_span(body, lines, content), content))
        elif token.type == "heading_open":
            content = tokens[index + 1].content
            span = _heading_span(body, block_lines[token.map[0]][0], content)
            found.append(("heading", "heading", span, content))
        elif token.type == "table_open":
            for start, end in _table_cells(body, block_lines[token.map[0]]):
                found.append(("table-cell", "cell", (start, end), body[start:end]))

    segments: list[Segment] = []
    for kind, context, span, content in found:
        if span is None:
            continue
        start, end = span
        source, placeholders = _inline_source(content, references)
        if not _WORD.search(PLACEHOLDER.sub(" ", source)):
            continue
        line = _line_of(starts, start)
        eol = "\n"
        if line + 1 < len(starts):  # the line ending as written: \n, \r\n or \r
            eol = text[to_text(starts[line + 1] - 1) : raw_starts[line + 1]]
        segments.append(
            Segment(
                position=first_position + len(segments),
                kind=kind,
                source=source,
                line=lines_before + line + 1,
                words=count_words(source),
                placeholders=tuple(placeholders),
                span=(to_text(start), to_text(end)),
                context=context,
                prefix=_prefix(context, body[starts[line] : start]),
                eol=eol,
            )
        )
    return segments


def _line_of(starts: list[int], offset: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return low


def _block_span(body: str, lines: list[tuple[int, int]], content: str) -> tuple[int, int] | None:
    """Where the inline content of a paragraph or setext heading sits in ``body``."""
    if not content or not lines:
        return None
    first_start, first_end = lines[0]
    start = body.find(content.split("\n", 1)[0], first_start, first_end)
    last_start, last_end = lines[-1]
    end = last_start + len(body[last_start:last_end].rstrip())
    return (start, end) if 0 <= start < end else None


def _heading_span(body: str, line: tuple[int, int], content: str) -> tuple[int, int] | None:
    """Where the content of an ATX heading (after ``#``s and spaces) sits in ``body``."""
    position, end = line
    while position < end and body[position] == "#":
        position += 1
    while position < end and body[position] in " \t":
        position += 1
    if not content or not body.startswith(content, position):
        return None
    return position, position + len(content)


def _table_cells(body: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of every non-empty cell of a table, header row first."""
    cells: list[tuple[int, int]] = []
    columns = None
    for number, (line_start, line_end) in enumerate(lines):
        if number == 1:
            continue  # the delimiter row
        row = _split_row(body, line_start, line_end)
        columns = len(row) if columns is None else columns
        cells.extend(cell for cell in row[:columns] if cell[1] > cell[0])
    return cells


def _split_row(body: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cells of a table row as trimmed (start, end) ranges, as markdown-it splits them."""
    while start < end and body[start] in " \t\n\r\f\v":
        start += 1
    while end > start and body[end - 1] in " \t\n\r\f\v":
        end -= 1
    bounds = []
    cell_start = start
    escaped = False
    for position in range(start, end):
        char = body[position]
        if char == "|" and not escaped:
            bounds.append((cell_start, position))
            cell_start = position + 1
        escaped = char == "\\"
    bounds.append((cell_start, end))
    if bounds and bounds[0][0] == bounds[0][1]:
        bounds.pop(0)
    if bounds and bounds[-1][0] == bounds[-1][1]:
        bounds.pop()
    trimmed = []
    for cell_start, cell_end in bounds:
        while cell_start < cell_end and body[cell_start] in " \t":
            cell_start += 1
        while cell_end > cell_start and body[cell_end - 1] in " \t":
            cell_end -= 1
        trimmed.append((cell_start, cell_end))
    return trimmed


_MARKER = re.compile(r"(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)")


def _prefix(context: str, before: str) -> str:
    """What a renderer needs of the text before a segment on its first line."""
    if context == "block":
        return _continuation_prefix(before)
    return before if context == "cell" else ""


def _continuation_prefix(before: str) -> str:
    """What starts a continuation line of a block whose first line starts with ``before``."""
    return _MARKER.sub(lambda m: " " * len(m.group()), before)


# -- inline text -------------------------------------------------------------------


def _inline_source(raw: str, references: dict[str, Any]) -> tuple[str, list[str]]:
    """Turn a block's raw inline Markdown into a segment source and its placeholders."""
    replacements: list[tuple[int, int, str, str]] = []  # (start, end, kind, text)
    for span in markdown.inline_spans(raw, references):
        if span.rule in ("link", "image"):
            destination = raw[span.label_end + 1 : span.end]
            if destination in ("", "[]"):  # shortcut or collapsed reference: name it
                label = raw[span.start + (2 if span.rule == "image" else 1) : span.label_end]
                destination = f"[{label}]"
            replacements.append((span.label_end + 1, span.end, "markup", destination))
        elif span.rule in _PLACEHOLDER_RULES:
            replacements.append((span.start, span.end, "markup", raw[span.start : span.end]))
        elif span.token in ("softbreak", "hardbreak"):
            # kind: the rule, "newline" (after spaces) or "escape" (after a backslash)
            replacements.append((span.start, span.end, span.rule, " \n"[span.token == "hardbreak"]))
    replacements.sort(key=lambda item: item[0])

    out: list[str] = []
    placeholders: list[str] = []
    position = 0
    for start, end, kind, value in replacements:
        if start < position:
            continue  # inside a construct already taken whole
        text = raw[position:start]
        if kind == "newline":  # markdown-it drops the spaces before a line break
            text = text.rstrip(" ")
        text, placeholders = _protect_literals(_WHITESPACE.sub(" ", text), placeholders)
        out.append(text)
        if kind in ("newline", "escape"):
            out.append(value)
        else:
            placeholders.append(_SOFT_WHITESPACE.sub(" ", value))
            out.append(f"{{{len(placeholders)}}}")
        position = end
    text, placeholders = _protect_literals(_WHITESPACE.sub(" ", raw[position:]), placeholders)
    out.append(text)
    # Only hard breaks are line breaks now. As in translate-toolkit, whitespace runs
    # across pieces become one space, and a line starts after the whitespace of a break.
    lines = [_WHITESPACE.sub(" ", line).lstrip() for line in "".join(out).split("\n")]
    return "\n".join(lines).rstrip(), placeholders


def _protect_literals(text: str, placeholders: list[str]) -> tuple[str, list[str]]:
    """Turn literal ``{n}`` in plain text into placeholders standing for themselves."""
    placeholders = list(placeholders)

    def replace(match: re.Match[str]) -> str:
        placeholders.append(match.group())
        return f"{{{len(placeholders)}}}"

    return PLACEHOLDER.sub(replace, text), placeholders


def count_words(source: str) -> int:
    """Words of a segment source, exactly as translate-toolkit's ``pocount`` counts its msgid.

    Unicode word boundaries (UAX #29) after pocount's own clean-up: "community-driven"
    is two words, "members’" one, each CJK ideograph one; a placeholder ``{n}`` or a
    footnote marker ``[n]`` is one (pocount reads the number in it).
    """
    return pocount_words(source)
