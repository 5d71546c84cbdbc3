"""The path explorer: what the ways through one scenario add up to, for its author.

Every figure comes from the core's one walker (`elearn.core.walk`): the state graph, the path
count, the best and worst paths, the longest path and the reading-time estimate. Exact where the
state graph has no loop; where it has one, counts come from the walker's (possibly sampled) paths
and say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from elearn.core import engine, walk


@dataclass(frozen=True)
class PathSummary:
    """One path as an author reads it: the choices, where it ends and its score."""

    choices: tuple[str, ...]
    ending: str
    outcome: str
    points: int
    minutes: float


@dataclass
class VariableRange:
    name: str
    kind: str  # "int" | "bool"
    low: Any
    high: Any


@dataclass
class ScenarioPaths:
    """The path explorer's figures for one scenario."""

    scenario_id: str
    paths: int  # every path from the start to an ending (a lower bound when not `exact`)
    exact: bool
    best: PathSummary
    worst: PathSummary
    longest: PathSummary | None  # None when loops make the longest path unknown
    longest_steps: int
    endings: list[tuple[str, str, int]] = field(default_factory=list)  # (node, outcome, paths)
    variables: list[VariableRange] = field(default_factory=list)
    states: int = 0


def minutes(scenario: dict[str, Any], w: walk.Walk, lang: str) -> float:
    """The walker's reading-and-deciding time for one path (as `walk.scenario_minutes`)."""
    seconds = (
        walk.words_read(scenario, w, lang) / walk.WORDS_PER_MINUTE * 60
        + len(w.choices) * walk.SECONDS_PER_DECISION
    )
    return seconds / 60


def _summary(scenario: dict[str, Any], w: walk.Walk, lang: str) -> PathSummary:
    end = scenario["nodes"][w.final["node"]]
    outcome = end["ending"]["outcome"] if engine.is_ending(end) else ""
    return PathSummary(w.choices, end["id"], outcome, w.final["points"], minutes(scenario, w, lang))


def _longest_in_minutes(scenario: dict[str, Any], graph: walk.StateGraph, lang: str) -> walk.Walk:
    """The path that takes longest to read and decide, over an acyclic state graph: each move
    weighs what `walk.words_read` counts for it (the situation, the offered choices, the
    feedback) plus a decision's seconds, so the longest path is found without walking them all.
    What is read depends on the node and the variables, not the points: weighed once per pair."""
    weights: dict[Any, float] = {}

    def situation(state: engine.State) -> Any:
        return state["node"], tuple(sorted(state["vars"].items()))

    def alone(state: engine.State) -> float:  # what is read at a state when the path stops there
        key = situation(state)
        if key not in weights:
            weights[key] = walk.words_read(scenario, walk.Walk((), (state,)), lang)
        return weights[key] / walk.WORDS_PER_MINUTE

    def step(state: engine.State, choice: str, nxt: engine.State) -> float:
        key = (situation(state), choice)
        if key not in weights:
            pair = walk.Walk((choice,), (state, nxt))
            weights[key] = walk.words_read(scenario, pair, lang) / walk.WORDS_PER_MINUTE - alone(
                nxt
            )
        return weights[key] + walk.SECONDS_PER_DECISION / 60

    best: dict[str, tuple[float, tuple[str, ...]]] = {}
    for key in reversed(_topological(graph)):  # every state after the states it leads to
        state = graph.states[key]
        options = [(alone(state), ())] if not graph.moves[key] else []
        for choice, nxt in graph.moves[key]:
            rest = best[nxt]
            options.append((step(state, choice, graph.states[nxt]) + rest[0], (choice, *rest[1])))
        best[key] = max(options)
    return walk.replay(scenario, best[graph.start][1])


def _topological(graph: walk.StateGraph) -> list[str]:
    """The states of an acyclic state graph, each before the states it leads to (the
    walker's strongly connected components come out sinks first, one state each)."""
    comps = walk.strongly_connected(graph.moves, lambda k: [n for _, n in graph.moves[k]])
    return [members[0] for members in reversed(comps)]


def _ranges(scenario: dict[str, Any], graph: walk.StateGraph) -> list[VariableRange]:
    out = []
    for name, spec in scenario["variables"].items():
        values = [s["vars"][name] for s in graph.states.values()]
        out.append(VariableRange(name, spec["type"], min(values), max(values)))
    return out


def explore_paths(scenario: dict[str, Any], lang: str) -> ScenarioPaths:
    """All the figures for one valid, compiled scenario."""
    graph = walk.state_graph(scenario)
    counted = walk.count_paths(scenario, graph)
    by_ending = walk.ending_counts(scenario, graph)
    exact = counted is not None
    if counted is None or by_ending is None:  # loops: count the walker's own paths
        walks, exact = walk.walk_paths(scenario)
        counted = len(walks)
        by_ending = {}
        for w in walks:
            by_ending[w.final["node"]] = by_ending.get(w.final["node"], 0) + 1
    choices, steps = walk.longest_path(scenario, graph)
    # Exact only without loops (then `choices` is known); with loops the bound in steps is shown.
    longest = (
        _summary(scenario, _longest_in_minutes(scenario, graph, lang), lang) if choices else None
    )
    nodes = scenario["nodes"]
    endings = [
        (nid, nodes[nid]["ending"]["outcome"], by_ending.get(nid, 0))
        for nid in scenario["node_order"]
        if engine.is_ending(nodes[nid])
    ]
    return ScenarioPaths(
        scenario_id=scenario["id"],
        paths=counted,
        exact=exact,
        best=_summary(scenario, walk.optimal_walk(scenario, best=True), lang),
        worst=_summary(scenario, walk.optimal_walk(scenario, best=False), lang),
        longest=longest,
        longest_steps=steps,
        endings=endings,
        variables=_ranges(scenario, graph),
        states=len(graph.states),
    )


def as_text(p: ScenarioPaths) -> list[str]:
    """The figures as lines for the terminal (`flask elearn paths`)."""

    def path(s: PathSummary) -> str:
        return (
            f"{s.points} point(s), ends at '{s.ending}' ({s.outcome}), "
            f"{s.minutes:.1f} min: {' → '.join(s.choices)}"
        )

    lines = [
        f"scenario '{p.scenario_id}': {'' if p.exact else 'at least '}{p.paths} path(s), "
        f"{p.states} state(s)",
        f"  best:    {path(p.best)}",
        f"  worst:   {path(p.worst)}",
    ]
    if p.longest is not None:
        lines.append(f"  longest: {path(p.longest)}")
    else:
        lines.append(f"  longest: at most {p.longest_steps} decision(s) (the scenario has loops)")
    total = sum(n for _, _, n in p.endings) or 1
    lines.append("  endings:")
    lines += [
        f"    {nid} ({outcome}): {n} path(s), {n / total:.0%}" for nid, outcome, n in p.endings
    ]
    if p.variables:
        lines.append("  variables:")
        for v in p.variables:
            low, high = (
                (str(v.low).lower(), str(v.high).lower()) if v.kind == "bool" else (v.low, v.high)
            )
            lines.append(f"    {v.name} ({v.kind}): {low} .. {high}")
    return lines
