"""Screenshots of the main pages (``make screenshots``): PNGs in this folder.

Serves a scratch copy of ``source/`` (its own git repository and SQLite database in a
temporary folder, never this repository's ``po/``) with a few translations made through
the use cases, and photographs each page in Debian's headless Chromium.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
SLUG = "leadership-development-task-force"
PASSWORD = "screenshots"
SPANISH = [
    "Un grupo de trabajo para el desarrollo del liderazgo",
    "Traduce esta entrada",
]
ARABIC = ["فريق عمل لتطوير القيادة", "ترجم هذه المقالة"]


def _content(folder: Path) -> Path:
    content = folder / "content"
    shutil.copytree(ROOT / "source", content / "source")
    for args in (["init", "-q"], ["add", "source"]):
        subprocess.run(["git", "-C", str(content), *args], check=True)
    return content


def _prepare(folder: Path):
    sys.path.insert(0, str(ROOT))
    from service import accounts, comments, create_app, db, glossary, importing, translating
    from service.content import Content
    from service.models import MemoryEntry

    app = create_app(
        {
            "CONTENT_DIR": _content(folder),
            "SECRET_KEY": "screenshots",
            "DATABASE_URL": f"sqlite:///{folder / 'chorus.db'}",
            "QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        }
    )
    with app.app_context():
        db.upgrade()
        content = Content.from_config(app.config)
        importing.import_article(content, SLUG)
        volunteer = accounts.add_user("maria", "translator", password=PASSWORD)
        accounts.set_languages(volunteer, "es ar")
        for number, text in enumerate(SPANISH, start=1):
            translating.save(content, SLUG, "es", number, text, 0, volunteer)
        for number, text in enumerate(ARABIC, start=1):
            translating.save(content, SLUG, "ar", number, text, 0, volunteer)
        reviewer = accounts.add_user("rita", "reviewer", password=PASSWORD)
        for term, translation, note in (
            ("task force", "grupo de trabajo", "not «fuerza de tarea»"),
            ("Community Development", "Desarrollo Comunitario", "the team's name"),
        ):
            glossary.add("es", term, translation, note, reviewer)
        db.db.session.add(
            MemoryEntry(
                language="es",
                source="The task force members’ purpose is to guide the Community "
                "Development team’s work and to support community goals.",
                target="El propósito de los miembros del grupo de trabajo es guiar el trabajo "
                "del equipo de Desarrollo Comunitario y apoyar los objetivos comunitarios.",
                origin="movement-memory.tmx",
            )
        )
        db.db.session.commit()
        comments.add(
            SLUG, "es", 4, "¿«broader community goals» = «objetivos comunitarios»? @rita", volunteer
        )
    return app


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        app = _prepare(Path(scratch))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--no-sandbox"]
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{base}/")
                page.screenshot(path=OUT / "index.png", full_page=True)
                page.goto(f"{base}/signup")
                page.screenshot(path=OUT / "signup.png")
                page.goto(f"{base}/signin")
                page.fill("#name", "maria")
                page.fill("#password", PASSWORD)
                page.click("input[type=submit]")
                page.wait_for_url(f"{base}/")
                page.goto(f"{base}/articles/{SLUG}")
                page.screenshot(path=OUT / "article.png")
                page.goto(f"{base}/articles/{SLUG}/es")
                marked = page.locator("#t11")  # its source has the markers [1] and [2]
                marked.fill("Los buenos líderes ayudan a crecer [1]; falta el segundo marcador.")
                marked.press("Control+Enter")
                page.locator("#s11 .check.critical").wait_for()
                page.locator("#s11").evaluate("node => node.scrollIntoView()")
                page.screenshot(path=OUT / "editor-check.png")
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=OUT / "editor.png")
                page.locator("#t4").focus()  # "The task force members' purpose is ..."
                page.locator("#s4 .aids").wait_for()
                page.locator("#s4 .comments-toggle").click()
                page.locator("#s4 .thread").wait_for()
                page.locator("#s4").evaluate("node => node.scrollIntoView()")
                page.screenshot(path=OUT / "editor-aids.png")
                page.goto(f"{base}/articles/{SLUG}/ar")
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=OUT / "editor-ar.png")
                page.goto(f"{base}/articles/{SLUG}/es/preview")
                page.screenshot(path=OUT / "preview.png")
                page.goto(f"{base}/account")
                page.screenshot(path=OUT / "account.png")
                arabic = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
                arabic.set_extra_http_headers({"Accept-Language": "ar"})
                arabic.goto(f"{base}/articles/{SLUG}")
                arabic.screenshot(path=OUT / "article-ar-interface.png")
                # rita, mentioned by maria, reads Chorus in Spanish: her questions, the checks.
                spanish = browser.new_page(viewport={"width": 1280, "height": 900}, locale="es")
                spanish.set_extra_http_headers({"Accept-Language": "es"})
                spanish.goto(f"{base}/signin")
                spanish.fill("#name", "rita")
                spanish.fill("#password", PASSWORD)
                spanish.click("input[type=submit]")
                spanish.wait_for_url(f"{base}/")
                spanish.screenshot(path=OUT / "index-mentions-es.png")
                spanish.goto(f"{base}/articles/{SLUG}/es#s11")
                spanish.locator("#s11 .check.critical").wait_for()
                spanish.locator("#s11").evaluate("node => node.scrollIntoView()")
                spanish.screenshot(path=OUT / "editor-check-es.png")
                browser.close()
        finally:
            server.shutdown()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
