"""Saving translations: compare-and-set, conflicts kept as suggestions, history, approve, revert."""

from __future__ import annotations

import pytest

from service import accounts, queries, translating
from service.content import Content
from service.core.errors import LanguageError
from service.core.stats import State
from service.errors import NotFound, PermissionDenied, TooLarge
from service.models import User
from tests.conftest import SEED_SLUG

TITLE = 1  # the seed article's first segment: its front-matter title


def save(ctx: Content, text: str, version: int, user: User, number: int = TITLE, lang: str = "fr"):
    return translating.save(ctx, SEED_SLUG, lang, number, text, version, user)


def test_save_increments_the_version_and_records_history(ctx: Content, people) -> None:
    first = save(ctx, "Un groupe de travail", 0, people["ana"])
    assert (first.applied, first.version, first.state, first.author) == (
        True,
        1,
        State.TRANSLATED,
        "ana",
    )
    second = save(ctx, "Un groupe de travail sur le leadership", 1, people["bo"])
    assert (second.version, second.author) == (2, "bo")
    rows = translating.history(SEED_SLUG, "fr", TITLE)
    assert [(r.how, r.old_text, r.new_text, r.version, r.user.name) for r in rows] == [
        ("editor", "Un groupe de travail", "Un groupe de travail sur le leadership", 2, "bo"),
        ("editor", "", "Un groupe de travail", 1, "ana"),
    ]


def test_stale_version_is_a_conflict_and_the_text_is_kept(ctx: Content, people) -> None:
    save(ctx, "Version d'Ana", 0, people["ana"])
    stale = save(ctx, "Version de Bo", 0, people["bo"])
    assert stale.conflict
    assert (stale.text, stale.version, stale.author) == ("Version d'Ana", 1, "ana")
    [kept] = translating.suggestions(SEED_SLUG, "fr", TITLE)
    assert (kept.id, kept.text, kept.user.name, kept.origin, kept.based_on_version) == (
        stale.suggestion_id,
        "Version de Bo",
        "bo",
        "conflict",
        0,
    )
    assert len(translating.history(SEED_SLUG, "fr", TITLE)) == 1


def test_repeating_what_is_there_changes_nothing(ctx: Content, people) -> None:
    save(ctx, "Pareil", 0, people["ana"])
    again = save(ctx, "Pareil", 0, people["bo"])  # stale, but nothing would be lost
    assert (again.applied, again.changed, again.version) == (True, False, 1)
    assert translating.suggestions(SEED_SLUG, "fr", TITLE) == []
    assert len(translating.history(SEED_SLUG, "fr", TITLE)) == 1


def test_languages_are_independent_and_codes_are_canonical(ctx: Content, people) -> None:
    save(ctx, "Título", 0, people["ana"], lang="pt_br")
    other = save(ctx, "Titre", 0, people["ana"], lang="fr")
    assert other.version == 1
    assert [r.language for r in translating.history(SEED_SLUG, "pt-BR", TITLE)] == ["pt-BR"]


def test_checks_come_back_with_the_save(ctx: Content, people) -> None:
    number = next(
        s.number for s in queries.segments(queries.article(SEED_SLUG)) if "[1]" in s.source
    )
    result = save(ctx, "Sans la note.", 0, people["ana"], number=number)
    assert "footnotes" in {c.id for c in result.checks}


def test_line_endings_are_normalised(ctx: Content, people) -> None:
    assert save(ctx, "un\r\ndeux", 0, people["ana"]).text == "un\ndeux"


@pytest.mark.parametrize(
    ("slug", "lang", "number", "error", "message"),
    [
        ("nope", "fr", 1, NotFound, "no article 'nope'"),
        (SEED_SLUG, "xx", 1, LanguageError, "names no language"),
        (SEED_SLUG, "fr", 999, NotFound, "has no segment 999"),
    ],
)
def test_unknown_things(ctx: Content, people, slug, lang, number, error, message) -> None:
    with pytest.raises(error, match=message):
        translating.save(ctx, slug, lang, number, "x", 0, people["ana"])


