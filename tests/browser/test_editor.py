"""The editor in a real browser: a volunteer's path from the home page to a published language.

Every step goes through the UI (links, forms, keys) of the live server; what the server
holds afterwards is read back over its public API, and the git history of the content.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.browser.conftest import (
    FOOTNOTED,
    PASSWORD,
    SEGMENTS,
    LiveServer,
    Worker,
    box,
    fill_sign_up,
    open_editor,
    segment,
    sign_in,
    sign_up,
    wait_for_editor,
)
from tests.conftest import SEED_SLUG, git

TITLE = "A Leadership Development Task Force"
PUBLISH_WAIT_MS = 60_000  # the worker polls every 0.2 s; the page every 2 s


def expect_done(page: Page, done: int) -> None:
    expect(page.locator("#progress")).to_have_js_property("value", done)
    expect(page.locator("#progress-text")).to_contain_text(f"{done} of {SEGMENTS} segments done")


def test_a_newcomer_goes_from_the_home_page_to_the_editor(page: Page) -> None:
    clicks = 0

    def click(target: Locator) -> None:
        nonlocal clicks
        clicks += 1
        target.click()

    page.goto("/")
    click(page.get_by_role("link", name=f"Help translate {TITLE}"))  # signed out: sign up
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    clicks += 1  # fill_sign_up clicks the form's button
    fill_sign_up(page, "nuria", "nuria@example.org")
    expect(page).to_have_url(re.compile(rf"/articles/{SEED_SLUG}$"))
    click(page.get_by_role("row", name=re.compile("Spanish")).get_by_role("link", name="español"))
    expect(page).to_have_url(re.compile(rf"/articles/{SEED_SLUG}/es$"))
    wait_for_editor(page)
    expect(box(page, 1)).to_be_focused()
    expect(segment(page, 1)).to_have_class(re.compile(r"\bcurrent\b"))
    expect(box(page, 1)).to_be_editable()
    assert clicks == 3  # Help translate, Sign up, español


def test_a_volunteer_picks_spanish_on_the_account_page(page: Page) -> None:
    sign_up(page, "pilar")
    page.get_by_label("español (Spanish, es)").check()
    page.get_by_role("button", name="Save languages").click()
    expect(page.get_by_role("status")).to_have_text("Your languages are saved.")
    expect(page.locator("main [lang=es]")).to_have_text("español")
    expect(page.get_by_label("español (Spanish, es)")).to_be_checked()
    page.get_by_role("link", name="Chorus", exact=True).click()
    page.get_by_role("link", name=f"Help translate {TITLE}").click()
    first = page.locator("main table tbody tr").first
    expect(first).to_have_class("mine")
    expect(first).to_contain_text("Spanish (es) · yours")
    first.get_by_role("link", name="español").click()
    wait_for_editor(page)
    expect(box(page, 1)).to_be_focused()


def test_translating_with_the_keyboard_alone(page: Page, live: LiveServer) -> None:
    sign_up(page, "kai")
    open_editor(page)
    keys = page.keyboard
    expect(box(page, 1)).to_be_focused()
    expect_done(page, 0)

    keys.type("Un grupo de trabajo para el desarrollo del liderazgo")
    keys.press("Control+Enter")
    expect(box(page, 2)).to_be_focused()
    expect_done(page, 1)
    expect(segment(page, 1)).to_have_attribute("data-state", "translated")
    expect(segment(page, 1).locator(".message")).to_have_text("Saved (version 1).")
    expect(segment(page, 1).locator(".author")).to_have_text("kai")

    keys.press("Control+Shift+C")  # copies the source, to edit it into a translation
    expect(box(page, 2)).to_have_value("Translate this post")
    keys.press("Control+A")
    keys.type("Traduce esta entrada")
    keys.press("Alt+ArrowDown")
    expect(box(page, 3)).to_be_focused()
    keys.press("Alt+ArrowUp")
    expect(box(page, 2)).to_be_focused()
    expect(box(page, 2)).to_have_value("Traduce esta entrada")  # moving keeps the text
    expect_done(page, 1)  # ... and saves nothing
    keys.press("Control+Enter")
    expect(box(page, 3)).to_be_focused()
    expect_done(page, 2)

    keys.press("Alt+ArrowDown")  # leave 3 open, translate 4
    expect(box(page, 4)).to_be_focused()
    keys.type("Los miembros del grupo de trabajo guían al equipo.")
    keys.press("Control+Enter")
    expect(box(page, 5)).to_be_focused()
    expect_done(page, 3)
    keys.press("Alt+ArrowUp")
    keys.press("Alt+ArrowUp")
    expect(box(page, 3)).to_be_focused()
    keys.press("Control+Shift+C")
    keys.press("Control+Enter")
    expect(box(page, 5)).to_be_focused()  # the next *open* segment: 4 is done
    expect_done(page, 4)
    for _ in range(5):
        keys.press("Alt+ArrowUp")
    expect(box(page, 1)).to_be_focused()  # the first segment stays the first

    saved = live.segments("es")
    assert [saved[n]["translation"] for n in range(1, 6)] == [
        "Un grupo de trabajo para el desarrollo del liderazgo",
        "Traduce esta entrada",
        saved[3]["source"],
        "Los miembros del grupo de trabajo guían al equipo.",
        "",
    ]
    assert {saved[n]["author"] for n in range(1, 5)} == {"kai"}
    assert [saved[n]["state"] for n in range(1, 6)] == ["translated"] * 4 + ["empty"]

    page.reload()
    wait_for_editor(page)
    expect(box(page, 5)).to_be_focused()  # the editor opens on the first open segment
    expect_done(page, 4)


def test_a_lost_footnote_marker_is_a_critical_check(page: Page, live: LiveServer) -> None:
    sign_up(page, "fede")
    open_editor(page)
    source = live.segments("es")[FOOTNOTED]["source"]
    assert "[1]" in source and "[2]" in source
    footnoted = segment(page, FOOTNOTED)
    box(page, FOOTNOTED).fill(source.replace(" [1]", ""))
    box(page, FOOTNOTED).press("Control+Enter")

    expect(footnoted.locator(".message")).to_have_text("Saved (version 1).")
    critical = footnoted.locator(".check.critical")
    expect(critical).to_have_text("Footnotes: Missing [1]")
    expect(footnoted).to_have_attribute("data-critical", "yes")
    state = page.locator("#language-state")
    expect(state).to_contain_text("Not finished yet: 1 segment fails a critical check")
    expect(state).to_contain_text("a language with a critical failure cannot be published")
    assert live.segments("es")[FOOTNOTED]["checks"][0]["severity"] == "critical"

    page.reload()  # the server renders the same check and reason
    wait_for_editor(page)
    expect(critical).to_have_text("Footnotes: Missing [1]")
    expect(state).to_contain_text("1 segment failing a critical check")

    box(page, FOOTNOTED).press("End")
    footnoted.get_by_role("button", name="Insert [1]").click()
    expect(box(page, FOOTNOTED)).to_be_focused()
    box(page, FOOTNOTED).press("Control+Enter")
    expect(footnoted.locator(".message")).to_have_text("Saved (version 2).")
    expect(footnoted.locator(".check.critical")).to_have_count(0)
    expect(footnoted).to_have_attribute("data-critical", "no")
    expect(state).to_have_text("State: in progress.")

    # The markers are distinct tokens in the source, and a key inserts them too.
    expect(footnoted.locator(".source-text mark.placeable")).to_have_text(["[1]", "[2]"])
    box(page, FOOTNOTED).press("Control+End")  # the end of the text, not of the line
    box(page, FOOTNOTED).press("Alt+Shift+Digit2")
    expect(box(page, FOOTNOTED)).to_have_value(re.compile(r"\[2\]$"))


@pytest.mark.parametrize("choice", ["Keep mine", "Take theirs"])
def test_a_conflict_loses_nothing(
    new_context: Callable[..., BrowserContext], live: LiveServer, choice: str
) -> None:
    mine, theirs = "Traduce esta entrada", "Traducir este artículo"
    ana = new_context().new_page()
    sign_up(ana, "ana")
    open_editor(ana)
    bo = new_context().new_page()  # another user, in another browser context
    sign_up(bo, "bo")
    open_editor(bo)

    box(ana, 2).fill(mine)
    box(bo, 2).fill(theirs)
    box(bo, 2).press("Control+Enter")
    expect(segment(bo, 2).locator(".message")).to_have_text("Saved (version 1).")

    box(ana, 2).press("Control+Enter")
    conflict = segment(ana, 2).locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("bo saved this segment while you were typing.")
    expect(conflict.locator(".theirs")).to_have_text(theirs)
    expect(conflict.locator(".yours")).to_have_text(mine)
    expect(segment(ana, 2).locator(".message")).to_have_text("Not saved: someone else saved first.")
    expect(box(ana, 2)).to_have_value(mine)
    expect(conflict.get_by_role("button", name="Keep mine")).to_be_focused()
    server = live.segments("es")[2]
    assert (server["translation"], server["author"]) == (theirs, "bo")
    assert [(s["text"], s["author"]) for s in server["suggestions"]] == [(mine, "ana")]

    conflict.get_by_role("button", name=choice).click()
    expect(conflict).to_be_hidden()
    server = live.segments("es")[2]
    if choice == "Keep mine":
        expect(segment(ana, 2).locator(".message")).to_have_text("Saved (version 2).")
        expect(box(ana, 2)).to_have_value(mine)
        assert (server["translation"], server["author"], server["version"]) == (mine, "ana", 2)
        assert server["suggestions"] == []  # the kept text is the translation now
        bo.reload()
        wait_for_editor(bo)
        expect(box(bo, 2)).to_have_value(mine)
    else:
        expect(segment(ana, 2).locator(".message")).to_have_text("You took their text.")
        expect(box(ana, 2)).to_have_value(theirs)
        assert (server["translation"], server["author"], server["version"]) == (theirs, "bo", 1)
        assert [s["text"] for s in server["suggestions"]] == [mine]
        ana.reload()  # no draft comes back, and the typed text is offered as a suggestion
        wait_for_editor(ana)
        expect(box(ana, 2)).to_have_value(theirs)
        expect(segment(ana, 2).locator(".message")).to_have_text("")
        suggestion = segment(ana, 2).locator(".suggestion")
        expect(suggestion).to_contain_text(f"Kept from a conflict by ana: {mine}")
        suggestion.get_by_role("button", name="Use this").click()
        expect(box(ana, 2)).to_have_value(mine)


def test_a_session_that_ends_mid_typing_keeps_the_draft(
    page: Page, context: BrowserContext, live: LiveServer
) -> None:
    sign_up(page, "sam")
    open_editor(page)
    expect(box(page, 1)).to_be_focused()
    page.keyboard.type("Un grupo de trabajo")
    context.clear_cookies()  # the session ends while the volunteer types on
    page.keyboard.type(" para el liderazgo")
    page.keyboard.press("Control+Enter")

    message = segment(page, 1).locator(".message")
    expect(message).to_contain_text("Your session has ended; your text is kept in this browser.")
    expect(box(page, 1)).to_be_focused()  # not moved on: nothing was saved
    assert live.segments("es")[1]["translation"] == ""
    message.get_by_role("link", name="Sign in again to save it").click()
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    sign_in(page, "sam")

    expect(page).to_have_url(re.compile(rf"/articles/{SEED_SLUG}/es$"))
    expect(box(page, 1)).to_have_value("Un grupo de trabajo para el liderazgo")
    expect(message).to_have_text("Saved (version 1).")
    server = live.segments("es")[1]
    assert (server["translation"], server["author"]) == (
        "Un grupo de trabajo para el liderazgo",
        "sam",
    )
    drafts = page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('chorus:draft:'))")
    assert drafts == []


def test_the_arabic_editor_runs_right_to_left(page: Page, live: LiveServer) -> None:
    sign_up(page, "layla")
    open_editor(page, "ar")
    boxes = page.locator("textarea")
    expect(boxes).to_have_count(SEGMENTS)
    directions = boxes.evaluate_all(
        "(all) => all.map((box) => [box.dir, box.lang, getComputedStyle(box).direction])"
    )
    assert directions == [["rtl", "ar", "rtl"]] * SEGMENTS
    source = page.locator("#src1")
    assert source.evaluate("(node) => getComputedStyle(node).direction") == "ltr"
    expect(page.locator("nav.crumbs span[lang=ar]")).to_have_attribute("dir", "rtl")
    # Arabic letters have glyphs (no tofu): with a font that lacks them every letter is the
    # same missing-glyph box, so five alefs would be as wide as five sheens.
    narrow, wide = box(page, 1).evaluate(
        """(box) => {
            const canvas = document.createElement("canvas").getContext("2d");
            canvas.font = getComputedStyle(box).font;
            return ["ااااا", "ششششش"].map((text) => canvas.measureText(text).width);
        }"""
    )
    assert wide > 2 * narrow > 0, (narrow, wide)

    text = "فريق عمل لتطوير القيادة"
    expect(box(page, 1)).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Control+Enter")
    expect(segment(page, 1).locator(".message")).to_have_text("Saved (version 1).")
    assert live.segments("ar")[1]["translation"] == text


def test_a_finished_translation_is_published_by_the_worker(
    page: Page, live: LiveServer, worker: Worker
) -> None:
    sign_up(page, "vera", "vera@example.org")
    open_editor(page)
    keys = page.keyboard
    expect(box(page, 1)).to_be_focused()
    keys.type("Un grupo de trabajo para el desarrollo del liderazgo")
    keys.press("Control+Enter")
    expect_done(page, 1)
    for number in range(2, SEGMENTS + 1):
        expect(box(page, number)).to_be_focused()
        keys.press("Control+Shift+C")
        keys.press("Control+Enter")
        expect_done(page, number)
    expect(page.locator(".check.critical")).to_have_count(0)
    state = page.locator("#language-state")
    expect(state).to_have_text("Finished: the translation is being published…")
    try:
        expect(state).to_have_text("Published: your translation is live.", timeout=PUBLISH_WAIT_MS)
    except AssertionError as error:
        raise AssertionError(f"{error}\nworker output:\n{worker.output()}") from None
    expect(state).to_have_attribute("data-state", "published")

    path = f"po/{SEED_SLUG}/es.po"
    author = git(live.content, "log", "-1", "--format=%an <%ae>|%s", "--", path).strip()
    assert author == f"vera <vera@example.org>|Publish es translation of {SEED_SLUG}"
    committed = git(live.content, "show", f"HEAD:{path}")
    assert 'msgstr "Un grupo de trabajo para el desarrollo del liderazgo"' in committed
    assert git(live.content, "status", "--porcelain", "--", "po").strip() == ""
    article = live.get(f"/api/v1/articles/{SEED_SLUG}")
    (spanish,) = [item for item in article["languages"] if item["language"] == "es"]
    assert (spanish["state"], spanish["done"], spanish["queued"]) == ("published", SEGMENTS, False)


def test_filters_and_search_keep_the_neighbours_in_view(page: Page) -> None:
    sign_up(page, "lena")
    open_editor(page)
    box(page, 1).fill("Un grupo de trabajo para el desarrollo del liderazgo")
    box(page, 1).press("Control+Enter")
    expect(box(page, 2)).to_be_focused()
    expect(segment(page, 1)).to_have_attribute("data-state", "translated")
    expect(segment(page, 1).locator(".context")).to_be_hidden()  # "All": no context needed

    page.get_by_label("Untranslated").check()
    expect(segment(page, 1)).to_be_hidden()
    expect(segment(page, 2)).to_be_visible()
    expect(page.locator("#shown")).to_have_text(f"{SEGMENTS - 1} of {SEGMENTS} segments shown")
    context = segment(page, 2).locator(".context")
    expect(context).to_be_visible()
    expect(context).to_contain_text(f"Before: {TITLE}")  # the hidden neighbour's source
    expect(context).to_contain_text("After: From the Movement Strategy conversations")

    page.get_by_label("All", exact=True).check()
    page.get_by_label("Search").fill("infrastructure")
    shown = page.locator(".segment:visible")
    expect(shown).to_have_count(1)
    expect(shown.first.locator(".source-text")).to_contain_text("need for infrastructure")
    page.get_by_label("Search").fill("grupo de trabajo")  # the translation is searched too
    expect(shown).to_have_count(1)
    expect(shown.first).to_have_id("s1")


def test_two_volunteers_see_each_other_in_a_segment(
    new_context: Callable[..., BrowserContext],
) -> None:
    amina, bo = new_context().new_page(), new_context().new_page()
    sign_up(amina, "amina")
    sign_up(bo, "bo")
    open_editor(amina)
    open_editor(bo)
    box(amina, 4).click()
    box(bo, 4).click()
    # Each sees the other within a heartbeat or two (every 5 s), and never themselves.
    expect(segment(bo, 4).locator(".presence")).to_have_text(
        "amina is editing this segment.", timeout=15_000
    )
    expect(segment(amina, 4).locator(".presence")).to_have_text(
        "bo is editing this segment.", timeout=15_000
    )
    box(amina, 6).click()  # moving on clears the mark on 4 for the others
    expect(segment(bo, 4).locator(".presence")).to_be_hidden(timeout=15_000)
    expect(segment(bo, 6).locator(".presence")).to_have_text(
        "amina is editing this segment.", timeout=15_000
    )
    box(bo, 4).fill("Nadie me bloquea")  # presence never blocks a save
    box(bo, 4).press("Control+Enter")
    expect(segment(bo, 4).locator(".message")).to_have_text("Saved (version 1).")


def test_a_question_on_a_segment_is_asked_and_counted(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context().new_page()
    sign_up(page, "quim")
    open_editor(page)
    seg = segment(page, 3)
    seg.get_by_role("button", name="Comments").click()
    expect(seg.locator(".comments")).to_contain_text("No comment yet.")
    ask = seg.get_by_label("Ask or answer (@name mentions someone)")
    ask.fill("<img src=x onerror=alert(1)> Is this «task force»?")
    seg.get_by_role("button", name="Post comment").click()
    expect(seg.locator(".thread li")).to_have_count(1)
    expect(seg.locator(".thread li")).to_contain_text("<img src=x onerror=alert(1)>")  # as text
    expect(seg.get_by_role("button", name="Comments (1 open)")).to_be_visible()
    page.goto(f"/articles/{SEED_SLUG}")
    expect(page.get_by_role("link", name="1 open question")).to_be_visible()
    page.get_by_role("link", name="1 open question").click()
    expect(page.locator("#shown")).to_have_text("1 of 22 segments shown")  # "Open questions"
    expect(page.get_by_label("Open questions")).to_be_checked()
    expect(page.locator(".segment:visible").first).to_have_id("s3")


def test_a_memory_suggestion_is_taken_with_the_keyboard(page: Page, live: LiveServer) -> None:
    from service.db import db as database
    from service.models import MemoryEntry

    source = live.segments("es")[2]["source"]
    with live.app.app_context():
        database.session.add(
            MemoryEntry(language="es", source=source, target="Traduce esta entrada", origin="x")
        )
        database.session.commit()
        database.session.remove()
    sign_up(page, "mika")
    open_editor(page)
    page.keyboard.press("Alt+ArrowDown")
    expect(box(page, 2)).to_be_focused()
    aids = segment(page, 2).locator(".aids")
    expect(aids).to_contain_text("100% exact match")
    page.keyboard.press("Control+Shift+ArrowDown")  # the best suggestion, into the box
    expect(box(page, 2)).to_have_value("Traduce esta entrada")
    assert live.segments("es")[2]["translation"] == ""
    page.keyboard.press("Control+Enter")
    expect(segment(page, 2).locator(".message")).to_have_text("Saved (version 1).")
    assert live.segments("es")[2]["translation"] == "Traduce esta entrada"


def test_a_glossary_term_is_highlighted_and_its_warning_shown(
    new_context: Callable[..., BrowserContext], live: LiveServer
) -> None:
    from service import accounts
    from service.db import db as database

    with live.app.app_context():
        accounts.add_user("rita", "reviewer", password=PASSWORD)
        database.session.remove()
    reviewer = new_context().new_page()
    reviewer.goto("/signin")
    sign_in(reviewer, "rita")
    open_editor(reviewer)
    reviewer.get_by_text("Glossary for Spanish (0 terms)").click()
    reviewer.get_by_label("Term (English)").fill("task force")
    reviewer.get_by_label("Agreed translation").fill("grupo de trabajo")
    reviewer.get_by_role("button", name="Add term").click()
    expect(reviewer.get_by_text("Glossary for Spanish (1 term)")).to_be_visible()

    page = new_context().new_page()
    sign_up(page, "teo")
    open_editor(page)
    [number] = [n for n, s in live.segments("es").items() if "task force" in s["source"]][:1]
    seg = segment(page, number)
    expect(seg.locator("mark.term").first).to_have_text(re.compile("task force", re.I))
    expect(seg.locator(".terms")).to_contain_text("grupo de trabajo")
    box(page, number).fill("Un equipo de liderazgo.")
    box(page, number).press("Control+Enter")
    warning = seg.locator(".check.warning", has_text="Glossary")
    expect(warning).to_contain_text('should be translated "grupo de trabajo"')
    expect(seg).to_have_attribute("data-critical", "no")  # a warning never blocks
