"""Rendering translations back into Markdown and HTML."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from markdown_it.token import Token

from service.core import markdown, render, segment

SOURCES = sorted((Path(__file__).parents[2] / "source").glob("*.md"))


def translate(text: str, *translations: str) -> str:
    document = segment.parse(text)
    return render.render_markdown(document, dict(enumerate(translations)))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_article_renders_identically_with_its_own_source(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    document = segment.parse(text)
    same = {s.position: s.source for s in document.segments}
    assert render.render_markdown(document, same) == text
    assert render.render_markdown(document, {}) == text


@pytest.mark.parametrize(
    ("text", "translations", "expected"),
    [
        ("# Title\n\nBody text.\n", ["Titre", "Texte."], "# Titre\n\nTexte.\n"),
        ("# Title #\n", ["Titre"], "# Titre #\n"),
        ("# Title\n", ["C #"], "# C \\#\n"),
        ("Body\n", ["# not a heading"], "\\# not a heading\n"),
        ("Body\n", ["- not a list"], "\\- not a list\n"),
        ("Body\n", ["1. not a list"], "1\\. not a list\n"),
        ("Body\n", ["> not a quote"], "\\> not a quote\n"),
        ("Body\n", ["<div>not html</div>"], "&lt;div>not html&lt;/div>\n"),
        ("Body\n", ["line one\nline two"], "line one  \nline two\n"),
        ("Body\n", ["line one\n\n\nline two"], "line one  \nline two\n"),
        ("Body\n", ["one\n===="], "one  \n\\====\n"),
        ("Body\n", ["see https://a.org/x\nnext"], "see https://a.org/x  \nnext\n"),
        ("Body\n", ["C:\\\nnext"], "C:\\  \nnext\n"),
        ("> quoted\n> text\n", ["cité\nsur deux lignes"], "> cité  \n> sur deux lignes\n"),
        ("- item\n  more\n- next\n", ["élément", "suivant"], "- élément\n- suivant\n"),
        ("1. item\n", ["a\nb"], "1. a  \n   b\n"),
        (
            "| a | b |\n|---|---|\n| c | d |\n",
            ["x | y", "", "z\nw"],
            "| x \\| y | b |\n|---|---|\n| z w | d |\n",
        ),
        (
            "Text.\r\n\r\nMore.\r\n",
            ["Texte.", "Plus\nencore."],
            "Texte.\r\n\r\nPlus  \r\nencore.\r\n",
        ),
        ("Keep  \n", ["   padded   "], "padded  \n"),
        (
            "See [the page](https://a.org).\n",
            ["Voir [la page]{1}."],
            "Voir [la page](https://a.org).\n",
        ),
        (
            "See [the page](https://a.org).\n",
            ["Voir {1}[la page]."],
            "Voir (https://a.org)[la page].\n",
        ),
        ("A [r] link.\n\n[r]: /u\n", ["Un [lien]{1}."], "Un [lien][r].\n\n[r]: /u\n"),
        ("Literal {1} and [x](/u).\n", ["Littéral {1} et [x]{2}."], "Littéral {1} et [x](/u).\n"),
        ("Unknown placeholder.\n", ["Inconnu {7}."], "Inconnu {7}.\n"),
        # Found by the property tests: each would have changed the block structure.
        ("|a|b \\\\|\n|-|-|\n", ["a", "B \\\\|"], "|a|B \\\\|\n|-|-|\n"),
        ("the\n---\n", ["0|"], "0&#124;\n---\n"),
        ("the\n---\n", ["\\| and \\\\|"], "&#124; and \\\\&#124;\n---\n"),
        ("Body\n", ["|x\n-|"], "|x  \n\\-|\n"),
        ("a | b\n--- | ---\nc | d\n", ["a", "b", "#", "d"], "a | b\n--- | ---\n\\# | d\n"),
        (
            "| a | b |\n|---|---|\n| c | d |\n",
            ["a", "b", "# c", "d"],
            "| a | b |\n|---|---|\n| # c | d |\n",
        ),
        ("the\n===\n", ["[0]:"], "\\[0]:\n===\n"),
        ("Body\n", ["[a]:\nx"], "\\[a]:  \nx\n"),
        ("Body\n", ["[\n0]:0"], "\\[  \n0]:0\n"),
        ("# Title\n---\n", ["a | b"], "# a | b\n---\n"),
        ("# Title\n---\n", ["x |"], "# x &#124;\n---\n"),
        ("# Title\n\nText\n", ["a | b"], "# a | b\n\nText\n"),
        ("Body\n", ["a\n12. b\n1. c"], "a  \n12. b  \n1\\. c\n"),
        ("|a|b|\n|-|-|\n|c|d|\n", ["A\\"], "|A\\ |b|\n|-|-|\n|c|d|\n"),
        (
            "---\ntitle: Old\n---\nBody\n",
            ['New: "quoted"\\'],
            '---\ntitle: "New: \\"quoted\\"\\\\"\n---\nBody\n',
        ),
        ('+++\ntitle = "Old"\n+++\n', ["Nouveau"], '+++\ntitle = "Nouveau"\n+++\n'),
    ],
)
def test_translations_are_spliced_in_place(
    text: str, translations: list[str], expected: str
) -> None:
    assert translate(text, *translations) == expected


def test_front_matter_title_round_trips_through_yaml_and_toml() -> None:
    hostile = 'Tab\there, quote " backslash \\ unicode é \u2028 del \x7f'
    for text, load in (
        ("---\ntitle: x\n---\n", yaml.safe_load),
        ('+++\ntitle = "x"\n+++\n', tomllib.loads),
    ):
        rendered = translate(text, hostile)
        assert load(rendered.split(text[:3])[1])["title"] == hostile
        # As a segment source its whitespace is normalised, as every source's is.
        assert segment.parse(rendered).title == " ".join(hostile.split())


def test_html_is_sanitised() -> None:
    document = segment.parse("Hello\n\nWorld [x](https://ok.example)\n")
    hostile = {
        0: '<script>alert(1)</script><img src=x onerror="alert(1)"> '
        '<a href="javascript:alert(1)">a</a>',
        1: "[link]{1} [bad](javascript:alert(1)) <iframe src=//evil></iframe>",
    }
    html = render.render_html(document, hostile, language="fr")
    lowered = html.lower()
    for needle in ("<script", "<iframe"):
        assert needle not in lowered
    # Shown as text at most (escaped), never inside a tag.
    assert not re.search(r"<[^>]*onerror", lowered)
    assert not re.search(r"<[^>]*(href|src)\s*=\s*[\"']?\s*javascript:", lowered)
    assert '<a href="https://ok.example"' in html
    assert html.startswith('<article lang="fr" dir="ltr">')


def test_html_has_title_direction_and_body() -> None:
    document = segment.parse("---\ntitle: Hello & bye\n---\n## Part\n\nText\n")
    html = render.render_html(document, {1: "جزء"}, language="ar", direction="rtl")
    assert html.startswith('<article lang="ar" dir="rtl"><h1>Hello &amp; bye</h1>')
    assert "<h2>جزء</h2>" in html
    assert "<p>Text</p>" in html
    assert "title:" not in html


def test_sound_sets_aside_translations_that_would_break_the_page() -> None:
    document = segment.parse("See [the page](https://a.org) [1].\n\nPlain.\n\nNumber 13.\n")
    kept, rejected = render.sound(
        document, {0: "Voir la page [1].", 1: "Simple.", 2: "Nombre treize."}
    )
    assert kept == {1: "Simple.", 2: "Nombre treize."}  # a warning does not stop rendering
    assert [r.id for r in rejected[0]] == ["placeholders"]


def markup_tokens(text: str) -> list[str]:
    """Raw HTML and autolinks markdown-it finds in an article's body, as written."""
    found: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for token in tokens:
            if token.type in ("html_inline", "html_block"):
                found.append(token.content.strip())
            elif token.type == "link_open" and token.markup == "autolink":
                found.append(f"<{token.attrGet('href')}>")
            walk(token.children or [])

    body = text[segment.parse(text).body_start :]
    walk(markdown.parser().parse(body))
    return found


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "Texte <!-- caché --> visible",
    "<iframe src=//evil></iframe>",
    "<div>\nbloc\n</div>",
    "<script\nsrc=//evil>",
    "<a\nhref='javascript:alert(1)'>multi-line tag</a>",
    "<?php echo 1; ?> <!DOCTYPE html> <![CDATA[x]]>",
    "<javascript:alert(1)> <https://evil.example> <x@evil.example>",
    "\\\\<b>escaped backslash</b>",
    "a ` b\n`x <b>bold</b>`",  # a code span only if read line by line
    "``<b>`` then <i>raw</i>",
    "`` ` `` <b>x</b> `",
]
CONTEXTS = [
    ("Body\n", 0),
    ("# Heading\n", 0),
    ("> quoted\n", 0),
    ("- item\n", 0),
    ("| a | b |\n|---|---|\n| c | d |\n", 2),
    ("Setext\n===\n", 0),
]


