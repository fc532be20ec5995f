"""The glossary: terms per language, who may change them, finding them in a source, the check
they give, and CSV and TBX files in and out (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from translate.misc.xml_helpers import getXMLlang
from translate.storage.tbx import tbxfile

from service import accounts, glossary, queries
from service.content import Content
from service.db import db
from service.errors import (
    ChorusError,
    Conflict,
    LanguageError,
    NotFound,
    PermissionDenied,
    TooLarge,
    describe,
)
from service.models import Term, User
from tests.conftest import ROOT, SEED_SLUG

EXAMPLE = ROOT / "docs" / "glossary-example.csv"


@dataclass(frozen=True)
class Entry:
    term: str
    translation: str
    note: str = ""


def stored() -> list[tuple[str, str, str, str]]:
    """What the database holds, not the session's copy."""
    db.session.rollback()
    rows = db.session.scalars(select(Term).order_by(Term.language, Term.term))
    return [(row.language, row.term, row.translation, row.note) for row in rows]


def count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Term))


@pytest.fixture
def rev(ctx: Content) -> User:
    return accounts.add_user("rev", "reviewer")


@pytest.fixture
def ana(ctx: Content) -> User:
    return accounts.add_user("ana", "translator")


@pytest.fixture
def es(rev: User) -> list[Term]:
    """A small Spanish glossary."""
    return [
        glossary.add("es", "task force", "grupo de trabajo", "", rev),
        glossary.add("es", "Global Council", "Consejo Global", "A proper name.", rev),
    ]


# -- found and the check, without a database -------------------------------------------------

OVERLAPPING = glossary.Matcher(
    [
        Entry("task force", "grupo de trabajo"),
        Entry("Leadership Development Task Force", "Grupo de Trabajo de Desarrollo de Liderazgo"),
        Entry("leadership development", "desarrollo de liderazgo"),
        Entry("Global Council", "Consejo Global", "A proper name."),
        Entry("council meeting notes", "actas del consejo"),
        Entry("C++", "C++"),
        Entry("Fundación Wikimedia", "Fundación Wikimedia"),
        Entry("—", "—"),
    ]
)


def spans(source: str) -> list[tuple[str, str]]:
    return [(item.term, source[item.start : item.end]) for item in OVERLAPPING.found(source)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "A Leadership Development Task Force",
            [("Leadership Development Task Force", "Leadership Development Task Force")],
            id="the longest of three terms at one place",
        ),
        pytest.param(
            "leadership development needs a task force",
            [("leadership development", "leadership development"), ("task force", "task force")],
            id="in reading order",
        ),
        pytest.param(
            "The Global Council meeting notes",
            [("council meeting notes", "Council meeting notes")],
            id="a longer term starting later wins over a shorter one",
        ),
        pytest.param(
            "TASK FORCE, Task Force and task\n  force",
            [
                ("task force", "TASK FORCE"),
                ("task force", "Task Force"),
                ("task force", "task\n  force"),
            ],
            id="any case, any run of spaces",
        ),
        pytest.param(
            "the Global Council’s work, the task force’s members",
            [("Global Council", "Global Council"), ("task force", "task force")],
            id="followed by an apostrophe",
        ),
        pytest.param("task forces, multitask force, task-forced", [], id="whole words only"),
        pytest.param("Use C++ here, not C++x", [("C++", "C++")], id="a term ending in a symbol"),
        pytest.param("now — and —then", [("—", "—")], id="a term of no letters"),
        pytest.param(
            "La Fundación y el TAſK force", [("task force", "TAſK force")], id="non-ASCII words"
        ),
        pytest.param(
            "Fundación Wikimedia and the task force",
            [("Fundación Wikimedia", "Fundación Wikimedia"), ("task force", "task force")],
            id="a term with a non-ASCII word",
        ),
        pytest.param("", [], id="empty source"),
        pytest.param("Nothing of the glossary {1}", [], id="no term"),
    ],
)
def test_found(source: str, expected: list[tuple[str, str]]) -> None:
    assert spans(source) == expected


def test_found_gives_offsets_translation_and_note() -> None:
    source = "Ask the Global Council."
    assert OVERLAPPING.found(source) == [
        glossary.Found("Global Council", "Consejo Global", "A proper name.", 8, 22)
    ]


