"""Reading pages: the article list, one article's languages, a translation preview."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from service import coverage, publishing, queries
from service.content import Content
from service.core import languages, render, segment

blueprint = Blueprint("pages", __name__)


def _content() -> Content:
    return Content.from_config(current_app.config)


@blueprint.get("/")
def index() -> str:
    return render_template("index.html", articles=coverage.all_articles())


@blueprint.get("/articles/<slug>")
def article(slug: str) -> str:
    item = queries.article(slug)
    status = coverage.article_coverage(item)
    started = {language.code for language in status.languages}
    priority = item.priority_languages.split()
    suggested = [languages.get(code) for code in priority if code not in started]
    document = segment.parse(queries.revision(item).text, slug)
    return render_template(
        "article.html",
        article=status,
        suggested=suggested,
        source=Markup(render.render_html(document, {})),
    )


@blueprint.get("/articles/<slug>/<lang>/preview")
def preview(slug: str, lang: str) -> str:
    language = languages.get(lang)
    html, warnings = publishing.render_article(
        _content(), slug, language.code, fmt="html", draft=True
    )
    return render_template(
        "preview.html", slug=slug, language=language, translation=Markup(html), warnings=warnings
    )
