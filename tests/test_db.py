"""The database layer: migrations match the models; SQLite runs in WAL with a busy timeout;
the default database lives with its content, and only ``chorus init`` (upgrade) creates it."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from service import create_app
from service.db import db, upgrade
from tests.conftest import git


def test_migrations_create_exactly_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_sqlite_runs_in_wal_with_a_busy_timeout(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA busy_timeout").scalar() == 30_000
            assert pragma("PRAGMA foreign_keys").scalar() == 1


def test_the_default_database_lives_with_the_content_and_only_upgrade_creates_it(
    content: Path,
) -> None:
    app = create_app({"TESTING": True, "CONTENT_DIR": content, "SECRET_KEY": "test"})
    path = content / ".chorus" / "chorus.db"
    assert app.config["DATABASE_URL"] == f"sqlite:///{path}"
    assert app.config["QUEUE_URL"] == f"sqlite:///{content / '.chorus' / 'queue.db'}"
    with app.app_context():
        try:
            with pytest.raises(OperationalError, match="unable to open database file"):
                db.engine.connect().close()
            assert not path.exists()  # opening never creates the file

            upgrade()

            assert path.is_file()
            assert {"articles", "publications", "coverage_counts"} <= set(
                inspect(db.engine).get_table_names()
            )
        finally:
            db.engine.dispose()
    # The private folder ignores itself: nothing of it shows in git.
    assert git(content, "status", "--porcelain", "--untracked-files=all") == ""


def test_migration_0005_keys_memory_by_digest_and_terms_case_folded(app: Flask) -> None:
    """Rows written under 0004 get their keys; a long unit fits; terms that fold alike keep
    the one changed last; afterwards the database itself refuses a case variant."""
    from datetime import datetime

    from flask_migrate import downgrade
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from service.db import MIGRATIONS
    from service.models import MemoryEntry, Term, unit_digest

    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="0004")
        insert_entry = text(
            "INSERT INTO memory_entries (language, source, target, origin, created_at)"
            " VALUES ('fr', :s, :t, 'old.tmx', :when)"
        )
        insert_term = text(
            "INSERT INTO terms (language, term, translation, note, updated_at)"
            " VALUES ('fr', :term, :tr, '', :when)"
        )
        with db.engine.begin() as connection:
            connection.execute(
                insert_entry, {"s": "Hello.", "t": "Bonjour.", "when": datetime(2026, 1, 1)}
            )
            for term, translation, day in (
                ("Task force", "groupe de travail", 1),
                ("task force", "équipe spéciale", 2),
                ("Global Council", "Conseil mondial", 1),
            ):
                connection.execute(
                    insert_term, {"term": term, "tr": translation, "when": datetime(2026, 1, day)}
                )
        upgrade()
        [entry] = db.session.scalars(db.select(MemoryEntry)).all()
        assert entry.digest == unit_digest("Hello.", "Bonjour.")
        kept = {(t.term, t.folded, t.translation) for t in db.session.scalars(db.select(Term))}
        assert kept == {
            ("task force", "task force", "équipe spéciale"),
            ("Global Council", "global council", "Conseil mondial"),
        }
        long = "".join(chr(0x4E00 + i % 5000) for i in range(3000))  # 9,000 bytes of UTF-8
        db.session.add(MemoryEntry(language="fr", source=long, target=long, origin="x"))
        db.session.commit()
        db.session.add(Term(language="fr", term="GLOBAL COUNCIL", translation="x", note=""))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
