"""Shared test vectors: the Python engine's answers that the packages' JavaScript runtime must
give too (scorm_export/runtime/tests/engine.test.mjs checks them with `node --test`).

    python -m scorm_export.vectors [COURSES_DIR ...] > build/vectors.json

For every course in courses/ and every path through each scenario (elearn.player.walk; a seeded
sample of SAMPLE paths when a scenario has more), the vectors hold the nodes, the variables after
each step, the offered choices, the conditional texts shown, progress, points, outcome, scaled
score and the resume encoding. Course-level runs (one path per scenario, steps interleaved at
random, seeded) hold the course progress after each step and the result. Also the longest
resume data any course can produce (see `longest_suspend`).

A development tool: unlike the rest of scorm_export it imports elearn (and so Flask).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

SAMPLE = 2000
RUNS = 200
SEED = 19
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _engine() -> Any:
    from elearn.core import engine

    return engine


def state_key(state: dict[str, Any]) -> str:
    """As engine.js stateKey: node, variables (bools as 0/1, sorted by name) and points."""
    items = ",".join(f"{k}={int(state['vars'][k])}" for k in sorted(state["vars"]))
    return f"{state['node']}|{items}|{state['points']}"


def loop_free_indexes(scenario: dict[str, Any], state: dict[str, Any]) -> list[int]:
    """The path's choice indexes with every stretch that returns to an earlier state removed."""
    engine = _engine()
    s = engine.initial_state(scenario)
    seen = {state_key(s): 0}
    kept: list[int] = []
    for node_id, choice_id in state["path"]:
        choices = scenario["nodes"][node_id]["choices"]
        idx = next(i for i, c in enumerate(choices) if c["id"] == choice_id)
        s = engine.choose(scenario, s, choice_id).state
        key = state_key(s)
        if key in seen:
            kept = kept[: seen[key]]
        else:
            kept.append(idx)
            seen[key] = len(kept)
        seen = {k: v for k, v in seen.items() if v <= len(kept)}
    return kept


def _index(i: int) -> str:
    return DIGITS[i] if i < 36 else f"({_b36(i)})"


def encode(course: dict[str, Any], snapshot: dict[str, Any]) -> str:
    """The resume encoding engine.js writes to suspend_data (see its comment for the format)."""
    current = ""
    for i, s in enumerate(course["scenarios"]):
        if s["id"] == snapshot.get("current"):
            current = _b36(i)
    parts = []
    for s in course["scenarios"]:
        st = snapshot["scenarios"].get(s["id"])
        parts.append("" if st is None else "_" + "".join(map(_index, loop_free_indexes(s, st))))
    return ".".join(["e1", snapshot.get("lang") or "", current, *parts])


def _b36(i: int) -> str:
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = DIGITS[r] + out
        if not i:
            return out


def _visible_conditional(node: dict[str, Any], state: dict[str, Any]) -> list[int]:
    from elearn.core.conditions import evaluate

    return [
        i
        for i, c in enumerate(node.get("conditional_text", []))
        if evaluate(c["if"], state["vars"])
    ]


def scenario_vectors(course: dict[str, Any], scenario: dict[str, Any]) -> dict[str, Any]:
    from elearn.core import walk

    engine = _engine()
    walks, exhaustive = walk.walk_paths(scenario, limit=SAMPLE, seed=SEED)
    paths = []
    for w in walks:
        states = list(w.states)
        final = w.final
        ending = scenario["nodes"][final["node"]]["ending"]
        snapshot = {
            "lang": course["languages"][0],
            "current": scenario["id"],
            "scenarios": {scenario["id"]: final},
        }
        paths.append(
            {
                "choices": list(w.choices),
                "nodes": [s["node"] for s in states],
                "vars": [s["vars"] for s in states],
                "points": [s["points"] for s in states],
                "offered": [
                    [c["id"] for c in engine.offered_choices(scenario, s)] if not s["ended"] else []
                    for s in states
                ],
                "conditional": [
                    _visible_conditional(scenario["nodes"][s["node"]], s) for s in states
                ],
                "progress": [list(engine.progress(scenario, s)) for s in states],
                "outcome": ending["outcome"],
                "scaled": engine.scaled_score(final["points"], scenario["max_score"]),
                "suspend": encode(course, snapshot),
            }
        )
    return {"id": scenario["id"], "exhaustive": exhaustive, "paths": paths}


