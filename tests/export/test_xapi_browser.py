"""cmi5 and xAPI (TinCan) packages against a small LRS on loopback, in headless Chromium:
launch parameters, the statement sequence (initialized first, terminated last, the cmi5 context
template, moveOn), the platform's activity IRIs, and resume through the State API."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from elearn.content import LoadedCourse
from elearn.core import engine
from tests.export.conftest import BASE, extract
from tests.export.mini_lrs import Store, mini_lrs
from tests.export.test_scorm_browser import (
    TEXT,
    best_path,
    choose,
    play,
    tab_to,
    worst_path,
)

pytestmark = pytest.mark.browser
CMI5_CAT = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON_CAT = "https://w3id.org/xapi/cmi5/context/categories/moveon"
SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example", "name": "learner-7"}}


def wait_for(store: Store, predicate: Any, timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with store.lock:
            if predicate(store):
                return
        time.sleep(0.05)
    raise AssertionError(f"timed out; verbs so far: {store.verbs()}")


def categories(s: dict[str, Any]) -> set[str]:
    return {a["id"] for a in s["context"].get("contextActivities", {}).get("category", [])}


def cmi5_launch(url: str, store: Store, registration: str, session: str, fetch_id: str) -> str:
    activity = f"{BASE}/courses/sample-course"
    store.add_token(fetch_id, f"token-{fetch_id}")
    launch_data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": activity}]},
            "extensions": {SESSION_EXT: session},
        },
        "launchMode": "Normal",
        "moveOn": "CompletedAndPassed",
        "masteryScore": 0.7,
        "returnURL": url + "/returned.html",
    }
    store.put_state(
        {
            "stateId": "LMS.LaunchData",
            "activityId": activity,
            "agent": json.dumps(ACTOR),
            "registration": registration,
        },
        json.dumps(launch_data).encode(),
    )
    query = urlencode(
        {
            "endpoint": url + "/xapi/",
            "fetch": f"{url}/fetch/{fetch_id}",
            "actor": json.dumps(ACTOR),
            "registration": registration,
            "activityId": activity,
        }
    )
    return f"{url}/pkg/index.html?{query}"


def check_session(statements: list[dict[str, Any]], registration: str, session: str) -> None:
    """cmi5 rules for one session's statements."""
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    assert verbs[0] == "initialized" and verbs[-1] == "terminated", verbs
    assert verbs.count("initialized") == 1 and verbs.count("terminated") == 1
    for s in statements:
        assert s["actor"] == ACTOR
        assert s["context"]["registration"] == registration
        assert s["context"]["extensions"][SESSION_EXT] == session
        verb = s["verb"]["id"].rsplit("/", 1)[1]
        if verb in {"initialized", "completed", "passed", "failed", "terminated"}:
            assert CMI5_CAT in categories(s), verb  # cmi5 defined
            assert s["object"]["id"] == f"{BASE}/courses/sample-course"
            assert (MOVEON_CAT in categories(s)) == (verb in {"completed", "passed", "failed"})
        else:
            assert CMI5_CAT not in categories(s), verb  # cmi5 allowed
            assert s["object"]["id"].startswith(f"{BASE}/courses/sample-course/scenarios/")


