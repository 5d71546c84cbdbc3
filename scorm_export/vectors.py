"""Shared test vectors: the platform's answers that the packages' JavaScript runtime must give too
(scorm_export/runtime/tests/*.test.mjs check them with `node --test`).

    python -m scorm_export.vectors [COURSES_DIR ...] > build/vectors.json

Everything here is computed by the platform's own code: the engine and choice order
(elearn.core.engine), the course rules and resume encoding (elearn.core.rules), the walker
(elearn.core.walk) and the statements (elearn.player.service.Tracker over
elearn.tracking.statements.StatementBuilder, as the player service calls them). Nothing is
re-implemented here, so the JavaScript is held to the platform, not to a copy of it.

Which paths, per scenario:
- every path when a scenario has at most ALL_PATHS of them;
- otherwise paths that together show every behaviour of every node that any reachable state
  (node, variables, points) can show: each set of offered choices, each set of conditional
  paragraphs shown, each choice taken to each target, with each clamping of a variable
  (`covering_walks`, found over the state graph, never by enumerating paths), plus the best and
  the worst path and a seeded random sample of SAMPLE paths (`walk.sample_paths`).
Each path holds the nodes, variables, points, offered choices and the order they are shown in
(seeded by the path's registration), conditional texts, progress, the next scenario, outcome,
scaled score, the resume encoding and the statements the platform sends for it. Course runs (one
path per scenario, steps interleaved at random, some with a break and a resume) hold the course
progress, the resume data and the next scenario after each step, the result and the statements.
Activities (the same for every statement that names them) are stored once per course.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from elearn.content import discover_courses, load_course
from elearn.content.service import CourseEntry
from elearn.core import engine, rules, walk
from elearn.player.service import Tracker
from elearn.tracking.statements import StatementBuilder

ALL_PATHS = 200  # every path of a scenario that has at most this many
SAMPLE = 12  # random paths on top of the covering ones where there are more
RUNS = 6  # random whole-course runs per course, plus the best and the worst
BREAK_EVERY = 3  # every third run takes a break (suspended, then resumed)
SEED = 19
SCORM_SEED = "0" * 8  # as long as the seed a package without a registration makes (player.js)
BASE = "https://elearn.example/xapi"
HOMEPAGE = "https://elearn.example"
STRIPPED = ("id", "timestamp", "actor", "stored", "authority")  # differ by design: not compared
HASHED = ["", "a", "æøå", "😀 ok", "9b1de0c2-0d7b-5f53-8d1a-5e7e4d5b1c3e|ferien|start|lytt"]

Course = dict[str, Any]
Scenario = dict[str, Any]


def registration(*parts: object) -> str:
    """A fixed registration per path or run: the shuffle seed and the statements' registration."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "elearn-vectors/" + "/".join(map(str, parts))))


# -- which paths -----------------------------------------------------------------------------------


def _clamps(scenario: Scenario, state: engine.State, choice: dict[str, Any]) -> tuple[str, ...]:
    """The variables `add` pushes past a bound (engine.apply_effects clamps them)."""
    after_set = {**state["vars"], **choice.get("set", {})}
    out = []
    for name, delta in sorted(choice.get("add", {}).items()):
        spec, raw = scenario["variables"][name], after_set[name] + delta
        if raw > spec["max"] or raw < spec["min"]:
            out.append(f"{name}:{'max' if raw > spec['max'] else 'min'}")
    return tuple(out)


def behaviours(scenario: Scenario, state: engine.State) -> set[tuple[Any, ...]]:
    """What a node does in this state: the choices offered, the paragraphs shown, where each
    choice leads and which variables it clamps."""
    node_id = state["node"]
    node = scenario["nodes"][node_id]
    shown = tuple(
        i
        for i, c in enumerate(node.get("conditional_text", []))
        if engine.evaluate(c["if"], state["vars"])
    )
    found: set[tuple[Any, ...]] = {("node", node_id), ("shown", node_id, shown)}
    if state["ended"]:
        return found
    offered = engine.offered_choices(scenario, state)
    found.add(("offered", node_id, tuple(c["id"] for c in offered)))
    for c in offered:
        to = engine.choose(scenario, state, c["id"]).to_node
        found.add(("move", node_id, c["id"], to, _clamps(scenario, state, c)))
    return found


