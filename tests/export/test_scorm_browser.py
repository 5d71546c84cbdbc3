"""SCORM 1.2 and 2004 packages under a real LMS runtime (scorm-again) in headless Chromium:
played with the keyboard in an iframe and in a popup, checked on the data the LMS stores
(status, score, interactions, suspend data, session time), closed mid-course and resumed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from elearn.content import LoadedCourse
from elearn.core import engine, walk
from scorm_export import vectors
from tests.export.harness import prepare, serve

pytestmark = pytest.mark.browser
Page = Any


def best_path(scenario: dict[str, Any]) -> list[str]:
    walks, _ = walk.walk_paths(scenario, limit=2000)
    return list(max(walks, key=lambda w: (w.final["points"], -len(w.choices))).choices)


def worst_path(scenario: dict[str, Any]) -> list[str]:
    walks, _ = walk.walk_paths(scenario, limit=2000)
    return list(min(walks, key=lambda w: (w.final["points"], len(w.choices))).choices)


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
# SCORM 2004 short_identifier_type as scorm-again checks it (no spaces, at most 250 characters)
SHORT_ID_2004 = re.compile(r"^[\w.-]{1,250}$")


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


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_keyboard_play_through_reports_to_the_lms(
    chromium: Any, tmp_path: Path, sample: LoadedCourse, packages: dict[str, bytes], version: str
) -> None:
    course = sample.compiled
    fmt = "scorm12" if version == "1.2" else "scorm2004"
    root = prepare(tmp_path, packages[fmt])
    paths = {s["id"]: best_path(s) for s in course["scenarios"]}
    with serve(root) as url:
        page = chromium.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/harness.html")
        page.evaluate("([v]) => launch(v, null, false, true)", [version])  # empty lesson mode
        frame = course_frame(page)
        data = cmi(page)
        status = "cmi.core.lesson_status" if version == "1.2" else "cmi.completion_status"
        assert data[status] == "incomplete"
        play(page, frame, course, paths)
        assert "Se resultatet for kurset" in frame.inner_text("main")
        calls = page.evaluate("calls")
        sets = page.evaluate("sets")
        page.evaluate("closeCourse()")
        page.wait_for_function("() => calls.includes('LMSFinish') || calls.includes('Terminate')")
        calls = page.evaluate("calls")
        data = cmi(page)
        assert not errors, errors
    decisions = [(s, c) for s in course["scenarios"] for c in paths[s["id"]]]
    finish = "LMSFinish" if version == "1.2" else "Terminate"
    commit = "LMSCommit" if version == "1.2" else "Commit"
    assert calls.count(finish) == 1 and calls[-1] == finish
    assert calls[0] == ("LMSInitialize" if version == "1.2" else "Initialize")
    # a commit after every decision: each interaction's result is followed by a commit
    results = [i for i, c in enumerate(calls) if re.match(r"set cmi\.interactions\.\d+\.result", c)]
    assert len(results) == len(decisions)
    for i in results:
        assert commit in calls[i:], "no commit after a decision"
        nxt = next(
            j for j in range(i + 1, len(calls)) if calls[j] == commit or calls[j].endswith(".id")
        )
        assert calls[nxt] == commit
    states = final_states(course, paths)
    expected_suspend = vectors.encode(
        course, {"lang": "nb", "current": course["scenarios"][-1]["id"], "scenarios": states}
    )
    if version == "1.2":
        assert data["cmi.core.lesson_status"] == "passed"
        assert (
            data["cmi.core.score.raw"],
            data["cmi.core.score.min"],
            data["cmi.core.score.max"],
        ) == ("100", "0", "100")
        assert data["cmi.core.exit"] == ""
        assert (
            data["cmi.core.lesson_location"]
            == f"{course['scenarios'][-1]['id']}/{states[course['scenarios'][-1]['id']]['node']}"
        )
        times = [v for k, v in sets if k == "cmi.core.session_time"]
        assert times and all(SESSION_12.match(t) for t in times), times
        prefix, response = "cmi.interactions", "student_response"
    else:
        assert data["cmi.completion_status"] == "completed"
        assert data["cmi.success_status"] == "passed"
        assert float(data["cmi.score.scaled"]) == 1.0
        assert float(data["cmi.progress_measure"]) == 1.0
        assert data["cmi.exit"] == "normal"
        times = [v for k, v in sets if k == "cmi.session_time"]
        assert times and all(SESSION_2004.match(t) for t in times), times
        prefix, response = "cmi.interactions", "learner_response"
    assert data["cmi.suspend_data"] == expected_suspend
    with_correct = 0
    for n, (scenario, cid) in enumerate(decisions):
        node = next(
            nid for nid, c in [tuple(p) for p in states[scenario["id"]]["path"]] if c == cid
        )
        authored = scenario["nodes"][node]
        correct = [c["id"] for c in authored["choices"] if c.get("correct") is True]
        with_correct += bool(correct)
        got = {k.split(".", 3)[3]: v for k, v in data.items() if k.startswith(f"{prefix}.{n}.")}
        assert got["type"] == "choice"
        pattern_sets = [k for k, _ in sets if re.match(rf"^{prefix}\.{n}\.correct_responses\.", k)]
        assert len(pattern_sets) == len(set(pattern_sets)) == len(correct)  # each written once
        if version == "1.2":
            assert CHOICE_12.match(got[response]), got[response]
            assert got[response] == letter(authored, cid)
            assert patterns(got) == [letter(authored, c) for c in correct]
            assert all(CHOICE_12.match(p) for p in patterns(got))
            assert ID_12.match(got["id"]) and got["id"] == f"{scenario['id']}__{node}"
            assert got["result"] in {"correct", "wrong", "neutral"}
            assert TIME_12.match(got["time"]), got["time"]
        else:
            assert got[response] == cid and SHORT_ID_2004.match(cid)
            assert patterns(got) == correct
            assert all(SHORT_ID_2004.match(p) for p in patterns(got))
            assert (
                got["id"]
                == f"https://example.org/elearn/courses/{course['id']}/scenarios/{scenario['id']}/nodes/{node}"
            )
            assert got["result"] in {"correct", "incorrect", "neutral"}
            assert re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", got["timestamp"])
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
        offered = [c["id"] for c in engine.offered_choices(first, state)]
        shown = frame.evaluate(
            "() => [...document.querySelectorAll('button.choice')].map(b => b.dataset.choice)"
        )
        assert shown == offered  # the same place, the same choices
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
    assert data["cmi.suspend_data"] == vectors.encode(
        course, {"lang": "nb", "current": first["id"], "scenarios": {first["id"]: final}}
    )
