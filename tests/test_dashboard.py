"""The coordinator's figures: progress replayed from the history, forecasts at the recent
pace, the verdict on the target, the import preview, the policy, and "publish now"."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from service import dashboard, importing, policy, progress, queries, translating
from service.content import Content
from service.core import forecast
from service.core.errors import ChorusError
from service.db import db
from service.models import Change, Publication, PublicationStatus, Revision, Segment, User, utcnow
from tests.conftest import SEED_SLUG, drain

TODAY = utcnow().date()


def translate(ctx: Content, user: User, code: str, numbers: list[int], days_ago: int) -> int:
    """Translate these segments, their changes dated ``days_ago``; their source words."""
    words = 0
    for number in numbers:
        row = queries.segment(queries.article(SEED_SLUG), number)
        translating.save(ctx, SEED_SLUG, code, number, f"{code}: {row.source}", 0, user)
        words += row.words
    when = utcnow() - timedelta(days=days_ago)
    ids = select(Segment.id).where(Segment.number.in_(numbers))
    db.session.execute(
        update(Change).where(Change.language == code, Change.segment_id.in_(ids)).values(at=when)
    )
    db.session.commit()
    return words


def numbers() -> list[int]:
    return [row.number for row in queries.segments(queries.article(SEED_SLUG))]


def row_of(board: dashboard.Dashboard, code: str) -> dashboard.LanguageRow:
    [article] = board.articles
    return article.by_code[code]


def test_progress_replays_the_history_day_by_day(ctx, people) -> None:
    ids = numbers()
    first = translate(ctx, people["ana"], "es", ids[:3], days_ago=20)
    second = translate(ctx, people["bo"], "es", ids[3:5], days_ago=2)
    item = queries.article(SEED_SLUG)
    [(key, found)] = progress.activity([item]).items()
    assert key == (item.id, "es")
    assert found.series == [
        (TODAY - timedelta(days=20), first),
        (TODAY - timedelta(days=2), first + second),
    ]
    assert found.done_on(TODAY - timedelta(days=21)) == 0
    assert found.done_on(TODAY - timedelta(days=14)) == first
    assert found.done_on(TODAY) == first + second
    assert found.contributors == [("ana", 3), ("bo", 2)]
    assert found.last.date() == TODAY - timedelta(days=2)


def test_an_outdated_translation_no_longer_counts_as_done(ctx, people) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "es", ids[:2], days_ago=3)
    source = ctx.source(SEED_SLUG)
    row = queries.segment(queries.article(SEED_SLUG), ids[1])
    word = row.source.split()[-1]
    source.write_text(
        source.read_text(encoding="utf-8").replace(row.source, f"{row.source} {word}", 1),
        encoding="utf-8",
    )
    importing.import_article(ctx, SEED_SLUG)
    item = queries.article(SEED_SLUG)
    found = progress.activity([item])[(item.id, "es")]
    done_now = queries.segment(item, ids[0]).words
    assert found.series[-1] == (TODAY, done_now)  # the import's change outdated the second
    assert row_of(dashboard.overview(ctx), "es").status.counts.done_words(False) == done_now


def test_the_forecast_uses_the_words_gained_over_the_last_fourteen_days(ctx, people) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "es", ids[:4], days_ago=30)  # before the window
    gained = translate(ctx, people["ana"], "es", ids[4:8], days_ago=5)
    board = dashboard.overview(ctx)
    es = row_of(board, "es")
    item = queries.article(SEED_SLUG)
    words = sum(row.words for row in queries.segments(item))
    done = sum(queries.segment(item, n).words for n in ids[:8])
    assert es.remaining_words == words - done
    assert es.remaining_segments == len(ids) - 8
    assert es.forecast == forecast.language(words - done, gained, TODAY, None)
    assert es.forecast.pace == pytest.approx(gained / 14)
    assert es.contributors == (("ana", 8),)


def test_a_deadline_before_the_forecast_puts_the_language_and_the_article_at_risk(
    ctx, people
) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "es", ids[:2], days_ago=1)
    policy.apply(SEED_SLUG, policy.parse(target="1", deadline=TODAY.isoformat()))
    [article] = dashboard.overview(ctx).articles
    assert [row.status.code for row in article.at_risk] == ["es"]
    assert article.verdict.verdict == forecast.AT_RISK
    far = (TODAY + timedelta(days=3650)).isoformat()
    policy.apply(SEED_SLUG, policy.parse(deadline=far))
    [article] = dashboard.overview(ctx).articles
    assert article.at_risk == ()
    assert article.verdict.verdict == forecast.ON_TRACK
    assert article.verdict.expected == 1


def test_a_published_language_meeting_the_target_is_reached(ctx, people) -> None:
    translate(ctx, people["ana"], "fr", numbers(), days_ago=0)
    drain(ctx)
    policy.apply(SEED_SLUG, policy.parse(target="1"))
    [article] = dashboard.overview(ctx).articles
    assert article.coverage.published == 1
    assert article.verdict.verdict == forecast.REACHED
    fr = article.by_code["fr"]
    assert fr.remaining_words == 0 and fr.forecast.finished


def test_stats_json_and_csv_say_what_the_page_says(ctx, people) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "es", ids[:3], days_ago=4)
    translate(ctx, people["bo"], "de", ids[:1], days_ago=1)
    board = dashboard.overview(ctx)
    [article] = dashboard.stats_json()
    assert article["verdict"] == board.articles[0].verdict.verdict
    by_code = {item["language"]: item for item in article["languages"]}
    assert set(by_code) == {"de", "es"}
    es = row_of(board, "es")
    assert by_code["es"]["remaining_words"] == es.remaining_words
    assert by_code["es"]["forecast"] == es.forecast.finish.isoformat()
    assert by_code["es"]["contributors"] == [{"name": "ana", "changes": 3}]
    rows = list(csv.DictReader(io.StringIO(dashboard.stats_csv())))
    assert [(row["article"], row["language"]) for row in rows] == [
        (SEED_SLUG, "de"),
        (SEED_SLUG, "es"),
    ]
    assert rows[1]["remaining_words"] == str(es.remaining_words)
    assert rows[1]["contributors"] == "ana"


def test_the_matrix_lists_priority_languages_first_then_the_started_ones(ctx, people) -> None:
    translate(ctx, people["ana"], "eo", numbers()[:1], days_ago=0)
    policy.apply(SEED_SLUG, policy.parse(priority="fr, es"))
    board = dashboard.overview(ctx)
    assert board.columns == ("fr", "es", "eo")


def test_the_chart_has_a_line_per_started_language(ctx, people) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "es", ids[:3], days_ago=10)
    translate(ctx, people["ana"], "es", ids[3:6], days_ago=3)
    [article] = dashboard.overview(ctx).articles
    [line] = article.chart.lines
    assert line.label == "es"
    assert line.last == row_of(dashboard.overview(ctx), "es").status.counts.done_words(False)
    assert article.chart.start == TODAY - timedelta(days=10)


def test_no_translation_no_chart_and_no_forecast(ctx, people) -> None:
    [article] = dashboard.overview(ctx).articles
    assert article.chart is None and article.languages == ()
    assert article.verdict.verdict == forecast.AT_RISK  # 0 of 13, nothing moving


def test_the_import_preview_says_what_would_change_and_changes_nothing(ctx, people) -> None:
    ids = numbers()
    translate(ctx, people["ana"], "fr", ids, days_ago=0)
    drain(ctx)
    item = queries.article(SEED_SLUG)
    changed, removed = queries.segment(item, ids[2]), queries.segment(item, ids[-1])
    source = ctx.source(SEED_SLUG)
    text = source.read_text(encoding="utf-8")
    text = text.replace(changed.source, changed.source.replace(" ", " very ", 1), 1)
    text = text.replace(removed.source, "A brand new closing paragraph.", 1)
    source.write_text(text, encoding="utf-8")
    revisions = db.session.scalar(select(func.count(Revision.id)))

    preview = dashboard.import_preview(ctx, SEED_SLUG)

    assert preview.exists and preview.changed
    assert preview.counts["outdated"] == 1
    assert preview.counts["new"] + preview.counts["outdated"] >= 2
    [outdated] = [c for c in preview.changes if c.status == "outdated"]
    assert outdated.number == changed.number and outdated.translations == 1
    assert ("added", " very") in outdated.diff
    assert preview.outdated_translations == 1
    assert preview.published == ("fr",)
    assert db.session.scalar(select(func.count(Revision.id))) == revisions  # nothing stored
    assert queries.segment(queries.article(SEED_SLUG), ids[2]).source == changed.source


def test_an_unchanged_source_previews_as_nothing_to_do(ctx, people) -> None:
    preview = dashboard.import_preview(ctx, SEED_SLUG)
    assert preview.exists and not preview.changed and preview.changes == ()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target", "many"),
        ("target", "-1"),
        ("target", "1001"),
        ("target", "1.5"),
        ("target", "1" * 5000),
        ("deadline", "next week"),
        ("deadline", "2026-02-30"),
        ("review", "maybe"),
        ("priority", "es ../etc"),
    ],
)
def test_a_bad_policy_value_is_refused_naming_its_field(field: str, value: str) -> None:
    with pytest.raises(ChorusError, match=f"^{field}"):
        policy.parse(**{field: value})


def test_a_policy_is_stored_and_a_deadline_can_be_cleared(ctx, people) -> None:
    policy.apply(
        SEED_SLUG,
        policy.parse(target="5", deadline="2027-01-31", review="on", priority="pt_BR es es"),
    )
    item = queries.article(SEED_SLUG)
    assert (item.target_languages, item.deadline, item.review_required) == (
        5,
        date(2027, 1, 31),
        True,
    )
    assert item.priority_languages == "pt-BR es"
    policy.apply(SEED_SLUG, policy.parse(deadline=""))
    item = queries.article(SEED_SLUG)
    assert item.deadline is None and item.target_languages == 5  # the rest unchanged


def test_turning_review_off_queues_the_languages_it_finishes(ctx, people) -> None:
    drain(ctx)  # the template
    policy.apply(SEED_SLUG, policy.parse(review="on"))
    translate(ctx, people["ana"], "fr", numbers(), days_ago=0)
    assert drain(ctx) == []  # not approved: not finished, nothing due
    policy.apply(SEED_SLUG, policy.parse(review="off"))
    [result] = [r for r in drain(ctx) if r.commit]
    assert "fr" in result.summary()


def test_publish_now_queues_what_is_finished_and_nothing_else(ctx, people) -> None:
    drain(ctx)  # the template
    assert dashboard.publish_now(SEED_SLUG) == ()
    translate(ctx, people["ana"], "fr", numbers(), days_ago=0)
    drain(ctx)
    assert dashboard.publish_now(SEED_SLUG) == ()  # published already


def test_publish_now_makes_a_failed_publication_due_again(ctx, people) -> None:
    drain(ctx)
    translate(ctx, people["ana"], "fr", numbers(), days_ago=0)
    db.session.execute(
        update(Publication)
        .where(Publication.language == "fr")
        .values(status=PublicationStatus.FAILED, error="the repository was locked")
    )
    db.session.commit()
    [article] = dashboard.overview(ctx).articles
    assert article.by_code["fr"].status.problem == "the repository was locked"
    assert dashboard.publish_now(SEED_SLUG) == ("fr",)
    [done] = drain(ctx)
    assert done.commit
    [article] = dashboard.overview(ctx).articles
    assert article.by_code["fr"].status.state == "published"
