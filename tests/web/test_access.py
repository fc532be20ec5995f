"""Who may do what, and what a page may carry: one access rule per view, the documented
status for each role, a Content-Security-Policy without inline code, markup a user typed
never run, sessions ended by a password change, and no redirect off the site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import lxml.html
import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.web import access
from tests.conftest import ROOT, SEED_SLUG
from tests.web.test_api import API, PASSWORD, TEAM, Site, form_token, put, write

ARTICLE = f"/articles/{SEED_SLUG}"
ROLES = ["anonymous", "translator", "reviewer", "coordinator", "admin"]
MEMBER = {role: name for name, role in TEAM.items() if name != "bo"}  # role -> user name
TEMPLATES = sorted((ROOT / "templates").glob("*.html"))
SIGNIN = "/signin?next="


def browser(site: Site, role: str) -> FlaskClient:
    """A browser of someone in ``role`` (anonymous: never signed in)."""
    return site.visitor() if role == "anonymous" else site.member(MEMBER[role])


def status(client: FlaskClient, path: str) -> int:
    with client.get(path) as response:  # closed: static files are streamed
        return response.status_code


def parse(response) -> Any:
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_every_view_declares_an_access_rule(app: Flask) -> None:
    views = app.view_functions
    missing = sorted(name for name, view in views.items() if access.rule_of(view) is None)
    assert missing == []
    rules = {access.rule_of(view) for view in views.values()}
    known = {
        "public",
        "public; draft: signed in",
        "signed in",
        "writer",
        "at least reviewer",
        "at least coordinator",
    }
    assert rules <= known, rules
    unguarded = [
        r.rule for r in app.url_map.iter_rules() if access.rule_of(views[r.endpoint]) is None
    ]
    assert unguarded == []


# Pages and reads: (path, status for a visitor, status for any member).
READS = [
    ("/", 200, 200),
    (ARTICLE, 200, 200),
    (f"{ARTICLE}/translate?lang=es", 302, 302),
    (f"{ARTICLE}/es", 200, 200),
    (f"{ARTICLE}/ar", 200, 200),
    (f"{ARTICLE}/es/preview", 200, 200),
    ("/signin", 200, 200),
    ("/signup", 200, 200),
    ("/account", 302, 200),
    ("/openapi.json", 200, 200),
    ("/static/chorus.css", 200, 200),
    ("/static/editor.js", 200, 200),
    ("/api/v1/articles", 200, 200),
    (API, 200, 200),
    (f"{API}/es/segments", 200, 200),
    (f"{API}/es/segments/2/history", 200, 200),
    ("/api/v1/whoami", 401, 200),
    ("/api/v1/stats.json", 200, 200),
    ("/api/v1/stats.csv", 200, 200),
    (f"/embed/{SEED_SLUG}.js", 200, 200),
    (f"/embed/{SEED_SLUG}", 200, 200),
    (f"/badge/{SEED_SLUG}.svg", 200, 200),
    ("/feed.atom", 200, 200),
    ("/feed/es.atom", 200, 200),
    ("/dashboard", 302, None),  # members: by role (tests/web/test_dashboard_page.py)
]
# Writes: (route, status by role in ROLES order).
WRITE_STATUS = {
    "save": [401, 200, 200, 200, 200],
    "approve": [401, 403, 200, 200, 200],
    "revert": [401, 200, 200, 200, 200],
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_documented_status(site: Site, role: str) -> None:
    ana = site.bearer("ana")
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 2, "Traduce esta entrada", 1, ana)
    first = site.history(2)[-1]["id"]
    client = browser(site, role)
    got = {path: status(client, path) for path, _, _ in READS}
    expected = {path: (alone if role == "anonymous" else member) for path, alone, member in READS}
    expected["/dashboard"] = {"anonymous": 302, "coordinator": 200, "admin": 200}.get(role, 403)
    assert got == expected
    account = client.get("/account")
    if role == "anonymous":
        assert account.headers["Location"] == SIGNIN + quote("/account", safe="")
        assert client.get("/api/v1/whoami").get_json()["error"] == "unauthorised"
    else:
        assert client.get("/api/v1/whoami").get_json()["role"] == role

    csrf = site.csrf(client)  # a visitor's session has a CSRF token too
    index = ROLES.index(role)
    bodies = {"save": {"translation": "Otro párrafo", "version": 0}, "approve": {"version": 2}}
    for route, statuses in WRITE_STATUS.items():
        before = len(site.history(2))
        number = 3 if route == "save" else 2
        body = bodies.get(route, {"change": first})
        method, tail = ("PUT", "") if route == "save" else ("POST", f"/{route}")
        response = client.open(
            f"{API}/es/segments/{number}{tail}", method=method, json=body, headers=csrf
        )
        assert response.status_code == statuses[index], (route, response.get_json())
        if response.status_code != 200:
            assert len(site.history(2)) == before, f"{route} wrote although refused"
    # Form posts: the languages form needs an account; signing out needs only the token.
    form = {
        "languages-csrf_token": csrf["X-CSRFToken"],
        "languages-codes": "es",
        "languages-submit": "1",
    }
    saved = client.post("/account", data=form)
    assert saved.status_code == (302 if role == "anonymous" else 200)
    out = client.post("/signout", data={"csrf_token": csrf["X-CSRFToken"]})
    assert (out.status_code, out.headers["Location"]) == (302, "/")
    assert client.get("/api/v1/whoami").status_code == 401


def test_a_write_token_has_its_users_role(site: Site) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, site.bearer("ana"))
    for name, status in (("bo", 403), ("rev", 200)):
        response = write(site.visitor(), "approve", {"version": 1}, site.bearer(name))
        assert response.status_code == status, name


def test_the_editor_is_read_only_for_visitors_with_a_sign_in_prompt(site: Site) -> None:
    path = f"{ARTICLE}/es"
    page = parse(site.visitor().get(path))
    boxes = page.xpath("//textarea")
    assert len(boxes) == 22
    assert all(box.get("readonly") is not None for box in boxes)
    assert page.xpath("//button[contains(@class, 'save')]") == []
    [prompt] = page.xpath("//p[contains(@class, 'notice')]")
    assert "to translate" in prompt.text_content()
    links = prompt.xpath(".//a/@href")
    assert SIGNIN + quote(path, safe="") in links or f"{SIGNIN}{path}" in links

    member = parse(site.member("ana").get(path))
    boxes = member.xpath("//textarea")
    assert len(boxes) == 22 and all(box.get("readonly") is None for box in boxes)
    assert len(member.xpath("//button[contains(@class, 'save')]")) == 22
    assert member.xpath("//p[contains(@class, 'notice')]") == []


def csp_problems(response, where: str) -> list[str]:
    policy = response.headers.get("Content-Security-Policy")
    if policy is None:
        return [f"{where}: no Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    problems = [
        f"{where}: {policy}" for word in ("'unsafe-inline'", "'unsafe-eval'") if word in policy
    ]
    if "script-src" not in directives and "default-src" not in directives:
        problems.append(f"{where}: no script-src")
    return problems


def inline_code(html: str, where: str) -> list[str]:
    """Inline scripts, style attributes and event handler attributes in a page."""
    page = lxml.html.fromstring(html)
    found = [f"{where}: inline <script>" for s in page.xpath("//script") if (s.text or "").strip()]
    found += [f"{where}: <script> without src" for s in page.xpath("//script[not(@src)]")]
    found += [f"{where}: <style> element" for _ in page.xpath("//style")]
    found += [f"{where}: style= on <{e.tag}>" for e in page.xpath("//*[@style]")]
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue
        found += [
            f"{where}: {name}= on <{element.tag}>"
            for name in element.attrib
            if name.startswith("on")
        ]
    return found


def test_every_html_response_has_a_csp_without_inline_code(site: Site) -> None:
    put(site.visitor(), 2, "Traducir esta entrada", 0, site.bearer("ana"))
    problems: list[str] = []
    html = 0
    for role in ("anonymous", "reviewer"):
        client = browser(site, role)
        paths = [
            path for path, _, _ in READS if not path.startswith(("/api/", "/openapi", "/static"))
        ]
        paths += ["/nope", f"{ARTICLE}/xx", "/articles/nope", f"{ARTICLE}/translate?lang=xx-!!"]
        for path in paths:
            response = client.get(path)
            if response.mimetype == "text/html":
                html += 1
                problems += csp_problems(response, f"{role} GET {path}")
                if response.status_code != 302:
                    problems += inline_code(response.get_data(as_text=True), f"{role} GET {path}")
        bad = client.post("/signin", data={"name": "x", "password": "y"})  # no CSRF token: 400
        problems += csp_problems(bad, f"{role} POST /signin")
    assert html >= 20
    assert problems == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_template_has_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script\s*>", text, re.DOTALL | re.IGNORECASE)
    assert [body for _, body in scripts if body.strip()] == [], "inline script"
    assert [attributes for attributes, _ in scripts if "src=" not in attributes] == []
    assert re.findall(r"<style\b", text, re.IGNORECASE) == [], "a <style> element"
    assert re.findall(r"<[^>]*\sstyle\s*=", text, re.IGNORECASE) == [], "a style= attribute"
    assert re.findall(r"<[^>]*\son[a-z]+\s*=", text, re.IGNORECASE) == [], "an event handler"


@pytest.mark.parametrize(
    "markup", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"], ids=["script", "img"]
)
def test_markup_typed_as_a_translation_is_escaped_and_never_runs(site: Site, markup: str) -> None:
    typed = f"Traducir {markup} esta entrada"
    saved = put(site.visitor(), 2, typed, 0, site.bearer("ana"))
    assert saved.status_code == 200
    assert "markup" in {c["id"] for c in saved.get_json()["checks"]}
    assert put(site.visitor(), 2, f"{typed}!", 0, site.bearer("bo")).status_code == 409
    assert site.segment(2)["translation"] == typed  # stored as typed: it is data

    for client in (site.visitor(), site.member("rev")):
        editor = client.get(f"{ARTICLE}/es")
        text = editor.get_data(as_text=True)
        assert markup not in text
        page = lxml.html.fromstring(text)
        assert page.xpath("//textarea[@id='t2']")[0].text == typed  # escaped, and intact
        kept = page.xpath("//li[@id='s2']//div[@class='suggestion']")
        assert kept and f"{typed}!" in kept[0].text_content()
        assert page.xpath("//li[@id='s2']//button[@class='use']/@data-text") == [f"{typed}!"]
        assert page.xpath("//img[@src='x']") == []
        assert inline_code(text, "editor") == []

    preview = site.visitor().get(f"{ARTICLE}/es/preview")
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    page = lxml.html.fromstring(text)
    assert markup not in text
    assert page.xpath("//script") == []
    assert page.xpath("//*[@onerror]") == [] and page.xpath("//img[@src='x']") == []
    assert inline_code(text, "preview") == []
    assert "Translate this post" in text  # the source stands in for the unsafe translation


def change_password(client: FlaskClient, old: str, new: str):
    data = {
        "password-csrf_token": form_token(client, "/account"),
        "password-old": old,
        "password-new": new,
        "password-submit": "1",
    }
    return client.post("/account", data=data)


def test_changing_the_password_signs_out_the_other_sessions(site: Site) -> None:
    here = site.member("ana")
    elsewhere = site.member("ana")
    remembered = site.member("ana", remember=True)
    remembered.delete_cookie("session")  # only the remember cookie is left
    assert remembered.get("/account").status_code == 200
    csrf = site.csrf(elsewhere)

    changed = change_password(here, PASSWORD, "a new long password")

    assert changed.status_code == 200
    assert "Your password is changed." in changed.get_data(as_text=True)
    assert here.get("/account").status_code == 200  # this session stays signed in
    assert here.get("/api/v1/whoami").get_json()["user"] == "ana"
    for client in (elsewhere, remembered):
        gone = client.get("/account")
        assert gone.status_code == 302
        assert gone.headers["Location"].startswith("/signin")
    refused = put(elsewhere, 2, "Traducir esta entrada", 0, csrf)
    assert refused.status_code == 401
    assert site.history(2) == []
    fresh = site.visitor()
    data = {"csrf_token": form_token(fresh, "/signin"), "name": "ana"}
    assert fresh.post("/signin", data={**data, "password": PASSWORD}).status_code == 400
    data["csrf_token"] = form_token(fresh, "/signin")
    assert (
        fresh.post("/signin", data={**data, "password": "a new long password"}).status_code == 302
    )


NEXT = [  # (next, where the browser may be sent)
    (f"{ARTICLE}/es", f"{ARTICLE}/es"),
    (f"{ARTICLE}/es?filter=outdated", f"{ARTICLE}/es?filter=outdated"),
    ("//evil.example", None),
    ("https://evil.example", None),
    ("/\\evil.example", None),
    ("///evil.example/", None),
    ("/\t/evil.example", None),  # browsers drop tabs and newlines from URLs
    ("/\n/evil.example", None),
]


def off_site(location: str) -> bool:
    """Whether a browser following ``Location: location`` leaves the site."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    parts = urlsplit(seen)
    return bool(parts.scheme or parts.netloc or seen.startswith("//"))


@pytest.mark.parametrize("form", ["signup", "signin"])
def test_signing_up_or_in_honours_next_only_on_this_site(site: Site, form: str) -> None:
    site.app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer here
    wrong = []
    for number, (wanted, expected) in enumerate(NEXT):
        client = site.visitor()
        path = f"/{form}?next={quote(wanted, safe='')}"
        data = {"csrf_token": form_token(client, path), "password": PASSWORD}
        data["name"] = f"vol{number}" if form == "signup" else "ana"
        response = client.post(path, data=data)
        location = response.headers.get("Location", "")
        if response.status_code != 302:
            wrong.append(f"next={wanted!r}: {response.status_code}, not a redirect")
        elif expected is not None and location != expected:
            wrong.append(f"next={wanted!r}: sent to {location!r}, not {expected!r}")
        elif expected is None and off_site(location):
            wrong.append(f"next={wanted!r}: sent off the site, to {location!r}")
    assert wrong == [], "\n".join(wrong)