def _routes(
    graph: walk.StateGraph,
) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """({state: (previous state, choice)} on shortest ways from the start, {state: (choice, next
    state)} on shortest ways to an ending)."""
    back: dict[str, tuple[str, str]] = {}
    queue = deque([graph.start])
    while queue:
        key = queue.popleft()
        for choice, nxt in graph.moves[key]:
            if nxt not in back and nxt != graph.start:
                back[nxt] = (key, choice)
                queue.append(nxt)
    preds: dict[str, list[tuple[str, str]]] = {}
    for key, moves in graph.moves.items():
        for choice, nxt in moves:
            preds.setdefault(nxt, []).append((key, choice))
    ahead: dict[str, tuple[str, str]] = {}
    ends = [k for k, s in graph.states.items() if s["ended"]]
    queue, reached = deque(ends), set(ends)
    while queue:
        key = queue.popleft()
        for prev, choice in preds.get(key, []):
            if prev not in reached:
                reached.add(prev)
                ahead[prev] = (choice, key)
                queue.append(prev)
    return back, ahead


def _through(graph: walk.StateGraph, routes: Any, key: str) -> list[str]:
    """The choices of a shortest way from the start through `key` to an ending."""
    back, ahead = routes
    head: list[str] = []
    k = key
    while k != graph.start:
        k, choice = back[k]
        head.append(choice)
    tail: list[str] = []
    k = key
    while not graph.states[k]["ended"]:
        choice, k = ahead[k]
        tail.append(choice)
    return [*reversed(head), *tail]


def covering_walks(scenario: Scenario, graph: walk.StateGraph) -> list[walk.Walk]:
    """Few paths that between them show every behaviour any reachable state shows (greedy, in
    breadth-first order: short paths first)."""
    routes = _routes(graph)
    covered: set[tuple[Any, ...]] = set()
    walks = []
    for key in [graph.start, *routes[0]]:
        if behaviours(scenario, graph.states[key]) <= covered:
            continue
        w = walk.replay(scenario, _through(graph, routes, key))
        for state in w.states:
            covered |= behaviours(scenario, state)
        walks.append(w)
    return walks


def scenario_walks(
    scenario: Scenario, graph: walk.StateGraph | None = None
) -> tuple[list[tuple[walk.Walk, str]], int | None]:
    """([(walk, why it is there)], number of paths or None where loops make it uncountable)."""
    graph = graph or walk.state_graph(scenario)
    count = walk.count_paths(scenario, graph)
    if count is None or count <= ALL_PATHS:
        walks, exhaustive = walk.walk_paths(scenario, limit=ALL_PATHS, seed=SEED)
        if exhaustive:
            return [(w, "every") for w in walks], count
    chosen: dict[tuple[str, ...], tuple[walk.Walk, str]] = {}
    for w, why in [
        (walk.optimal_walk(scenario, best=True), "best"),
        (walk.optimal_walk(scenario, best=False), "worst"),
        *[(w, "cover") for w in covering_walks(scenario, graph)],
        *[(w, "sample") for w in walk.sample_paths(scenario, SAMPLE, SEED)],
    ]:
        chosen.setdefault(w.choices, (w, why))
    return list(chosen.values()), count


def statement_walks(walks: list[tuple[walk.Walk, str]]) -> set[tuple[str, ...]]:
    """The paths whose statements the vectors keep: every path where all are walked, else the
    best, the worst and a few that between them answer every choice at every node and reach every
    ending (a statement's content depends on the node, the choice and where it leads)."""
    keep = {w.choices for w, why in walks if why in ("every", "best", "worst")}
    seen: set[tuple[str, ...]] = set()
    for w, _ in walks:
        moves = {
            (a["node"], c, b["node"])
            for a, c, b in zip(w.states, w.choices, w.states[1:], strict=False)
        }
        if w.choices in keep or not moves <= seen:
            keep.add(w.choices)
            seen |= moves
    return keep


