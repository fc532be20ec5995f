"""Comments and presence through the API: each answer checked against /openapi.json."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest

from tests.conftest import SEED_SLUG
from tests.web.test_api import API, Site
from tests.web.test_openapi import Contract


def call(contract: Contract, client, method: str, path: str, status: int, **options) -> Any:
    response = client.open(path, method=method, **options)
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return contract.response(method, path, response)


def test_a_question_is_asked_answered_and_resolved(site: Site, contract: Contract) -> None:
    ana, bo, rev = site.bearer("ana"), site.bearer("bo"), site.bearer("rev")
    visitor = site.visitor()
    path = f"{API}/es/segments/3/comments"
    asked = call(
        contract,
        visitor,
        "POST",
        path,
        201,
        json={"text": "<b>Is</b> this a *task force*? @bo"},
        headers=ana,
    )
    assert asked["author"] == "ana" and asked["mentions"] == ["bo"] and not asked["resolved"]
    assert asked["text"] == "<b>Is</b> this a *task force*? @bo"  # text, kept as typed
    call(contract, visitor, "POST", path, 201, json={"text": "Yes."}, headers=bo)
    thread = call(contract, visitor, "GET", path, 200)["comments"]
    assert [(c["author"], c["text"]) for c in thread] == [
        ("ana", "<b>Is</b> this a *task force*? @bo"),
        ("bo", "Yes."),
    ]
    resolve = f"{path}/{asked['id']}/resolve"
    call(contract, visitor, "POST", resolve, 403, headers=bo)  # not the author
    done = call(contract, visitor, "POST", resolve, 200, headers=rev)
    assert done["resolved"]
    call(contract, visitor, "POST", path, 201, json={"text": "And this?"}, headers=bo)
    page = visitor.get(f"/articles/{SEED_SLUG}").get_data(as_text=True)
    assert "2 open questions" in page  # bo's answer and bo's second question


@pytest.mark.parametrize(
    ("body", "status"),
    [({"text": ""}, 400), ({"text": "x" * 2001}, 413), ({"text": 3}, 400), ({}, 400)],
)
def test_bad_comments_are_refused(site: Site, contract: Contract, body, status) -> None:
    visitor = site.visitor()
    path = f"{API}/es/segments/3/comments"
    call(contract, visitor, "POST", path, status, json=body, headers=site.bearer("ana"))
    assert call(contract, visitor, "GET", path, 200)["comments"] == []
    call(contract, visitor, "POST", path, 401, json={"text": "anonymous"})


def test_presence_is_seen_by_others_and_left(site: Site, contract: Contract) -> None:
    ana, bo = site.bearer("ana"), site.bearer("bo")
    visitor = site.visitor()
    path = f"{API}/es/presence"
    mine = call(contract, visitor, "PUT", path, 200, json={"segment": 3}, headers=ana)
    assert mine["others"] == {} and mine["lease"] > 0
    theirs = call(contract, visitor, "PUT", path, 200, json={"segment": 3}, headers=bo)
    assert theirs["others"] == {"3": ["ana"]}
    assert call(contract, visitor, "GET", path, 200)["others"] == {"3": ["ana", "bo"]}
    call(contract, visitor, "PUT", path, 200, json={"segment": None}, headers=ana)
    assert call(contract, visitor, "GET", path, 200)["others"] == {"3": ["bo"]}
    call(contract, visitor, "PUT", path, 400, json={"segment": "3"}, headers=ana)
    call(contract, visitor, "PUT", path, 404, json={"segment": 999}, headers=ana)
    call(
        contract, visitor, "PUT", path, 403, json={"segment": 3}, headers=site.bearer("ana", "read")
    )


def test_the_home_page_lists_the_open_questions_that_mention_me(site: Site) -> None:
    bo = site.bearer("bo")
    client = site.visitor()
    for lang, number, text in (
        ("es", 2, "@ana is <b>this</b> right?"),
        ("es", 3, "@anand, not you"),
        ("fr", 4, "Over to @ana."),
    ):
        posted = client.post(
            f"{API}/{lang}/segments/{number}/comments", json={"text": text}, headers=bo
        )
        assert posted.status_code == 201
    home = lxml.html.fromstring(site.member("ana").get("/").get_data(as_text=True))
    items = home.xpath("//section[@class='mentions']//li")
    assert [li.xpath("a")[0].get("href") for li in items] == [
        f"/articles/{SEED_SLUG}/fr#s4",
        f"/articles/{SEED_SLUG}/es#s2",
    ]
    assert "@ana is <b>this</b> right?" in items[1].text_content()  # text, escaped
    assert home.xpath("//section[@class='mentions']//b") == []
    assert "2 open questions for you" in home.text_content()
    for client in (site.member("bo"), site.visitor()):  # bo is mentioned by nobody
        page = lxml.html.fromstring(client.get("/").get_data(as_text=True))
        assert page.xpath("//section[@class='mentions']") == []
