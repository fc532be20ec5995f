"""Importing and re-importing articles into the working copy."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from sqlalchemy import select

from service import accounts, coverage, importing, queries, translating
from service.content import Content
from service.core.errors import SourceError
from service.core.stats import State
from service.db import db
from service.errors import NotFound
from service.models import Revision, Segment
from tests.conftest import SEED_SLUG, drain, git

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


COUNTS = {"new": 0, "unchanged": 0, "typo-fixed": 0, "outdated": 0, "obsolete": 0}


def test_first_import(ctx: Content, content: Path) -> None:
    before = git(content, "rev-parse", "HEAD")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts == {**COUNTS, "new": 22}
    assert (report.segments, report.revision, report.queued) == (22, 1, ("template",))
    item = queries.article(SEED_SLUG)
    assert item.title == "A Leadership Development Task Force"
    assert (item.target_languages, item.review_required) == (13, False)
    assert item.priority_languages.split()[:2] == ["ar", "bn"]
    assert [s.number for s in queries.segments(item)] == list(range(1, 23))
    # The import only queues the template; publishing commits it, and only it.
    assert git(content, "rev-parse", "HEAD") == before
    assert not (content / "po" / SEED_SLUG / f"{SEED_SLUG}.pot").exists()
    [done] = drain(ctx)
    assert (done.language, done.error) == ("template", None)
    assert done.commit == git(content, "rev-parse", "HEAD").strip()
    log = git(content, "log", "--format=%s", "--name-only", "-1")
    assert log.split() == ["Update", "template", "of", SEED_SLUG, f"po/{SEED_SLUG}/{SEED_SLUG}.pot"]


def test_reimport_unchanged_adds_nothing(ctx: Content, content: Path) -> None:
    importing.import_article(ctx, SEED_SLUG)
    drain(ctx)
    commits = git(content, "rev-list", "--count", "HEAD")
    report = importing.import_article(ctx, SEED_SLUG)
    assert report.counts == {**COUNTS, "unchanged": 22}
    assert (report.revision, report.queued) == (1, ())
    assert drain(ctx) == []
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
        **COUNTS,
        "unchanged": 21,
        "typo-fixed": 1 - outdated,
        "outdated": outdated,
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
    assert report.counts == {**COUNTS, "new": 1, "unchanged": 21, "obsolete": 1}
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


def test_a_typo_fix_republishes_the_finished_languages_through_the_queue(
    ctx: Content, content: Path
) -> None:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    item = queries.article(SEED_SLUG)
    for row in queries.segments(item):
        translating.save(ctx, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, ana)
    drain(ctx)
    assert coverage.language_status(item, "fr").state == "published"
    published = git(content, "rev-parse", "HEAD").strip()
    old = segment_with(PARAGRAPH)
    number, old_source = old.number, old.source
    edit(content, PARAGRAPH, "Good leaders can help us grow")

    report = importing.import_article(ctx, SEED_SLUG, retranslate=False)

    assert report.counts == {**COUNTS, "unchanged": 21, "typo-fixed": 1}
    assert report.outdated_translations == 0
    assert report.queued == ("template", "fr")
    assert "21 unchanged, 1 typo-fixed, 0 outdated" in report.summary()
    assert report.summary().endswith("; publication queued for fr")
    # Nothing is committed by the import itself; the language waits for the worker.
    assert git(content, "rev-parse", "HEAD").strip() == published
    status = coverage.language_status(item, "fr")
    assert (status.state, status.queued) == ("outdated", True)
    translation = queries.translation(segment_with("help us grow"), "fr")
    assert (translation.state, translation.text) == (State.TRANSLATED, f"FR {old_source}")

    done = drain(ctx)

    assert [(r.language, r.error) for r in done] == [("template", None), ("fr", None)]
    assert git(content, "rev-parse", "HEAD~2").strip() == published
    assert git(content, "log", "-1", "--format=%s").strip() == (
        f"Publish fr translation of {SEED_SLUG}"
    )
    po = polib.pofile(git(content, "show", f"HEAD:po/{SEED_SLUG}/fr.po"))
    [entry] = [e for e in po if e.msgctxt == str(number)]
    assert entry.msgid == old_source.replace("help to grow", "help us grow")
    assert (entry.msgstr, "fuzzy" in entry.flags) == (f"FR {old_source}", False)
    template = polib.pofile(git(content, "show", f"HEAD:po/{SEED_SLUG}/{SEED_SLUG}.pot"))
    assert [e.msgid for e in template if e.msgctxt == str(number)] == [entry.msgid]
    status = coverage.language_status(item, "fr")
    assert (status.state, status.queued, status.published_commit) == (
        "published",
        False,
        done[-1].commit,
    )


def test_a_source_that_changed_in_whitespace_only_keeps_its_translations_current(
    ctx: Content,
) -> None:
    """Sources stored before whitespace was normalised (a no-break space before a space in the
    seed) differ from today's only in whitespace: no new translation is needed."""
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    item = queries.article(SEED_SLUG)
    row = next(s for s in queries.segments(item) if "decision-making. Although" in s.source)
    translating.save(ctx, SEED_SLUG, "fr", row.number, "Prise de décision. Bien que", 0, ana)
    row.source = row.source.replace("decision-making. Although", "decision-making.\u00a0 Although")
    db.session.commit()  # as an earlier version of Chorus stored it

    report = importing.import_article(ctx, SEED_SLUG)
    assert (report.counts["typo-fixed"], report.counts["outdated"]) == (1, 0)
    assert report.outdated_translations == 0
    kept = queries.translation(queries.segment(item, row.number), "fr")
    assert (kept.text, State(kept.state)) == ("Prise de décision. Bien que", State.TRANSLATED)
    assert "decision-making. Although" in queries.segment(item, row.number).source


