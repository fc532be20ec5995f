"""Coverage read from the stored check outcomes and the grouped summary equals coverage
recomputed the slow way (every check over every row), on random histories of saves,
approvals, clears and re-imports; on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import coverage, importing, queries, translating
from service.content import Content
from service.core import checks, languages, stats
from service.db import db
from service.models import Article, Translation, User

WORDS = ["alpha", "beta", "gamma", "delta", "council", "task", "force", "movement"]
LANGUAGES = ["fr", "de", "pt-BR", "sw"]
_slugs = itertools.count(1)


def paragraph(words: list[str], link: bool) -> str:
    text = " ".join(words)
    return f"{text} [see](https://example.org/{words[0]})." if link else f"{text}."


paragraphs = st.lists(
    st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6), st.booleans()),
    min_size=1,
    max_size=6,
)
# One step of a history: which segment (by position modulo), which language, and what.
steps = st.lists(
    st.tuples(
        st.integers(0, 20),
        st.sampled_from(LANGUAGES),
        st.sampled_from(["translate", "break", "clear", "approve"]),
    ),
    max_size=25,
)


def slow_coverage(item: Article) -> dict[str, tuple[dict, dict, int, str]]:
    """Counts, critical failures and state per started language, from every row."""
    segments = queries.segments(item)
    found: dict[str, dict[int, Translation]] = {}
    for code in queries.started_languages(item):
        found[code] = queries.translations(item, code)
    result = {}
    for code, rows in found.items():
        pairs, critical = [], 0
        for segment in segments:
            translation = rows.get(segment.id)
            state = stats.State(translation.state) if translation else stats.State.EMPTY
            pairs.append((state, segment.words))
            if translation and checks.has_critical(checks.run(segment.source, translation.text)):
                critical += 1
        counts = stats.count(pairs)
        state = stats.language_state(counts, item.review_required, critical, False, False)
        result[code] = (dict(counts.segments), dict(counts.words), critical, state)
    return result


def fast_coverage(item: Article) -> dict[str, tuple[dict, dict, int, str]]:
    return {
        status.code: (
            dict(status.counts.segments),
            dict(status.counts.words),
            status.critical,
            status.state,
        )
        for status in coverage.article_coverage(item).languages
    }


def write(folder: Path, slug: str, blocks: list[tuple[list[str], bool]]) -> Path:
    path = folder / f"{slug}.md"
    path.write_text("\n\n".join(paragraph(w, link) for w, link in blocks) + "\n")
    return path


def run_steps(ctx: Content, slug: str, history: list, user: User, reviewer: User) -> None:
    item = queries.article(slug)
    for index, code, action in history:
        active = queries.segments(item)
        segment = active[index % len(active)]
        current = queries.translation(segment, languages.get(code).code)
        version = current.version if current else 0
        if action == "approve":
            if current is not None and current.text:
                translating.approve(ctx, slug, code, segment.number, version, reviewer)
            continue
        text = {
            "translate": f"{code} {segment.source}",
            "break": f"{code} {checks.PLACEHOLDER.sub('', segment.source)} {{9}}",
            "clear": "",
        }[action]
        translating.save(ctx, slug, code, segment.number, text, version, user)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=paragraphs,
    second=paragraphs,
    before=steps,
    after=steps,
    retranslate=st.booleans(),
    review=st.booleans(),
)
def test_summary_equals_the_slow_count(
    ctx: Content,
    tmp_path: Path,
    first: list,
    second: list,
    before: list,
    after: list,
    retranslate: bool,
    review: bool,
) -> None:
    user = queries.find_user("t") or queries.user(_add("t", "translator"))
    reviewer = queries.find_user("r") or queries.user(_add("r", "reviewer"))
    slug = f"random-{next(_slugs)}"
    importing.import_article(ctx, str(write(tmp_path, slug, first)))
    run_steps(ctx, slug, before, user, reviewer)
    item = queries.article(slug)
    assert fast_coverage(item) == slow_coverage(item)

    item.review_required = review
    db.session.commit()
    importing.import_article(ctx, str(write(tmp_path, slug, second)), retranslate=retranslate)
    run_steps(ctx, slug, after, user, reviewer)
    item = queries.article(slug)
    assert fast_coverage(item) == slow_coverage(item)
    everything = {a.slug: a for a in coverage.all_articles()}
    assert everything[slug] == coverage.article_coverage(item)


def _add(name: str, role: str) -> str:
    from service import accounts

    return accounts.add_user(name, role).name


def test_a_reimport_checks_again_only_the_translations_of_changed_segments(
    ctx: Content, people: dict[str, User], monkeypatch
) -> None:
    from tests.conftest import ROOT, SEED_SLUG

    for code in ("fr", "de"):
        for row in queries.segments(queries.article(SEED_SLUG)):
            translating.save(ctx, SEED_SLUG, code, row.number, f"X {row.source}", 0, people["ana"])
    checked: list[tuple[str, str]] = []
    real = coverage.is_critical

    def counting(source: str, text: str) -> bool:
        checked.append((source, text))
        return real(source, text)

    monkeypatch.setattr(coverage, "is_critical", counting)
    seed = (ROOT / "source" / f"{SEED_SLUG}.md").read_text()
    edited = seed.replace("Movement Strategy", "Movement strategy", 1)
    assert edited != seed
    (ctx.root / "source" / f"{SEED_SLUG}.md").write_text(edited)
    report = importing.import_article(ctx, SEED_SLUG, retranslate=False)
    changed = report.counts["typo-fixed"]
    assert changed >= 1
    assert len(checked) == 2 * changed  # fr and de of each changed segment, nothing else
    item = queries.article(SEED_SLUG)
    assert fast_coverage(item) == slow_coverage(item)
