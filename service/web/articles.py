"""The pages: the article list, one article's languages, the editor, a translation preview.

Every page is public (reading is open, as on Weblate and Pontoon); saving happens
through the API, which asks for an account. The editor page is rendered whole on the
server (it reads without JavaScript) and ``static/editor.js`` makes each segment save
on its own.
"""

from __future__ import annotations

import re

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from service import editing, reading
from service.content import Content
from service.core import checks, languages
from service.models import Role
from service.web import access, i18n

blueprint = Blueprint("pages", __name__)
# The interface's languages, bound with the pages (i18n.init_app is idempotent, so
# ``service.web.register`` may call it too).
blueprint.record_once(lambda state: i18n.init_app(state.app))
_PLACEABLE = re.compile(r"\{\d+\}|\[\d+\]")


@blueprint.app_template_filter("placeables")
def placeables(text: str) -> Markup:
    """The text escaped, with its placeholders and markers shown as distinct tokens."""
    escaped = str(escape(text))  # escaping leaves {1} and [1] as they are
    return Markup(_PLACEABLE.sub(r'<mark class="placeable">\g<0></mark>', escaped))


@blueprint.app_template_filter("marked")
def marked(text: str, terms=()) -> Markup:
    """The source escaped, with placeholders as tokens and glossary terms highlighted."""
    parts, at = [], 0
    for found in terms:
        parts.append(placeables(text[at : found.start]))
        parts.append(
            Markup('<mark class="term">{}</mark>').format(placeables(text[found.start : found.end]))
        )
        at = found.end
    parts.append(placeables(text[at:]))
    return Markup("").join(parts)


def _content() -> Content:
    return Content.from_config(current_app.config)


def _mine() -> list[str]:
    return current_user.working_languages if current_user.is_authenticated else []


@blueprint.get("/")
@access.public
def index() -> str:
    found = reading.home(current_user if current_user.is_authenticated else None)
    return render_template("index.html", articles=found.articles, mentions=found.mentions)


@blueprint.get("/articles/<slug>")
@access.public
def article(slug: str) -> str:
    found = reading.overview(_content(), slug, _mine())
    return render_template(
        "article.html",
        article=found.coverage,
        listed=found.listed,
        mine=found.mine,
        questions=found.questions,
        source=Markup(found.source_html),
    )


@blueprint.get("/articles/<slug>/translate")
@access.public
def start(slug: str):
    """The "start a language" form: any valid code opens its editor."""
    code = languages.get(request.args.get("lang", "").strip()).code
    return redirect(url_for("pages.editor", slug=slug, lang=code))


@blueprint.get("/articles/<slug>/<lang>")
@access.public
def editor(slug: str, lang: str) -> str:
    found = editing.listing(slug, lang)
    return render_template(
        "editor.html",
        listing=found,
        markers=checks.markers,
        can_review=current_user.is_authenticated
        and Role(current_user.role).at_least(Role.REVIEWER),
    )


@blueprint.get("/articles/<slug>/<lang>/preview")
@access.public
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
