"""Catalogs: template and PO files, their header, round trip, bad input."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path

import polib
import pytest

from service.core import __version__, catalog, segment
from service.core.catalog import Catalog, Entry
from service.core.errors import CatalogError
from tests.core.catalogs import from_document

SEED = Path(__file__).parents[2] / "source" / "leadership-development-task-force.md"
SLUG = "leadership-development-task-force"


def seed_catalog(language: str | None = None) -> Catalog:
    """The seed article's template, or an untranslated catalog for ``language``."""
    document = segment.parse(SEED.read_text(encoding="utf-8"))
    return from_document(SLUG, document, f"source/{SLUG}.md", language=language)


def msgfmt_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True, check=False
    )


def test_template_entries_carry_id_location_and_kind() -> None:
    text = catalog.dumps(seed_catalog())
    po = polib.pofile(text)
    first = po[0]
    assert (first.msgctxt, first.msgid) == ("1", "A Leadership Development Task Force")
    assert first.occurrences == [(f"source/{SLUG}.md", "2")]
    assert first.comment == "kind: title"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Project-Id-Version"] == SLUG
    assert "Plural-Forms" not in po.metadata


@pytest.mark.parametrize("language", ["fr", "pt-BR", "ar", "zh-Hans", "uk", "sw", "ja"])
def test_language_catalog_header(language: str, tmp_path: Path) -> None:
    po_catalog = seed_catalog(language)
    path = tmp_path / f"{po_catalog.language}.po"
    catalog.write(po_catalog, path)
    header = polib.pofile(str(path)).metadata
    assert header["Language"] == po_catalog.language == language.replace("-", "_")
    assert header["Plural-Forms"].startswith("nplurals=")
    result = msgfmt_check(path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_every_written_file_passes_msgfmt(tmp_path: Path) -> None:
    translated = [
        Entry(1, "Old", "Ancien", fuzzy=True, previous="Older"),
        Entry(2, 'Quote " and \\ backslash\nnew line\ttab', 'Guillemet " \\\nligne\tonglet'),
        Entry(3, "Gone", "Parti", obsolete=True),
    ]
    samples = [
        seed_catalog(),
        seed_catalog("de"),
        Catalog(SLUG, "source/x.md", tuple(translated), language="fr"),
    ]
    for index, sample in enumerate(samples):
        path = tmp_path / f"{index}.po"
        catalog.write(sample, path)
        result = msgfmt_check(path)
        assert result.returncode == 0, result.stderr
        warnings = result.stderr.splitlines()
        if sample.language is None:
            # A template names no language; that is the one warning gettext gives for every POT.
            assert [w.split(": ", 1)[1] for w in warnings] == [
                "warning: header field 'Language' still has the initial default value"
            ]
        else:
            assert warnings == []


def test_read_returns_exactly_what_was_written(tmp_path: Path) -> None:
    entries = (
        Entry(1, "Title", "Titre", kind="title", line=2),
        Entry(2, "Changed text", "Texte", kind="paragraph", line=5, fuzzy=True, previous="Text"),
        Entry(4, "Stamped", "Estampillé", kind="paragraph", line=6, version=7),
        Entry(3, "Line\nbreak «»", "", kind="list-item", line=7),
        Entry(9, "Vanished", "Disparu", obsolete=True),
    )
    original = Catalog(
        SLUG, f"source/{SLUG}.md", entries, language="pt_BR", last_translator="Ana <a@b.c>"
    )
    path = tmp_path / "pt_BR.po"
    catalog.write(original, path)
    assert catalog.read(path, max_bytes=10_000, slug=SLUG, language="pt-BR") == original
    assert catalog.loads(catalog.dumps(original), "x") == original


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "po" / "x" / "fr.po"
    catalog.write(seed_catalog("fr"), path)
    catalog.write(seed_catalog("fr"), path)
    assert [p.name for p in path.parent.iterdir()] == ["fr.po"]


def test_translations_match_by_source_in_order() -> None:
    document = segment.parse("Same\n\nOther\n\nSame\n")
    po = Catalog(
        SLUG,
        "s.md",
        (Entry(1, "Same", "Un"), Entry(2, "Other", "Autre", fuzzy=True), Entry(3, "Same", "Deux")),
        language="fr",
    )
    assert catalog.translations(document, po) == {0: "Un", 2: "Deux"}
    assert catalog.translations(document, po, include_outdated=True) == {
        0: "Un",
        1: "Autre",
        2: "Deux",
    }


HEADER = (
    'msgid ""\nmsgstr ""\n"Project-Id-Version: a\\n"\n'
    '"Content-Type: text/plain; charset=UTF-8\\n"\n'
)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        (HEADER + '\nmsgctxt "1"\nmsgid "a\nmsgstr ""\n', "not a valid PO file", 7),
        (HEADER + '\nmsgid "no context"\nmsgstr ""\n', "no segment id", 6),
        (HEADER + '\nmsgctxt "x"\nmsgid "a"\nmsgstr ""\n', "no segment id", 6),
        (
            HEADER + '\nmsgctxt "1"\nmsgid "a"\nmsgstr ""\n\nmsgctxt "1"\nmsgid "b"\nmsgstr ""\n',
            "appears twice",
            10,
        ),
        (
            HEADER + '\nmsgctxt "1"\nmsgid "a"\nmsgid_plural "as"\nmsgstr[0] ""\nmsgstr[1] ""\n',
            "plural entries",
            6,
        ),
        ("this is not a po file at all\n", "not a valid PO file", 1),
        (HEADER.replace("UTF-8", "ISO-8859-1"), "charset ISO-8859-1", None),
        (
            HEADER.replace("Project-Id-Version: a", "Project-Id-Version: other"),
            "catalog of 'other'",
            None,
        ),
        (HEADER + '"Language: xx\\n"\n', "names no language known", None),
        (
            HEADER + '"Language: de\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n',
            "does not match de",
            None,
        ),
    ],
)
def test_bad_catalogs(text: str, reason: str, line: int | None) -> None:
    with pytest.raises(CatalogError, match=reason) as caught:
        catalog.loads(text, "up.po", slug="a")
    assert caught.value.line == line