# -- statements ------------------------------------------------------------------------------------


@dataclass
class Statements:
    """The platform's statements for one course, stored compactly and losslessly: each activity
    and verb once per course (statements give its index or name), the context every statement of
    a path shares once per path. `expand` gives back exactly what the platform built (checked
    for every statement as the vectors are made); the Node tests expand the same way."""

    course: Course
    content_hash: str
    activities: list[dict[str, Any]] = field(default_factory=list)
    verbs: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def tracker(self, registration: str, lang: str) -> Tracker:
        """The player service's own Tracker, over stand-ins for the rows it reads."""
        entry = CourseEntry(version_id=0, content_hash=self.content_hash, compiled=self.course)
        return Tracker(
            StatementBuilder(BASE, HOMEPAGE),
            SimpleNamespace(xapi_id="learner"),  # type: ignore[arg-type]
            SimpleNamespace(registration=registration),  # type: ignore[arg-type]
            entry,
            lang,
        )

    def take(self, tracker: Tracker) -> dict[str, Any]:
        """{"common": what every statement shares, "list": each statement's own part}."""
        built = [{k: v for k, v in s.items() if k not in STRIPPED} for s in tracker.pending]
        tracker.pending = []
        first = built[0]
        common = {
            "version": first["version"],
            "context": {k: v for k, v in first["context"].items() if k != "contextActivities"},
        }
        out = {"common": common, "list": [self._compact(s, common) for s in built]}
        assert [expand(self, common, c) for c in out["list"]] == built
        return out

    def _compact(self, statement: dict[str, Any], common: dict[str, Any]) -> dict[str, Any]:
        verb = statement["verb"]
        name = verb["display"]["en-US"]
        assert self.verbs.setdefault(name, verb) == verb, f"two verbs named {name}"
        out: dict[str, Any] = {"verb": name, "object": self._index(statement["object"])}
        acts = statement["context"].get("contextActivities", {})
        if acts:
            out["activities"] = {k: [self._index(a) for a in v] for k, v in acts.items()}
        if "result" in statement:
            out["result"] = statement["result"]
        rest = {k: v for k, v in statement.items() if k not in (*out, "version", "context")}
        assert not rest, f"statement fields the vectors do not store: {sorted(rest)}"
        return out

    def _index(self, activity: dict[str, Any]) -> int:
        if activity["id"] not in self.ids:
            self.ids[activity["id"]] = len(self.activities)
            self.activities.append(activity)
        i = self.ids[activity["id"]]
        assert self.activities[i] == activity, f"two definitions of {activity['id']}"
        return i


def expand(store: Any, common: dict[str, Any], compact: dict[str, Any]) -> dict[str, Any]:
    """A stored statement as the platform built it (less STRIPPED); runtime/tests/statements.mjs
    has the same function. `store`: anything with `activities` and `verbs` (a Statements, or a
    course of the vectors as a namespace)."""
    acts = {k: [store.activities[i] for i in v] for k, v in compact.get("activities", {}).items()}
    statement = {
        "version": common["version"],
        "verb": store.verbs[compact["verb"]],
        "object": store.activities[compact["object"]],
        "context": {**common["context"], "contextActivities": acts},
    }
    if "result" in compact:
        statement["result"] = compact["result"]
    return statement


# -- vectors ---------------------------------------------------------------------------------------


def _shown(scenario: Scenario, state: engine.State) -> list[int]:
    node = scenario["nodes"][state["node"]]
    return [
        i
        for i, c in enumerate(node.get("conditional_text", []))
        if engine.evaluate(c["if"], state["vars"])
    ]


def _order(scenario: Scenario, state: engine.State, seed: str) -> list[str]:
    if state["ended"]:
        return []
    node = engine.current_node(scenario, state)
    offered = engine.offered_choices(scenario, state)
    return [c["id"] for c in engine.choice_order(scenario["id"], node, offered, seed)]


def _var_changes(states: tuple[engine.State, ...]) -> list[dict[str, Any]]:
    """The variables at the start, then at each step only those that changed."""
    out = [dict(states[0]["vars"])]
    for before, after in itertools.pairwise(states):
        out.append({k: v for k, v in after["vars"].items() if before["vars"].get(k) != v})
    return out


