"""Translation memory: which translations are suggested, in which order, and TMX in and out
(read back by translate-toolkit), through the use cases and the ``chorus memory`` commands;
on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner
from rapidfuzz import fuzz
from sqlalchemy import func, select, update
from translate.storage import tmx

from service import importing, memory, queries, translating
from service.cli import main
from service.content import Content
from service.core.errors import CatalogError, LanguageError
from service.core.stats import State
from service.db import db
from service.errors import TooLarge
from service.models import MemoryEntry, Translation, User

SLUG = "memo"
# Paragraph number (= segment number, the article has nothing else) -> English source.
SOURCES = {
    1: "The committee approved the budget for next year.",
    2: "The committee approved the budget for this year.",
    3: "The committee approved the new budget.",
    4: "The weather was cold and the roads were icy.",
    5: "Volunteers translate articles every weekend.",
    6: "Thank you for reading.",
    7: "Thank you for reading.",
    8: "Read more.",
    9: "Read more.",
    10: "Subscribe to the newsletter today.",
    11: "Our office is closed on public holidays.",
}
FRENCH = {
    1: "Le comité a approuvé le budget de l'année prochaine.",
    2: "Le comité a approuvé le budget de cette année.",
    3: "Le comité a approuvé le nouveau budget.",
    4: "Il faisait froid et les routes étaient verglacées.",
    5: "Les bénévoles traduisent des articles chaque week-end.",
    6: "Merci de votre lecture.",
    7: "Merci de votre lecture.",
    8: "Lire la suite.",  # approved, saved first
    9: "En savoir plus.",  # translated, saved later
    10: "Abonnez-vous à la lettre d'information aujourd'hui.",
    11: "Notre bureau est fermé les jours fériés.",
}
TMX_UNIT = ("The committee approved the budget for the next year.", "Budget approuvé (TMX).")


def write_article(content: Content, sources: dict[int, str]) -> None:
    text = "\n\n".join(sources.values()) + "\n"
    (content.root / "source" / f"{SLUG}.md").write_text(text, encoding="utf-8")
    importing.import_article(content, SLUG)


def segment_id(number: int) -> int:
    return queries.segment(queries.article(SLUG), number).id


def save(content: Content, number: int, text: str, user: User, language: str = "fr") -> None:
    current = queries.translation(queries.segment(queries.article(SLUG), number), language)
    version = current.version if current else 0
    assert translating.save(content, SLUG, language, number, text, version, user).applied


def tmx_file(units: list[tuple[str, ...]], target: str = "fr", srclang: str = "en") -> bytes:
    """A TMX file of (source, translation[, target language]) units, as translate-toolkit
    writes one."""
    store = tmx.tmxfile(sourcelanguage=srclang, targetlanguage=target)
    for source, translation, *language in units:
        store.addtranslation(source, srclang, translation, language[0] if language else target)
    return bytes(store)


def chorus(runner: FlaskCliRunner, *args: str):
    return runner.invoke(main, list(args))


def ok(runner: FlaskCliRunner, *args: str):
    result = chorus(runner, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def memo(ctx: Content, people: dict[str, User]) -> Content:
    """The memo article translated into French in every state, one obsolete segment, one
    German translation and one TMX unit."""
    write_article(ctx, SOURCES)
    ana, rev = people["ana"], people["rev"]
    for number, text in FRENCH.items():
        save(ctx, number, text, ana)
    for number in (1, 8):
        translating.approve(ctx, SLUG, "fr", number, 1, rev)
    save(ctx, 1, "Der Ausschuss hat den Haushalt genehmigt.", ana, language="de")
    # 10 keeps its text in a row whose state says empty; 11 is cleared.
    db.session.execute(
        update(Translation)
        .where(Translation.segment_id == segment_id(10), Translation.language == "fr")
        .values(state=int(State.EMPTY))
    )
    db.session.commit()
    save(ctx, 11, "", ana)
    # 4 leaves the article (obsolete), 5 changes (its translation becomes outdated).
    changed = {n: s for n, s in SOURCES.items() if n != 4}
    changed[5] = "Volunteers translate articles every single weekend."
    write_article(ctx, changed)
    memory.import_tmx("fr", tmx_file([TMX_UNIT]), "old/memo.tmx")
    return ctx


def near(query: str, source: str) -> int:
    return int(fuzz.ratio(memory.normalise(query), memory.normalise(source)))


# (what, query, expected [(translation, exact)] in order; every other pair must be absent)
RANKING = [
    (
        "exact first, then near matches by score",
        SOURCES[1],
        [(FRENCH[1], True), (TMX_UNIT[1], False), (FRENCH[2], False), (FRENCH[3], False)],
    ),
    (
        "whitespace does not count",
        "  The committee approved\n the budget   for next year. ",
        [(FRENCH[1], True), (TMX_UNIT[1], False), (FRENCH[2], False), (FRENCH[3], False)],
    ),
    ("an obsolete segment's translation", SOURCES[4], [(FRENCH[4], True)]),
    ("an outdated translation is no memory", SOURCES[5], []),
    ("the changed source is not translated yet", "Volunteers translate articles", []),
    ("nor a row in the empty state", SOURCES[10], []),
    ("nor a cleared one", SOURCES[11], []),
    ("a duplicate pair once", SOURCES[6], [(FRENCH[6], True)]),
    (
        "approved before translated, for one source",
        SOURCES[8],
        [(FRENCH[8], True), (FRENCH[9], True)],
    ),
    ("below the cutoff, nothing", "Completely unrelated words about gardening tools.", []),
    ("an empty source", "   ", []),
]


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in RANKING], ids=[c[0] for c in RANKING]
)
def test_suggestions_rank_exact_first_then_by_score(
    memo: Content, query: str, expected: list[tuple[str, bool]]
) -> None:
    found = memory.suggestions("fr", query)
    assert [(m.translation, m.exact) for m in found] == expected
    for match in found:
        assert match.score == (100 if match.exact else near(query, match.source))
        assert match.exact == (match.score == 100)
        assert match.score >= memory.CUTOFF
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


def test_matches_say_where_they_come_from(memo: Content) -> None:
    found = memory.suggestions("fr", SOURCES[1], limit=10)
    assert [(m.translation, m.origin) for m in found] == [
        (FRENCH[1], f"article {SLUG}, segment 1"),
        (TMX_UNIT[1], "TMX memo.tmx"),
        (FRENCH[2], f"article {SLUG}, segment 2"),
        (FRENCH[3], f"article {SLUG}, segment 3"),
    ]
    assert found[1] == memory.Match(
        near(SOURCES[1], TMX_UNIT[0]), TMX_UNIT[0], TMX_UNIT[1], "TMX memo.tmx", False
    )
    assert 90 <= found[1].score <= 99


def test_other_languages_are_absent(memo: Content) -> None:
    assert [m.translation for m in memory.suggestions("de", SOURCES[1])] == [
        "Der Ausschuss hat den Haushalt genehmigt."
    ]
    assert memory.suggestions("pt-BR", SOURCES[1]) == []
    assert memory.suggestions("FR", SOURCES[4]) == memory.suggestions("fr", SOURCES[4])
    with pytest.raises(LanguageError):
        memory.suggestions("xx", SOURCES[1])


def test_the_segments_own_translation_is_excluded(memo: Content) -> None:
    own = memory.suggestions("fr", SOURCES[1], exclude_segment_id=segment_id(1))
    assert [m.translation for m in own] == [TMX_UNIT[1], FRENCH[2], FRENCH[3]]
    # The same pair held by another segment is still suggested, from there.
    [kept] = memory.suggestions("fr", SOURCES[6], exclude_segment_id=segment_id(6))
    assert (kept.translation, kept.origin) == (FRENCH[6], f"article {SLUG}, segment 7")


def test_the_limit_keeps_the_best(memo: Content) -> None:
    assert [m.translation for m in memory.suggestions("fr", SOURCES[1], limit=2)] == [
        FRENCH[1],
        TMX_UNIT[1],
    ]
    assert memory.suggestions("fr", SOURCES[1], limit=0) == []


def test_newer_before_older_for_equal_scores(memo: Content, people: dict[str, User]) -> None:
    translating.approve(memo, SLUG, "fr", 9, 1, people["rev"])  # both approved; 9 the newer
    assert [m.translation for m in memory.suggestions("fr", SOURCES[8])] == [FRENCH[9], FRENCH[8]]
    save(memo, 8, "Lire la suite !", people["bo"])  # 8 is only translated again, and newest
    assert [m.translation for m in memory.suggestions("fr", SOURCES[8])] == [
        FRENCH[9],
        "Lire la suite !",
    ]


def test_a_change_is_seen_by_the_next_call(memo: Content, people: dict[str, User]) -> None:
    query = "Our office is closed on public holidays."
    assert memory.suggestions("fr", query) == []
    save(memo, 11, FRENCH[11], people["ana"])
    assert [m.translation for m in memory.suggestions("fr", query)] == [FRENCH[11]]
    memory.import_tmx("fr", tmx_file([(query, "Bureau fermé les jours fériés.")]), "x.tmx")
    assert len(memory.suggestions("fr", query)) == 2
    # A typo fix (no re-translation) changes a source and keeps its translation current.
    typo = "Our office is closed on public holiday."
    fixed = {**{n: s for n, s in SOURCES.items() if n != 4}, 11: typo}
    fixed[5] = "Volunteers translate articles every single weekend."
    write = memo.root / "source" / f"{SLUG}.md"
    write.write_text("\n\n".join(fixed.values()) + "\n", encoding="utf-8")
    assert importing.import_article(memo, SLUG, retranslate=False).counts["typo-fixed"] == 1
    found = [(m.source, m.origin) for m in memory.suggestions("fr", typo)]
    assert found[0] == (typo, f"article {SLUG}, segment 11")
    assert (query, f"article {SLUG}, segment 11") not in found


def test_each_part_is_rebuilt_only_when_it_changed(
    memo: Content, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    for name in ("_translations", "_entries"):
        original = getattr(memory, name)

        def counting(code, fingerprint, original=original, name=name):
            built.append(f"{name[1:]} {code}")
            return original(code, fingerprint)

        monkeypatch.setattr(memory, name, counting)
    memory.suggestions("fr", SOURCES[1])
    memory.suggestions("de", SOURCES[1])
    assert sorted(built) == ["entries de", "entries fr", "translations de", "translations fr"]
    built.clear()
    memory.suggestions("fr", SOURCES[1])
    assert built == []  # nothing changed: the fingerprint query only
    save(memo, 11, FRENCH[11], people["ana"])
    memory.suggestions("fr", SOURCES[1])
    memory.suggestions("de", SOURCES[1])
    assert built == ["translations fr"]
    built.clear()
    memory.import_tmx("de", tmx_file([("Hello.", "Hallo.")], "de"), "de.tmx")
    memory.suggestions("fr", SOURCES[1])
    memory.suggestions("de", SOURCES[1])
    assert built == ["entries de"]  # fr's own entries did not move
    assert [m.translation for m in memory.suggestions("de", "Hello.")] == ["Hallo."]


# --- TMX ------------------------------------------------------------------------------------


def memory_pairs(language: str) -> set[tuple[str, str]]:
    """The memory of a language, read the slow way: every used translation and entry."""
    return {
        (row.segment.source, row.text)
        for row in db.session.scalars(
            select(Translation).where(
                Translation.language == language,
                Translation.state.in_(memory.USED),
                Translation.text != "",
            )
        )
    } | {
        (row.source, row.target)
        for row in db.session.scalars(select(MemoryEntry).where(MemoryEntry.language == language))
    }


def test_export_is_read_back_by_translate_toolkit(memo: Content) -> None:
    data = memory.export_tmx("fr")
    store = tmx.tmxfile.parsestring(data)
    assert store.getsourcelanguage() == "en"
    units = [(u.source, u.gettarget("fr")) for u in store.units]
    assert units == sorted(memory_pairs("fr"))
    assert len(units) == len(set(units))
    assert (SOURCES[4], FRENCH[4]) in units  # obsolete, still memory
    assert (SOURCES[5], FRENCH[5]) not in units  # outdated
    assert TMX_UNIT in units
    notes = {u.source: u.getnotes() for u in store.units}
    assert notes[SOURCES[1]] == f"article {SLUG}, segment 1"
    assert notes[TMX_UNIT[0]] == "TMX memo.tmx"
    languages = {
        node.get("{http://www.w3.org/XML/1998/namespace}lang")
        for unit in store.units
        for node in unit.getlanguageNodes()
    }
    assert languages == {"en", "fr"}


def test_export_then_import_elsewhere_round_trips(memo: Content) -> None:
    data = memory.export_tmx("fr")
    exported = {(u.source, u.gettarget("fr")) for u in tmx.tmxfile.parsestring(data).units}
    # Into the same server: everything is there already.
    again = memory.import_tmx("fr", data, "fr.tmx")
    assert (again.added, again.duplicates, again.empty) == (0, len(exported), 0)
    # Into another language's memory it is refused: its units translate into fr.
    with pytest.raises(CatalogError, match="a unit translates into fr, not fr-CA"):
        memory.import_tmx("fr-CA", data, "fr.tmx")


def test_an_empty_memory_exports_an_empty_tmx(ctx: Content) -> None:
    store = tmx.tmxfile.parsestring(memory.export_tmx("sw"))
    assert store.units == []


def test_import_counts_added_duplicates_and_empty(memo: Content) -> None:
    units = [
        ("One new sentence.", "Une nouvelle phrase."),
        ("One new sentence.", "Une nouvelle phrase."),  # twice in the file
        TMX_UNIT,  # already an entry
        (SOURCES[2], FRENCH[2]),  # already a translation
        ("Nothing here.", ""),
        ("", "Rien."),
        ("Long. " * 2000, "Long. " * 2000),
    ]
    report = memory.import_tmx("fr", tmx_file(units), "batch.tmx")
    assert (report.added, report.duplicates, report.empty, report.too_long) == (1, 3, 2, 1)
    assert report.summary() == (
        "batch.tmx into the fr memory: 1 added, 3 duplicates, 2 empty, "
        f"1 too long (over {memory.MAX_UNIT_BYTES} bytes)"
    )
    [found] = memory.suggestions("fr", "One new sentence.")
    assert (found.translation, found.origin, found.exact) == (
        "Une nouvelle phrase.",
        "TMX batch.tmx",
        True,
    )


def test_the_longest_units_fit_the_unique_index(ctx: Content) -> None:
    """Incompressible text of MAX_UNIT_BYTES in all is stored (far beyond the 2,704 bytes of
    a PostgreSQL B-tree row: the key is a digest); one byte more is skipped."""
    rng = random.Random(9)
    half = memory.MAX_UNIT_BYTES // 2
    source, target = ("".join(rng.choices(string.ascii_letters, k=half)) for _ in range(2))
    report = memory.import_tmx("fr", tmx_file([(source, target), (source, target + "x")]), "l")
    assert (report.added, report.too_long) == (1, 1)
    assert memory.suggestions("fr", source)[0].translation == target


def test_an_entry_added_meanwhile_is_left_out_not_a_clash(ctx: Content) -> None:
    """Two imports at once: the second inserts what the first added as nothing (ON CONFLICT
    DO NOTHING), so it counts a duplicate instead of failing."""
    memory.import_tmx("fr", tmx_file([("Taken.", "Pris.")]), "first.tmx")
    rows = [
        {"language": "fr", "source": s, "target": t, "origin": "second.tmx"}
        for s, t in [("Taken.", "Pris."), ("Free.", "Libre.")]
    ]
    assert memory._insert(rows) == 1
    db.session.commit()
    assert entries() == 2


def test_import_accepts_canonical_equivalents(ctx: Content) -> None:
    data = tmx_file([("Hello.", "Olá.")], target="pt_br", srclang="en-US")
    report = memory.import_tmx("pt-BR", data, "pt.tmx")
    assert report.added == 1
    assert memory.suggestions("pt-BR", "Hello.")[0].translation == "Olá."


def entries() -> int:
    return db.session.scalar(select(func.count(MemoryEntry.id)))


GOOD = tmx_file([("Good.", "Bon.")])
BROKEN = [
    ("broken XML", b"<tmx version='1.4'><body><tu>", r"broken\.tmx:1: not well-formed XML: "),
    ("empty", b"", r"broken\.tmx:1: not well-formed XML: Document is empty"),
    ("not TMX", b"<xliff/>", r"broken\.tmx: not a TMX file \(its root element is not <tmx>\)"),
    ("no body", b"<tmx version='1.4'><header/></tmx>", r"broken\.tmx: not a TMX file \(no <body>"),
    (
        "another target language",
        tmx_file([("Good.", "Bon."), ("Good.", "Gut.", "de")]),
        r"broken\.tmx:\d+: a unit translates into de, not fr",
    ),
    (
        "another source language",
        tmx_file([("Bon.", "Good.")], target="fr", srclang="de"),
        r"broken\.tmx:\d+: the source language is de, not English",
    ),
    (
        "an unknown language",
        GOOD.replace(b'xml:lang="fr"', b'xml:lang="klingon"'),
        r"broken\.tmx:\d+: unknown language 'klingon'",
    ),
    (
        "a tuv without a language",
        GOOD.replace(b' xml:lang="fr"', b""),
        r"broken\.tmx:\d+: a <tuv> has no xml:lang",
    ),
]


@pytest.mark.parametrize(("data", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_bad_file_is_refused_whole(memo: Content, data: bytes, message: str) -> None:
    before = entries()
    # A good unit first: nothing of the file may be imported.
    with pytest.raises(CatalogError, match=message):
        memory.import_tmx("fr", data, "broken.tmx")
    db.session.rollback()
    assert entries() == before


def test_a_file_over_the_limit_is_refused(memo: Content) -> None:
    before = entries()
    with pytest.raises(TooLarge, match=r"big\.tmx: larger than the limit of 100 bytes"):
        memory.import_tmx("fr", GOOD, "big.tmx", max_bytes=100)
    assert entries() == before
    assert len(GOOD) <= memory.MAX_TMX_BYTES


def test_the_line_of_a_bad_unit_is_named(ctx: Content) -> None:
    data = tmx_file([("One.", "Un."), ("Two.", "Deux.")])
    data = data.replace(
        b"<seg>Deux.</seg>", b'<seg>Deux.</seg></tuv><tuv xml:lang="es"><seg>Dos.</seg>'
    )
    lines = data.splitlines()
    two = next(n for n, text in enumerate(lines) if b"Two." in text)
    line = 1 + max(n for n, text in enumerate(lines[:two]) if text.strip().startswith(b"<tu "))
    with pytest.raises(CatalogError) as caught:
        memory.import_tmx("fr", data, "three.tmx")
    assert caught.value.line == line  # the <tu> of the unit
    assert str(caught.value) == f"three.tmx:{line}: a unit translates into es, not fr"


# --- the command line ---------------------------------------------------------------------


def test_memory_commands_export_and_import(
    memo: Content, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "fr.tmx"
    ok(runner, "memory", "export", "fr", "-o", str(out))
    assert out.read_bytes() == memory.export_tmx("fr")
    printed = ok(runner, "memory", "export", "fr").output
    assert printed == out.read_text(encoding="utf-8")

    new = tmp_path / "new.tmx"
    new.write_bytes(tmx_file([("A brand new line.", "Une toute nouvelle ligne."), TMX_UNIT]))
    result = ok(runner, "memory", "import", "fr", str(new))
    assert result.output == "\n".join(
        [f"{new} into the fr memory: 1 added, 1 duplicates, 0 empty", ""]
    )
    db.session.remove()
    assert memory.suggestions("fr", "A brand new line.")[0].origin == "TMX new.tmx"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["memory", "import", "fr", "missing.tmx"], "Error: missing.tmx: no such file"),
        (["memory", "export", "xx"], "Error: 'xx' names no language known to CLDR"),
        (["memory", "export", "fr", "-o", "/no/such/folder/fr.tmx"], "no such folder"),
    ],
)
def test_memory_command_errors_are_one_line(
    ctx: Content, runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = chorus(runner, *args)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert message in line
    assert "Traceback" not in result.output


def test_a_bad_tmx_import_is_one_line_and_imports_nothing(
    memo: Content, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    before = entries()
    bad = tmp_path / "bad.tmx"
    bad.write_bytes(tmx_file([("Good.", "Bon.")]) + tmx_file([("Good.", "Gut.")], "de"))
    result = chorus(runner, "memory", "import", "fr", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {bad}:{len(GOOD.splitlines()) + 1}: not well-formed XML: XML declaration "
        "allowed only at the start of the document"
    ]
    db.session.remove()
    assert entries() == before
