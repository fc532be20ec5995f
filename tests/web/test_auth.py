"""Accounts in the browser and API tokens: forms with CSRF, rate limits, cookie flags."""

from __future__ import annotations

import re

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from service import accounts, create_app
from service.content import Content

TOKEN = re.compile(r'name="(?:[a-z]+-)?csrf_token" type="hidden" value="([^"]+)"')


def token(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = TOKEN.search(page) or re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def signup(client: FlaskClient, name: str = "vol", password: str = "long enough"):
    data = {"csrf_token": token(client, "/signup"), "name": name, "password": password}
    return client.post("/signup", data=data)


def test_round_trip(client: FlaskClient, people) -> None:
    assert signup(client).status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert "vol" in page and "Sign out" in page
    csrf = token(client, "/account")
    changed = client.post(
        "/account",
        data={
            "password-csrf_token": csrf,
            "password-old": "long enough",
            "password-new": "even longer",
            "password-submit": "1",
        },
    )
    assert changed.status_code == 200
    assert "Your password is changed." in changed.get_data(as_text=True)
    assert client.post("/signout", data={"csrf_token": csrf}).status_code == 302
    assert client.get("/account").status_code == 302  # to sign in
    wrong = client.post(
        "/signin",
        data={"csrf_token": token(client, "/signin"), "name": "vol", "password": "long enough"},
    )
    assert wrong.status_code == 400
    assert "wrong name or password" in wrong.get_data(as_text=True)
    right = client.post(
        "/signin",
        data={"csrf_token": token(client, "/signin"), "name": "vol", "password": "even longer"},
    )
    assert right.status_code == 302


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("ana", "long enough", "exists already"),
        ("vol", "short", "at least 8"),
        ("no spaces", "long enough", "is not a user name"),
    ],
)
def test_bad_signup_says_why(client: FlaskClient, people, name, password, message) -> None:
    page = signup(client, name, password)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)


def test_languages_are_saved_and_shown(client: FlaskClient, people) -> None:
    signup(client)
    csrf = token(client, "/account")
    form = {"languages-csrf_token": csrf, "languages-submit": "1"}
    bad = client.post("/account", data={**form, "languages-codes": "es xx-nope"})
    assert bad.status_code == 400
    assert "xx-nope" in bad.get_data(as_text=True)
    good = client.post("/account", data={**form, "languages-codes": "es, pt_br ar"})
    text = good.get_data(as_text=True)
    assert good.status_code == 200
    assert "Your languages are saved." in text
    assert "español" in text and 'dir="rtl"' in text
    for code in ("es", "pt-BR", "ar"):  # priority languages: ticked boxes
        assert re.search(rf'checked[^>]*value="{code}"|value="{code}"[^>]*checked', text), code
    ticked = client.post(
        "/account", data={**form, "languages-common": ["fr", "es"], "languages-codes": "eo"}
    )
    text = ticked.get_data(as_text=True)
    assert ticked.status_code == 200
    assert 'value="eo"' in text  # a code outside the priority list stays in the text box
    me = client.get("/api/v1/whoami").get_json()
    assert me["languages"] == ["fr", "es", "eo"]


def test_a_post_without_the_csrf_token_is_refused(client: FlaskClient, people) -> None:
    page = client.post("/signin", data={"name": "ana", "password": "x" * 8})
    assert page.status_code == 400
    assert "CSRF" in page.get_data(as_text=True)


def test_the_eleventh_attempt_is_429(client: FlaskClient, people) -> None:
    data = {"csrf_token": token(client, "/signin"), "name": "ana", "password": "nope nope"}
    codes = [client.post("/signin", data=data).status_code for _ in range(11)]
    assert codes == [400] * 10 + [429]


def test_signup_off_is_a_404(content, tmp_path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "t",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "SIGNUP": False,
        }
    )
    page = app.test_client().get("/signup")
    assert page.status_code == 404
    assert "sign-up is closed" in page.get_data(as_text=True)


@pytest.mark.parametrize("https", [False, True])
def test_cookie_flags(content, tmp_path, https: bool) -> None:
    from service import db

    app = create_app(
        {
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "t",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
            "HTTPS": https,
        }
    )
    with app.app_context():
        db.upgrade()
        accounts.add_user("ana", "translator", password="long enough")
    client = app.test_client()
    data = {
        "csrf_token": token(client, "/signin"),
        "name": "ana",
        "password": "long enough",
        "remember": "y",
    }
    response = client.post("/signin", data=data)
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        (cookie,) = [c for c in cookies if c.startswith(name)]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) == https
    with app.app_context():
        db.db.engine.dispose()


def test_bearer_tokens(client: FlaskClient, app: Flask, ctx: Content, people) -> None:
    made = accounts.add_token("ci", "ana", "write")
    good = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {made.token}"})
    expected = {"user": "ana", "role": "translator", "scope": "write", "languages": []}
    assert good.get_json() == expected
    g.pop("_login_user", None)  # the ctx fixture's app context (and g) spans requests
    g.pop("token_scope", None)
    bad = client.get("/api/v1/whoami", headers={"Authorization": "Bearer chorus_nope"})
    assert bad.status_code == 401
    absent = client.get("/api/v1/whoami")
    assert absent.status_code == 401
    assert absent.get_json()["error"] == "unauthorised"