@pytest.mark.parametrize(
    ("source", "translation", "message"),
    [
        pytest.param(
            "Join the task force.",
            "Únete al equipo.",
            '"task force" should be translated "grupo de trabajo"',
            id="missing",
        ),
        pytest.param(
            "The task force and the Global Council; the task force again.",
            "El equipo y el consejo; el equipo otra vez.",
            '"task force" should be translated "grupo de trabajo"; '
            '"Global Council" should be translated "Consejo Global"',
            id="each missing term named once",
        ),
        pytest.param(
            "The task force and the Global Council.",
            "El grupo de trabajo y el consejo.",
            '"Global Council" should be translated "Consejo Global"',
            id="one of two missing",
        ),
        pytest.param("Join the task force.", "Únete al GRUPO DE TRABAJO.", None, id="any case"),
        pytest.param("Join the task force.", "Únete al subgrupo de trabajo.", None, id="substring"),
        pytest.param("Join the task force.", "Únete al grupo de\ntrabajo.", None, id="spaces"),
        pytest.param("Join the task force.", "", None, id="empty translation"),
        pytest.param("Join the task force.", "  \n", None, id="blank translation"),
        pytest.param("No term here.", "Ningún término.", None, id="no term in the source"),
        pytest.param(
            "A Leadership Development Task Force",
            "Un grupo de trabajo para el desarrollo de liderazgo",
            '"Leadership Development Task Force" should be translated '
            '"Grupo de Trabajo de Desarrollo de Liderazgo"',
            id="the longest term is the one checked",
        ),
    ],
)
def test_check(source: str, translation: str, message: str | None) -> None:
    result = OVERLAPPING.check(source, translation)
    if message is None:
        assert result is None
    else:
        assert result == glossary.CheckResult("glossary", "Glossary", "warning", message)


def test_an_empty_matcher_finds_nothing() -> None:
    empty = glossary.Matcher([])
    assert (len(empty), empty.found("task force"), empty.check("task force", "x")) == (0, [], None)


# -- who may change the glossary -------------------------------------------------------------


def _changes(user: User, term_id: int) -> dict[str, object]:
    csv = b"term,translation\nnew term,nuevo\n"
    return {
        "add": lambda: glossary.add("es", "new term", "nuevo", "", user),
        "update": lambda: glossary.update(term_id, "task force", "equipo", "", user),
        "remove": lambda: glossary.remove(term_id, user),
        "import_csv": lambda: glossary.import_csv("es", csv, "glossary.csv", user),
        "import_tbx": lambda: glossary.import_tbx("es", glossary.export_tbx("es"), "g.tbx", user),
    }


@pytest.mark.parametrize("change", ["add", "update", "remove", "import_csv", "import_tbx"])
def test_a_translator_is_refused(es: list[Term], ana: User, change: str) -> None:
    before = stored()
    with pytest.raises(PermissionDenied, match="only reviewers and above") as raised:
        _changes(ana, es[0].id)[change]()
    assert describe(raised.value).status == 403
    assert stored() == before


@pytest.mark.parametrize("role", ["reviewer", "coordinator", "admin"])
def test_reviewers_and_above_may_change(ctx: Content, role: str) -> None:
    user = accounts.add_user("someone", role)
    term = glossary.add("es", "task force", "grupo de trabajo", "", user)
    glossary.update(term.id, "task force", "equipo de trabajo", "", user)
    assert stored() == [("es", "task force", "equipo de trabajo", "")]
    glossary.remove(term.id, user)
    assert stored() == []


def test_add_update_remove(ctx: Content, rev: User) -> None:
    other = accounts.add_user("other", "coordinator")
    first = glossary.add("es", "  task force ", "grupo de trabajo", " informal \r\n", rev)
    glossary.add("es", "Global Council", "Consejo Global", "", rev)
    glossary.add("es", "annual plan", "plan anual", "", rev)
    glossary.add("fr", "task force", "groupe de travail", "", rev)
    assert [t.term for t in glossary.terms("es")] == ["annual plan", "Global Council", "task force"]
    assert (first.term, first.note, first.user_id) == ("task force", "informal", rev.id)

    changed = glossary.update(first.id, "Task Force", "equipo", "a note\nof two lines", other)
    assert (changed.term, changed.translation, changed.user_id) == (
        "Task Force",
        "equipo",
        other.id,
    )
    assert changed.updated_at >= first.updated_at
    glossary.remove(first.id, rev)
    assert [t.term for t in glossary.terms("es")] == ["annual plan", "Global Council"]
    assert [t.term for t in glossary.terms("fr")] == ["task force"]
    for call in (
        lambda: glossary.update(first.id, "x", "y", "", rev),
        lambda: glossary.remove(first.id, rev),
    ):
        with pytest.raises(NotFound, match=f"no glossary term {first.id}"):
            call()


