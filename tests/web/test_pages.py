"""The reading pages: article list, one article, a translation preview, and their errors."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from service.cli import main
from tests.conftest import SEED_SLUG


@pytest.fixture
def imported(runner: FlaskCliRunner, content: Path) -> Path:
    assert runner.invoke(main, ["import"]).exit_code == 0
    fr = content / "po" / SEED_SLUG / "fr.po"
    assert runner.invoke(main, ["export", SEED_SLUG, "fr", "-o", str(fr)]).exit_code == 0
    po = polib.pofile(str(fr))
    po.find("Translate this post").msgstr = "Traduire cet article"
    po.save()
    return content


def test_index_lists_the_seed_article(client: FlaskClient, imported: Path) -> None:
    page = client.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A Leadership Development Task Force" in text
    assert f'href="/articles/{SEED_SLUG}"' in text
    assert "Help translate" in text
    assert "0 / 13" in text


def test_article_page_shows_languages_and_source(client: FlaskClient, imported: Path) -> None:
    text = client.get(f"/articles/{SEED_SLUG}").get_data(as_text=True)
    assert "French" in text
    assert "4.5%" in text  # 1 of 22 segments
    assert "<blockquote>" in text  # the source, rendered
    assert "العربية" in text  # a priority language not started yet


def test_preview_renders_the_translation(client: FlaskClient, imported: Path) -> None:
    page = client.get(f"/articles/{SEED_SLUG}/fr/preview")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<p>Traduire cet article</p>" in text
    assert "Why develop leaders?" in text  # source where no translation yet


def test_index_works_before_any_import(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "A Leadership Development Task Force" in page.get_data(as_text=True)


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
    client: FlaskClient, imported: Path, path: str, status: int, message: str
) -> None:
    page = client.get(path)
    assert page.status_code == status
    assert message in page.get_data(as_text=True)


def test_broken_source_is_a_400_and_does_not_break_the_index(
    client: FlaskClient, imported: Path
) -> None:
    (imported / "source" / "broken.md").write_bytes(b"\xff\xfe broken")
    page = client.get("/articles/broken")
    assert page.status_code == 400
    assert "not UTF-8" in page.get_data(as_text=True)
    index = client.get("/")
    assert index.status_code == 200
    text = index.get_data(as_text=True)
    assert "cannot be read: source/broken.md: not UTF-8" in text
    assert "A Leadership Development Task Force" in text
