"""Real browser fixtures: the app on a real HTTP server on loopback, Debian's Chromium driven
by Playwright (executable_path), and axe-core from npm for accessibility checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import Engine

from tests.conftest import PLAY_COURSE, ROOT, LiveServer, import_course, make_test_app

CHROMIUM = os.environ.get("ELEARN_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_app(db: Engine, tmp_path: Path) -> Flask:
    app = make_test_app(db, tmp_path)
    app.config["TESTING"] = False  # real error pages, as a learner sees them
    import_course(app, PLAY_COURSE)
    import_course(app, ROOT / "courses" / "sample-course")
    return app


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def page(browser: object, live_server: LiveServer) -> Iterator[object]:
    # bypass_csp: axe-core is injected as a script, which our own CSP rightly forbids.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()


def axe_violations(page: object) -> list[dict]:
    """WCAG 2.1 A and AA violations that axe-core finds on the page as it is now."""
    page.add_script_tag(path=str(AXE))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        """async () => {
            const r = await axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
              resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return result
