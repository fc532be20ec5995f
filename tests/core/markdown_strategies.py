"""Hypothesis strategies for small Markdown articles in Chorus's dialect.

CommonMark with GFM tables and strikethrough, optionally opened by YAML or TOML
front matter, with ``\n``, ``\r\n`` or lone ``\r`` line ends and now and then a
byte-order mark. Documents are built from text pieces, so every construct is
written the way people write it (markers, indentation, soft-wrapped lines);
the round-trip properties in ``test_roundtrip.py`` compare a document with its
own rendering, so a piece that parses differently from its name is harmless.
"""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = (
    "the",
    "article",
    "Team",
    "runs",
    "fast",
    "café",
    "naïve",
    "Zürich",
    "ça",
    "señor",
    "Ærø",
    "日本語",
    "中文",
    "مرحبا",
    "العربية",
    "Привет",
    "a.",
    "b,",
    "(c)",
    "it's",
    "well-known",
    "100%",
    "x_y",
    "e.g.",
)
TITLE_WORDS = ("Leadership", "task", "force", "café", "Zürich", "日本語", "مرحبا", "report")
REFERENCE_LABELS = ("ref", "docs", "ñandú", "Two Words")
URLS = (
    "https://example.org/a?b=c",
    "https://example.org/x",
    "http://example.com/path/to/page.html#frag",
    "/relative/path",
    "https://例え.jp/パス",
    "mailto:someone@example.org",
)
CODE_LINES = (
    "# not a heading",
    "- not a list",
    "1. not a list",
    "> not a quote",
    "| a | b |",
    "|---|---|",
    "*not emphasis*",
    "[x]: /not-a-definition",
    "<div>not html</div>",
    "def f(x):",
    "    return {1}",
    "",
    "   ",
    "===",
    "---",
    "日本語のコード",
)
HTML_BLOCKS = (
    "<div>\n*not markdown*\n</div>",
    "<!-- a comment\nover two lines -->",
    '<table><tr><td class="x">cell</td></tr></table>',
    "<details>\n<summary>More</summary>\n\ntext inside\n\n</details>",
    '<p align="center">\n  <img src="logo.png">\n</p>',
)

words = st.sampled_from(WORDS)
word_runs = st.lists(words, min_size=1, max_size=3).map(" ".join)


@st.composite
def inline_piece(draw: st.DrawFn, refs: tuple[str, ...], in_table: bool = False) -> str:
    """One inline construct; ``refs`` are the labels that have a definition."""
    kinds = [
        "word",
        "word",
        "word",
        "emphasis",
        "strong",
        "strike",
        "code",
        "link",
        "image",
        "autolink",
        "bare",
        "html",
        "footnote",
        "brace",
        "escape",
        "entity",
    ]
    if refs:
        kinds += ["full", "collapsed", "shortcut"]
    if in_table:
        kinds += ["pipe"]
    kind = draw(st.sampled_from(kinds))
    if kind == "word":
        return draw(words)
    if kind == "emphasis":
        return draw(st.sampled_from(["*{}*", "_{}_"])).format(draw(word_runs))
    if kind == "strong":
        return draw(st.sampled_from(["**{}**", "__{}__"])).format(draw(word_runs))
    if kind == "strike":
        return f"~~{draw(word_runs)}~~"
    if kind == "code":
        return draw(
            st.sampled_from(["`code`", "`a * b`", "`` a ` b ``", "`[x](/y)`", "`{1}`", "`<b>`"])
        )
    if kind == "link":
        url = draw(st.sampled_from(URLS))
        title = draw(st.sampled_from(["", ' "title"', " 'It''s'", " (paren title)"]))
        dest = draw(st.sampled_from([url, f"<{url}>"]))
        return f"[{draw(word_runs)}]({dest}{title})"
    if kind == "image":
        title = draw(st.sampled_from(["", ' "An image"']))
        return f"![{draw(word_runs)}]({draw(st.sampled_from(['img.png', 'https://example.org/i.jpg']))}{title})"
    if kind == "autolink":
        return draw(st.sampled_from(["<https://example.org/auto>", "<mailto:a@example.org>"]))
    if kind == "bare":
        return draw(st.sampled_from(["https://example.org/x", "http://example.com/a_b?c=d"]))
    if kind == "html":
        return draw(
            st.sampled_from(["<b>{}</b>", '<span class="x">{}</span>', "<kbd>{}</kbd>", "{}<br>"])
        ).format(draw(words))
    if kind == "footnote":
        return draw(st.sampled_from(["[1]", "[2]", "[^1]"]))
    if kind == "brace":
        return draw(st.sampled_from(["{1}", "{2}", "{12}", "{x}", "{}"]))
    if kind == "escape":
        return draw(st.sampled_from([r"\*not em\*", r"\[x\]", r"\\", r"\#", r"\_", r"\`", r"\<b>"]))
    if kind == "entity":
        return draw(st.sampled_from(["&amp;", "&copy;", "&#169;", "&#x1F600;", "&lt;b&gt;"]))
    if kind == "pipe":
        return draw(st.sampled_from([r"a \| b", r"`x \| y`", r"\|"]))
    label = draw(st.sampled_from(refs))
    if kind == "full":
        return f"[{draw(word_runs)}][{label}]"
    if kind == "collapsed":
        return f"[{label}][]"
    return f"[{label}]"


