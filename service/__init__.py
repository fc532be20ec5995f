"""Chorus: translation management for articles.

:func:`create_app` is the application factory, in the manner of Flask's
tutorial: settings from :mod:`service.settings`, one blueprint per area of
:mod:`service.web`, error handlers that turn every user error into a clear
4xx response.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing ``service.core`` must not load Flask
    from flask import Flask

__version__ = "0.1.0"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``overrides`` replace settings (tests pass their own)."""
    from flask import Flask

    from service import db, settings
    from service.web import register

    app = Flask(__name__, template_folder=str(Path(__file__).parent.parent / "templates"))
    app.config.update(settings.load())
    app.config.update(overrides or {})
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _instance_secret(app)
    db.init_app(app)
    register(app)
    return app


def _instance_secret(app: Flask) -> str:
    """A signing key generated once and kept in the instance folder."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        from service.core.files import atomic_write

        atomic_write(path, secrets.token_hex(32), mode=0o600)
    return path.read_text().strip()
