"""Publication to git: a change that finishes a language only queues its publication (git is
never touched by a save); the worker (here ``drain``, or ``publishing.publish``) makes one commit
of its PO file, credited to its translators; nothing else in the work tree is touched; failures
(a busy index, a remote that cannot be reached, a repository gone) never lose a save, are
recorded on the publication, shown, and retried.

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

from service import accounts, coverage, create_app, importing, publishing, queries, translating
from service.cli import main
from service.content import Content
from service.db import db
from service.errors import ChorusError, PermissionDenied
from service.models import Publication, PublicationStatus, User
from service.translating import SaveResult
from tests.conftest import SEED_SLUG, drain, git

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


def queued(slug: str, lang: str) -> bool:
    return coverage.language_status(queries.article(slug), lang).queued


def publications(lang: str) -> list[tuple[str, int]]:
    """(status, attempts) of every publication of ``lang``, oldest first."""
    db.session.expire_all()
    rows = db.session.scalars(
        db.select(Publication).where(Publication.language == lang).order_by(Publication.id)
    )
    return [(row.status, row.attempts) for row in rows]


@pytest.fixture
def team(ctx: Content, people: dict[str, User]) -> dict[str, User]:
    """The ``people`` fixture, with the seed article's template already published."""
    assert [(r.language, r.error) for r in drain(ctx)] == [("template", None)]
    return people


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
def test_finishing_a_language_queues_one_commit_credited_to_its_translators(
    ctx: Content,
    team: dict[str, User],
    content: Path,
    tmp_path: Path,
    lang: str,
    file: str,
    turns: tuple[str, ...],
    author: str,
    co_authors: list[str],
) -> None:
    before = head(content)
    path = f"po/{SEED_SLUG}/{file}.po"
    results = finish(ctx, lang, [team[name] for name in turns])

    # The saves touch no git: the last one queues the publication, and that is all.
    assert [r.publication_queued for r in results] == [False] * (SEED_SEGMENTS - 1) + [True]
    assert head(content) == before
    assert not (content / path).exists()
    assert queued(SEED_SLUG, lang)
    assert coverage.language_status(queries.article(SEED_SLUG), lang).state == "finished"

    [done] = drain(ctx)

    assert (done.language, done.error, done.skipped) == (lang, None, None)
    assert done.commit == head(content)
    assert git(content, "show", "--name-only", "--format=", "HEAD").split() == [path]
    assert git(content, "rev-parse", "HEAD~1").strip() == before  # one commit
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
    assert (status.state, status.published_commit, status.problem, status.queued) == (
        "published",
        head(content),
        None,
        False,
    )
    assert publications(lang) == [(PublicationStatus.COMMITTED, 1)]
    assert drain(ctx) == []


def test_only_po_is_committed_and_the_rest_of_the_work_tree_stays_as_it_was(
    ctx: Content, team: dict[str, User], content: Path
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
    assert finish(ctx, "fr", [team["ana"], team["bo"]])[-1].publication_queued
    assert state() == before

    [done] = drain(ctx)

    assert done.commit == head(content)
    assert git(content, "show", "--name-only", "--format=", "HEAD").split() == [
        f"po/{SEED_SLUG}/fr.po"
    ]
    assert state() == before
    assert (content / "untracked.txt").read_text(encoding="utf-8") == "untracked\n"
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""


def test_publishing_again_commits_nothing(
    ctx: Content, team: dict[str, User], content: Path, runner: FlaskCliRunner
) -> None:
    finish(ctx, "fr", [team["ana"], team["bo"]])
    [first] = drain(ctx)
    done = head(content)
    assert first.commit == done

    rows = db.session.scalar(db.select(db.func.count()).select_from(Publication))
    for _ in range(2):
        assert publishing.publish(ctx) == []  # nothing is due: no row, no commit
        assert head(content) == done
    assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) == rows

    result = runner.invoke(main, ["publish"])
    assert result.exit_code == 0, result.output
    assert "nothing to publish" in result.stdout
    assert head(content) == done
    assert len(published(content, "fr")) == 1
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""
    assert coverage.language_status(queries.article(SEED_SLUG), "fr").published_commit == done