def test_language_codes_are_canonical(ctx: Content, rev: User) -> None:
    glossary.add("pt_br", "task force", "força-tarefa", "", rev)
    assert [t.language for t in glossary.terms("PT-br")] == ["pt-BR"]
    assert glossary.terms("pt") == []


@pytest.mark.parametrize(
    "call",
    [
        lambda user: glossary.terms("xx-Zzzz"),
        lambda user: glossary.found("not a code", "task force"),
        lambda user: glossary.matcher("qq"),
        lambda user: glossary.export_csv("qq"),
        lambda user: glossary.export_tbx("qq"),
        lambda user: glossary.add("qq", "task force", "grupo", "", user),
        lambda user: glossary.import_csv("qq", b"term,translation\n", "g.csv", user),
    ],
)
def test_an_unknown_language_is_404(rev: User, call) -> None:
    with pytest.raises(LanguageError) as raised:
        call(rev)
    assert describe(raised.value).status == 404
    assert count() == 0


@pytest.mark.parametrize(
    ("term", "translation", "note", "message"),
    [
        ("", "grupo", "", "empty term"),
        ("   ", "grupo", "", "empty term"),
        ("task force", "", "", "empty translation"),
        ("task force", " \t", "", "empty translation"),
        ("x" * 201, "grupo", "", "term of 201 characters is over the limit of 200"),
        ("task force", "y" * 201, "", "translation of 201 characters is over the limit of 200"),
        ("task\nforce", "grupo", "", "line break in the term"),
        ("task force", "grupo\r\nde trabajo", "", "line break in the translation"),
        ("task force", "grupo\u2028de trabajo", "", "line break in the translation"),
        ("task force", "grupo", "n" * 2001, "note of 2001 characters is over the limit of 2000"),
        ("task\x00force", "grupo", "", "control character in the term"),
        ("task force", "grupo\x1b[0m", "", "control character in the translation"),
        ("task force", "grupo", "a\nb\x00", "control character in the note"),
    ],
)
def test_a_bad_term_is_400(
    es: list[Term], rev: User, term: str, translation: str, note: str, message: str
) -> None:
    before = stored()
    for call in (
        lambda: glossary.add("de", term, translation, note, rev),
        lambda: glossary.update(es[0].id, term, translation, note, rev),
    ):
        with pytest.raises(ChorusError) as raised:
            call()
        assert str(raised.value) == message
        assert describe(raised.value).status == 400
    assert stored() == before


def test_the_limits_are_inclusive(ctx: Content, rev: User) -> None:
    glossary.add("es", "x" * 200, "y" * 200, "n" * 2000, rev)
    assert count() == 1


def test_a_term_twice_is_a_conflict(es: list[Term], rev: User) -> None:
    before = stored()
    for term in ("task force", "Task Force", "GLOBAL council"):
        with pytest.raises(Conflict, match="the es glossary has") as raised:
            glossary.add("es", term, "otro", "", rev)
        assert describe(raised.value).status == 409
    with pytest.raises(Conflict, match="'Global Council' already"):
        glossary.update(es[0].id, "global council", "otro", "", rev)
    assert stored() == before
    glossary.update(es[0].id, "Task Force", "grupo de trabajo", "", rev)  # its own case
    glossary.add("fr", "task force", "groupe de travail", "", rev)  # another language
    assert count() == 3


# -- the matcher over the database -----------------------------------------------------------


def test_found_and_check_read_the_language(es: list[Term], rev: User) -> None:
    glossary.add("fr", "Global Council", "Conseil mondial", "", rev)
    source = "The Global Council and the task force."
    assert [item.translation for item in glossary.found("es", source)] == [
        "Consejo Global",
        "grupo de trabajo",
    ]
    assert [item.translation for item in glossary.found("fr", source)] == ["Conseil mondial"]
    assert glossary.found("de", source) == []
    assert glossary.check("es", source, "El Consejo Global y el grupo de trabajo.") is None
    result = glossary.check("fr", source, "Le conseil et le groupe.")
    assert result is not None
    assert result.message == '"Global Council" should be translated "Conseil mondial"'


