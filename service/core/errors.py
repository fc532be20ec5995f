"""Errors raised by the core for bad input.

Each carries a one-line message meant for a person: the CLI prints it as is,
the web layer turns it into a 400/404 body. None of them is a programming error.
"""

from __future__ import annotations

from service.core.messages import N_


class ChorusError(Exception):
    """Base class of every user-facing error raised by ``service.core``."""


class SourceError(ChorusError):
    """A source document cannot be read: empty, binary, not UTF-8, too large."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(N_("%(name)s: %(reason)s", name=name, reason=reason))
        self.name = name
        self.reason = reason


class CatalogError(ChorusError):
    """A PO or POT file does not parse or does not fit the article."""

    def __init__(self, name: str, reason: str, line: int | None = None) -> None:
        where = f"{name}:{line}" if line else name
        super().__init__(N_("%(name)s: %(reason)s", name=where, reason=reason))
        self.name = name
        self.reason = reason
        self.line = line


class LanguageError(ChorusError):
    """A language code is malformed or names no language known to CLDR."""
