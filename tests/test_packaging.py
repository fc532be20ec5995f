"""A non-editable install carries what the service needs at run time: templates, static
files, migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_wheel_holds_the_templates_static_files_and_migrations(tmp_path: Path) -> None:
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run(
        [*build, "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {f"service/templates/{p.name}" for p in (ROOT / "templates").glob("*.html")}
    migrations = {
        f"service/migrations/versions/{p.name}"
        for p in (ROOT / "service" / "migrations" / "versions").glob("*.py")
    }
    static = {f"service/static/{p.name}" for p in (ROOT / "service" / "static").iterdir()}
    assert templates and templates <= names
    assert {"service/static/editor.js", "service/static/chorus.css"} <= static <= names
    assert migrations <= names
    assert {"service/migrations/alembic.ini", "service/migrations/script.py.mako"} <= names