def course_runs(course: dict[str, Any], per_scenario: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Whole-course plays: a path per scenario, steps interleaved at random (as a learner may
    switch scenarios), with the course percent after each step and the platform's result."""
    engine = _engine()
    rng = random.Random(SEED)
    runs = []
    scenarios = course["scenarios"]
    for _ in range(RUNS):
        chosen = {
            s["id"]: rng.choice(v["paths"])["choices"]
            for s, v in zip(scenarios, per_scenario, strict=True)
        }
        queue = [sid for sid, choices in chosen.items() for _ in range(len(choices) + 1)]
        rng.shuffle(queue)
        states: dict[str, Any] = {}
        pos = dict.fromkeys(chosen, 0)
        steps, percents, suspends = [], [], []
        current = None
        lang = rng.choice(course["languages"])
        for sid in queue:
            scenario = next(s for s in scenarios if s["id"] == sid)
            current = sid
            if sid not in states:  # entering the scenario
                states[sid] = engine.initial_state(scenario)
                steps.append([sid, None])
            else:
                choice_id = chosen[sid][pos[sid]]
                pos[sid] += 1
                states[sid] = engine.choose(scenario, states[sid], choice_id).state
                steps.append([sid, choice_id])
            percents.append(_course_progress(course, states))
            suspends.append(encode(course, {"lang": lang, "current": current, "scenarios": states}))
        points = sum(s["points"] for s in states.values())
        scaled = engine.scaled_score(points, course["max_score"])
        runs.append(
            {
                "lang": lang,
                "steps": steps,
                "percents": percents,
                "suspends": suspends,
                "points": points,
                "scaled": scaled,
                "passed": scaled >= course["mastery_score"],
                "min": sum(s["min_score"] for s in scenarios),
                "max": course["max_score"],
            }
        )
    return runs


def _course_progress(course: dict[str, Any], states: dict[str, Any]) -> int:
    """service.course_progress (that one takes a CourseEntry; the rule is the same)."""
    engine = _engine()
    total = 0.0
    for scenario in course["scenarios"]:
        s_state = states.get(scenario["id"])
        if s_state is None:
            continue
        done, estimate = engine.progress(scenario, s_state)
        total += 1.0 if s_state["ended"] else done / estimate
    return round(100 * total / max(1, len(course["scenarios"])))


def state_graph(
    scenario: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, list[tuple[str, str]]]]:
    """Every reachable (node, variables, points) state and its moves: {key: state}, {key: [(choice
    id, next key)]}. The resume data keeps a path that never passes the same state twice."""
    engine = _engine()
    start = engine.initial_state(scenario)
    states = {state_key(start): start}
    moves: dict[str, list[tuple[str, str]]] = {}
    todo = [start]
    while todo:
        state = todo.pop()
        key = state_key(state)
        moves[key] = []
        if state["ended"]:
            continue
        for c in engine.offered_choices(scenario, state):
            nxt = {**engine.choose(scenario, state, c["id"]).state, "path": []}
            nkey = state_key(nxt)
            moves[key].append((c["id"], nkey))
            if nkey not in states:
                states[nkey] = nxt
                todo.append(nxt)
    return states, moves


