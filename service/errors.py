"""The one error table of Chorus: every user-facing error, its HTTP status and its kind.

1. Every error a use case raises for bad input or a state that forbids the request is a
   :class:`~service.core.errors.ChorusError` with a one-line message meant for a person.
   The core's own errors (bad source, bad catalog, bad language, git failure) are defined
   in ``service.core`` (which knows no HTTP); the service's are defined here.
2. :data:`TABLE` gives each class its HTTP status and a short ``kind`` for JSON bodies;
   :func:`describe` finds the row of an error by its class's method resolution order,
   most specific first. Git, queue and database trouble is 503 with a ``Retry-After`` hint.
3. The web layer maps errors in one place (``service.web``), as an HTML page or, under
   ``/api/v1``, a JSON body ``{"error": kind, "message": ...}``. The CLI prints the
   message on one line and exits with status 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.core.errors import CatalogError, ChorusError, LanguageError, SourceError
from service.core.messages import N_
from service.core.vcs import GitError

__all__ = [
    "TABLE",
    "CatalogError",
    "ChorusError",
    "Conflict",
    "DatabaseUnavailable",
    "GitError",
    "LanguageError",
    "NotFound",
    "NotSetUp",
    "PermissionDenied",
    "QueueError",
    "SourceError",
    "TooLarge",
    "Unauthorised",
    "database_error",
    "describe",
]
_NOT_SET_UP = ("no such table", "does not exist", "unable to open database file", "no such column")


class NotFound(ChorusError):
    """An article, a segment, a language or a record that does not exist."""


class Conflict(ChorusError):
    """The request cannot be done in the current state (e.g. a name already taken)."""


class Unauthorised(ChorusError):
    """The request needs a signed-in user or an API token, and came with neither."""


class PermissionDenied(ChorusError):
    """The user's role does not allow this."""


class TooLarge(ChorusError):
    """A translation, an article or a catalog over its configured size limit."""


class NotSetUp(ChorusError):
    """The database has no schema yet: ``chorus init`` has not been run."""


class QueueError(ChorusError):
    """The task queue cannot be reached (the work stays recorded in the database)."""


class DatabaseUnavailable(ChorusError):
    """The database cannot be used right now (busy, unreachable)."""


@dataclass(frozen=True)
class Row:
    error: type[ChorusError]
    status: int
    kind: str
    retry_after: int | None = None  # seconds, for 503


TABLE: tuple[Row, ...] = (
    Row(NotFound, 404, "not-found"),
    Row(LanguageError, 404, "unknown-language"),
    Row(Unauthorised, 401, "unauthorised"),
    Row(PermissionDenied, 403, "forbidden"),
    Row(Conflict, 409, "conflict"),
    Row(TooLarge, 413, "too-large"),
    Row(SourceError, 400, "bad-source"),
    Row(CatalogError, 400, "bad-catalog"),
    Row(GitError, 503, "git-unavailable", retry_after=60),
    Row(QueueError, 503, "queue-unavailable", retry_after=60),
    Row(NotSetUp, 503, "not-set-up", retry_after=60),
    Row(DatabaseUnavailable, 503, "database-unavailable", retry_after=5),
    Row(ChorusError, 400, "bad-request"),
)
_BY_CLASS = {row.error: row for row in TABLE}


def describe(error: ChorusError) -> Row:
    """The table row of ``error``: its nearest class in the table (ChorusError at worst)."""
    for cls in type(error).__mro__:
        if cls in _BY_CLASS:
            return _BY_CLASS[cls]
    raise TypeError(f"{type(error).__name__} is not a ChorusError")


def database_error(error: Exception) -> ChorusError:
    """The user-facing error for a failure of the database driver (any SQLAlchemy DBAPIError):
    a clash of two changes, a database not set up, or one unavailable."""
    original = getattr(error, "orig", None) or error
    reason = (str(original).strip().splitlines() or ["no reason given"])[0]
    if type(error).__name__ == "IntegrityError":  # two changes at once (a name taken twice)
        return Conflict(
            N_(
                "the change clashes with one made at the same time (%(reason)s); retry",
                reason=reason,
            )
        )
    if "file is not a database" in reason:
        return NotSetUp(
            N_("the database file is not a database (%(reason)s); check the setting", reason=reason)
        )
    if any(marker in reason for marker in _NOT_SET_UP):
        return NotSetUp(
            N_("the database is not set up (%(reason)s); run: chorus init", reason=reason)
        )
    return DatabaseUnavailable(N_("database error: %(reason)s", reason=reason))
