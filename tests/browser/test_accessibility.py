"""axe-core finds no serious or critical accessibility violation on the volunteer's pages.

axe-core is the npm package pinned in ``tests/browser/package.json`` (and its lock file),
installed by ``make`` into ``build/npm``. It is loaded as an init script of the browser
context, which runs before the page's own scripts and is not subject to the page's
Content-Security-Policy (``script-src 'self'`` refuses a script tag added to the page):
so the pages are checked under the policy they are served with, without ``bypass_csp``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import AXE, FOOTNOTED, box, open_editor, segment, sign_up
from tests.conftest import ROOT, SEED_SLUG

IMPACTS = ("serious", "critical")


def with_axe(new_context: Callable[..., BrowserContext]) -> Page:
    if not AXE.is_file():
        pytest.fail(
            f"{AXE} is missing: run `make {AXE.relative_to(ROOT)}` "
            "(npm ci of tests/browser/package.json into build/npm)",
            pytrace=False,
        )
    context = new_context()
    context.add_init_script(path=str(AXE))
    return context.new_page()


def serious(page: Page) -> list[dict[str, Any]]:
    """The violations of impact serious or critical axe finds on the page as it is now."""
    found = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert found["testEngine"]["version"] == "4.14.1"
    return [rule for rule in found["violations"] if rule["impact"] in IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for rule in violations:
        lines.append(f"{rule['id']} ({rule['impact']}): {rule['help']}")
        lines.extend(f"    {node['target']} {node['html'][:120]}" for node in rule["nodes"][:5])
    return "\n".join(lines)


PAGES = {
    "article list": ("/", None),
    "article": (f"/articles/{SEED_SLUG}", None),
    "article, signed in": (f"/articles/{SEED_SLUG}", "ana"),
    "sign up": ("/signup", None),
    "sign in": ("/signin", None),
    "account": ("/account", "ana"),
    "editor, signed out": (f"/articles/{SEED_SLUG}/es", None),
    "editor": (f"/articles/{SEED_SLUG}/es", "ana"),
    "Arabic editor": (f"/articles/{SEED_SLUG}/ar", "ana"),
    "preview": (f"/articles/{SEED_SLUG}/es/preview", None),
}


@pytest.mark.parametrize("name", PAGES)
def test_no_serious_violation(new_context: Callable[..., BrowserContext], name: str) -> None:
    path, user = PAGES[name]
    page = with_axe(new_context)
    if user:
        sign_up(page, user)
    page.goto(path)
    violations = serious(page)
    assert not violations, f"{name} ({path}):\n{describe(violations)}"


def test_no_serious_violation_in_the_editor_in_use(
    new_context: Callable[..., BrowserContext],
) -> None:
    """What the editor's script adds: check results, history, a conflict, messages."""
    page = with_axe(new_context)
    sign_up(page, "ana")
    other = new_context().new_page()
    sign_up(other, "bo")
    open_editor(other)
    open_editor(page)

    box(other, 2).fill("Traducir este artículo")
    box(other, 2).press("Control+Enter")
    expect(segment(other, 2).locator(".message")).to_have_text("Saved (version 1).")
    box(page, 2).fill("Traduce esta entrada")
    box(page, 2).press("Control+Enter")
    expect(segment(page, 2).locator(".conflict")).to_be_visible()

    box(page, FOOTNOTED).fill("Los buenos líderes [2].")
    box(page, FOOTNOTED).press("Control+Enter")
    expect(segment(page, FOOTNOTED).locator(".check.critical")).to_have_count(1)
    segment(page, FOOTNOTED).get_by_role("button", name="History").click()
    expect(segment(page, FOOTNOTED).locator(".history table")).to_be_visible()
    for text in ("Un grupo", "Un grupo de trabajo"):  # two versions: one to revert to
        box(page, 1).fill(text)
        box(page, 1).press("Control+Enter")
        expect(segment(page, 1).locator(".message")).to_contain_text("Saved")
    segment(page, 1).get_by_role("button", name="History").click()
    expect(segment(page, 1).locator(".history button.revert")).to_have_count(1)

    violations = serious(page)
    assert not violations, describe(violations)
