"""The one error table: every service error has its status, and the web layer uses it, as an
HTML page for pages and as JSON under /api/."""

from __future__ import annotations

import pytest
from flask import Flask

from service import errors
from service.core.errors import CatalogError, LanguageError, SourceError
from service.core.vcs import GitError


@pytest.mark.parametrize(
    ("error", "status", "kind"),
    [
        (errors.NotFound("x"), 404, "not-found"),
        (LanguageError("x"), 404, "unknown-language"),
        (errors.Unauthorised("x"), 401, "unauthorised"),
        (errors.PermissionDenied("x"), 403, "forbidden"),
        (errors.Conflict("x"), 409, "conflict"),
        (errors.TooLarge("x"), 413, "too-large"),
        (SourceError("a.md", "empty"), 400, "bad-source"),
        (CatalogError("a.po", "bad", 3), 400, "bad-catalog"),
        (GitError("x"), 503, "git-unavailable"),
        (errors.QueueError("x"), 503, "queue-unavailable"),
        (errors.NotSetUp("x"), 503, "not-set-up"),
        (errors.DatabaseUnavailable("x"), 503, "database-unavailable"),
        (errors.ChorusError("x"), 400, "bad-request"),
    ],
)
def test_every_error_has_its_row(error: errors.ChorusError, status: int, kind: str) -> None:
    row = errors.describe(error)
    assert (row.status, row.kind) == (status, kind)
    assert (row.retry_after is not None) == (status == 503)


def test_a_subclass_takes_its_nearest_row() -> None:
    class Gone(errors.NotFound):
        pass

    assert errors.describe(Gone("x")).status == 404


def test_every_service_error_is_in_the_table() -> None:
    listed = {row.error for row in errors.TABLE}
    defined = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.ChorusError)
    }
    assert defined <= listed


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("no such table: articles", errors.NotSetUp),
        ('relation "articles" does not exist', errors.NotSetUp),
        ("unable to open database file", errors.NotSetUp),
        ("database is locked", errors.DatabaseUnavailable),
    ],
)
def test_database_failures_become_user_errors(reason: str, kind: type) -> None:
    found = errors.database_error(Exception(reason))
    assert type(found) is kind
    assert reason in str(found)


def _raising(app: Flask, error: Exception) -> None:
    def view() -> str:
        raise error

    app.add_url_rule(f"/boom/{id(error)}", f"boom{id(error)}", view)
    app.add_url_rule(f"/api/v1/boom/{id(error)}", f"api-boom{id(error)}", view)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.PermissionDenied("reviewers only"), 403),
        (errors.Conflict("taken"), 409),
        (errors.TooLarge("too long"), 413),
        (GitError("push to origin failed: no answer within 60 s"), 503),
    ],
)
def test_the_web_maps_errors_in_one_place(app: Flask, error: Exception, status: int) -> None:
    _raising(app, error)
    client = app.test_client()
    page = client.get(f"/boom/{id(error)}")
    assert page.status_code == status
    assert page.mimetype == "text/html"
    assert str(error) in page.get_data(as_text=True)
    api = client.get(f"/api/v1/boom/{id(error)}")
    assert api.status_code == status
    assert api.get_json() == {"error": errors.describe(error).kind, "message": str(error)}
    if status == 503:
        assert page.headers["Retry-After"] == api.headers["Retry-After"] == "60"


def test_an_unknown_route_is_json_under_the_api(app: Flask) -> None:
    response = app.test_client().get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not-found"


def test_a_clash_of_two_changes_is_a_conflict_and_a_non_database_is_not_set_up() -> None:
    from sqlalchemy.exc import DatabaseError, IntegrityError

    clash = IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed: users.name"))
    assert type(errors.database_error(clash)) is errors.Conflict
    garbage = DatabaseError("SELECT ...", {}, Exception("file is not a database"))
    assert type(errors.database_error(garbage)) is errors.NotSetUp


def test_a_file_that_is_no_database_is_a_503_page_not_a_500(content, tmp_path) -> None:
    from service import create_app

    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "t",
            "DATABASE_URL": f"sqlite:///{bogus}",
        }
    )
    page = app.test_client().get("/")
    assert page.status_code == 503
    assert "not a database" in page.get_data(as_text=True)
