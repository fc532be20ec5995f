"""The reading pages: article list, one article, a translation preview, and their errors."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from service import accounts, create_app, importing, queries, translating
from service.content import Content
from tests.conftest import SEED_SLUG


@pytest.fixture
def imported(ctx: Content) -> Content:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    first = queries.segments(queries.article(SEED_SLUG))[1]
    translating.save(ctx, SEED_SLUG, "fr", first.number, "Traduire cet article", 0, ana)
    return ctx


def test_index_lists_the_seed_article(client: FlaskClient, imported: Content) -> None:
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A Leadership Development Task Force" in text
    assert f'href="/articles/{SEED_SLUG}"' in text
    assert "Help translate" in text
    assert "0 / 13" in text


def test_article_page_shows_languages_and_source(client: FlaskClient, imported: Content) -> None:
    text = client.get(f"/articles/{SEED_SLUG}").get_data(as_text=True)
    assert "French" in text
    assert "in progress" in text
    assert "4.5%" in text  # 1 of 22 segments
    assert "<blockquote>" in text  # the source, rendered
    assert "العربية" in text  # a priority language not started yet


def test_preview_renders_the_draft(client: FlaskClient, imported: Content) -> None:
    page = client.get(f"/articles/{SEED_SLUG}/fr/preview")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<p>Traduire cet article</p>" in text
    assert "Why develop leaders?" in text  # source where no translation yet


def test_index_before_any_import(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "No article yet" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/articles/nope", 404, "no article"),
        (f"/articles/{SEED_SLUG}/xx/preview", 404, "names no language"),
        (f"/articles/{SEED_SLUG}/e%20n/preview", 404, "not a language code"),
        ("/articles/..%2Fetc", 404, ""),
        ("/no-such-page", 404, ""),
    ],
)
def test_errors_are_pages_not_500s(
    client: FlaskClient, imported: Content, path: str, status: int, message: str
) -> None:
    page = client.get(path)
    assert page.status_code == status
    assert message in page.get_data(as_text=True)


PAGES = ["/", f"/articles/{SEED_SLUG}", f"/articles/{SEED_SLUG}/fr/preview"]


@pytest.mark.parametrize("database", ["missing file", "empty file"])
@pytest.mark.parametrize("path", PAGES)
def test_pages_on_a_database_not_set_up_answer_503_saying_run_chorus_init(
    content: Path, tmp_path: Path, database: str, path: str
) -> None:
    file = tmp_path / "never-migrated.db"
    if database == "empty file":
        file.touch()
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{file}",
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
        }
    )

    page = app.test_client().get(path)

    assert page.status_code == 503
    assert page.mimetype == "text/html"
    assert int(page.headers["Retry-After"]) > 0
    text = page.get_data(as_text=True)
    assert "the database is not set up (" in text
    assert "run: chorus init" in text
    if database == "missing file":
        assert not file.exists()
    else:
        with closing(sqlite3.connect(file)) as connection:
            assert connection.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_article_page_says_a_publication_is_queued_and_what_fails(
    client: FlaskClient, imported: Content
) -> None:
    ana = queries.user("ana")
    for row in queries.segments(queries.article(SEED_SLUG)):
        current = queries.translation(row, "de")
        text = f"DE {row.source}"
        translating.save(
            imported, SEED_SLUG, "de", row.number, text, current.version if current else 0, ana
        )
    page = client.get(f"/articles/{SEED_SLUG}").get_data(as_text=True)
    assert "finished" in page and "publication queued" in page

    marked = [r for r in queries.segments(queries.article(SEED_SLUG)) if "[1]" in r.source]
    current = queries.translation(marked[0], "de")  # dropping the footnote marker is critical
    translating.save(imported, SEED_SLUG, "de", marked[0].number, "DE", current.version, ana)
    page = client.get(f"/articles/{SEED_SLUG}").get_data(as_text=True)
    assert "1 failing a critical check" in page
