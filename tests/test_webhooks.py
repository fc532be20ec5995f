"""Webhooks: a real receiver on 127.0.0.1, signed bodies, retries, the URL rule, the events.

Only loopback traffic (``CHORUS_WEBHOOK_ALLOW_LOOPBACK`` on where a test sends anything);
every wait is bounded.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from service import db, importing, publishing, queries, translating, webhooks
from service import feedback as feedback_module
from service.cli import main
from service.content import Content
from service.core.errors import ChorusError
from service.errors import Conflict, NotFound
from service.models import Delivery, DeliveryStatus, User
from service.queue import make_huey
from tests.conftest import SEED_SLUG, Worker, drain

SECRET = "a shared secret"
BOUND = 60.0  # seconds: the longest any wait here may take


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiving server got, and how it answers: ``answers`` in turn (then 200);
    with ``hang``, it holds every request until ``release`` (or BOUND seconds)."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    hang: bool = False
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


def until(what: Callable[[], object], *, timeout: float = BOUND) -> object:
    """Poll ``what`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"not true within {timeout} s: {what}")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            if state.hang:
                state.arrived.set()
                state.release.wait(BOUND)
            status = state.answers.pop(0) if state.answers else 200
            try:
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"{state.url}elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the client gave up waiting
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=BOUND)


@pytest.fixture
def loopback(app: Flask, ctx: Content) -> Content:
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    return ctx


@pytest.fixture
def worker(
    app: Flask, content: Path, database_url: str, tmp_path: Path, loopback: Content
) -> Iterator[Worker]:
    """A real ``chorus worker`` on the test's database and queue, retrying after 1 s (a
    message carries the retry delay of the process that queued it: this one's)."""
    app.config["RETRY_DELAY"] = 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHORUS_")}
    env.update(
        CHORUS_CONTENT_DIR=str(content),
        CHORUS_DATABASE_URL=database_url,
        CHORUS_QUEUE_URL=app.config["QUEUE_URL"],
        CHORUS_SECRET_KEY="test",
        CHORUS_WEBHOOK_ALLOW_LOOPBACK="on",
        CHORUS_RETRY_DELAY="1",
    )
    running = Worker(env, tmp_path / "worker.log")
    until(lambda: "worker started" in running.output() or running.process.poll() is not None)
    assert running.process.poll() is None, running.output()
    yield running
    running.stop()


def fetch(ident: int) -> Delivery:
    """The row as the database holds it now (another process may have changed it)."""
    db.db.session.rollback()
    row = db.db.session.get(Delivery, ident)
    db.db.session.refresh(row)
    return row


def feedback(text: str = "A reader wrote") -> list[Delivery]:
    rows = webhooks.notify("feedback", {"article": SEED_SLUG, "text": text})
    db.db.session.commit()
    return rows


def pending_messages(app: Flask) -> int:
    return app.extensions[publishing.QUEUE].huey.pending_count()


# -- signing and retrying ----------------------------------------------------------------------


def test_a_delivery_is_signed_over_its_exact_body(loopback: Content, receiver: Receiver) -> None:
    hook = webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback("Schön, danke")
    result = webhooks.deliver(row.id, final=True)
    assert result.status == DeliveryStatus.DELIVERED, result.summary()
    [got] = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), got.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(got.headers["X-Chorus-Signature-256"], expected)
    assert got.body == fetch(row.id).payload.encode("utf-8")
    assert got.path == "/hook/"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["User-Agent"] == "Chorus-Webhooks"
    assert got.headers["X-Chorus-Event"] == "feedback"
    assert got.headers["X-Chorus-Delivery"] == str(row.id)
    assert got.headers["Host"] == receiver.url.split("/")[2]
    body = json.loads(got.body)
    assert (body["event"], body["delivery"]) == ("feedback", row.id)
    assert body["at"].endswith("Z")
    assert body["data"] == {"article": SEED_SLUG, "text": "Schön, danke"}
    done = fetch(row.id)
    assert (done.status, done.attempts, done.response_status, done.error) == (
        "delivered",
        1,
        200,
        None,
    )
    assert done.delivered_at is not None and done.webhook_id == hook.id


def test_a_receiver_failing_once_gets_the_same_bytes_again_from_the_worker(
    app: Flask, worker: Worker, receiver: Receiver
) -> None:
    receiver.answers = [500]
    webhooks.register(receiver.url, SECRET, ["feedback"], None)
    [row] = feedback()
    until(lambda: fetch(row.id).status != DeliveryStatus.PENDING)
    done = fetch(row.id)
    assert (done.status, done.attempts, done.response_status) == ("delivered", 2, 200), (
        worker.output()
    )
    first, second = receiver.requests
    assert first.body == second.body == done.payload.encode("utf-8")
    assert first.headers["X-Chorus-Signature-256"] == second.headers["X-Chorus-Signature-256"]


def test_a_hanging_receiver_does_not_delay_a_save(
    loopback: Content, worker: Worker, receiver: Receiver, people: dict[str, User]
) -> None:
    receiver.hang = True
    webhooks.register(receiver.url, SECRET, "feedback published", None)
    [row] = feedback()
    assert receiver.arrived.wait(BOUND), worker.output()  # the worker is waiting on it now
    segment = queries.segments(queries.article(SEED_SLUG))[0]
    started = time.monotonic()
    saved = translating.save(loopback, SEED_SLUG, "fr", segment.number, "FR", 0, people["ana"])
    more = feedback("and another")  # an event for the hanging receiver, in a save of its own
    elapsed = time.monotonic() - started
    assert saved.applied and more
    # The receiver holds the request for BOUND seconds and the worker waits webhooks.TIMEOUT
    # for it: a save that waited on either would take ten seconds at least.
    assert elapsed < webhooks.TIMEOUT / 2
    still = fetch(row.id)
    assert (still.status, still.attempts) == ("pending", 0)  # the delivery is still in flight


def test_the_last_failure_marks_it_failed_and_retry_delivers_it(
    app: Flask, loopback: Content, receiver: Receiver
) -> None:
    receiver.answers = [503]
    webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    failed = webhooks.deliver(row.id, final=True)
    assert (failed.status, failed.response_status, failed.retry) == ("failed", 503, False)
    log = fetch(row.id)
    assert (log.status, log.attempts, log.error) == ("failed", 1, "the receiver answered 503")
    assert webhooks.deliveries()[0].id == row.id

    app.extensions[publishing.QUEUE].huey.flush()
    again = webhooks.retry(row.id)
    assert again.status == DeliveryStatus.PENDING
    assert pending_messages(app) == 1  # queued after the commit
    assert webhooks.deliver(row.id, final=True).status == DeliveryStatus.DELIVERED
    done = fetch(row.id)
    assert (done.status, done.attempts, done.response_status) == ("delivered", 2, 200)
    first, second = receiver.requests
    assert first.body == second.body
    with pytest.raises(Conflict, match="delivered already"):
        webhooks.retry(row.id)
    with pytest.raises(NotFound):
        webhooks.retry(row.id + 100)


def test_a_failed_attempt_before_the_last_stays_pending_for_the_queue(
    loopback: Content, receiver: Receiver
) -> None:
    receiver.answers = [500]
    webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    result = webhooks.deliver(row.id, final=False)
    assert result.retry and "will be retried" in result.summary()
    assert (fetch(row.id).status, fetch(row.id).attempts) == ("pending", 1)


def test_redirects_are_not_followed(loopback: Content, receiver: Receiver) -> None:
    receiver.answers = [302]
    webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    result = webhooks.deliver(row.id, final=True)
    assert (result.status, result.response_status) == ("failed", 302)
    assert "redirects are not followed" in (result.error or "")
    assert len(receiver.requests) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    loopback: Content, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.5)
    receiver.hang = True
    webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    started = time.monotonic()
    result = webhooks.deliver(row.id, final=False)
    assert time.monotonic() - started < BOUND / 2
    assert result.retry and result.error == "no answer within 0.5 s"


def test_the_address_is_checked_again_at_delivery(
    app: Flask, loopback: Content, receiver: Receiver
) -> None:
    webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    app.config["WEBHOOK_ALLOW_LOOPBACK"] = False
    result = webhooks.deliver(row.id, final=True)
    assert result.status == "failed" and "a loopback address" in (result.error or "")
    assert receiver.requests == []


def test_a_delivered_or_removed_delivery_is_not_sent_twice(
    loopback: Content, receiver: Receiver
) -> None:
    hook = webhooks.register(receiver.url, SECRET, "feedback", None)
    [row] = feedback()
    ident = row.id
    assert webhooks.deliver(ident, final=True).status == "delivered"
    assert webhooks.deliver(ident, final=True).status == "skipped"
    webhooks.remove(hook.id)
    assert webhooks.deliver(ident, final=True).status == "skipped"
    assert len(receiver.requests) == 1
    assert webhooks.deliveries() == []  # the log goes with its webhook
    with pytest.raises(NotFound):
        webhooks.remove(hook.id)


# -- recording events in the caller's transaction --------------------------------------------


def test_events_are_queued_after_the_commit_and_never_after_a_rollback(
    app: Flask, loopback: Content, receiver: Receiver
) -> None:
    webhooks.register(receiver.url, SECRET, "feedback", None)
    webhooks.register(receiver.url + "other", SECRET, "published outdated", None)
    app.extensions[publishing.QUEUE].huey.flush()
    rows = webhooks.notify("feedback", {"text": "x"})
    assert len(rows) == 1 and pending_messages(app) == 0  # nothing before the commit
    db.db.session.rollback()
    assert pending_messages(app) == 0 and webhooks.deliveries() == []
    feedback()
    assert pending_messages(app) == 1
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.notify("deleted", {})


def test_an_event_recorded_in_a_web_request_is_queued_when_the_request_commits(
    app: Flask, loopback: Content, receiver: Receiver
) -> None:
    webhooks.register(receiver.url, SECRET, "feedback", None)

    def view() -> str:  # what a feedback view's use case does
        rows = webhooks.notify("feedback", {"text": "from a reader"})
        db.db.session.commit()
        return str(rows[0].id)

    app.add_url_rule("/test-only/feedback", "test_feedback", view)
    app.extensions[publishing.QUEUE].huey.flush()
    answer = app.test_client().get("/test-only/feedback")
    assert answer.status_code == 200, answer.text
    assert pending_messages(app) == 1
    assert webhooks.deliver(int(answer.text), final=True).status == "delivered"
    assert json.loads(receiver.requests[0].body)["data"] == {"text": "from a reader"}


def test_a_queue_that_cannot_be_reached_never_fails_the_commit(
    app: Flask, loopback: Content, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    webhooks.register(receiver.url, SECRET, "feedback", None)
    queue = app.extensions[publishing.QUEUE]
    working = queue.huey.storage
    queue.huey.storage = make_huey("redis://127.0.0.1:1/0").storage  # nothing listens there
    [row] = feedback()
    assert "stay pending: queue unavailable" in caplog.text
    assert webhooks.pending() == [row.id]
    queue.huey.storage = working
    queue.huey.flush()
    queue.redo_pending()  # what the worker does when it starts
    assert pending_messages(app) == 1


def test_published_and_outdated_events_carry_what_happened(
    loopback: Content, receiver: Receiver, people: dict[str, User], content: Path
) -> None:
    webhooks.register(receiver.url, SECRET, "published,outdated", None)
    webhooks.register(receiver.url + "feedback-only", SECRET, "feedback", None)
    item = queries.article(SEED_SLUG)
    for row in queries.segments(item):
        translating.save(loopback, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, None)
    drain(loopback)  # the template and fr: only a language raises an event
    [published] = webhooks.deliveries()
    commit = publishing.last_committed(item, "fr").commit
    body = json.loads(published.payload)
    assert (body["event"], body["delivery"], published.event) == (
        "published",
        published.id,
        "published",
    )
    assert body["data"] == {
        "article": SEED_SLUG,
        "title": "A Leadership Development Task Force",
        "language": "fr",
        "revision": 1,
        "commit": commit,
        "paths": {
            "md": f"/api/v1/articles/{SEED_SLUG}/fr.md",
            "html": f"/api/v1/articles/{SEED_SLUG}/fr.html",
            "po": f"/api/v1/articles/{SEED_SLUG}/fr.po",
        },
    }

    source = content / "source" / f"{SEED_SLUG}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("help to grow", "help us grow"), encoding="utf-8")
    importing.import_article(loopback, SEED_SLUG)
    outdated = webhooks.deliveries()[0]
    assert outdated.event == "outdated"
    assert json.loads(outdated.payload)["data"] == {
        "article": SEED_SLUG,
        "title": "A Leadership Development Task Force",
        "languages": ["fr"],
        "revision": 2,
        "retranslate": True,
    }
    importing.import_article(loopback, SEED_SLUG)  # unchanged: nothing happened
    source.write_text(text.replace("help to grow", "help them grow"), encoding="utf-8")
    importing.import_article(loopback, SEED_SLUG)  # fr was outdated already: not again
    assert [d.event for d in webhooks.deliveries()] == ["outdated", "published"]


def test_a_readers_feedback_is_an_event_for_the_feedback_receivers(
    loopback: Content, receiver: Receiver, people: dict[str, User]
) -> None:
    webhooks.register(receiver.url, SECRET, "feedback", None)
    webhooks.register(receiver.url + "published", SECRET, "published", None)
    for row in queries.segments(queries.article(SEED_SLUG)):
        translating.save(loopback, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, None)
    drain(loopback)
    comment = feedback_module.submit(SEED_SLUG, "fr", 3, "  « task force » reads oddly  ")
    [delivery] = [d for d in webhooks.deliveries() if d.event == "feedback"]
    assert delivery.webhook.url == receiver.url
    assert json.loads(delivery.payload)["data"] == {
        "article": SEED_SLUG,
        "language": "fr",
        "segment": 3,
        "comment": comment.id,
        "text": "« task force » reads oddly",
        "editor": f"/articles/{SEED_SLUG}/fr#s3",
    }


# -- the URL rule ------------------------------------------------------------------------------


REFUSED = [
    ("ftp://example.org/hook", "use an http or https URL"),
    ("javascript:alert(1)", "use an http or https URL"),
    ("http:///hook", "names no host"),
    ("http://[::1/hook", "names no host"),
    ("http://[not-ipv6]/hook", "names no host"),
    ("http://user:password@example.org/hook", "leave the user name and password out"),
    ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
    ("http://[fe80::1]/", "a link-local address"),
    ("http://[::ffff:169.254.169.254]/", "a link-local address"),
    ("http://localhost/", "a loopback address"),
    ("http://127.0.0.1:8080/", "a loopback address"),
    ("http://[::1]/", "a loopback address"),
    ("http://0.0.0.0/", "an unspecified address"),
    ("http://[::]/", "an unspecified address"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://240.0.0.1/", "a reserved address"),
    ("http://hooks.example.invalid/", "does not resolve"),
    ("http://127.0.0.1:99999/", "the port is not a number"),
    ("http://example.org:0/", "the port is not a number"),
    ("http://example.org/a b", "no spaces or control characters"),
    ("http://example.org/" + "a" * 2000, "longer than 2000 characters"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED, ids=[url[:40] for url, _ in REFUSED])
def test_urls_are_refused_with_their_reason(ctx: Content, url: str, reason: str) -> None:
    with pytest.raises(ChorusError, match=reason.replace("(", r"\(")):
        webhooks.register(url, SECRET, "published", None)
    assert webhooks.webhooks() == []


@pytest.mark.parametrize(
    "url", ["http://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/", "http://[::]/"]
)
def test_the_loopback_setting_allows_loopback_only(loopback: Content, url: str) -> None:
    with pytest.raises(ChorusError, match="Chorus sends no webhook there"):
        webhooks.register(url, SECRET, "published", None)
    assert webhooks.register("http://localhost:9/", SECRET, "published", None).id


def _own_address() -> str | None:
    """A non-loopback address of this machine (a UDP connect sends nothing), if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith(("127.", "0.")) else address


def test_an_address_of_this_machine_is_refused_even_with_loopback_allowed(
    loopback: Content,
) -> None:
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no address besides loopback")
    with pytest.raises(ChorusError, match="an address of this machine"):
        webhooks.register(f"http://{address}:8080/", SECRET, "published", None)


@pytest.mark.parametrize(
    ("secret", "events", "reason"),
    [
        ("", "published", "the secret is empty"),
        ("x" * 257, "published", "longer than 256 characters"),
        (SECRET, "published,deleted", "unknown event 'deleted'"),
        (SECRET, " , ", "name at least one event"),
        (SECRET, [], "name at least one event"),
    ],
)
def test_secrets_and_events_are_checked(
    loopback: Content, secret: str, events: str | list[str], reason: str
) -> None:
    with pytest.raises(ChorusError, match=reason):
        webhooks.register("http://127.0.0.1:9/", secret, events, None)


def test_events_are_kept_in_their_order_once(loopback: Content) -> None:
    hook = webhooks.register("http://127.0.0.1:9/", SECRET, "feedback, PUBLISHED feedback", None)
    assert hook.events == "published feedback"


# -- the command line --------------------------------------------------------------------------


def chorus(runner: FlaskCliRunner, *args: str, stdin: str | None = None):
    return runner.invoke(main, list(args), input=stdin)


def test_the_webhook_commands(runner: FlaskCliRunner, loopback: Content) -> None:
    added = chorus(
        runner, "webhook", "add", "http://127.0.0.1:9/hook", "--secret-stdin", stdin="s3cret\n"
    )
    assert added.exit_code == 0, added.output
    assert (
        added.output == "webhook 1 added: http://127.0.0.1:9/hook (published, outdated, feedback)\n"
    )
    assert webhooks.webhooks()[0].secret == "s3cret"
    listed = chorus(runner, "webhook", "list")
    assert (
        "http://127.0.0.1:9/hook" in listed.output
        and "published,outdated,feedback" in listed.output
    )
    assert chorus(runner, "webhook", "deliveries").output == "no deliveries\n"
    feedback()
    log = chorus(runner, "webhook", "deliveries")
    assert "feedback" in log.output and "pending" in log.output and "0 attempt(s)" in log.output
    assert chorus(runner, "webhook", "remove", "1").output == "webhook 1 removed\n"
    assert chorus(runner, "webhook", "list").output == "no webhooks\n"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "http://169.254.169.254/", "--secret", "s"), None, "a link-local address"),
        (("add", "http://127.0.0.1:9/"), None, "give the secret with --secret-stdin"),
        (("add", "http://127.0.0.1:9/", "--secret", "s", "--secret-stdin"), "s\n", "once"),
        (("add", "http://127.0.0.1:9/", "--secret-stdin"), "\n", "the secret is empty"),
        (("add", "http://127.0.0.1:9/", "--secret", "s", "--events", "x"), None, "unknown event"),
        (("remove", "7"), None, "no webhook 7"),
        (("retry", "7"), None, "no delivery 7"),
    ],
)
def test_webhook_command_errors_are_one_line(
    runner: FlaskCliRunner,
    loopback: Content,
    args: tuple[str, ...],
    stdin: str | None,
    message: str,
) -> None:
    result = chorus(runner, "webhook", *args, stdin=stdin)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith("Error: ") and message in line
