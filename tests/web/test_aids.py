"""Suggestions for a segment through the API: memory matches and a machine translation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.db import db
from service.models import MemoryEntry
from tests.web.test_api import API, Site, put
from tests.web.test_openapi import Contract

APERTIUM = (
    shutil.which("apertium") is not None and Path("/usr/share/apertium/modes/eng-spa.mode").exists()
)


def test_memory_brings_back_exact_and_near_matches(site: Site, contract: Contract) -> None:
    source = site.segment(2)["source"]  # "Translate this post"

    def remember() -> None:
        db.session.add(MemoryEntry(language="es", source=source, target="Traduce esta entrada"))
        db.session.add(
            MemoryEntry(language="es", source="Translate this page", target="Traduce esta página")
        )
        db.session.add(MemoryEntry(language="fr", source=source, target="Traduisez ce billet"))
        db.session.commit()

    site.run(remember)
    visitor = site.visitor()
    path = f"{API}/es/segments/2/suggestions"
    response = visitor.get(path)
    found = contract.response("GET", path, response)
    assert response.status_code == 200
    best, near = found["memory"][0], found["memory"][1]
    assert (best["score"], best["exact"], best["translation"]) == (
        100,
        True,
        "Traduce esta entrada",
    )
    assert near["translation"] == "Traduce esta página" and 50 <= near["score"] < 100
    assert not near["exact"]
    assert all(m["translation"] != "Traduisez ce billet" for m in found["memory"])  # French
    # The segment's own translation is no suggestion for itself.
    assert put(visitor, 2, "Traduce este artículo", 0, site.bearer("ana")).status_code == 200
    again = visitor.get(path).get_json()["memory"]
    assert "Traduce este artículo" not in [m["translation"] for m in again]


@pytest.mark.skipif(not APERTIUM, reason="apertium and apertium-eng-spa are not installed")
def test_a_machine_translation_is_offered_where_the_pair_is_installed(
    site: Site, contract: Contract
) -> None:
    site.app.config["MT_TIMEOUT"] = 60  # the very first run of Apertium loads its data
    visitor = site.visitor()
    path = f"{API}/es/segments/2/suggestions"
    spanish = contract.response("GET", path, visitor.get(path))["machine"]
    assert spanish["engine"] == "apertium"
    assert spanish["translation"] and spanish["translation"] != site.segment(2)["source"]
    marked = site.number_with("[1]")
    path = f"{API}/es/segments/{marked}/suggestions"
    kept = contract.response("GET", path, visitor.get(path))["machine"]
    assert kept is not None and "[1]" in kept["translation"] and "[2]" in kept["translation"]
    nothing = f"{API}/de/segments/2/suggestions"  # no English-German pair installed
    assert contract.response("GET", nothing, visitor.get(nothing))["machine"] is None
    assert site.listing()["segments"][1]["translation"] == ""  # nothing was saved


def test_no_engine_no_machine_suggestion(site: Site, contract: Contract) -> None:
    from service import MACHINE
    from service.core import mt

    site.app.extensions[MACHINE] = mt.backend("off")
    path = f"{API}/es/segments/2/suggestions"
    assert contract.response("GET", path, site.visitor().get(path))["machine"] is None
    assert site.visitor().get(f"{API}/es/segments/999/suggestions").status_code == 404
