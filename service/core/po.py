"""The PO reader: gettext's grammar, refusing whole every file ``msgfmt -c`` refuses.

1. In: PO text, already decoded (only ``"\\n"`` ends a line), and a name for the
   messages. Out: :func:`read` gives the entries as written, in file order,
   obsolete ones and the header (``msgid ""``) included, each an :class:`Item`:
   its ``msgctxt``, ``msgid`` and ``msgstr`` with escapes decoded, its ``#.``
   comments, ``#:`` references, ``#,`` flags and ``#|`` previous fields, and the
   line of each keyword. Translators' ``#`` comments are not kept.
2. It follows gettext's grammar (``po-gram.y``): comments and ``#|`` lines, then
   ``msgctxt``, ``msgid``, ``msgstr``, each with its continuation strings;
   ``#~`` marks a whole entry obsolete; blank lines are mere whitespace.
3. A file with any syntax error is refused whole: :class:`CatalogError` with the
   line and the reason (an entry cut short, a string not closed, an unknown
   escape or keyword, stray text, ``#~`` on part of an entry, ``#|`` lines with
   no entry after them, a plural entry), so no earlier entry of it is used.
4. It is stricter on layout than gettext (one keyword or string per line, no
   line joined by a trailing backslash, no octal or hex escapes, which PO tools
   decode differently), so that what it accepts, gettext, polib and
   translate-toolkit all read the same way.
5. It knows nothing of Chorus: segment ids, kinds, the header's fields and what
   else ``msgfmt -c`` checks in an entry are :mod:`service.core.catalog`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

from service.core.errors import CatalogError


def read(text: str, name: str) -> list[Item]:
    """The entries of PO ``text``, header first if it has one; raises CatalogError."""
    return _Reader(name).read(text)


# What gettext's lexer (po-lex.c) reads after a backslash. It also takes octal and
# hex escapes, but those stand for bytes, which polib and translate-toolkit do not
# decode as gettext does; Chorus never writes them, so a file holding one is refused.
_ESCAPES = {
    "n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v", "a": "\a",
    "\\": "\\", '"': '"',
}  # fmt: skip
_BLANK = " \t\r\f\v"  # whitespace between tokens, skipped by gettext's lexer
_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)(?=["\s])')
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_NEXT_FIELD = {"msgctxt": "msgid", "msgid": "msgstr"}


@dataclass
class Item:
    """One PO entry as read: its fields, the comments before it, where it sits."""

    line: int = 0  # of its first keyword
    obsolete: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)  # "#." lines
    references: list[str] = field(default_factory=list)  # "#:" words
    flags: list[str] = field(default_factory=list)
    previous: dict[str, str] = field(default_factory=dict)  # "#|" fields
    previous_line: int = 0

    @property
    def path(self) -> str:
        return self.references[0].rpartition(":")[0] if self.references else ""

    @property
    def source_line(self) -> int:
        number = self.references[0].rpartition(":")[2] if self.references else ""
        return int(number) if number.isascii() and number.isdigit() else 0


class _Reader:
    """PO text to items, refusing whole every file ``msgfmt -c`` refuses.

    It follows gettext's grammar (po-gram.y): comments and ``#|`` lines, then
    ``msgctxt``, ``msgid``, ``msgstr``, each with its continuation strings;
    ``#~`` marks a whole entry obsolete; blank lines are mere whitespace. It
    is stricter on layout (one keyword or string per line, no line joined by
    a trailing backslash, no octal or hex escapes), so that what it accepts,
    gettext, polib and translate-toolkit all read the same way.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.number = 0
        self.text = ""  # the line being read, for messages
        self.items: list[Item] = []
        self.item: Item | None = None  # the entry being read
        self.next = Item()  # what the comments read so far say of the next entry
        self.target: tuple[Item, str, bool] | None = None  # what a string line continues

    def fail(self, reason: str, line: int | None = None) -> NoReturn:
        raise CatalogError(self.name, f"not a valid PO file ({reason})", line or self.number)

    def unreadable(self) -> NoReturn:
        self.fail(f"cannot read {self.text[:40]!r}")

    def read(self, text: str) -> list[Item]:
        # Only "\n" ends a line: polib writes U+2028, U+0085 ... inside strings as they are.
        for self.number, line in enumerate(text.split("\n"), start=1):
            self.text = line.strip(_BLANK)
            self.line(line.lstrip(_BLANK))
        self.close()
        if self.next.previous:
            self.fail("'#|' lines with no entry after them", self.next.previous_line)
        return self.items

    def line(self, text: str) -> None:
        obsolete = text.startswith("#~")
        if obsolete:
            text = text[2:].lstrip(_BLANK)
            if text.startswith("|"):  # "#~|": the previous source of an obsolete entry
                return self.previous(text[1:].lstrip(_BLANK))
        if not text:
            return  # blank lines are whitespace to gettext: a string may follow them
        if not obsolete and text.startswith("#|"):
            return self.previous(text[2:].lstrip(_BLANK))
        if not obsolete and text.startswith("#"):
            return self.comment(text)
        if text.startswith('"'):
            return self.continuation(self.string(text), obsolete, previous=False)
        keyword = _KEYWORD.match(text)
        if keyword is None:
            self.unreadable()
        self.keyword(keyword.group(1), self.string(text[keyword.end() :].lstrip(_BLANK)), obsolete)

    def close(self) -> None:
        """Finish the entry being read; one cut short before its msgstr is fatal to msgfmt."""
        item = self.item
        if item is None:
            return
        if "msgstr" not in item.fields:
            missing = _NEXT_FIELD[list(item.fields)[-1]]
            self.fail(f"entry has no {missing}", item.line)
        self.items.append(item)
        self.item = self.target = None

    def comment(self, text: str) -> None:
        self.close()  # a comment belongs to the next entry
        self.target = None
        if self.next.previous:
            self.fail("'#|' lines must come right before their entry")
        kind, body = text[:2], text[2:]
        if kind == "#.":
            self.next.comments.append(body.removeprefix(" "))
        elif kind == "#:":
            self.next.references.extend(body.split())
        elif kind == "#,":
            self.next.flags.extend(flag.strip() for flag in body.split(",") if flag.strip())
        # Any other "#" line is a translator's comment, which Chorus does not keep.

    def previous(self, text: str) -> None:
        self.close()
        if text.startswith('"'):
            return self.continuation(self.string(text), None, previous=True)
        keyword = _KEYWORD.match(text)
        if keyword is None or keyword.group(1) not in ("msgctxt", "msgid", "msgid_plural"):
            self.unreadable()
        self.next.previous_line = self.next.previous_line or self.number
        key = keyword.group(1)
        self.next.previous[key] = self.string(text[keyword.end() :].lstrip(_BLANK))
        self.target = (self.next, key, True)

    def keyword(self, keyword: str, value: str, obsolete: bool) -> None:
        item = self.item
        if item is None:
            if keyword not in ("msgctxt", "msgid"):
                self.fail(f"{keyword} without msgid")
            item = self.item = self.next
            item.line, item.obsolete = self.number, obsolete
            self.next = Item()
        elif "msgstr" in item.fields:
            self.close()
            return self.keyword(keyword, value, obsolete)
        elif keyword != _NEXT_FIELD[list(item.fields)[-1]]:
            if "msgid" in item.fields and keyword.startswith(("msgid_plural", "msgstr[")):
                raise CatalogError(self.name, "plural entries are not used by articles", item.line)
            if "msgid" not in item.fields and keyword.startswith("msgstr"):
                self.fail(f"{keyword} without msgid")
            self.close()  # raises: the entry lacks the field this keyword skipped
        if item.obsolete != obsolete:
            self.fail("inconsistent use of #~: an entry is obsolete in part")
        item.fields[keyword] = value
        item.lines[keyword] = self.number
        self.target = (item, keyword, False)

    def continuation(self, value: str, obsolete: bool | None, *, previous: bool) -> None:
        target = self.target
        if target is None or target[2] != previous:
            self.fail("a string outside any entry")
        item, key, _ = target
        if obsolete is not None and item.obsolete != obsolete:
            self.fail("inconsistent use of #~: an entry is obsolete in part")
        fields = item.previous if previous else item.fields
        fields[key] += value

    def string(self, text: str) -> str:
        """Decode the quoted string that ``text`` is; raises CatalogError."""
        match = _QUOTED.match(text)
        if match is None or text[match.end() :].strip(_BLANK):
            self.unreadable()  # a string not closed on its line, or text after it
        return _ESCAPE.sub(self.unescape, match.group(1))

    def unescape(self, match: re.Match[str]) -> str:
        char = match.group(1)
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char in "01234567x":
            self.fail(f"escape \\{char}...: write the character itself, not its bytes")
        self.fail(f"invalid escape \\{char}")
