"""The course author's tools (elearn/authoring): the scenario map as SVG, the path explorer, and
the preview, which plays a course folder from disk and stores nothing."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from elearn.authoring.paths import explore_paths, minutes
from elearn.authoring.preview import CoursePreview
from elearn.authoring.scenario_map import scenario_map, to_svg
from elearn.cli import elearn_cli
from elearn.content import graph, load_course
from elearn.core import walk
from elearn.db import Base
from elearn.i18n import force_locale
from tests.conftest import FIXTURES, PLAY_COURSE, ROOT, make_test_app, register

DRAFT = FIXTURES / "authoring" / "draft-course"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"


# -- the map ----------------------------------------------------------------------------------


def _svg_of(course: Path, scenario_id: str, app: Flask) -> etree._Element:
    loaded = load_course(course)
    draft = next(d for d in loaded.drafts if d.compiled["id"] == scenario_id)
    with app.app_context(), force_locale("en"):
        found = scenario_map(draft.compiled, draft.explored, "en")
        svg = to_svg(found, lambda nid: f"/preview/s/{scenario_id}/n/{nid}")
    return etree.fromstring(svg.encode())


def _nodes_and_edges(
    root: etree._Element,
) -> tuple[dict[str, etree._Element], set[tuple[str, str]]]:
    nodes = {g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    edges = set()
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "edge":
            a, b = g.findtext(f"{SVG}title").split("->")
            edges.add((a, b))
    return nodes, edges


def _node_text(g: etree._Element) -> str:
    return " ".join(t.text or "" for t in g.iter(f"{SVG}text"))


def test_the_map_draws_every_node_and_choice_with_links_to_the_preview(app: Flask) -> None:
    root = _svg_of(PLAY_COURSE, "first", app)
    nodes, edges = _nodes_and_edges(root)
    assert set(nodes) == {"intro", "talk", "good-end", "mixed-end", "poor-end"}
    # consult has two routes (trust >= 2 or not): two arrows; wait and wait-anyway both end poorly.
    assert edges == {
        ("intro", "talk"),
        ("talk", "good-end"),
        ("talk", "mixed-end"),
        ("talk", "poor-end"),
    }
    edge_labels = {
        g.get("id"): " ".join(t.text for t in g.iter(f"{SVG}text"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "edge"
    }
    assert "listen (+2)" in edge_labels["edge-intro-listen-0"]
    assert "call-parents (-1)" in edge_labels["edge-intro-call-parents-1"]
    assert "goes here if trust >= 2" in edge_labels["edge-talk-consult-0"]
    assert "offered if not told_parents" in edge_labels["edge-talk-wait-2"]
    # Endings say their outcome in words, not by colour alone.
    assert "Ending: poor" in _node_text(nodes["poor-end"])
    assert "START" in _node_text(nodes["intro"])
    # Each node links to itself in the preview.
    links = {
        a.get(f"{XLINK}href")
        for g in nodes.values()
        for a in g.iter(f"{SVG}a")
        if a.get(f"{XLINK}href")
    }
    assert "/preview/s/first/n/talk" in links and len(links) == 5


def test_the_map_marks_unreachable_nodes_and_dead_ends(app: Flask) -> None:
    root = _svg_of(DRAFT, "map", app)
    nodes, edges = _nodes_and_edges(root)
    assert set(nodes) == {"desk", "talk", "loop-a", "loop-b", "orphan", "good", "mixed"}
    # In the author's language too: the marks are interface text.
    with app.app_context(), force_locale("nn"):
        loaded = load_course(DRAFT)
        nn = to_svg(scenario_map(loaded.drafts[0].compiled, loaded.drafts[0].explored, "nb"), str)
    assert "KAN IKKJE NÅAST" in nn and "BLINDVEG" in nn
    assert edges == {
        ("desk", "talk"),
        ("desk", "loop-a"),
        ("talk", "good"),
        ("talk", "mixed"),
        ("loop-a", "loop-b"),
        ("loop-b", "loop-a"),
        ("orphan", "good"),
    }
    marked = {nid: _node_text(g) for nid, g in nodes.items()}
    assert "UNREACHABLE" in marked["orphan"]
    assert [n for n, t in marked.items() if "UNREACHABLE" in t] == ["orphan"]
    assert {n for n, t in marked.items() if "DEAD END" in t} == {"loop-a", "loop-b"}


def test_graph_command_writes_an_svg_and_a_text_alternative_per_scenario(
    app: Flask, tmp_path: Path
) -> None:
    out = tmp_path / "maps"
    result = app.test_cli_runner().invoke(
        elearn_cli, ["graph", str(ROOT / "courses" / "sample-course"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "sommerfesten.html",
        "sommerfesten.svg",
        "tolken.html",
        "tolken.svg",
    ]
    html = (out / "tolken.html").read_text()
    # The text alternative: a table of every node and its choices, and the path figures.
    assert '<table class="node-table"' in html and 'id="path-count"' in html
    svg = etree.fromstring((out / "tolken.svg").read_bytes())
    titles = {g.findtext(f"{SVG}title") for g in svg.iter(f"{SVG}g") if g.get("class") == "node"}
    rows = set(re.findall(r'<tr id="n-([a-z0-9-]+)">', html))
    assert titles == rows and len(titles) == 8


def test_graph_command_draws_a_draft_and_names_its_problems(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(elearn_cli, ["graph", str(DRAFT), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "unreachable: orphan, dead ends: loop-a, loop-b" in result.output
    assert "E032" in result.output and "E033" in result.output
    assert (tmp_path / "map.svg").is_file()


# -- the path explorer ------------------------------------------------------------------------


def test_the_path_explorer_on_the_play_course_matches_a_count_by_hand() -> None:
    """tests/fixtures/play-course/first.yaml by hand: listen (+2, trust 2) or call-parents (-1,
    told_parents); then consult (+2: good-end with trust 2, else mixed-end), wait (-1, only if
    the parents were not told) or wait-anyway (0, only if they were), both to poor-end."""
    scenario = load_course(PLAY_COURSE).compiled["scenarios"][0]
    p = explore_paths(scenario, "nb")
    assert (p.paths, p.exact) == (4, True)
    assert (p.best.choices, p.best.points, p.best.ending) == (("listen", "consult"), 4, "good-end")
    assert (p.worst.choices, p.worst.points, p.worst.ending) == (
        ("call-parents", "wait-anyway"),
        -1,
        "poor-end",
    )
    assert p.endings == [
        ("good-end", "good", 1),
        ("mixed-end", "mixed", 1),
        ("poor-end", "poor", 2),
    ]
    assert [(v.name, v.low, v.high) for v in p.variables] == [
        ("trust", 0, 2),
        ("told_parents", False, True),
    ]
    assert p.longest is not None and len(p.longest.choices) == p.longest_steps == 2
    # The best path's reading (180 words a minute) and deciding (20 s a decision), in bokmål:
    # intro 7 words + reflection 3 + the two choices 3 + feedback 1; talk 2 + the two offered
    # choices 3 + feedback 1; the ending's text 3 + title 1 = 24 words = 8 s, + 2 × 20 s.
    assert p.best.minutes == pytest.approx(48 / 60)
    # The longest in minutes, found over the state graph, is the longest of the four paths.
    every = [minutes(scenario, w, "nb") for w in walk.walk_paths(scenario)[0]]
    assert len(every) == 4 and p.longest.minutes == pytest.approx(max(every))


def test_paths_command_prints_the_figures(app: Flask) -> None:
    result = app.test_cli_runner().invoke(elearn_cli, ["paths", str(PLAY_COURSE)])
    assert result.exit_code == 0, result.output
    assert "scenario 'first': 4 path(s)" in result.output
    assert "best:    4 point(s), ends at 'good-end' (good)" in result.output
    assert "poor-end (poor): 2 path(s), 50%" in result.output
    assert "trust (int): 0 .. 2" in result.output


def test_paths_command_refuses_a_course_with_errors(app: Flask) -> None:
    result = app.test_cli_runner().invoke(elearn_cli, ["paths", str(DRAFT)])
    assert result.exit_code == 1
    assert "E033" in result.output and "once the course has no errors" in result.output


# -- the preview ------------------------------------------------------------------------------


def _preview(app: Flask, course_dir: Path) -> FlaskClient:
    app.extensions["elearn"].services["preview"] = CoursePreview(course_dir)
    return app.test_client()


def _rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


def test_preview_is_not_served_by_an_ordinary_app(client: FlaskClient) -> None:
    for url in ("/preview/", "/preview/s/first", "/preview/fingerprint", "/preview/reload.js"):
        assert client.get(url).status_code == 404


def test_preview_answers_this_machine_only(app: Flask) -> None:
    client = _preview(app, PLAY_COURSE)
    assert client.get("/preview/").status_code == 200
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/preview/", environ_base=elsewhere).status_code == 404
    assert client.get("/preview/fingerprint", environ_base=elsewhere).status_code == 404


def test_playing_in_preview_writes_nothing_to_any_table(app: Flask, db: Engine) -> None:
    client = _preview(app, PLAY_COURSE)
    register(client)  # even a signed-in learner's preview stores nothing
    before = _rows(db)
    assert before["elearn_statements"] == 0 and before["elearn_users"] == 1
    page = client.get("/preview/s/first").get_data(as_text=True)
    assert "A pupil asks to talk." in page and 'method="get"' in page  # the learner's language
    page = client.get("/preview/s/first?c=listen").get_data(as_text=True)
    assert "Good: she is heard." in page  # the feedback of the choice, as the player shows it
    response = client.get("/preview/s/first?c=listen&c=consult")
    assert "Help in time" in response.get_data(as_text=True)  # the ending's title
    assert client.get("/preview/s/second?c=interpreter").status_code == 200
    assert client.get("/preview/s/first/map").status_code == 200
    assert client.get("/preview/s/first/n/poor-end").status_code == 302
    assert client.get("/preview/assets/images/door.svg").status_code == 200
    assert _rows(db) == before


def test_a_map_node_opens_the_shortest_way_there(app: Flask) -> None:
    client = _preview(app, PLAY_COURSE)
    response = client.get("/preview/s/first/n/mixed-end")
    assert response.status_code == 302
    assert response.headers["Location"] == "/preview/s/first?c=call-parents&c=consult#main"
    assert client.get("/preview/s/first/n/nowhere").status_code == 404


def test_preview_shows_validation_problems_in_place(app: Flask, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(PLAY_COURSE, course)
    first = course / "first.yaml"
    first.write_text(first.read_text().replace("next: poor-end", "next: pore-end", 1))
    line = first.read_text().splitlines().index("        next: pore-end") + 1
    (course / "second.yaml").write_text("id: second\ntitle: [unclosed\n")
    client = _preview(app, course)
    for url in ("/preview/", "/preview/s/first"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Traceback" not in html
        assert 'id="problems"' in html
        # The missing node: file, line and column, code, message and the hint naming the nodes.
        assert f"first.yaml:{line}:15" in html
        assert "E031" in html and "there is no node &#39;pore-end&#39;" in html
        assert "existing nodes: poor-end" in html
        # The syntax error of the other file is listed too.
        assert "second.yaml" in html and "E001" in html


def test_preview_sees_a_saved_change_on_the_next_request(app: Flask, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(PLAY_COURSE, course)
    client = _preview(app, course)
    shown = client.get("/preview/fingerprint").get_data(as_text=True)
    page = client.get("/preview/s/first").get_data(as_text=True)
    assert f'data-fingerprint="{shown}"' in page
    first = course / "first.yaml"
    first.write_text(first.read_text().replace("En elev ber om å få snakke.", "Endret tekst."))
    assert client.get("/preview/fingerprint").get_data(as_text=True) != shown
    assert "Endret tekst." in client.get("/preview/s/first").get_data(as_text=True)
    # A page whose choices no longer fit says so instead of failing.
    first.write_text(first.read_text().replace("id: listen", "id: hear"))
    response = client.get("/preview/s/first?c=listen&lang=en")
    assert response.status_code == 409
    assert "no longer fit" in response.get_data(as_text=True)


def test_preview_command_refuses_a_folder_without_a_course(db: Engine, tmp_path: Path) -> None:
    app = make_test_app(db, tmp_path)
    result = app.test_cli_runner().invoke(elearn_cli, ["preview", str(tmp_path)])
    assert result.exit_code != 0
    assert "no course.yaml here" in result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_preview_command_serves_the_folder_on_loopback(tmp_path: Path) -> None:
    """The real command in its own process: it says where it listens, serves the course from
    disk there, and sees a saved file without being asked for a page first."""
    course = tmp_path / "course"
    shutil.copytree(PLAY_COURSE, course)
    port = _free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "ELEARN_DATABASE_URL": f"sqlite:///{tmp_path / 'preview.sqlite3'}",
        "SECRET_KEY": "test",
    }
    flask = Path(sys.executable).parent / "flask"
    command = [str(flask), "elearn", "preview", str(course), "--port", str(port)]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        first_line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}/preview/" in first_line
        base = f"http://127.0.0.1:{port}/preview"
        html = ""
        for _ in range(100):  # the server starts after the line is printed
            try:
                html = urllib.request.urlopen(f"{base}/s/first", timeout=5).read().decode()
                break
            except OSError:
                proc.poll()
                assert proc.returncode is None, proc.stdout.read()
                threading.Event().wait(0.1)
        assert "En elev ber om å få snakke." in html
        shown = urllib.request.urlopen(f"{base}/fingerprint", timeout=5).read().decode()
        first = course / "first.yaml"
        first.write_text(first.read_text().replace("En elev ber om å få snakke.", "Ny tekst."))
        assert urllib.request.urlopen(f"{base}/fingerprint", timeout=5).read().decode() != shown
        assert "Ny tekst." in urllib.request.urlopen(f"{base}/s/first", timeout=5).read().decode()
    finally:
        proc.terminate()
        proc.wait(10)


def test_a_scenario_too_large_to_explore_is_drawn_without_marks(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph, "MAX_STATES", 3)  # the play course's 7 states are then "too many"
    client = _preview(app, PLAY_COURSE)
    html = client.get("/preview/s/first/map?lang=en").get_data(as_text=True)
    assert "E060" in html and "too many situations to play through" in html
    assert html.count('class="node"') == 5 and "UNREACHABLE" not in html


def test_node_text_that_looks_like_graphviz_html_stays_text_in_the_map(
    app: Flask, tmp_path: Path
) -> None:
    """Text in `<…>` was handed to Graphviz as an HTML-like value, unquoted: `<x> URL="…" y=<z>`
    set the node's link to `javascript:` (and `<b>…</b>` broke the map). A course folder from
    someone else must not put a script behind a click in the author's map."""
    course = tmp_path / "course"
    shutil.copytree(PLAY_COURSE, course)
    first = course / "first.yaml"
    payload = '<x> URL=\\"javascript:alert(1)\\" y=<z>'
    first.write_text(
        first.read_text(encoding="utf-8").replace(
            'en: "A pupil asks to talk."', f'en: "{payload}"'
        ),
        encoding="utf-8",
    )
    root = _svg_of(course, "first", app)
    nodes, _ = _nodes_and_edges(root)
    links = {a.get(f"{XLINK}href") for a in nodes["intro"].iter(f"{SVG}a")}
    assert links == {"/preview/s/first/n/intro"}
    assert 'URL="javascript:alert(1)"' in _node_text(nodes["intro"])  # shown as the text it is
