"""SCORM 1.2 and 2004 packages under a real LMS runtime (scorm-again) in headless Chromium:
played with the keyboard in an iframe and in a popup, checked on the data the LMS stores
(status, score, interactions, suspend data, session time), closed mid-course and resumed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from elearn.content import LoadedCourse
from elearn.core import engine, rules, walk
from tests.export.harness import prepare, serve

pytestmark = pytest.mark.browser
Page = Any


def best_path(scenario: dict[str, Any]) -> list[str]:
    walks, _ = walk.walk_paths(scenario, limit=2000)
    return list(max(walks, key=lambda w: (w.final["points"], -len(w.choices))).choices)


def worst_path(scenario: dict[str, Any]) -> list[str]:
    walks, _ = walk.walk_paths(scenario, limit=2000)
    return list(min(walks, key=lambda w: (w.final["points"], len(w.choices))).choices)


def package_seed(data: dict[str, str]) -> str:
    """The choice-order seed a SCORM package made up and keeps in its resume data (no
    registration in SCORM): 8 base-36 characters, the same through a resume."""
    seed = data["cmi.suspend_data"].split(".")[3]
    assert re.fullmatch(r"[0-9a-z]{8}", seed), data["cmi.suspend_data"]
    return seed


def course_frame(page: Page, popup: Page | None = None) -> Any:
    if popup is not None:
        popup.wait_for_selector("#header .site-name")
        return popup.main_frame
    page.wait_for_selector("#course")
    frame = page.frame_locator("#course")
    frame.locator("#header .site-name").first.wait_for()
    return next(f for f in page.frames if f.url.endswith("/pkg/index.html"))


def tab_to(page: Page, frame: Any, test: str, arg: str, limit: int = 80) -> None:
    """Press Tab until the focused element in the course passes `test`; then Enter."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if frame.evaluate(test, arg):
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached {arg!r}")


CHOICE = "(id) => document.activeElement && document.activeElement.dataset.choice === id"
TEXT = "(t) => document.activeElement && document.activeElement.tagName === 'BUTTON' && document.activeElement.textContent.includes(t)"


def choose(page: Page, frame: Any, choice_id: str) -> None:
    tab_to(page, frame, CHOICE, choice_id)
    frame.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'feedback'"
    )


def play(page: Page, frame: Any, course: dict[str, Any], paths: dict[str, list[str]]) -> None:
    """Start (or continue) and play the given choices in each scenario, in course order."""
    for i, scenario in enumerate(course["scenarios"]):
        choices = paths.get(scenario["id"], [])
        if not choices:
            continue
        if frame.evaluate("() => !document.querySelector('button.choice')"):
            label = "Start kurset" if i == 0 else "Neste scenario"
            tab_to(page, frame, TEXT, label)
            frame.wait_for_selector("button.choice")
        for cid in choices:
            choose(page, frame, cid)


def final_states(course: dict[str, Any], paths: dict[str, list[str]]) -> dict[str, Any]:
    states = {}
    for s in course["scenarios"]:
        if s["id"] in paths:
            st = engine.initial_state(s)
            for cid in paths[s["id"]]:
                st = engine.choose(s, st, cid).state
            states[s["id"]] = st
    return states


def _node_of(scenario: dict[str, Any], states: dict[str, Any], cid: str) -> dict[str, Any]:
    nid = next(n for n, c in [tuple(p) for p in states[scenario["id"]]["path"]] if c == cid)
    return scenario["nodes"][nid]


def cmi(page: Page) -> dict[str, str]:
    return page.evaluate("cmi()")


SESSION_12 = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
SESSION_2004 = re.compile(r"^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")
ID_12 = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
# SCORM 1.2 RTE, CMIFeedback for a "choice" interaction: single characters 0-9 and a-z, comma-separated
CHOICE_12 = re.compile(r"^[0-9a-z](,[0-9a-z])*$")
TIME_12 = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?$")
# SCORM 2004 short identifiers as Moodle 4.5 checks them (CMIShortIdentifier): no "-"
SHORT_ID_2004 = re.compile(r"^[\w.]{1,250}$")


