"""Fixtures of the web tests: ``site`` (the app with the seed article and a team, and its
clients; :class:`tests.web.test_api.Site`) and ``contract`` (the API as /openapi.json
describes it, checking real responses; :class:`tests.web.test_openapi.Contract`)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.test_api import Site
from tests.web.test_openapi import Contract


@pytest.fixture
def site(app: Flask) -> Site:
    return Site.seeded(app)


@pytest.fixture
def contract(app: Flask) -> Contract:
    return Contract(app, app.test_client().get("/openapi.json").get_json())
