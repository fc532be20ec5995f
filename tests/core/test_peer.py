"""translate-toolkit as a peer: its Markdown reader finds our segments, its po2md reads our PO.

Our segmenter splices into the source instead of re-serialising it (see the design), but the
segment texts follow translate-toolkit's conventions, so a publisher can also run tt's
``po2md`` on the PO files Chorus writes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from translate.convert.po2md import MarkdownTranslator
from translate.storage import pypo
from translate.storage.markdown import MarkdownFile

from service.core import catalog, segment

SEED = Path(__file__).parents[2] / "source" / "leadership-development-task-force.md"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_document() -> segment.Document:
    return segment.parse(SEED.read_text(encoding="utf-8"), "source/seed.md")


def test_translate_toolkit_finds_the_same_body_segments() -> None:
    ours = [s.source for s in seed_document().segments if s.kind != "title"]
    theirs = [u.source for u in MarkdownFile(inputfile=io.BytesIO(SEED.read_bytes())).units]
    # tt extracts the whole front matter as one unit where we take its title.
    assert theirs[0].startswith("---\ntitle: A Leadership Development Task Force")
    # tt also collapses every run of whitespace (the seed has a no-break space before a space).
    assert [squash(s) for s in ours] == [squash(s) for s in theirs[1:]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See [the page](https://a.org) now.\n", "See [the page]{1} now."),
        ("Some <b>bold</b> html.\n", "Some {1}bold{2} html."),
        ("An ![image](pic.png) here.\n", "An ![image]{1} here."),
        ("| a [x](http://y) | b |\n|---|---|\n", "a [x]{1}"),
    ],
)
def test_placeholder_convention_matches_translate_toolkit(text: str, expected: str) -> None:
    ours = [s.source for s in segment.parse(text).segments]
    theirs = [u.source for u in MarkdownFile(inputfile=io.BytesIO(text.encode())).units]
    assert expected in ours
    assert expected in theirs


def test_po2md_translates_the_seed_with_our_catalog() -> None:
    document = seed_document()
    template = catalog.build_template(
        "seed", document, list(range(1, len(document.segments) + 1)), "source/seed.md"
    )
    french = catalog.update(None, template, "fr")
    translated = catalog.Catalog(
        french.slug,
        french.source_path,
        tuple(
            catalog.Entry(e.id, e.source, f"FR{e.id} {e.source}", e.kind, e.line)
            for e in french.entries
        ),
        language="fr",
    )
    store = pypo.pofile(io.BytesIO(catalog.dumps(translated).encode()))
    output = io.BytesIO()
    MarkdownTranslator(store, includefuzzy=False, outputthreshold=None, maxlength=0).translate(
        io.BytesIO(SEED.read_bytes()), output
    )
    rendered = squash(output.getvalue().decode())
    found = {e.id for e in translated.entries if f"FR{e.id} " in rendered}
    # Every body segment but the one whose whitespace tt normalises differently.
    missing = {e.id for e in translated.entries} - found
    assert {document.segments[i - 1].kind for i in missing} <= {"title", "paragraph"}
    assert len(missing) == 2
