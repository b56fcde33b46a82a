"""Fixtures of the browser journeys: the live site, the browser, the price catalogue."""

from __future__ import annotations

import pytest

from tongqi.testing.catalogue import price_catalogue
from tongqi.testing.liveserver import Browser, artifacts_dir, live_server


@pytest.fixture
def site(transactional_db):
    """The site served from a thread of this process (its connections closed at the end)."""
    with live_server() as server:
        yield server


@pytest.fixture
def browser(site, request):
    """Chromium, started when the test opens its first visitor; screenshots under
    ``$TONGQI_ARTIFACTS_DIR/screenshots/<test name>/``."""
    journey = request.node.name.removeprefix("test_").replace("_", "-")
    b = Browser(site, artifacts_dir(request.config.rootpath) / "screenshots", journey)
    yield b
    b.close()


@pytest.fixture
def catalogue(people):
    return price_catalogue(people.marketing)
