"""The shared vectors (python side): every course is covered, and the resume data of the longest
possible path fits SCORM 1.2's 4,096 characters. Prints the figures for the export report."""

from __future__ import annotations

from pathlib import Path

from elearn.content import discover_courses, load_course
from elearn.core import engine
from scorm_export import vectors
from tests.export.conftest import ROOT

LOOP_COURSE = Path(__file__).parent / "fixtures" / "loop-course"


def test_longest_resume_data_of_every_course_fits_scorm12() -> None:
    """The longest suspend_data any learner can produce, per course (printed for the report):
    exact where the scenario's states form no cycle, else a proven upper bound."""
    for course_dir in [*discover_courses(ROOT / "courses"), LOOP_COURSE]:
        loaded = load_course(course_dir)
        if not loaded.ok:
            continue  # a course being written; its own tests report it
        longest = vectors.longest_suspend(loaded.compiled)
        kind = "exact maximum" if longest["exact"] else f"upper bound {longest['bound']}"
        print(f"{loaded.compiled['id']}: longest suspend_data {longest['length']} chars ({kind})")
        assert longest["length"] <= longest["bound"] < 4096, loaded.compiled["id"]


def test_vectors_cover_every_path_or_a_large_sample() -> None:
    data = vectors.all_vectors(ROOT / "tests" / "fixtures", LOOP_COURSE.parent)
    assert {c["id"] for c in data["courses"]} == {"play-course", "loop-course"}
    for c in data["courses"]:
        for s in c["scenarios"]:
            assert s["exhaustive"] and s["paths"], (c["id"], s["id"])
    loop = next(c for c in data["courses"] if c["id"] == "loop-course")
    assert not loop["longest_suspend"]["exact"]  # it has a cycle
    sample = vectors.SAMPLE
    assert sample >= 2000


def test_a_loop_back_to_an_earlier_state_is_left_out_of_the_resume_data() -> None:
    course = load_course(LOOP_COURSE).compiled
    scenario = course["scenarios"][0]
    state = engine.initial_state(scenario)
    for choice in ("ask", "back", "ask", "pick-39"):
        state = engine.choose(scenario, state, choice).state
    text = vectors.encode(course, {"lang": "en", "current": "loop", "scenarios": {"loop": state}})
    assert text == "e1.en.0._0(14)"  # ask (index 0), pick-39 (index 40 = "14" in base 36)
