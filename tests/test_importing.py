"""Importing and re-importing articles into the working copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from service import accounts, importing, queries, translating
from service.content import Content, NotFound
from service.core.errors import SourceError
from service.core.stats import State
from service.db import db
from service.models import Revision, Segment
from tests.conftest import SEED_SLUG, git

PARAGRAPH = "Good leaders can help to grow"


def source(content: Path) -> Path:
    return content / "source" / f"{SEED_SLUG}.md"


def edit(content: Path, old: str, new: str) -> None:
    path = source(content)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def segment_with(text: str) -> Segment:
    item = queries.article(SEED_SLUG)
    return next(s for s in queries.segments(item) if text in s.source)


def test_first_import(ctx: Content, content: Path) -> None:
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts == {"new": 22, "unchanged": 0, "outdated": 0, "obsolete": 0}
    assert (report.segments, report.revision, report.publication_error) == (22, 1, None)
    item = queries.article(SEED_SLUG)
    assert item.title == "A Leadership Development Task Force"
    assert (item.target_languages, item.review_required) == (13, False)
    assert item.priority_languages.split()[:2] == ["ar", "bn"]
    assert [s.number for s in queries.segments(item)] == list(range(1, 23))
    # The template is committed, and only it.
    log = git(content, "log", "--format=%s", "--name-only", "-1")
    assert log.split() == ["Update", "template", "of", SEED_SLUG, f"po/{SEED_SLUG}/{SEED_SLUG}.pot"]


def test_reimport_unchanged_adds_nothing(ctx: Content, content: Path) -> None:
    importing.import_article(ctx, SEED_SLUG)
    commits = git(content, "rev-list", "--count", "HEAD")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts == {"new": 0, "unchanged": 22, "outdated": 0, "obsolete": 0}
    assert report.revision == 1
    assert git(content, "rev-list", "--count", "HEAD") == commits
    assert len(db.session.scalars(select(Revision)).all()) == 1


@pytest.mark.parametrize("retranslate", [True, False])
def test_edited_paragraph_keeps_translation(ctx: Content, content: Path, retranslate: bool) -> None:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    old = segment_with(PARAGRAPH)
    old_source, number = old.source, old.number
    translating.save(ctx, SEED_SLUG, "fr", number, "Les bons leaders…", 0, ana)
    edit(content, PARAGRAPH, "Good leaders can help us grow")

    report = importing.import_article(ctx, SEED_SLUG, retranslate=retranslate)
    outdated = 1 if retranslate else 0  # a typo fix outdates nothing
    assert report.counts == {
        "new": 0,
        "unchanged": 22 - outdated,
        "outdated": outdated,
        "obsolete": 0,
    }
    assert report.revision == 2
    changed = segment_with("help us grow")
    assert (changed.number, changed.previous_source) == (number, old_source)
    translation = queries.translations(queries.article(SEED_SLUG), "fr")[changed.id]
    assert translation.text == "Les bons leaders…"
    if retranslate:
        assert (translation.state, translation.previous_source) == (State.OUTDATED, old_source)
        assert translation.version == 2
        assert translating.history(SEED_SLUG, "fr", number)[0].how == "import"
        assert report.outdated_translations == 1
    else:
        assert (translation.state, translation.version) == (State.TRANSLATED, 1)


def test_inserted_deleted_and_revived_segments(ctx: Content, content: Path) -> None:
    importing.import_article(ctx, SEED_SLUG)
    heading = "## How to participate\n"
    edit(content, heading, heading + "\nA brand new paragraph here.\n")
    edit(content, "Translate this post\n\n", "")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts == {"new": 1, "unchanged": 21, "outdated": 0, "obsolete": 1}
    assert segment_with("A brand new paragraph").number == 23  # never reuses 2
    gone = db.session.scalar(select(Segment).where(Segment.number == 2))
    assert (gone.obsolete, gone.position) == (True, None)

    edit(content, "## Why a task force", "Translate this post\n\n## Why a task force")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts["unchanged"] == 23
    assert segment_with("Translate this post").number == 2  # revived with its id


def test_import_a_file_from_elsewhere(ctx: Content, content: Path, tmp_path: Path) -> None:
    outside = tmp_path / "news-item.md"
    outside.write_text("# News\n\nHello.\n", encoding="utf-8")
    report = importing.import_article(ctx, str(outside))
    assert report.slug == "news-item"
    assert (content / "source" / "news-item.md").read_text(encoding="utf-8") == "# News\n\nHello.\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty file"), (b"\0x", "binary file"), (b"\xff", "not UTF-8")],
)
def test_bad_sources_write_nothing(ctx: Content, tmp_path: Path, data: bytes, reason: str) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(data)
    with pytest.raises(SourceError, match=reason):
        importing.import_article(ctx, str(bad))
    with pytest.raises(NotFound):
        queries.article("bad")


def test_unknown_article(ctx: Content) -> None:
    with pytest.raises(NotFound, match="no article 'ghost'"):
        importing.import_article(ctx, "ghost")
