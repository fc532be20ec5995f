"""The publisher's side over HTTP: the blog plugin's script, its iframe, hreflang tags, the
badge, the Atom feed, the published translation segment by segment, and reader feedback
(rate limited, length limited, a comment for the volunteers, never published)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import lxml.html
import pytest
from flask.testing import FlaskClient

from service import create_app, db, embedding, queries, translating
from service.core import languages
from tests.conftest import SEED_SLUG
from tests.web.test_access import inline_code
from tests.web.test_api import API, Site
from tests.web.test_openapi import Contract

SCRIPT = f"/embed/{SEED_SLUG}.js"
FRAME = f"/embed/{SEED_SLUG}"
ALTERNATES = f"/embed/{SEED_SLUG}/alternates.html"
BADGE = f"/badge/{SEED_SLUG}.svg"
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "A Leadership Development Task Force"
_addresses = iter(range(1, 250))


def publish(site: Site, code: str, prefix: str, odd: str = "") -> None:
    """Every segment of the seed translated into ``code`` and published (``odd``: the
    second segment's translation instead)."""

    def finish() -> None:
        ana = queries.user("ana")
        for row in queries.segments(queries.article(SEED_SLUG)):
            text = odd if odd and row.number == 2 else f"{prefix} {row.source}"
            translating.save(site.content, SEED_SLUG, code, row.number, text, 0, ana)

    site.run(finish)
    site.drain()


def reader(site: Site) -> FlaskClient:
    """A visitor from an address of its own (the feedback limit counts per address)."""
    client = site.app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.0.{next(_addresses)}"
    return client


def data_of(script: str) -> Any:
    """The article's data the server put into the plugin."""
    start = script.rindex("})(") + 3
    return json.loads(script[start : script.rindex(");")])


def test_the_script_carries_the_published_languages_and_is_small(site: Site) -> None:
    visitor = site.visitor()
    before = visitor.get(SCRIPT)
    assert before.status_code == 200 and data_of(before.get_data(as_text=True))["languages"] == []
    publish(site, "fr", "FR")
    answer = visitor.get(SCRIPT)
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert len(answer.get_data()) < 15 * 1024
    script = answer.get_data(as_text=True)
    assert "eval(" not in script and "new Function" not in script
    data = data_of(script)
    assert [(item["code"], item["name"]) for item in data["languages"]] == [("fr", "français")]
    assert (data["published"], data["target"]) == (1, 13)
    assert data["api"] == f"http://localhost{API}"
    assert data["translate"] == f"http://localhost/articles/{SEED_SLUG}/translate"
    assert data["messages"]["progress"] == "1 of 13 languages"
    assert "Accept-Language" in answer.headers["Vary"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Cache-Control"] == "no-cache"
    etag = answer.headers["ETag"]
    assert etag != before.headers["ETag"]  # the publication changed what is served
    assert visitor.get(SCRIPT, headers={"If-None-Match": etag}).status_code == 304
    spanish = visitor.get(SCRIPT, headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert data_of(spanish.get_data(as_text=True))["ui"] == {"code": "es", "dir": "ltr"}
    arabic = visitor.get(SCRIPT, headers={"Accept-Language": "ar"})
    assert data_of(arabic.get_data(as_text=True))["ui"] == {"code": "ar", "dir": "rtl"}


def test_the_script_stays_small_with_every_priority_language(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = site.app.config["PRIORITY_LANGUAGES"]
    many = embedding.Widget(
        SEED_SLUG,
        TITLE,
        len(codes),
        len(codes),
        tuple(embedding.PublishedLanguage(languages.get(c), "0" * 40, True) for c in codes),
    )
    monkeypatch.setattr(embedding, "widget", lambda slug: many)
    answer = site.visitor().get(SCRIPT, headers={"Accept-Language": "ar"})
    assert len(data_of(answer.get_data(as_text=True))["languages"]) == 13
    assert len(answer.get_data()) < 15 * 1024


@pytest.mark.parametrize("slug", ["nope", "no%20such!"])
def test_an_unknown_article_gets_an_empty_widget(site: Site, slug: str) -> None:
    visitor = site.visitor()
    script = visitor.get(f"/embed/{slug}.js")
    assert script.status_code == 200 and data_of(script.get_data(as_text=True)) is None
    frame = visitor.get(f"/embed/{slug}")
    assert frame.status_code == 200 and frame.mimetype == "text/html"
    assert lxml.html.fromstring(frame.get_data(as_text=True)).xpath("//*[@class='chorus']") == []
    tags = visitor.get(f"/embed/{slug}/alternates.html")
    assert (tags.status_code, tags.get_data()) == (200, b"")


def test_the_iframe_version_may_be_framed_anywhere_and_runs_no_script(site: Site) -> None:
    publish(site, "ar", "AR")
    visitor = site.visitor()
    answer = visitor.get(FRAME, headers={"Accept-Language": "fr-CA"})
    assert answer.status_code == 200
    assert "frame-ancestors *" in answer.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in visitor.get("/").headers["Content-Security-Policy"]
    assert "Accept-Language" in answer.headers["Vary"]
    html = answer.get_data(as_text=True)
    assert inline_code(html, FRAME) == []
    page = lxml.html.fromstring(html)
    assert page.xpath("//script") == []
    [link] = page.xpath("//nav//a")
    assert (link.get("hreflang"), link.get("lang"), link.get("dir")) == ("ar", "ar", "rtl")
    assert link.get("target") == "_top" and link.text_content() == "العربية"
    assert link.get("href") == f"http://localhost{API}/ar.html"
    [cta] = page.xpath("//a[@class='cta']")
    assert cta.get("href") == f"http://localhost/articles/{SEED_SLUG}/translate?lang=fr-CA"
    assert page.xpath("//progress/@value") == ["1"]
    again = {"Accept-Language": "fr-CA", "If-None-Match": answer.headers["ETag"]}
    assert visitor.get(FRAME, headers=again).status_code == 304
    blog = visitor.get(f"{FRAME}?href=https://blog.example/{{lang}}/post/")
    assert lxml.html.fromstring(blog.get_data(as_text=True)).xpath("//nav//a/@href") == [
        "https://blog.example/ar/post/"
    ]
    bad = visitor.get(f"{FRAME}?href=javascript:alert(1)//{{lang}}")
    assert "javascript:" not in bad.get_data(as_text=True)


def test_the_hreflang_tags_list_the_published_languages(site: Site) -> None:
    visitor = site.visitor()
    assert visitor.get(ALTERNATES).get_data() == b""
    publish(site, "fr", "FR")
    plain = visitor.get(ALTERNATES)
    assert plain.mimetype == "text/html" and plain.headers["Access-Control-Allow-Origin"] == "*"
    assert plain.get_data(as_text=True) == (
        f'<link rel="alternate" hreflang="fr" href="http://localhost{API}/fr.html">\n'
    )
    query = 'source=https://blog.example/post?a="b"&href=https://blog.example/{lang}/post'
    tags = lxml.html.fromstring(
        f"<html><head>{visitor.get(f'{ALTERNATES}?{query}').get_data(as_text=True)}</head></html>"
    )
    assert [(t.get("hreflang"), t.get("href")) for t in tags.xpath("//link")] == [
        ("en", 'https://blog.example/post?a="b"'),
        ("x-default", 'https://blog.example/post?a="b"'),
        ("fr", "https://blog.example/fr/post"),
    ]
    again = visitor.get(ALTERNATES, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304


def badge_text(answer) -> list[str]:
    svg = ET.fromstring(answer.get_data())
    return [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_the_badge_counts_published_languages_toward_the_target(site: Site) -> None:
    visitor = site.visitor()
    empty = visitor.get(BADGE)
    assert empty.status_code == 200 and empty.mimetype == "image/svg+xml"
    assert empty.headers["Cache-Control"] == "no-cache"
    assert badge_text(empty)[-1] == "0/13" and 'fill="#e05d44"' in empty.get_data(as_text=True)
    assert visitor.get(BADGE, headers={"If-None-Match": empty.headers["ETag"]}).status_code == 304
    publish(site, "fr", "FR")
    one = visitor.get(BADGE, headers={"If-None-Match": empty.headers["ETag"]})
    assert one.status_code == 200 and badge_text(one) == ["translated"] * 2 + ["1/13"] * 2
    assert 'aria-label="translated: 1/13"' in one.get_data(as_text=True)


@pytest.mark.parametrize("slug", ["nope", "bad!slug", "%3Cscript%3E"])
def test_an_unknown_article_gets_a_neutral_badge(site: Site, slug: str) -> None:
    answer = site.visitor().get(f"/badge/{slug}.svg")
    assert answer.status_code == 200 and answer.mimetype == "image/svg+xml"
    assert badge_text(answer)[-1] == "unknown article"
    assert 'fill="#9f9f9f"' in answer.get_data(as_text=True)


def entries(answer) -> list[ET.Element]:
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = ET.fromstring(answer.get_data())
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    return feed.findall(f"{ATOM}entry")


def test_the_feed_lists_publications_newest_first_and_per_language(site: Site) -> None:
    visitor = site.visitor()
    assert entries(visitor.get("/feed.atom")) == []
    publish(site, "fr", "FR")
    publish(site, "de", "DE")
    found = entries(visitor.get("/feed.atom"))
    titles = [entry.findtext(f"{ATOM}title") for entry in found]
    assert titles == [f"{TITLE} in German", f"{TITLE} in French"]
    german = found[0]
    link = german.find(f"{ATOM}link")
    assert link.get("href") == f"http://localhost{API}/de.html" and link.get("hreflang") == "de"
    assert german.findtext(f"{ATOM}id").startswith("tag:localhost,")
    assert german.findtext(f"{ATOM}updated").endswith("Z")
    assert german.findtext(f"{ATOM}author/{ATOM}name") == "ana"  # never the e-mail address
    assert "@" not in visitor.get("/feed.atom").get_data(as_text=True)
    french = entries(visitor.get("/feed/fr.atom"))
    assert [entry.findtext(f"{ATOM}title") for entry in french] == [f"{TITLE} in French"]
    assert entries(visitor.get("/feed/es.atom")) == []
    assert visitor.get("/feed/xx-!!.atom").status_code == 404
    cached = visitor.get("/feed.atom")
    assert (
        visitor.get("/feed.atom", headers={"If-None-Match": cached.headers["ETag"]}).status_code
        == 304
    )


def test_the_published_translation_segment_by_segment(site: Site, contract: Contract) -> None:
    publish(site, "fr", "FR", odd="FR 5 < 6 & co")
    visitor = site.visitor()
    answer = visitor.get(f"{API}/fr/published")
    found = contract.response("GET", f"{API}/fr/published", answer)
    assert found["language"] == "fr" and found["direction"] == "ltr"
    rows = {row["id"]: row for row in found["segments"]}
    assert rows[1] == {"id": 1, "kind": "title", "text": TITLE, "html": f"FR {TITLE}"}
    assert rows[2]["html"] == "FR 5 &lt; 6 &amp; co"  # escaped by Chorus's renderer
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    etag = answer.headers["ETag"]
    assert etag == f'"{found["commit"]}.segments"'
    assert visitor.get(f"{API}/fr/published", headers={"If-None-Match": etag}).status_code == 304
    for path in (
        f"{API}/es/published",
        f"{API}/xx-!!/published",
        "/api/v1/articles/no/fr/published",
    ):
        missing = visitor.get(path)
        assert missing.status_code == 404 and missing.mimetype == "application/json", path
        assert missing.get_json()["error"] in ("not-found", "unknown-language")


def feedback(client: FlaskClient, text: Any, lang: str = "fr", number: int = 3, **options):
    path = f"{API}/{lang}/segments/{number}/feedback"
    return client.post(path, json={"text": text}, **options)


def test_feedback_becomes_a_comment_for_the_volunteers(site: Site, contract: Contract) -> None:
    publish(site, "fr", "FR")
    client = reader(site)
    typed = "  <script>alert(1)</script> « mieux » @ana\r\n  "
    sent = feedback(client, typed)
    made = contract.response("POST", f"{API}/fr/segments/3/feedback", sent)
    assert sent.status_code == 201 and sent.headers["Access-Control-Allow-Origin"] == "*"
    assert made["from_reader"] is True and made["author"] is None and made["mentions"] == []
    assert made["text"] == "<script>alert(1)</script> « mieux » @ana"
    thread = site.visitor().get(f"{API}/fr/segments/3/comments").get_json()["comments"]
    assert [(c["text"], c["from_reader"]) for c in thread] == [(made["text"], True)]
    assert made["text"] not in site.member("ana").get("/").get_data(as_text=True)  # no mention
    editor = site.visitor().get(f"/articles/{SEED_SLUG}/fr").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in editor
    assert "Comments (1 open)" in editor
    # Nothing is published: the published text stays as it was.
    assert "FR The task force" in site.visitor().get(f"{API}/fr.md").get_data(as_text=True)
    bo = site.bearer("bo")  # any volunteer may resolve a reader's feedback
    done = site.visitor().post(f"{API}/fr/segments/3/comments/{made['id']}/resolve", headers=bo)
    assert done.status_code == 200 and done.get_json()["resolved"] is True


def test_feedback_needs_no_account_nor_csrf_token_and_stays_anonymous(site: Site) -> None:
    publish(site, "fr", "FR")
    member = site.member("ana")
    member.environ_base["REMOTE_ADDR"] = "10.1.0.1"
    sent = feedback(member, "Signed in, but sent as a reader")  # no X-CSRFToken
    assert sent.status_code == 201 and sent.get_json()["author"] is None


@pytest.mark.parametrize(
    ("text", "lang", "number", "status"),
    [
        ("   ", "fr", 3, 400),
        ("x" * 2001, "fr", 3, 400),
        ("é" * 2000, "fr", 3, 201),
        (3, "fr", 3, 400),
        ("ok", "fr", 999, 404),
        ("ok", "es", 3, 404),  # started nowhere, published nowhere
        ("ok", "xx-!!", 3, 404),
    ],
)
def test_bad_feedback_is_refused(
    site: Site, contract: Contract, text: Any, lang: str, number: int, status: int
) -> None:
    publish(site, "fr", "FR")
    sent = feedback(reader(site), text, lang, number)
    body = contract.response("POST", f"{API}/{lang}/segments/{number}/feedback", sent)
    assert sent.status_code == status, body
    if status != 201:
        assert site.visitor().get(f"{API}/fr/segments/3/comments").get_json()["comments"] == []


def test_feedback_on_an_unknown_article_is_404_json(site: Site) -> None:
    sent = reader(site).post("/api/v1/articles/nope/fr/segments/1/feedback", json={"text": "x"})
    assert (sent.status_code, sent.get_json()["error"]) == (404, "not-found")


def test_feedback_is_rate_limited_per_address(site: Site, contract: Contract) -> None:
    publish(site, "fr", "FR")
    client = reader(site)
    codes = [feedback(client, f"note {n}").status_code for n in range(5)]
    limited = feedback(client, "one too many")
    assert codes == [201] * 5
    body = contract.response("POST", f"{API}/fr/segments/3/feedback", limited)
    assert limited.status_code == 429 and body["error"] == "too-many-requests"
    assert limited.headers["Access-Control-Allow-Origin"] == "*"  # the widget can read why
    assert feedback(reader(site), "another address").status_code == 201


def test_the_feedback_preflight_lets_any_page_post_json_without_credentials(site: Site) -> None:
    preflight = site.visitor().options(
        f"{API}/fr/segments/3/feedback",
        headers={
            "Origin": "https://blog.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    save = site.visitor().options(
        f"{API}/fr/segments/3",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "PUT"},
    )
    assert "PUT" not in save.headers.get("Access-Control-Allow-Methods", "")


def test_the_limit_counts_an_ipv6_network_as_one_address(site: Site) -> None:
    publish(site, "fr", "FR")
    codes = []
    for host in range(6):  # six addresses of one /64: one subscriber rotating through them
        client = site.app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{host + 1:x}"
        codes.append(feedback(client, f"note {host}").status_code)
    assert codes == [201] * 5 + [429]
    elsewhere = site.app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"  # another /64
    assert feedback(elsewhere, "another network").status_code == 201


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    content, database_url, tmp_path, proxies: int
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": content,
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}",
            "PROXIES": proxies,
        }
    )
    with app.app_context():
        db.upgrade()
    try:
        site = Site.seeded(app)
        publish(site, "fr", "FR")
        proxy = site.app.test_client()
        proxy.environ_base["REMOTE_ADDR"] = "192.0.2.1"  # every request comes through it
        forwarded = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(6)]
        codes = [feedback(proxy, "note", headers=h).status_code for h in forwarded]
    finally:
        with app.app_context():
            db.db.engine.dispose()  # as the app fixture does: no connection left open
    # Trusted, the proxy's X-Forwarded-For names six readers; untrusted, a client could
    # forge it, so the connection's own address is the one counted.
    assert codes == ([201] * 6 if proxies else [201] * 5 + [429])
