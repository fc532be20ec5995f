"""The read side: the published translation exactly as committed (from git at the
publication's commit, never the work tree), and the draft; Markdown, HTML and PO."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import queries, reading, translating
from service.content import Content
from service.core import catalog
from service.errors import ChorusError, NotFound
from service.models import User
from tests.conftest import SEED_SLUG, drain, git


def finish(ctx: Content, user: User, lang: str = "fr") -> None:
    for row in queries.segments(queries.article(SEED_SLUG)):
        translating.save(ctx, SEED_SLUG, lang, row.number, f"FR {row.source}", 0, user)


def test_a_language_never_published_is_not_found_but_has_a_draft(
    ctx: Content, people: dict[str, User]
) -> None:
    first = queries.segments(queries.article(SEED_SLUG))[1]
    translating.save(ctx, SEED_SLUG, "fr", first.number, "Bonjour", 0, people["ana"])
    with pytest.raises(NotFound, match="not published yet"):
        reading.read(ctx, SEED_SLUG, "fr")
    draft = reading.read(ctx, SEED_SLUG, "fr", draft=True)
    assert "Bonjour" in draft.text and draft.commit is None
    po = catalog.loads(reading.read(ctx, SEED_SLUG, "fr", fmt="po", draft=True).text, "fr.po")
    assert [e.translation for e in po.active if e.translation] == ["Bonjour"]


def test_the_published_form_is_read_from_the_commit_not_the_work_tree(
    ctx: Content, content: Path, people: dict[str, User]
) -> None:
    finish(ctx, people["ana"])
    drain(ctx)
    published = reading.read(ctx, SEED_SLUG, "fr", fmt="po")
    assert published.commit == git(content, "rev-parse", "HEAD").strip()
    path = content / "po" / SEED_SLUG / "fr.po"
    assert published.text == path.read_text()
    path.write_text("# a person's edit, not committed\n")  # the work tree changes
    assert reading.read(ctx, SEED_SLUG, "fr", fmt="po").text == published.text

    # A later save changes the draft, not the published form.
    first = queries.segments(queries.article(SEED_SLUG))[1]
    current = queries.translation(first, "fr")
    translating.save(ctx, SEED_SLUG, "fr", first.number, "Changé", current.version, people["bo"])
    markdown = reading.read(ctx, SEED_SLUG, "fr").text
    assert "Changé" not in markdown and f"FR {first.source}" in markdown
    assert "Changé" in reading.read(ctx, SEED_SLUG, "fr", draft=True).text
    html = reading.read(ctx, SEED_SLUG, "fr", fmt="html")
    assert 'lang="fr"' in html.text and "Changé" not in html.text


def test_an_unknown_format_is_a_clear_error(ctx: Content, people: dict[str, User]) -> None:
    with pytest.raises(ChorusError, match="unknown format 'pdf'"):
        reading.read(ctx, SEED_SLUG, "fr", fmt="pdf", draft=True)