def letter(node: dict[str, Any], choice_id: str) -> str:
    """The SCORM 1.2 character of a choice: its place among the node's choices as written."""
    ids = [c["id"] for c in node["choices"]]
    return "abcdefghijklmnopqrstuvwxyz0123456789"[ids.index(choice_id)]


def patterns(got: dict[str, str]) -> list[str]:
    keys = sorted(
        (k for k in got if re.match(r"^correct_responses\.\d+\.pattern$", k)),
        key=lambda k: int(k.split(".")[1]),
    )
    return [got[k] for k in keys]


def _check_calls(calls: list[str], version: str, decisions: int) -> None:
    """Initialize first, finish once and last, and a commit after every decision."""
    finish = "LMSFinish" if version == "1.2" else "Terminate"
    commit = "LMSCommit" if version == "1.2" else "Commit"
    assert calls.count(finish) == 1 and calls[-1] == finish
    assert calls[0] == ("LMSInitialize" if version == "1.2" else "Initialize")
    results = [i for i, c in enumerate(calls) if re.match(r"set cmi\.interactions\.\d+\.result", c)]
    assert len(results) == decisions
    for i in results:
        assert commit in calls[i:], "no commit after a decision"
        nxt = next(
            j for j in range(i + 1, len(calls)) if calls[j] == commit or calls[j].endswith(".id")
        )
        assert calls[nxt] == commit


def _check_course_result(
    data: dict[str, str], sets: list[list[str]], version: str, course: dict[str, Any], states: Any
) -> None:
    """Status, score, exit, location and session times of a course passed on its best paths."""
    last = course["scenarios"][-1]["id"]
    if version == "1.2":
        assert data["cmi.core.lesson_status"] == "passed"
        score = (data["cmi.core.score.raw"], data["cmi.core.score.min"], data["cmi.core.score.max"])
        assert score == ("100", "0", "100")
        assert data["cmi.core.exit"] == ""
        assert data["cmi.core.lesson_location"] == f"{last}/{states[last]['node']}"
        times = [v for k, v in sets if k == "cmi.core.session_time"]
        assert times and all(SESSION_12.match(t) for t in times), times
        return
    assert data["cmi.completion_status"] == "completed"
    assert data["cmi.success_status"] == "passed"
    assert float(data["cmi.score.scaled"]) == 1.0
    assert float(data["cmi.progress_measure"]) == 1.0
    assert data["cmi.exit"] == "normal"
    times = [v for k, v in sets if k == "cmi.session_time"]
    assert times and all(SESSION_2004.match(t) for t in times), times


def _check_interaction(
    got: dict[str, str], version: str, course: dict[str, Any], scenario: Any, node: str, cid: str
) -> None:
    """One decision as the LMS stored it, in the version's own terms."""
    authored = scenario["nodes"][node]
    correct = [c["id"] for c in authored["choices"] if c.get("correct") is True]
    assert got["type"] == "choice"
    if version == "1.2":
        response = got["student_response"]
        assert CHOICE_12.match(response) and response == letter(authored, cid), response
        assert patterns(got) == [letter(authored, c) for c in correct]
        assert all(CHOICE_12.match(p) for p in patterns(got))
        assert ID_12.match(got["id"]) and got["id"] == f"{scenario['id']}__{node}"
        assert got["result"] in {"correct", "wrong", "neutral"}
        assert TIME_12.match(got["time"]), got["time"]
        return
    # the choice id with "-" as "_" (reversible: course ids never contain "_")
    response = got["learner_response"]
    assert response == cid.replace("-", "_") and SHORT_ID_2004.match(response)
    assert patterns(got) == [c.replace("-", "_") for c in correct]
    assert all(SHORT_ID_2004.match(p) for p in patterns(got))
    base = f"https://example.org/elearn/courses/{course['id']}/scenarios/{scenario['id']}"
    assert got["id"] == f"{base}/nodes/{node}"
    assert got["result"] in {"correct", "incorrect", "neutral"}
    assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", got["timestamp"])


