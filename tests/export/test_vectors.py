"""The shared vectors (python side): every course is covered, the paths chosen where there are
too many to keep show everything a node can do, the statements are the platform's, and the
resume data of the longest possible path fits SCORM 1.2's 4,096 characters. Prints the figures
for the export report."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from elearn.content import discover_courses, load_course
from elearn.core import engine, rules, walk
from scorm_export import vectors
from tests.export.conftest import ROOT

LOOP_COURSE = Path(__file__).parent / "fixtures" / "loop-course"
SAMPLE_COURSE = ROOT / "courses" / "sample-course"


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


def test_small_scenarios_are_covered_path_by_path() -> None:
    data = vectors.all_vectors(ROOT / "tests" / "fixtures", LOOP_COURSE.parent)
    assert {c["id"] for c in data["courses"]} == {"play-course", "loop-course"}
    for c in data["courses"]:
        for s in c["scenarios"]:
            assert s["exhaustive"] and s["paths"], (c["id"], s["id"])
            assert all(p["statements"] for p in s["paths"])  # every path's statements
    play = next(c for c in data["courses"] if c["id"] == "play-course")
    assert [len(s["paths"]) for s in play["scenarios"]] == [4, 2]
    loop = next(c for c in data["courses"] if c["id"] == "loop-course")
    assert not loop["longest_suspend"]["exact"]  # it has a cycle


def test_a_large_scenario_keeps_paths_that_show_everything_its_nodes_can_do() -> None:
    """Where a scenario has more paths than are kept, the kept ones still show every behaviour
    that some reachable state shows (found here over the whole state graph), the best and the
    worst path, and a seeded sample; and they are found without enumerating the paths."""
    course = load_course(ROOT / "courses" / "skole-19b").compiled
    scenario = next(s for s in course["scenarios"] if s["id"] == "tom-pult")
    count = walk.count_paths(scenario)
    assert count is not None and count > vectors.ALL_PATHS  # else every path would be kept
    kept, counted = vectors.scenario_walks(scenario)
    assert counted == count and len(kept) < count
    graph = walk.state_graph(scenario)
    everything = set().union(*(vectors.behaviours(scenario, s) for s in graph.states.values()))
    shown = set().union(*(vectors.behaviours(scenario, s) for w, _ in kept for s in w.states))
    assert shown == everything
    why = [reason for _, reason in kept]
    assert why[:2] == ["best", "worst"] and "cover" in why and "sample" in why
    assert kept[0][0].final["points"] == walk.optimal_walk(scenario).final["points"]
    assert vectors.scenario_walks(scenario)[0] == kept  # the same every time (seeded)


def test_stored_statements_expand_to_what_the_platform_builds() -> None:
    c = vectors.course_vectors(ROOT / "tests" / "fixtures" / "play-course")
    assert c is not None
    store = SimpleNamespace(activities=c["activities"], verbs=c["verbs"])
    best = c["runs"][0]
    built = [
        vectors.expand(store, best["statements"]["common"], s) for s in best["statements"]["list"]
    ]
    verbs = [s["verb"]["display"]["en-US"] for s in built]
    assert verbs[:3] == ["launched", "initialized", "experienced"]
    assert verbs[-3:] == ["completed", "passed", "terminated"]
    assert {s["context"]["registration"] for s in built} == {best["registration"]}
    answered = next(s for s in built if s["verb"]["display"]["en-US"] == "answered")
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["context"]["contextActivities"]["grouping"][0]["id"].endswith("/play-course")


def test_choice_order_is_seeded_and_fixed_nodes_keep_theirs() -> None:
    node = {"id": "n", "order": "shuffle"}
    offered = [{"id": c} for c in "abcdef"]
    orders = {
        tuple(c["id"] for c in engine.choice_order("s", node, offered, seed))
        for seed in ("r1", "r2", "r3")
    }
    assert len(orders) > 1
    again = engine.choice_order("s", node, offered, "r1")
    assert again == engine.choice_order("s", node, offered, "r1")
    assert sorted(c["id"] for c in again) == list("abcdef")
    fixed = engine.choice_order("s", {**node, "order": "fixed"}, offered, "r1")
    assert [c["id"] for c in fixed] == list("abcdef")
    assert engine.fnv1a32("a") == 0xE40C292C  # the published FNV-1a 32 value


def test_a_loop_back_to_an_earlier_state_is_left_out_of_the_resume_data() -> None:
    course = load_course(LOOP_COURSE).compiled
    scenario = course["scenarios"][0]
    state = engine.initial_state(scenario)
    for choice in ("ask", "back", "ask", "pick-39"):
        state = engine.choose(scenario, state, choice).state
    text = rules.encode_resume(course, {"loop": state}, "loop", "en", "k3y")
    assert text == "e2.en.0.k3y._0(14)"  # ask (index 0), pick-39 (index 40 = "14" in base 36)
    for data, seed in ((text, "k3y"), ("e1.en.0._0(14)", None)):  # e1: before the seed field
        back = rules.decode_resume(course, data)
        assert back is not None and back.seed == seed and back.current == "loop"
        assert back.states["loop"]["node"] == state["node"]
        assert back.states["loop"]["points"] == state["points"]
    assert rules.decode_resume(course, "e2.en.0.bad seed._0") is None
