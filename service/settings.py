"""The one settings table of Chorus, read from the environment (``CHORUS_*``).

Every setting has a name, a default and a meaning; the README lists them all
and ``tests/test_settings.py`` fails when one is missing there. :func:`load`
turns the environment into checked values and raises
:class:`~service.core.errors.ChorusError` with a one-line reason for a bad one.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.core import languages, mt
from service.core.errors import ChorusError


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str
    parse: Callable[[str], Any] = str


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("must be at least 1")
    return number


def _positive_number(value: str) -> float:
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError("must be a positive number")
    return number


def _mt_backend(value: str) -> str:
    if value not in mt.BACKENDS:
        raise ValueError(f"must be one of {', '.join(mt.BACKENDS)}")
    return value


def _language_list(value: str) -> tuple[str, ...]:
    return tuple(languages.get(code).code for code in value.split())


def _count(value: str) -> int:
    number = int(value)
    if not 0 <= number <= 10:
        raise ValueError("must be a number from 0 to 10")
    return number


def _switch(value: str) -> bool:
    if value not in {"on", "off"}:
        raise ValueError("must be on or off")
    return value == "on"


def _directory(value: str) -> Path:
    return Path(value or ".").resolve()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CHORUS_CONTENT_DIR",
        "",
        "git work tree holding `source/` and `po/` (default: the current directory)",
        _directory,
    ),
    Setting(
        "CHORUS_DATABASE_URL",
        "",
        "any SQLAlchemy URL; PostgreSQL for several servers "
        "(default: `sqlite:///<content>/.chorus/chorus.db`, git-ignored)",
    ),
    Setting(
        "CHORUS_QUEUE_URL",
        "",
        "task queue storage (huey): `sqlite:///<file>`, or `redis://host:port/db` when several "
        "machines share the work (default: `sqlite:///<content>/.chorus/queue.db`)",
    ),
    Setting(
        "CHORUS_SECRET_KEY",
        "",
        "session signing key (default: generated once into the instance folder)",
    ),
    Setting(
        "CHORUS_TARGET_LANGUAGES",
        "13",
        "default language target of a new article",
        _positive_int,
    ),
    Setting(
        "CHORUS_PRIORITY_LANGUAGES",
        "ar bn de es fr hi id ja pt-BR ru sw uk zh-Hans",
        "languages shown first to volunteers and coordinators (BCP 47, space-separated)",
        _language_list,
    ),
    Setting(
        "CHORUS_GIT_PUSH",
        "",
        "remote (name or URL) to push published translations to; empty: no push",
    ),
    Setting(
        "CHORUS_GIT_TIMEOUT",
        "60",
        "seconds the worker waits for the repository lock, and for a push, before it retries",
        _positive_int,
    ),
    Setting(
        "CHORUS_RETRY_DELAY",
        "5",
        "seconds before a failed publication or webhook delivery is retried; doubled at each "
        "of 6 retries",
        _positive_int,
    ),
    Setting(
        "CHORUS_GIT_NAME",
        "Chorus",
        "committer name of the commits Chorus makes",
    ),
    Setting(
        "CHORUS_GIT_EMAIL",
        "chorus@localhost",
        "committer email of the commits Chorus makes",
    ),
    Setting(
        "CHORUS_MAX_TRANSLATION_CHARS",
        "20000",
        "longest translation accepted for one segment, in characters",
        _positive_int,
    ),
    Setting(
        "CHORUS_MAX_SOURCE_BYTES",
        "1048576",
        "largest Markdown article accepted, in bytes",
        _positive_int,
    ),
    Setting(
        "CHORUS_MAX_CATALOG_BYTES",
        "4194304",
        "largest PO file accepted, in bytes",
        _positive_int,
    ),
    Setting(
        "CHORUS_SIGNUP",
        "on",
        "`on`: anyone may sign up as a translator at `/signup`; `off`: the page is a 404 and "
        "accounts are made with `chorus user add`",
        _switch,
    ),
    Setting(
        "CHORUS_HTTPS",
        "off",
        "`on` when Chorus is served over HTTPS (directly or behind a proxy): session and "
        "remember cookies get the `Secure` flag",
        _switch,
    ),
    Setting(
        "CHORUS_PROXIES",
        "0",
        "how many reverse proxies in front of Chorus to trust for the client's address "
        "(`X-Forwarded-For`) and scheme (`X-Forwarded-Proto`); `0`: none, the connection's own "
        "address counts. Behind one proxy set `1`, or every reader shares the proxy's address "
        "in the rate limits",
        _count,
    ),
    Setting(
        "CHORUS_RATELIMIT_STORAGE",
        "memory://",
        "where sign-in and sign-up attempts are counted (Flask-Limiter storage URI); "
        "`memory://` counts per process, so give several gunicorn workers a shared "
        "`redis://host:6379` to make the limit hold across them",
    ),
    Setting(
        "CHORUS_WEBHOOK_ALLOW_LOOPBACK",
        "off",
        "`on`: webhooks may go to loopback addresses (`127.0.0.1`, `::1`, `localhost`), for tests "
        "and a single machine whose receiver runs beside Chorus; link-local, unspecified, "
        "multicast and reserved addresses, and the machine's other addresses, stay refused",
        _switch,
    ),
    Setting(
        "CHORUS_MT",
        "apertium",
        "machine translation suggestions: `apertium` uses Apertium for the language pairs "
        "installed with it (none when it is not installed); `off`: no machine translation",
        _mt_backend,
    ),
    Setting(
        "CHORUS_MT_TIMEOUT",
        "5",
        "seconds one machine translation may take; a slower one is stopped and gives no suggestion",
        _positive_number,
    ),
)


def check_content(root: Path) -> Path:
    """The content folder itself; raises ChorusError unless it is a git work tree."""
    if not root.is_dir():
        raise ChorusError(f"CHORUS_CONTENT_DIR={str(root)!r}: no such folder")
    if not (root / ".git").exists():
        raise ChorusError(
            f"CHORUS_CONTENT_DIR={str(root)!r}: not a git work tree (run: git init {root})"
        )
    return root


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Checked settings, keyed by name without the ``CHORUS_`` prefix."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        try:
            values[setting.name.removeprefix("CHORUS_")] = setting.parse(raw)
        except (ValueError, ChorusError) as error:
            raise ChorusError(f"{setting.name}={raw!r}: {error}") from None
    return values