def test_a_matcher_reads_the_glossary_once_for_a_whole_article(
    people: dict[str, User],
) -> None:
    glossary.import_csv("es", EXAMPLE.read_bytes(), EXAMPLE.name, people["rev"])
    segments = queries.segments(queries.article(SEED_SLUG))
    assert len(segments) == 22
    statements: list[str] = []

    def counted(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        matcher = glossary.matcher("es")
        results = [matcher.check(segment.source, "traducción") for segment in segments]
        found = [matcher.found(segment.source) for segment in segments]
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert len(statements) == 1
    assert len(matcher) == 6
    title = segments[0].source
    assert title == "A Leadership Development Task Force"
    assert [title[f.start : f.end] for f in found[0]] == ["Leadership Development", "Task Force"]
    assert all(r is None or r.severity == "warning" for r in results)
    assert sum(r is not None for r in results) >= 5
    assert matcher.check(title, "Un Grupo de Trabajo de Desarrollo de Liderazgo") is None


# -- CSV -------------------------------------------------------------------------------------


def test_csv_round_trip(es: list[Term], rev: User) -> None:
    glossary.add("es", "Wikimedia Foundation", "Fundación Wikimedia", 'Say "la", not "el"', rev)
    glossary.add("es", "annual plan", "plan anual", "one, two\nthree lines\nhere", rev)
    exported = glossary.export_csv("es")
    assert exported.splitlines()[0] == "term,translation,note"
    assert exported.splitlines()[1] == 'annual plan,plan anual,"one, two'

    report = glossary.import_csv("fr", exported.encode(), "es.csv", rev)
    assert report == glossary.ImportReport(added=4, updated=0, unchanged=0)
    assert glossary.export_csv("fr") == exported
    again = glossary.import_csv("es", exported.encode(), "es.csv", rev)
    assert again == glossary.ImportReport(added=0, updated=0, unchanged=4)
    assert again.summary() == "0 added, 0 updated, 4 unchanged"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_never_run_as_formulas_and_come_back_as_they_were(
    ctx: Content, rev: User, start: str
) -> None:
    glossary.add("fr", f"{start}SUM(A1)", f'{start}HYPERLINK("x")', f"{start}1+1 note", rev)
    exported = glossary.export_csv("fr")
    row = next(csv.reader(io.StringIO(exported.splitlines()[1])))
    assert row == [f"'{start}SUM(A1)", f'\'{start}HYPERLINK("x")', f"'{start}1+1 note"]
    report = glossary.import_csv("de", exported.encode(), "fr.csv", rev)
    assert report.added == 1
    [term] = glossary.terms("de")
    assert (term.term, term.translation, term.note) == (
        f"{start}SUM(A1)",
        f'{start}HYPERLINK("x")',
        f"{start}1+1 note",
    )
    plain = glossary.import_csv("es", b"term,translation\n'quoted',x\n", "q.csv", rev)
    assert plain.added == 1 and glossary.terms("es")[0].term == "'quoted'"


def test_the_database_refuses_a_term_twice_in_any_case(ctx: Content, rev: User) -> None:
    glossary.add("fr", "Global Council", "Conseil mondial", "", rev)
    db.session.add(Term(language="fr", term="global COUNCIL", translation="x", note=""))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(Conflict, match="has 'Global Council' already"):
        glossary.add("fr", "GLOBAL council", "x", "", rev)


def test_csv_import_merges(es: list[Term], rev: User) -> None:
    data = (
        "\ufeffnote,Term,translation\r\n"  # a BOM, CRLF, columns in any order and case
        "informal,Task Force,grupo de trabajo\r\n"
        "\r\n"
        ",Movement Strategy,Estrategia del Movimiento\r\n"
        "A proper name.,Global Council,Consejo Global\r\n"
    ).encode()
    report = glossary.import_csv("es", data, "glossary.csv", rev)
    assert report == glossary.ImportReport(added=1, updated=1, unchanged=1)
    assert stored() == [
        ("es", "Global Council", "Consejo Global", "A proper name."),
        ("es", "Movement Strategy", "Estrategia del Movimiento", ""),
        ("es", "Task Force", "grupo de trabajo", "informal"),
    ]
    only_two = b"term,translation\nannual plan,plan anual\nshort row\n"
    with pytest.raises(ChorusError, match=re.escape("glossary.csv line 3: empty translation")):
        glossary.import_csv("es", only_two, "glossary.csv", rev)
    report = glossary.import_csv("es", only_two[:-10], "glossary.csv", rev)
    assert report == glossary.ImportReport(added=1, updated=0, unchanged=0)
    assert count() == 4  # terms missing from a file are kept


GOOD = "term,translation,note\nGlobal Council,Consejo Global,\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "glossary.csv: empty file; expected the header term,translation,note"),
        pytest.param(
            b"Global Council,Consejo Global\n",
            "glossary.csv line 1: expected the header term,translation,note (note optional), "
            "found 'Global Council,Consejo Global'",
            id="no header",
        ),
        pytest.param(b"term,note\nx,y\n", "glossary.csv line 1: expected the header", id="column"),
        pytest.param(b"term,translation,term\n", "glossary.csv line 1: expected", id="twice"),
        pytest.param(b"term,translation,extra\n", "glossary.csv line 1: expected", id="unknown"),
        pytest.param(
            (GOOD + "a,b,\n\ntask force,,\n").encode(),
            "glossary.csv line 5: empty translation",
            id="empty translation after a blank line",
        ),
        pytest.param(
            (GOOD + 'a,b,"a note\nof three\nlines"\n,b,\n').encode(),
            "glossary.csv line 6: empty term",
            id="line after a note of three lines",
        ),
        pytest.param(
            (GOOD + '"task\nforce",grupo,\n').encode(),
            "glossary.csv line 3: line break in the term",
            id="line break",
        ),
        pytest.param(
            (GOOD + "x" * 201 + ",y,\n").encode(),
            "glossary.csv line 3: term of 201 characters is over the limit of 200",
            id="long term",
        ),
        pytest.param(
            (GOOD + "task force,a,\nTASK FORCE,b,\n").encode(),
            "glossary.csv line 4: 'TASK FORCE' is in the file already on line 3",
            id="a term twice in the file",
        ),
        pytest.param(
            (GOOD + "a,b,c,d\n").encode(),
            "glossary.csv line 3: 4 fields, the header names 3",
            id="too many fields",
        ),
        pytest.param(
            GOOD.encode() + b"caf\xe9,cafe,\n",
            "glossary.csv line 3: not UTF-8 text",
            id="latin-1",
        ),
        pytest.param(
            (GOOD + 'a,"b"c,\n').encode(), "glossary.csv line 3: not valid CSV", id="bad quoting"
        ),
    ],
)
def test_a_bad_csv_names_its_line_and_writes_nothing(
    es: list[Term], rev: User, data: bytes, message: str
) -> None:
    before = stored()
    with pytest.raises(ChorusError) as raised:
        glossary.import_csv("es", data, "glossary.csv", rev)
    assert str(raised.value).startswith(message)
    assert describe(raised.value).status == 400
    assert stored() == before


