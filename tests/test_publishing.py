"""Publication to git: a finished language becomes one commit of its PO file, credited to its
translators; nothing else in the work tree is touched; failures (a busy index, a remote that
cannot be reached, no repository at all) never lose a save, are shown, and are retried.

Real git in the fixtures' scratch work trees; no mocks.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from service import accounts, coverage, importing, publishing, queries, translating
from service.cli import main
from service.content import Content
from service.db import db
from service.models import User
from service.translating import PermissionDenied, SaveResult
from tests.conftest import SEED_SLUG, git

CHORUS = str(Path(sys.executable).parent / "chorus")
SEED_SEGMENTS = 22


def french(source: str) -> str:
    """A translation keeping every marker of the source: it passes every critical check."""
    return f"FR {source}"


def finish(
    ctx: Content,
    lang: str,
    users: Sequence[User],
    *,
    slug: str = SEED_SLUG,
    translate: Callable[[str], str] = french,
) -> list[SaveResult]:
    """Translate every active segment, the users taking turns; returns each save's result."""
    results = []
    for index, row in enumerate(queries.segments(queries.article(slug))):
        user = users[index % len(users)]
        results.append(
            translating.save(ctx, slug, lang, row.number, translate(row.source), 0, user)
        )
    assert all(r.applied for r in results)
    return results


def subjects(folder: Path) -> list[str]:
    return git(folder, "log", "--format=%s").splitlines()


def published(folder: Path, lang: str, slug: str = SEED_SLUG) -> list[str]:
    """Subjects of the commits publishing ``lang`` of ``slug``."""
    return [s for s in subjects(folder) if s == f"Publish {lang} translation of {slug}"]


def head(folder: Path) -> str:
    return git(folder, "rev-parse", "HEAD").strip()


def problem(slug: str, lang: str) -> str | None:
    return coverage.language_status(queries.article(slug), lang).problem


