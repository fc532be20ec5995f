"""Chorus refuses, whole, every PO file that GNU ``msgfmt -c`` refuses.

Each malformed file below starts as a catalog Chorus wrote (a ``msgctxt`` on every
entry) and is damaged in one way. The real ``msgfmt -c --check-format`` must call
it fatal (so the table stays honest) and Chorus must raise CatalogError for it,
with the line where the file goes wrong.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from service.core import catalog
from service.core.catalog import Catalog, Entry
from service.core.errors import CatalogError

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU msgfmt not installed")

ENTRIES = (
    Entry(1, "A title", "Un titre", kind="title", line=2),
    Entry(2, "First line\nsecond line", "Première ligne\nseconde ligne", line=5, version=3),
    Entry(3, "Changed text", "Texte", line=7, fuzzy=True, previous="Old text"),
    Entry(4, 'Quote " backslash \\ tab\t', 'Guillemet " barre \\ tab\t', line=9),
    Entry(5, "Not translated yet", line=11),
    Entry(6, "Gone", "Parti", obsolete=True),
)
# Characters str.splitlines() takes for line ends, which only "\n" is in a PO file.
ODD = Entry(
    7, "Odd \u2028 \x0b \x1c \x85 \x07 inside", "Bizarre \u2028 \x0b \x1c \x85 \x07", line=13
)
VALID = catalog.dumps(Catalog("seed", "source/seed.md", ENTRIES, language="fr"))
HEADER_END = VALID.index("\n\n") + 2
FIRST_ENTRY = VALID[HEADER_END : VALID.index("\n\n", HEADER_END) + 2]


def msgfmt(data: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "checked.po"
    path.write_bytes(data)
    return subprocess.run(
        ["msgfmt", "-c", "--check-format", "-o", "/dev/null", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def replace(old: str, new: str) -> Callable[[str], str]:
    def damage(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return damage


def cut_after(marker: str) -> Callable[[str], str]:
    """The file as if the write stopped at the end of the line holding ``marker``."""

    def damage(text: str) -> str:
        return text[: text.index("\n", text.index(marker)) + 1]

    return damage


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


MALFORMED: dict[str, Callable[[str], str]] = {
    # Cut short: the earlier entries must not be used.
    "truncated after a msgid": cut_after('msgid "Changed text"'),
    "truncated after the last msgid": cut_after('msgid "Not translated yet"'),
    "truncated after a msgctxt": cut_after('msgctxt "3"'),
    "truncated after a msgid's first string": cut_after('"First line\\n"'),
    "truncated inside a string": lambda text: text[: text.index('"Not translated yet"') + 5],
    "truncated after a previous source": cut_after('#| msgid "Old text"'),
    "truncated inside an obsolete entry": cut_after('#~ msgid "Gone"'),
    "truncated after a backslash": lambda text: text + 'msgctxt "7"\nmsgid "x"\nmsgstr "y\\',
    # Fields missing, repeated or out of order.
    "msgstr without msgid": replace('msgid "Changed text"\n', ""),
    "msgid without msgstr": replace('msgstr "Un titre"\n', ""),
    "msgstr alone at the end": append('\nmsgstr "orphan"\n'),
    "msgid twice": replace('msgid "A title"\n', 'msgid "A title"\nmsgid "Again"\n'),
    "msgstr twice": replace('msgstr "Un titre"\n', 'msgstr "Un titre"\nmsgstr "Encore"\n'),
    "msgctxt twice": replace('msgctxt "1"\n', 'msgctxt "1"\nmsgctxt "9"\n'),
    "msgctxt after msgid": replace(
        'msgctxt "1"\nmsgid "A title"\n', 'msgid "A title"\nmsgctxt "1"\n'
    ),
    "msgstr[0] without msgid_plural": replace('msgstr "Un titre"', 'msgstr[0] "Un titre"'),
    "plural entry with a form missing": replace(
        'msgid "A title"\nmsgstr "Un titre"',
        'msgid "A title"\nmsgid_plural "Titles"\nmsgstr[0] "Un titre"',
    ),
    "keyword without a string": replace('msgstr "Texte"', "msgstr"),
    "previous source inside an entry": replace('msgctxt "1"\n', 'msgctxt "1"\n#| msgid "x"\n'),
    "comment inside an entry": replace('msgid "A title"\n', 'msgid "A title"\n# a note\n'),
    "flag inside an entry": replace('msgid "A title"\n', 'msgid "A title"\n#, fuzzy\n'),
    "part of an entry obsolete": replace('#~ msgstr "Parti"', 'msgstr "Parti"'),
    # Strings.
    "unterminated string": replace('msgstr "Texte"', 'msgstr "Texte'),
    "unterminated continuation string": replace('"second line"\nmsgstr', '"second line\nmsgstr'),
    "text after a string": replace('msgstr "Texte"', 'msgstr "Texte" x'),
    "escape \\q": replace('msgstr "Texte"', 'msgstr "Te\\qxte"'),
    "escape \\u": replace('msgstr "Texte"', 'msgstr "Caf\\u00e9"'),
    "escape \\'": replace('msgstr "Texte"', 'msgstr "L\\\'texte"'),
    "escape \\?": replace('msgstr "Texte"', 'msgstr "Texte\\?"'),
    # Stray text and unknown keywords.
    "stray text at the end": append("hello world\n"),
    "stray text between entries": replace("#. kind: title", "x = 1\n#. kind: title"),
    "unknown keyword": replace('msgstr "Texte"', 'msgtxt "Texte"'),
    "misspelt obsolete keyword": replace('#~ msgstr "Parti"', '#~ msgst "Parti"'),
    # Duplicates.
    "an entry twice": append("\n" + FIRST_ENTRY),
    "the header twice": append("\n" + VALID[:HEADER_END]),
    "an obsolete copy of an active entry": append(
        '\n#~ msgctxt "1"\n#~ msgid "A title"\n#~ msgstr "Un titre"\n'
    ),
    # What msgfmt -c checks beyond syntax.
    "source ends with a line break, translation not": replace(
        'msgid "A title"', 'msgid "A title\\n"'
    ),
    "translation begins with a line break, source not": replace(
        'msgstr "Un titre"', 'msgstr "\\nUn titre"'
    ),
    "c-format that does not match": replace(
        'msgctxt "1"\nmsgid "A title"\nmsgstr "Un titre"',
        '#, c-format\nmsgctxt "1"\nmsgid "A %s title"\nmsgstr "Un %d titre"',
    ),
    "python-format that does not match": replace(
        'msgctxt "1"\nmsgid "A title"\nmsgstr "Un titre"',
        '#, python-format\nmsgctxt "1"\nmsgid "A %(x)s title"\nmsgstr "Un %(y)s titre"',
    ),
    "no header": lambda text: text[HEADER_END:],
    "an empty header": lambda text: 'msgid ""\nmsgstr ""\n\n' + text[HEADER_END:],
    "invalid Plural-Forms and no Language": lambda text: text.replace(
        '"Language: fr\\n"\n', ""
    ).replace("plural=(n > 1);", "plural=(n > 1;"),
}


@pytest.mark.parametrize("damage", MALFORMED.values(), ids=MALFORMED.keys())
def test_chorus_refuses_what_msgfmt_refuses(damage: Callable[[str], str], tmp_path: Path) -> None:
    text = damage(VALID)
    checked = msgfmt(text.encode(), tmp_path)
    assert checked.returncode != 0, "msgfmt accepts this file: the case tests nothing"
    with pytest.raises(CatalogError) as caught:
        catalog.parse_bytes(text.encode(), "up.po")
    if "Plural-Forms" not in caught.value.reason:
        assert caught.value.line is not None
        assert 1 <= caught.value.line <= text.count("\n") + 1
    with pytest.raises(CatalogError):
        catalog.loads(text, "up.po")


def test_chorus_refuses_every_truncation_msgfmt_refuses(tmp_path: Path) -> None:
    lines = VALID.split("\n")  # only "\n" ends a PO line; U+2028 sits inside a string
    refused = 0
    for count in range(1, len(lines)):
        text = "\n".join(lines[:count]) + "\n"
        if msgfmt(text.encode(), tmp_path).returncode == 0:
            continue
        refused += 1
        with pytest.raises(CatalogError):
            catalog.loads(text, "cut.po")
    assert refused >= 15  # most cuts end inside an entry


@pytest.mark.parametrize(
    "data",
    [
        VALID.replace("Première", "Premi\udce8re").encode("utf-8", "surrogateescape"),
        VALID.encode() + b'\nmsgctxt "7"\nmsgid "\xc3"\nmsgstr ""\n',
    ],
    ids=["a Latin-1 byte", "a cut UTF-8 sequence"],
)
def test_chorus_refuses_bytes_msgfmt_refuses(data: bytes, tmp_path: Path) -> None:
    assert msgfmt(data, tmp_path).returncode != 0
    with pytest.raises(CatalogError, match="not UTF-8"):
        catalog.parse_bytes(data, "up.po")


@pytest.mark.parametrize(
    "entries", [ENTRIES, (*ENTRIES[:-1], ODD, ENTRIES[-1])], ids=["plain", "odd characters"]
)
def test_a_file_chorus_writes_is_accepted_by_both(
    entries: tuple[Entry, ...], tmp_path: Path
) -> None:
    text = catalog.dumps(Catalog("seed", "source/seed.md", entries, language="fr"))
    checked = msgfmt(text.encode(), tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
    parsed = catalog.parse_bytes(text.encode(), "fr.po", slug="seed", language="fr")
    assert parsed.entries == entries


@pytest.mark.parametrize(
    "layout",
    [
        lambda text: text.replace("\n", "\r\n"),
        lambda text: text.rstrip("\n"),
        lambda text: text + "# a comment after the last entry\n",
        lambda text: text.replace('msgstr "Texte"', 'msgstr "Tex"\n\n"te"'),
    ],
    ids=["CRLF", "no final line break", "trailing comment", "string after a blank line"],
)
def test_layouts_msgfmt_accepts_are_read_alike(
    layout: Callable[[str], str], tmp_path: Path
) -> None:
    text = layout(VALID)
    assert msgfmt(text.encode(), tmp_path).returncode == 0
    assert catalog.loads(text, "fr.po").entries == ENTRIES


def test_a_byte_order_mark_is_the_one_exception(tmp_path: Path) -> None:
    # msgfmt calls a BOM a syntax error, but editors on Windows add one and nothing is
    # lost or misread by dropping it, so parse_bytes (uploads) takes it; loads does not.
    data = "\ufeff".encode() + VALID.encode()
    assert msgfmt(data, tmp_path).returncode != 0
    assert catalog.parse_bytes(data, "fr.po").entries == ENTRIES
    with pytest.raises(CatalogError, match="cannot read"):
        catalog.loads(data.decode(), "fr.po")


@pytest.mark.parametrize(
    ("escape", "reason"),
    [("\\101", "escape \\\\1"), ("\\x41", "escape \\\\x"), ("\\0", "escape \\\\0")],
)
def test_octal_and_hex_escapes_are_refused(escape: str, reason: str, tmp_path: Path) -> None:
    # msgfmt takes these (as bytes); polib and translate-toolkit do not decode them, so
    # Chorus, which never writes them, refuses rather than read them differently.
    text = VALID.replace('msgstr "Texte"', f'msgstr "Texte{escape}"')
    assert msgfmt(text.encode(), tmp_path).returncode == 0
    with pytest.raises(CatalogError, match=reason) as caught:
        catalog.loads(text, "fr.po")
    assert caught.value.line == text[: text.index(escape)].count("\n") + 1
