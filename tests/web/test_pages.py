"""The reading pages: article list, one article, a translation preview, and their errors."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from service import accounts, importing, queries, translating
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
