"""Reading pages: the article list, one article's languages, a translation preview."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from service import coverage, reading
from service.content import Content
from service.core import languages

blueprint = Blueprint("pages", __name__)


def _content() -> Content:
    return Content.from_config(current_app.config)


@blueprint.get("/")
def index() -> str:
    return render_template("index.html", articles=coverage.all_articles())


@blueprint.get("/articles/<slug>")
def article(slug: str) -> str:
    found = reading.overview(_content(), slug)
    return render_template(
        "article.html",
        article=found.coverage,
        suggested=found.wanted,
        source=Markup(found.source_html),
    )


@blueprint.get("/articles/<slug>/<lang>/preview")
def preview(slug: str, lang: str) -> str:
    language = languages.get(lang)
    result = reading.read(_content(), slug, language.code, fmt="html", draft=True)
    return render_template(
        "preview.html",
        slug=slug,
        language=language,
        translation=Markup(result.text),
        warnings=result.warnings,
    )