def _play_through(
    chromium: Any, root: Path, version: str, course: dict[str, Any], paths: dict[str, Any]
) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """Play every scenario's path with the keyboard in the stand-in LMS; (calls, sets, cmi)."""
    with serve(root) as url:
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/harness.html")
        page.evaluate("([v]) => launch(v, null, false, true)", [version])  # empty lesson mode
        frame = course_frame(page)
        status = "cmi.core.lesson_status" if version == "1.2" else "cmi.completion_status"
        assert cmi(page)[status] == "incomplete"
        play(page, frame, course, paths)
        assert "Se resultatet for kurset" in frame.inner_text("main")
        sets = page.evaluate("sets")
        page.evaluate("closeCourse()")
        page.wait_for_function("() => calls.includes('LMSFinish') || calls.includes('Terminate')")
        calls, data = page.evaluate("calls"), cmi(page)
        assert not errors, errors
        assert page.evaluate("strictErrors") == [], "a value Moodle's runtime would refuse"
    return calls, sets, data


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_keyboard_play_through_reports_to_the_lms(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes], version: str
) -> None:
    course = sample.compiled
    root = prepare(tmp_path, packages["scorm12" if version == "1.2" else "scorm2004"])
    paths = {s["id"]: best_path(s) for s in course["scenarios"]}
    calls, sets, data = _play_through(chromium, root, version, course, paths)
    decisions = [(s, c) for s in course["scenarios"] for c in paths[s["id"]]]
    _check_calls(calls, version, len(decisions))
    states = final_states(course, paths)
    _check_course_result(data, sets, version, course, states)
    seed = package_seed(data)
    last = course["scenarios"][-1]["id"]
    assert data["cmi.suspend_data"] == rules.encode_resume(course, states, last, "nb", seed)
    with_correct = 0
    for n, (scenario, cid) in enumerate(decisions):
        path = [tuple(p) for p in states[scenario["id"]]["path"]]
        node = next(nid for nid, c in path if c == cid)
        with_correct += any(c.get("correct") is True for c in scenario["nodes"][node]["choices"])
        prefix = f"cmi.interactions.{n}."
        got = {k.split(".", 3)[3]: v for k, v in data.items() if k.startswith(prefix)}
        pattern_sets = [k for k, _ in sets if re.match(rf"^{prefix}correct_responses\.", k)]
        correct = [c for c in scenario["nodes"][node]["choices"] if c.get("correct") is True]
        assert len(pattern_sets) == len(set(pattern_sets)) == len(correct)  # each written once
        _check_interaction(got, version, course, scenario, node, cid)
    assert with_correct, "the path never met a node with a correct choice"
    if version == "1.2":  # a node with one correct choice: pattern 0 is that choice's letter
        one = next(
            (n, s, c)
            for n, (s, c) in enumerate(decisions)
            if sum(x.get("correct") is True for x in _node_of(s, states, c)["choices"]) == 1
        )
        node = _node_of(one[1], states, one[2])
        right = next(i for i, c in enumerate(node["choices"]) if c.get("correct") is True)
        assert data[f"cmi.interactions.{one[0]}.correct_responses.0.pattern"] == "abcdefghij"[right]


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_close_mid_course_and_resume_in_a_popup(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes], version: str
) -> None:
    course = sample.compiled
    fmt = "scorm12" if version == "1.2" else "scorm2004"
    root = prepare(tmp_path, packages[fmt])
    first = course["scenarios"][0]
    path = worst_path(first)
    half = path[:2]
    with serve(root) as url:
        page = chromium.new_page()
        page.goto(url + "/harness.html")
        page.evaluate("([v]) => launch(v, null, false, false)", [version])
        frame = course_frame(page)
        play(page, frame, course, {first["id"]: half})
        page.evaluate("closeCourse()")
        page.wait_for_function("() => calls.includes('LMSFinish') || calls.includes('Terminate')")
        stored = cmi(page)
        page.close()
        exit_key = "cmi.core.exit" if version == "1.2" else "cmi.exit"
        assert stored[exit_key] == "suspend"
        status = stored["cmi.core.lesson_status" if version == "1.2" else "cmi.completion_status"]
        assert status == "incomplete"
        # the LMS launches again with what it stored (entry = resume), this time in a popup
        # resume comes from suspend_data alone: the responses (write-only in SCORM 1.2) are left out
        flat = {
            k: v
            for k, v in stored.items()
            if isinstance(v, str)
            and v != ""
            and not re.search(r"\.(student_response|learner_response|correct_responses)\b", k)
        }
        flat["cmi.core.entry" if version == "1.2" else "cmi.entry"] = "resume"
        page = chromium.new_page()
        page.goto(url + "/harness.html")
        with page.expect_popup() as info:
            page.evaluate("([v, f]) => launch(v, f, true, false)", [version, flat])
        popup = info.value
        frame = course_frame(page, popup)
        state = final_states(course, {first["id"]: half})[first["id"]]
        node = engine.current_node(first, state)
        offered = engine.offered_choices(first, state)
        seed = package_seed(flat)  # kept in the resume data: the same order after a resume
        order = [c["id"] for c in engine.choice_order(first["id"], node, offered, seed)]
        shown = frame.evaluate(
            "() => [...document.querySelectorAll('button.choice')].map(b => b.dataset.choice)"
        )
        assert shown == order  # the same place, the same choices in the same order
        assert "Du fortsetter der du slapp." in frame.inner_text("main")
        for cid in path[2:]:
            choose(popup, frame, cid)
        assert frame.title().startswith("Slutt på scenarioet")  # the title names the step
        final = final_states(course, {first["id"]: path})[first["id"]]
        assert f"{final['points']} av {first['max_score']} mulige" in frame.inner_text("main")
        popup.close()
        page.wait_for_function("() => calls.includes('LMSFinish') || calls.includes('Terminate')")
        data = cmi(page)
        page.close()
    prefix = "cmi.interactions"
    count = len(
        {k.split(".")[2] for k in data if k.startswith(prefix + ".") and k.split(".")[2].isdigit()}
    )
    assert count == len(path)  # numbering went on from the stored interactions
    assert data["cmi.suspend_data"] == rules.encode_resume(
        course, {first["id"]: final}, first["id"], "nb", package_seed(data)
    )


