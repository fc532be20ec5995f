"""Segmenting Markdown: what is a segment, its text, kind, line, words, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.core import render, segment
from service.core.errors import SourceError

SEED = Path(__file__).parents[2] / "source" / "leadership-development-task-force.md"


def sources(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.source) for s in segment.parse(text).segments]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# Title\n", [("heading", "Title")]),
        ("## Closed heading ##\n", [("heading", "Closed heading")]),
        ("Setext\nheading\n=====\n", [("heading", "Setext heading")]),
        (
            "One\nparagraph  \nwith a hard break\n",
            [("paragraph", "One paragraph\nwith a hard break")],
        ),
        ("Backslash\\\nbreak\n", [("paragraph", "Backslash\nbreak")]),
        ("- one\n- two\n  continued\n", [("list-item", "one"), ("list-item", "two continued")]),
        ("1. first\n2. second\n", [("list-item", "first"), ("list-item", "second")]),
        ("> quoted\n> lines\n", [("blockquote", "quoted lines")]),
        ("> - item in a quote\n", [("list-item", "item in a quote")]),
        ("- > quote in an item\n", [("blockquote", "quote in an item")]),
        (
            "| a | b |\n|---|:-:|\n| c \\| d | e |\n",
            [
                ("table-cell", "a"),
                ("table-cell", "b"),
                ("table-cell", "c \\| d"),
                ("table-cell", "e"),
            ],
        ),
        (
            "| a | b |\n|---|---|\n| only |\n",
            [("table-cell", "a"), ("table-cell", "b"), ("table-cell", "only")],
        ),
        ("```\ncode is not a segment\n```\n", []),
        ("    indented code\n", []),
        ("<div>\nraw html block\n</div>\n", []),
        ("[ref]: https://example.org\n", []),
        ("---\n", []),
        ("![](only-an-image.png)\n", []),
        ("...\n", []),
    ],
)
def test_blocks(text: str, expected: list[tuple[str, str]]) -> None:
    assert sources(text) == expected


@pytest.mark.parametrize(
    ("text", "source", "placeholders"),
    [
        ("See [the page](https://a.org) now.", "See [the page]{1} now.", ["(https://a.org)"]),
        ('[t](https://a.org "A title")', "[t]{1}", ['(https://a.org "A title")']),
        ("An ![image](pic.png) here.", "An ![image]{1} here.", ["(pic.png)"]),
        ("Mail <https://a.org/x>.", "Mail {1}.", ["<https://a.org/x>"]),
        ("Bare https://a.org/x?y=1 url.", "Bare {1} url.", ["https://a.org/x?y=1"]),
        ("Some <b>bold</b> html.", "Some {1}bold{2} html.", ["<b>", "</b>"]),
        ("A [full][r] ref.\n\n[r]: /u", "A [full]{1} ref.", ["[r]"]),
        ("A [r][] ref.\n\n[r]: /u", "A [r]{1} ref.", ["[r]"]),
        ("A [r] ref.\n\n[r]: /u", "A [r]{1} ref.", ["[r]"]),
        ("Footnote [1] stays.", "Footnote [1] stays.", []),
        ("Literal {1} braces and [x](/u).", "Literal {1} braces and [x]{2}.", ["{1}", "(/u)"]),
        ("`{2}` in code", "`{1}` in code", ["{2}"]),
        ("*emphasis* and `code` stay", "*emphasis* and `code` stay", []),
        ("[![img](a.png)](https://b.org)", "[![img]{1}]{2}", ["(a.png)", "(https://b.org)"]),
        ("Link [over\nlines](/u) here.", "Link [over lines]{1} here.", ["(/u)"]),
        ("Entity &amp; escape \\* kept.", "Entity &amp; escape \\* kept.", []),
    ],
)
def test_inline_placeholders(text: str, source: str, placeholders: list[str]) -> None:
    [only] = segment.parse(text).segments
    assert only.source == source
    assert list(only.placeholders) == placeholders


@pytest.mark.parametrize(
    ("text", "title", "kind"),
    [
        ("---\ntitle: Plain title\n---\nBody\n", "Plain title", "yaml"),
        ("---\ntitle: 'Single: quoted'\nauthor: x\n---\nBody\n", "Single: quoted", "yaml"),
        ('---\ndate: 2022\ntitle: "Double \\"quoted\\""\n---\n', 'Double "quoted"', "yaml"),
        ('+++\ntitle = "TOML title"\ndraft = false\n+++\nBody\n', "TOML title", "toml"),
        ("---\nauthor: no title\n---\nBody\n", None, "yaml"),
        ("---\ntitle: >\n  folded\n  title\n---\nBody\n", None, "yaml"),
        ("Body only\n", None, None),
    ],
)
def test_front_matter_title(text: str, title: str | None, kind: str | None) -> None:
    document = segment.parse(text)
    assert document.title == title
    assert document.front_matter == kind
    if title is not None:
        first = document.segments[0]
        assert first.kind == "title"
        assert text.split("\n")[first.line - 1].startswith("title")


def test_unclosed_front_matter_is_a_thematic_break() -> None:
    assert sources("---\ntitle: x\n") == [("paragraph", "title: x")]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: a\nauthor: b: c\n---\n", "front matter is not valid YAML at line 3"),
        ('+++\ntitle = "x\n+++\n', "front matter is not valid TOML"),
    ],
)
def test_broken_front_matter(text: str, reason: str) -> None:
    with pytest.raises(SourceError, match=reason.replace("[", r"\[")):
        segment.parse(text, "a.md")


def test_lines_words_and_order_on_the_seed_article() -> None:
    document = segment.parse(SEED.read_text(encoding="utf-8"))
    kinds = [s.kind for s in document.segments]
    assert kinds.count("title") == 1
    assert kinds.count("heading") == 5
    assert kinds.count("blockquote") == 1
    assert kinds.count("list-item") == 4
    assert len(document.segments) == 22
    assert [s.position for s in document.segments] == list(range(22))
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for s in document.segments:
        assert s.source[:20] in lines[s.line - 1], s
    quote = next(s for s in document.segments if s.kind == "blockquote")
    assert quote.source.startswith("To ensure equitable")
    assert any("[1]" in s.source for s in document.segments)
    assert document.segments[1].words == 3  # "Translate this post"
    assert document.words == sum(s.words for s in document.segments)


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("Translate this post", 3),
        ("The task force members’ purpose", 5),
        # As translate-toolkit's pocount counts our msgids: a placeholder or footnote
        # marker is one word (the number in it), a hyphen separates two words.
        ("See [the page]{1} now.", 5),
        ("{1}", 1),
        ("leadership [1].", 2),
        ("13+ languages", 2),
        ("community-driven unit", 3),
        ("don’t “quote”", 2),
        ("e.g. 3.5 million", 2),  # pocount drops a dot between letters, and them
        ("日本語のテキスト", 5),
    ],
)
def test_count_words(source: str, words: int) -> None:
    assert segment.count_words(source) == words


def test_crlf_positions_point_into_the_original_text() -> None:
    text = "# Title\r\n\r\n> quoted\r\n> text\r\n"
    document = segment.parse(text)
    spans = [text[s.span[0] : s.span[1]] for s in document.segments]
    assert spans == ["Title", "quoted\r\n> text"]
    assert document.segments[1].eol == "\r\n"
    assert document.segments[1].prefix == "> "


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "binary file"),
        (b"# Title\n\nCaf\xe9\n", r"not UTF-8 \(invalid byte 0xe9 at line 3, column 4\)"),
        (b"x" * 101, "larger than the limit of 100 bytes"),
    ],
)
def test_bad_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "article.md"
    path.write_bytes(data)
    with pytest.raises(SourceError, match=reason) as caught:
        segment.read_source(path, max_bytes=100)
    assert str(caught.value).startswith(f"{path}: ")
    assert "\n" not in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        segment.read_source(tmp_path / "nope.md", max_bytes=100)


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("\ufeff# Title\n\nBody text.\n", ["heading", "paragraph"]),
        ("\ufeff# Title\r\n\r\nBody text.\r\n", ["heading", "paragraph"]),
        ("\ufeffPlain paragraph\n", ["paragraph"]),
        ("\ufeff- item\n", ["list-item"]),
        ("\ufeff---\ntitle: T\n---\n# Heading\n", ["title", "heading"]),
        ('\ufeff+++\r\ntitle = "T"\r\n+++\r\n# Heading\r\n', ["title", "heading"]),
    ],
)
def test_a_byte_order_mark_belongs_to_no_segment(text: str, kinds: list[str]) -> None:
    document = segment.parse(text)
    assert [s.kind for s in document.segments] == kinds
    assert not any("\ufeff" in s.source for s in document.segments)
    assert not any("\ufeff" in text[s.span[0] : s.span[1]] for s in document.segments)
    same = {s.position: s.source for s in document.segments}
    assert render.render_markdown(document, same) == text
    translated = render.render_markdown(document, {s.position: "X" for s in document.segments})
    assert translated.startswith("\ufeff") and translated.count("\ufeff") == 1


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize(
    "front",
    [
        "---{0}title: Old title{0}author: x{0}---{0}",
        '+++{0}title = "Old title"{0}draft = false{0}+++{0}',
    ],
    ids=["yaml", "toml"],
)
def test_front_matter_title_with_every_line_end(front: str, eol: str) -> None:
    text = front.format(eol) + f"{eol}# Heading{eol}"
    document = segment.parse(text)
    assert [(s.kind, s.source, s.line) for s in document.segments] == [
        ("title", "Old title", 2),
        ("heading", "Heading", 6),
    ]
    same = {s.position: s.source for s in document.segments}
    assert render.render_markdown(document, same) == text
    rendered = render.render_markdown(document, {0: "Nouveau titre", 1: "Titre"})
    expected = text.replace('"Old title"', "Old title").replace("Old title", '"Nouveau titre"')
    assert rendered == expected.replace("Heading", "Titre")  # the line ends as they were
    assert segment.parse(rendered).title == "Nouveau titre"
