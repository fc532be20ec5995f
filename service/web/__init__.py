"""The web layer: blueprints that adapt HTTP to the use cases, and nothing more.

A view parses the request, calls one use case, renders a template. Errors are
mapped here, in one place, by the error table of :mod:`service.errors`: an HTML
page, or under ``/api/v1`` a JSON body ``{"error": kind, "message": ...}``, with
the table's status (and ``Retry-After`` for 503). A database that is not set up
is a 503 saying "run: chorus init". No request produces a 500 for bad input;
an unexpected failure is logged and answered with a plain 500 page.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from service import errors
from service.db import db

API_PREFIX = "/api/"


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, kind: str, message: str, retry_after: int | None = None):
    """The one shape of an error answer: JSON under /api/, an HTML page elsewhere."""
    if _wants_json():
        response = jsonify(error=kind, message=message)
        response.status_code = status
    else:
        phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        page = render_template("error.html", message=message, status=status, phrase=phrase)
        response = Response(page, status=status, mimetype="text/html")
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def register(app: Flask) -> None:
    """Attach every blueprint and the error handlers to ``app``."""
    from service.web import auth, pages

    app.register_blueprint(pages.blueprint)
    app.register_blueprint(auth.blueprint)

    @app.errorhandler(errors.ChorusError)
    def chorus_error(error: errors.ChorusError):
        row = errors.describe(error)
        return error_response(row.status, row.kind, str(error), row.retry_after)

    @app.errorhandler(DBAPIError)
    def database_error(error: Exception):
        db.session.rollback()
        return chorus_error(errors.database_error(error))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        kind = (error.name or "error").lower().replace(" ", "-")
        return error_response(status, kind, error.description or error.name)