def path_vector(
    course: Course, scenario: Scenario, w: walk.Walk, reg: str, lang: str, sts: Statements | None
) -> dict[str, Any]:
    """One path through one scenario, played as the only scenario entered; with the platform's
    statements when `sts` is given."""
    states = {scenario["id"]: w.final}
    nxt = rules.next_scenario(course, states, scenario["id"])
    return {
        "registration": reg,
        "lang": lang,
        "choices": list(w.choices),
        "nodes": [s["node"] for s in w.states],
        "var_changes": _var_changes(w.states),
        "points": [s["points"] for s in w.states],
        "offered": [
            [] if s["ended"] else [c["id"] for c in engine.offered_choices(scenario, s)]
            for s in w.states
        ],
        "order": [_order(scenario, s, reg) for s in w.states],
        "conditional": [_shown(scenario, s) for s in w.states],
        "progress": [list(engine.progress(scenario, s)) for s in w.states],
        "outcome": scenario["nodes"][w.final["node"]]["ending"]["outcome"],
        "scaled": engine.scaled_score(w.final["points"], scenario["max_score"]),
        "next": nxt["id"] if nxt else None,
        "take_again": rules.take_again(scenario, w.final, course["mastery_score"]),
        "suspend": rules.encode_resume(course, states, scenario["id"], lang, reg),
        "statements": None if sts is None else _path_statements(scenario, w, reg, lang, sts),
    }


def _path_statements(
    scenario: Scenario, w: walk.Walk, reg: str, lang: str, sts: Statements
) -> dict[str, Any]:
    tracker = sts.tracker(reg, lang)
    tracker.started()
    tracker.entered(scenario)
    for state, choice_id in zip(w.states, w.choices, strict=False):
        step = engine.choose(scenario, state, choice_id)
        tracker.chose(scenario, step, {scenario["id"]: step.state}, seconds=0)
    return sts.take(tracker)


def scenario_vectors(
    course: Course, scenario: Scenario, sts: Statements, graph: walk.StateGraph | None = None
) -> dict[str, Any]:
    walks, count = scenario_walks(scenario, graph)
    with_statements = statement_walks(walks)
    langs = course["languages"]
    paths = []
    for i, (w, why) in enumerate(walks):
        reg = registration(course["id"], scenario["id"], i)
        keep = sts if w.choices in with_statements else None
        paths.append(
            {"why": why, **path_vector(course, scenario, w, reg, langs[i % len(langs)], keep)}
        )
    exhaustive = all(why == "every" for _, why in walks)
    return {"id": scenario["id"], "count": count, "exhaustive": exhaustive, "paths": paths}


def _run_plan(
    course: Course, per_scenario: list[dict[str, Any]], rng: random.Random, pick: Any
) -> list[tuple[str, str | None]]:
    """A course run's steps: (scenario, None) to enter it, (scenario, choice) to choose."""
    chosen = {
        s["id"]: pick(v["paths"])["choices"]
        for s, v in zip(course["scenarios"], per_scenario, strict=True)
    }
    queue = [sid for sid, choices in chosen.items() for _ in range(len(choices) + 1)]
    rng.shuffle(queue)
    pos = dict.fromkeys(chosen, -1)
    steps: list[tuple[str, str | None]] = []
    for sid in queue:
        steps.append((sid, None if pos[sid] < 0 else chosen[sid][pos[sid]]))
        pos[sid] += 1
    return steps