def test_a_language_that_stopped_being_finished_is_not_published(
    ctx: Content, team: dict[str, User], content: Path
) -> None:
    results = finish(ctx, "fr", [team["ana"]])
    assert results[-1].publication_queued
    before = head(content)
    last = queries.segments(queries.article(SEED_SLUG))[-1]
    cleared = translating.save(ctx, SEED_SLUG, "fr", last.number, "", 1, team["ana"])
    assert (cleared.applied, cleared.publication_queued) == (True, False)

    [done] = drain(ctx)

    assert (done.language, done.commit, done.skipped) == ("fr", None, "no longer finished")
    assert head(content) == before
    assert published(content, "fr") == []
    assert publications("fr") == [(PublicationStatus.SKIPPED, 0)]
    assert coverage.language_status(queries.article(SEED_SLUG), "fr").state == "in progress"


def test_a_stale_index_lock_does_not_stop_publication(
    ctx: Content, team: dict[str, User], content: Path
) -> None:
    lock = content / ".git" / "index.lock"
    lock.write_bytes(b"")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(lock, (two_hours_ago, two_hours_ago))

    assert finish(ctx, "fr", [team["ana"]])[-1].publication_queued
    [done] = drain(ctx)

    assert (done.error, done.commit) == (None, head(content))
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert not lock.exists()


def test_a_fresh_index_lock_fails_publication_which_is_shown_and_retried(
    ctx: Content, team: dict[str, User], content: Path, runner: FlaskCliRunner
) -> None:
    lock = content / ".git" / "index.lock"
    lock.write_bytes(b"")
    before = head(content)

    results = finish(ctx, "fr", [team["ana"]])

    last = results[-1]
    assert (last.applied, last.publication_queued) == (True, True)
    item = queries.article(SEED_SLUG)
    texts = {t.text for t in queries.translations(item, "fr").values()}
    assert texts == {french(row.source) for row in queries.segments(item)}

    # A worker's attempt that is not the last: the reason is recorded, the row stays due.
    [ident] = publishing.pending(ctx)
    attempt = publishing.process(ctx, ident, final=False)
    assert (attempt.commit, attempt.queued) == (None, True)
    assert "index.lock" in (attempt.error or "")
    assert head(content) == before
    assert publications("fr") == [(PublicationStatus.PENDING, 1)]
    assert (problem(SEED_SLUG, "fr"), queued(SEED_SLUG, "fr")) == (attempt.error, True)

    # The last attempt: failed, shown to coordinators, no longer queued.
    [final] = drain(ctx)
    assert (final.commit, final.queued, final.error) == (None, False, attempt.error)
    assert publications("fr") == [(PublicationStatus.FAILED, 2)]
    assert (problem(SEED_SLUG, "fr"), queued(SEED_SLUG, "fr")) == (attempt.error, False)
    assert head(content) == before
    stats = runner.invoke(main, ["stats"])
    assert stats.exit_code == 0, stats.output
    [line] = [line for line in stats.stdout.splitlines() if line.strip().startswith("fr ")]
    assert "problem" in line and "index.lock" in line
    assert "publication queued" not in line
    assert lock.exists()  # a person's git may be working: never removed while fresh

    lock.unlink()
    retried = [r for r in publishing.publish(ctx) if r.language == "fr" and not r.skipped]
    assert [(r.commit, r.error) for r in retried] == [(head(content), None)]
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert problem(SEED_SLUG, "fr") is None
    assert coverage.language_status(item, "fr").state == "published"


