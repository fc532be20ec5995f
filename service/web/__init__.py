"""The web layer: blueprints that adapt HTTP to the use cases, and nothing more.

One blueprint per area: :mod:`~service.web.auth` (accounts), :mod:`~service.web.articles`
(the pages and the editor), :mod:`~service.web.api` (``/api/v1``, described at
``/openapi.json``). Every view declares who may call it (:mod:`~service.web.access`).
Every response carries a Content-Security-Policy without inline scripts or styles.

A view parses the request, calls one use case, renders a template. Errors are
mapped here, in one place, by the error table of :mod:`service.errors`: an HTML
page, or under ``/api/v1`` a JSON body ``{"error": kind, "message": ...}``, with
the table's status (and ``Retry-After`` for 503). A database that is not set up
is a 503 saying "run: chorus init". No request produces a 500 for bad input;
an unexpected failure is logged and answered with a plain 500 page.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_openapi3 import Info, OpenAPI
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from service import errors
from service.core import __version__
from service.core.messages import N_
from service.db import db

API_PREFIX = "/api/"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "chorus token add"},
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": "signed in at /signin; writes send the page's CSRF token as X-CSRFToken",
    },
}


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


def _invalid(error: ValidationError):
    """A request that does not fit its model: 400 naming the first field that is wrong."""
    from service.web import i18n

    if request.mimetype == "application/json" and request.get_json(silent=True) is None:
        message = i18n.say(N_("the request body is not JSON"))
    else:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        message = f"{where}: {first['msg']}"
    return error_response(400, "bad-request", message)


def make_app(name: str, **options: Any) -> OpenAPI:
    """The Flask app (flask-openapi3's subclass), validating requests against their models."""
    return OpenAPI(
        name,
        info=Info(title="Chorus", version=__version__),
        security_schemes=SECURITY,
        validation_error_status=400,
        validation_error_model=errors_model(),
        validation_error_callback=_invalid,
        doc_ui=False,
        **options,
    )


def errors_model():
    from service.web.schemas import ErrorOut

    return ErrorOut


def register(app: OpenAPI) -> None:
    """Attach every blueprint, the access rules and the error handlers to ``app``."""
    from service.web import (  # noqa: F401
        access,
        api,
        articles,
        auth,
        dashboard,
        embed,
        i18n,
        published,
    )

    access.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    app.register_blueprint(articles.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(dashboard.blueprint)
    app.register_blueprint(embed.blueprint)
    app.register_api(api.blueprint)

    @access.public
    def openapi():
        """The API described (OpenAPI 3.1), generated from the typed models."""
        return jsonify(app.api_doc)

    # Flask's own add_url_rule: the description does not describe itself.
    Flask.add_url_rule(app, "/openapi.json", "openapi", openapi, methods=["GET"])

    access.register(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.errorhandler(errors.ChorusError)
    def chorus_error(error: errors.ChorusError):
        row = errors.describe(error)
        return error_response(row.status, row.kind, i18n.error_message(error), row.retry_after)

    @app.errorhandler(DBAPIError)
    def database_error(error: Exception):
        db.session.rollback()
        return chorus_error(errors.database_error(error))

    @app.errorhandler(RecursionError)
    def too_deep(error: RecursionError):
        return error_response(
            400, "bad-request", i18n.say(N_("the request body is nested too deeply"))
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        kind = (error.name or "error").lower().replace(" ", "-")
        return error_response(status, kind, error.description or error.name)