def test_too_long_is_refused_and_nothing_is_written(ctx: Content, people) -> None:
    with pytest.raises(TooLarge, match="over the limit of 20000"):
        save(ctx, "x" * 20_001, 0, people["ana"])
    assert translating.history(SEED_SLUG, "fr", TITLE) == []


def test_approve_needs_a_reviewer_and_a_version(ctx: Content, people) -> None:
    save(ctx, "Titre", 0, people["ana"])
    with pytest.raises(PermissionDenied, match="needs a reviewer"):
        translating.approve(ctx, SEED_SLUG, "fr", TITLE, 1, people["bo"])
    stale = translating.approve(ctx, SEED_SLUG, "fr", TITLE, 0, people["rev"])
    assert stale.conflict
    done = translating.approve(ctx, SEED_SLUG, "fr", TITLE, 1, people["rev"])
    assert (done.state, done.version, done.text) == (State.APPROVED, 2, "Titre")
    assert translating.history(SEED_SLUG, "fr", TITLE)[0].how == "approve"
    edited = save(ctx, "Titre modifié", 2, people["ana"])
    assert edited.state == State.TRANSLATED  # an edit needs a new approval


def test_nothing_to_approve(ctx: Content, people) -> None:
    with pytest.raises(Exception, match="no fr translation to approve"):
        translating.approve(ctx, SEED_SLUG, "fr", TITLE, 0, people["rev"])


def test_revert_restores_any_earlier_text(ctx: Content, people) -> None:
    for version, text in enumerate(["Un", "Deux", "Trois"]):
        save(ctx, text, version, people["ana"])
    first = translating.history(SEED_SLUG, "fr", TITLE)[-1]
    result = translating.revert(ctx, SEED_SLUG, "fr", TITLE, first.id, people["bo"])
    assert (result.text, result.version) == ("Un", 4)
    newest = translating.history(SEED_SLUG, "fr", TITLE)[0]
    assert (newest.how, newest.old_text, newest.new_text) == ("revert", "Trois", "Un")
    with pytest.raises(NotFound, match="no change 9999"):
        translating.revert(ctx, SEED_SLUG, "fr", TITLE, 9999, people["bo"])


@pytest.mark.parametrize("start", [0, 1], ids=["insert", "update"])
def test_concurrent_saves_from_one_version_apply_exactly_once(
    app, ctx: Content, people, start: int
) -> None:
    """Eight translators save the same segment from one version at once: one wins, seven
    get a conflict, and all seven texts are kept as suggestions."""
    import threading

    if start:
        save(ctx, "base", 0, people["ana"])

    names = [f"t{n}" for n in range(8)]
    for name in names:
        accounts.add_user(name, "translator")
    barrier = threading.Barrier(len(names))
    results: dict[str, translating.SaveResult] = {}

    def work(name: str) -> None:
        with app.app_context():
            user = queries.user(name)
            barrier.wait(timeout=30)
            results[name] = translating.save(
                ctx, SEED_SLUG, "fr", TITLE, f"par {name}", start, user
            )

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.applied for r in results.values()) == [False] * 7 + [True]
    [winner] = [name for name, r in results.items() if r.applied]
    kept = {s.text for s in translating.suggestions(SEED_SLUG, "fr", TITLE)}
    assert kept == {f"par {name}" for name in names if name != winner}
    change = translating.history(SEED_SLUG, "fr", TITLE)[0]
    assert (change.new_text, change.version) == (f"par {winner}", start + 1)
    assert len(translating.history(SEED_SLUG, "fr", TITLE)) == start + 1


def test_a_stray_line_break_at_either_end_is_dropped(ctx: Content) -> None:
    from service import accounts, importing, queries, translating
    from tests.conftest import SEED_SLUG

    importing.import_article(ctx, SEED_SLUG)
    ana = accounts.add_user("ana", "translator")
    row = queries.segments(queries.article(SEED_SLUG))[1]
    result = translating.save(ctx, SEED_SLUG, "fr", row.number, "\nBonjour\nà tous\n\n", 0, ana)
    assert result.text == "Bonjour\nà tous"  # gettext refuses an entry whose ends differ
