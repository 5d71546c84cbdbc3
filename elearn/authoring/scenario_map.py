"""The scenario as a picture: nodes, choices as arrows with their points and conditions, endings
by outcome, unreachable nodes and dead ends marked; laid out by Graphviz (`dot`) as SVG.

What is reachable and what is a dead end comes from the validator's exploration of the state
space (`content.graph.explore`, over the core's one walker): a node is unreachable when no way of
playing reaches it, conditions included (so the map also shows a node that an arrow leads to but
whose `if` never holds on the way), and a dead end when some situation it can be reached in has
no way on to an ending. The same `ScenarioMap` feeds the SVG and its text alternative (a table of
nodes and their choices for screen readers), so the two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import graphviz

from elearn.content.graph import Exploration
from elearn.core import engine
from elearn.core.conditions import to_text
from elearn.i18n import gettext

# Outcome colours (with a word in the label too: never colour alone), light fills so the dark
# text keeps a contrast well above 4.5:1.
OUTCOME_FILL = {"good": "#d5f5dc", "mixed": "#fff1c2", "poor": "#fbd9d9"}
EXCERPT = 48  # characters of a node's text shown under its id


@dataclass
class MapChoice:
    """One arrow: a choice (or one of its routes) from a node to the next."""

    choice_id: str
    target: str
    points: int
    condition: str | None  # the choice's `if`: when it is offered
    route: str | None  # the route's `if`: when this route is the one taken


@dataclass
class MapNode:
    id: str
    excerpt: str
    outcome: str | None  # endings only
    reachable: bool = True
    dead_end: bool = False
    choices: list[MapChoice] = field(default_factory=list)


@dataclass
class ScenarioMap:
    scenario_id: str
    title: dict[str, str]
    start: str
    nodes: list[MapNode]
    explored: bool  # False when the state space was too large to explore (E060)

    @property
    def unreachable(self) -> list[str]:
        return [n.id for n in self.nodes if not n.reachable]

    @property
    def dead_ends(self) -> list[str]:
        return [n.id for n in self.nodes if n.dead_end]


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _marks(scenario: dict[str, Any], explored: Exploration | None) -> tuple[set[str], set[str]]:
    """(reachable node ids, dead-end node ids) from the exploration's states: a node is a dead
    end when, in some situation the learner can reach it in, no ending can be reached."""
    if explored is None or not explored.states:
        return set(scenario["nodes"]), set()
    reachable = {nid for nid, _ in explored.states}
    dead = {
        nid for (nid, _), alive in zip(explored.states, explored.alive, strict=False) if not alive
    }
    return reachable, dead


def scenario_map(scenario: dict[str, Any], explored: Exploration | None, lang: str) -> ScenarioMap:
    """The map of one compiled scenario (valid, or a draft with errors)."""
    reachable, dead = _marks(scenario, explored)
    nodes = []
    for nid in scenario["node_order"]:
        node = scenario["nodes"][nid]
        text = node["text"].get(lang) or next(iter(node["text"].values()), "")
        outcome = node["ending"]["outcome"] if engine.is_ending(node) else None
        item = MapNode(nid, _excerpt(text), outcome, nid in reachable, nid in dead)
        for choice in node["choices"]:
            when = to_text(choice["if"]) if choice.get("if") else None
            for r in choice["next"]:
                route = to_text(r["if"]) if r.get("if") else None
                item.choices.append(MapChoice(choice["id"], r["to"], choice["points"], when, route))
        nodes.append(item)
    explored_ok = explored is not None and bool(explored.states)
    return ScenarioMap(scenario["id"], scenario["title"], scenario["start"], nodes, explored_ok)


def _points(points: int) -> str:
    return f"+{points}" if points > 0 else str(points)


def _node_label(node: MapNode, start: bool) -> str:
    lines = [node.id, node.excerpt]
    if start:
        lines.insert(0, gettext("START"))
    if node.outcome:
        outcome = {"good": gettext("good"), "mixed": gettext("mixed"), "poor": gettext("poor")}
        lines.insert(1, gettext("Ending: %(outcome)s", outcome=outcome[node.outcome]))
    if not node.reachable:
        lines.append(gettext("UNREACHABLE"))
    if node.dead_end:
        lines.append(gettext("DEAD END: no ending can be reached"))
    return "\n".join(lines)


def _edge_label(c: MapChoice) -> str:
    lines = [f"{c.choice_id} ({_points(c.points)})"]
    if c.condition:
        lines.append(gettext("offered if %(condition)s", condition=c.condition))
    if c.route:
        lines.append(gettext("goes here if %(condition)s", condition=c.route))
    return "\n".join(lines)


def to_dot(m: ScenarioMap, node_url: Callable[[str], str]) -> graphviz.Digraph:
    """The map as a Graphviz graph: top to bottom, the start first, endings at the bottom."""
    dot = graphviz.Digraph(m.scenario_id, format="svg")
    dot.attr(rankdir="TB", nodesep="0.35", ranksep="0.55", fontname="Helvetica")
    dot.attr("node", shape="box", style="rounded,filled", fillcolor="#ffffff", color="#1e2b3c")
    dot.attr("node", fontname="Helvetica", fontsize="11", margin="0.12,0.06")
    dot.attr("edge", fontname="Helvetica", fontsize="9", color="#44546a")
    endings = []
    for node in m.nodes:
        # Author text goes through `nohtml`: Graphviz takes a value in `<…>` as HTML-like and
        # unquoted, so `<x> URL="javascript:…" y=<z>` would set attributes of the node.
        attrs = {
            "id": f"node-{node.id}",
            "URL": node_url(node.id),
            "target": "_top",
            "tooltip": graphviz.nohtml(node.excerpt or node.id),
        }
        if node.outcome:
            endings.append(node.id)
            attrs.update(shape="box", style="filled,bold", fillcolor=OUTCOME_FILL[node.outcome])
        if node.id == m.start:
            attrs.update(penwidth="2.5")
        if not node.reachable:
            attrs.update(style="rounded,filled,dashed", fillcolor="#eeeeee", color="#5a5a5a")
        if node.dead_end:
            attrs.update(color="#b3261e", penwidth="3", fillcolor="#fde7e5")
        dot.node(node.id, graphviz.nohtml(_node_label(node, node.id == m.start)), **attrs)
        for k, c in enumerate(node.choices):
            dot.edge(
                node.id,
                c.target,
                label=graphviz.nohtml(_edge_label(c)),
                id=f"edge-{node.id}-{c.choice_id}-{k}",
                style="dashed" if c.condition or c.route else "solid",
                color="#b3261e" if c.points < 0 else "#1e6b33" if c.points > 0 else "#44546a",
            )
    with dot.subgraph() as bottom:
        bottom.attr(rank="sink")
        for nid in endings:
            bottom.node(nid)
    return dot


def to_svg(m: ScenarioMap, node_url: Callable[[str], str]) -> str:
    """The SVG text (Graphviz's `dot` must be installed: `make graphviz`)."""
    svg = to_dot(m, node_url).pipe(format="svg", encoding="utf-8")
    # Graphviz starts with an XML declaration and DOCTYPE: fine in a file, not inside HTML.
    return svg[svg.index("<svg") :]
