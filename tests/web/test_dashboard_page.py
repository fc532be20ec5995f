"""The dashboard's page and forms, and the coverage figures on the API (stats.json, .csv)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import update

from service import queries, translating, webhooks
from service.db import db
from service.models import Publication, PublicationStatus
from tests.conftest import SEED_SLUG
from tests.web.test_api import FORM_TOKEN, Site, form_token
from tests.web.test_openapi import Contract
from tests.web.test_published import publish_french

BOARD = "/dashboard"
POLICY = f"/dashboard/articles/{SEED_SLUG}/policy"


def translate_spanish(site: Site, count: int) -> None:
    def save() -> None:
        ana = queries.user("ana")
        for row in queries.segments(queries.article(SEED_SLUG))[:count]:
            translating.save(site.content, SEED_SLUG, "es", row.number, f"ES {row.source}", 0, ana)

    site.run(save)


@pytest.mark.parametrize(
    ("who", "status"), [("ana", 403), ("rev", 403), ("coco", 200), ("adam", 200)]
)
def test_the_dashboard_is_for_coordinators_and_admins(site: Site, who: str, status: int) -> None:
    assert site.member(who).get(BOARD).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(site: Site) -> None:
    response = site.visitor().get(BOARD)
    assert response.status_code == 302 and "/signin" in response.location


def test_the_page_shows_verdict_matrix_forecast_contributors_and_chart(site: Site) -> None:
    publish_french(site)
    translate_spanish(site, 3)
    page = site.member("coco").get(BOARD).get_data(as_text=True)
    assert "1 of 13 target languages published" in page
    assert 'data-verdict="at risk"' in page
    # the matrix: priority languages first, each cell with its state and counts
    header = re.search(r'<table class="matrix".*?</thead>', page, re.S).group(0)
    codes = re.findall(r"<abbr [^>]*>([^<]+)</abbr>", header)
    assert codes[:3] == ["ar", "bn", "de"] and "fr" in codes and "es" in codes
    assert 'data-state="published"' in page and 'data-state="in progress"' in page
    assert "22/22 segments" in page and "3/22 segments" in page
    assert "ana" in page  # the contributor
    assert "words left at" in page  # how the Spanish forecast was computed
    assert "<polyline" in page and "Translated words over time" in page


def test_a_policy_is_saved_from_the_form(site: Site) -> None:
    coco = site.member("coco")
    token = form_token(coco, BOARD)
    data = {"csrf_token": token, "target": "3", "deadline": "2027-03-01", "priority": "es fr"}
    response = coco.post(POLICY, data=data)
    assert response.status_code == 303
    page = coco.get(BOARD).get_data(as_text=True)
    assert "The policy of A Leadership Development Task Force is saved." in page
    article = site.article()
    assert article["target"] == 3 and article["review"] is False
    assert 'value="2027-03-01"' in page and 'value="es fr"' in page


@pytest.mark.parametrize(
    ("field", "value"), [("target", "lots"), ("deadline", "soon"), ("priority", "xx-!!")]
)
def test_a_bad_policy_is_a_400_and_changes_nothing(site: Site, field: str, value: str) -> None:
    coco = site.member("coco")
    data = {"csrf_token": form_token(coco, BOARD), "target": "5", "deadline": "", "priority": ""}
    data[field] = value
    response = coco.post(POLICY, data=data)
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert site.article()["target"] == 13


def test_forms_need_the_csrf_token_and_a_coordinator(site: Site) -> None:
    coco = site.member("coco")
    assert coco.post(POLICY, data={"target": "2"}).status_code == 400
    ana = site.member("ana")
    token = form_token(ana, "/account")
    assert ana.post(POLICY, data={"csrf_token": token, "target": "2"}).status_code == 403
    assert site.article()["target"] == 13


def test_an_unknown_article_is_a_404(site: Site) -> None:
    coco = site.member("coco")
    token = form_token(coco, BOARD)
    assert (
        coco.post("/dashboard/articles/nope/policy", data={"csrf_token": token}).status_code == 404
    )
    assert coco.get("/dashboard/import/nope").status_code == 404
    assert coco.get("/dashboard/import/..%2Fetc").status_code == 404


def test_the_import_takes_an_article_name_never_a_path(site: Site) -> None:
    coco = site.member("coco")
    token = form_token(coco, BOARD)
    (site.content.root / "notes.md").write_text("# Private notes\n\nNot an article.\n")
    for path in ("notes.md", "README.md"):
        assert coco.get(f"/dashboard/import/{path}").status_code == 404
        assert coco.post(f"/dashboard/import/{path}", data={"csrf_token": token}).status_code == 404
    assert not (site.content.root / "source" / "notes.md").exists()
    articles = site.visitor().get("/api/v1/articles").get_json()["articles"]
    assert [a["article"] for a in articles] == [SEED_SLUG]


def test_a_reimport_from_the_dashboard_credits_nobody(site: Site) -> None:
    publish_french(site)
    old = site.segment(3, "fr")["source"]
    path = site.content.source(SEED_SLUG)
    path.write_text(path.read_text(encoding="utf-8").replace(old, old.replace("From", "After", 1)))
    coco = site.member("coco")
    token = form_token(coco, f"/dashboard/import/{SEED_SLUG}")
    coco.post(f"/dashboard/import/{SEED_SLUG}", data={"csrf_token": token})
    [article] = site.visitor().get("/api/v1/stats.json").get_json()["articles"]
    [fr] = article["languages"]
    assert fr["contributors"] == [{"name": "ana", "changes": 22}]


def test_reimport_shows_the_change_then_keeps_translations_current_when_asked(site: Site) -> None:
    publish_french(site)
    coco = site.member("coco")
    first = site.segment(3, "fr")
    path = site.content.source(SEED_SLUG)
    old = first["source"]
    path.write_text(path.read_text(encoding="utf-8").replace(old, old.replace("From", "Fro m", 1)))
    page = coco.get(f"/dashboard/import/{SEED_SLUG}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<ins>" in text and "<del>" in text  # the word diff
    assert "Published languages that will be outdated" in text and "French" in text
    assert site.segment(3, "fr")["state"] == "translated"  # the preview changed nothing
    token = FORM_TOKEN.search(text).group(1)
    done = coco.post(
        f"/dashboard/import/{SEED_SLUG}", data={"csrf_token": token, "retranslate": "no"}
    )
    assert done.status_code == 200
    assert "Changed, no re-translation needed: 1" in done.get_data(as_text=True)
    assert site.segment(3, "fr")["state"] == "translated"


def test_reimport_outdates_the_changed_translations_by_default(site: Site) -> None:
    publish_french(site)
    coco = site.member("coco")
    old = site.segment(3, "fr")["source"]
    path = site.content.source(SEED_SLUG)
    path.write_text(path.read_text(encoding="utf-8").replace(old, old.replace("From", "After", 1)))
    token = form_token(coco, f"/dashboard/import/{SEED_SLUG}")
    done = coco.post(
        f"/dashboard/import/{SEED_SLUG}", data={"csrf_token": token, "retranslate": "yes"}
    )
    assert "1 translation is now outdated" in done.get_data(as_text=True)
    assert site.segment(3, "fr")["state"] == "outdated"


def test_a_new_source_file_is_offered_for_import(site: Site) -> None:
    (site.content.root / "source" / "second-post.md").write_text("# Second post\n\nHello there.\n")
    coco = site.member("coco")
    page = coco.get(BOARD).get_data(as_text=True)
    assert "/dashboard/import/second-post" in page
    token = form_token(coco, "/dashboard/import/second-post")
    done = coco.post("/dashboard/import/second-post", data={"csrf_token": token})
    assert done.status_code == 200 and "Imported second-post" in done.get_data(as_text=True)
    assert "second-post" not in coco.get(BOARD).get_data(as_text=True).split('id="import"')[1]


def test_publish_now_says_when_nothing_is_due(site: Site) -> None:
    coco = site.member("coco")
    site.drain()
    token = form_token(coco, BOARD)
    response = coco.post(f"/dashboard/articles/{SEED_SLUG}/publish", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Nothing to publish" in coco.get(BOARD).get_data(as_text=True)


def test_stats_json_follows_the_contract_and_answers_304(site: Site, contract: Contract) -> None:
    publish_french(site)
    translate_spanish(site, 2)
    visitor = site.visitor()
    body = contract.response("GET", "/api/v1/stats.json", visitor.get("/api/v1/stats.json"))
    [article] = body["articles"]
    assert article["published"] == 1 and article["verdict"] == "at risk"
    es = next(item for item in article["languages"] if item["language"] == "es")
    assert es["remaining_segments"] == 20 and es["contributors"] == [{"name": "ana", "changes": 2}]
    first = visitor.get("/api/v1/stats.json")
    again = visitor.get("/api/v1/stats.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Access-Control-Allow-Origin"] == "*"


def test_stats_csv_has_a_row_per_started_language(site: Site) -> None:
    publish_french(site)
    translate_spanish(site, 2)
    response = site.visitor().get("/api/v1/stats.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["language"] for row in rows] == ["es", "fr"]
    assert rows[1]["state"] == "published" and rows[1]["remaining_words"] == "0"


def test_a_failed_publication_is_listed_with_a_retry_that_publishes_it(site: Site) -> None:
    site.drain()
    translate_spanish(site, 22)

    def fail() -> None:
        db.session.execute(
            update(Publication)
            .where(Publication.language == "es")
            .values(status=PublicationStatus.FAILED, error="git: the repository is locked")
        )
        db.session.commit()

    site.run(fail)
    coco = site.member("coco")
    page = coco.get(BOARD).get_data(as_text=True)
    problems = page.split('id="problems"')[1].split("</table>")[0]
    assert "Spanish" in problems and "git: the repository is locked" in problems
    token = form_token(coco, BOARD)
    coco.post(f"/dashboard/articles/{SEED_SLUG}/publish", data={"csrf_token": token})
    assert "Publication queued: es." in coco.get(BOARD).get_data(as_text=True)
    site.drain()
    assert 'id="problems"' not in coco.get(BOARD).get_data(as_text=True)
    assert site.article()["languages"][0]["state"] == "published"


def test_webhooks_are_added_refused_with_a_reason_and_removed_from_the_page(site: Site) -> None:
    coco = site.member("coco")
    token = form_token(coco, BOARD)
    data = {"csrf_token": token, "url": "http://169.254.169.254/latest", "secret": "s3cret"}
    refused = coco.post("/dashboard/webhooks", data={**data, "events": ["published"]})
    assert refused.status_code == 400
    assert "link-local" in refused.get_data(as_text=True)
    site.app.config["WEBHOOK_ALLOW_LOOPBACK"] = True
    added = coco.post(
        "/dashboard/webhooks",
        data={**data, "url": "http://127.0.0.1:9/hook", "events": ["published", "feedback"]},
    )
    assert added.status_code == 303
    page = coco.get(BOARD).get_data(as_text=True)
    assert "Webhook http://127.0.0.1:9/hook added." in page
    hooks = page.split('id="webhooks"')[1].split("</table>")[0]
    assert "<code>http://127.0.0.1:9/hook</code>" in hooks and "published and feedback" in hooks
    ident = re.search(r"/dashboard/webhooks/(\d+)/remove", page).group(1)
    ana = site.member("ana")
    theirs = {"csrf_token": form_token(ana, "/account")}
    assert ana.post(f"/dashboard/webhooks/{ident}/remove", data=theirs).status_code == 403
    coco.post(f"/dashboard/webhooks/{ident}/remove", data={"csrf_token": token})
    assert "http://127.0.0.1:9/hook</code>" not in coco.get(BOARD).get_data(as_text=True)


def test_a_failed_delivery_is_logged_and_retried_from_the_page(site: Site) -> None:
    site.app.config["WEBHOOK_ALLOW_LOOPBACK"] = True

    def failed_delivery() -> int:
        hook = webhooks.register("http://127.0.0.1:9/hook", "s3cret", ["published"], None)
        [row] = webhooks.notify("published", {"article": SEED_SLUG})
        db.session.commit()
        row.status, row.attempts, row.error = "failed", 7, "connection refused"
        db.session.commit()
        return hook.id, row.id

    _hook, ident = site.run(failed_delivery)
    coco = site.member("coco")
    page = coco.get(BOARD).get_data(as_text=True)
    log = page.split('id="deliveries"')[1].split("</table>")[0]
    assert "connection refused" in log and f"/dashboard/deliveries/{ident}/retry" in log
    token = form_token(coco, BOARD)
    done = coco.post(f"/dashboard/deliveries/{ident}/retry", data={"csrf_token": token})
    assert done.status_code == 303
    page = coco.get(BOARD).get_data(as_text=True)
    assert f"Delivery {ident} queued again." in page
    log = page.split('id="deliveries"')[1].split("</table>")[0]
    assert "pending" in log and "/retry" not in log
    again = coco.post(f"/dashboard/deliveries/{ident + 99}/retry", data={"csrf_token": token})
    assert again.status_code == 404