def test_closing_the_page_mid_course_records_the_session_time_with_one_terminate(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes]
) -> None:
    """SCORM 2004, leaving by closing the tab or window: the session time, exit and resume
    data are set, then one Terminate and no Commit (which Moodle posts in full, and which a
    browser drops while a page unloads), so the LMS adds the session to cmi.total_time."""
    course = sample.compiled
    root = prepare(tmp_path, packages["scorm2004"])
    first = course["scenarios"][0]
    with serve(root) as url:
        page = chromium.new_page()
        page.goto(url + "/harness.html")
        page.evaluate("() => launch('2004', null, false, false)")
        frame = course_frame(page)
        play(page, frame, course, {first["id"]: worst_path(first)[:2]})
        before = len(page.evaluate("calls"))
        page.evaluate("closeCourse()")
        page.wait_for_function("() => calls.includes('Terminate')")
        leaving = page.evaluate("calls")[before:]
        data = cmi(page)
        page.close()
    assert leaving[-1] == "Terminate" and leaving.count("Terminate") == 1
    assert "Commit" not in leaving, leaving
    assert "set cmi.session_time" in leaving and "set cmi.exit" in leaving
    assert SESSION_2004.match(data["cmi.session_time"])
    assert data["cmi.exit"] == "suspend"


def _relaunch(chromium: Any, url: str, version: str, stored: dict[str, Any]) -> tuple[Page, Any]:
    """The LMS launches again with what it stored (entry = resume), the responses left out."""
    flat = {
        k: v
        for k, v in stored.items()
        if isinstance(v, str)
        and v != ""
        and not re.search(r"\.(student_response|learner_response|correct_responses)\b", k)
    }
    flat["cmi.core.entry" if version == "1.2" else "cmi.entry"] = "resume"
    page = chromium.new_page()
    page.goto(url + "/harness.html")
    page.evaluate("([v, f]) => launch(v, f, false, false)", [version, flat])
    return page, course_frame(page)


