"""Reading pages: the article list, one article's languages, a translation preview."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from service import articles
from service.core import languages

blueprint = Blueprint("pages", __name__)


def _content() -> articles.Content:
    return articles.Content.from_config(current_app.config)


@blueprint.get("/")
def index() -> str:
    listing = articles.summaries(_content(), current_app.config["TARGET_LANGUAGES"])
    return render_template("index.html", articles=listing)


@blueprint.get("/articles/<slug>")
def article(slug: str) -> str:
    content = _content()
    summary = articles.summary(content, slug, current_app.config["TARGET_LANGUAGES"])
    priority = current_app.config["PRIORITY_LANGUAGES"]
    started = {item.code: item for item in summary.languages}
    suggested = [languages.get(code) for code in priority if code not in started]
    ordered = languages.priority_order(list(started), priority)
    source = articles.source_html(content, slug)
    return render_template(
        "article.html",
        article=summary,
        started=[started[code] for code in ordered],
        suggested=suggested,
        source=Markup(source),
    )


@blueprint.get("/articles/<slug>/<lang>/preview")
def preview(slug: str, lang: str) -> str:
    language = languages.get(lang)
    html = articles.render_article(_content(), slug, language.code, fmt="html", draft=True)
    return render_template("preview.html", slug=slug, language=language, translation=Markup(html))
