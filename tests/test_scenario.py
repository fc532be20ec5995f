"""The issue's scenario end to end: two volunteers translate the seed article into French; the
last save queues its publication, and the worker publishes it as one commit crediting both;
then the author edits one paragraph, and the French translation is kept, marked outdated, while
the published French article stays as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskCliRunner

from service import accounts, coverage, importing, queries, translating
from service.cli import main
from service.content import Content
from service.core.stats import State
from tests.conftest import SEED_SLUG, drain, git

OLD = "Leadership work is important to the success of the movement."
NEW = "Leadership work is essential to the success of our movement."


def french(source: str) -> str:
    return f"FR {source}"


def test_translate_publish_then_edit_the_source(
    ctx: Content, content: Path, runner: FlaskCliRunner
) -> None:
    first = importing.import_article(ctx, SEED_SLUG)
    assert (first.counts["new"], first.queued) == (22, ("template",))
    start = git(content, "rev-parse", "HEAD").strip()
    ana = accounts.add_user("ana", "translator", email="ana@example.org")
    bo = accounts.add_user("bo", "translator", email="bo@example.org")
    item = queries.article(SEED_SLUG)
    rows = queries.segments(item)

    # Turns: ana, bo, ana, ... (11 each); ana also revises her first segment before the end.
    results = []
    for index, row in enumerate(rows):
        if index == len(rows) - 1:
            revised = translating.save(
                ctx, SEED_SLUG, "fr", rows[0].number, french(rows[0].source), 1, ana
            )
            assert (revised.applied, revised.publication_queued) == (True, False)
        text = "Brouillon" if index == 0 else french(row.source)
        results.append(
            translating.save(ctx, SEED_SLUG, "fr", row.number, text, 0, (ana, bo)[index % 2])
        )
    assert all(r.applied for r in results)
    assert [r.publication_queued for r in results] == [False] * (len(rows) - 1) + [True]
    assert git(content, "rev-parse", "HEAD").strip() == start  # no save touches git
    not_yet = runner.invoke(main, ["render", SEED_SLUG, "fr"])
    assert not_yet.exit_code == 1
    assert "is not published yet" in not_yet.stderr

    done = drain(ctx)  # the worker: the template, then French
    assert [(r.language, r.error) for r in done] == [("template", None), ("fr", None)]
    assert done[-1].commit == git(content, "rev-parse", "HEAD").strip()

    log = git(content, "log", "--format=%s").splitlines()
    assert [s for s in log if s.startswith("Publish fr")] == [
        f"Publish fr translation of {SEED_SLUG}"
    ]
    assert git(content, "log", "-1", "--format=%an <%ae>|%cn <%ce>").strip() == (
        f"ana <ana@example.org>|{ctx.committer}"
    )
    message = git(content, "log", "-1", "--format=%B")
    assert [line for line in message.splitlines() if line.startswith("Co-authored-by:")] == [
        "Co-authored-by: bo <bo@example.org>"
    ]
    assert git(content, "show", "--name-only", "--format=", "HEAD").split() == [
        f"po/{SEED_SLUG}/fr.po"
    ]
    before = runner.invoke(main, ["render", SEED_SLUG, "fr"])
    assert before.exit_code == 0, before.output
    assert f"\n{french(OLD)}" in before.stdout
    assert coverage.language_status(item, "fr").state == "published"

    # The author changes a few words of one paragraph and the article is imported again.
    source = content / "source" / f"{SEED_SLUG}.md"
    text = source.read_text(encoding="utf-8")
    assert text.count(OLD) == 1
    source.write_text(text.replace(OLD, NEW), encoding="utf-8")
    [edited] = [row for row in rows if row.source.startswith(OLD)]
    old_paragraph = edited.source

    report = importing.import_article(ctx, SEED_SLUG)

    assert report.counts == {
        "new": 0,
        "unchanged": 21,
        "typo-fixed": 0,
        "outdated": 1,
        "obsolete": 0,
    }
    assert report.outdated_translations == 1
    segment = queries.segment(item, edited.number)
    assert segment.source == old_paragraph.replace(OLD, NEW)
    assert segment.previous_source == old_paragraph
    translation = queries.translations(item, "fr")[segment.id]
    assert translation.text == french(old_paragraph)
    assert State(translation.state) == State.OUTDATED
    assert translation.previous_source == old_paragraph
    status = coverage.language_status(item, "fr")
    assert (status.state, status.queued) == ("outdated", False)  # nothing to publish
    assert report.queued == ("template",)
    drain(ctx)
    log = git(content, "log", "--format=%s").splitlines()
    assert len([s for s in log if s.startswith("Publish fr")]) == 1
    assert log[0] == f"Update template of {SEED_SLUG}"

    after = runner.invoke(main, ["render", SEED_SLUG, "fr"])
    assert after.exit_code == 0, after.output
    assert after.stdout_bytes == before.stdout_bytes
    draft = runner.invoke(main, ["render", SEED_SLUG, "fr", "--draft"])
    assert draft.exit_code == 0, draft.output
    assert f"\n{french(old_paragraph)}\n" in draft.stdout

    stats = runner.invoke(main, ["stats", "--json"])
    assert stats.exit_code == 0, stats.output
    [article] = [a for a in json.loads(stats.stdout) if a["article"] == SEED_SLUG]
    assert {row["language"]: row["state"] for row in article["languages"]} == {"fr": "outdated"}
