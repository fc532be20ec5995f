"""The publisher's files over HTTP: published translations byte for byte as committed,
their commit and ETag, 304 without git, CORS on reads, the draft for signed-in users, and
the offline round trip (download the stamped PO, upload it back)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from service import queries, reading, translating
from tests.conftest import SEED_SLUG, git
from tests.web.test_api import API, Site
from tests.web.test_openapi import Contract

FILES = API  # /api/v1/articles/<slug>: the files sit beside the language routes


def publish_french(site: Site) -> str:
    """Every segment translated into French and published; the commit."""

    def finish() -> None:
        ana = queries.user("ana")
        for row in queries.segments(queries.article(SEED_SLUG)):
            translating.save(site.content, SEED_SLUG, "fr", row.number, f"FR {row.source}", 0, ana)

    site.run(finish)
    site.drain()
    return git(site.content.root, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize(
    ("fmt", "media"),
    [("md", "text/markdown"), ("html", "text/html"), ("po", "text/x-gettext-translation")],
)
def test_a_published_translation_is_served_as_committed(site: Site, fmt: str, media: str) -> None:
    commit = publish_french(site)
    visitor = site.visitor()
    answer = visitor.get(f"{FILES}/fr.{fmt}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert (answer.mimetype, answer.mimetype_params.get("charset")) == (media, "utf-8")
    assert answer.headers["X-Chorus-Commit"] == commit
    assert answer.headers["ETag"] == f'"{commit}.{fmt}"'
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Chorus-Commit" in answer.headers["Access-Control-Expose-Headers"]
    body = answer.get_data()
    if fmt == "po":  # the committed bytes
        assert body == git_bytes(site.content.root, "show", f"{commit}:po/{SEED_SLUG}/fr.po")
    else:  # what `chorus render` prints
        rendered = site.run(lambda: reading.read(site.content, SEED_SLUG, "fr", fmt=fmt).text)
        assert body.decode() == rendered and "FR Can you help" in rendered


def git_bytes(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=True).stdout


def test_if_none_match_is_answered_without_reading_git(site: Site) -> None:
    commit = publish_french(site)
    visitor = site.visitor()
    etag = f'"{commit}.md"'
    root = site.content.root
    hidden = root.parent / "git-away"
    shutil.move(root / ".git", hidden)  # git cannot be read at all now
    try:
        cached = visitor.get(f"{FILES}/fr.md", headers={"If-None-Match": etag})
        assert (cached.status_code, cached.get_data()) == (304, b"")
        assert cached.headers["ETag"] == etag
        other = visitor.get(f"{FILES}/fr.po", headers={"If-None-Match": etag})
        assert other.status_code == 503  # a different file must be read: git is needed
    finally:
        shutil.move(hidden, root / ".git")
    assert visitor.get(f"{FILES}/fr.po").status_code == 200


def test_a_new_publication_changes_the_etag(site: Site) -> None:
    first = publish_french(site)
    visitor = site.visitor()

    def change() -> None:
        ana = queries.user("ana")
        segment = queries.segments(queries.article(SEED_SLUG))[2]
        current = queries.translation(segment, "fr")
        translating.save(
            site.content, SEED_SLUG, "fr", segment.number, "Autre", current.version, ana
        )

    site.run(change)
    site.drain()
    answer = visitor.get(f"{FILES}/fr.md", headers={"If-None-Match": f'"{first}.md"'})
    assert answer.status_code == 200 and "Autre" in answer.get_data(as_text=True)
    assert answer.headers["X-Chorus-Commit"] != first


def test_never_published_is_404_and_the_draft_needs_an_account(
    site: Site, contract: Contract
) -> None:
    visitor = site.visitor()
    missing = visitor.get(f"{FILES}/fr.md")
    assert contract.response("GET", f"{FILES}/fr.md", missing)["error"] == "not-found"
    assert visitor.get(f"{FILES}/fr.md?draft=1").status_code == 401
    unknown = visitor.get(f"{API[: API.rindex('/')]}/nope/fr.md")
    assert (unknown.status_code, unknown.get_json()["error"]) == (404, "not-found")
    bad = visitor.get(f"{FILES}/xx-!!.md")
    assert bad.status_code == 404 and bad.mimetype == "application/json"
    draft = visitor.get(f"{FILES}/fr.md?draft=1", headers=site.bearer("ana", "read"))
    assert draft.status_code == 200 and "X-Chorus-Commit" not in draft.headers
    assert draft.headers["Cache-Control"] == "private, no-cache"


def test_json_reads_carry_an_etag_and_answer_304(site: Site) -> None:
    visitor = site.visitor()
    first = visitor.get(f"{API}/es/segments")
    assert first.status_code == 200 and first.headers["ETag"]
    again = visitor.get(f"{API}/es/segments", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert "Accept-Language" in again.headers["Vary"]


def test_cors_lets_any_page_read_but_never_write(site: Site) -> None:
    visitor = site.visitor()
    preflight = visitor.options(
        f"{API}/es/segments",
        headers={"Origin": "https://blog.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    write = visitor.put(f"{API}/es/segments/1", json={"translation": "x", "version": 0})
    assert "Access-Control-Allow-Origin" not in write.headers
    assert "Access-Control-Allow-Credentials" not in preflight.headers


def test_the_offline_round_trip_over_http(site: Site, contract: Contract, tmp_path: Path) -> None:
    ana = site.bearer("ana")
    client = site.visitor()
    assert client.get(f"{FILES}/de.po?draft=1").status_code == 401
    download = client.get(f"{FILES}/de.po?draft=1", headers=ana)
    assert download.status_code == 200
    path = tmp_path / "de.po"
    path.write_bytes(download.get_data())
    catalog = polib.pofile(str(path))
    assert all(any(c.startswith("version: ") for c in e.comment.splitlines()) for e in catalog)
    catalog[1].msgstr = "Kannst du helfen, diesen Artikel zu übersetzen?"
    catalog.save(str(path))
    sent = client.post(
        f"{FILES}/de.po",
        data=path.read_bytes(),
        headers={**ana, "Content-Type": "text/x-gettext-translation"},
    )
    report = contract.response("POST", f"{FILES}/de.po", sent)
    assert report["counts"] == {"applied": 1, "empty": len(catalog) - 1}
    assert [e["segment"] for e in report["entries"] if e["outcome"] == "applied"] == [
        int(catalog[1].msgctxt)
    ]
    as_form = client.post(
        f"{FILES}/de.po",
        data={"file": (path.open("rb"), "mine.po")},
        headers=ana,
        content_type="multipart/form-data",
    )
    assert contract.response("POST", f"{FILES}/de.po", as_form)["counts"]["unchanged"] == 1
    broken = client.post(f"{FILES}/de.po", data=b'msgid "x', headers=ana)
    assert contract.response("POST", f"{FILES}/de.po", broken)["error"] == "bad-catalog"
    reader = client.post(
        f"{FILES}/de.po", data=path.read_bytes(), headers=site.bearer("ana", "read")
    )
    assert reader.status_code == 403
    assert client.post(f"{FILES}/de.po", data=path.read_bytes()).status_code == 401
