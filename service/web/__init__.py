"""The web layer: blueprints that adapt HTTP to the use cases, and nothing more.

A view parses the request, calls one function of :mod:`service.articles`,
renders a template. User errors from the core become 400 or 404 pages; no
request produces a 500 for bad input.
"""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from service.content import NotFound
from service.core.errors import ChorusError, LanguageError


def register(app: Flask) -> None:
    """Attach every blueprint and the error handlers to ``app``."""
    from service.web import pages

    app.register_blueprint(pages.blueprint)

    @app.errorhandler(NotFound)
    @app.errorhandler(LanguageError)
    def not_found(error: ChorusError) -> tuple[str, int]:
        return render_template("error.html", message=str(error), status=404), 404

    @app.errorhandler(ChorusError)
    def bad_input(error: ChorusError) -> tuple[str, int]:
        return render_template("error.html", message=str(error), status=400), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return render_template("error.html", message=error.description, status=status), status