@pytest.mark.parametrize("translation", HOSTILE)
@pytest.mark.parametrize(("text", "position"), CONTEXTS, ids=lambda v: repr(v)[:12])
def test_raw_html_in_a_translation_is_not_published(
    text: str, position: int, translation: str
) -> None:
    rendered = translate(text, *([""] * position), translation)
    assert markup_tokens(rendered) == []
    document = segment.parse(rendered)
    assert len(document.segments) == len(segment.parse(text).segments)


@pytest.mark.parametrize(
    ("text", "translation", "expected"),
    [
        # The source's own markup, as placeholders, is written back as it was.
        (
            "Some <b>bold</b> html.\n",
            "Du {1}gras{2} <i>html</i>.",
            "Du <b>gras</b> &lt;i>html&lt;/i>.\n",
        ),
        ("Mail <a@b.org>.\n", "Écrire à {1}.", "Écrire à <a@b.org>.\n"),
        # Code is left as written, and harmless "<" too.
        ("Use the `<div>` tag.\n", "Utilisez la balise `<div>`.", "Utilisez la balise `<div>`.\n"),
        ("Body\n", "a < b, <3 et x<2", "a < b, <3 et x<2\n"),
        ("Body\n", "\\<b> déjà échappé", "\\<b> déjà échappé\n"),
        # Read as one block, the code span is elsewhere: the "<" in code goes too.
        ("Body\n", "a ` b\n`x <b>`", "a ` b  \n`x &lt;b>`\n"),
    ],
)
def test_only_the_sources_markup_is_written_as_markup(
    text: str, translation: str, expected: str
) -> None:
    rendered = translate(text, translation)
    assert rendered == expected
    assert set(markup_tokens(rendered)) <= set(markup_tokens(text))