@pytest.mark.parametrize(
    ("lang", "file", "turns", "author", "co_authors"),
    [
        (
            "fr",
            "fr",
            ("ana", "ana", "bo"),
            "ana <ana@example.org>",
            ["bo <bo@users.chorus.invalid>"],
        ),
        ("pt-BR", "pt_BR", ("bo",), "bo <bo@users.chorus.invalid>", []),
        (
            "zh-Hans",
            "zh_Hans",
            ("cy", "ana", "cy", "bo"),  # cy 11 changes, ana 6, bo 5
            "cy <cy@example.org>",
            ["ana <ana@example.org>", "bo <bo@users.chorus.invalid>"],
        ),
    ],
)
def test_finishing_a_language_commits_its_catalog_credited_to_its_translators(
    ctx: Content,
    people: dict[str, User],
    content: Path,
    tmp_path: Path,
    lang: str,
    file: str,
    turns: tuple[str, ...],
    author: str,
    co_authors: list[str],
) -> None:
    before = head(content)
    results = finish(ctx, lang, [people[name] for name in turns])

    assert [r.published for r in results[:-1]] == [None] * (SEED_SEGMENTS - 1)
    assert results[-1].published == head(content)
    assert results[-1].publication_error is None
    path = f"po/{SEED_SLUG}/{file}.po"
    assert git(content, "show", "--name-only", "--format=", "HEAD").split() == [path]
    assert git(content, "rev-parse", "HEAD~1").strip() == before  # one commit, at the end
    people_line = git(content, "log", "-1", "--format=%an <%ae>%n%cn <%ce>").splitlines()
    assert people_line == [author, str(ctx.committer)]
    message = git(content, "log", "-1", "--format=%B")
    assert message.startswith(f"Publish {lang} translation of {SEED_SLUG}\n")
    trailers = [line for line in message.splitlines() if line.startswith("Co-authored-by:")]
    assert trailers == [f"Co-authored-by: {person}" for person in co_authors]

    committed = tmp_path / "committed.po"
    committed.write_text(git(content, "show", f"HEAD:{path}"), encoding="utf-8")
    assert committed.read_bytes() == (content / path).read_bytes()
    check = subprocess.run(
        ["msgfmt", "-c", "-o", os.devnull, str(committed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    status = coverage.language_status(queries.article(SEED_SLUG), lang)
    assert (status.state, status.published_commit, status.problem) == (
        "published",
        head(content),
        None,
    )


def test_only_po_is_committed_and_the_rest_of_the_work_tree_stays_as_it_was(
    ctx: Content, people: dict[str, User], content: Path
) -> None:
    (content / "notes.md").write_text("notes\n", encoding="utf-8")
    (content / "todo.md").write_text("todo\n", encoding="utf-8")
    git(content, "add", "notes.md", "todo.md")
    git(content, "commit", "-q", "-m", "Notes")
    (content / "staged.md").write_text("staged, never committed by Chorus\n", encoding="utf-8")
    git(content, "add", "staged.md")
    (content / "notes.md").write_text("notes, staged edit\n", encoding="utf-8")
    git(content, "add", "notes.md")
    (content / "notes.md").write_text("notes, staged edit, then more unstaged\n", encoding="utf-8")
    (content / "todo.md").write_text("todo, modified and not staged\n", encoding="utf-8")
    (content / "untracked.txt").write_text("untracked\n", encoding="utf-8")

    def state() -> tuple[list[str], str, str]:
        lines = git(content, "status", "--porcelain", "--untracked-files=all").splitlines()
        return (
            [line for line in lines if not line[3:].startswith("po/")],
            git(content, "diff", "--cached", "--binary"),
            git(content, "diff", "--binary"),
        )

    before = state()
    assert sorted(line[:2] for line in before[0]) == [" M", "??", "A ", "MM"]
    results = finish(ctx, "fr", [people["ana"], people["bo"]])

    assert results[-1].published == head(content)
    assert git(content, "show", "--name-only", "--format=", "HEAD").split() == [
        f"po/{SEED_SLUG}/fr.po"
    ]
    assert state() == before
    assert (content / "untracked.txt").read_text(encoding="utf-8") == "untracked\n"
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""


def test_publishing_again_commits_nothing(
    ctx: Content, people: dict[str, User], content: Path, runner: FlaskCliRunner
) -> None:
    finish(ctx, "fr", [people["ana"], people["bo"]])
    done = head(content)

    for _ in range(2):
        results = publishing.publish(ctx)
        assert [(r.language, r.commit, r.error, r.skipped) for r in results] == [
            ("fr", done, None, "already published")
        ]
        assert head(content) == done

    result = runner.invoke(main, ["publish"])
    assert result.exit_code == 0, result.output
    assert f"{SEED_SLUG} fr: already published" in result.stdout
    assert head(content) == done
    assert len(published(content, "fr")) == 1
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""


def test_a_stale_index_lock_does_not_stop_publication(
    ctx: Content, people: dict[str, User], content: Path
) -> None:
    lock = content / ".git" / "index.lock"
    lock.write_bytes(b"")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(lock, (two_hours_ago, two_hours_ago))

    results = finish(ctx, "fr", [people["ana"]])

    assert results[-1].publication_error is None
    assert results[-1].published == head(content)
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert not lock.exists()


def test_a_fresh_index_lock_fails_publication_which_is_shown_and_retried(
    ctx: Content, people: dict[str, User], content: Path, runner: FlaskCliRunner
) -> None:
    lock = content / ".git" / "index.lock"
    lock.write_bytes(b"")
    before = head(content)

    results = finish(ctx, "fr", [people["ana"]])

    last = results[-1]
    assert (last.applied, last.published) == (True, None)
    assert "index.lock" in (last.publication_error or "")
    item = queries.article(SEED_SLUG)
    texts = {t.text for t in queries.translations(item, "fr").values()}
    assert texts == {french(row.source) for row in queries.segments(item)}
    assert head(content) == before
    assert "index.lock" in (problem(SEED_SLUG, "fr") or "")
    stats = runner.invoke(main, ["stats"])
    assert stats.exit_code == 0, stats.output
    [line] = [line for line in stats.stdout.splitlines() if line.strip().startswith("fr ")]
    assert "problem" in line and "index.lock" in line
    assert lock.exists()  # a person's git may be working: never removed while fresh

    lock.unlink()
    retried = [r for r in publishing.publish(ctx) if r.language == "fr"]
    assert [(r.commit, r.error) for r in retried] == [(head(content), None)]
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert problem(SEED_SLUG, "fr") is None
    assert coverage.language_status(item, "fr").state == "published"


def test_a_failed_push_keeps_the_commit_is_shown_and_retried(
    ctx: Content, people: dict[str, User], content: Path, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    remote = tmp_path / "nowhere.git"
    pushing = replace(ctx, git_push=str(remote))

    results = finish(pushing, "fr", [people["ana"], people["bo"]])

    last = results[-1]
    assert last.published == head(content)
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert last.publication_error and "push" in last.publication_error
    assert problem(SEED_SLUG, "fr") == last.publication_error
    stats = runner.invoke(main, ["stats"])
    assert "problem: " in stats.stdout

    git(tmp_path, "init", "-q", "--bare", str(remote))
    retried = [r for r in publishing.publish(pushing) if r.language == "fr"]
    assert [(r.commit, r.error) for r in retried] == [(head(content), None)]
    assert git(remote, "rev-parse", "refs/heads/main").strip() == head(content)
    assert problem(SEED_SLUG, "fr") is None
    assert len(published(content, "fr")) == 1


def _without_git(ctx: Content, content: Path, tmp_path: Path) -> Content:
    shutil.rmtree(content / ".git")
    return ctx


def _elsewhere(ctx: Content, content: Path, tmp_path: Path) -> Content:
    plain = tmp_path / "plain"
    shutil.copytree(content / "source", plain / "source")
    return replace(ctx, root=plain)


@pytest.mark.parametrize("setup", [_without_git, _elsewhere], ids=["git-removed", "plain-folder"])
def test_without_a_repository_saves_work_and_the_reason_is_recorded(
    ctx: Content, content: Path, tmp_path: Path, setup: Callable[..., Content]
) -> None:
    plain = setup(ctx, content, tmp_path)
    report = importing.import_article(plain, SEED_SLUG)
    assert "is not a git repository" in (report.publication_error or "")
    ana = accounts.add_user("ana", "translator")

    results = finish(plain, "fr", [ana])

    last = results[-1]
    assert (last.applied, last.published) == (True, None)
    assert f"{plain.root} is not a git repository" in (last.publication_error or "")
    item = queries.article(SEED_SLUG)
    assert len(queries.translations(item, "fr")) == SEED_SEGMENTS
    status = coverage.language_status(item, "fr")
    assert (status.state, status.problem) == ("finished", last.publication_error)
    assert not (plain.root / "po" / SEED_SLUG / "fr.po").exists()


def test_review_required_publishes_only_once_every_segment_is_approved(
    ctx: Content, people: dict[str, User], content: Path
) -> None:
    item = queries.article(SEED_SLUG)
    item.review_required = True
    db.session.commit()

    results = finish(ctx, "fr", [people["ana"], people["bo"]])

    assert all(r.published is None for r in results)
    assert coverage.language_status(item, "fr").state == "in progress"
    assert published(content, "fr") == []
    numbers = [row.number for row in queries.segments(item)]
    with pytest.raises(PermissionDenied):
        translating.approve(ctx, SEED_SLUG, "fr", numbers[0], 1, people["ana"])

    for number in numbers[:-1]:
        approved = translating.approve(ctx, SEED_SLUG, "fr", number, 1, people["rev"])
        assert approved.applied
    status = coverage.language_status(item, "fr")
    assert (status.state, status.finished, status.counts.done(True)) == (
        "in progress",
        False,
        SEED_SEGMENTS - 1,
    )
    assert published(content, "fr") == []

    translating.approve(ctx, SEED_SLUG, "fr", numbers[-1], 1, people["rev"])
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert coverage.language_status(item, "fr").state == "published"


LINKS = "See [the page](https://a.org).\n\nPlain text.\n"


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        ("Voir la page.", "placeholders"),  # the {1} is gone
        ("Voir la page{1}.", "links"),  # the {1} is kept, its [text] is gone
    ],
)
def test_a_critical_check_failure_keeps_a_language_from_finishing(
    ctx: Content, people: dict[str, User], content: Path, broken: str, check: str
) -> None:
    (content / "source" / "links.md").write_text(LINKS, encoding="utf-8")
    importing.import_article(ctx, "links")
    item = queries.article("links")
    first, second = (row.number for row in queries.segments(item))
    assert queries.segment(item, first).source == "See [the page]{1}."

    bad = translating.save(ctx, "links", "fr", first, broken, 0, people["ana"])
    assert check in {c.id for c in bad.checks if c.severity == "critical"}
    done = translating.save(ctx, "links", "fr", second, "Texte simple.", 0, people["ana"])

    assert done.published is None
    status = coverage.language_status(item, "fr")
    assert (status.state, status.finished, status.critical) == ("in progress", False, 1)
    assert published(content, "fr", "links") == []
    assert all(r.skipped for r in publishing.publish(ctx, "links"))
    assert published(content, "fr", "links") == []

    fixed = translating.save(ctx, "links", "fr", first, "Voir [la page]{1}.", 1, people["ana"])
    assert fixed.published == head(content)
    assert published(content, "fr", "links") == ["Publish fr translation of links"]


LANGUAGES = ("fr", "de", "es", "it", "ja", "pt-BR", "ru", "uk")

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    import polib

    from service import accounts, create_app, offline
    from service.content import Content

    lang, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    name = "u-" + lang.lower()
    app = create_app()
    with app.app_context():
        content = Content.from_config(app.config)
        user = accounts.add_user(name, "translator", email=name + "@example.org")
        po = polib.pofile(offline.export(content, "{slug}", lang))
        for entry in po:
            entry.msgstr = "T " + entry.msgid
        data = str(po).encode("utf-8")
        ready.write_text("ready")
        deadline = time.monotonic() + 100
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        report = offline.upload(content, "{slug}", lang, data, user)
        print(json.dumps(dict(counts=report.counts(), commit=report.published,
                              error=report.publication_error)))
    """
).replace("{slug}", SEED_SLUG)


def test_eight_languages_finished_at_once_all_land(content: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHORUS_CONTENT_DIR": str(content),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path / 'chorus.db'}",
        "CHORUS_SECRET_KEY": "test",
    }
    init = subprocess.run(
        [CHORUS, "init"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert init.returncode == 0, init.stderr
    go = tmp_path / "go"
    workers = {
        lang: subprocess.Popen(
            [sys.executable, "-c", WORKER, lang, str(tmp_path / f"ready-{lang}"), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for lang in LANGUAGES
    }
    try:
        deadline = time.monotonic() + 100
        while not all((tmp_path / f"ready-{lang}").exists() for lang in LANGUAGES):
            assert time.monotonic() < deadline, "the workers did not get ready"
            assert all(w.poll() is None for w in workers.values()), "a worker died early"
            time.sleep(0.01)
        go.touch()
        outcomes = {}
        for lang, worker in workers.items():
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
            outcomes[lang] = json.loads(out)
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.kill()
                worker.communicate()

    for lang, outcome in outcomes.items():
        assert outcome["counts"] == {"applied": SEED_SEGMENTS}, lang
        assert outcome["error"] is None, (lang, outcome["error"])
        assert outcome["commit"], lang
    log = subjects(content)
    for lang in LANGUAGES:
        assert log.count(f"Publish {lang} translation of {SEED_SLUG}") == 1, log
    assert git(content, "fsck", "--strict", "--no-progress").strip() == ""
    tree = set(git(content, "ls-tree", "-r", "--name-only", "HEAD", "po").split())
    gettext = {"pt-BR": "pt_BR"}
    assert tree == {f"po/{SEED_SLUG}/{SEED_SLUG}.pot"} | {
        f"po/{SEED_SLUG}/{gettext.get(lang, lang)}.po" for lang in LANGUAGES
    }
    for lang in LANGUAGES:
        name = f"po/{SEED_SLUG}/{gettext.get(lang, lang)}.po"
        assert git(content, "show", f"HEAD:{name}") == (content / name).read_text(encoding="utf-8")
    assert git(content, "status", "--porcelain").strip() == ""
