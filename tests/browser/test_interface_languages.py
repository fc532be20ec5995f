"""The interface in the volunteers' languages, in a real browser: the whole path in Spanish
for a browser asking for Spanish, and the Arabic interface laid out right to left (with
axe-core finding nothing serious there)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import AXE, PASSWORD, SEGMENTS, LiveServer, box, segment
from tests.browser.test_accessibility import describe, serious
from tests.conftest import SEED_SLUG

TITLE = "A Leadership Development Task Force"


def sign_up_in(page: Page, name: str, *, label: str, password: str, button: str) -> None:
    """Fill in the sign-up form the page shows, labelled in the interface language."""
    form = page.locator("main form")
    form.get_by_label(label, exact=True).fill(name)
    form.get_by_label(password, exact=True).fill(PASSWORD)
    form.get_by_role("button", name=button).click()
    expect(page.locator("header nav")).to_contain_text(name)


def test_a_browser_asking_for_spanish_gets_the_whole_interface_in_spanish(
    new_context: Callable[..., BrowserContext], live: LiveServer
) -> None:
    page = new_context(locale="es-ES").new_page()  # Accept-Language: es-ES
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Artículos")).to_be_visible()
    page.get_by_role("link", name=f"Ayuda a traducir {TITLE}").click()

    expect(page.get_by_role("heading", name="Registrarse")).to_be_visible()
    sign_up_in(page, "nuria", label="Nombre", password="Contraseña", button="Registrarse")
    expect(page).to_have_url(re.compile(rf"/articles/{SEED_SLUG}$"))
    expect(page.get_by_role("heading", name="Idiomas")).to_be_visible()
    expect(page.locator("table[aria-labelledby=languages] thead")).to_have_text(
        re.compile("Idioma.*Estado.*Hecho.*Progreso")
    )
    page.locator(f"a[href='/articles/{SEED_SLUG}/es']").click()

    shown = page.locator("#shown")
    expect(shown).to_have_text(f"{SEGMENTS} de {SEGMENTS} segmentos mostrados")
    expect(page.locator("#language-state")).to_have_text("Estado: sin empezar.")
    expect(box(page, 1)).to_be_focused()
    page.keyboard.type("Un grupo de trabajo para el desarrollo del liderazgo")
    page.keyboard.press("Control+Enter")
    expect(segment(page, 1).locator(".message")).to_have_text("Guardado (versión 1).")
    expect(segment(page, 1).locator(".state")).to_have_text("traducido")
    expect(page.locator("#progress-text")).to_have_text(
        re.compile(rf"^1 de {SEGMENTS} segmentos hechos \(4,5\s%\)$")
    )
    expect(page.locator("#language-state")).to_have_text("Estado: en curso.")
    assert live.segments("es")[1]["translation"].startswith("Un grupo")

    segment(page, 1).get_by_role("button", name="Historial").click()
    history = segment(page, 1).locator(".history table")
    expect(history.locator("th")).to_have_text(["Cuándo", "Quién", "Cómo", "Texto", ""])
    expect(history.locator("td").nth(1)).to_have_text("nuria")
    page.get_by_label("Sin traducir").check()
    expect(shown).to_have_text(f"{SEGMENTS - 1} de {SEGMENTS} segmentos mostrados")
    expect(segment(page, 2).locator(".context")).to_contain_text(f"Antes: {TITLE}")


def test_the_arabic_interface_runs_right_to_left(
    new_context: Callable[..., BrowserContext], live: LiveServer
) -> None:
    assert AXE.is_file(), f"{AXE} is missing: run make (npm ci of tests/browser/package.json)"
    context = new_context(locale="ar")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Mirrored: the site's name on the right, the account links on the left.
    home = page.locator("header .home").bounding_box()
    nav = page.get_by_role("navigation", name="الحساب").bounding_box()
    assert home and nav and nav["x"] + nav["width"] <= home["x"], (nav, home)
    violations = serious(page)
    assert not violations, describe(violations)

    page.goto("/signup")
    sign_up_in(page, "layla", label="الاسم", password="كلمة المرور", button="إنشاء حساب")
    page.goto(f"/articles/{SEED_SLUG}/ar")
    expect(page.locator("#shown")).to_have_text(f"المقاطع المعروضة: {SEGMENTS} من {SEGMENTS}")
    expect(box(page, 1)).to_be_focused()
    page.keyboard.type("فريق عمل لتطوير القيادة")
    page.keyboard.press("Control+Enter")
    expect(segment(page, 1).locator(".message")).to_have_text("تم الحفظ (الإصدار 1).")
    source = page.locator("#src1")
    assert source.evaluate("(node) => getComputedStyle(node).direction") == "ltr"  # English
    violations = serious(page)
    assert not violations, describe(violations)