def test_a_csv_over_the_limit_is_refused(es: list[Term], rev: User) -> None:
    before = stored()
    line = b"term number,translation,\n"
    data = b"term,translation,note\n" + line * (glossary.MAX_FILE_BYTES // len(line) + 1)
    message = f"big.csv: larger than the limit of {2**20} bytes"
    with pytest.raises(TooLarge, match=re.escape(message)) as e:
        glossary.import_csv("es", data, "big.csv", rev)
    assert describe(e.value).status == 413
    assert stored() == before


def test_the_example_csv_imports_cleanly(ctx: Content, rev: User) -> None:
    report = glossary.import_csv("es", EXAMPLE.read_bytes(), EXAMPLE.name, rev)
    assert report == glossary.ImportReport(added=6, updated=0, unchanged=0)
    assert {t.term: t.translation for t in glossary.terms("es")} == {
        "Community Development": "Desarrollo Comunitario",
        "Global Council": "Consejo Global",
        "leadership development": "desarrollo de liderazgo",
        "Movement Strategy": "Estrategia del Movimiento",
        "task force": "grupo de trabajo",
        "Wikimedia Foundation": "Fundación Wikimedia",
    }
    assert all(t.note for t in glossary.terms("es"))
    assert glossary.export_csv("es").splitlines()[0] == "term,translation,note"
    again = glossary.import_csv("es", EXAMPLE.read_bytes(), EXAMPLE.name, rev)
    assert again == glossary.ImportReport(added=0, updated=0, unchanged=6)


# -- TBX -------------------------------------------------------------------------------------


def tbx(*entries: str, lang: str = "en") -> bytes:
    body = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<martif type="TBX" xml:lang="{lang}">\n'
        "<martifHeader><fileDesc><sourceDesc><p>test</p></sourceDesc></fileDesc></martifHeader>\n"
        f"<text><body>\n{body}\n</body></text>\n</martif>\n"
    ).encode()


