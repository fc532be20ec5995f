"""The task queue that wakes the worker: huey, on a SQLite file by default, Redis to share it.

1. ``CHORUS_QUEUE_URL`` names the storage: ``sqlite:///<file>`` (the default, a file
   beside the default database: no server to run) or ``redis://host:port/db`` when
   several machines share the work.
2. The queue carries publication and webhook delivery ids only. The ``publications``
   and ``deliveries`` rows are the record of what is due (:mod:`service.publishing`,
   :mod:`service.webhooks`); a message lost with the queue is redone when the worker
   starts (:meth:`Queue.redo_pending`), by its sweep every five minutes (rows idle for
   ten minutes, or longer than the longest retry wait: :func:`lost_after`), or, for
   publications, by ``chorus publish``.
3. A publication that fails on git, and a delivery the receiver does not accept, is
   retried by huey with exponential backoff (``CHORUS_RETRY_DELAY`` seconds, doubling,
   :data:`RETRIES` times); the last attempt marks it failed, and ``chorus publish``
   (or ``chorus webhook retry``) tries it again.
4. ``chorus worker`` runs :meth:`Queue.run`: one consumer thread per worker, each
   task in its own app context. Web processes only enqueue.
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab

from service import publishing, webhooks
from service.content import Content
from service.db import db
from service.errors import ChorusError, QueueError

RETRIES = 6
SWEEP_MINUTES = 5
LOST_AFTER = 600  # seconds idle before a due row counts as lost, at the least


def lost_after(retry_delay: float) -> float:
    """Seconds a due row must sit untouched before its message counts as lost: longer than
    the longest wait between two retries (``retry_delay`` doubled at each), so the sweep
    never starts a second retry chain beside one that is only waiting."""
    return max(LOST_AFTER, 2 * retry_delay * 2 ** (RETRIES - 1))


log = logging.getLogger(__name__)


class PublicationFailed(Exception):
    """Raised inside a task so that huey schedules its retry."""


class DeliveryFailed(Exception):
    """Raised inside a delivery task so that huey schedules its retry."""


def make_huey(url: str) -> Huey:
    """The huey instance for a queue URL; raises ChorusError for one it cannot use."""
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey("chorus", filename=str(path), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("chorus", url=url, results=False)
    raise ChorusError(f"CHORUS_QUEUE_URL={url!r}: use sqlite:///<file> or redis://host:port/db")


class Queue:
    """The app's task queue: enqueue from any process, run in ``chorus worker``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._huey: Huey | None = None
        self._publish = None
        self._deliver = None

    @property
    def huey(self) -> Huey:
        """The huey instance, made on first use (so a command that never queues anything
        creates no queue file)."""
        if self._huey is None:
            self._huey = make_huey(self.app.config["QUEUE_URL"])

            @self._huey.task(
                retries=RETRIES,
                retry_delay=self.app.config["RETRY_DELAY"],
                retry_backoff=2,
                context=True,
                name="publish",
            )
            def publish(publication_id: int, task=None) -> None:
                final = task is None or task.retries == 0
                result = self._process(publication_id, final=final)
                if result.error and not final:
                    raise PublicationFailed(result.summary())

            @self._huey.task(
                retries=RETRIES,
                retry_delay=self.app.config["RETRY_DELAY"],
                retry_backoff=2,
                context=True,
                name="deliver",
            )
            def deliver(delivery_id: int, task=None) -> None:
                final = task is None or task.retries == 0
                result = self._attempt(delivery_id, final=final)
                if result.retry:
                    raise DeliveryFailed(result.summary())

            @self._huey.periodic_task(crontab(minute=f"*/{SWEEP_MINUTES}"), name="sweep")
            def sweep() -> None:
                self.redo_pending(idle_for=lost_after(self.app.config["RETRY_DELAY"]))

            self._publish = publish
            self._deliver = deliver
        return self._huey

    def _task(self):
        _ = self.huey
        return self._publish

    def _attempt(self, delivery_id: int, *, final: bool) -> webhooks.DeliveryResult:
        with self.app.app_context():
            try:
                result = webhooks.deliver(delivery_id, final=final)
            finally:
                db.session.remove()
        log.info("%s", result.summary())
        return result

    def _process(self, publication_id: int, *, final: bool) -> publishing.PublishResult:
        with self.app.app_context():
            try:
                result = publishing.process(
                    Content.from_config(self.app.config), publication_id, final=final
                )
            finally:
                db.session.remove()
        log.info("%s", result.summary())
        return result

    def publish(self, publication_ids: list[int]) -> None:
        """Hand publications to the worker; raises whatever the queue's storage raises."""
        task = self._task() if publication_ids else None
        for ident in publication_ids:
            task(ident)

    def deliver(self, delivery_ids: list[int]) -> None:
        """Hand webhook deliveries to the worker; raises whatever the queue's storage raises."""
        if delivery_ids:
            _ = self.huey
        for ident in delivery_ids:
            self._deliver(ident)

    def redo_pending(self, *, idle_for: float = 0) -> list[int]:
        """Enqueue every publication and webhook delivery the database says is due (on the
        worker's start; and every few minutes those idle for ``idle_for`` seconds, whose
        message was lost). Returns the publications' ids."""
        with self.app.app_context():
            ids = publishing.pending(Content.from_config(self.app.config), idle_for=idle_for)
            deliveries = webhooks.pending(idle_for=idle_for)
            db.session.remove()
        try:
            self.publish(ids)
            self.deliver(deliveries)
        except Exception as error:  # the storage's own error (Redis down, a bad file)
            raise QueueError(f"the task queue cannot be reached: {error}") from None
        if deliveries:
            log.info("%s pending webhook delivery(ies) queued again", len(deliveries))
        return ids

    def run(self, workers: int = 1, *, poll: float = 1.0) -> None:
        """Run the consumer until SIGINT/SIGTERM; polls at most every ``poll`` seconds."""
        consumer = self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, max_delay=poll
        )
        consumer.run()
