"""The blog plugin in a real browser, on a plain static page that is not Chorus's.

A throwaway ``http.server`` on 127.0.0.1 serves one HTML page (the seed article rendered
as a static site generator would, and the plugin's one ``<script>`` tag pointing at the
live Chorus server); Chromium opens it as a French-speaking reader would, so the widget
speaks French (its texts are looked up in the shipped French catalog).
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.support import Translations
from playwright.sync_api import BrowserContext, expect

from service import db, queries, translating
from service.content import Content
from service.core import render, segment
from service.web.i18n import TRANSLATIONS
from tests.browser.conftest import LiveServer, sign_up, wait_for_editor
from tests.browser.test_accessibility import describe, serious, with_axe
from tests.conftest import ROOT, SEED_SLUG, drain

TITLE = "A Leadership Development Task Force"
REPORT = "Report a problem or suggest a better wording"
PREFIX = {"fr": "FR", "ar": "عربي"}
FRENCH = Translations.load(str(TRANSLATIONS), ["fr"])


def fr(msgid: str, **params: object) -> str:
    """What the French reader reads for ``msgid``."""
    said = FRENCH.gettext(msgid)
    assert said != msgid, f"not in the French catalog: {msgid}"
    return said % params if params else said


def blog_page(chorus: str) -> str:
    """A plain blog post: the seed article as HTML, and the plugin's tag above it."""
    source = (ROOT / "source" / f"{SEED_SLUG}.md").read_text(encoding="utf-8")
    article = render.render_html(segment.parse(source), {})
    return (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>A plain blog</title>\n<style>body { font: 17px/1.6 Georgia, serif; "
        "max-width: 42rem; margin: 2rem auto; color: #333 } p { margin: 0 0 1rem } "
        "button, nav, a { color: red; font-size: 30px }</style></head>\n<body>\n"
        "<header><p><a href='/'>A plain blog</a></p></header>\n"
        f'<script src="{chorus}/embed/{SEED_SLUG}.js" async></script>\n'
        f"<article>\n{article}</article>\n</body>\n</html>\n"
    )


@pytest.fixture
def blog(live: LiveServer, tmp_path: Path) -> Iterator[str]:
    """The plain page on a throwaway http.server of its own (another origin than Chorus)."""
    folder = tmp_path / "blog"
    folder.mkdir()
    (folder / "index.html").write_text(blog_page(live.url), encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="blog", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(timeout=30)
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def publish(live: LiveServer, *codes: str) -> None:
    """Every segment translated into each language, and published (as the worker would)."""
    with live.app.app_context():
        content = Content.from_config(live.app.config)
        volunteer = queries.find_user("lina") or _volunteer()
        for code in codes:
            for row in queries.segments(queries.article(SEED_SLUG)):
                text = f"{PREFIX[code]} {row.source}"
                translating.save(content, SEED_SLUG, code, row.number, text, 0, volunteer)
        drain(content)
        db.db.session.remove()


def _volunteer():
    from service import accounts

    return accounts.add_user("lina", "translator")


def test_a_plain_page_shows_swaps_and_sends_feedback_to_the_editor(
    new_context: Callable[..., BrowserContext], live: LiveServer, blog: str
) -> None:
    publish(live, "fr", "ar")
    reader = new_context(locale="fr-FR").new_page()
    reader.goto(blog)
    widget = reader.locator(f"[data-chorus-widget='{SEED_SLUG}']")
    switcher = widget.get_by_role("navigation", name=fr("Languages of this article"))
    expect(switcher).to_contain_text(fr("Read in:"))
    links = switcher.get_by_role("link")
    expect(links).to_have_text(["English", "العربية", "français"])
    assert [links.nth(i).get_attribute("hreflang") for i in range(3)] == ["en", "ar", "fr"]
    expect(links.nth(1)).to_have_attribute("dir", "rtl")
    # The host page's red, huge links and buttons do not reach into the widget.
    assert links.nth(2).evaluate("a => getComputedStyle(a).fontSize") != "30px"

    help = widget.get_by_role("link", name=fr("Help translate this article"))
    expect(help).to_have_attribute("href", f"{live.url}/articles/{SEED_SLUG}/translate?lang=fr-FR")
    progress = FRENCH.ngettext("%(done)s of %(num)s language", "%(done)s of %(num)s languages", 13)
    expect(widget).to_contain_text(progress % {"done": 2, "num": 13})
    expect(widget.locator("progress")).to_have_attribute("value", "2")

    article = reader.locator("article")
    first = article.locator("h1")
    expect(first).to_have_text(TITLE)
    links.nth(2).click()  # français, in place
    expect(first).to_have_text(f"FR {TITLE}")
    expect(article).to_have_attribute("lang", "fr")
    expect(article.locator("p").first).to_contain_text("FR Translate this post")
    expect(links.nth(2)).to_have_attribute("aria-current", "true")
    assert reader.url == blog  # swapped in place, not followed
    links.nth(1).click()  # العربية: right to left
    expect(first).to_have_text(f"عربي {TITLE}")
    expect(article).to_have_attribute("dir", "rtl")
    expect(article).to_have_attribute("lang", "ar")
    links.nth(0).click()  # back to the original, as it was
    expect(first).to_have_text(TITLE)
    expect(article).not_to_have_attribute("dir", "rtl")
    expect(article.get_by_role("button", name=fr(REPORT))).to_have_count(0)

    links.nth(2).click()
    paragraph = article.locator("p", has_text="FR From the Movement Strategy")
    paragraph.get_by_role("button", name=fr(REPORT)).click()
    typed = "«priorité» serait plus juste <b>ici</b>"
    paragraph.get_by_role("textbox").fill(typed)
    paragraph.get_by_role("button", name=fr("Send")).click()
    expect(paragraph.get_by_role("status")).to_have_text(
        fr("Thank you: the translators of this language will see it.")
    )

    volunteer = new_context().new_page()
    sign_up(volunteer, "vera")
    volunteer.goto(f"/articles/{SEED_SLUG}/fr")
    wait_for_editor(volunteer)
    number = next(
        n for n, s in live.segments("fr").items() if s["source"].startswith("From the Movement")
    )
    toggle = volunteer.locator(f"#s{number} .comments-toggle")
    expect(toggle).to_have_text("Comments (1 open)")
    toggle.click()
    thread = volunteer.locator(f"#s{number} .thread")
    expect(thread.locator("li")).to_have_count(1)
    expect(thread).to_contain_text("A reader,")
    expect(thread).to_contain_text(typed)  # as typed: text, never markup
    expect(thread.locator("b")).to_have_count(0)


def test_an_unknown_article_leaves_the_page_as_it_is(
    new_context: Callable[..., BrowserContext], live: LiveServer
) -> None:
    page = new_context().new_page()
    page.goto(f"{live.url}/embed/nope")
    expect(page.locator(".chorus")).to_have_count(0)
    script = page.request.get(f"{live.url}/embed/nope.js")
    assert script.ok and script.text().rstrip().endswith("(null);")


def test_the_widget_has_no_serious_accessibility_violation(
    new_context: Callable[..., BrowserContext], live: LiveServer, blog: str
) -> None:
    publish(live, "ar")
    page = with_axe(new_context)
    page.goto(blog)
    page.get_by_role("link", name="العربية").click()
    paragraph = page.locator("article p", has_text="عربي From the Movement Strategy")
    paragraph.get_by_role("button", name=REPORT).click()
    expect(paragraph.get_by_role("textbox")).to_be_focused()
    found = serious(page)
    assert found == [], describe(found)
