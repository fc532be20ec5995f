"""The editor page, rendered whole on the server, and the pages that lead to it: the
article's languages and the "start another language" form."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import pytest

from service import accounts, queries
from tests.conftest import SEED_SLUG
from tests.web.test_api import Site, put

ARTICLE = f"/articles/{SEED_SLUG}"
# CHORUS_PRIORITY_LANGUAGES by default
PRIORITY = ["ar", "bn", "de", "es", "fr", "hi", "id", "ja", "pt-BR", "ru", "sw", "uk", "zh-Hans"]
MARKERS = re.compile(r"\{\d+\}|\[\d+\]")


@pytest.fixture
def edited(site: Site) -> dict[str, Any]:
    """Spanish under way: one segment outdated by a changed source, one failing a critical
    check, and a paragraph whose source now has a link (a ``{1}`` placeholder)."""
    ana = site.bearer("ana")
    outdated = site.number_with("Developing leaders is important")
    footnoted = site.number_with("[1]")
    old = site.segment(outdated)["source"]
    assert (
        put(site.visitor(), outdated, "Desarrollar líderes es importante.", 0, ana).status_code
        == 200
    )
    assert put(site.visitor(), footnoted, "Los buenos líderes ayudan.", 0, ana).status_code == 200
    site.edit_source("Developing leaders is important", "Developing leaders is vital")
    site.edit_source("The Participate page", "The [Participate page](https://example.org/p)")
    return {
        "outdated": outdated,
        "old source": old,
        "footnoted": footnoted,
        "linked": site.number_with("[Participate page]{1}"),
        "listing": site.listing(),
    }


def page_of(response) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return lxml.html.fromstring(response.get_data(as_text=True))


def segments_of(page: Any) -> list[Any]:
    return page.xpath("//ol[@id='segments']/li[contains(concat(' ', @class, ' '), ' segment ')]")


def one(element: Any, xpath: str) -> Any:
    [found] = element.xpath(xpath)
    return found


def test_the_editor_lists_every_segment_in_article_order(site: Site, edited) -> None:
    page = page_of(site.member("ana").get(f"{ARTICLE}/es"))
    rows = edited["listing"]["segments"]
    items = segments_of(page)
    assert [int(li.get("data-id")) for li in items] == [row["id"] for row in rows]
    assert len(items) == 22
    for li, row in zip(items, rows, strict=True):
        n = row["id"]
        where = f"segment {n}"
        assert li.get("id") == f"s{n}"
        assert (li.get("data-version"), li.get("data-state")) == (str(row["version"]), row["state"])
        assert one(li, ".//span[@class='kind']").text == row["kind"].replace("_", " "), where
        source = one(li, ".//div[contains(@class, 'source-text')]")
        assert (source.text_content(), source.get("lang")) == (row["source"], "en"), where
        box = one(li, ".//textarea")
        assert box.get("id") == f"t{n}" and box.get("aria-describedby") == f"src{n}"
        assert (box.get("lang"), box.get("dir")) == ("es", "ltr"), where
        assert (box.text or "") == row["translation"], where
        label = one(page, f"//label[@for='t{n}']")
        assert f"Translation of segment {n}" in label.text_content()
        assert "Spanish" in label.text_content()
        tokens = li.xpath(".//button[contains(@class, 'token')]/@data-token")
        assert tokens == list(dict.fromkeys(MARKERS.findall(row["source"]))), where
        previous = li.xpath(".//div[@class='previous']")
        if n == edited["outdated"]:
            # A word diff: "important" struck through, "vital" marked, the rest as it is.
            assert [d.text_content() for d in previous[0].xpath(".//del")] == ["important"]
            assert [i.text_content() for i in previous[0].xpath(".//ins")] == ["vital"]
            whole = one(previous[0], ".//details/p").text_content()
            assert whole == edited["old source"]
        else:
            assert previous == [], where
    tokened = {int(li.get("data-id")) for li in items if li.xpath(".//button[@data-token]")}
    assert tokened == {edited["footnoted"], edited["linked"]}
    linked = one(page, f"//li[@id='s{edited['linked']}']")
    assert linked.xpath(".//button/@data-token") == ["{1}"]
    assert one(linked, ".//button[@data-token='{1}']").get("aria-label") == "Insert {1}"
    footnoted = one(page, f"//li[@id='s{edited['footnoted']}']")
    assert footnoted.xpath(".//button/@data-token") == ["[1]", "[2]"]


def test_the_editor_shows_the_checks_a_translation_fails(site: Site, edited) -> None:
    page = page_of(site.visitor().get(f"{ARTICLE}/es"))
    failing = one(page, f"//li[@id='s{edited['footnoted']}']")
    assert failing.get("data-critical") == "yes"
    critical = failing.xpath(".//ul[@class='checks']/li[contains(@class, 'critical')]")
    assert critical and "Footnotes" in critical[0].text_content()
    assert "[1]" in critical[0].text_content() and "[2]" in critical[0].text_content()
    others = [li for li in segments_of(page) if li is not failing]
    assert [li.get("id") for li in others if li.get("data-critical") == "yes"] == []
    assert "1 segment failing a critical check" in one(page, "//p[@id='language-state']").text
    # Fixed, the check is gone from the page.
    row = site.segment(edited["footnoted"])
    fixed = "Los buenos líderes [1] ayudan [2]."
    assert (
        put(site.visitor(), row["id"], fixed, row["version"], site.bearer("ana")).status_code == 200
    )
    page = page_of(site.visitor().get(f"{ARTICLE}/es"))
    again = one(page, f"//li[@id='s{edited['footnoted']}']")
    assert again.get("data-critical") == "no"
    assert again.xpath(".//li[contains(@class, 'critical')]") == []


def test_textareas_have_the_languages_direction(site: Site) -> None:
    for code, direction in (("ar", "rtl"), ("he", "rtl"), ("es", "ltr")):
        page = page_of(site.visitor().get(f"{ARTICLE}/{code}"))
        boxes = page.xpath("//textarea")
        assert len(boxes) == 22
        assert {(box.get("lang"), box.get("dir")) for box in boxes} == {(code, direction)}
        assert one(page, "//div[@id='editor']").get("data-dir") == direction
        sources = page.xpath("//div[contains(@class, 'source-text')]")
        assert {source.get("dir") for source in sources} == {"ltr"}, code


def test_an_unknown_language_or_article_is_a_404_page(site: Site) -> None:
    for path, message in (
        (f"{ARTICLE}/xx", "names no language"),
        (f"{ARTICLE}/xx-!!", "not a language code"),
        (f"{ARTICLE}/{'a' * 40}", "longer than"),
        (f"{ARTICLE}/xx/preview", "names no language"),
        ("/articles/nope/es", "no article"),
    ):
        response = site.visitor().get(path)
        assert (response.status_code, response.mimetype) == (404, "text/html"), path
        text = response.get_data(as_text=True)
        assert message in text and "<textarea" not in text, path


def test_starting_a_language_opens_its_editor(site: Site) -> None:
    client = site.visitor()
    for asked, code in (("eo", "eo"), ("pt_br", "pt-BR"), (" ZH-hans ", "zh-Hans")):
        response = client.get(f"{ARTICLE}/translate?lang={asked}")
        assert response.status_code == 302, asked
        assert response.headers["Location"] == f"{ARTICLE}/{code}", asked
    page = page_of(client.get(f"{ARTICLE}/translate?lang=eo", follow_redirects=True))
    assert "Esperanto" in one(page, "//h1").text_content()
    assert {box.get("lang") for box in page.xpath("//textarea")} == {"eo"}
    for asked in ("xx-!!", "", "xx"):
        response = client.get(f"{ARTICLE}/translate?lang={asked}")
        assert response.status_code == 404, asked
        assert response.mimetype == "text/html"
    assert client.get(f"{ARTICLE}/translate").status_code == 404
    assert client.get("/articles/nope/translate?lang=eo").status_code in {302, 404}


def listed(page: Any) -> list[tuple[str, bool, Any]]:
    """The article page's languages: (code, marked as mine, its progress bar)."""
    found = []
    for row in page.xpath("//table/tbody/tr"):
        href = one(row, ".//td[1]/a").get("href")
        bars = row.xpath(".//progress")
        assert len(bars) == 1, href
        found.append((href.rsplit("/", 1)[1], "mine" in (row.get("class") or ""), bars[0]))
    return found


def test_the_article_page_lists_my_languages_first_then_the_priority_ones(site: Site) -> None:
    ana = site.bearer("ana")
    put(site.visitor(), 2, "Übersetzen", 0, ana, lang="de")
    put(site.visitor(), 2, "Traduci questo articolo", 0, ana, lang="it")  # started, not priority
    site.run(lambda: accounts.set_languages(queries.user("bo"), "uk eo"))

    mine = listed(page_of(site.member("bo").get(ARTICLE)))

    codes = [code for code, _, _ in mine]
    assert codes[:2] == ["uk", "eo"]
    assert codes[2:-1] == [code for code in PRIORITY if code != "uk"]
    assert codes[-1] == "it"
    assert [code for code, yours, _ in mine if yours] == ["uk", "eo"]
    bars = {code: bar for code, _, bar in mine}
    assert all(bar.get("max") == "100" for bar in bars.values())
    assert float(bars["de"].get("value")) > 0 and float(bars["uk"].get("value")) == 0
    assert "German" in bars["de"].get("aria-label")

    anonymous = listed(page_of(site.visitor().get(ARTICLE)))
    assert [code for code, _, _ in anonymous] == [*PRIORITY, "it"]
    assert not any(yours for _, yours, _ in anonymous)
