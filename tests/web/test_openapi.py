"""``/openapi.json`` describes the API the app serves: every ``/api/v1`` route is in it,
and real responses of the test client match the schema documented for their route,
method and status (in the manner of Datasette's ``tests/test_docs.py``: an undocumented
route or an answer that drifted from its description fails the suite)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import HTTPException

from service import __version__
from tests.web.test_api import API, Site, put

DOCUMENT = "urn:chorus:openapi"  # where the document sits in the schema registry
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``<int:number>`` -> ``{number}``."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def pointer(*parts: str) -> str:
    """A JSON pointer to ``parts`` (``/`` and ``~`` escaped as RFC 6901 says)."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class Contract:
    """The API as documented: checks one real response against its route's description."""

    def __init__(self, app: Flask, document: dict[str, Any]) -> None:
        self.app = app
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(DOCUMENT, resource)

    def route(self, method: str, path: str) -> str:
        """The documented path template that serves ``method path``."""
        adapter = self.app.url_map.bind("localhost")
        try:
            rule, _ = adapter.match(path.split("?")[0], method=method, return_rule=True)
        except HTTPException as error:  # no route: the URL map itself names none
            pytest.fail(f"{method} {path}: no route in the app ({error})")
        return openapi_path(rule.rule)

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """Fail, naming the route, unless ``body`` is what the document promises for it."""
        template = self.route(method, path)
        where = f"{method} {template}"
        operation = self.document["paths"].get(template, {}).get(method.lower())
        if operation is None:
            pytest.fail(f"{where} is not in /openapi.json")
        documented = operation["responses"]
        if str(status) not in documented:
            pytest.fail(
                f"{where} answered {status}, which is undocumented (only {sorted(documented)})"
            )
        media = documented[str(status)].get("content", {}).get("application/json")
        if media is None or "schema" not in media:
            pytest.fail(f"{where} {status}: no application/json schema documented")
        at = pointer("paths", template, method.lower(), "responses", str(status))
        schema = {"$ref": f"{DOCUMENT}#{at}{pointer('content', 'application/json', 'schema')}"}
        validator = Draft202012Validator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            lines = [
                f"  at {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
                for e in errors
            ]
            pytest.fail(
                f"{where} answered {status} with a body that does not match its documented "
                "schema:\n" + "\n".join(lines[:10])
            )

    def response(self, method: str, path: str, response) -> Any:
        """Check a test client response (JSON, as documented); return its body."""
        assert response.mimetype == "application/json", f"{method} {path}: {response.mimetype}"
        body = response.get_json()
        self.check(method, path, response.status_code, body)
        return body


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


def test_the_document_has_the_shape_of_openapi_3_1(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    assert document["info"]["title"] == "Chorus"
    assert document["info"]["version"] == __version__
    assert document["paths"], "no paths"
    schemes = document["components"]["securitySchemes"]
    assert {key: schemes["bearer"][key] for key in ("type", "scheme")} == {
        "type": "http",
        "scheme": "bearer",
    }
    assert {key: schemes["session"][key] for key in ("type", "in")} == {
        "type": "apiKey",
        "in": "cookie",
    }
    assert "/openapi.json" not in document["paths"]  # the description does not list itself
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "get" or path.endswith("/whoami"):  # every write, and whoami
                assert {"bearer": []} in operation.get("security", []), f"{method} {path}"
    ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/"), path
        for method, operation in item.items():
            assert method in METHODS, f"{path}: {method}"
            ids.append(operation["operationId"])
            assert operation["responses"], f"{method} {path}: no responses"
            for status, answer in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", status), f"{method} {path}: {status}"
                assert answer.get("description"), f"{method} {path} {status}: no description"
            named = set(re.findall(r"\{([^}]+)\}", path))
            parameters = operation.get("parameters", [])
            in_path = {p["name"] for p in parameters if p["in"] == "path"}
            assert in_path == named, f"{method} {path}: path parameters {in_path}"
            assert all(p["required"] for p in parameters if p["in"] == "path")
    assert len(ids) == len(set(ids)), "operationIds repeat"
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)  # a Schema Object is JSON Schema 2020-12
        assert schema.get("type") == "object", name
    for ref in references(document):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]


