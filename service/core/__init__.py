"""Flask-free domain code of Chorus.

Nothing in this package imports Flask, the ORM session or ``service.web``;
``tests/core/test_boundaries.py`` enforces it. Everything here works on plain
values (strings, frozen dataclasses) and files, so the CLI, the web views and
the tests share one implementation.
"""
