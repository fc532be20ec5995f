"""Offline work: PO export stamped with versions, and the upload's per-entry outcomes.

Every test runs the real use cases on a migrated database (SQLite, and PostgreSQL when
configured) and the scratch git work tree of the ``content`` fixture.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import polib
import pytest
from sqlalchemy import func, select

from service import accounts, coverage, importing, offline, publishing, queries, translating
from service.content import Content
from service.core.errors import CatalogError, LanguageError
from service.core.stats import State
from service.db import db
from service.errors import NotFound, TooLarge
from service.models import Change, Suggestion, Translation, User
from tests.conftest import SEED_SLUG, drain, git

LANG = "pt-BR"
SEGMENTS = 22  # active segments of the seed article
TITLE = 1  # "A Leadership Development Task Force"
SHORT = 2  # "Translate this post"
HEADING = 6  # "Why a task force, why now?"
TIMELINE = 15  # "Here is a timeline for ways to participate:"


# -- helpers ----------------------------------------------------------------------------


@pytest.fixture
def seed(ctx: Content) -> Content:
    """The seed article imported, and three people."""
    importing.import_article(ctx, SEED_SLUG)
    accounts.add_user("ana", "translator", email="ana@example.org")
    accounts.add_user("bo", "translator", email="bo@example.org")
    accounts.add_user("rita", "reviewer", email="rita@example.org")
    return ctx


def person(name: str) -> User:
    return queries.user(name)


def translation(number: int, language: str = LANG) -> Translation | None:
    segment = queries.segment(queries.article(SEED_SLUG), number)
    return db.session.scalar(
        select(Translation).where(
            Translation.segment_id == segment.id, Translation.language == language
        )
    )


def save(ctx: Content, number: int, text: str, name: str = "bo", language: str = LANG):
    current = translation(number, language)
    result = translating.save(
        ctx, SEED_SLUG, language, number, text, current.version if current else 0, person(name)
    )
    assert result.applied
    return result


def approve(ctx: Content, number: int, name: str = "rita") -> None:
    current = translation(number)
    assert current is not None
    translating.approve(ctx, SEED_SLUG, LANG, number, current.version, person(name))


def exported(ctx: Content, language: str = LANG) -> polib.POFile:
    return polib.pofile(offline.export(ctx, SEED_SLUG, language))


def entry(po: polib.POFile, number: int) -> polib.POEntry:
    [found] = [e for e in po if e.msgctxt == str(number)]
    return found


def strip_version(item: polib.POEntry) -> None:
    item.comment = "\n".join(
        line for line in item.comment.splitlines() if not line.startswith("version:")
    )


def upload(ctx: Content, po: polib.POFile | str, name: str = "ana", language: str = LANG):
    return offline.upload(ctx, SEED_SLUG, language, str(po).encode("utf-8"), person(name))


def rows() -> dict[str, int]:
    """How many translations, history rows and suggestions the database holds."""
    return {
        model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Translation, Change, Suggestion)
    }


def history(number: int) -> list[tuple[str, str, str, int, int, int, str | None]]:
    return [
        (c.how, c.old_text, c.new_text, c.old_state, c.new_state, c.version, c.user and c.user.name)
        for c in translating.history(SEED_SLUG, LANG, number)
    ]


def suggestions(number: int) -> list[tuple[str, str, int, str | None]]:
    return [
        (s.text, s.origin, s.based_on_version, s.user and s.user.name)
        for s in translating.suggestions(SEED_SLUG, LANG, number)
    ]


def reimport_edited(ctx: Content, edit: Callable[[str], str]) -> importing.ImportReport:
    """Re-import a modified copy of the seed article, made outside ``source/``."""
    text = (ctx.root / "source" / f"{SEED_SLUG}.md").read_text(encoding="utf-8")
    copy = ctx.root / "edited" / f"{SEED_SLUG}.md"
    copy.parent.mkdir(exist_ok=True)
    copy.write_text(edit(text), encoding="utf-8")
    return importing.import_article(ctx, str(copy))


# -- export -----------------------------------------------------------------------------


def test_export_is_a_po_of_every_active_segment_at_version_0(seed: Content) -> None:
    commits = git(seed.root, "rev-list", "--count", "HEAD")
    po = exported(seed)
    assert po.metadata["Language"] == "pt_BR"
    assert po.metadata["Project-Id-Version"] == SEED_SLUG
    assert po.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    segments = queries.segments(queries.article(SEED_SLUG))
    assert len(segments) == SEGMENTS
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in po] == [
        (str(s.number), s.source, "") for s in segments
    ]
    assert all("version: 0" in e.comment.splitlines() for e in po)
    assert not po.obsolete_entries()
    assert entry(po, TITLE).msgid == "A Leadership Development Task Force"
    # A read never causes a commit.
    assert git(seed.root, "rev-list", "--count", "HEAD") == commits


@pytest.mark.parametrize(
    ("saves", "versions", "texts"),
    [
        pytest.param([], {TITLE: 0, SHORT: 0}, {TITLE: "", SHORT: ""}, id="nothing saved"),
        pytest.param(
            [(TITLE, "Uma força-tarefa")],
            {TITLE: 1, SHORT: 0},
            {TITLE: "Uma força-tarefa", SHORT: ""},
            id="one save",
        ),
        pytest.param(
            [(TITLE, "Uma força"), (TITLE, "Uma força-tarefa"), (SHORT, "Traduza este post")],
            {TITLE: 2, SHORT: 1},
            {TITLE: "Uma força-tarefa", SHORT: "Traduza este post"},
            id="two saves and one",
        ),
    ],
)
def test_export_stamps_each_entry_with_the_server_version(
    seed: Content, saves: list[tuple[int, str]], versions: dict[int, int], texts: dict[int, str]
) -> None:
    for number, text in saves:
        save(seed, number, text)
    po = exported(seed)
    for number, version in versions.items():
        item = entry(po, number)
        assert f"version: {version}" in item.comment.splitlines()
        assert item.msgstr == texts[number]
        current = translation(number)
        assert (current.version if current else 0) == version
    untouched = [e for e in po if int(e.msgctxt) not in versions]
    assert all("version: 0" in e.comment.splitlines() for e in untouched)


def test_export_of_an_outdated_translation_is_fuzzy_with_the_previous_source(
    seed: Content,
) -> None:
    save(seed, SHORT, "Traduza este post")
    reimport_edited(
        seed, lambda text: text.replace("Translate this post", "Translate this blog post")
    )
    item = entry(exported(seed), SHORT)
    assert item.msgid == "Translate this blog post"
    assert item.msgstr == "Traduza este post"
    assert "fuzzy" in item.flags
    assert item.previous_msgid == "Translate this post"
    assert "version: 2" in item.comment.splitlines()  # the import outdated it: version 1 -> 2


# -- upload: one entry's outcome ----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """Segment SHORT: saved ``before`` the export, saved in the editor ``after`` it, then the
    export uploaded by ana with ``text`` in that entry."""

    text: str
    outcome: str
    message: str = ""
    before: tuple[str, ...] = ()  # editor saves by bo before the export
    approved: bool = False  # rita approves after those saves
    after: tuple[str, ...] = ()  # editor saves by bo after the export
    fuzzy: bool = False
    previous: str | None = None  # a "#|" previous msgid in the uploaded entry
    stamped: bool = True  # False: the "#. version:" comment is removed
    server: tuple[str, State, int] | None = None  # text, state, version after the upload
    previous_source: str | None = None
    uploaded: tuple | None = None  # upload's history row: old, new, states, version
    suggestion: tuple[str, int] | None = None  # the kept text and the version it was based on


CONFLICT = "changed on the server since export by bo; kept as a suggestion"
EMPTY, OUTDATED, TRANSLATED, APPROVED = (
    State.EMPTY,
    State.OUTDATED,
    State.TRANSLATED,
    State.APPROVED,
)

CASES = {
    "applied, new translation": Case(
        "Traduza este post",
        "applied",
        server=("Traduza este post", TRANSLATED, 1),
        uploaded=("", "Traduza este post", EMPTY, TRANSLATED, 1),
    ),
    "applied over the exported version": Case(
        "Traduza este post",
        "applied",
        before=("Traduza isto",),
        server=("Traduza este post", TRANSLATED, 2),
        uploaded=("Traduza isto", "Traduza este post", TRANSLATED, TRANSLATED, 2),
    ),
    "applied over an approved translation": Case(
        "Traduza este post",
        "applied",
        before=("Traduza isto",),
        approved=True,
        server=("Traduza este post", TRANSLATED, 3),
        uploaded=("Traduza isto", "Traduza este post", APPROVED, TRANSLATED, 3),
    ),
    "conflict: saved in the editor after the export": Case(
        "Texto do arquivo",
        "conflict",
        CONFLICT,
        after=("Texto do editor",),
        server=("Texto do editor", TRANSLATED, 1),
        suggestion=("Texto do arquivo", 0),
    ),
    "conflict: both sides changed": Case(
        "Texto do arquivo",
        "conflict",
        CONFLICT,
        before=("Texto antigo",),
        after=("Texto do editor",),
        server=("Texto do editor", TRANSLATED, 2),
        suggestion=("Texto do arquivo", 1),
    ),
    "unchanged: the exported text": Case(
        "Traduza este post",
        "unchanged",
        before=("Traduza este post",),
        server=("Traduza este post", TRANSLATED, 1),
    ),
    "unchanged: the exported text, approved on the server": Case(
        "Traduza este post",
        "unchanged",
        before=("Traduza este post",),
        approved=True,
        server=("Traduza este post", APPROVED, 2),
    ),
    "unchanged: both sides made the same change": Case(
        "Traduza este post",
        "unchanged",
        after=("Traduza este post",),
        server=("Traduza este post", TRANSLATED, 1),
    ),
    "empty: nothing to apply": Case("", "empty", server=None),
    "empty: the server text is kept": Case(
        "",
        "empty",
        before=("Traduza este post",),
        server=("Traduza este post", TRANSLATED, 1),
    ),
    "fuzzy entry applied as outdated": Case(
        "Traduza este post",
        "applied",
        fuzzy=True,
        server=("Traduza este post", OUTDATED, 1),
        uploaded=("", "Traduza este post", EMPTY, OUTDATED, 1),
    ),
    "fuzzy entry with its previous source": Case(
        "Traduza este post",
        "applied",
        fuzzy=True,
        previous="Translate this page",
        server=("Traduza este post", OUTDATED, 1),
        previous_source="Translate this page",
        uploaded=("", "Traduza este post", EMPTY, OUTDATED, 1),
    ),
    "fuzzy entry over the same text, translated on the server": Case(
        "Traduza este post",
        "applied",
        before=("Traduza este post",),
        fuzzy=True,
        server=("Traduza este post", OUTDATED, 2),
        uploaded=("Traduza este post", "Traduza este post", TRANSLATED, OUTDATED, 2),
    ),
    "no version stamp, no translation on the server: applied": Case(
        "Traduza este post",
        "applied",
        stamped=False,
        server=("Traduza este post", TRANSLATED, 1),
        uploaded=("", "Traduza este post", EMPTY, TRANSLATED, 1),
    ),
    "no version stamp, a translation on the server: conflict": Case(
        "Texto do arquivo",
        "conflict",
        CONFLICT,
        before=("Texto do editor",),
        stamped=False,
        server=("Texto do editor", TRANSLATED, 1),
        suggestion=("Texto do arquivo", 0),
    ),
    "no version stamp, the server's own text: unchanged": Case(
        "Traduza este post",
        "unchanged",
        before=("Traduza este post",),
        stamped=False,
        server=("Traduza este post", TRANSLATED, 1),
    ),
    "Windows line endings are normalised": Case(
        "Traduza\r\neste post",
        "applied",
        server=("Traduza\neste post", TRANSLATED, 1),
        uploaded=("", "Traduza\neste post", EMPTY, TRANSLATED, 1),
    ),
    "old Mac line endings are normalised like the editor does": Case(
        "Traduza\reste post",
        "applied",
        server=("Traduza\neste post", TRANSLATED, 1),
        uploaded=("", "Traduza\neste post", EMPTY, TRANSLATED, 1),
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_upload_outcome_of_one_entry(seed: Content, case: Case) -> None:
    for text in case.before:
        save(seed, SHORT, text)
    if case.approved:
        approve(seed, SHORT)
    po = exported(seed)
    for text in case.after:
        save(seed, SHORT, text)
    item = entry(po, SHORT)
    item.msgstr = case.text
    if case.fuzzy:
        item.flags.append("fuzzy")
    item.previous_msgid = case.previous
    if not case.stamped:
        strip_version(item)
    history_before = history(SHORT)
    others = rows()

    report = upload(seed, po)

    # The report: one outcome per entry, in file order; the others are empty.
    assert (report.slug, report.language) == (SEED_SLUG, LANG)
    assert [e.segment for e in report.entries] == list(range(1, SEGMENTS + 1))
    mine = report.entries[SHORT - 1]
    assert (mine.outcome, mine.message) == (case.outcome, case.message)
    expected = Counter({"empty": SEGMENTS - 1})
    expected[case.outcome] += 1
    assert report.counts() == dict(expected)
    lines = report.lines()
    assert lines[SHORT - 1] == f"     2  {case.outcome:<9} {case.message}".rstrip()
    assert lines[0] == "     1  empty"
    summary = ", ".join(f"{n} {what}" for what, n in sorted(expected.items()))
    assert lines[-1] == f"{SEED_SLUG} pt-BR: {summary}"
    assert (report.publication_queued, report.failures) == (False, ())

    # The database.
    current = translation(SHORT)
    if case.server is None:
        assert current is None
    else:
        assert current is not None
        assert (current.text, State(current.state), current.version) == case.server
        assert current.previous_source == case.previous_source
    rows_now = history(SHORT)
    if case.uploaded is None:
        assert rows_now == history_before
    else:
        assert rows_now[1:] == history_before
        assert rows_now[0] == ("upload", *case.uploaded, "ana")
        assert current is not None
        assert current.user.name == "ana"
    if case.suggestion is None:
        assert suggestions(SHORT) == []
        assert rows()["suggestions"] == others["suggestions"]
    else:
        text, based_on = case.suggestion
        assert suggestions(SHORT) == [(text, "upload", based_on, "ana")]
    # Nothing else was touched.
    for number in (TITLE, HEADING):
        assert translation(number) is None


def test_upload_applies_many_entries_at_once(seed: Content) -> None:
    save(seed, HEADING, "Por que uma força-tarefa, por que agora?")
    po = exported(seed)
    save(seed, HEADING, "Por que uma força-tarefa agora?")  # after the export: conflict
    entry(po, TITLE).msgstr = "Uma força-tarefa de desenvolvimento de liderança"
    entry(po, SHORT).msgstr = "Traduza este post"
    entry(po, HEADING).msgstr = "Por que, e por que agora?"
    report = upload(seed, po)
    assert report.counts() == {"applied": 2, "conflict": 1, "empty": SEGMENTS - 3}
    lines = report.lines()
    assert len(lines) == SEGMENTS + 1
    assert lines[:7] == [
        "     1  applied",
        "     2  applied",
        "     3  empty",
        "     4  empty",
        "     5  empty",
        "     6  conflict  changed on the server since export by bo; kept as a suggestion",
        "     7  empty",
    ]
    assert lines[-1] == f"{SEED_SLUG} pt-BR: 2 applied, 1 conflict, 19 empty"
    assert translation(TITLE).text == "Uma força-tarefa de desenvolvimento de liderança"
    assert translation(SHORT).text == "Traduza este post"
    assert translation(HEADING).text == "Por que uma força-tarefa agora?"
    assert suggestions(HEADING) == [("Por que, e por que agora?", "upload", 1, "ana")]
    # Uploading the same file again changes nothing more.
    again = upload(seed, po)
    assert again.counts() == {"unchanged": 2, "conflict": 1, "empty": SEGMENTS - 3}
    assert [h[0] for h in history(TITLE)] == ["upload"]


def test_upload_of_a_header_without_entries_applies_nothing(seed: Content) -> None:
    save(seed, TITLE, "Uma força-tarefa")
    po = exported(seed)
    del po[:]
    before = rows()
    report = upload(seed, po)
    assert (report.entries, report.counts(), report.publication_queued) == ((), {}, False)
    assert report.lines() == [f"{SEED_SLUG} pt-BR: nothing in the file"]
    assert rows() == before
    assert translation(TITLE).text == "Uma força-tarefa"


# -- upload after the source changed ------------------------------------------------------


def test_upload_after_the_source_changed_is_applied_as_outdated(seed: Content) -> None:
    po = exported(seed)
    report = reimport_edited(
        seed, lambda text: text.replace("Translate this post", "Translate this blog post")
    )
    assert report.counts["outdated"] == 1
    assert queries.segment(queries.article(SEED_SLUG), SHORT).source == "Translate this blog post"
    entry(po, SHORT).msgstr = "Traduza este post"
    entry(po, TITLE).msgstr = "Uma força-tarefa"  # its source did not change

    result = upload(seed, po)

    assert result.entries[SHORT - 1].outcome == "outdated"
    assert result.entries[SHORT - 1].message == "the source changed since export"
    assert result.entries[TITLE - 1].outcome == "applied"
    assert result.counts() == {"applied": 1, "outdated": 1, "empty": SEGMENTS - 2}
    assert "     2  outdated  the source changed since export" in result.lines()
    current = translation(SHORT)
    assert (current.text, State(current.state), current.version) == (
        "Traduza este post",
        OUTDATED,
        1,
    )
    assert current.previous_source == "Translate this post"  # the exported msgid
    assert history(SHORT) == [("upload", "", "Traduza este post", EMPTY, OUTDATED, 1, "ana")]
    assert State(translation(TITLE).state) == TRANSLATED
    # The next export shows it fuzzy, with the source it was made for.
    item = entry(exported(seed), SHORT)
    assert ("fuzzy" in item.flags, item.previous_msgid) == (True, "Translate this post")


def test_upload_of_a_translation_whose_source_changed_since_export_is_outdated(
    seed: Content,
) -> None:
    """The server text did not change since the export, only the source did (the import
    outdated the translation): the upload is applied as outdated, not a conflict."""
    save(seed, SHORT, "Traduza este texto", name="ana")
    po = exported(seed)
    reimport_edited(
        seed, lambda text: text.replace("Translate this post", "Translate this blog post")
    )
    entry(po, SHORT).msgstr = "Traduza este post"

    result = upload(seed, po)

    assert result.entries[SHORT - 1].outcome == "outdated"
    current = translation(SHORT)
    assert (current.text, State(current.state)) == ("Traduza este post", OUTDATED)
    assert current.previous_source == "Translate this post"
    assert suggestions(SHORT) == []


def test_upload_of_an_unchanged_entry_whose_source_changed_keeps_it_outdated(
    seed: Content,
) -> None:
    save(seed, SHORT, "Traduza este post")
    po = exported(seed)
    reimport_edited(
        seed, lambda text: text.replace("Translate this post", "Translate this blog post")
    )
    before = history(SHORT)
    result = upload(seed, po)
    assert result.entries[SHORT - 1].outcome == "unchanged"
    current = translation(SHORT)
    assert (current.text, State(current.state), current.version) == (
        "Traduza este post",
        OUTDATED,
        2,
    )
    assert history(SHORT) == before


@pytest.mark.parametrize(
    ("number", "outcome", "message"),
    [
        pytest.param(TIMELINE, "obsolete", "the segment left the article", id="obsolete"),
        pytest.param(999, "unknown", "no such segment", id="unknown"),
    ],
)
def test_upload_of_a_segment_not_in_the_article(
    seed: Content, number: int, outcome: str, message: str
) -> None:
    po = exported(seed)
    reimport_edited(
        seed, lambda text: text.replace("Here is a timeline for ways to participate:\n", "")
    )
    assert queries.segment(queries.article(SEED_SLUG), TIMELINE).obsolete
    if number == 999:
        po.append(polib.POEntry(msgctxt="999", msgid="No such paragraph", msgstr="Nada"))
    else:
        entry(po, TIMELINE).msgstr = "Eis um cronograma das formas de participar:"
    entry(po, TITLE).msgstr = "Uma força-tarefa"
    before = rows()

    report = upload(seed, po)

    [found] = [e for e in report.entries if e.segment == number]
    assert (found.outcome, found.message) == (outcome, message)
    assert f"{number:>6}  {outcome:<9} {message}" in report.lines()
    assert report.counts()[outcome] == 1
    assert report.counts()["applied"] == 1
    if number == TIMELINE:
        assert translation(TIMELINE) is None
        assert translating.suggestions(SEED_SLUG, LANG, TIMELINE) == []
    assert rows() == {
        "translations": before["translations"] + 1,
        "changes": before["changes"] + 1,
        "suggestions": before["suggestions"],
    }


# -- upload is one transaction --------------------------------------------------------------


@pytest.mark.parametrize("over", [1, 100], ids=["one over", "far over"])
def test_upload_with_one_text_too_long_applies_nothing(seed: Content, over: int) -> None:
    save(seed, HEADING, "Por que agora?")
    po = exported(seed)
    entry(po, TITLE).msgstr = "Uma força-tarefa"
    entry(po, HEADING).msgstr = "Por que uma força-tarefa, por que agora?"
    entry(po, 20).msgstr = "x" * (seed.max_translation_chars + over)
    entry(po, 21).msgstr = "Linha do tempo"
    before, heading = rows(), history(HEADING)

    with pytest.raises(TooLarge) as raised:
        upload(seed, po)

    assert str(raised.value).startswith("segment 20: translation of ")
    assert f"over the limit of {seed.max_translation_chars}" in str(raised.value)
    assert rows() == before
    assert translation(TITLE) is None
    assert translation(21) is None
    assert translation(HEADING).text == "Por que agora?"
    assert history(HEADING) == heading


def test_upload_exactly_at_the_length_limit_is_applied(seed: Content) -> None:
    small = dataclasses.replace(seed, max_translation_chars=20)
    po = exported(small)
    entry(po, TITLE).msgstr = "x" * 20
    assert upload(small, po).entries[TITLE - 1].outcome == "applied"
    entry(po, SHORT).msgstr = "x" * 21
    with pytest.raises(TooLarge):
        upload(small, po)


# -- bad files ------------------------------------------------------------------------------


def translated_export(ctx: Content, language: str = LANG) -> str:
    """An export with every entry translated: would apply everything if accepted."""
    po = exported(ctx, language)
    for item in po:
        item.msgstr = f"PT {item.msgid}"
    return str(po)


def insert_line(text: str, number: int, line: str) -> str:
    lines = text.split("\n")
    lines.insert(number - 1, line)
    return "\n".join(lines)


def header(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@dataclass(frozen=True)
class Bad:
    make: Callable[[Content], bytes]
    error: type[Exception]
    message: str
    line: int | bytes | None = None  # bytes: the line where they last occur
    slug: str = SEED_SLUG
    language: str = LANG
    limit: int | None = None  # a smaller max_catalog_bytes


def _latin1(ctx: Content) -> bytes:
    text = translated_export(ctx)
    return text.encode("utf-8").replace(
        b'msgstr "PT Translate this post"', b'msgstr "Traduza \xe9"'
    )


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.rindex(needle)].count(b"\n") + 1


def _duplicate(ctx: Content) -> bytes:
    return (translated_export(ctx) + '\nmsgctxt "3"\nmsgid "Again"\nmsgstr "De novo"\n').encode()


BAD = {
    "a line that is not PO": Bad(
        lambda c: insert_line(translated_export(c), 30, "this is not PO").encode(),
        CatalogError,
        "not a valid PO file (cannot read 'this is not PO')",
        line=30,
    ),
    "an unterminated string": Bad(
        lambda c: insert_line(translated_export(c), 40, 'msgstr "open').encode(),
        CatalogError,
        "not a valid PO file (cannot read 'msgstr \"open')",
        line=40,
    ),
    "msgstr without msgid": Bad(
        lambda c: (translated_export(c) + 'msgctxt "99"\nmsgstr "x"\n').encode(),
        CatalogError,
        "not a valid PO file (msgstr without msgid)",
        line=b'msgstr "x"',
    ),
    "a segment twice": Bad(
        _duplicate,
        CatalogError,
        "segment id 3 appears twice",
        line=b'msgctxt "3"',
    ),
    "an entry without a segment id": Bad(
        lambda c: (translated_export(c) + '\nmsgid "Loose"\nmsgstr "Solto"\n').encode(),
        CatalogError,
        "entry has no segment id (msgctxt must be a number)",
        line=b'msgid "Loose"',
    ),
    "a plural entry": Bad(
        lambda c: (
            translated_export(c)
            + '\nmsgctxt "30"\nmsgid "one"\nmsgid_plural "many"\nmsgstr[0] "um"\n'
            'msgstr[1] "muitos"\n'
        ).encode(),
        CatalogError,
        "plural entries are not used by articles",
        line=b'msgctxt "30"',
    ),
    "not UTF-8": Bad(_latin1, CatalogError, "not UTF-8", line=b"\xe9"),
    "a charset other than UTF-8": Bad(
        lambda c: header(translated_export(c), "charset=UTF-8", "charset=ISO-8859-1").encode(),
        CatalogError,
        "declares charset ISO-8859-1; Chorus reads UTF-8 only",
    ),
    "binary": Bad(
        lambda c: translated_export(c).encode() + b"\0\0",
        CatalogError,
        "binary file (it contains NUL bytes), not a PO file",
    ),
    "empty": Bad(lambda c: b"", CatalogError, "not a PO file: no header and no entry"),
    "over the size limit": Bad(
        lambda c: translated_export(c).encode(),
        TooLarge,
        "larger than the limit of 1000 bytes",
        limit=1000,
    ),
    "another article": Bad(
        lambda c: header(
            translated_export(c),
            f"Project-Id-Version: {SEED_SLUG}",
            "Project-Id-Version: another-article",
        ).encode(),
        CatalogError,
        f"is a catalog of 'another-article', not '{SEED_SLUG}'",
    ),
    "no article": Bad(
        lambda c: header(
            translated_export(c), f"Project-Id-Version: {SEED_SLUG}", "Project-Id-Version: "
        ).encode(),
        CatalogError,
        f"is a catalog of 'no article', not '{SEED_SLUG}'",
    ),
    "another language (fr uploaded as de)": Bad(
        lambda c: translated_export(c, "fr").encode(),
        CatalogError,
        "is a catalog for fr, not de",
        language="de",
    ),
    "a template": Bad(
        lambda c: header(translated_export(c), "Language: pt_BR", "Language: ").encode(),
        CatalogError,
        "is a catalog for no language, not pt_BR",
    ),
    "Plural-Forms of another language": Bad(
        lambda c: header(
            translated_export(c), "nplurals=2; plural=(n > 1);", "nplurals=1; plural=0;"
        ).encode(),
        CatalogError,
        "Plural-Forms 'nplurals=1; plural=0;' does not match pt_BR ('nplurals=2; plural=(n > 1);')",
    ),
    "a Language header that is no language": Bad(
        lambda c: header(translated_export(c), "Language: pt_BR", "Language: xx_YY").encode(),
        CatalogError,
        "header: ",
    ),
    "an unknown article": Bad(
        lambda c: translated_export(c).encode(),
        NotFound,
        "no article 'no-such-article'",
        slug="no-such-article",
    ),
    "an article name that cannot be one": Bad(
        lambda c: translated_export(c).encode(),
        NotFound,
        "is not an article name",
        slug="../etc",
    ),
    "an unknown language": Bad(
        lambda c: translated_export(c).encode(),
        LanguageError,
        "'xx'",
        language="xx",
    ),
    "a malformed language code": Bad(
        lambda c: translated_export(c).encode(),
        LanguageError,
        "is not a language code",
        language="pt BR",
    ),
}


@pytest.mark.parametrize("bad", list(BAD.values()), ids=list(BAD))
def test_a_bad_upload_raises_a_clear_error_and_applies_nothing(seed: Content, bad: Bad) -> None:
    save(seed, SHORT, "Traduza isto")
    data = bad.make(seed)
    ctx = seed if bad.limit is None else dataclasses.replace(seed, max_catalog_bytes=bad.limit)
    before, short = rows(), history(SHORT)

    with pytest.raises(bad.error) as raised:
        offline.upload(ctx, bad.slug, bad.language, data, person("ana"), name="mine.po")

    error = raised.value
    assert bad.message in str(error)
    assert "\n" not in str(error)
    if isinstance(error, CatalogError):
        assert error.name == "mine.po"
        expected = _line_of(data, bad.line) if isinstance(bad.line, bytes) else bad.line
        assert error.line == expected
        where = f"mine.po:{expected}: " if expected else "mine.po: "
        assert str(error).startswith(where)
    if isinstance(error, TooLarge):
        assert str(error).startswith("mine.po: ")
    assert rows() == before
    assert history(SHORT) == short
    assert translation(SHORT).text == "Traduza isto"
    assert translation(TITLE) is None


def test_a_catalog_exactly_at_the_size_limit_is_accepted(seed: Content) -> None:
    data = translated_export(seed).encode()
    report = offline.upload(
        dataclasses.replace(seed, max_catalog_bytes=len(data)), SEED_SLUG, LANG, data, person("ana")
    )
    assert report.counts() == {"applied": SEGMENTS}


def test_an_upload_in_gettext_form_and_with_a_byte_order_mark(seed: Content) -> None:
    po = exported(seed)
    entry(po, TITLE).msgstr = "Uma força-tarefa"
    data = "\ufeff".encode() + str(po).encode()
    report = offline.upload(seed, SEED_SLUG, "pt_BR", data, person("ana"))
    assert report.language == LANG
    assert report.entries[TITLE - 1].outcome == "applied"
    assert translation(TITLE).text == "Uma força-tarefa"


# -- publication ----------------------------------------------------------------------------


def test_an_upload_that_finishes_the_language_queues_its_publication(seed: Content) -> None:
    save(seed, TITLE, "Uma força-tarefa de desenvolvimento de liderança", name="bo")
    po = exported(seed)
    for item in po:
        if not item.msgstr:
            item.msgstr = f"PT {item.msgid}"
    partial = polib.pofile(str(po))
    for item in partial:
        if item.msgctxt == str(SEGMENTS):
            item.msgstr = ""
    drain(seed)  # the template of the import
    head = git(seed.root, "rev-parse", "HEAD").strip()
    name = f"po/{SEED_SLUG}/pt_BR.po"

    # Not finished yet: nothing queued.
    first = upload(seed, partial)
    assert first.counts() == {"applied": SEGMENTS - 2, "unchanged": 1, "empty": 1}
    assert first.publication_queued is False
    assert f"{SEED_SLUG} pt-BR: finished; publication queued" not in first.lines()
    assert publishing.pending(seed) == []

    # The last segment finishes it: the publication is queued, git is not touched.
    report = upload(seed, po)
    assert report.counts() == {"applied": 1, "unchanged": SEGMENTS - 1}
    assert (report.publication_queued, report.failures) == (True, ())
    assert report.lines()[-1] == f"{SEED_SLUG} pt-BR: finished; publication queued"
    assert git(seed.root, "rev-parse", "HEAD").strip() == head
    assert not (seed.root / name).exists()
    assert len(publishing.pending(seed)) == 1
    assert coverage.language_status(queries.article(SEED_SLUG), LANG).queued

    # The worker publishes it.
    [done] = drain(seed)
    assert (done.language, done.error) == (LANG, None)
    assert done.commit == git(seed.root, "rev-parse", "HEAD").strip() != head
    assert git(seed.root, "rev-parse", "HEAD~1").strip() == head
    log = git(seed.root, "log", "-1", "--format=%an <%ae>%n%cn <%ce>%n%B")
    author, committer, subject, *body = log.splitlines()
    assert author == "ana <ana@example.org>"
    assert committer == "Chorus <chorus@localhost>"
    assert subject == f"Publish pt-BR translation of {SEED_SLUG}"
    assert "Co-authored-by: bo <bo@example.org>" in body
    files = git(seed.root, "show", "--name-only", "--format=", "HEAD").split()
    assert files == [name]
    published = polib.pofile(git(seed.root, "show", f"HEAD:{name}"))
    assert published.metadata["Language"] == "pt_BR"
    assert [e.msgstr for e in published] == [e.msgstr for e in po]
    assert not any("version:" in e.comment for e in published)  # stamps are for offline only
    assert git(seed.root, "status", "--porcelain", "po") == ""
    status = coverage.language_status(queries.article(SEED_SLUG), LANG)
    assert (status.state, status.published_commit, status.queued) == (
        "published",
        done.commit,
        False,
    )

    # Uploading it again queues nothing and publishes nothing new.
    again = upload(seed, po)
    assert again.counts() == {"unchanged": SEGMENTS}
    assert again.publication_queued is False
    assert publishing.pending(seed) == []
    assert drain(seed) == []
    assert git(seed.root, "rev-parse", "HEAD").strip() == done.commit


def test_the_upload_report_names_each_critical_check_failure_by_segment(seed: Content) -> None:
    """A translation that loses the footnote markers is applied (nothing typed is lost) but
    keeps the language from finishing, and the report says which segment fails which check."""
    item = queries.article(SEED_SLUG)
    footnoted = next(s for s in queries.segments(item) if "[1]" in s.source)
    po = exported(seed)
    for found in po:
        found.msgstr = f"PT {found.msgid}"
    entry(po, footnoted.number).msgstr = "PT sem as notas"

    report = upload(seed, po)

    assert report.counts() == {"applied": SEGMENTS}
    assert report.publication_queued is False
    [failure] = report.failures
    assert (failure.segment, failure.line) == (footnoted.number, footnoted.line)
    critical = {r.id for r in failure.results if r.severity == "critical"}
    assert critical == {"footnotes"}
    footnotes = next(r for r in failure.results if r.id == "footnotes")
    where = f"segment {footnoted.number} (line {footnoted.line})"
    assert [text for text in report.lines() if text.startswith("critical:")] == [
        f"critical: {where}: footnotes: {footnotes.message}"
    ]
    assert translation(footnoted.number).text == "PT sem as notas"
    status = coverage.language_status(item, LANG)
    assert (status.state, status.critical, status.queued) == ("in progress", 1, False)

    # Fixing that one entry finishes the language; the report names no failure any more.
    again = exported(seed)
    entry(again, footnoted.number).msgstr = f"PT {footnoted.source}"
    fixed = upload(seed, again)
    assert fixed.counts() == {"applied": 1, "unchanged": SEGMENTS - 1}
    assert (fixed.failures, fixed.publication_queued) == ((), True)
    assert not [text for text in fixed.lines() if text.startswith("critical:")]
