"""The ``chorus`` command: every command of the design, and its one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
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


LANGUAGE_KEYS = {
    "language",
    "name",
    "state",
    "segments",
    "done",
    "words",
    "done_words",
    "percent",
    "percent_words",
    "critical",
    "commit",
    "queued",
    "problem",
}
ARTICLE_KEYS = {"article", "title", "segments", "words", "target", "published", "review"}
# What the dashboard adds (docs/api.md, stats.json): the verdict and the forecast.
ARTICLE_KEYS |= {"deadline", "verdict", "expected", "how"}
LANGUAGE_KEYS |= {
    "remaining_segments",
    "remaining_words",
    "contributors",
    "last_activity",
    "pace",
    "forecast",
    "at_risk",
    "how",
}


def french_line(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.strip().startswith("fr ")]
    return line


def test_offline_round_trip_queues_then_publish_commits(
    initialised: FlaskCliRunner, content: Path, tmp_path
) -> None:
    ok(initialised, "publish")  # the template, queued by init
    before = git(content, "rev-parse", "HEAD")
    po = tmp_path / "fr.po"
    ok(initialised, "export", SEED_SLUG, "fr", "-o", str(po))
    assert polib.pofile(str(po)).metadata["Language"] == "fr"
    translate_all(po, lambda source: f"FR {source}")
    result = ok(initialised, "upload", SEED_SLUG, "fr", str(po), "--user", "ana")
    assert f"{SEED_SLUG} fr: 22 applied" in result.output
    assert result.output.splitlines()[-1] == f"{SEED_SLUG} fr: finished; publication queued"
    assert "critical:" not in result.output

    # Queued, not committed: the worker (or chorus publish) does that.
    assert git(content, "rev-parse", "HEAD") == before
    assert not (content / "po" / SEED_SLUG / "fr.po").exists()
    assert "publication queued" in french_line(ok(initialised, "stats").output)
    [queued] = json.loads(ok(initialised, "stats", "--json").output)[0]["languages"]
    assert (queued["state"], queued["queued"], queued["commit"]) == ("finished", True, None)
    not_yet = chorus(initialised, "render", SEED_SLUG, "fr")
    assert (not_yet.exit_code, "is not published yet" in not_yet.stderr) == (1, True)

    published = ok(initialised, "publish").output
    assert f"{SEED_SLUG} fr: published as " in published
    assert git(content, "log", "-1", "--format=%an|%s") == (
        f"ana|Publish fr translation of {SEED_SLUG}\n"
    )
    assert git(content, "rev-parse", "HEAD~1") == before
    assert (content / "po" / SEED_SLUG / "fr.po").is_file()

    rendered = ok(initialised, "render", SEED_SLUG, "fr").output
    assert "\nFR Translate this post\n" in rendered
    html = ok(initialised, "render", SEED_SLUG, "fr", "--format", "html").output
    assert html.startswith('<article lang="fr" dir="ltr"><h1>FR A Leadership')

    [article] = json.loads(ok(initialised, "stats", "--json").output)
    assert set(article) == ARTICLE_KEYS | {"languages"}
    assert (article["article"], article["segments"], article["published"]) == (SEED_SLUG, 22, 1)
    [fr] = article["languages"]
    assert set(fr) == LANGUAGE_KEYS
    assert (fr["language"], fr["name"], fr["state"], fr["percent"]) == (
        "fr",
        "French",
        "published",
        100.0,
    )
    assert (fr["segments"], fr["done"], fr["critical"], fr["queued"], fr["problem"]) == (
        22,
        22,
        0,
        False,
        None,
    )
    assert fr["commit"] == git(content, "rev-parse", "HEAD").strip()
    line = french_line(ok(initialised, "stats").output)
    assert "published" in line and "publication queued" not in line

    again = ok(initialised, "publish").output
    assert again == "nothing to publish: every finished language is published\n"
    assert git(content, "log", "-1", "--format=%s") == f"Publish fr translation of {SEED_SLUG}\n"


def test_stats_names_each_critical_failure_under_its_language(
    initialised: FlaskCliRunner, tmp_path
) -> None:
    po = tmp_path / "fr.po"
    ok(initialised, "export", SEED_SLUG, "fr", "-o", str(po))
    translate_all(po, lambda source: "FR sans notes" if "[1]" in source else f"FR {source}")
    upload = ok(initialised, "upload", SEED_SLUG, "fr", str(po), "--user", "ana").output
    [footnoted] = [e for e in polib.pofile(str(po)) if "[1]" in e.msgid]
    number, line = footnoted.msgctxt, footnoted.occurrences[0][1]
    where = f"segment {number} (line {line}): footnotes: "
    [reported] = [row for row in upload.splitlines() if row.startswith("critical: ")]
    assert reported.startswith(f"critical: {where}")
    assert "publication queued" not in upload

    output = ok(initialised, "stats").output.splitlines()
    index = output.index(french_line("\n".join(output)))
    assert "in progress" in output[index]
    assert output[index + 1] == f"    {reported}"
    [fr] = json.loads(ok(initialised, "stats", "--json").output)[0]["languages"]
    assert (fr["state"], fr["critical"], fr["queued"]) == ("in progress", 1, False)


def test_a_typo_fix_import_reports_it_and_the_publication_carries_the_new_source(
    initialised: FlaskCliRunner, content: Path, tmp_path
) -> None:
    po = tmp_path / "fr.po"
    ok(initialised, "export", SEED_SLUG, "fr", "-o", str(po))
    translate_all(po, lambda source: f"FR {source}")
    ok(initialised, "upload", SEED_SLUG, "fr", str(po), "--user", "ana")
    ok(initialised, "publish")
    published = git(content, "rev-parse", "HEAD").strip()
    source = content / "source" / f"{SEED_SLUG}.md"
    text = source.read_text(encoding="utf-8")
    old = "Leadership work is important to the success of the movement."
    assert text.count(old) == 1
    source.write_text(text.replace(old, old.replace("movement", "Movement")), encoding="utf-8")

    result = ok(initialised, "import", "--no-retranslate", SEED_SLUG)

    assert "21 unchanged, 1 typo-fixed, 0 outdated, 0 obsolete" in result.output
    assert result.output.rstrip().endswith("; publication queued for fr")
    assert git(content, "rev-parse", "HEAD").strip() == published
    assert "publication queued" in french_line(ok(initialised, "stats").output)

    ok(initialised, "publish")

    catalog = polib.pofile(git(content, "show", f"HEAD:po/{SEED_SLUG}/fr.po"))
    [entry] = [e for e in catalog if e.msgid.startswith("Leadership work is important")]
    assert entry.msgid.startswith(old.replace("movement", "Movement"))
    assert entry.msgstr.startswith(f"FR {old}")  # kept, current: no re-translation needed
    assert "fuzzy" not in entry.flags
    assert git(content, "log", "-1", "--format=%s") == f"Publish fr translation of {SEED_SLUG}\n"
    assert "published" in french_line(ok(initialised, "stats").output)


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


def without_chorus_settings() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if not name.startswith("CHORUS_")}


def run_clean(env_extra: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """``chorus`` with only the given settings (none inherited from the environment)."""
    return subprocess.run(
        [CHORUS, *args],
        input="",
        capture_output=True,
        text=True,
        env={**without_chorus_settings(), **env_extra},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [["stats"], ["import"], ["export", SEED_SLUG, "fr"], ["user", "add", "ana"], ["publish"]],
    ids=lambda args: args[0],
)
@pytest.mark.parametrize("database", ["missing file", "empty file", "default"])
def test_a_command_on_a_database_not_set_up_is_one_line_and_leaves_no_file(
    content: Path, tmp_path: Path, database: str, args: list[str]
) -> None:
    env = {"CHORUS_CONTENT_DIR": str(content)}
    path = content / ".chorus" / "chorus.db"
    if database != "default":
        path = tmp_path / "x.db"
        env["CHORUS_DATABASE_URL"] = f"sqlite:///{path}"
    if database == "empty file":
        path.touch()

    result = run_clean(env, *args)

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: the database is not set up (")
    assert line.endswith("); run: chorus init")
    assert "Traceback" not in result.stderr
    if database == "empty file":  # still there, and still without a table
        with closing(sqlite3.connect(path)) as connection:
            assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []
    else:
        assert not path.exists()
    assert git(content, "status", "--porcelain") == ""


def test_the_default_database_lives_with_its_content_and_is_ignored_by_git(
    content: Path, tmp_path: Path
) -> None:
    init = run_clean({"CHORUS_CONTENT_DIR": str(content)}, "init")
    assert init.returncode == 0, init.stderr
    assert (content / ".chorus" / "chorus.db").is_file()
    assert git(content, "status", "--porcelain", "--untracked-files=all") == ""
    stats = run_clean({"CHORUS_CONTENT_DIR": str(content)}, "stats")
    assert stats.returncode == 0, stats.stderr
    assert stats.stdout.startswith(f"{SEED_SLUG}: 22 segments")

    # Another content folder has its own database: it does not see the first one's articles.
    other = tmp_path / "other"
    (other / "source").mkdir(parents=True)
    git(other, "init", "-q", "-b", "main")
    elsewhere = run_clean({"CHORUS_CONTENT_DIR": str(other)}, "stats")
    assert elsewhere.returncode == 1
    assert "the database is not set up" in elsewhere.stderr
    assert not (other / ".chorus" / "chorus.db").exists()


@pytest.mark.parametrize("kind", ["missing", "plain folder"])
def test_content_that_is_not_a_git_work_tree_is_a_one_line_settings_error(
    tmp_path: Path, content: Path, kind: str
) -> None:
    folder = tmp_path / "articles"
    if kind == "missing":
        reason = "no such folder"
    else:
        shutil.copytree(content / "source", folder / "source")
        reason = f"not a git work tree (run: git init {folder})"
    database = tmp_path / "db.sqlite"
    env = {"CHORUS_CONTENT_DIR": str(folder), "CHORUS_DATABASE_URL": f"sqlite:///{database}"}
    for command in (["init"], ["stats"]):
        result = run_clean(env, *command)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"Error: CHORUS_CONTENT_DIR={str(folder)!r}: {reason}"
        ]
    assert not database.exists()
    assert not (folder / ".chorus").exists()
    assert not (folder / "po").exists()


def test_an_upload_matching_no_segment_fails_and_applies_nothing(
    initialised: FlaskCliRunner, tmp_path: Path
) -> None:
    po = tmp_path / "fr.po"
    ok(initialised, "export", SEED_SLUG, "fr", "-o", str(po))
    catalog = polib.pofile(str(po))
    for entry in catalog:
        entry.msgctxt = str(900 + int(entry.msgctxt))
        entry.msgstr = f"FR {entry.msgid}"
    catalog.save()

    result = chorus(initialised, "upload", SEED_SLUG, "fr", str(po), "--user", "ana")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {po}: no entry matches a segment of '{SEED_SLUG}'; nothing was applied"
    ]
    assert result.stdout == ""
    [article] = json.loads(ok(initialised, "stats", "--json").output)
    assert article["languages"] == []  # not even started


def test_export_into_a_missing_folder_fails_and_creates_nothing(
    initialised: FlaskCliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "dir" / "x.po"

    result = chorus(initialised, "export", SEED_SLUG, "fr", "-o", str(target))

    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: {target}: no such folder ")
    assert str(target.parent) in line
    assert ".tmp" not in line  # names the target, not a temporary file
    assert not (tmp_path / "missing").exists()


def test_a_token_name_taken_is_one_line(initialised: FlaskCliRunner) -> None:
    ok(initialised, "token", "add", "blog", "--user", "ana")
    again = chorus(initialised, "token", "add", "blog", "--user", "ana", "--scope", "write")
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines() == ["Error: ana has a token named 'blog' already"]
    assert again.stdout == ""


def test_article_set_stores_the_policy_and_stats_show_the_forecast(initialised) -> None:
    out = ok(
        initialised,
        "article",
        "set",
        SEED_SLUG,
        "--target",
        "2",
        "--deadline",
        "2030-01-31",
        "--priority",
        "fr,es",
    ).output
    assert out == (f"{SEED_SLUG}: target 2, deadline 2030-01-31, review off, priority fr es\n")
    text = ok(initialised, "stats").output
    assert "0 of 2 target languages published, deadline 2030-01-31" in text
    assert "  at risk: 0 published and 0 more expected by 2030-01-31" in text
    rows = ok(initialised, "stats", "--csv").output
    assert rows.startswith("article,title,target,published,deadline,verdict,language")


def test_article_set_refuses_a_bad_value_in_one_line(initialised) -> None:
    result = chorus(initialised, "article", "set", SEED_SLUG, "--target", "lots")
    assert result.exit_code == 1
    assert "target: 'lots' is not a number of languages" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
