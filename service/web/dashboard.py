"""The coordinator's dashboard (``/dashboard``) and the coverage figures on the API.

1. ``GET /dashboard`` (coordinators and admins): every article's verdict on its target,
   the coverage matrix, per language the remaining work, contributors, last activity
   and forecast, a server-rendered SVG chart of words over time, and the management
   forms. The page reads without JavaScript.
2. Management, each a form posted with the session's CSRF token, each one use case:
   ``GET /dashboard/import/<slug>`` shows what re-importing ``source/<slug>.md`` would
   change (nothing is changed); ``POST`` the same imports it, with or without "no
   re-translation needed", and shows the report; ``POST /dashboard/articles/<slug>/policy``
   sets target, priority languages, deadline and review; ``POST .../publish`` asks the
   worker to publish now (and to retry failed publications and pushes);
   ``POST /dashboard/webhooks`` registers a receiver, ``.../webhooks/<id>/remove`` removes
   it, ``/dashboard/deliveries/<id>/retry`` queues a failed delivery again
   (:mod:`service.webhooks`). A bad value is the error page (400) and changes nothing.
3. ``GET /api/v1/stats.json`` and ``/api/v1/stats.csv`` (public, as the coverage on the
   home page is): the same figures as the page, from :mod:`service.dashboard`.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from service import dashboard, policy, webhooks
from service.content import Content
from service.core import forecast, stats
from service.models import Role
from service.web import access
from service.web.api import _articles
from service.web.api import blueprint as api
from service.web.schemas import StatsOut

blueprint = Blueprint("dashboard", __name__)
_COORDINATOR = access.at_least(Role.COORDINATOR)


def _content() -> Content:
    return Content.from_config(current_app.config)


@blueprint.get("/dashboard")
@_COORDINATOR
def index() -> str:
    return render_template(
        "dashboard.html",
        board=dashboard.overview(_content()),
        NOT_STARTED=stats.NOT_STARTED,
        AT_RISK=forecast.AT_RISK,
    )


@blueprint.get("/dashboard/import/<slug>")
@_COORDINATOR
def import_preview(slug: str) -> str:
    return render_template(
        "dashboard_import.html", preview=dashboard.import_preview(_content(), slug)
    )


@blueprint.post("/dashboard/import/<slug>")
@_COORDINATOR
def import_article(slug: str) -> str:
    retranslate = request.form.get("retranslate", "yes") != "no"
    report = dashboard.import_source(_content(), slug, retranslate=retranslate)
    return render_template("dashboard_import.html", report=report)


@blueprint.post("/dashboard/articles/<slug>/policy")
@_COORDINATOR
def set_policy(slug: str):
    form = request.form
    changed = policy.parse(
        target=form.get("target"),
        deadline=form.get("deadline"),
        review="on" if form.get("review") else "off",
        priority=form.get("priority"),
    )
    item = policy.apply(slug, changed)
    flash(_("The policy of %(title)s is saved.", title=item.title))
    return redirect(url_for("dashboard.index", _anchor=f"article-{slug}"), code=303)


@blueprint.post("/dashboard/articles/<slug>/publish")
@_COORDINATOR
def publish(slug: str):
    due = dashboard.publish_now(slug)
    if due:
        flash(_("Publication queued: %(what)s.", what=", ".join(due)))
    else:
        flash(_("Nothing to publish: no language is finished and unpublished."))
    return redirect(url_for("dashboard.index", _anchor=f"article-{slug}"), code=303)


@blueprint.post("/dashboard/webhooks")
@_COORDINATOR
def add_webhook():
    form = request.form
    hook = webhooks.register(
        form.get("url", ""),
        form.get("secret", ""),
        form.getlist("events"),
        current_user._get_current_object(),
    )
    flash(_("Webhook %(url)s added.", url=hook.url))
    return redirect(url_for("dashboard.index", _anchor="webhooks"), code=303)


@blueprint.post("/dashboard/webhooks/<int:ident>/remove")
@_COORDINATOR
def remove_webhook(ident: int):
    webhooks.remove(ident)
    flash(_("Webhook removed, with its deliveries."))
    return redirect(url_for("dashboard.index", _anchor="webhooks"), code=303)


@blueprint.post("/dashboard/deliveries/<int:ident>/retry")
@_COORDINATOR
def retry_delivery(ident: int):
    webhooks.retry(ident)
    flash(_("Delivery %(id)s queued again.", id=ident))
    return redirect(url_for("dashboard.index", _anchor="deliveries"), code=303)


@api.get("/stats.json", tags=_articles, responses={"200": StatsOut})
@access.public
def stats_json():
    """The coverage matrix with each article's verdict and each language's forecast."""
    return StatsOut(articles=dashboard.stats_json()).model_dump(mode="json")


_CSV = {
    "description": "one row per article and started language, the same fields as stats.json",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@api.get("/stats.csv", tags=_articles, responses={"200": _CSV})
@access.public
def stats_csv():
    """The same figures as CSV, for a spreadsheet."""
    return Response(
        dashboard.stats_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="chorus-stats.csv"'},
    )
