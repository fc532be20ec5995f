"""The access policy, declared once and walked route by route: who may call what.

:data:`POLICY` names, for every route and method of the app, the principals allowed
through: an anonymous visitor, each role signed in by a cookie session (with the
session's CSRF token, so only the role decides), and the translator's API tokens of
scope read and write. The test fails on any route of the URL map missing from the table,
sends every route's request as every principal, and checks that each one is let through
exactly when the table says so (refused: 401, 403, or a redirect to sign in) and that
no request is a 500. A second test checks the security headers of every page and file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service import comments, glossary, queries, translating
from service.db import db
from service.models import Change
from tests.conftest import SEED_SLUG
from tests.web.test_api import Site

ROLES = ("translator", "reviewer", "coordinator", "admin")
PRINCIPALS = ("anonymous", *ROLES, "read token", "write token")
NAME = {"translator": "ana", "reviewer": "rev", "coordinator": "coco", "admin": "adam"}
EVERYONE = frozenset(PRINCIPALS)
ANY_WRITE = EVERYONE - {"read token"}  # a read token never writes, not even where anyone may
SIGNED_IN = frozenset({*ROLES, "read token", "write token"})
WRITERS = frozenset({*ROLES, "write token"})
REVIEWERS = frozenset({"reviewer", "coordinator", "admin"})
COORDINATORS = frozenset({"coordinator", "admin"})
ARTICLE = f"/articles/{SEED_SLUG}"
API = f"/api/v1/articles/{SEED_SLUG}"
SEGMENT = f"{API}/es/segments/2"


@dataclass(frozen=True)
class Call:
    path: str
    allowed: frozenset[str]
    json: Any = None
    data: dict[str, Any] | None = None


# (method, endpoint) -> the request and who may make it. The token's user is a translator.
POLICY: dict[tuple[str, str], Call] = {
    ("GET", "pages.index"): Call("/", EVERYONE),
    ("GET", "pages.article"): Call(ARTICLE, EVERYONE),
    ("GET", "pages.start"): Call(f"{ARTICLE}/translate?lang=es", EVERYONE),
    ("GET", "pages.editor"): Call(f"{ARTICLE}/es", EVERYONE),
    ("GET", "pages.preview"): Call(f"{ARTICLE}/es/preview", EVERYONE),
    ("GET", "static"): Call("/static/chorus.css", EVERYONE),
    ("GET", "openapi"): Call("/openapi.json", EVERYONE),
    ("GET", "auth.signin"): Call("/signin", EVERYONE),
    ("POST", "auth.signin"): Call("/signin", ANY_WRITE, data={"name": "x", "password": "wrong"}),
    ("GET", "auth.signup"): Call("/signup", EVERYONE),
    ("POST", "auth.signup"): Call("/signup", ANY_WRITE, data={"name": ""}),
    ("POST", "auth.signout"): Call("/signout", ANY_WRITE, data={}),
    ("GET", "auth.account"): Call("/account", SIGNED_IN),
    ("POST", "auth.account"): Call("/account", WRITERS, data={"languages-codes": "es"}),
    ("GET", "api.whoami"): Call("/api/v1/whoami", SIGNED_IN),
    ("GET", "api.articles"): Call("/api/v1/articles", EVERYONE),
    ("GET", "api.article"): Call(API, EVERYONE),
    ("GET", "api.segments"): Call(f"{API}/es/segments", EVERYONE),
    ("GET", "api.history"): Call(f"{SEGMENT}/history", EVERYONE),
    ("GET", "api.suggestions"): Call(f"{SEGMENT}/suggestions", EVERYONE),
    ("GET", "api.thread"): Call(f"{SEGMENT}/comments", EVERYONE),
    ("GET", "api.who_is_where"): Call(f"{API}/es/presence", EVERYONE),
    ("GET", "api.published"): Call(f"{API}/es/published", EVERYONE),
    ("GET", "api.translation"): Call(f"{API}/es.md", EVERYONE),
    ("GET", "api.terms"): Call("/api/v1/glossary/es", EVERYONE),
    ("GET", "api.stats_json"): Call("/api/v1/stats.json", EVERYONE),
    ("GET", "api.stats_csv"): Call("/api/v1/stats.csv", EVERYONE),
    ("PUT", "api.save"): Call(SEGMENT, WRITERS, json={"translation": "Otra", "version": 0}),
    ("POST", "api.approve"): Call(f"{SEGMENT}/approve", REVIEWERS, json={"version": 1}),
    ("POST", "api.revert"): Call(f"{SEGMENT}/revert", WRITERS, json={"change": "CHANGE"}),
    ("POST", "api.comment"): Call(f"{SEGMENT}/comments", WRITERS, json={"text": "¿Así?"}),
    ("POST", "api.resolve"): Call(f"{SEGMENT}/comments/COMMENT/resolve", WRITERS, json={}),
    ("PUT", "api.i_am_here"): Call(f"{API}/es/presence", WRITERS, json={"segment": 2}),
    ("POST", "api.upload"): Call(f"{API}/es.po", WRITERS, data={}),
    ("POST", "api.add_term"): Call(
        "/api/v1/glossary/es", REVIEWERS, json={"term": "movement", "translation": "movimiento"}
    ),
    ("DELETE", "api.remove_term"): Call("/api/v1/glossary/es/TERM", REVIEWERS),
    ("POST", "api.reader_feedback"): Call(f"{SEGMENT}/feedback", ANY_WRITE, json={"text": "Hm"}),
    ("GET", "dashboard.index"): Call("/dashboard", COORDINATORS),
    ("GET", "dashboard.import_preview"): Call(f"/dashboard/import/{SEED_SLUG}", COORDINATORS),
    ("POST", "dashboard.import_article"): Call(
        f"/dashboard/import/{SEED_SLUG}", COORDINATORS, data={}
    ),
    ("POST", "dashboard.set_policy"): Call(
        f"/dashboard/articles/{SEED_SLUG}/policy", COORDINATORS, data={"target": "13"}
    ),
    ("POST", "dashboard.publish"): Call(
        f"/dashboard/articles/{SEED_SLUG}/publish", COORDINATORS, data={}
    ),
    ("POST", "dashboard.add_webhook"): Call(
        "/dashboard/webhooks", COORDINATORS, data={"url": "ftp://x", "secret": "s"}
    ),
    ("POST", "dashboard.remove_webhook"): Call("/dashboard/webhooks/999/remove", COORDINATORS, {}),
    ("POST", "dashboard.retry_delivery"): Call(
        "/dashboard/deliveries/999/retry", COORDINATORS, data={}
    ),
    ("GET", "embed.script"): Call(f"/embed/{SEED_SLUG}.js", EVERYONE),
    ("GET", "embed.frame"): Call(f"/embed/{SEED_SLUG}", EVERYONE),
    ("GET", "embed.alternates"): Call(f"/embed/{SEED_SLUG}/alternates.html", EVERYONE),
    ("GET", "embed.badge"): Call(f"/badge/{SEED_SLUG}.svg", EVERYONE),
    ("GET", "embed.feed"): Call("/feed.atom", EVERYONE),
}


def routes(app: Flask) -> set[tuple[str, str]]:
    """Every (method, endpoint) the app answers, but the automatic HEAD and OPTIONS."""
    return {
        (method, rule.endpoint)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_policy_table(app: Flask) -> None:
    assert sorted(routes(app) - set(POLICY)) == []
    assert sorted(set(POLICY) - routes(app)) == []  # no stale row either


class Principals:
    """A client and the headers of each principal, on one seeded site."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.tokens = {
            "read token": site.bearer("ana", "read"),
            "write token": site.bearer("ana", "write"),
        }

        self.clients: dict[str, tuple[FlaskClient, dict[str, str]]] = {}

    def _browser(self, who: str) -> tuple[FlaskClient, dict[str, str]]:
        client = self.site.visitor() if who == "anonymous" else self.site.member(NAME[who])
        return client, Site.csrf(client)  # the session's own CSRF token: only the role decides

    def request(self, who: str, method: str, call: Call, ids: dict[str, int]):
        path = call.path
        for name, value in ids.items():
            path = path.replace(name, str(value))
        if who in self.tokens:
            client, headers = self.site.visitor(), dict(self.tokens[who])
        elif path == "/signout":  # a browser of its own, so the others stay signed in
            client, headers = self._browser(who)
        else:
            if who not in self.clients:
                self.clients[who] = self._browser(who)  # one sign-in: they are rate limited
            client, headers = self.clients[who]
        body = call.json
        if isinstance(body, dict):
            body = {key: ids.get(value, value) for key, value in body.items()}
        return client.open(path, method=method, json=body, data=call.data, headers=headers)


def refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/signin" in response.headers.get("Location", "")


@pytest.fixture
def seeded(app: Flask) -> tuple[Principals, dict[str, int]]:
    site = Site.seeded(app)

    def objects() -> dict[str, int]:
        ana = queries.user("ana")
        translating.save(site.content, SEED_SLUG, "es", 2, "Traduce esto", 0, ana)
        segment = queries.segment(queries.article(SEED_SLUG), 2)
        change = db.session.scalar(
            select(func.max(Change.id)).where(Change.segment_id == segment.id)
        )
        posted = comments.add(SEED_SLUG, "es", 2, "¿Está bien?", ana)
        term = glossary.add("es", "task force", "grupo de trabajo", "", queries.user("rev"))
        return {"CHANGE": change, "COMMENT": posted.comment.id, "TERM": term.id}

    return Principals(site), site.run(objects)


@pytest.mark.parametrize("who", PRINCIPALS)
def test_each_principal_is_let_through_exactly_where_the_policy_says(
    seeded: tuple[Principals, dict[str, int]], who: str
) -> None:
    principals, ids = seeded
    wrong: list[str] = []
    for (method, _endpoint), call in POLICY.items():
        with principals.request(who, method, call, ids) as response:  # static files stream
            body = response.get_data(as_text=True)[:200]
        if response.status_code >= 500:
            wrong.append(f"{method} {call.path}: {response.status_code} {body}")
        elif refused(response) == (who in call.allowed):
            expected = "allowed" if who in call.allowed else "refused"
            wrong.append(f"{method} {call.path}: {response.status_code}, expected {expected}")
    assert wrong == []