def test_cmi5_session_resume_and_completion(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    course = sample.compiled
    extract(packages["cmi5"], tmp_path / "pkg")
    (tmp_path / "returned.html").write_text(
        "<!doctype html><title>LMS</title><p>Back in the LMS</p>"
    )
    first = course["scenarios"][0]
    paths = {s["id"]: best_path(s) for s in course["scenarios"]}
    registration = str(uuid.UUID(int=1))
    with mini_lrs(tmp_path) as (url, store):
        page = chromium.new_page()
        page.goto(cmi5_launch(url, store, registration, "session-1", "one"))
        page.wait_for_selector("#header .site-name")
        frame = page.main_frame
        play(page, frame, course, {first["id"]: paths[first["id"]][:2]})
        wait_for(
            store, lambda s: s.verbs().count("answered") == 2 and s.verbs()[-1] == "experienced"
        )
        page.close(run_before_unload=True)
        wait_for(store, lambda s: "terminated" in s.verbs())
        one = list(store.statements)
        check_session(one, registration, "session-1")
        assert not {"completed", "passed", "failed"} & set(store.verbs())
        # the fetch URL hands its token out once
        assert store.problems == []
        # launch again: a new session, the same registration, resumed from the state document
        page = chromium.new_page()
        page.goto(cmi5_launch(url, store, registration, "session-2", "two"))
        page.wait_for_selector("button.choice")
        frame = page.main_frame
        state = engine.initial_state(first)
        for cid in paths[first["id"]][:2]:
            state = engine.choose(first, state, cid).state
        shown = frame.evaluate(
            "() => [...document.querySelectorAll('button.choice')].map(b => b.dataset.choice)"
        )
        # in the attempt's own order: shuffled by the registration, as on the platform
        node = engine.current_node(first, state)
        offered = engine.offered_choices(first, state)
        order = engine.choice_order(first["id"], node, offered, registration)
        assert shown == [c["id"] for c in order]
        for cid in paths[first["id"]][2:]:
            choose(page, frame, cid)
        rest = {s["id"]: paths[s["id"]] for s in course["scenarios"][1:]}
        play(page, frame, course, rest)
        tab_to(page, frame, TEXT, "Avslutt kurset")
        page.wait_for_url("**/returned.html")
        wait_for(
            store, lambda s: s.verbs()[-1] == "terminated" and s.verbs().count("terminated") == 2
        )
        two = store.statements[len(one) :]
        assert store.problems == []
    check_session(two, registration, "session-2")
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in two]
    assert verbs.index("completed") < verbs.index("passed") < verbs.index("terminated")
    passed = two[verbs.index("passed")]
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1.0
    assert passed["context"]["extensions"][MASTERY_EXT] == 0.7
    assert passed["result"]["duration"].startswith("PT")
    answered = [s for s in one + two if s["verb"]["id"].endswith("/answered")]
    assert len(answered) == sum(len(p) for p in paths.values())


def test_xapi_statements_like_the_platform_and_resume(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    course = sample.compiled
    extract(packages["xapi"], tmp_path / "pkg")
    paths = {s["id"]: best_path(s) for s in course["scenarios"]}
    first = course["scenarios"][0]
    registration = str(uuid.UUID(int=2))
    activity = f"{BASE}/courses/sample-course"
    with mini_lrs(tmp_path) as (url, store):
        store.auth.add("Basic dGVzdDp0ZXN0")
        query = urlencode(
            {
                "endpoint": url + "/xapi/",
                "auth": "Basic dGVzdDp0ZXN0",
                "actor": json.dumps({"name": ["Kari"], "mbox": ["mailto:kari@example.no"]}),
                "registration": registration,
                "activity_id": activity,
            }
        )
        page = chromium.new_page()
        page.goto(f"{url}/pkg/index.html?{query}")
        page.wait_for_selector("#header .site-name")
        play(page, page.main_frame, course, {first["id"]: paths[first["id"]][:1]})
        wait_for(store, lambda s: "progressed" in s.verbs())
        page.close(run_before_unload=True)
        wait_for(store, lambda s: "suspended" in s.verbs())
        assert store.verbs()[:2] == ["launched", "initialized"]
        assert store.verbs()[-1] == "suspended"
        page = chromium.new_page()
        page.goto(f"{url}/pkg/index.html?{query}")
        page.wait_for_selector("button.choice")
        for cid in paths[first["id"]][1:]:
            choose(page, page.main_frame, cid)
        play(
            page,
            page.main_frame,
            course,
            {s["id"]: paths[s["id"]] for s in course["scenarios"][1:]},
        )
        wait_for(store, lambda s: s.verbs()[-1] == "terminated")
        statements = list(store.statements)
        assert store.problems == []
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]
    i = verbs.index("resumed")
    assert verbs[i - 1] == "suspended"
    assert verbs[-3:] == ["completed", "passed", "terminated"]
    decisions = sum(len(p) for p in paths.values())
    assert verbs.count("answered") == decisions and verbs.count("progressed") == decisions
    assert verbs.count("completed") == len(course["scenarios"]) + 1
    for s in statements:
        assert s["actor"] == {
            "objectType": "Agent",
            "name": "Kari",
            "mbox": "mailto:kari@example.no",
        }
        assert s["context"]["registration"] == registration
        assert s["context"]["platform"] == "elearn"
        assert (
            s["context"]["extensions"][f"{BASE}/extensions/course-version"] == sample.content_hash
        )
        assert s["object"]["id"].startswith(activity)
    answered = next(s for s in statements if s["verb"]["id"].endswith("/answered"))
    node = first["start"]
    assert answered["object"]["id"] == f"{activity}/scenarios/{first['id']}/nodes/{node}"
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["result"]["response"] == paths[first["id"]][0]
    assert (
        answered["context"]["contextActivities"]["parent"][0]["id"]
        == f"{activity}/scenarios/{first['id']}"
    )
    final = statements[verbs.index("passed")]
    assert final["result"]["score"]["scaled"] == 1.0 and final["result"]["success"] is True


