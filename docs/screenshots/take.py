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
FRENCH = [
    "Un groupe de travail pour le développement du leadership",
    "Traduisez cet article",
    "Les conversations sur la stratégie du mouvement ont fait du développement du leadership "
    "une priorité. La recommandation « Investir dans les compétences et le développement du "
    "leadership » indique que notre mouvement a besoin d’un effort coordonné à l’échelle "
    "mondiale et doté de moyens suffisants pour réussir dans le développement du leadership.",
    "Les membres du groupe de travail ont pour mission de guider le travail de l’équipe "
    "Développement communautaire et de soutenir des objectifs communautaires plus larges.",
]


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


def _blog_page(chorus: str) -> str:
    """A plain blog post (the seed rendered as a static site would) with the plugin's tag."""
    from service.core import render, segment

    source = (ROOT / "source" / f"{SLUG}.md").read_text(encoding="utf-8")
    article = render.render_html(segment.parse(source), {})
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>A plain blog</title>'
        "<style>body { font: 17px/1.6 Georgia, serif; max-width: 42rem; margin: 2rem auto; "
        "color: #333 } header { border-bottom: 1px solid #ccc; margin-bottom: 1rem }</style>"
        "</head><body><header><p><b>A plain blog</b></p></header>"
        f'<script src="{chorus}/embed/{SLUG}.js" async></script>'
        f"<article>{article}</article></body></html>"
    )


def embed_widget(browser, folder: Path) -> None:
    """The blog plugin on a plain page of another origin (``embed-widget.png``): French and
    Arabic published in a scratch copy of their own, the post swapped to French, the
    feedback form of one paragraph open."""
    import functools
    import http.server

    from service import accounts, create_app, db, importing, publishing, queries, translating
    from service.content import Content

    content = _content(folder)
    identity = ["-c", "user.name=Site Owner", "-c", "user.email=owner@example.org"]
    subprocess.run(["git", "-C", str(content), *identity, "commit", "-q", "-m", "Articles"])
    app = create_app(
        {
            "CONTENT_DIR": content,
            "SECRET_KEY": "screenshots",
            "DATABASE_URL": f"sqlite:///{folder / 'chorus.db'}",
            "QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        }
    )
    with app.app_context():
        db.upgrade()
        settings = Content.from_config(app.config)
        importing.import_article(settings, SLUG)
        volunteer = accounts.add_user("maria", "translator", password=PASSWORD)
        for code, texts in (("fr", FRENCH), ("ar", ARABIC)):
            for row in queries.segments(queries.article(SLUG)):
                text = texts[row.number - 1] if row.number <= len(texts) else row.source
                translating.save(settings, SLUG, code, row.number, text, 0, volunteer)
        publishing.publish(settings)
    chorus = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=chorus.serve_forever, daemon=True).start()
    site = folder / "blog"
    site.mkdir()
    (site / "index.html").write_text(
        _blog_page(f"http://127.0.0.1:{chorus.server_port}"), encoding="utf-8"
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(site))
    blog = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=blog.serve_forever, daemon=True).start()
    try:
        page = browser.new_page(viewport={"width": 900, "height": 760}, locale="fr-FR")
        page.goto(f"http://127.0.0.1:{blog.server_port}/")
        page.get_by_role("link", name="français").click()
        paragraph = page.locator("article p").nth(1)
        paragraph.get_by_role("button").click()
        paragraph.get_by_role("textbox").fill("« stratégie du mouvement » plutôt, je crois")
        page.screenshot(path=OUT / "embed-widget.png")
        page.close()
    finally:
        blog.shutdown()
        chorus.shutdown()


def dashboard(browser, folder: Path) -> None:
    """The coordinator's dashboard (``dashboard.png``) and a re-import preview
    (``dashboard-import.png``), in a scratch copy of their own: four volunteers who have
    worked for weeks at different paces (their history dated back), French published, a
    deadline six weeks away."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from service import (
        accounts,
        create_app,
        db,
        importing,
        policy,
        publishing,
        queries,
        translating,
    )
    from service.content import Content
    from service.models import Change, Segment, utcnow

    content = _content(folder)
    app = create_app(
        {
            "CONTENT_DIR": content,
            "SECRET_KEY": "screenshots",
            "DATABASE_URL": f"sqlite:///{folder / 'chorus.db'}",
            "QUEUE_URL": f"sqlite:///{folder / 'queue.db'}",
        }
    )
    with app.app_context():
        db.upgrade()
        settings = Content.from_config(app.config)
        importing.import_article(settings, SLUG)
        accounts.add_user("coco", "coordinator", password=PASSWORD)
        item = queries.article(SLUG)
        rows = queries.segments(item)
        # language: (volunteer, segments translated, over how many days up to today)
        work = {"fr": ("lea", 22, 30), "de": ("amina", 14, 12), "sw": ("kofi", 6, 20)}
        work["ja"] = ("yuki", 3, 40)
        for code, (name, count, days) in work.items():
            user = queries.find_user(name) or accounts.add_user(name, "translator")
            for index, row in enumerate(rows[:count]):
                translating.save(
                    settings, SLUG, code, row.number, f"[{code}] {row.source}", 0, user
                )
                when = utcnow() - timedelta(days=days - days * index // count)
                ids = select(Segment.id).where(
                    Segment.article_id == item.id, Segment.number == row.number
                )
                db.db.session.execute(
                    update(Change)
                    .where(Change.language == code, Change.segment_id.in_(ids))
                    .values(at=when)
                )
            db.db.session.commit()
        publishing.publish(settings)
        deadline = (utcnow().date() + timedelta(days=45)).isoformat()
        policy.apply(SLUG, policy.parse(deadline=deadline))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/signin")
        page.fill("#name", "coco")
        page.fill("#password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/dashboard")
        page.screenshot(path=OUT / "dashboard.png", full_page=True)
        source = content / "source" / f"{SLUG}.md"
        text = source.read_text(encoding="utf-8")
        source.write_text(
            text.replace("development was identified", "development was clearly identified", 1),
            encoding="utf-8",
        )
        page.goto(f"{base}/dashboard/import/{SLUG}")
        page.screenshot(path=OUT / "dashboard-import.png")
        page.close()
    finally:
        server.shutdown()


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
                embed = Path(scratch) / "embed"
                embed.mkdir()
                embed_widget(browser, embed)
                board = Path(scratch) / "dashboard"
                board.mkdir()
                dashboard(browser, board)
                browser.close()
        finally:
            server.shutdown()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