def test_a_segment_changed_twice_keeps_the_source_its_translation_was_made_for(
    ctx: Content, content: Path
) -> None:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    old = segment_with(PARAGRAPH)
    translated_from, number = old.source, old.number
    translating.save(ctx, SEED_SLUG, "fr", number, "Les bons leaders…", 0, ana)
    edit(content, PARAGRAPH, "Good leaders can help us grow")
    importing.import_article(ctx, SEED_SLUG)
    edit(content, "Good leaders can help us grow", "Good leaders can help us all grow")
    importing.import_article(ctx, SEED_SLUG)

    translation = queries.translation(segment_with("help us all grow"), "fr")
    assert (translation.state, translation.text) == (State.OUTDATED, "Les bons leaders…")
    assert translation.previous_source == translated_from  # the diff the translator needs


def test_a_vanished_segment_keeps_its_translation_and_comes_back_with_it(
    ctx: Content, content: Path
) -> None:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    row = segment_with("Translate this post")
    translating.save(ctx, SEED_SLUG, "fr", row.number, "Traduire cet article", 0, ana)
    edit(content, "Translate this post\n\n", "")
    importing.import_article(ctx, SEED_SLUG)

    gone = db.session.scalar(select(Segment).where(Segment.number == row.number))
    assert gone.obsolete
    kept = queries.translation(gone, "fr")
    assert (kept.text, State(kept.state)) == ("Traduire cet article", State.TRANSLATED)
    status = coverage.language_status(queries.article(SEED_SLUG), "fr")
    assert status.counts.started == 0  # obsolete segments are not counted

    edit(content, "## Why a task force", "Translate this post\n\n## Why a task force")
    importing.import_article(ctx, SEED_SLUG)
    back = queries.translation(segment_with("Translate this post"), "fr")
    assert (back.text, State(back.state)) == ("Traduire cet article", State.TRANSLATED)
    assert coverage.language_status(queries.article(SEED_SLUG), "fr").counts.started == 1


def test_an_unchanged_reimport_asks_for_no_publication(ctx: Content) -> None:
    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    for row in queries.segments(queries.article(SEED_SLUG)):
        translating.save(ctx, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, ana)
    drain(ctx)
    report = importing.import_article(ctx, SEED_SLUG)  # as chorus init does on every upgrade
    assert report.queued == ()
    assert drain(ctx) == []
