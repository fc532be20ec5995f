"""Browser tests: Debian's Chromium, driven by Playwright, against the real app on a real port.

1. ``live``: the app of :func:`service.create_app` on a SQLite file database and a SQLite
   queue file in ``tmp_path``, with the seed article imported, served by werkzeug's
   ``make_server`` on 127.0.0.1 (a free port) in a daemon thread; one per test, so no test
   sees another's accounts or translations; shut down when the test ends.
2. ``browser``: one Chromium for the whole session (per pytest-xdist worker). A missing
   ``/usr/bin/chromium`` fails every browser test with a message saying how to install it:
   nothing is skipped. ``new_context`` makes fresh browser contexts (own cookies and
   localStorage) on the live server; ``page`` is a page in the first one. An uncaught
   JavaScript error on any page fails the test.
3. ``sign_up`` and ``sign_in`` go through the forms, as a volunteer would.
4. ``worker``: a real ``chorus worker`` process on the live server's content, database
   and queue, stopped when the test ends.
"""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Locator,
    Page,
    expect,
    sync_playwright,
)
from werkzeug.serving import make_server

from service import create_app, db, importing
from service.content import Content
from tests.conftest import ROOT, SEED_SLUG, Worker

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long enough password"
TIMEOUT_MS = 15_000  # the longest any one browser action or expectation may take
expect.set_options(timeout=TIMEOUT_MS)
EDITOR = f"/articles/{SEED_SLUG}/{{lang}}"
SEGMENTS = 22
FOOTNOTED = 11  # "... develop leaders [1]. ... or other reasons [2]."


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask
    content: Path
    database_url: str
    queue_url: str

    def get(self, path: str) -> Any:
        """GET a JSON document from the live server (reads are public)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return json.load(response)

    def segments(self, lang: str, slug: str = SEED_SLUG) -> dict[int, dict[str, Any]]:
        found = self.get(f"/api/v1/articles/{slug}/{lang}/segments")
        return {segment["id"]: segment for segment in found["segments"]}


@pytest.fixture
def live(content: Path, tmp_path: Path) -> Iterator[LiveServer]:
    database_url = f"sqlite:///{tmp_path / 'chorus.db'}"
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "QUEUE_URL": queue_url,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.upgrade()
        importing.import_article(Content.from_config(app.config), SEED_SLUG)
        db.db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            f"http://127.0.0.1:{server.server_port}", app, content, database_url, queue_url
        )
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()
        with app.app_context():
            db.db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(apt-get install chromium; .ci/run installs it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox"]
            )
        except Error as error:
            pytest.fail(f"{CHROMIUM} does not start: {error.message}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, live: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """Make a fresh browser context on the live server (options as Browser.new_context's)."""
    made: list[BrowserContext] = []
    errors: list[str] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("weberror", lambda error: errors.append(str(error.error)))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def sign_up(page: Page, name: str, email: str | None = None, password: str = PASSWORD) -> None:
    """Sign up through the form at /signup; the volunteer lands on the account page."""
    page.goto("/signup")
    fill_sign_up(page, name, email, password)
    expect(page).to_have_url(re.compile(r"/account$"))


def fill_sign_up(page: Page, name: str, email: str | None = None, password: str = PASSWORD):
    """Fill in and send the sign-up form the page shows."""
    form = page.locator("main form")
    form.get_by_label("Name").fill(name)
    if email:
        form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(name)


def sign_in(page: Page, name: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form the page shows."""
    form = page.locator("main form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Account")).to_contain_text(name)


def open_editor(page: Page, lang: str = "es") -> None:
    page.goto(EDITOR.format(lang=lang))
    wait_for_editor(page)


def wait_for_editor(page: Page) -> None:
    """The editor's module has run once the segment filter has counted what it shows."""
    expect(page.locator("#shown")).to_have_text(f"{SEGMENTS} of {SEGMENTS} segments shown")


def segment(page: Page, number: int) -> Locator:
    return page.locator(f"#s{number}")


def box(page: Page, number: int) -> Locator:
    return page.locator(f"#t{number}")


@pytest.fixture
def worker(live: LiveServer, tmp_path: Path) -> Iterator[Worker]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("CHORUS_", "GIT_"))
    }
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        CHORUS_CONTENT_DIR=str(live.content),
        CHORUS_DATABASE_URL=live.database_url,
        CHORUS_QUEUE_URL=live.queue_url,
        CHORUS_SECRET_KEY="test",
        CHORUS_RETRY_DELAY="1",
    )
    started = Worker(env, tmp_path / "worker.log")
    yield started
    started.stop()
