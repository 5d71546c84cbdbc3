"""The authors' preview in a real Chromium: it reloads by itself when a course file is saved,
the choices work as a plain GET form, and a map node opens that node in the player."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from elearn.authoring.preview import CoursePreview
from tests.browser.conftest import axe_violations
from tests.conftest import PLAY_COURSE, LiveServer, make_test_app


@pytest.fixture
def course(tmp_path: Path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(PLAY_COURSE, folder)
    return folder


@pytest.fixture
def preview_server(db: Engine, tmp_path: Path, course: Path) -> Iterator[LiveServer]:
    app = make_test_app(db, tmp_path)
    app.config["TESTING"] = False
    app.extensions["elearn"].services["preview"] = CoursePreview(course)
    with LiveServer(app) as server:
        yield server


def _page(browser: object, server: LiveServer, bypass_csp: bool = False) -> object:
    context = browser.new_context(base_url=server.url, bypass_csp=bypass_csp)  # type: ignore[attr-defined]
    return context.new_page()


def test_preview_reloads_itself_when_a_file_is_saved(
    browser: object, preview_server: LiveServer, course: Path
) -> None:
    # The page's own CSP in force: the reload script is a file of the preview, not inline.
    page = _page(browser, preview_server)
    page.goto("/preview/s/first?lang=en")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Listen").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/preview/s/first?c=listen")  # type: ignore[attr-defined]
    assert page.get_by_text("Good: she is heard.").is_visible()  # type: ignore[attr-defined]
    first = course / "first.yaml"
    first.write_text(first.read_text().replace('en: "You talk."', 'en: "You talk, quietly."'))
    # No click, no key: the page notices the save and shows the new text where the learner is.
    page.get_by_text("You talk, quietly.").wait_for(timeout=10_000)  # type: ignore[attr-defined]
    assert "c=listen" in page.url  # type: ignore[attr-defined]
    # A mistake saved: the problem replaces the player, in place, again without a click.
    first.write_text(first.read_text().replace("next: talk", "next: tlak", 1))
    page.locator("#problems").wait_for(timeout=10_000)  # type: ignore[attr-defined]
    text = page.locator("#problems").inner_text()  # type: ignore[attr-defined]
    assert "E031" in text and "first.yaml" in text and "there is no node 'tlak'" in text
    assert "existing nodes: talk" in text
    page.context.close()  # type: ignore[attr-defined]


def test_map_nodes_open_the_player_and_the_page_is_accessible(
    browser: object, preview_server: LiveServer
) -> None:
    page = _page(browser, preview_server, bypass_csp=True)  # axe-core is injected inline
    page.goto("/preview/s/first/map?lang=en")  # type: ignore[attr-defined]
    assert page.locator("#map svg g.node").count() == 5  # type: ignore[attr-defined]
    assert axe_violations(page) == []
    page.locator("#map svg g#node-mixed-end a").click()  # type: ignore[attr-defined]
    page.wait_for_url("**/preview/s/first?c=call-parents&c=consult#main")  # type: ignore[attr-defined]
    assert page.get_by_role("heading", name="Partly").is_visible()  # type: ignore[attr-defined]
    page.context.close()  # type: ignore[attr-defined]