def _sccs(keys: list[str], moves: dict[str, list[tuple[str, str]]]) -> dict[str, int]:
    """Tarjan's strongly connected components, iteratively: {state key: component number}."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    counter = 0
    for root in keys:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on.add(v)
            succ = moves[v]
            if i < len(succ):
                work.append((v, i + 1))
                w = succ[i][1]
                if w not in index:
                    work.append((w, 0))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            for _, w in succ:
                if w in on:
                    low[v] = min(low[v], low[w])
            if low[v] == index[v]:
                n = len(set(comp.values()))
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp[w] = n
                    if w == v:
                        break
    return comp


def longest_path(scenario: dict[str, Any]) -> tuple[list[str] | None, int]:
    """(choices, steps) of the longest path that never repeats a state. Exact when the state
    graph has no cycle (choices given); otherwise an upper bound from its strongly connected
    components (choices None): every state of a component could be on the path."""
    engine = _engine()
    states, moves = state_graph(scenario)
    start = state_key(engine.initial_state(scenario))
    comp = _sccs(list(states), moves)
    size: dict[int, int] = {}
    for c in comp.values():
        size[c] = size.get(c, 0) + 1
    acyclic = all(v == 1 for v in size.values()) and not any(
        k == n for k, ms in moves.items() for _, n in ms
    )
    if acyclic:
        best: dict[str, tuple[int, str | None, str | None]] = {}

        def dp(key: str) -> int:
            todo = [key]
            while todo:
                k = todo[-1]
                pending = [n for _, n in moves[k] if n not in best]
                if pending:
                    todo.extend(pending)
                    continue
                todo.pop()
                if k in best:
                    continue
                options = [(best[n][0] + 1, c, n) for c, n in moves[k]]
                best[k] = max(options) if options else (0, None, None)
            return best[key][0]

        steps = dp(start)
        choices, k = [], start
        while best[k][1] is not None:
            choices.append(best[k][1])
            k = best[k][2]
        return choices, steps
    # components in topological order come out of Tarjan reversed: longest weighted chain
    weight: dict[int, int] = {}
    for c in sorted(size):
        succs = {comp[n] for k, ms in moves.items() if comp[k] == c for _, n in ms} - {c}
        weight[c] = size[c] + max((weight[s] for s in succs), default=0)
    return None, weight[comp[start]] - 1


def _longest_walk(
    course: dict[str, Any], scenario: dict[str, Any], per_scenario: list[dict[str, Any]] | None
) -> list[str]:
    """The walked (or sampled) path with the longest resume encoding."""
    from elearn.core import walk

    if per_scenario is not None:
        vec = next(v for v in per_scenario if v["id"] == scenario["id"])
        return max(vec["paths"], key=lambda p: len(p["suspend"]))["choices"]
    walks, _ = walk.walk_paths(scenario, limit=200, seed=SEED)
    part = {w.choices: len(loop_free_indexes(scenario, w.final)) for w in walks}
    return list(max(part, key=lambda k: part[k]))


def longest_suspend(
    course: dict[str, Any], per_scenario: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The longest resume data the course can produce: every scenario on its longest path that
    never repeats a state (all resume data keeps), the last scenario current, the longest
    language code. Exact when the scenarios' state graphs have no cycle (`exact`); otherwise the
    longest walked or sampled path is encoded and `bound` is a proven upper limit."""
    engine = _engine()
    states = {}
    bound = 0
    exact = True
    for scenario in course["scenarios"]:
        choices, steps = longest_path(scenario)
        widest = max(
            len(_index(len(n["choices"]) - 1)) for n in scenario["nodes"].values() if n["choices"]
        )
        bound += 1 + steps * widest
        if choices is None:
            exact = False
            choices = _longest_walk(course, scenario, per_scenario)
        s = engine.initial_state(scenario)
        for cid in choices:
            s = engine.choose(scenario, s, cid).state
        states[scenario["id"]] = s
    lang = max(course["languages"], key=len)
    last = course["scenarios"][-1]["id"]
    text = encode(course, {"lang": lang, "current": last, "scenarios": states})
    overhead = len(text) - sum(len(p) for p in text.split(".")[3:])
    return {"length": len(text), "suspend": text, "bound": overhead + bound, "exact": exact}


def course_vectors(course_dir: Path) -> dict[str, Any] | None:
    """None for a course that does not validate (a course being written; its own tests fail)."""
    from elearn.content import load_course

    loaded = load_course(course_dir)
    if not loaded.ok or loaded.compiled is None:
        return None
    course = loaded.compiled
    per_scenario = [scenario_vectors(course, s) for s in course["scenarios"]]
    return {
        "id": course["id"],
        "dir": str(course_dir),
        "course": course,
        "scenarios": per_scenario,
        "runs": course_runs(course, per_scenario),
        "longest_suspend": longest_suspend(course, per_scenario),
    }


def all_vectors(*roots: Path) -> dict[str, Any]:
    from elearn.content import discover_courses

    courses, skipped = [], []
    for d in [d for root in roots for d in discover_courses(root)]:
        vec = course_vectors(d)
        if vec is None:
            skipped.append(d.name)
        else:
            courses.append(vec)
    return {"seed": SEED, "sample": SAMPLE, "courses": courses, "skipped": skipped}


def summary(vectors: dict[str, Any]) -> list[str]:
    """One line per scenario (paths covered, all or a sample) and per course (resume data)."""
    lines = [f"{name}: skipped, it does not validate" for name in vectors.get("skipped", [])]
    for c in vectors["courses"]:
        for s in c["scenarios"]:
            kind = "every path" if s["exhaustive"] else f"seeded sample (seed {vectors['seed']})"
            lines.append(f"{c['id']}/{s['id']}: {len(s['paths'])} paths ({kind})")
        ls = c["longest_suspend"]
        kind = "exact maximum" if ls["exact"] else f"upper bound {ls['bound']}"
        lines.append(
            f"{c['id']}: {len(c['runs'])} course runs; longest suspend_data {ls['length']} chars "
            f"({kind})"
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
