"""The worker does the git work, and git trouble never reaches a save.

A real ``chorus worker`` process on the test's database and queue; real git with a
held repository lock, a push remote whose hook hangs until the test lets it go, and
a SIGKILL in the middle of a publication. Every wait is bounded.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service import catalogs, publishing, queries, translating
from service.content import Content
from service.core import catalog
from service.db import db
from service.models import Publication, PublicationStatus, User
from tests.conftest import SEED_SLUG, Worker, drain, git

WAIT = 60.0  # seconds: the longest any condition below may take


def wait_for(condition: Callable[[], object], what: str, timeout: float = WAIT) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:g} s: {what}")


def finish(ctx: Content, lang: str, user: User) -> translating.SaveResult:
    """Translate every segment of the seed into ``lang``; returns the last save's result."""
    rows = queries.segments(queries.article(SEED_SLUG))
    for row in rows[:-1]:
        assert translating.save(
            ctx, SEED_SLUG, lang, row.number, f"T {row.source}", 0, user
        ).applied
    last = rows[-1]
    return translating.save(ctx, SEED_SLUG, lang, last.number, f"T {last.source}", 0, user)


def rows(lang: str) -> list[Publication]:
    query = db.select(Publication).where(Publication.language == lang)
    return list(db.session.scalars(query.order_by(Publication.id)))


def head(folder: Path) -> str:
    return git(folder, "rev-parse", "HEAD").strip()


def publish_commits(folder: Path, lang: str) -> list[str]:
    subject = f"Publish {lang} translation of {SEED_SLUG}"
    return [s for s in git(folder, "log", "--format=%s").splitlines() if s == subject]


@pytest.fixture
def worker_env(ctx: Content, content: Path, app, tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CHORUS_") and not key.startswith("GIT_")
    }
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        CHORUS_CONTENT_DIR=str(content),
        CHORUS_DATABASE_URL=app.config["DATABASE_URL"],
        CHORUS_QUEUE_URL=app.config["QUEUE_URL"],
        CHORUS_SECRET_KEY="test",
        CHORUS_GIT_TIMEOUT="2",
        CHORUS_RETRY_DELAY="1",
    )
    return env


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Worker]]:
    started: list[Worker] = []

    def start(env: dict[str, str]) -> Worker:
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.kill(signal.SIGTERM)