def test_cmi5_taking_a_scenario_again_reports_the_course_once_per_registration(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    """cmi5 allows one completed and one passed/failed per registration: a scenario taken again
    from the result page, interrupted and finished in a later session, is recorded by its
    answers only, and the course's first report stands."""
    course = sample.compiled
    extract(packages["cmi5"], tmp_path / "pkg")
    first, second = course["scenarios"]
    best = best_path(first)
    registration = str(uuid.UUID(int=2))
    with mini_lrs(tmp_path) as (url, store):
        page = chromium.new_page()
        page.goto(cmi5_launch(url, store, registration, "session-1", "one"))
        page.wait_for_selector("#header .site-name")
        frame = page.main_frame
        play(page, frame, course, {first["id"]: worst_path(first), second["id"]: best_path(second)})
        tab_to(page, frame, TEXT, "Se resultatet for kurset")
        tab_to(page, frame, TEXT, "Ta dette scenarioet på nytt")
        frame.wait_for_selector("button.choice")
        for cid in best[:2]:
            choose(page, frame, cid)
        page.close(run_before_unload=True)
        wait_for(store, lambda s: "terminated" in s.verbs())
        one = list(store.statements)
        verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in one]
        assert (verbs.count("completed"), verbs.count("failed"), verbs.count("passed")) == (1, 1, 0)
        check_session(one, registration, "session-1")
        page = chromium.new_page()
        page.goto(cmi5_launch(url, store, registration, "session-2", "two"))
        page.wait_for_selector("button.choice")
        frame = page.main_frame
        for cid in best[2:]:
            choose(page, frame, cid)
        tab_to(page, frame, TEXT, "Se resultatet for kurset")
        frame.wait_for_selector("#again-title")
        assert "Bestått" in frame.inner_text(".result-verdict")  # the learner sees the new result
        tab_to(page, frame, TEXT, "Avslutt kurset")
        page.wait_for_url("**/returned.html")
        wait_for(store, lambda s: s.verbs().count("terminated") == 2)
        two = store.statements[len(one) :]
        assert store.problems == []
    check_session(two, registration, "session-2")
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in two]
    assert not {"completed", "passed", "failed"} & set(verbs)
    assert verbs.count("answered") == len(best) - 2


def test_xapi_taking_a_scenario_again_begins_a_new_session_and_reports_its_end(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    """xAPI (Tin Can) has no once-per-registration rule: a scenario taken again after the
    course's terminated statement begins with initialized, and its new end is reported."""
    course = sample.compiled
    extract(packages["xapi"], tmp_path / "pkg")
    first, second = course["scenarios"]
    with mini_lrs(tmp_path) as (url, store):
        store.auth.add("Basic dGVzdDp0ZXN0")
        query = urlencode(
            {
                "endpoint": url + "/xapi/",
                "auth": "Basic dGVzdDp0ZXN0",
                "actor": json.dumps({"name": ["Kari"], "mbox": ["mailto:kari@example.no"]}),
                "registration": str(uuid.UUID(int=3)),
                "activity_id": f"{BASE}/courses/sample-course",
            }
        )
        page = chromium.new_page()
        page.goto(f"{url}/pkg/index.html?{query}")
        page.wait_for_selector("#header .site-name")
        frame = page.main_frame
        play(page, frame, course, {first["id"]: worst_path(first), second["id"]: best_path(second)})
        tab_to(page, frame, TEXT, "Se resultatet for kurset")
        wait_for(store, lambda s: s.verbs()[-1] == "terminated")
        at_end = len(store.statements)
        tab_to(page, frame, TEXT, "Ta dette scenarioet på nytt")
        frame.wait_for_selector("button.choice")
        for cid in best_path(first):
            choose(page, frame, cid)
        wait_for(store, lambda s: s.verbs().count("terminated") == 2)
        again = [s["verb"]["id"].rsplit("/", 1)[1] for s in store.statements[at_end:]]
        assert store.problems == []
    assert again[:2] == ["initialized", "experienced"]
    assert again[-3:] == ["completed", "passed", "terminated"]
    assert store.verbs().count("failed") == 1  # the first end, which stays recorded
