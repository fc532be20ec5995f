"""The ``chorus`` command on files: import, export, render, stats, and its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from flask.testing import FlaskCliRunner

from service.cli import main
from tests.conftest import SEED_SLUG

CHORUS = str(Path(sys.executable).parent / "chorus")


def chorus(runner: FlaskCliRunner, *args: str):
    return runner.invoke(main, list(args))


def translate_po(path: Path, translate) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = translate(entry.msgid)
    po.save()


def test_import_writes_template_and_reports_counts(runner: FlaskCliRunner, content: Path) -> None:
    result = chorus(runner, "import")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{SEED_SLUG}: 22 segments (")
    assert "22 new, 0 unchanged, 0 outdated, 0 obsolete" in result.output
    template = polib.pofile(str(content / "po" / SEED_SLUG / f"{SEED_SLUG}.pot"))
    assert [e.msgctxt for e in template] == [str(n) for n in range(1, 23)]

    again = chorus(runner, "import", SEED_SLUG)
    assert "0 new, 22 unchanged, 0 outdated, 0 obsolete" in again.output


def test_reimport_after_an_edit_keeps_translations_and_marks_outdated(
    runner: FlaskCliRunner, content: Path
) -> None:
    chorus(runner, "import")
    exported = chorus(
        runner, "export", SEED_SLUG, "fr", "-o", str(content / "po" / SEED_SLUG / "fr.po")
    )
    assert exported.exit_code == 0, exported.output
    fr = content / "po" / SEED_SLUG / "fr.po"
    translate_po(fr, lambda source: f"FR {source}")

    source = content / "source" / f"{SEED_SLUG}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("Good leaders can help to grow", "Good leaders can help us grow").replace(
            "## How to participate\n", "## How to participate\n\nA new paragraph.\n"
        ),
        encoding="utf-8",
    )
    result = chorus(runner, "import", SEED_SLUG)
    assert (
        "1 new, 21 unchanged, 1 outdated, 0 obsolete; 1 language catalogs updated" in result.output
    )

    entries = {e.msgid: e for e in polib.pofile(str(fr))}
    edited = next(e for source_text, e in entries.items() if "help us grow" in source_text)
    assert edited.fuzzy
    assert edited.previous_msgid.startswith("Good leaders can help to grow")
    assert edited.msgstr.startswith("FR Good leaders can help to grow")
    assert entries["A new paragraph."].msgstr == ""
    assert entries["Translate this post"].msgstr == "FR Translate this post"


def test_import_a_path_outside_source(
    runner: FlaskCliRunner, content: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "news-item.md"
    outside.write_text("# News\n\nHello.\n", encoding="utf-8")
    result = chorus(runner, "import", str(outside))
    assert result.exit_code == 0, result.output
    assert (content / "source" / "news-item.md").read_text(encoding="utf-8") == "# News\n\nHello.\n"
    assert (content / "po" / "news-item" / "news-item.pot").is_file()


def test_export_render_and_stats(runner: FlaskCliRunner, content: Path) -> None:
    chorus(runner, "import")
    fr = content / "po" / SEED_SLUG / "fr.po"
    chorus(runner, "export", SEED_SLUG, "fr", "-o", str(fr))
    translate_po(fr, lambda s: "Traduire cet article" if s == "Translate this post" else "")

    rendered = chorus(runner, "render", SEED_SLUG, "fr")
    assert rendered.exit_code == 0
    assert "\nTraduire cet article\n" in rendered.output
    assert "## Why develop leaders?" in rendered.output

    html = chorus(runner, "render", SEED_SLUG, "fr", "--format", "html")
    assert html.output.startswith('<article lang="fr" dir="ltr"><h1>A Leadership Development')
    assert "<p>Traduire cet article</p>" in html.output

    stats = chorus(runner, "stats", "--json")
    [row] = json.loads(stats.output)
    assert (row["language"], row["segments"], row["translated"]) == ("fr", 22, 1)
    assert 0 < row["percent"] < 100

    exported = chorus(runner, "export", SEED_SLUG, "pt-BR")
    header = polib.pofile(exported.output).metadata
    assert header["Language"] == "pt_BR"


def test_a_translation_failing_a_critical_check_is_not_rendered(
    runner: FlaskCliRunner, content: Path
) -> None:
    (content / "source" / "links.md").write_text(
        "See [the page](https://a.org).\n\nPlain text.\n", encoding="utf-8"
    )
    chorus(runner, "import", "links")
    fr = content / "po" / "links" / "fr.po"
    chorus(runner, "export", "links", "fr", "-o", str(fr))
    translations = {"See [the page]{1}.": "Voir la page.", "Plain text.": "Texte simple."}
    translate_po(fr, translations.get)
    result = chorus(runner, "render", "links", "fr")
    assert result.exit_code == 0
    assert result.stdout == "See [the page](https://a.org).\n\nTexte simple.\n"
    assert result.stderr == (
        "Warning: line 1 (paragraph): translation not used, source text shown: Missing {1}\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "no-such-article", "fr"], "no article 'no-such-article'"),
        (["render", SEED_SLUG, "xx"], "'xx' names no language known to CLDR"),
        (["render", "../etc", "fr"], "is not an article name"),
        (["export", SEED_SLUG, "fr"], "has not been imported yet"),
        (["import", "missing.md"], "missing.md: no such file"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = chorus(runner, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\0\0binary", "binary file"),
        (b"caf\xe9\n", "not UTF-8"),
        (b"x" * 2000, "larger than the limit of 1000 bytes"),
    ],
)
def test_bad_markdown_is_refused_by_the_real_command(
    content: Path, tmp_path: Path, data: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(data)
    before = sorted(p.relative_to(content) for p in content.rglob("*"))
    env = {**os.environ, "CHORUS_CONTENT_DIR": str(content), "CHORUS_MAX_SOURCE_BYTES": "1000"}
    result = subprocess.run(
        [CHORUS, "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line == f"Error: {bad}: {reason}" or line.startswith(f"Error: {bad}: {reason}")
    assert sorted(p.relative_to(content) for p in content.rglob("*")) == before


def test_bad_setting_is_a_one_line_error(content: Path) -> None:
    env = {**os.environ, "CHORUS_CONTENT_DIR": str(content), "CHORUS_TARGET_LANGUAGES": "many"}
    result = subprocess.run(
        [CHORUS, "stats"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: CHORUS_TARGET_LANGUAGES='many': invalid literal for int() with base 10: 'many'"
    ]