@pytest.fixture
def hanging_remote(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A bare remote whose pre-receive hook, for a push of a language's publication, touches
    ``entered`` and hangs until ``release`` exists (template pushes go through)."""
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, timeout=30)
    entered, release = tmp_path / "entered", tmp_path / "release"
    hook = remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        "read old new ref\n"
        'case "$(git log -1 --format=%s "$new")" in Publish*) ;; *) exit 0 ;; esac\n'
        f"touch '{entered}'\n"
        f"i=0; while [ ! -e '{release}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
        "exit 0\n"
    )
    hook.chmod(0o755)
    return remote, entered, release


def test_a_save_finishing_a_language_answers_while_git_is_locked_then_publishes(
    ctx: Content, content: Path, people: dict[str, User], worker_env, workers
) -> None:
    before = head(content)
    lock = os.open(content / ".git" / "chorus.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another Chorus process is doing git work
    try:
        last = finish(ctx, "fr", people["ana"])
        assert last.applied and last.publication_queued
        assert head(content) == before  # the save did no git work

        worker = workers(worker_env)
        wait_for(
            lambda: any(r.attempts >= 1 and "busy" in (r.error or "") for r in rows("fr")),
            "the worker tried and found the repository busy",
        )
        [row] = rows("fr")
        assert row.status == PublicationStatus.PENDING  # left for the retry
        assert head(content) == before
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)

    wait_for(
        lambda: rows("fr")[0].status == PublicationStatus.COMMITTED,
        "published once the lock is free",
    )
    [row] = rows("fr")
    assert row.commit == head(content) != before, worker.output()
    assert git(content, "log", "-1", "--format=%an").strip() == "ana"
    fr = catalog.loads(git(content, "show", f"{row.commit}:po/{SEED_SLUG}/fr.po"), "fr.po")
    assert [e.translation.startswith("T ") for e in fr.active] == [True] * 22


def test_saves_answer_while_a_push_hangs_and_everything_lands_after(
    ctx: Content, content: Path, people: dict[str, User], worker_env, workers, hanging_remote
) -> None:
    remote, entered, release = hanging_remote
    env = {**worker_env, "CHORUS_GIT_PUSH": str(remote), "CHORUS_GIT_TIMEOUT": "60"}
    workers(env)
    assert finish(ctx, "fr", people["ana"]).publication_queued
    wait_for(entered.exists, "the push reached the remote and hangs there")

    # The worker is stuck in a push holding the repository lock: saves do not care.
    second = finish(ctx, "de", people["bo"])
    assert second.applied and second.publication_queued
    saved = queries.translation(queries.segments(queries.article(SEED_SLUG))[0], "de")
    assert saved is not None and saved.text.startswith("T ")

    release.touch()
    wait_for(
        lambda: (
            all(r.status == PublicationStatus.COMMITTED and r.pushed for r in rows("fr"))
            and all(r.status == PublicationStatus.COMMITTED and r.pushed for r in rows("de"))
        ),
        "both languages committed and pushed",
    )
    pushed = git(remote, "rev-parse", "refs/heads/main").strip()
    assert pushed == head(content)
    assert len(publish_commits(content, "fr")) == len(publish_commits(content, "de")) == 1


def test_a_worker_killed_mid_publication_is_redone_with_nothing_lost(
    ctx: Content, content: Path, people: dict[str, User], worker_env, workers, hanging_remote
) -> None:
    remote, entered, release = hanging_remote
    env = {**worker_env, "CHORUS_GIT_PUSH": str(remote), "CHORUS_GIT_TIMEOUT": "60"}
    first = workers(env)
    assert finish(ctx, "fr", people["ana"]).publication_queued
    wait_for(entered.exists, "the worker is in the middle of the publication (pushing)")
    first.kill(signal.SIGKILL)
    [row] = rows("fr")
    assert not row.pushed
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""  # nothing half-written

    release.touch()
    second = workers(env)
    wait_for(lambda: rows("fr")[0].pushed, "the restarted worker redid the publication")
    assert "1 pending publication(s) queued again" in second.output()
    [row] = rows("fr")
    assert row.status == PublicationStatus.COMMITTED
    assert len(publish_commits(content, "fr")) == 1  # no stray commit
    assert git(remote, "rev-parse", "refs/heads/main").strip() == row.commit == head(content)
    fr = catalog.loads(git(content, "show", f"{row.commit}:po/{SEED_SLUG}/fr.po"), "fr.po")
    assert [e.translation.startswith("T ") for e in fr.active] == [True] * 22  # nothing lost


def test_a_publication_whose_commit_landed_before_the_crash_is_recorded_not_redone(
    ctx: Content, content: Path, people: dict[str, User]
) -> None:
    """The worker died after git committed but before the database recorded it."""
    assert finish(ctx, "fr", people["ana"]).publication_queued
    item = queries.article(SEED_SLUG)
    snap = catalogs.snapshot(ctx, item, "fr")
    repository = ctx.repository()
    from service.core.vcs import Identity

    landed = repository.commit(
        {ctx.catalog_name(SEED_SLUG, "fr"): snap.text.encode()},
        f"Publish fr translation of {SEED_SLUG}",
        Identity("ana", "ana@example.org"),
    )
    [row] = rows("fr")
    result = publishing.process(ctx, row.id)
    assert result.commit == landed == head(content)
    assert len(publish_commits(content, "fr")) == 1
    assert rows("fr")[0].status == PublicationStatus.COMMITTED


def test_a_language_no_longer_finished_when_the_worker_comes_is_not_committed(
    ctx: Content, content: Path, people: dict[str, User]
) -> None:
    before = head(content)
    assert finish(ctx, "fr", people["ana"]).publication_queued
    first = queries.segments(queries.article(SEED_SLUG))[0]
    current = queries.translation(first, "fr")
    translating.save(ctx, SEED_SLUG, "fr", first.number, "", current.version, people["bo"])
    [row] = rows("fr")
    result = publishing.process(ctx, row.id)
    assert result.skipped == "no longer finished"
    assert rows("fr")[0].status == PublicationStatus.SKIPPED
    assert head(content) == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Publication)) >= 1


def test_a_change_made_while_the_worker_commits_is_published_next(
    app, ctx: Content, content: Path, people: dict[str, User], monkeypatch
) -> None:
    """A translator edits a finished language while the worker is committing it: the
    commit made is recorded, and the edit is published by the next run, not lost."""
    from service.core.vcs import Repository

    drain(ctx)  # the template
    assert finish(ctx, "fr", people["ana"]).publication_queued
    first = queries.segments(queries.article(SEED_SLUG))[1]
    real = Repository.commit

    def commit_while_someone_saves(self, *args, **kwargs):
        with app.app_context():  # another request, its own session
            current = queries.translation(first, "fr")
            edited = translating.save(
                ctx, SEED_SLUG, "fr", first.number, "Corrigé", current.version, people["bo"]
            )
            assert edited.publication_queued
            db.session.remove()
        monkeypatch.setattr(Repository, "commit", real)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Repository, "commit", commit_while_someone_saves)
    [row] = rows("fr")
    publishing.process(ctx, row.id)
    db.session.expire_all()
    assert [r.status for r in rows("fr")] == [
        PublicationStatus.PENDING,
        PublicationStatus.COMMITTED,
    ]
    assert "Corrigé" not in git(content, "show", f"HEAD:po/{SEED_SLUG}/fr.po")

    drain(ctx)
    assert "Corrigé" in git(content, "show", f"HEAD:po/{SEED_SLUG}/fr.po")
    assert len(publish_commits(content, "fr")) == 2
    assert publishing.pending(ctx) == []


def test_a_worker_killed_between_the_git_commit_and_its_record_is_redone_without_a_second_commit(
    ctx: Content, content: Path, people: dict[str, User], worker_env, workers, tmp_path: Path
) -> None:
    drain(ctx)  # the template
    entered, release = tmp_path / "committed", tmp_path / "go-on"
    hook = content / ".git" / "hooks" / "post-commit"  # runs once git has made the commit
    hook.write_text(
        "#!/bin/sh\n"
        f"touch '{entered}'\n"
        f"i=0; while [ ! -e '{release}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\n"
    )
    hook.chmod(0o755)
    assert finish(ctx, "fr", people["ana"]).publication_queued
    first = workers(worker_env)
    wait_for(entered.exists, "git made the commit and the worker waits in its hook")
    first.kill(signal.SIGKILL)
    assert len(publish_commits(content, "fr")) == 1
    [row] = rows("fr")
    assert row.status == PublicationStatus.PENDING and row.commit is None  # not recorded

    hook.unlink()
    second = workers(worker_env)
    wait_for(lambda: rows("fr")[0].status == PublicationStatus.COMMITTED, "redone")
    [row] = rows("fr")
    assert len(publish_commits(content, "fr")) == 1, second.output()  # no second commit
    assert row.commit == head(content)
    assert git(content, "status", "--porcelain", "--", "po").strip() == ""