def entry(**terms: str) -> str:
    sets = "".join(
        f'<langSet xml:lang="{lang.replace("_", "-")}"><tig><term>{text}</term></tig></langSet>'
        for lang, text in terms.items()
    )
    return f"<termEntry>{sets}</termEntry>"


def test_tbx_round_trip(es: list[Term], rev: User) -> None:
    glossary.add("es", "Wikimedia Foundation", "Fundación Wikimedia", "la <Fundación> & co", rev)
    glossary.add("es", "annual plan", "plan anual", "two\nlines", rev)
    expected = stored()
    data = glossary.export_tbx("es")

    store = tbxfile.parsestring(data)
    assert getXMLlang(store.document.getroot()) == "en"
    read = {unit.source: (unit.target, unit.getnotes()) for unit in store.units}
    assert read == {
        "annual plan": ("plan anual", "two\nlines"),
        "Global Council": ("Consejo Global", "A proper name."),
        "task force": ("grupo de trabajo", ""),
        "Wikimedia Foundation": ("Fundación Wikimedia", "la <Fundación> & co"),
    }
    assert {getXMLlang(node) for unit in store.units for node in unit.getlanguageNodes()} == {
        "en",
        "es",
    }

    assert glossary.import_tbx("es", data, "es.tbx", rev) == glossary.ImportReport(0, 0, 4)
    for term in glossary.terms("es"):
        glossary.remove(term.id, rev)
    assert glossary.import_tbx("es", data, "es.tbx", rev) == glossary.ImportReport(4, 0, 0)
    assert stored() == expected


def test_an_empty_glossary_exports_an_empty_tbx(ctx: Content, rev: User) -> None:
    data = glossary.export_tbx("de")
    assert tbxfile.parsestring(data).units == []
    assert glossary.import_tbx("de", data, "de.tbx", rev) == glossary.ImportReport(0, 0, 0)


