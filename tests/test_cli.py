"""The ``chorus`` command: every command of the design, and its one-line errors."""

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
from tests.conftest import SEED_SLUG, git

CHORUS = str(Path(sys.executable).parent / "chorus")


def chorus(runner: FlaskCliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(main, list(args), input=stdin)


def ok(runner: FlaskCliRunner, *args: str, stdin: str | None = None):
    result = chorus(runner, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def initialised(runner: FlaskCliRunner) -> FlaskCliRunner:
    result = ok(runner, "init", "--admin", "root", "--password-stdin", stdin="a long secret\n")
    assert f"{SEED_SLUG}: 22 segments" in result.output
    assert "admin root created" in result.output
    ok(runner, "user", "add", "ana", "--role", "translator", "--email", "ana@example.org")
    return runner


def translate_all(path: Path, translate) -> None:
    po = polib.pofile(str(path))
    for entry in po:
        entry.msgstr = translate(entry.msgid)
    po.save()


def test_init_is_repeatable(initialised: FlaskCliRunner) -> None:
    again = ok(initialised, "init", "--admin", "root", "--password-stdin", stdin="other secret\n")
    assert "0 new, 22 unchanged" in again.output
    assert "user root exists already; left as it is" in again.output


def test_offline_round_trip_publishes(initialised: FlaskCliRunner, content: Path, tmp_path) -> None:
    po = tmp_path / "fr.po"
    ok(initialised, "export", SEED_SLUG, "fr", "-o", str(po))
    assert polib.pofile(str(po)).metadata["Language"] == "fr"
    translate_all(po, lambda source: f"FR {source}")
    result = ok(initialised, "upload", SEED_SLUG, "fr", str(po), "--user", "ana")
    assert f"{SEED_SLUG} fr: 22 applied" in result.output
    assert "published as" in result.output
    assert git(content, "log", "-1", "--format=%an|%s") == (
        f"ana|Publish fr translation of {SEED_SLUG}\n"
    )
    assert (content / "po" / SEED_SLUG / "fr.po").is_file()

    rendered = ok(initialised, "render", SEED_SLUG, "fr").output
    assert "\nFR Translate this post\n" in rendered
    html = ok(initialised, "render", SEED_SLUG, "fr", "--format", "html").output
    assert html.startswith('<article lang="fr" dir="ltr"><h1>FR A Leadership')

    stats = json.loads(ok(initialised, "stats", "--json").output)
    [fr] = stats[0]["languages"]
    assert (fr["language"], fr["state"], fr["percent"]) == ("fr", "published", 100.0)
    assert "published" in ok(initialised, "stats").output

    published = ok(initialised, "publish").output
    assert "fr: already published" in published


def test_render_draft_before_publication(initialised: FlaskCliRunner, tmp_path) -> None:
    po = tmp_path / "de.po"
    ok(initialised, "export", SEED_SLUG, "de", "-o", str(po))
    translate_all(po, lambda s: "Diesen Beitrag übersetzen" if s == "Translate this post" else "")
    ok(initialised, "upload", SEED_SLUG, "de", str(po), "--user", "ana")
    not_yet = chorus(initialised, "render", SEED_SLUG, "de")
    assert not_yet.exit_code == 1
    assert "is not published yet" in not_yet.stderr
    draft = ok(initialised, "render", SEED_SLUG, "de", "--draft").output
    assert "\nDiesen Beitrag übersetzen\n" in draft
    assert "## Why develop leaders?" in draft


def test_tokens_are_printed_once(initialised: FlaskCliRunner) -> None:
    token = ok(initialised, "token", "add", "blog", "--user", "ana", "--scope", "read").output
    assert token.startswith("chorus_")
    assert len(token.strip()) > 40


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "no-such-article", "fr"], "no article 'no-such-article'"),
        (["render", SEED_SLUG, "xx", "--draft"], "'xx' names no language known to CLDR"),
        (["export", "../etc", "fr"], "is not an article name"),
        (["import", "missing.md"], "missing.md: no such file"),
        (["upload", SEED_SLUG, "fr", "missing.po", "--user", "ana"], "missing.po: no such file"),
        (["upload", SEED_SLUG, "fr", "x.po", "--user", "nobody"], "no user 'nobody'"),
        (["user", "add", "ana"], "user 'ana' exists already"),
        (["user", "add", "bad name"], "is not a user name"),
        (["token", "add", "t", "--user", "ghost"], "no user 'ghost'"),
    ],
)
def test_user_errors_are_one_line_and_exit_1(
    initialised: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = chorus(initialised, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_bad_upload_is_one_line(initialised: FlaskCliRunner, tmp_path) -> None:
    bad = tmp_path / "bad.po"
    bad.write_text('msgid ""\nmsgstr ""\n\nmsgctxt "1"\nmsgid "unterminated\n', encoding="utf-8")
    result = chorus(initialised, "upload", SEED_SLUG, "fr", str(bad), "--user", "ana")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {bad}:5: not a valid PO file (cannot read 'msgid \"unterminated')"
    )


def run(env_extra: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, **env_extra}
    return subprocess.run(
        [CHORUS, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\0\0binary", "binary file (it contains NUL bytes), not Markdown"),
        (b"caf\xe9\n", "not UTF-8 (invalid byte 0xe9 at line 1, column 4)"),
        (b"x" * 2000, "larger than the limit of 1000 bytes (2000 bytes)"),
    ],
)
def test_bad_markdown_is_refused_by_the_real_command(
    content: Path, tmp_path: Path, data: bytes, reason: str
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(data)
    env = {
        "CHORUS_CONTENT_DIR": str(content),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
    }
    assert run(env, "init").returncode == 0
    env["CHORUS_MAX_SOURCE_BYTES"] = "1000"
    before = sorted(p.relative_to(content) for p in content.rglob("*") if ".git" not in p.parts)
    head = git(content, "rev-parse", "HEAD")
    result = run(env, "import", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"Error: {bad}: {reason}"]
    after = sorted(p.relative_to(content) for p in content.rglob("*") if ".git" not in p.parts)
    assert after == before
    assert git(content, "rev-parse", "HEAD") == head


def test_a_bad_setting_is_one_line(content: Path) -> None:
    result = run({"CHORUS_CONTENT_DIR": str(content), "CHORUS_TARGET_LANGUAGES": "many"}, "stats")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: CHORUS_TARGET_LANGUAGES='many': invalid literal for int() with base 10: 'many'"
    ]


def test_an_uninitialised_database_is_one_line(content: Path, tmp_path: Path) -> None:
    env = {"CHORUS_CONTENT_DIR": str(content), "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = run(env, "stats")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: database error: no such table")
    assert line.endswith("(is the database set up? run: chorus init)")