def run_vector(
    course: Course,
    steps: list[tuple[str, str | None]],
    reg: str,
    lang: str,
    pause: int | None,
    sts: Statements,
    keep: bool,
) -> dict[str, Any]:
    """A whole-course run as the platform plays it; with a break (suspended, then resumed when
    the learner comes back) after step `pause`; its statements if `keep`."""
    tracker = sts.tracker(reg, lang)
    tracker.started()
    states: rules.States = {}
    percents, suspends, nexts = [], [], []
    for i, (sid, choice_id) in enumerate(steps):
        scenario = next(s for s in course["scenarios"] if s["id"] == sid)
        if choice_id is None:
            states[sid] = engine.initial_state(scenario)
            tracker.entered(scenario)
        else:
            step = engine.choose(scenario, states[sid], choice_id)
            states[sid] = step.state
            tracker.chose(scenario, step, dict(states), seconds=0)
        percents.append(rules.course_progress(course, states))
        suspends.append(rules.encode_resume(course, states, sid, lang, reg))
        nxt = rules.next_scenario(course, states, sid)
        nexts.append(nxt["id"] if nxt else None)
        if i == pause:  # Player.suspend, then Player._note_return on coming back
            tracker.course_event("suspended")
            tracker.course_event("resumed")
    r = rules.course_result(course, states)
    again = [
        s["id"]
        for s in course["scenarios"]
        if rules.take_again(s, states.get(s["id"]), course["mastery_score"])
    ]
    return {
        "registration": reg,
        "lang": lang,
        "pause": pause,
        "steps": [list(s) for s in steps],
        "percents": percents,
        "suspends": suspends,
        "next": nexts,
        "points": r.points,
        "scaled": r.scaled,
        "passed": r.passed,
        "min": r.min,
        "max": r.max,
        "take_again": again,
        "retake": _retake(course, states, again, lang, reg),
        "statements": sts.take(tracker) if keep else None,
    }


def _retake(
    course: Course, states: rules.States, again: list[str], lang: str, reg: str
) -> dict[str, Any]:
    """Taking one scenario again after the end (the package's result page; the first advised,
    else the first): only its state starts over, the others keep theirs, and the resume data
    says so."""
    sid = again[0] if again else course["scenarios"][0]["id"]
    scenario = next(s for s in course["scenarios"] if s["id"] == sid)
    after = {**states, sid: engine.initial_state(scenario)}
    nxt = rules.next_scenario(course, after, sid)
    return {
        "scenario": sid,
        "percent": rules.course_progress(course, after),
        "points": rules.course_points(after),
        "next": nxt["id"] if nxt else None,
        "suspend": rules.encode_resume(course, after, sid, lang, reg),
    }


def course_runs(
    course: Course, per_scenario: list[dict[str, Any]], sts: Statements
) -> list[dict[str, Any]]:
    """Whole-course plays: the best and the worst path of every scenario, then RUNS random ones;
    steps interleaved at random, as a learner may switch scenarios."""
    rng = random.Random(SEED)
    best = lambda paths: max(paths, key=lambda p: p["points"][-1])  # noqa: E731
    worst = lambda paths: min(paths, key=lambda p: p["points"][-1])  # noqa: E731
    runs = []
    for i, pick in enumerate([best, worst, *[rng.choice] * RUNS]):
        steps = _run_plan(course, per_scenario, rng, pick)
        pause = rng.randrange(len(steps) - 1) if i % BREAK_EVERY == 2 else None
        lang = rng.choice(course["languages"])
        reg = registration(course["id"], "run", i)
        keep = i < 2 or pause is not None  # the best, the worst and those with a break
        runs.append(run_vector(course, steps, reg, lang, pause, sts, keep))
    return runs


def _longest_walk(scenario: Scenario, per_scenario: list[dict[str, Any]] | None) -> list[str]:
    """The walked (or sampled) path with the longest resume encoding."""
    if per_scenario is not None:
        vec = next(v for v in per_scenario if v["id"] == scenario["id"])
        return max(vec["paths"], key=lambda p: len(p["suspend"]))["choices"]
    walks, _ = walk.walk_paths(scenario, limit=200, seed=SEED)
    part = {w.choices: len(rules.loop_free_indexes(scenario, w.final)) for w in walks}
    return list(max(part, key=lambda k: part[k]))