def test_every_api_route_is_documented_and_nothing_else(
    app: Flask, document: dict[str, Any]
) -> None:
    served = {
        (openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1")
        for method in item
    }
    assert served, "no /api/v1 route in the URL map"
    assert sorted(served - documented) == [], "served but missing from /openapi.json"
    assert sorted(documented - served) == [], "documented but not served"


def test_request_bodies_are_documented_strictly(document: dict[str, Any]) -> None:
    """A write's body is described, refuses unknown fields and types ``version`` as integer;
    the one write without a body is resolving a comment (its path says everything); the one
    that is not JSON is a PO upload, a file."""
    bodiless = []
    upload = document["paths"]["/api/v1/articles/{slug}/{lang}.po"]["post"]["requestBody"]
    assert sorted(upload["content"]) == ["multipart/form-data", "text/x-gettext-translation"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"put", "post"} or not path.startswith("/api/v1"):
                continue
            if "requestBody" not in operation:
                bodiless.append(path)
                continue
            if path.endswith(".po"):
                continue
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert schema["additionalProperties"] is False, f"{method} {path}"
            for field in ("version", "change"):
                if field in schema["properties"]:
                    assert schema["properties"][field]["type"] == "integer", f"{method} {path}"
    assert bodiless == [
        "/api/v1/articles/{slug}/{lang}/segments/{number}/comments/{comment}/resolve"
    ]


def test_real_responses_match_their_documented_schemas(
    app: Flask, document: dict[str, Any], site: Site
) -> None:
    contract = Contract(app, document)
    ana, bo, rev = site.bearer("ana"), site.bearer("bo"), site.bearer("rev")
    read = site.bearer("ana", "read")
    client = site.visitor()
    seen: set[tuple[str, str, int]] = set()

    def call(method: str, path: str, status: int, **options: Any) -> Any:
        response = client.open(path, method=method, **options)
        assert response.status_code == status, (
            f"{method} {path}: {response.status_code} {response.get_data(as_text=True)[:300]}"
        )
        seen.add((method, contract.route(method, path), status))
        return contract.response(method, path, response)

    def save(number: int, text: str, version: int, headers: dict[str, str], status: int = 200):
        body = {"translation": text, "version": version}
        return call("PUT", f"{API}/es/segments/{number}", status, json=body, headers=headers)

    call("GET", "/api/v1/articles", 200)
    call("GET", API, 200)
    call("GET", f"{API}/es/segments", 200)
    save(2, "Traducir esta entrada", 0, ana)
    save(2, "Traduce este artículo", 0, bo, 409)  # a suggestion, listed below
    save(11, "Sin notas", 0, ana)  # a critical check, listed below
    site.edit_source("Developing leaders is important", "Developing leaders is vital")
    number = site.number_with("Developing leaders is vital")
    save(number, "Desarrollar líderes", 0, ana)
    site.edit_source("Developing leaders is vital", "Developing leaders is key")  # outdated
    listing = call("GET", f"{API}/es/segments", 200)
    assert {s["state"] for s in listing["segments"]} >= {"empty", "translated", "outdated"}
    assert any(s["suggestions"] for s in listing["segments"])
    assert any(s["checks"] for s in listing["segments"])
    call("GET", "/api/v1/articles", 200)  # now with languages
    call("GET", API, 200)
    call("POST", f"{API}/es/segments/2/approve", 200, json={"version": 1}, headers=rev)
    call("POST", f"{API}/es/segments/11/approve", 409, json={"version": 0}, headers=rev)
    call("POST", f"{API}/es/segments/3/approve", 400, json={"version": 0}, headers=rev)
    call("POST", f"{API}/es/segments/2/approve", 403, json={"version": 2}, headers=ana)
    changes = call("GET", f"{API}/es/segments/2/history", 200)["changes"]
    call("POST", f"{API}/es/segments/2/revert", 200, json={"change": changes[-1]["id"]}, headers=bo)
    call("POST", f"{API}/es/segments/2/revert", 404, json={"change": 999}, headers=bo)
    call("POST", f"{API}/es/segments/2/revert", 400, json={"change": "1"}, headers=bo)
    call("GET", "/api/v1/whoami", 200, headers=read)
    call("GET", "/api/v1/whoami", 401)
    call("GET", "/api/v1/articles/nope", 404)
    call("GET", f"{API}/xx/segments", 404)
    call("GET", f"{API}/es/segments/99/history", 404)
    save(3, "Hola", "3", ana, 400)  # type: ignore[arg-type]
    call("PUT", f"{API}/es/segments/3", 400, data="{", content_type="application/json", headers=ana)
    save(3, "Hola", 0, {"Authorization": "Bearer chorus_nope"}, 401)
    save(3, "Hola", 0, read, 403)
    save(99, "Hola", 0, ana, 404)
    save(3, "x" * 20_001, 0, ana, 413)
    assert {status for _, _, status in seen} >= {200, 400, 401, 403, 404, 409, 413}


def test_timestamps_are_rfc3339_date_times_as_documented(
    app: Flask, document: dict[str, Any], site: Site
) -> None:
    """The schemas say ``format: date-time`` (RFC 3339, which needs a time offset)."""
    schemas = document["components"]["schemas"]
    assert schemas["ChangeOut"]["properties"]["at"]["format"] == "date-time"
    ana, bo = site.bearer("ana"), site.bearer("bo")
    put(site.visitor(), 2, "Traducir esta entrada", 0, ana)
    put(site.visitor(), 2, "Traduce este artículo", 0, bo)  # a suggestion with created_at
    [row] = [s for s in site.listing()["segments"] if s["id"] == 2]
    [change] = site.history(2)
    stamps = {
        "SegmentOut.updated_at": row["updated_at"],
        "SuggestionOut.created_at": row["suggestions"][0]["created_at"],
        "ChangeOut.at": change["at"],
    }
    assert {k: v for k, v in stamps.items() if not RFC3339.fullmatch(v)} == {}


def test_a_response_that_does_not_match_fails_naming_its_route(
    app: Flask, document: dict[str, Any], site: Site
) -> None:
    contract = Contract(app, document)
    put(site.visitor(), 2, "Traducir esta entrada", 0, site.bearer("ana"))
    found = site.article()
    contract.check("GET", API, 200, found)  # as served: fine
    untitled = {key: value for key, value in found.items() if key != "title"}
    misstated = {**found, "languages": [{**found["languages"][0], "state": "done"}]}
    article = r"GET /api/v1/articles/\{slug\} answered 200 with a body that does not match"
    segment = r"PUT /api/v1/articles/\{slug\}/\{lang\}/segments/\{number\}"
    with pytest.raises(pytest.fail.Exception, match=rf"(?s){article}.*'title' is a required"):
        contract.check("GET", API, 200, untitled)
    with pytest.raises(pytest.fail.Exception, match=rf"(?s){article}.*at languages/0/state"):
        contract.check("GET", API, 200, misstated)
    with pytest.raises(pytest.fail.Exception, match=rf"{segment} answered 418, which is undoc"):
        contract.check("PUT", f"{API}/es/segments/2", 418, {})
    with pytest.raises(pytest.fail.Exception, match=r"GET /signin is not in /openapi\.json"):
        contract.check("GET", "/signin", 200, {})
