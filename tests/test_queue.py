"""The task queue: the storage a URL names, and what waking the worker does (and does not) do."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from flask import Flask

from service import publishing, queries, translating
from service.content import Content
from service.errors import ChorusError
from service.models import User
from service.queue import LOST_AFTER, RETRIES, lost_after, make_huey
from tests.conftest import SEED_SLUG


def redis_running() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


def test_a_sqlite_url_makes_its_folder(tmp_path: Path) -> None:
    huey = make_huey(f"sqlite:///{tmp_path / 'deep' / 'queue.db'}")
    assert huey.pending_count() == 0
    assert (tmp_path / "deep" / "queue.db").exists()


@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_url_shares_the_queue_between_processes() -> None:
    first, second = make_huey("redis://127.0.0.1:6379/15"), make_huey("redis://127.0.0.1:6379/15")
    first.flush()

    @first.task(name="noop")
    def noop() -> None:
        pass

    noop()
    assert second.pending_count() == 1  # another process (machine) sees the message
    first.flush()


def test_an_unknown_queue_url_is_a_setting_error() -> None:
    with pytest.raises(ChorusError, match="CHORUS_QUEUE_URL='amqp://x'"):
        make_huey("amqp://x")


def test_a_save_that_finishes_a_language_queues_exactly_one_publication(
    app: Flask, ctx: Content, people: dict[str, User]
) -> None:
    huey = app.extensions[publishing.QUEUE].huey
    huey.flush()
    rows = queries.segments(queries.article(SEED_SLUG))
    for row in rows[:-1]:
        result = translating.save(ctx, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, None)
        assert not result.publication_queued
    assert huey.pending_count() == 0
    last = rows[-1]
    done = translating.save(ctx, SEED_SLUG, "fr", last.number, f"FR {last.source}", 0, None)
    assert done.publication_queued
    assert huey.pending_count() == 1
    # Finishing it again (an edit of a finished language) does not add a second due row.
    current = queries.translation(last, "fr")
    again = translating.save(ctx, SEED_SLUG, "fr", last.number, "FR!", current.version, None)
    assert again.publication_queued
    assert len(publishing.pending(ctx)) == 1 + 1  # the template and fr


def test_a_queue_that_cannot_be_reached_never_fails_a_save(
    app: Flask, ctx: Content, people: dict[str, User], caplog: pytest.LogCaptureFixture
) -> None:
    broken = make_huey("redis://127.0.0.1:1/0").storage  # nothing listens there
    app.extensions[publishing.QUEUE].huey.storage = broken
    rows = queries.segments(queries.article(SEED_SLUG))
    for row in rows:
        result = translating.save(ctx, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, None)
        assert result.applied
    assert result.publication_queued  # the row is the record; the worker's start redoes it
    assert publishing.pending(ctx)
    assert "stay pending: queue unavailable" in caplog.text


def test_a_worker_whose_queue_cannot_be_reached_says_so_in_one_line(
    content: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    env.update(
        CHORUS_CONTENT_DIR=str(content),
        CHORUS_DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
        CHORUS_QUEUE_URL="redis://127.0.0.1:1/0",
    )
    chorus = str(Path(sys.executable).parent / "chorus")
    subprocess.run([chorus, "init"], env=env, check=True, capture_output=True, timeout=120)
    result = subprocess.run(
        [chorus, "worker"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 1
    [line] = [x for x in result.stderr.splitlines() if x.startswith("Error:")]
    assert line.startswith("Error: the task queue cannot be reached")


def test_the_sweep_waits_longer_than_the_longest_retry_before_calling_a_row_lost() -> None:
    assert lost_after(5) == LOST_AFTER  # the default: six retries from 5 s, 160 s at most
    longest_wait = 60 * 2 ** (RETRIES - 1)
    assert lost_after(60) > longest_wait  # a slow retry is never taken for a lost message
