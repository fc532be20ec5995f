"""Chorus: translation management for articles.

:func:`create_app` is the application factory, in the manner of Flask's
tutorial: settings from :mod:`service.settings`, one blueprint per area of
:mod:`service.web` (an ``OpenAPI`` app of flask-openapi3, a Flask subclass), error
handlers that turn every user error into a clear 4xx response.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # importing ``service.core`` must not load Flask
    from flask import Flask

from service.core import __version__

__all__ = ["__version__", "create_app"]


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``overrides`` replace settings (tests pass their own)."""
    from service import db, publishing, settings
    from service.queue import Queue
    from service.web import make_app, register

    app = make_app(__name__, template_folder=_templates())
    app.config.update(settings.load())
    app.config.update(overrides or {})
    app.config["CONTENT_DIR"] = settings.check_content(Path(app.config["CONTENT_DIR"]))
    app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or _instance_secret(app)
    app.config["QUEUE_URL"] = app.config.get("QUEUE_URL") or (
        f"sqlite:///{db.private_folder(app.config['CONTENT_DIR']) / 'queue.db'}"
    )
    db.init_app(app)
    app.extensions[publishing.QUEUE] = Queue(app)
    register(app)
    return app


def _templates() -> str:
    """The top-level ``templates/`` of a checkout, or the copy installed in the package."""
    checkout = Path(__file__).parent.parent / "templates"
    return str(checkout if checkout.is_dir() else Path(__file__).parent / "templates")


def _instance_secret(app: Flask) -> str:
    """A signing key generated once and kept in the instance folder."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        from service.core.files import atomic_write

        atomic_write(path, secrets.token_hex(32), mode=0o600)
    return path.read_text().strip()
