"""The one state-space walker: every way through a scenario, played with the engine itself.

Used by the validator's checks, the course tests (every path ends, the best passes), the shared
test vectors that hold the packages' JavaScript runtime to the Python engine, the longest resume
data and the reading-time estimate. Paths are walked in the state space (node + variables), never
through the same state twice on one path, so loops the validator allows cannot make a walk
endless. When a scenario has more paths than `limit`, a seeded random sample of `limit` distinct
walks stands in for all of them; the paths are counted first (over the state graph), so a large
scenario is sampled straight away instead of being enumerated up to the limit and thrown away.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from elearn.core import engine

Scenario = dict[str, Any]

DEFAULT_LIMIT = 5000
WORDS_PER_MINUTE = 180  # careful reading of professional text on screen
SECONDS_PER_DECISION = 20  # weighing the choices before picking one


@dataclass(frozen=True)
class Walk:
    """The choices of one full path and the states it went through (first is the start)."""

    choices: tuple[str, ...]
    states: tuple[engine.State, ...]

    @property
    def final(self) -> engine.State:
        return self.states[-1]


def _key(state: engine.State) -> tuple[str, tuple[tuple[str, Any], ...]]:
    return state["node"], tuple(sorted(state["vars"].items()))


def walk_paths(
    scenario: Scenario, limit: int = DEFAULT_LIMIT, seed: int = 0
) -> tuple[list[Walk], bool]:
    """(walks, exhaustive): every path to an ending, or a seeded sample when there are more."""
    counted = count_paths(scenario)
    if counted is not None and counted > limit:
        return sample_paths(scenario, limit, seed), False
    walks: list[Walk] = []
    start = engine.initial_state(scenario)

    def dfs(states: list[engine.State], choices: list[str], seen: set[Any]) -> bool:
        state = states[-1]
        if state["ended"]:
            walks.append(Walk(tuple(choices), tuple(states)))
            return len(walks) <= limit
        for choice in engine.offered_choices(scenario, state):
            step = engine.choose(scenario, state, choice["id"])
            key = _key(step.state)
            if key in seen:
                continue  # a loop back to a state already on this path
            seen.add(key)
            states.append(step.state)
            choices.append(choice["id"])
            going = dfs(states, choices, seen)
            choices.pop()
            states.pop()
            seen.discard(key)
            if not going:
                return False
        return True

    if dfs([start], [], {_key(start)}):
        return walks, True
    return sample_paths(scenario, limit, seed), False


def optimal_walk(scenario: Scenario, best: bool = True) -> Walk:
    """The path with the most (or fewest) points, found over states, not paths: it exists even
    where there are too many paths to walk. Loops gain nothing (the validator's E037), so a
    path never needs to visit a state twice."""
    pick = max if best else min
    memo: dict[Any, tuple[int, tuple[str, ...]]] = {}

    def solve(state: engine.State, on_path: frozenset[Any]) -> tuple[int, tuple[str, ...]] | None:
        if state["ended"]:
            return 0, ()
        key = _key(state)
        if key in memo:
            return memo[key]
        options = []
        for choice in engine.offered_choices(scenario, state):
            step = engine.choose(scenario, state, choice["id"])
            nxt = _key(step.state)
            if nxt in on_path:
                continue
            rest = solve(step.state, on_path | {nxt})
            if rest is not None:
                options.append((choice.get("points", 0) + rest[0], (choice["id"], *rest[1])))
        if not options:
            return None
        memo[key] = pick(options, key=lambda o: o[0])
        return memo[key]

    start = engine.initial_state(scenario)
    found = solve(start, frozenset({_key(start)}))
    assert found is not None, "validated scenarios always reach an ending"
    return replay(scenario, found[1])


def replay(scenario: Scenario, choices: tuple[str, ...] | list[str]) -> Walk:
    """The states a sequence of choices goes through (InvalidChoice if one is not offered)."""
    states = [engine.initial_state(scenario)]
    for choice_id in choices:
        states.append(engine.choose(scenario, states[-1], choice_id).state)
    return Walk(tuple(choices), tuple(states))


def sample_paths(scenario: Scenario, count: int, seed: int = 0) -> list[Walk]:
    """Up to `count` distinct random walks, the same ones for the same seed."""
    rng = random.Random(seed)
    found: dict[tuple[str, ...], Walk] = {}
    for _ in range(count * 4):
        if len(found) >= count:
            break
        state = engine.initial_state(scenario)
        states, choices, seen = [state], [], {_key(state)}
        while not state["ended"]:
            offered = engine.offered_choices(scenario, state)
            steps = [engine.choose(scenario, state, c["id"]) for c in offered]
            fresh = [s for s in steps if _key(s.state) not in seen] or steps
            step = rng.choice(fresh)
            state = step.state
            seen.add(_key(state))
            states.append(state)
            choices.append(step.choice["id"])
        found.setdefault(tuple(choices), Walk(tuple(choices), tuple(states)))
    return list(found.values())


@functools.lru_cache(maxsize=16_384)
def _words(text: str) -> int:
    """Cached: the same few hundred texts are counted once per path otherwise."""
    return len(re.findall(r"\w+", text))


def words_read(scenario: Scenario, walk: Walk, lang: str) -> int:
    """What a learner reads on this path: each node's visible text, its reflection, the offered
    choices, the feedback of the one taken, and the ending."""
    total = 0
    for state, choice_id in zip(walk.states, [*walk.choices, None], strict=True):
        node = scenario["nodes"][state["node"]]
        total += sum(_words(t[lang]) for t in engine.visible_text(node, state))
        if node.get("reflection"):
            total += _words(node["reflection"][lang])
        if choice_id is None:
            total += _words(node["ending"]["title"][lang]) if engine.is_ending(node) else 0
            continue
        offered = engine.offered_choices(scenario, state)
        total += sum(_words(c["text"][lang]) for c in offered)
        taken = next(c for c in offered if c["id"] == choice_id)
        total += _words(taken["feedback"][lang])
    return total


def scenario_minutes(scenario: Scenario, lang: str, limit: int = 200) -> float:
    """The mean time over the scenario's paths (or a sample of them)."""
    walks, _ = walk_paths(scenario, limit=limit)
    if not walks:
        return 0.0
    seconds = [
        words_read(scenario, w, lang) / WORDS_PER_MINUTE * 60
        + len(w.choices) * SECONDS_PER_DECISION
        for w in walks
    ]
    return sum(seconds) / len(seconds) / 60


def estimate_minutes(course: dict[str, Any], lang: str | None = None) -> float:
    """Reading and deciding time for the whole course, from its text: what `estimated_minutes`
    should be close to. Counts the opening and content notice, then every scenario once."""
    lang = lang or course["languages"][0]
    words = sum(
        _words(course[k][lang]) for k in ("introduction", "content_notice") if course.get(k)
    )
    return words / WORDS_PER_MINUTE + sum(scenario_minutes(s, lang) for s in course["scenarios"])


# -- the state graph ------------------------------------------------------------------------------


def state_key(state: engine.State) -> str:
    """A state as text: node, variables (bools as 0/1, sorted by name) and points; the packages'
    engine.js computes the same key (`stateKey`)."""
    items = ",".join(f"{k}={int(state['vars'][k])}" for k in sorted(state["vars"]))
    return f"{state['node']}|{items}|{state['points']}"


@dataclass(frozen=True)
class StateGraph:
    """Every reachable (node, variables, points) state of a scenario and its moves."""

    start: str
    states: dict[str, engine.State]
    moves: dict[str, list[tuple[str, str]]]  # state key -> [(choice id, next state key)]


def state_graph(scenario: Scenario) -> StateGraph:
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
    return StateGraph(state_key(start), states, moves)


def strongly_connected(
    nodes: Iterable[Hashable], successors: Callable[[Any], Sequence[Hashable]]
) -> list[list[Any]]:
    """Tarjan's strongly connected components, iteratively (state graphs can be deep). The
    components come out sinks first, i.e. in reverse topological order."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on_stack: set[Any] = set()
    stack: list[Any] = []
    comps: list[list[Any]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(successors(root)))]
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors(w))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
            if low[v] == index[v]:
                members = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    members.append(w)
                    if w == v:
                        break
                comps.append(members)
    return comps


def _is_acyclic(graph: StateGraph) -> bool:
    comps = strongly_connected(graph.moves, lambda k: [n for _, n in graph.moves[k]])
    return all(len(c) == 1 for c in comps) and not any(
        k == n for k, ms in graph.moves.items() for _, n in ms
    )


def count_paths(scenario: Scenario, graph: StateGraph | None = None) -> int | None:
    """How many paths lead from the start to an ending, or None when the state graph has a loop
    (then paths that never repeat a state can only be counted by walking them). `graph`: the
    scenario's state graph when the caller has it already."""
    graph = graph or state_graph(scenario)
    if not _is_acyclic(graph):
        return None
    counts: dict[str, int] = {}
    for key in _post_order(graph):
        counts[key] = (
            1 if graph.states[key]["ended"] else sum(counts[n] for _, n in graph.moves[key])
        )
    return counts[graph.start]


def _post_order(graph: StateGraph) -> list[str]:
    """The states of an acyclic graph, every state after all the states it leads to."""
    order: list[str] = []
    done: set[str] = set()
    work = [(graph.start, False)]
    while work:
        key, expanded = work.pop()
        if expanded:
            if key not in done:
                done.add(key)
                order.append(key)
            continue
        if key in done:
            continue
        work.append((key, True))
        work.extend((n, False) for _, n in graph.moves[key] if n not in done)
    return order


def longest_path(
    scenario: Scenario, graph: StateGraph | None = None
) -> tuple[list[str] | None, int]:
    """(choices, steps) of the longest path that never repeats a state. Exact when the state
    graph has no loop (choices given); otherwise an upper bound from its strongly connected
    components (choices None): every state of a component could be on the path."""
    graph = graph or state_graph(scenario)
    if _is_acyclic(graph):
        best: dict[str, tuple[int, str | None, str | None]] = {}
        for key in _post_order(graph):
            options = [(best[n][0] + 1, c, n) for c, n in graph.moves[key]]
            best[key] = max(options) if options else (0, None, None)
        choices, k = [], graph.start
        while best[k][1] is not None:
            choices.append(best[k][1])
            k = best[k][2]
        return choices, best[graph.start][0]
    comps = strongly_connected(graph.moves, lambda k: [n for _, n in graph.moves[k]])
    comp = {k: i for i, members in enumerate(comps) for k in members}
    weight: dict[int, int] = {}
    for i, members in enumerate(comps):  # sinks first: successors are already weighed
        succs = {comp[n] for k in members for _, n in graph.moves[k]} - {i}
        weight[i] = len(members) + max((weight[s] for s in succs), default=0)
    return None, weight[comp[graph.start]] - 1


# -- a bounded walk over any state space ----------------------------------------------------------


class TooManyStates(Exception):
    """More states are reachable than the caller allowed; `states` were found before stopping."""

    def __init__(self, limit: int):
        super().__init__(f"more than {limit:,} states")
        self.limit = limit


def reachable(
    start: Hashable,
    moves: Callable[[Any], Iterable[tuple[Hashable, Any]]],
    limit: int | None = None,
) -> tuple[list[Any], list[list[tuple[int, Any]]]]:
    """Every state reachable from `start`, breadth first (start is index 0), and for each state its
    moves as (index of the next state, label). Raises TooManyStates beyond `limit` states, so the
    work stays bounded however the states multiply."""
    index = {start: 0}
    states: list[Any] = [start]
    edges: list[list[tuple[int, Any]]] = []
    for state in states:  # grows while it is read: breadth first
        out: list[tuple[int, Any]] = []
        for nxt, label in moves(state):
            k = index.get(nxt)
            if k is None:
                if limit is not None and len(states) >= limit:
                    raise TooManyStates(limit)
                k = index[nxt] = len(states)
                states.append(nxt)
            out.append((k, label))
        edges.append(out)
    return states, edges


def ending_counts(scenario: Scenario, graph: StateGraph | None = None) -> dict[str, int] | None:
    """How many paths end at each ending node, counted over the state graph like `count_paths`
    (so exact however many paths there are); None when the state graph has a loop."""
    graph = graph or state_graph(scenario)
    if not _is_acyclic(graph):
        return None
    counts: dict[str, dict[str, int]] = {}
    for key in _post_order(graph):
        state = graph.states[key]
        if state["ended"]:
            counts[key] = {state["node"]: 1}
            continue
        total: dict[str, int] = {}
        for _, nxt in graph.moves[key]:
            for node, n in counts[nxt].items():
                total[node] = total.get(node, 0) + n
        counts[key] = total
    return counts[graph.start]
