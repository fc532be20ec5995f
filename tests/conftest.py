"""Fixtures in the manner of Flask's tutorial: ``content`` (a scratch content folder),
``app``, ``client`` and ``runner``. No test touches the repository's own ``po/``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from service import create_app

ROOT = Path(__file__).parents[1]
SEED_SLUG = "leadership-development-task-force"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A content folder holding a copy of the repository's articles and nothing in po/."""
    folder = tmp_path / "content"
    shutil.copytree(ROOT / "source", folder / "source")
    (folder / "po").mkdir()
    return folder


@pytest.fixture
def app(content: Path, tmp_path: Path) -> Flask:
    app = create_app({"TESTING": True, "CONTENT_DIR": content, "SECRET_KEY": "test"})
    app.instance_path = str(tmp_path / "instance")
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
