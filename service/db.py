"""The database: Flask-SQLAlchemy over typed SQLAlchemy 2 models, Alembic migrations.

1. ``CHORUS_DATABASE_URL`` is any SQLAlchemy URL; the default is SQLite in
   ``<content>/.chorus/chorus.db``, with the content it describes (the folder
   ignores itself in git). SQLite connections run in WAL mode with a busy timeout
   and foreign keys on, so several gunicorn workers can share one file. A SQLite
   file is opened read-write but never created, except by :func:`upgrade`, so a
   command run before ``chorus init`` leaves no empty database behind.
2. The schema is made and upgraded only by migrations (``service/migrations``,
   Flask-Migrate): ``chorus init`` runs them; the tests run them too, so the
   migrations are what is tested.
3. Use cases get the session as ``db.session`` and commit their own
   transaction; views never touch the session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import Migrate
from flask_migrate import upgrade as _upgrade
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

MIGRATIONS = str(Path(__file__).parent / "migrations")
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(directory=MIGRATIONS, render_as_batch=True, compare_type=True)


def private_folder(content: Path) -> Path:
    """``<content>/.chorus``: the default database and queue, ignored by git."""
    folder = Path(content) / ".chorus"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Chorus's database and queue: never committed\n*\n")
    return folder


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL, or None for another database or an in-memory one."""
    if not url.startswith("sqlite:///") or url.startswith("sqlite:///:memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def init_app(app: Flask) -> None:
    """Configure the engine from the settings and attach the extensions."""
    url = app.config.get("DATABASE_URL") or (
        f"sqlite:///{private_folder(app.config['CONTENT_DIR']) / 'chorus.db'}"
    )
    app.config["DATABASE_URL"] = url
    path = sqlite_file(url)
    if path is not None and "?" not in url:
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///file:{path}?mode=rw&uri=true"  # open, never create (see 1.)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    options: dict[str, Any] = {"pool_pre_ping": True}
    if url.startswith("sqlite"):
        options["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", options)
    from service import models  # noqa: F401  (registers the tables on the metadata)

    db.init_app(app)
    migrate.init_app(app, db)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    if type(connection).__module__.startswith("sqlite3"):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def upgrade() -> None:
    """Create or upgrade the schema to the newest migration (inside an app context)."""
    from flask import current_app

    path = sqlite_file(current_app.config["DATABASE_URL"])
    if path is not None:
        path.touch(exist_ok=True)
    _upgrade(directory=MIGRATIONS)
