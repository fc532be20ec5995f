"""Flask-free domain code of Chorus.

Nothing in this package imports Flask, the ORM session, ``service.web`` or any
other part of ``service`` outside ``service.core``;
``tests/core/test_boundaries.py`` enforces it. Everything here works on plain
values (strings, frozen dataclasses) and files, so the CLI, the web views and
the tests share one implementation.

``__version__`` is the installed distribution's version (``chorus-translate``),
read from its metadata so that the core need not import ``service``.
"""

from __future__ import annotations

from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("chorus-translate")
    except metadata.PackageNotFoundError:  # a checkout run without being installed
        return "0+unknown"


__version__ = _version()