def test_a_failed_push_keeps_the_commit_is_shown_and_retried(
    ctx: Content, team: dict[str, User], content: Path, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    remote = tmp_path / "nowhere.git"
    pushing = replace(ctx, git_push=str(remote))

    results = finish(pushing, "fr", [team["ana"], team["bo"]])
    assert results[-1].publication_queued
    # The worker pushes what is committed and not pushed yet: the template, then fr.
    template, done = drain(pushing)

    assert (template.language, done.language) == ("template", "fr")
    assert template.error and "push" in template.error
    assert done.commit == head(content)
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert done.error and "push" in done.error
    assert problem(SEED_SLUG, "fr") == done.error
    assert coverage.language_status(queries.article(SEED_SLUG), "fr").state == "published"
    stats = runner.invoke(main, ["stats"])
    assert "problem: " in stats.stdout

    git(tmp_path, "init", "-q", "--bare", str(remote))
    retried = [r for r in publishing.publish(pushing) if r.language == "fr" and not r.skipped]
    assert [(r.commit, r.error) for r in retried] == [(head(content), None)]
    assert git(remote, "rev-parse", "refs/heads/main").strip() == head(content)
    assert problem(SEED_SLUG, "fr") is None
    assert len(published(content, "fr")) == 1
    assert publishing.pending(pushing) == []


def test_a_repository_gone_after_start_keeps_every_save_and_records_the_reason(
    ctx: Content, content: Path
) -> None:
    shutil.rmtree(content / ".git")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.queued == ("template",)
    ana = accounts.add_user("ana", "translator")

    results = finish(ctx, "fr", [ana])

    last = results[-1]
    assert (last.applied, last.publication_queued) == (True, True)
    done = drain(ctx)
    reason = f"{content} is not a git repository"
    assert [(r.language, r.commit) for r in done] == [("template", None), ("fr", None)]
    assert all(reason in (r.error or "") for r in done)
    item = queries.article(SEED_SLUG)
    assert len(queries.translations(item, "fr")) == SEED_SEGMENTS
    status = coverage.language_status(item, "fr")
    assert (status.state, status.problem, status.queued) == ("finished", done[-1].error, False)
    assert not (content / "po" / SEED_SLUG / "fr.po").exists()

    # The repository is back: publishing again commits what was due.
    git(content, "init", "-q", "-b", "main")
    retried = [r for r in publishing.publish(ctx) if not r.skipped]
    assert [(r.language, r.error) for r in retried] == [("template", None), ("fr", None)]
    assert published(content, "fr") == [f"Publish fr translation of {SEED_SLUG}"]
    assert coverage.language_status(item, "fr").state == "published"


@pytest.mark.parametrize("kind", ["missing", "plain"])
def test_content_that_is_not_a_git_work_tree_is_refused_at_start(
    content: Path, tmp_path: Path, kind: str
) -> None:
    folder = tmp_path / kind
    if kind == "plain":
        shutil.copytree(content / "source", folder / "source")
    reason = "no such folder" if kind == "missing" else "not a git work tree"
    with pytest.raises(ChorusError, match=reason) as raised:
        create_app(
            {
                "TESTING": True,
                "CONTENT_DIR": folder,
                "SECRET_KEY": "test",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'chorus.db'}",
            }
        )
    assert str(raised.value).startswith(f"CHORUS_CONTENT_DIR={str(folder)!r}: ")
    assert not (folder / ".chorus").exists()
    assert not (tmp_path / "chorus.db").exists()