def longest_suspend(
    course: Course,
    per_scenario: list[dict[str, Any]] | None = None,
    graphs: dict[str, walk.StateGraph] | None = None,
) -> dict[str, Any]:
    """The longest resume data the course can produce in a SCORM package: every scenario on its
    longest path that never repeats a state (all resume data keeps), the last scenario current,
    the longest language code, a package-made seed. Exact when the scenarios' state graphs have
    no cycle (`exact`); otherwise the longest walked or sampled path is encoded and `bound` is a
    proven upper limit."""
    states = {}
    bound = 0
    exact = True
    for scenario in course["scenarios"]:
        choices, steps = walk.longest_path(scenario, (graphs or {}).get(scenario["id"]))
        widest = max(
            len(rules.encode_index(len(n["choices"]) - 1))
            for n in scenario["nodes"].values()
            if n["choices"]
        )
        bound += 1 + steps * widest
        if choices is None:
            exact = False
            choices = _longest_walk(scenario, per_scenario)
        states[scenario["id"]] = walk.replay(scenario, choices).final
    lang = max(course["languages"], key=len)
    last = course["scenarios"][-1]["id"]
    text = rules.encode_resume(course, states, last, lang, SCORM_SEED)
    overhead = len(text) - sum(len(p) for p in text.split(".")[4:])
    return {"length": len(text), "suspend": text, "bound": overhead + bound, "exact": exact}


def course_vectors(course_dir: Path) -> dict[str, Any] | None:
    """None for a course that does not validate (a course being written; its own tests fail)."""
    loaded = load_course(course_dir)
    if not loaded.ok or loaded.compiled is None:
        return None
    course = loaded.compiled
    sts = Statements(course, loaded.content_hash or "")
    graphs = {s["id"]: walk.state_graph(s) for s in course["scenarios"]}
    per_scenario = [scenario_vectors(course, s, sts, graphs[s["id"]]) for s in course["scenarios"]]
    runs = course_runs(course, per_scenario, sts)
    return {
        "id": course["id"],
        "dir": str(course_dir),
        "course": course,
        "content_hash": sts.content_hash,
        "activities": sts.activities,
        "verbs": sts.verbs,
        "scenarios": per_scenario,
        "runs": runs,
        "longest_suspend": longest_suspend(course, per_scenario, graphs),
    }


def all_vectors(*roots: Path) -> dict[str, Any]:
    courses, skipped = [], []
    for d in [d for root in roots for d in discover_courses(root)]:
        vec = course_vectors(d)
        if vec is None:
            skipped.append(d.name)
        else:
            courses.append(vec)
    return {
        "seed": SEED,
        "limits": {"all_paths": ALL_PATHS, "sample": SAMPLE, "runs": RUNS},
        "base": BASE,
        "homepage": HOMEPAGE,
        "stripped": list(STRIPPED),
        "hashes": [[text, engine.fnv1a32(text)] for text in HASHED],
        "courses": courses,
        "skipped": skipped,
    }


def summary(vectors: dict[str, Any]) -> list[str]:
    """One line per scenario (paths covered, all or which) and per course (runs, resume data)."""
    lines = [f"{name}: skipped, it does not validate" for name in vectors.get("skipped", [])]
    for c in vectors["courses"]:
        for s in c["scenarios"]:
            total = "uncountable (loops)" if s["count"] is None else s["count"]
            kind = "every path" if s["exhaustive"] else "covering + best + worst + seeded sample"
            lines.append(f"{c['id']}/{s['id']}: {len(s['paths'])} of {total} paths ({kind})")
        ls = c["longest_suspend"]
        kind = "exact maximum" if ls["exact"] else f"upper bound {ls['bound']}"
        listed = [p["statements"] for s in c["scenarios"] for p in s["paths"]]
        listed += [r["statements"] for r in c["runs"]]
        statements = sum(len(x["list"]) for x in listed if x)
        lines.append(
            f"{c['id']}: {len(c['runs'])} course runs, {statements} statements; longest "
            f"suspend_data {ls['length']} chars ({kind})"
        )
    return lines


def main(argv: list[str]) -> int:
    roots = [Path(a) for a in argv] or [Path(__file__).resolve().parent.parent / "courses"]
    vectors = all_vectors(*roots)
    sys.stdout.write(json.dumps(vectors, ensure_ascii=False, separators=(",", ":")))
    for line in summary(vectors):
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