def test_every_answer_carries_the_security_headers(
    seeded: tuple[Principals, dict[str, int]],
) -> None:
    principals, ids = seeded
    wrong: list[str] = []
    for (method, endpoint), call in POLICY.items():
        if method != "GET":
            continue
        for who in ("anonymous", "admin"):
            with principals.request(who, method, call, ids) as response:
                headers = response.headers
            policy = headers.get("Content-Security-Policy", "")
            directives = {
                part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
            }
            frame = ["*"] if endpoint == "embed.frame" else ["'self'"]
            problems = [
                "no Content-Security-Policy" * (not policy),
                "inline or eval script allowed"
                * any(word in policy for word in ("'unsafe-inline'", "'unsafe-eval'")),
                f"frame-ancestors {directives.get('frame-ancestors')}"
                * (directives.get("frame-ancestors") != frame),
                "no nosniff" * (headers.get("X-Content-Type-Options") != "nosniff"),
            ]
            wrong += [f"{call.path} ({who}): {problem}" for problem in problems if problem]
    assert wrong == []


# The one write that needs no CSRF token: it acts for nobody (service.web.access, 4).
NO_CSRF = {("POST", "api.reader_feedback")}


def test_every_write_with_a_session_needs_its_csrf_token(
    seeded: tuple[Principals, dict[str, int]],
) -> None:
    principals, ids = seeded
    admin = principals.site.member("adam")
    wrong = []
    for (method, endpoint), call in POLICY.items():
        if method == "GET" or (method, endpoint) in NO_CSRF:
            continue
        path = call.path
        for name, value in ids.items():
            path = path.replace(name, str(value))
        response = admin.open(path, method=method, json=call.json, data=call.data)
        if response.status_code != 400 or "CSRF" not in response.get_data(as_text=True):
            wrong.append(f"{method} {path}: {response.status_code}")
    assert wrong == []
    assert set(NO_CSRF) <= set(POLICY)