def test_review_required_publishes_only_once_every_segment_is_approved(
    ctx: Content, team: dict[str, User], content: Path
) -> None:
    item = queries.article(SEED_SLUG)
    item.review_required = True
    db.session.commit()

    results = finish(ctx, "fr", [team["ana"], team["bo"]])

    assert not any(r.publication_queued for r in results)
    assert coverage.language_status(item, "fr").state == "in progress"
    assert drain(ctx) == []
    assert published(content, "fr") == []
    numbers = [row.number for row in queries.segments(item)]
    with pytest.raises(PermissionDenied):
        translating.approve(ctx, SEED_SLUG, "fr", numbers[0], 1, team["ana"])

    for number in numbers[:-1]:
        approved = translating.approve(ctx, SEED_SLUG, "fr", number, 1, team["rev"])
        assert (approved.applied, approved.publication_queued) == (True, False)
    status = coverage.language_status(item, "fr")
    assert (status.state, status.finished, status.counts.done(True)) == (
        "in progress",
        False,
        SEED_SEGMENTS - 1,
    )
    assert drain(ctx) == []
    assert published(content, "fr") == []

    before = head(content)
    last = translating.approve(ctx, SEED_SLUG, "fr", numbers[-1], 1, team["rev"])
    assert last.publication_queued
    assert head(content) == before
    [done] = drain(ctx)
    assert done.commit == head(content)
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
    drain(ctx)  # the templates
    item = queries.article("links")
    first, second = (row.number for row in queries.segments(item))
    assert queries.segment(item, first).source == "See [the page]{1}."

    bad = translating.save(ctx, "links", "fr", first, broken, 0, people["ana"])
    assert check in {c.id for c in bad.checks if c.severity == "critical"}
    done = translating.save(ctx, "links", "fr", second, "Texte simple.", 0, people["ana"])

    assert (bad.publication_queued, done.publication_queued) == (False, False)
    status = coverage.language_status(item, "fr")
    assert (status.state, status.finished, status.critical, status.queued) == (
        "in progress",
        False,
        1,
        False,
    )
    assert publishing.publish(ctx, "links") == []  # nothing finished, nothing due
    assert published(content, "fr", "links") == []

    fixed = translating.save(ctx, "links", "fr", first, "Voir [la page]{1}.", 1, people["ana"])
    assert fixed.publication_queued
    assert published(content, "fr", "links") == []
    [result] = drain(ctx)
    assert (result.language, result.commit) == ("fr", head(content))
    assert published(content, "fr", "links") == ["Publish fr translation of links"]


LANGUAGES = ("fr", "de", "es", "it", "ja", "pt-BR", "ru", "uk")

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path

    import polib

    from service import accounts, create_app, offline, publishing
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
        # Then this process works as a worker: it does whatever is due, as eight workers
        # would, all at once, under the repository lock.
        done = [publishing.process(content, ident) for ident in publishing.pending(content)]
        print(json.dumps(dict(
            counts=report.counts(),
            queued=report.publication_queued,
            done=[[r.language, r.commit, r.error, r.skipped] for r in done],
        )))
    """
).replace("{slug}", SEED_SLUG)


def test_eight_languages_finished_at_once_all_land(content: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CHORUS_CONTENT_DIR": str(content),
        "CHORUS_DATABASE_URL": f"sqlite:///{tmp_path / 'chorus.db'}",
        "CHORUS_QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        "CHORUS_SECRET_KEY": "test",
    }
    init = subprocess.run(
        [CHORUS, "init"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert init.returncode == 0, init.stderr
    before = head(content)
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
        assert head(content) == before  # init only queued the template
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

    log = subjects(content)
    commits: dict[str, set[str]] = {}
    for lang, outcome in outcomes.items():
        assert outcome["counts"] == {"applied": SEED_SEGMENTS}, lang
        assert outcome["queued"] is True, lang
        for language, commit, error, skipped in outcome["done"]:
            assert (error, skipped) == (None, None), (lang, language, error, skipped)
            commits.setdefault(language, set()).add(commit)
    # Each publication was committed once, whichever worker got to it first.
    assert set(commits) == {"template", *LANGUAGES}
    assert all(len(shas) == 1 and None not in shas for shas in commits.values()), commits
    assert len(log) == 1 + 1 + len(LANGUAGES)  # the articles, the template, each language
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
        [sha] = commits[lang]
        assert git(content, "log", "-1", "--format=%H", "--", name).strip() == sha
    assert git(content, "status", "--porcelain").strip() == ""
