"""The house rule: ``service.core`` imports no Flask, no ORM, nothing of ``service`` but itself."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).parents[2] / "service" / "core"
FORBIDDEN = ("flask", "flask_babel", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "service.web")


def imported_modules(source: str, package: str = "service.core") -> set[str]:
    """Every module a source imports, as a full dotted name (``from a import b`` gives a.b)."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..web import y
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # "from service import web" and "from service import __version__" name
            # something of ``service`` itself; keep each name to judge it.
            imported.update(f"{base}.{alias.name}" for alias in node.names)
    return imported


def outside_the_core(name: str) -> bool:
    """True for ``service`` and anything in it but ``service.core``."""
    parts = name.split(".")
    return parts[0] == "service" and (len(parts) == 1 or parts[1] != "core")


def forbidden(imported: set[str]) -> set[str]:
    return {
        name
        for name in imported
        if outside_the_core(name) or any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("import service.web", True),
        ("import service.models as m", True),
        ("import service", True),
        ("from service import __version__", True),
        ("from service import db, core", True),
        ("from service.settings import load", True),
        ("from .. import models", True),
        ("from ..web import pages", True),
        ("import flask", True),
        ("from sqlalchemy.orm import Session", True),
        ("import service.core.segment", False),
        ("from service.core import catalog, __version__", False),
        ("from service.core.errors import CatalogError", False),
        ("from . import markdown", False),
        ("from .errors import SourceError", False),
        ("import services_elsewhere", False),
    ],
)
def test_the_rule_catches_every_form_of_import(source: str, bad: bool) -> None:
    assert bool(forbidden(imported_modules(source))) is bad


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_nothing_outside_the_core(path: Path) -> None:
    bad = forbidden(imported_modules(path.read_text(encoding="utf-8")))
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_importing_the_core_loads_no_flask() -> None:
    code = (
        "import sys, service.core.segment, service.core.render, service.core.catalog, "
        "service.core.update, service.core.checks, service.core.stats, service.core.languages; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('flask', 'werkzeug', 'sqlalchemy')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_every_core_module_states_its_contract() -> None:
    for path in sorted(CORE.glob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{path.name} has no contract docstring"