def _close(page: Page) -> dict[str, str]:
    page.evaluate("closeCourse()")
    page.wait_for_function("() => calls.includes('LMSFinish') || calls.includes('Terminate')")
    data = cmi(page)
    page.close()
    return data


def _check_first_report_kept(stored: dict[str, str], version: str) -> None:
    """Mid-retake: the first report stands (a failed 22 %), the exit keeps the resume data."""
    if version == "1.2":
        assert stored["cmi.core.exit"] == "suspend"
        assert stored["cmi.core.lesson_status"] == "failed"
        assert stored["cmi.core.score.raw"] == "22.22"
        return
    assert stored["cmi.exit"] == "suspend"
    assert stored["cmi.completion_status"] == "completed"
    assert stored["cmi.success_status"] == "failed"
    assert float(stored["cmi.progress_measure"]) == 1.0  # never contradicts completed


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_take_one_scenario_again_from_the_result_page_then_resume(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes], version: str
) -> None:
    """The result page advises the scenario that ended badly; taking it again (by keyboard)
    starts only that one over, the other keeps its result, the LMS keeps the first report until
    the course ends again, and a break in the middle of the retake resumes there."""
    course = sample.compiled
    first, second = course["scenarios"]
    root = prepare(tmp_path, packages["scorm12" if version == "1.2" else "scorm2004"])
    best, worst = best_path(first), worst_path(first)
    with serve(root) as url:
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/harness.html")
        page.evaluate("([v]) => launch(v, null, false, false)", [version])
        frame = course_frame(page)
        play(page, frame, course, {first["id"]: worst, second["id"]: best_path(second)})
        tab_to(page, frame, TEXT, "Se resultatet for kurset")
        frame.wait_for_selector("#again-title")
        main = frame.inner_text("main")
        assert "Ikke bestått" in main and "Hva du bør ta på nytt" in main
        advised = frame.evaluate(
            "() => [...document.querySelectorAll('[data-retake]')].map(b => b.dataset.retake)"
        )
        assert advised == [first["id"]]  # rules.take_again: a poor ending, few points
        tab_to(page, frame, TEXT, "Ta dette scenarioet på nytt")
        frame.wait_for_selector("button.choice")
        assert frame.evaluate("() => document.activeElement.tagName") == "H1"
        for cid in best[:2]:
            choose(page, frame, cid)
        stored = _close(page)
        assert not errors, errors
        kept = final_states(course, {second["id"]: best_path(second)})
        half = final_states(course, {first["id"]: best[:2]})
        seed = package_seed(stored)
        assert stored["cmi.suspend_data"] == rules.encode_resume(
            course, {**kept, **half}, first["id"], "nb", seed
        )
        _check_first_report_kept(stored, version)
        page, frame = _relaunch(chromium, url, version, stored)
        assert "Du fortsetter der du slapp." in frame.inner_text("main")
        for cid in best[2:]:
            choose(page, frame, cid)
        tab_to(page, frame, TEXT, "Se resultatet for kurset")
        frame.wait_for_selector("#again-title")
        assert "Bestått" in frame.inner_text(".result-verdict")
        assert frame.locator("[data-retake]").count() == 0
        data = _close(page)
    if version == "1.2":
        assert (data["cmi.core.lesson_status"], data["cmi.core.score.raw"]) == ("passed", "100")
    else:
        assert (data["cmi.success_status"], float(data["cmi.score.scaled"])) == ("passed", 1.0)
    assert data["cmi.core.exit" if version == "1.2" else "cmi.exit"] == (
        "" if version == "1.2" else "normal"
    )
    final = final_states(course, {first["id"]: best, second["id"]: best_path(second)})
    assert data["cmi.suspend_data"] == rules.encode_resume(course, final, first["id"], "nb", seed)
