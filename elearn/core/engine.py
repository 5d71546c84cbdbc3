"""The scenario engine: plays the compiled course form (docs/course-format.md), nothing else.

Pure functions over plain dicts so the same rules can be mirrored in the exported packages'
JavaScript runtime and checked against it with shared test vectors. A scenario state is JSON:
    {"node": id, "vars": {...}, "points": int, "path": [[node_id, choice_id], ...], "ended": bool}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from elearn.core.conditions import evaluate

Scenario = dict[str, Any]
State = dict[str, Any]


class InvalidChoice(ValueError):
    """The learner sent a choice that is not offered at the current node (stale page, tampering)."""


@dataclass(frozen=True)
class Step:
    """What one choice did: the new state and what the learner should be told."""

    state: State
    choice: dict[str, Any]
    from_node: str
    to_node: str


def initial_state(scenario: Scenario) -> State:
    return {
        "node": scenario["start"],
        "vars": {name: spec["default"] for name, spec in scenario["variables"].items()},
        "points": 0,
        "path": [],
        "ended": is_ending(scenario["nodes"][scenario["start"]]),
    }


def is_ending(node: dict[str, Any]) -> bool:
    return node.get("ending") is not None


def current_node(scenario: Scenario, state: State) -> dict[str, Any]:
    return scenario["nodes"][state["node"]]


def offered_choices(scenario: Scenario, state: State) -> list[dict[str, Any]]:
    """The node's choices whose `if` holds now, in authored order."""
    node = current_node(scenario, state)
    return [c for c in node.get("choices", []) if evaluate(c.get("if"), state["vars"])]


FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193


def fnv1a32(text: str) -> int:
    """FNV-1a, 32 bits, over the UTF-8 bytes: a hash engine.js computes bit for bit the same."""
    h = FNV_OFFSET
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return h


def choice_order(
    scenario_id: str, node: dict[str, Any], offered: list[dict[str, Any]], seed: str
) -> list[dict[str, Any]]:
    """The offered choices in the order this attempt shows them: shuffled by a hash of
    `seed|scenario|node|choice` (the same on every page of the attempt, different between
    attempts), or as written when the node says `order: fixed`. Choices keep their authored
    index everywhere else (resume data, SCORM responses): only the display order changes."""
    if node.get("order") == "fixed":
        return list(offered)
    return sorted(offered, key=lambda c: fnv1a32(f"{seed}|{scenario_id}|{node['id']}|{c['id']}"))


def visible_text(node: dict[str, Any], state: State) -> list[dict[str, str]]:
    """The node's text followed by every conditional paragraph that holds now."""
    texts = [node["text"]]
    texts += [
        c["text"] for c in node.get("conditional_text", []) if evaluate(c["if"], state["vars"])
    ]
    return texts


def apply_effects(
    scenario: Scenario, vars_: dict[str, Any], choice: dict[str, Any]
) -> dict[str, Any]:
    """`set` first, then `add` clamped into the variable's declared range."""
    out = dict(vars_)
    out.update(choice.get("set", {}))
    for name, delta in choice.get("add", {}).items():
        spec = scenario["variables"][name]
        out[name] = max(spec["min"], min(spec["max"], out[name] + delta))
    return out


def route(choice: dict[str, Any], vars_: dict[str, Any]) -> str:
    """The first route whose condition holds, evaluated after the choice's effects."""
    for r in choice["next"]:
        if evaluate(r.get("if"), vars_):
            return r["to"]
    raise AssertionError("validated courses always end routes with an unconditional one")


def choose(scenario: Scenario, state: State, choice_id: str) -> Step:
    if state["ended"]:
        raise InvalidChoice("the scenario has already ended")
    offered = {c["id"]: c for c in offered_choices(scenario, state)}
    if choice_id not in offered:
        raise InvalidChoice(f"choice {choice_id!r} is not offered at node {state['node']!r}")
    choice = offered[choice_id]
    new_vars = apply_effects(scenario, state["vars"], choice)
    target = route(choice, new_vars)
    new_state = {
        **state,
        "node": target,
        "vars": new_vars,
        "points": state["points"] + choice.get("points", 0),
        "ended": is_ending(scenario["nodes"][target]),
        # A new list: the old state stays as it was (the steps' [node, choice] pairs are shared).
        "path": [*state["path"], [state["node"], choice_id]],
    }
    return Step(state=new_state, choice=choice, from_node=state["node"], to_node=target)


def scaled_score(points: int, max_score: int) -> float:
    """The learner's share of the best possible score, in [0, 1] as xAPI wants it."""
    if max_score <= 0:
        return 0.0
    return round(max(0.0, min(1.0, points / max_score)), 4)


def progress(scenario: Scenario, state: State) -> tuple[int, int]:
    """(decisions made, decisions made + the fewest still needed) for the progress indicator:
    the learner has at least that many decisions on this path."""
    done = len(state["path"])
    return done, max(done + (0 if state["ended"] else scenario["remaining"][state["node"]]), 1)