def test_catalog_for_another_language_is_refused() -> None:
    text = catalog.dumps(seed_catalog("de"))
    with pytest.raises(CatalogError, match="is a catalog for de, not fr"):
        catalog.loads(text, "de.po", slug=SLUG, language="fr")


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\xff\xfe", "not UTF-8"), (b'msgid ""\0', "binary"), (b"x" * 50, "larger than the limit")],
)
def test_bad_catalog_files(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "x.po"
    path.write_bytes(data)
    with pytest.raises(CatalogError, match=reason):
        catalog.read(path, max_bytes=40)


def test_a_catalog_from_before_whitespace_was_normalised_still_fits() -> None:
    # Sources segmented before whitespace was normalised kept "making.\u00a0 Although" as it was.
    document = segment.parse("Equitable decision-making.\u00a0 Although\n\nLine one  \nline  two\n")
    old = Catalog(
        SLUG,
        "s.md",
        (
            Entry(1, "Equitable decision-making.\u00a0 Although", "Prise de décision. Bien que"),
            Entry(2, "Line one\nline  two", "Ligne un\nligne deux"),
        ),
        language="fr",
    )
    assert [s.source for s in document.segments] == [
        "Equitable decision-making. Although",
        "Line one\nline two",
    ]
    assert catalog.translations(document, old) == {
        0: "Prise de décision. Bien que",
        1: "Ligne un\nligne deux",
    }


def test_the_generator_names_the_installed_version() -> None:
    # The core reads the distribution's version itself: it imports nothing of ``service``.
    assert __version__ == metadata.version("chorus-translate")
    header = polib.pofile(catalog.dumps(seed_catalog())).metadata
    assert header["X-Generator"] == f"Chorus {__version__}"
