"""The segment API (``/api/v1``): reading, saving, conflicts, approval, history, revert,
bad input, tokens and CSRF, and the publication a finished language queues.

Requests go through the test client as a browser or a script would send them, each in
its own app context (no ``ctx`` fixture here: a shared context would share Flask-Login's
cached user between clients). What a request wrote is read back through the API.
The :class:`Site` helper is shared with the other tests of ``tests/web``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash

from service import accounts, importing
from service.content import Content
from service.db import db
from tests.conftest import SEED_SLUG, drain, git

API = f"/api/v1/articles/{SEED_SLUG}"
PASSWORD = "long enough"
TEAM = {
    "ana": "translator",
    "bo": "translator",
    "rev": "reviewer",
    "coco": "coordinator",
    "adam": "admin",
}
FORM_TOKEN = re.compile(r'name="(?:[a-z]+-)?csrf_token" type="hidden" value="([^"]+)"')
PAGE_TOKEN = re.compile(r'data-csrf="([^"]+)"')
_names = count(1)


def form_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on a page."""
    page = client.get(path).get_data(as_text=True)
    found = FORM_TOKEN.search(page)
    assert found, page
    return found.group(1)


class Site:
    """The app with the seed article imported and a team of five (:data:`TEAM`), and the
    clients that use it: visitors, signed-in members (cookie sessions) and scripts
    (bearer tokens)."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    @classmethod
    def seeded(cls, app: Flask) -> Site:
        site = cls(app)

        def seed() -> None:
            importing.import_article(site.content, SEED_SLUG)
            for name, role in TEAM.items():
                user = accounts.add_user(name, role, email=f"{name}@example.org")
                # The real hash, with one round: signing in stays quick in every test.
                user.password_hash = generate_password_hash(PASSWORD, "pbkdf2:sha256:1")
            db.session.commit()

        site.run(seed)
        return site

    @property
    def content(self) -> Content:
        return Content.from_config(self.app.config)

    def run(self, use_case: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call a use case in an app context of its own, as a request or the worker would;
        return plain values (the session is gone afterwards)."""
        with self.app.app_context():
            try:
                return use_case(*args, **kwargs)
            finally:
                db.session.remove()

    def drain(self) -> list[Any]:
        """Do the pending publications, as the worker would."""
        return self.run(lambda: drain(self.content))

    def visitor(self) -> FlaskClient:
        return self.app.test_client()

    def member(self, name: str, *, remember: bool = False) -> FlaskClient:
        """A browser signed in as ``name`` through the sign-in form."""
        client = self.app.test_client()
        data = {"csrf_token": form_token(client, "/signin"), "name": name, "password": PASSWORD}
        if remember:
            data["remember"] = "y"
        response = client.post("/signin", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def bearer(self, name: str, scope: str = "write") -> dict[str, str]:
        """The Authorization header of a new API token of ``name``."""
        made = self.run(accounts.add_token, f"token-{next(_names)}", name, scope)
        return {"Authorization": f"Bearer {made.token}"}

    @staticmethod
    def csrf(client: FlaskClient, lang: str = "es") -> dict[str, str]:
        """The X-CSRFToken header, read from the editor page as ``static/editor.js`` does."""
        page = client.get(f"/articles/{SEED_SLUG}/{lang}").get_data(as_text=True)
        found = PAGE_TOKEN.search(page)
        assert found, page
        return {"X-CSRFToken": found.group(1)}

    def listing(self, lang: str = "es") -> dict[str, Any]:
        response = self.visitor().get(f"{API}/{lang}/segments")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def segment(self, number: int, lang: str = "es") -> dict[str, Any]:
        [found] = [s for s in self.listing(lang)["segments"] if s["id"] == number]
        return found

    def number_with(self, text: str) -> int:
        """The id of the first segment whose source contains ``text``."""
        return next(s["id"] for s in self.listing()["segments"] if text in s["source"])

    def history(self, number: int, lang: str = "es") -> list[dict[str, Any]]:
        response = self.visitor().get(f"{API}/{lang}/segments/{number}/history")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["changes"]

    def article(self) -> dict[str, Any]:
        response = self.visitor().get(API)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def edit_source(self, old: str, new: str) -> None:
        """Change the article's source file and re-import it, as a coordinator would."""
        path = self.content.source(SEED_SLUG)
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
        self.run(importing.import_article, self.content, SEED_SLUG)


def put(
    client: FlaskClient,
    number: int,
    translation: Any,
    version: Any,
    headers: dict[str, str] | None = None,
    lang: str = "es",
):
    body = {"translation": translation, "version": version}
    return client.put(f"{API}/{lang}/segments/{number}", json=body, headers=headers)


@pytest.fixture
def ana(site: Site) -> dict[str, str]:
    """A script's write token of the translator ana."""
    return site.bearer("ana")


# -- reading ---------------------------------------------------------------------------


def test_articles_lists_the_seed_article_with_its_coverage(site: Site, ana) -> None:
    client = site.visitor()
    [item] = client.get("/api/v1/articles").get_json()["articles"]
    assert (item["article"], item["title"]) == (SEED_SLUG, "A Leadership Development Task Force")
    assert (item["segments"], item["target"], item["published"]) == (22, 13, 0)
    assert item["words"] > 0 and item["languages"] == [] and item["review"] is False

    assert put(client, 1, "Un grupo de trabajo", 0, ana).status_code == 200
    [item] = client.get("/api/v1/articles").get_json()["articles"]
    [es] = item["languages"]
    assert (es["language"], es["state"], es["done"], es["segments"]) == ("es", "in progress", 1, 22)
    assert 0 < es["percent"] < 100


def test_one_article_has_its_target_and_languages(site: Site, ana) -> None:
    put(site.visitor(), 1, "Un grupo de trabajo", 0, ana)
    put(site.visitor(), 1, "Une équipe", 0, ana, lang="fr")
    found = site.article()
    assert (found["article"], found["segments"], found["target"]) == (SEED_SLUG, 22, 13)
    assert sorted(row["language"] for row in found["languages"]) == ["es", "fr"]
    assert {row["state"] for row in found["languages"]} == {"in progress"}


def test_segments_are_listed_in_article_order_with_their_fields(site: Site) -> None:
    found = site.listing()
    assert (found["article"], found["language"], found["direction"]) == (SEED_SLUG, "es", "ltr")
    assert found["status"]["state"] == "not started"
    rows = found["segments"]
    assert [row["id"] for row in rows] == list(range(1, 23))
    assert rows[0]["kind"] == "title" and rows[0]["source"] == found["title"]
    assert {row["kind"] for row in rows} >= {"title", "heading", "paragraph", "list-item"}
    assert (rows[7]["kind"], rows[7]["source"]) == ("heading", "Why develop leaders?")
    for row in rows:
        assert row["source"]
        assert (row["translation"], row["state"], row["version"]) == ("", "empty", 0)
        assert (row["previous_source"], row["checks"], row["suggestions"]) == (None, [], [])
        assert (row["author"], row["updated_at"]) == (None, None)


def test_a_changed_source_lists_the_segment_outdated_with_its_previous_source(
    site: Site, ana
) -> None:
    number = site.number_with("Developing leaders is important")
    old = site.segment(number)["source"]
    assert (
        put(site.visitor(), number, "Desarrollar líderes es importante.", 0, ana).status_code == 200
    )
    site.edit_source("Developing leaders is important", "Developing leaders is vital")

    row = site.segment(number)
    assert row["source"] == old.replace("is important", "is vital")
    assert (row["state"], row["version"]) == ("outdated", 2)
    assert row["translation"] == "Desarrollar líderes es importante."
    assert row["previous_source"] == old
    others = [s for s in site.listing()["segments"] if s["id"] != number]
    assert all(s["previous_source"] is None for s in others)


# -- saving ----------------------------------------------------------------------------


def test_a_save_increments_the_version_and_is_listed(site: Site, ana) -> None:
    client = site.visitor()
    first = put(client, 2, "Traducir esta entrada", 0, ana)
    assert first.status_code == 200
    body = first.get_json()
    assert (body["version"], body["translation"], body["state"]) == (
        1,
        "Traducir esta entrada",
        "translated",
    )
    assert (body["author"], body["changed"], body["checks"]) == ("ana", True, [])
    assert body["publication_queued"] is False
    assert (body["status"]["language"], body["status"]["done"]) == ("es", 1)

    second = put(client, 2, "Traduce esta entrada", 1, ana).get_json()
    assert (second["version"], second["changed"]) == (2, True)
    row = site.segment(2)
    assert (row["translation"], row["version"], row["state"]) == (
        "Traduce esta entrada",
        2,
        "translated",
    )
    assert row["author"] == "ana" and row["updated_at"] is not None


@pytest.mark.parametrize(("marker", "check"), [("[1]", "footnotes"), ("{1}", "placeholders")])
def test_dropping_a_marker_is_a_critical_check(site: Site, ana, marker: str, check: str) -> None:
    if marker == "{1}":  # the seed has no link; give one paragraph a link target
        site.edit_source("The Participate page", "The [Participate page](https://example.org/p)")
    number = site.number_with(marker)
    source = site.segment(number)["source"]

    response = put(site.visitor(), number, "Sin marcas", 0, ana)

    assert response.status_code == 200
    failing = {c["id"]: c for c in response.get_json()["checks"]}
    assert failing[check]["severity"] == "critical"
    assert marker in failing[check]["message"]
    assert response.get_json()["status"]["critical"] == 1
    listed = {c["id"]: c["severity"] for c in site.segment(number)["checks"]}
    assert listed[check] == "critical"
    kept = put(site.visitor(), number, f"Con {source}", 1, ana).get_json()
    assert check not in {c["id"] for c in kept["checks"]}
    assert kept["status"]["critical"] == 0


def test_a_stale_save_is_a_409_and_the_typed_text_becomes_a_suggestion(site: Site, ana) -> None:
    bo = site.bearer("bo")
    assert put(site.visitor(), 2, "Traducir esta entrada", 0, ana).status_code == 200

    stale = put(site.visitor(), 2, "Traduce este artículo", 0, bo)

    assert stale.status_code == 409
    body = stale.get_json()
    assert (body["error"], body["translation"], body["author"]) == (
        "conflict",
        "Traducir esta entrada",
        "ana",
    )
    assert (body["version"], body["state"]) == (1, "translated")
    assert isinstance(body["suggestion"], int) and "ana" in body["message"]
    row = site.segment(2)
    assert (row["translation"], row["version"]) == ("Traducir esta entrada", 1)
    [kept] = row["suggestions"]
    assert kept["id"] == body["suggestion"]
    assert (kept["text"], kept["origin"], kept["author"]) == (
        "Traduce este artículo",
        "conflict",
        "bo",
    )
    assert kept["based_on_version"] == 0
    assert len(site.history(2)) == 1

    # Overwriting from the version the 409 gave applies it; the suggestion is then shown no more.
    again = put(site.visitor(), 2, "Traduce este artículo", body["version"], bo)
    assert (again.status_code, again.get_json()["version"]) == (200, 2)
    assert site.segment(2)["suggestions"] == []


def test_saving_the_same_text_again_changes_nothing(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    for version in (1, 0):  # whatever version it carries
        response = put(site.visitor(), 2, "Traducir esta entrada", version, ana)
        assert response.status_code == 200
        body = response.get_json()
        assert (body["changed"], body["version"], body["translation"]) == (
            False,
            1,
            "Traducir esta entrada",
        )
    assert len(site.history(2)) == 1
    assert site.segment(2)["suggestions"] == []


# -- approval, history, revert ---------------------------------------------------------


def test_a_reviewer_approves(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    response = site.visitor().post(
        f"{API}/es/segments/2/approve", json={"version": 1}, headers=site.bearer("rev")
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["state"], body["version"], body["author"]) == ("approved", 2, "rev")
    assert body["translation"] == "Traducir esta entrada"
    assert (site.segment(2)["state"], site.segment(2)["version"]) == ("approved", 2)
    assert site.history(2)[0]["how"] == "approve" and site.history(2)[0]["author"] == "rev"


def test_a_translator_cannot_approve_and_nothing_is_written(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    before = site.listing()
    response = site.visitor().post(f"{API}/es/segments/2/approve", json={"version": 1}, headers=ana)
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert site.listing() == before
    assert len(site.history(2)) == 1


def test_approving_a_stale_version_is_a_409(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 2, "Traduce esta entrada", 1, ana)
    response = site.visitor().post(
        f"{API}/es/segments/2/approve", json={"version": 1}, headers=site.bearer("rev")
    )
    assert response.status_code == 409
    body = response.get_json()
    assert (body["version"], body["translation"], body["state"]) == (
        2,
        "Traduce esta entrada",
        "translated",
    )
    assert site.segment(2)["state"] == "translated"


def test_history_says_who_when_and_how_newest_first(site: Site, ana) -> None:
    started = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=5)
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 2, "Traduce esta entrada", 1, site.bearer("bo"))
    site.visitor().post(
        f"{API}/es/segments/2/approve", json={"version": 2}, headers=site.bearer("rev")
    )

    changes = site.history(2)

    assert [(c["how"], c["author"], c["version"]) for c in changes] == [
        ("approve", "rev", 3),
        ("editor", "bo", 2),
        ("editor", "ana", 1),
    ]
    assert [(c["old"], c["new"]) for c in changes[1:]] == [
        ("Traducir esta entrada", "Traduce esta entrada"),
        ("", "Traducir esta entrada"),
    ]
    assert [(c["old_state"], c["new_state"]) for c in changes] == [
        ("translated", "approved"),
        ("translated", "translated"),
        ("empty", "translated"),
    ]
    times = [datetime.fromisoformat(c["at"]).replace(tzinfo=None) for c in changes]
    assert times == sorted(times, reverse=True)
    assert all(started <= at <= started + timedelta(minutes=5) for at in times)
    assert len({c["id"] for c in changes}) == 3
    assert site.history(3) == []  # another segment's history is its own


def test_revert_restores_an_earlier_text_as_a_new_change(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 2, "Traduce esta entrada", 1, ana)
    first = site.history(2)[-1]["id"]

    response = site.visitor().post(
        f"{API}/es/segments/2/revert", json={"change": first}, headers=site.bearer("bo")
    )

    assert response.status_code == 200
    body = response.get_json()
    assert (body["translation"], body["version"], body["author"]) == (
        "Traducir esta entrada",
        3,
        "bo",
    )
    newest = site.history(2)[0]
    assert (newest["how"], newest["author"], newest["old"], newest["new"]) == (
        "revert",
        "bo",
        "Traduce esta entrada",
        "Traducir esta entrada",
    )
    assert site.segment(2)["translation"] == "Traducir esta entrada"


def test_revert_to_a_change_of_another_segment_is_a_404(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 3, "Otro párrafo", 0, ana)
    elsewhere = site.history(3)[0]["id"]
    before = site.listing()
    for change in (elsewhere, 9999):
        response = site.visitor().post(
            f"{API}/es/segments/2/revert", json={"change": change}, headers=ana
        )
        assert response.status_code == 404, change
        assert response.get_json()["error"] == "not-found"
    assert site.listing() == before


# -- bad input -------------------------------------------------------------------------

WRITES = {"save": ("PUT", ""), "approve": ("POST", "/approve"), "revert": ("POST", "/revert")}


def write(client: FlaskClient, route: str, body: Any, headers=None, path: str = f"{API}/es"):
    """A save, approval or revert of segment 2 (``path`` names the article and language)."""
    method, tail = WRITES[route]
    return client.open(f"{path}/segments/2{tail}", method=method, json=body, headers=headers)


UNKNOWN = [  # (method, path, route or None for a read, error kind)
    ("GET", "/api/v1/articles/nope", "not-found"),
    ("GET", "/api/v1/articles/nope/es/segments", "not-found"),
    ("GET", "/api/v1/articles/no%20pe/es/segments", "not-found"),
    ("GET", f"{API}/xx/segments", "unknown-language"),
    ("GET", f"{API}/xx-!!/segments", "unknown-language"),
    ("GET", f"{API}/{'a' * 40}/segments", "unknown-language"),
    ("GET", f"{API}/es/segments/99/history", "not-found"),
    ("GET", f"{API}/xx/segments/2/history", "unknown-language"),
    ("save", "/api/v1/articles/nope/es", "not-found"),
    ("save", f"{API}/xx", "unknown-language"),
    ("save", f"{API}/xx-!!", "unknown-language"),
    ("approve", f"{API}/xx", "unknown-language"),
    ("approve", "/api/v1/articles/nope/es", "not-found"),
    ("revert", f"{API}/nope!", "unknown-language"),
]
BODIES = {"save": {"translation": "Hola", "version": 0}, "approve": {"version": 0}}


def test_an_unknown_article_segment_or_language_is_a_404_in_json(site: Site) -> None:
    rev = site.bearer("rev")
    wrong = []
    for how, path, kind in UNKNOWN:
        if how == "GET":
            response = site.visitor().get(path, headers=rev)
        else:
            response = write(site.visitor(), how, BODIES.get(how, {"change": 1}), rev, path)
        body = response.get_json(silent=True) or {}
        if (response.status_code, response.mimetype, body.get("error")) != (
            404,
            "application/json",
            kind,
        ) or not body.get("message"):
            wrong.append(f"{how} {path}: {response.status_code} {response.get_data(as_text=True)}")
    missing = put(site.visitor(), 99, "Hola", 0, rev)
    if missing.status_code != 404:
        wrong.append(f"PUT segment 99: {missing.status_code}")
    assert wrong == [], "\n".join(wrong)
    assert site.article()["languages"] == []


def test_a_language_in_any_spelling_is_stored_under_its_bcp47_code(site: Site, ana) -> None:
    assert put(site.visitor(), 2, "Traduzir este post", 0, ana, lang="pt_br").status_code == 200
    assert site.segment(2, "pt-BR")["translation"] == "Traduzir este post"
    assert [row["language"] for row in site.article()["languages"]] == ["pt-BR"]


def test_a_translation_over_the_limit_is_a_413_and_nothing_is_written(site: Site, ana) -> None:
    assert put(site.visitor(), 2, "x" * 20_001, 0, ana).status_code == 413  # the default
    site.app.config["MAX_TRANSLATION_CHARS"] = 40  # CHORUS_MAX_TRANSLATION_CHARS
    before = site.listing()
    response = put(site.visitor(), 2, "x" * 41, 0, ana)
    assert response.status_code == 413
    assert response.get_json()["error"] == "too-large"
    assert "41 characters" in response.get_json()["message"]
    assert "40" in response.get_json()["message"]
    assert site.listing() == before and site.history(2) == []
    assert put(site.visitor(), 2, "x" * 40, 0, ana).status_code == 200


@pytest.mark.parametrize("route", list(WRITES))
def test_a_cookie_session_without_its_csrf_token_is_a_400_and_nothing_is_written(
    site: Site, ana, route: str
) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    body = {
        "save": {"translation": "Otra", "version": 1},
        "approve": {"version": 1},
        "revert": {"change": site.history(2)[0]["id"]},
    }[route]
    rev = site.member("rev")
    before = site.listing()
    for headers in ({}, {"X-CSRFToken": "wrong-token"}, {"X-CSRFToken": ""}):
        response = write(rev, route, body, headers)
        assert response.status_code == 400, headers
        assert response.mimetype == "application/json"
        assert "CSRF" in response.get_json()["message"]
    assert site.listing() == before and len(site.history(2)) == 1
    good = write(rev, route, body, site.csrf(rev))
    assert good.status_code == 200, good.get_data(as_text=True)


def test_a_cookie_session_with_its_csrf_token_saves_as_its_user(site: Site) -> None:
    bo = site.member("bo")
    response = put(bo, 2, "Traducir esta entrada", 0, site.csrf(bo))
    assert response.status_code == 200
    assert site.segment(2)["author"] == "bo"


def test_a_body_that_is_not_json_is_a_400_saying_so(site: Site, ana) -> None:
    for body in ('{"translation": "Hola", "version": 0', "Hola", "{'a': 1}", ""):
        response = site.visitor().put(
            f"{API}/es/segments/2", data=body, content_type="application/json", headers=ana
        )
        assert response.status_code == 400, body
        assert response.get_json() == {
            "error": "bad-request",
            "message": "the request body is not JSON",
        }, body
    assert site.history(2) == []


SHAPES = [  # (route, body, the field the 400 names)
    ("save", {"translation": "Hola", "version": "3"}, "version"),
    ("save", {"translation": "Hola", "version": "x"}, "version"),
    ("save", {"translation": "Hola", "version": 1.5}, "version"),
    ("save", {"translation": "Hola", "version": True}, "version"),
    ("save", {"translation": "Hola", "version": -1}, "version"),
    ("save", {"translation": "Hola", "version": None}, "version"),
    ("save", {"translation": "Hola"}, "version"),
    ("save", {"translation": 3, "version": 0}, "translation"),
    ("save", {"translation": None, "version": 0}, "translation"),
    ("save", {"version": 0}, "translation"),
    ("save", {"translation": "Hola", "version": 0, "author": "bo"}, "author"),
    ("save", [], "body"),
    ("save", "Hola", "body"),
    ("save", None, "body"),
    ("approve", {"version": "1"}, "version"),
    ("approve", {"version": 1, "extra": True}, "extra"),
    ("revert", {"change": "1"}, "change"),
    ("revert", {"change": 0}, "change"),
    ("revert", {}, "change"),
]


def test_a_body_of_the_wrong_shape_is_a_400_naming_the_field(site: Site, ana) -> None:
    put(site.visitor(), 3, "Otro párrafo", 0, ana)
    rev = site.bearer("rev")
    wrong = []
    for route, body, field in SHAPES:
        response = write(site.visitor(), route, body, rev)
        found = response.get_json(silent=True) or {}
        if response.status_code != 400 or found.get("error") != "bad-request":
            wrong.append(f"{route} {body!r}: {response.status_code} {found}")
        elif not found["message"].startswith(f"{field}:"):
            wrong.append(f"{route} {body!r}: the message does not name {field}: {found}")
    assert wrong == [], "\n".join(wrong)
    assert site.history(2) == [] and site.segment(2)["version"] == 0


def test_approving_an_empty_segment_is_a_400(site: Site) -> None:
    response = write(site.visitor(), "approve", {"version": 0}, site.bearer("rev"))
    assert response.status_code == 400
    assert "no es translation" in response.get_json()["message"]


NASTY = [  # (what, method, path, raw body)
    (
        "a version past 64 bits",
        "PUT",
        "/2",
        '{"translation": "Hola", "version": 1180591620717411303424}',
    ),
    ("a version of 2**63", "PUT", "/2", '{"translation": "Hola", "version": 9223372036854775808}'),
    ("a version of 2**31", "PUT", "/2", '{"translation": "Hola", "version": 2147483648}'),
    (
        "a segment id past 64 bits",
        "PUT",
        "/99999999999999999999",
        '{"translation": "Hola", "version": 0}',
    ),
    ("the history of such a segment", "GET", "/99999999999999999999/history", None),
    ("a change id past 64 bits", "POST", "/2/revert", '{"change": 99999999999999999999}'),
    ("a lone surrogate", "PUT", "/2", '{"translation": "\\ud800", "version": 0}'),
    ("a NUL character", "PUT", "/2", '{"translation": "a\\u0000b", "version": 0}'),
    ("a repeated key", "PUT", "/2", '{"translation": "Hola", "version": 0, "version": "1"}'),
    ("JSON nested 5000 deep", "PUT", "/2", "[" * 5000 + "]" * 5000),
]


def test_no_request_is_a_500(site: Site) -> None:
    site.app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as a server would, not raise
    headers = {**site.bearer("adam"), "Content-Type": "application/json"}
    wrong = []
    for what, method, tail, body in NASTY:
        path = f"{API}/es/segments{tail}"
        response = site.visitor().open(path, method=method, data=body, headers=headers)
        if response.status_code >= 500 or response.mimetype != "application/json":
            wrong.append(
                f"{what}: {method} {path} with {(body or '')[:70]!r} answered "
                f"{response.status_code} {response.get_data(as_text=True)[:200]}"
            )
    for path in (
        f"/api/v1/articles/{'a' * 5000}",
        "/api/v1/articles/%C0%AF",
        f"{API}/es%00/segments",
    ):
        response = site.visitor().get(path)
        if response.status_code != 404:
            wrong.append(f"GET {path[:60]}: {response.status_code}")
    assert wrong == [], "\n".join(wrong)


# -- who may write ---------------------------------------------------------------------


def test_a_write_token_saves_without_a_csrf_token(site: Site, ana) -> None:
    response = put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    assert (response.status_code, response.get_json()["author"]) == (200, "ana")


def test_a_token_counts_alone_even_beside_a_session_cookie(site: Site, ana) -> None:
    bo = site.member("bo")  # signed in by cookie, and sending ana's token: ana saves
    response = put(bo, 2, "Traducir esta entrada", 0, ana)
    assert (response.status_code, response.get_json()["author"]) == (200, "ana")


def test_a_read_token_may_read_but_not_write(site: Site, ana) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    change = site.history(2)[0]["id"]
    read = site.bearer("rev", "read")
    client = site.visitor()
    assert client.get(f"{API}/es/segments", headers=read).status_code == 200
    assert client.get("/api/v1/whoami", headers=read).get_json()["scope"] == "read"
    before = site.listing()
    bodies = {"save": {"translation": "Otra", "version": 1}, "approve": {"version": 1}}
    for route in WRITES:
        response = write(client, route, bodies.get(route, {"change": change}), read)
        assert response.status_code == 403, route
        assert "read" in response.get_json()["message"]
    assert site.listing() == before and len(site.history(2)) == 1


def test_a_bad_token_is_a_401(site: Site) -> None:
    for header in (
        "Bearer chorus_nope",
        "Bearer ",
        "Basic YW5hOmxvbmcgZW5vdWdo",
        "chorus_nope",
        "Bearer é",
    ):
        headers = {"Authorization": header}
        for response in (
            site.visitor().get("/api/v1/whoami", headers=headers),
            put(site.visitor(), 2, "Traducir esta entrada", 0, headers),
        ):
            assert response.status_code == 401, header
            assert response.get_json()["error"] == "unauthorised"
    assert site.history(2) == []


def test_a_session_cookie_with_a_bogus_bearer_header_is_not_its_user(site: Site) -> None:
    rev = site.member("rev")
    csrf = site.csrf(rev)
    bogus = {"Authorization": "Bearer chorus_forged", **csrf}
    assert rev.get("/api/v1/whoami", headers=bogus).status_code == 401
    response = put(rev, 2, "Traducir esta entrada", 0, bogus)
    assert response.status_code == 401
    assert site.history(2) == []
    assert rev.get("/api/v1/whoami").get_json()["user"] == "rev"  # the cookie alone still works


@pytest.mark.parametrize("session", ["no cookie", "anonymous session"])
def test_an_anonymous_write_is_a_401(site: Site, ana, session: str) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    bodies = {
        "save": {"translation": "Otra", "version": 1},
        "approve": {"version": 1},
        "revert": {"change": site.history(2)[0]["id"]},
    }
    client = site.visitor()
    # A visitor who opened the editor has a session (and its CSRF token) but no account.
    headers = site.csrf(client) if session == "anonymous session" else {}
    before = site.listing()
    answers = {route: write(client, route, body, headers) for route, body in bodies.items()}
    assert {route: a.status_code for route, a in answers.items()} == dict.fromkeys(WRITES, 401), {
        route: a.get_json() for route, a in answers.items()
    }
    assert {a.get_json()["error"] for a in answers.values()} == {"unauthorised"}
    assert site.listing() == before


# -- publication -----------------------------------------------------------------------


def test_the_last_segment_queues_the_publication_and_the_worker_publishes_it(
    site: Site, ana
) -> None:
    head = git(site.content.root, "rev-parse", "HEAD")
    rows = site.listing()["segments"]
    answers = [put(site.visitor(), row["id"], f"ES {row['source']}", 0, ana) for row in rows]

    assert [a.status_code for a in answers] == [200] * 22
    assert [a.get_json()["publication_queued"] for a in answers] == [False] * 21 + [True]
    last = answers[-1].get_json()["status"]
    assert (last["state"], last["queued"], last["done"]) == ("finished", True, 22)
    [es] = site.article()["languages"]
    assert (es["state"], es["queued"], es["commit"]) == ("finished", True, None)
    assert git(site.content.root, "rev-parse", "HEAD") == head  # no git work in a request

    site.drain()

    [es] = site.article()["languages"]
    assert (es["state"], es["queued"], es["percent"]) == ("published", False, 100.0)
    assert re.fullmatch(r"[0-9a-f]{40}", es["commit"])
    assert site.article()["published"] == 1
    assert git(site.content.root, "log", "-1", "--format=%s").strip() == (
        f"Publish es translation of {SEED_SLUG}"
    )
