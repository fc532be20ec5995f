"""Schema-based fuzzing of the whole HTTP API, from the app's own ``/openapi.json``.

Every operation the document lists is fuzzed in-process (schemathesis driving the WSGI
app: no server, no network) on the seeded site of :class:`tests.web.test_api.Site`, to
which a saved translation, a comment and a glossary term are added so that real ids
exist. Hypothesis draws each case from schemathesis' positive strategy (what the document
allows) or its negative one (what it forbids); half the time the site's real slug,
language, segment and ids go into the path, and real versions and change ids into the
body, so the use cases are reached and not only the 404s. Each case is sent twice: with
the write token of an admin (``adam``), so writes are exercised, and with no credentials.

Every answer must be no 5xx, a status code the operation documents, the documented
content type and headers, and a body matching the documented schema.

Defects found and not fixed yet are in :data:`KNOWN`: each names the operation, the
exact answer that is tolerated there and why, and has a strict xfail below reproducing
it (``test_known_defect_*``). Fixing the service turns that xfail into a failure: then
remove the entry and its test. Reproducible: examples are derandomized, nothing is kept
between runs; ``CHORUS_FUZZ_EXAMPLES`` asks for more than :data:`MAX_EXAMPLES`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.exceptions import HTTPException

from tests.conftest import SEED_SLUG
from tests.web.test_api import API, Site

MAX_EXAMPLES = int(os.environ.get("CHORUS_FUZZ_EXAMPLES", "20"))  # per operation, 2 requests each
# Every operation of /openapi.json: a new one fails test_every_operation_is_fuzzed until added.
OPERATIONS = [
    "GET /api/v1/articles",
    "GET /api/v1/articles/{slug}",
    "POST /api/v1/articles/{slug}/{lang}.po",
    "GET /api/v1/articles/{slug}/{lang}.{fmt}",
    "GET /api/v1/articles/{slug}/{lang}/presence",
    "PUT /api/v1/articles/{slug}/{lang}/presence",
    "GET /api/v1/articles/{slug}/{lang}/published",
    "GET /api/v1/articles/{slug}/{lang}/segments",
    "PUT /api/v1/articles/{slug}/{lang}/segments/{number}",
    "POST /api/v1/articles/{slug}/{lang}/segments/{number}/approve",
    "GET /api/v1/articles/{slug}/{lang}/segments/{number}/comments",
    "POST /api/v1/articles/{slug}/{lang}/segments/{number}/comments",
    "POST /api/v1/articles/{slug}/{lang}/segments/{number}/comments/{comment}/resolve",
    "POST /api/v1/articles/{slug}/{lang}/segments/{number}/feedback",
    "GET /api/v1/articles/{slug}/{lang}/segments/{number}/history",
    "POST /api/v1/articles/{slug}/{lang}/segments/{number}/revert",
    "GET /api/v1/articles/{slug}/{lang}/segments/{number}/suggestions",
    "GET /api/v1/glossary/{lang}",
    "POST /api/v1/glossary/{lang}",
    "DELETE /api/v1/glossary/{lang}/{term}",
    "GET /api/v1/stats.csv",
    "GET /api/v1/stats.json",
    "GET /api/v1/whoami",
]
FEEDBACK = "POST /api/v1/articles/{slug}/{lang}/segments/{number}/feedback"


@dataclass(frozen=True)
class Known:
    """A defect the fuzzer found: on ``operation``, an anonymous request whose path matches
    no route of the app answers ``status``, which the operation does not document."""

    operation: str
    status: int
    reason: str


# Defects found, not fixed yet: tolerated while fuzzing (nothing else is), each reproduced
# by a strict xfail at the end of the file.
KNOWN = [
    Known(
        FEEDBACK,
        401,
        "reader feedback needs no account, but an anonymous POST whose path matches no "
        "route (a {number} that is not an integer, a {slug} with a /) is refused 401 "
        "'sign in' before routing can answer 404: service/web/access.py _authenticate "
        "only lets through views marked open_to_anybody, and an unrouted request has none",
    ),
]
# Found beside the fuzzing (which sends an admin's token or none, never a bad one): a strict
# xfail at the end of the file, nothing tolerated.
UNKNOWN_TOKEN = (
    "a malformed or unknown Authorization header is a 401 on every operation, as "
    "service/web/access.py _authenticate says, but the operations open to anybody do not "
    "document 401 (their responses in service/web/api.py, embed.py and published.py)"
)

load_all_checks()
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run
    database=None,  # and nothing remembered between runs
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)


def operations(document: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    ]


def unrouted(app: Flask, case: schemathesis.Case) -> bool:
    """Whether the request of ``case`` matches no route of the app at all."""
    path = unquote(case.formatted_path)  # as the app sees it: %2F is a /
    try:
        app.url_map.bind("localhost").match(path, method=case.method)
    except HTTPException:
        return True
    return False


def tolerated(app: Flask, operation: str, case: schemathesis.Case, status: int) -> bool:
    return unrouted(app, case) and any(
        (known.operation, known.status) == (operation, status) for known in KNOWN
    )


def test_every_operation_is_fuzzed(app: Flask) -> None:
    document = app.test_client().get("/openapi.json").get_json()
    assert operations(document) == OPERATIONS
    assert {known.operation for known in KNOWN} <= set(OPERATIONS)


@dataclass
class Seeded:
    site: Site
    adam: dict[str, str]
    ids: dict[str, int]
    catalog: str  # the es catalog to translate offline, as the API hands it out


def prepare(app: Flask) -> Seeded:
    """The seeded site with one saved translation, one comment and one glossary term."""
    site = Site.seeded(app)
    adam = site.bearer("adam")
    client = site.visitor()

    def call(method: str, path: str, status: int, **options: Any) -> Any:
        response = client.open(path, method=method, headers=adam, **options)
        assert response.status_code == status, response.get_data(as_text=True)
        return response

    saved = {"translation": "Traducir esta entrada", "version": 0}
    call("PUT", f"{API}/es/segments/2", 200, json=saved)
    comment = call("POST", f"{API}/es/segments/2/comments", 201, json={"text": "¿@ana, seguro?"})
    term = {"term": "task force", "translation": "grupo de trabajo"}
    made = call("POST", "/api/v1/glossary/es", 201, json=term)
    catalog = call("GET", f"{API}/es.po?draft=true", 200).get_data(as_text=True)
    [change] = site.history(2)
    ids = {
        "comment": comment.get_json()["id"],
        "term": made.get_json()["id"],
        "change": change["id"],
    }
    return Seeded(site, adam, ids, catalog)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_api_survives_fuzzing(app: Flask, operation: str) -> None:
    seeded = prepare(app)
    ids = seeded.ids
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    method, path = operation.split(" ", 1)
    endpoint = schema[path][method]
    cases = st.one_of(
        endpoint.as_strategy(GenerationMode.POSITIVE),
        endpoint.as_strategy(GenerationMode.NEGATIVE),
    )
    in_path = {
        "slug": st.just(SEED_SLUG),
        "lang": st.sampled_from(["es", "fr"]),
        "fmt": st.sampled_from(["md", "html", "po"]),
        "number": st.integers(1, 12),
        "comment": st.sampled_from([ids["comment"], ids["comment"] + 1]),
        "term": st.sampled_from([ids["term"], ids["term"] + 1]),
    }
    in_body = {
        "version": st.integers(0, 3),
        "change": st.sampled_from([ids["change"], ids["change"] + 1]),
        "segment": st.integers(1, 12),
    }
    names = [name for name in in_path if "{" + name + "}" in path]
    real_path = st.none() | st.fixed_dictionaries({name: in_path[name] for name in names})
    real_body = st.none() | st.fixed_dictionaries(in_body)
    tried: list[schemathesis.Case] = []

    @FUZZ
    @given(case=cases, where=real_path, values=real_body)
    def fuzz(
        case: schemathesis.Case, where: dict[str, Any] | None, values: dict[str, Any] | None
    ) -> None:
        if where is not None and case.path_parameters is not None:
            case.path_parameters.update(where)
        if values is not None and isinstance(case.body, dict):
            case.body.update({key: value for key, value in values.items() if key in case.body})
        if values is not None and case.media_type == "text/x-gettext-translation":
            case.body = seeded.catalog
        if case.headers:  # the credentials are the test's own: an admin's token, then none
            case.headers = {k: v for k, v in case.headers.items() if k.lower() != "authorization"}
        tried.append(case)
        for who, headers in (("adam", seeded.adam), ("anonymous", {})):
            response = case.call(headers=headers)
            if not headers and tolerated(app, operation, case, response.status_code):
                continue
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as error:
                error.add_note(f"sent as {who}")
                raise

    fuzz()
    assert tried


# -- the defects found, reproduced --------------------------------------------------------


@pytest.mark.xfail(strict=True, reason=KNOWN[0].reason)
@pytest.mark.parametrize("number", ["x", "-1", "2.5"])
def test_known_defect_feedback_on_an_unrouted_path_is_refused_401(app: Flask, number: str) -> None:
    """What the fuzzer sent: anonymous ``POST .../segments/<not an integer>/feedback``."""
    Site.seeded(app)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    endpoint = schema[FEEDBACK.split(" ", 1)[1]]["POST"]
    case = endpoint.Case(
        path_parameters={"slug": SEED_SLUG, "lang": "es", "number": number},
        body={"text": "Typo here"},
        media_type="application/json",
    )
    response = case.call()
    assert response.status_code != 401, response.text
    case.validate_response(response, checks=CHECKS)


@pytest.mark.xfail(strict=True, reason=UNKNOWN_TOKEN)
@pytest.mark.parametrize(
    ("operation", "path", "body"),
    [
        ("GET /api/v1/articles", {}, None),
        ("GET /api/v1/articles/{slug}/{lang}/segments", {"slug": SEED_SLUG, "lang": "es"}, None),
        (FEEDBACK, {"slug": SEED_SLUG, "lang": "es", "number": 2}, {"text": "Typo here"}),
    ],
)
@pytest.mark.parametrize("authorization", ["Bearer chorus_revoked", "Basic YWRhbTo="])
def test_known_defect_a_bad_token_on_an_open_operation_is_an_undocumented_401(
    app: Flask, operation: str, path: dict[str, Any], body: Any, authorization: str
) -> None:
    """A script whose token was revoked, or that sends Basic credentials, reading
    what anybody may read."""
    Site.seeded(app)
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    method, template = operation.split(" ", 1)
    options: dict[str, Any] = {"path_parameters": path}
    if body is not None:
        options.update(body=body, media_type="application/json")
    case = schema[template][method].Case(**options)
    response = case.call(headers={"Authorization": authorization})
    case.validate_response(response, checks=CHECKS)