def test_tbx_import_takes_its_language_from_a_file_of_several(ctx: Content, rev: User) -> None:
    data = tbx(
        entry(en="task force", es_ES="grupo de trabajo", fr="groupe de travail"),
        '<termEntry><descrip type="definition">A working group.</descrip>'
        '<langSet xml:lang="en-US"><tig><term>Global\n   Council</term></tig></langSet>'
        '<langSet xml:lang="fr"><tig><term>Conseil mondial</term></tig></langSet>'
        '<langSet xml:lang="es"><note from="translator">Proper name.</note>'
        "<tig><term> Consejo Global </term>"
        '<termNote type="partOfSpeech">noun</termNote></tig></langSet></termEntry>',
    )
    assert glossary.import_tbx("es", data, "many.tbx", rev) == glossary.ImportReport(2, 0, 0)
    assert glossary.import_tbx("fr", data, "many.tbx", rev) == glossary.ImportReport(2, 0, 0)
    assert stored() == [
        ("es", "Global Council", "Consejo Global", "A working group.\nProper name."),
        ("es", "task force", "grupo de trabajo", ""),
        ("fr", "Global Council", "Conseil mondial", "A working group."),
        ("fr", "task force", "groupe de travail", ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "es.tbx line 1: not well-formed XML: Document is empty", id="empty"),
        pytest.param(
            tbx(entry(en="task force", es="grupo")).replace(b"</tig>", b"</langSet>", 1),
            "es.tbx line 5: not well-formed XML: Opening and ending tag mismatch: tig line 5",
            id="not well-formed",
        ),
        pytest.param(
            b"<html><body/></html>",
            "es.tbx: not a TBX file (its root element is <html>, expected <martif>)",
            id="not TBX",
        ),
        pytest.param(
            tbx(entry(en="task force", fr="groupe de travail"), entry(en="plan", de="Plan")),
            "es.tbx: the file translates into de, fr, not es; nothing was imported",
            id="other target languages",
        ),
        pytest.param(
            tbx(entry(fr="groupe de travail", es="grupo de trabajo"), lang="fr"),
            "es.tbx: its source language is fr, and terms are English",
            id="source language not English",
        ),
        pytest.param(
            tbx(entry(en="Global Council", es="Consejo Global"), entry(en="task force", fr="x")),
            "es.tbx line 6: 'task force' has no translation into es",
            id="an entry without the language",
        ),
        pytest.param(
            tbx(entry(es="grupo de trabajo")), "es.tbx line 5: no English term", id="no English"
        ),
        pytest.param(
            tbx('<termEntry><langSet xml:lang="en"/>' + entry(es="grupo")[11:]),
            "es.tbx line 5: empty term",
            id="an English langSet without a term",
        ),
        pytest.param(
            tbx("<termEntry><langSet><tig><term>x</term></tig></langSet></termEntry>"),
            "es.tbx line 5: a langSet without xml:lang",
            id="no xml:lang",
        ),
        pytest.param(
            tbx(entry(en="Global Council", es="Consejo Global"), entry(en="task force", es="")),
            "es.tbx line 6: 'task force' has no translation into es",
            id="an empty translation",
        ),
        pytest.param(
            tbx(entry(en="x" * 201, es="y")),
            "es.tbx line 5: term of 201 characters is over the limit of 200",
            id="too long",
        ),
        pytest.param(
            tbx(entry(en="task force", es="a"), entry(en="Task force", es="b")),
            "es.tbx line 6: 'Task force' is in the file already on line 5",
            id="twice",
        ),
    ],
)
def test_a_bad_tbx_is_refused_and_nothing_imported(
    es: list[Term], rev: User, data: bytes, message: str
) -> None:
    before = stored()
    with pytest.raises(ChorusError) as raised:
        glossary.import_tbx("es", data, "es.tbx", rev)
    assert str(raised.value).startswith(message), str(raised.value)
    assert describe(raised.value).status == 400
    assert stored() == before


def test_a_tbx_over_the_limit_is_refused(es: list[Term], rev: User) -> None:
    before = stored()
    one = entry(en="task force", es="grupo de trabajo")
    data = tbx(*[one] * (glossary.MAX_FILE_BYTES // len(one) + 1))
    with pytest.raises(TooLarge, match=re.escape("big.tbx: larger than the limit")):
        glossary.import_tbx("es", data, "big.tbx", rev)
    assert stored() == before


def test_a_tbx_with_entities_expands_none(ctx: Content, rev: User, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read", encoding="utf-8")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE martif [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<martif type="TBX" xml:lang="en"><text><body><termEntry>'
        '<langSet xml:lang="en"><tig><term>task force</term></tig></langSet>'
        '<langSet xml:lang="es"><tig><term>grupo &s;</term></tig></langSet>'
        "</termEntry></body></text></martif>"
    ).encode()
    glossary.import_tbx("es", data, "x.tbx", rev)
    assert "do not read" not in stored()[0][2]


def test_the_glossary_commands_import_and_export(runner, people, tmp_path) -> None:
    from service.cli import main

    example = Path(__file__).parents[1] / "docs" / "glossary-example.csv"
    refused = runner.invoke(main, ["glossary", "import", "es", str(example), "--user", "ana"])
    assert refused.exit_code == 1  # a translator does not keep the glossary
    done = runner.invoke(main, ["glossary", "import", "es", str(example), "--user", "rev"])
    assert done.exit_code == 0, done.output
    exported = runner.invoke(main, ["glossary", "export", "es"])
    assert exported.exit_code == 0 and "task force,grupo de trabajo" in exported.output
    tbx = tmp_path / "es.tbx"
    runner.invoke(main, ["glossary", "export", "es", "--format", "tbx", "-o", str(tbx)])
    assert b"grupo de trabajo" in tbx.read_bytes()
    again = runner.invoke(main, ["glossary", "import", "es", str(tbx), "--user", "rev"])
    assert again.exit_code == 0, again.output