def inline_line(refs: tuple[str, ...], in_table: bool = False) -> st.SearchStrategy[str]:
    """One line of inline content that starts with a word (so it opens no block)."""
    return st.tuples(words, st.lists(inline_piece(refs, in_table), min_size=0, max_size=4)).map(
        lambda parts: " ".join([parts[0], *parts[1]])
    )


@st.composite
def paragraph(draw: st.DrawFn, refs: tuple[str, ...]) -> str:
    lines = draw(st.lists(inline_line(refs), min_size=1, max_size=3))
    out = lines[0]
    for line in lines[1:]:
        out += draw(st.sampled_from(["\n", "\n", "  \n", "\\\n", "   \n"])) + line
    return out


@st.composite
def atx_heading(draw: st.DrawFn, refs: tuple[str, ...]) -> str:
    level = draw(st.integers(1, 6))
    closing = draw(st.sampled_from(["", "", " #", " " + "#" * level, " ###  "]))
    return "#" * level + " " + draw(inline_line(refs)) + closing


@st.composite
def setext_heading(draw: st.DrawFn, refs: tuple[str, ...]) -> str:
    lines = draw(st.lists(inline_line(refs), min_size=1, max_size=2))
    return "\n".join(lines) + "\n" + draw(st.sampled_from(["===", "---", "=", "-------  "]))


@st.composite
def table(draw: st.DrawFn, refs: tuple[str, ...]) -> str:
    columns = draw(st.integers(1, 3))
    outer = draw(st.booleans()) or columns == 1
    pad = draw(st.sampled_from([" ", "", "  "]))
    cell = st.one_of(inline_line(refs, in_table=True), st.just(""))

    def row(cells: list[str]) -> str:
        inner = "|".join(f"{pad}{c}{pad}" for c in cells)
        return f"|{inner}|" if outer else inner

    header = draw(st.lists(inline_line(refs, in_table=True), min_size=columns, max_size=columns))
    aligns = draw(
        st.lists(st.sampled_from(["---", ":--", "--:", ":-:", "-"]), min_size=columns)
        .map(lambda a: a[:columns])
        .filter(lambda a: len(a) == columns)
    )
    body = draw(
        st.lists(st.lists(cell, min_size=columns, max_size=columns), min_size=0, max_size=3)
    )
    return "\n".join([row(header), row(aligns), *(row(r) for r in body)])


@st.composite
def fenced_code(draw: st.DrawFn) -> str:
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    info = draw(st.sampled_from(["", "python", " js", "markdown title=x", "日本"]))
    lines = draw(st.lists(st.sampled_from(CODE_LINES), max_size=4))
    return "\n".join([fence + info, *lines, fence])


@st.composite
def indented_code(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(CODE_LINES).filter(str.strip), min_size=1, max_size=3))
    return "\n".join("    " + line for line in lines)


def thematic_break() -> st.SearchStrategy[str]:
    return st.sampled_from(["---", "***", "___", "- - -", " * * * "])


def definitions(refs: tuple[str, ...]) -> st.SearchStrategy[str]:
    urls = st.sampled_from(URLS)
    titles = st.sampled_from(["", ' "Title"', " 'single'", " (paren)"])
    return st.tuples(*(st.tuples(urls, titles) for _ in refs)).map(
        lambda pairs: "\n".join(
            f"[{label}]: {url}{title}" for label, (url, title) in zip(refs, pairs, strict=True)
        )
    )


def indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0]]
    out += [(rest + line) if line.strip() else "" for line in lines[1:]]
    return "\n".join(out)


@st.composite
def bullet_list(draw: st.DrawFn, refs: tuple[str, ...], depth: int) -> str:
    ordered = draw(st.booleans())
    loose = draw(st.booleans())
    start = draw(st.sampled_from([1, 1, 3, 10]))
    bullet = draw(st.sampled_from(["-", "*", "+"]))
    delimiter = draw(st.sampled_from([".", ")"]))
    items = []
    for number in range(draw(st.integers(1, 3))):
        marker = f"{start + number}{delimiter}" if ordered else bullet
        width = len(marker) + 1
        blocks = [draw(paragraph(refs))]
        for _ in range(draw(st.integers(0, 2))):
            blocks.append(draw(block(refs, depth + 1)))
        joined = ("\n\n" if loose else "\n").join(blocks)
        items.append(indent(joined, marker + " ", " " * width))
    return ("\n\n" if loose else "\n").join(items)


@st.composite
def block_quote(draw: st.DrawFn, refs: tuple[str, ...], depth: int) -> str:
    blocks = draw(st.lists(block(refs, depth + 1), min_size=1, max_size=3))
    text = "\n\n".join(blocks)
    marker = draw(st.sampled_from(["> ", ">"]))
    return "\n".join((marker + line) if line else ">" for line in text.split("\n"))


def block(refs: tuple[str, ...], depth: int = 0) -> st.SearchStrategy[str]:
    leaves = [
        paragraph(refs),
        paragraph(refs),
        atx_heading(refs),
        setext_heading(refs),
        table(refs),
        fenced_code(),
        thematic_break(),
    ]
    if depth == 0:
        leaves += [indented_code(), st.sampled_from(HTML_BLOCKS)]
    if depth < 2:
        leaves += [bullet_list(refs, depth), block_quote(refs, depth)]
    return st.one_of(*leaves)


def _plain_title() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=4).map(" ".join)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    title = draw(_plain_title())
    extra = draw(st.sampled_from(["", "it's {1}", 'say "hi"', "a: b", "# not comment"]))
    kind = draw(st.sampled_from(["yaml-plain", "yaml-single", "yaml-double", "toml", "none"]))
    if kind == "yaml-plain":
        line = f"title: {title}"
    elif kind == "yaml-single":
        value = f"{title} {extra}".strip().replace("'", "''")
        line = f"title: '{value}'"
    elif kind == "yaml-double":
        value = f"{title} {extra}".strip().replace("\\", "\\\\").replace('"', '\\"')
        line = f'title: "{value}"'
    elif kind == "toml":
        value = f"{title} {extra}".strip().replace("\\", "\\\\").replace('"', '\\"')
        line = f'title = "{value}"'
    else:
        line = ""
    if kind == "toml":
        others = ["date = 2024-01-02", "draft = false", 'tags = ["a", "b"]']
        fence = "+++"
    else:
        others = ["date: 2024-01-02", "draft: false", "tags: [a, b]", "author: Jane Doe"]
        fence = "---"
    keys = draw(st.lists(st.sampled_from(others), unique=True, max_size=3))
    lines = [*keys]
    if line:
        lines.insert(draw(st.integers(0, len(keys))), line)
    return "\n".join([fence, *lines, fence]) + "\n"


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A small Markdown article (at most about 15 blocks), as the text of its file."""
    refs = tuple(draw(st.lists(st.sampled_from(REFERENCE_LABELS), unique=True, max_size=2)))
    head = draw(st.one_of(st.just(""), front_matter()))
    blocks = draw(st.lists(block(refs), min_size=1, max_size=6))
    if not head and blocks[0] == "---":
        blocks[0] = "***"  # an opening "---" line is front matter, not a thematic break
    if refs:
        where = draw(st.integers(0, len(blocks)))
        blocks.insert(where, draw(definitions(refs)))
    text = head + "\n\n".join(blocks)
    ending = draw(st.sampled_from(["\n", "\n", "", "\n\n"]))
    text = text.rstrip("\n") + ending
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\n", "\r"])))
    if draw(st.integers(0, 3)) == 0:
        text = "\ufeff" + text  # a byte-order mark, as some editors save one
    return text
