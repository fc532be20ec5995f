"""Fixtures in the manner of Flask's tutorial: ``app``, ``client``, ``runner``, plus
``content`` (a scratch git work tree holding a copy of the articles) and ``ctx``
(an app context with the schema migrated, for use-case tests).

Every database test runs on SQLite, and on PostgreSQL too when
``CHORUS_TEST_DATABASE_URL`` names a database the tests may wipe (``.ci/run``
makes one). No test touches the repository's own ``po/`` or git history.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url

from service import accounts, create_app, db, importing, publishing
from service.content import Content
from service.models import User

ROOT = Path(__file__).parents[1]
CHORUS = str(Path(sys.executable).parent / "chorus")
SEED_SLUG = "leadership-development-task-force"
POSTGRES = os.environ.get("CHORUS_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES else ["sqlite"]


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's git configuration or inherits another repository."""
    for name in list(os.environ):
        if name.startswith("GIT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A git work tree holding a copy of the repository's articles and an empty po/."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "source", folder / "source")
    (folder / "po").mkdir()
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.name", "Site Owner")
    git(folder, "config", "user.email", "owner@example.org")
    git(folder, "add", "source")
    git(folder, "commit", "-q", "-m", "Articles")
    return folder


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> str:
    """A PostgreSQL database of this test process's own: under pytest-xdist each worker
    gets ``<name>_<worker>``, made once, next to the one ``CHORUS_TEST_DATABASE_URL`` names."""
    if worker_id == "master":
        return POSTGRES
    url = make_url(POSTGRES)
    name = f"{url.database}_{worker_id}"
    engine = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'chorus.db'}"
    url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA public CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    return url


@pytest.fixture
def app(content: Path, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        }
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.upgrade()
    yield app
    with app.app_context():
        db.db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Content]:
    """An app context for calling use cases directly; yields the content settings."""
    with app.app_context():
        yield Content.from_config(app.config)
        db.db.session.remove()


@pytest.fixture
def people(ctx: Content) -> dict[str, User]:
    """The seed article imported, three translators and a reviewer."""
    importing.import_article(ctx, SEED_SLUG)
    return {
        "ana": accounts.add_user("ana", "translator", email="ana@example.org"),
        "bo": accounts.add_user("bo", "translator"),
        "cy": accounts.add_user("cy", "translator", email="cy@example.org"),
        "rev": accounts.add_user("rev", "reviewer", email="rev@example.org"),
    }


def drain(content: Content) -> list[publishing.PublishResult]:
    """Do every pending publication here, as the worker would (no worker runs in most tests)."""
    return [publishing.process(content, ident) for ident in publishing.pending(content)]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class Worker:
    """A real ``chorus worker`` process in its own process group, its output in a log file
    (the reliability and browser tests start them)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [CHORUS, "worker", "--poll", "0.2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not stopped within 30 s."""
        try:
            self.kill(signal.SIGTERM)
        except subprocess.TimeoutExpired:
            self.kill(signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(errors="replace")
