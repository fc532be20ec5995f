"""The house rule: ``service.core`` never imports Flask, the ORM or the web layer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).parents[2] / "service" / "core"
FORBIDDEN = ("flask", "flask_babel", "flask_sqlalchemy", "sqlalchemy", "werkzeug", "service.web")


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_imports_no_web_or_orm(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    bad = {name for name in imported for f in FORBIDDEN if name == f or name.startswith(f + ".")}
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
