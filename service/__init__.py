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

__all__ = ["MACHINE", "__version__", "create_app"]
MACHINE = "chorus.machine_translation"  # the app extension holding the mt.Backend


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app; ``overrides`` replace settings (tests pass their own)."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from service import db, publishing, settings
    from service.core import mt
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
    # Nothing a client may send is bigger than a PO upload: refuse larger bodies (413) unread.
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["MAX_CATALOG_BYTES"] + 65536)
    db.init_app(app)
    app.extensions[publishing.QUEUE] = Queue(app)
    app.extensions[MACHINE] = mt.backend(app.config["MT"])  # Apertium where installed
    register(app)
    if app.config.get("PROXIES"):  # trust that many proxies' X-Forwarded-For and -Proto
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXIES"], x_proto=app.config["PROXIES"]
        )
    return app


def _templates() -> str:
    """The top-level ``templates/`` of a checkout, or the copy installed in the package."""
    checkout = Path(__file__).parent.parent / "templates"
    return str(checkout if checkout.is_dir() else Path(__file__).parent / "templates")


def _instance_secret(app: Flask) -> str:
    """A signing key generated once and kept in the instance folder.

    Several gunicorn workers may start at once: the key is written to a temporary file and
    hard-linked into place, which fails when another process was first, so every worker
    ends up reading the same complete key.
    """
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        import contextlib
        import os
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
        try:
            os.write(fd, secrets.token_hex(32).encode())
            os.fsync(fd)
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # another worker was first: use its key
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    return path.read_text().strip()
