"""The story graph of one scenario: structure checks, state-space exploration, scores.

Two levels, because authors make two kinds of mistakes:

* structure (`check_structure`): ids, targets, routes, conditions and variable types, plus what
  the node graph alone shows (unreachable nodes, loops with no exit at all);
* behaviour (`explore`): the scenario is *played* through every reachable combination of node and
  variable values with the engine's own functions and the core's one bounded walker
  (`walk.reachable`, `walk.strongly_connected`), so conditions that can never hold, choices that
  all disappear, and loops that pile up points are found before a learner finds them.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from elearn.content.loader import Document, YPath
from elearn.content.model import Choice, Node, Scenario, Variable
from elearn.content.problems import Problem
from elearn.content.schema import describe
from elearn.core import engine, walk
from elearn.core.conditions import Ast, ConditionError, parse, variables

# The most (node, variable values) combinations explored per scenario. The real courses have at
# most 3,400; beyond this the loop and score checks stop with E060 instead of running
# for minutes (docs/course-format.md, "Limits").
MAX_STATES = 20_000


@dataclass
class Structure:
    """What `check_structure` found. `sound` means the scenario can be compiled and played."""

    problems: list[Problem] = field(default_factory=list)
    asts: dict[YPath, Ast] = field(default_factory=dict)  # parsed conditions, by path of the text
    sound: bool = True
    static_dead: set[str] = field(default_factory=set)  # nodes reported E033 on the plain graph


@dataclass
class Exploration:
    """What `explore` found; scores are None when an error makes them meaningless. `graph` is
    kept for the reading-time estimate."""

    problems: list[Problem] = field(default_factory=list)
    max_score: int | None = None
    min_score: int | None = None
    states: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    moves: list[list[tuple[int, tuple[int, str]]]] = field(default_factory=list)
    acyclic: bool = False  # no state can be reached again (then `order` lists every state)
    order: list[int] = field(default_factory=list)  # each state after those it leads to
    alive: list[bool] = field(default_factory=list)  # per state: an ending can still be reached
    minutes: dict[str, float] = field(default_factory=dict)  # reading time by language (lints)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _closest(word: str, options: Iterable[str], n: int = 5) -> list[str]:
    """Options ordered by likeness to `word`, for hints that name what exists."""
    options = list(options)
    close = difflib.get_close_matches(word, options, n=n, cutoff=0)
    return close + [o for o in options if o not in close][: max(0, n - len(close))]


def _yes_no(value: Any) -> str:
    if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off", "y", "n"}:
        return f" ('{value}' is text in YAML 1.2; write true or false)"
    return ""


@dataclass
class _Var:
    kind: str | None  # "int" | "bool" | None when the declaration itself is broken
    low: int | None = None
    high: int | None = None


def _declared(spec: Variable | None) -> _Var:
    """A declaration as the checks need it; kind None when it is broken (reported already)."""
    if spec is None or spec.type not in ("int", "bool"):
        return _Var(None)
    if spec.type == "bool":
        return _Var("bool" if isinstance(spec.default, bool) else None)
    low, high, default = spec.min, spec.max, spec.default
    if _is_int(low) and _is_int(high) and _is_int(default) and low <= default <= high:
        return _Var("int", low, high)
    return _Var(None)


def _comparison_error(name: str, kind: str, op: str, value: Any) -> tuple[str, str] | None:
    if kind == "bool" and op not in ("==", "!="):
        return (
            f"'{name}' is true or false; it cannot be compared with '{op}'",
            f'write "{name}" or "not {name}"',
        )
    if kind == "bool" and not isinstance(value, bool):
        return (
            f"'{name}' is true or false, not a number: it cannot equal {value}",
            f'write "{name}" or "not {name}"',
        )
    if kind == "int" and isinstance(value, bool):
        return (
            f"'{name}' is a number; it cannot be compared with {str(value).lower()}",
            f'compare it with a number, e.g. "{name} >= 1"',
        )
    return None


class _StructureChecker:
    def __init__(self, doc: Document, scenario: Scenario, sound: bool):
        self.doc = doc
        self.scenario = scenario
        self.out = Structure(sound=sound)
        self.vars: dict[str, _Var] = {}
        self.read: set[str] = set()
        self.written: set[str] = set()
        self.unparsed = False
        self.ids: dict[str, int] = {}  # node id -> index of its first definition
        self.edges: dict[str, list[tuple[YPath, str]]] = {}  # node id -> (path of target, target)

    # -- reporting ------------------------------------------------------------------------------
    def error(
        self, path: YPath, code: str, message: str, hint: str = "", *, at_key: bool = False
    ) -> None:
        """A structural error: the scenario cannot be played safely, so exploration is skipped."""
        self.out.problems.append(self.doc.problem(path, code, message, hint, at_key=at_key))
        self.out.sound = False

    def report(self, path: YPath, code: str, message: str, hint: str = "") -> None:
        """An error or warning that does not stop exploration (E032, E033, W002)."""
        self.out.problems.append(self.doc.problem(path, code, message, hint))

    # -- variables and conditions ---------------------------------------------------------------
    def undeclared(self, name: str) -> tuple[str, str]:
        message = f"the variable '{name}' is not declared"
        close = difflib.get_close_matches(name, list(self.vars), n=1, cutoff=0.6)
        if close:
            return message, f"did you mean '{close[0]}'?"
        if self.vars:
            return message, f"declare it under `variables:` (declared: {', '.join(self.vars)})"
        return message, "declare it under `variables:` with a type and a default"

    def type_errors(self, ast: Ast) -> list[tuple[str, str]]:
        """E041 messages for one parsed condition: undeclared names and ill-typed comparisons."""
        if "not" in ast:
            return self.type_errors(ast["not"])
        if "and" in ast or "or" in ast:
            return [e for part in ast.get("and", ast.get("or", [])) for e in self.type_errors(part)]
        name = ast["var"]
        if name not in self.vars:
            return [self.undeclared(name)]
        kind = self.vars[name].kind
        if "cmp" not in ast or kind is None:
            return []
        found = _comparison_error(name, kind, ast["cmp"], ast["value"])
        return [found] if found else []

    def condition(self, path: YPath, text: str | None) -> None:
        if text is None:
            return
        try:
            ast = parse(text)
        except ConditionError as exc:
            self.unparsed = True
            self.error(
                path,
                "E040",
                f"the condition {text!r} does not parse: {exc}",
                'conditions look like "trust >= 2 and not parents_told"',
            )
            return
        except RecursionError:
            self.unparsed = True
            self.error(path, "E040", "the condition is nested too deeply", "simplify it")
            return
        self.out.asts[path] = ast
        self.read |= variables(ast)
        for message, hint in self.type_errors(ast):
            self.error(path, "E041", message, hint)

    def effects(self, path: YPath, choice: Choice) -> None:
        """`set` values must fit the variable's type and range; `add` is for ints only."""
        for key, values in (("set", choice.set), ("add", choice.add)):
            for name, value in (values or {}).items():
                where = (*path, key, name)
                self.written.add(name)
                if name not in self.vars:
                    message, hint = self.undeclared(name)
                    self.error(where, "E041", message, hint, at_key=True)
                    continue
                found = _effect_error(name, self.vars[name], key, value)
                if found:
                    self.error(where, "E041", *found)

    # -- nodes ----------------------------------------------------------------------------------
    def nodes(self) -> list[tuple[int, str, Node]]:
        found = []
        for i, node in enumerate(self.scenario.nodes or []):
            if node is None or node.id is None:
                self.out.sound = False
                continue
            if node.id in self.ids:
                first = self.doc.position(("nodes", self.ids[node.id], "id"))[0]
                self.error(
                    ("nodes", i, "id"),
                    "E030",
                    f"the node id '{node.id}' is used twice",
                    f"it is first used on line {first}; give each node its own id",
                )
                continue
            self.ids[node.id] = i
            found.append((i, node.id, node))
        return found

    def node(self, i: int, nid: str, node: Node) -> None:
        path: YPath = ("nodes", i)
        self.edges[nid] = []
        if node.choices and node.ending is not None:
            self.error(
                path,
                "E034",
                f"node '{nid}' has both choices and an ending",
                "a node is a decision (choices) or an ending, never both: split it in two",
            )
        elif not node.choices and node.ending is None:
            self.error(
                path,
                "E034",
                f"node '{nid}' has neither choices nor an ending",
                "add `choices:` (a decision) or `ending:` (how the story ends)",
            )
        for k, item in enumerate(node.conditional_text or []):
            if item is not None:
                self.condition((*path, "conditional_text", k, "if"), item.when)
        choice_ids: dict[str, int] = {}
        for j, choice in enumerate(node.choices or []):
            cpath = (*path, "choices", j)
            if choice is None or choice.id is None:
                self.out.sound = False
                continue
            if choice.id in choice_ids:
                first = self.doc.position((*path, "choices", choice_ids[choice.id], "id"))[0]
                self.error(
                    (*cpath, "id"),
                    "E030",
                    f"the choice id '{choice.id}' is used twice in node '{nid}'",
                    f"it is first used on line {first}; give each choice its own id",
                )
            else:
                choice_ids[choice.id] = j
            self.choice(nid, cpath, choice)

    def choice(self, nid: str, path: YPath, choice: Choice) -> None:
        self.condition((*path, "if"), choice.when)
        self.effects(path, choice)
        if isinstance(choice.next, str):
            self.edges[nid].append(((*path, "next"), choice.next))
            return
        routes = choice.next or []
        for k, route in enumerate(routes):
            rpath = (*path, "next", k)
            if route is None or route.to is None:
                self.out.sound = False
                continue
            self.edges[nid].append(((*rpath, "to"), route.to))
            self.condition((*rpath, "if"), route.when)
            self.route_order(rpath, route.when is not None, k == len(routes) - 1)

    def route_order(self, rpath: YPath, has_if: bool, last: bool) -> None:
        if last and has_if:
            self.error(
                rpath,
                "E036",
                "the last route has an `if`: when it does not hold there is nowhere to go",
                "remove the `if` from the last route; it is the way taken otherwise",
            )
        elif not last and not has_if:
            self.error(
                rpath,
                "E036",
                "only the last route may lack an `if`: the routes after this one are never used",
                "give this route an `if`, or move it to the end",
            )

    # -- the graph ------------------------------------------------------------------------------
    def targets(self) -> None:
        for targets in self.edges.values():
            for path, target in targets:
                if target not in self.ids:
                    self.missing_node(path, target)

    def missing_node(self, path: YPath, target: str) -> None:
        existing = _closest(target, self.ids)
        self.error(
            path,
            "E031",
            f"there is no node '{target}'",
            f"existing nodes: {', '.join(existing)}" if existing else "add the node",
        )

    def reachability(self, start: str, nodes: list[tuple[int, str, Node]]) -> None:
        """E032 for nodes the start cannot reach; E033 where the plain graph has no way out."""
        succ = {nid: [t for _, t in self.edges[nid] if t in self.ids] for _, nid, _ in nodes}
        reach = _bfs([start], succ)
        for i, nid, _ in nodes:
            if nid not in reach:
                self.report(
                    ("nodes", i),
                    "E032",
                    f"node '{nid}' cannot be reached from the start ('{start}')",
                    "lead to it with a `next`, or remove it",
                )
        # Optimistic about what is already an error (missing targets, nodes with neither
        # choices nor ending) so one mistake is not reported twice.
        pred: dict[str, list[str]] = {nid: [] for _, nid, _ in nodes}
        for a, targets in succ.items():
            for b in targets:
                pred[b].append(a)
        alive = _bfs([nid for _, nid, node in nodes if self.has_exit(nid, node)], pred)
        dead = reach - alive
        for i, nid, _ in nodes:
            if nid in dead and (nid == start or any(p in reach - dead for p in pred[nid])):
                loop = _walk_loop(nid, lambda n: [t for t in succ[n] if t in dead])
                self.out.static_dead.add(nid)
                self.report(
                    ("nodes", i),
                    "E033",
                    f"no ending can be reached from '{nid}': every choice leads into a loop "
                    f"with no way out ({' → '.join(loop)})",
                    "add a choice that leads on towards an ending",
                )
        self.out.static_dead |= dead

    def has_exit(self, nid: str, node: Node) -> bool:
        return (
            node.ending is not None
            or not node.choices
            or not self.edges[nid]
            or any(t not in self.ids for _, t in self.edges[nid])
        )

    def start(self, nodes: list[tuple[int, str, Node]]) -> None:
        start = self.scenario.start
        if start is None:
            self.out.sound = False
        elif start not in self.ids:
            self.missing_node(("start",), start)
        else:
            start_node = next(n for _, nid, n in nodes if nid == start)
            if start_node.ending is not None:
                self.error(
                    ("start",),
                    "E038",
                    f"the scenario starts at the ending '{start}': the learner has nothing to decide",
                    "start at a node with choices",
                )
            self.reachability(start, nodes)

    def unused_variables(self) -> None:
        if self.unparsed:
            return
        for name in self.scenario.variables or {}:
            if name not in self.read:
                only_set = " (it is only set, never read)" if name in self.written else ""
                self.out.problems.append(
                    self.doc.problem(
                        ("variables", name),
                        "W002",
                        f"the variable '{name}' is declared but no condition uses it{only_set}",
                        "use it in an `if`, or remove it",
                        at_key=True,
                    )
                )

    def run(self) -> Structure:
        self.vars = {
            name: _declared(spec) for name, spec in (self.scenario.variables or {}).items()
        }
        nodes = self.nodes()
        for i, nid, node in nodes:
            self.node(i, nid, node)
        self.targets()
        self.start(nodes)
        self.unused_variables()
        return self.out


def _effect_error(name: str, var: _Var, key: str, value: Any) -> tuple[str, str] | None:
    """E041 (message, hint) for one `set`/`add` entry, or None when it fits the variable."""
    if key == "add":
        if var.kind == "bool":
            return (
                f"'{name}' is true or false; `add` works only on int variables",
                f"use `set: {{{name}: true}}`",
            )
        if not _is_int(value):
            return (
                f"`add` needs a whole number, got {describe(value)}",
                f"e.g. `add: {{{name}: 1}}` or `{{{name}: -1}}`",
            )
        return None
    if var.kind == "bool" and not isinstance(value, bool):
        return (
            f"'{name}' is true or false; it cannot be set to {describe(value)}",
            "write true or false" + _yes_no(value),
        )
    if var.kind == "int" and not _is_int(value):
        hint = f"a whole number from {var.low} to {var.high}" if var.low is not None else ""
        return (
            f"'{name}' is a number; it cannot be set to {describe(value)}",
            hint or "a whole number",
        )
    if var.kind == "int" and var.low is not None and not var.low <= value <= var.high:
        return (
            f"{value} is outside the range of '{name}' ({var.low}..{var.high})",
            f"a whole number from {var.low} to {var.high}",
        )
    return None


def _bfs(sources: Iterable[str], succ: dict[str, list[str]]) -> set[str]:
    seen = set(sources)
    queue = deque(seen)
    while queue:
        for nxt in succ.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _walk_loop(start: Any, successors: Callable[[Any], list[Any]]) -> list[Any]:
    """Follow the first successor until something repeats; return the loop (first == last).
    Only used inside a region where every item has a successor."""
    order: list[Any] = []
    seen: dict[Any, int] = {}
    cur = start
    while cur not in seen:
        seen[cur] = len(order)
        order.append(cur)
        nxt = successors(cur)
        if not nxt:
            return order
        cur = nxt[0]
    return [*order[seen[cur] :], cur]


def check_structure(doc: Document, scenario: Scenario, sound: bool = True) -> Structure:
    """Ids, targets, routes, conditions, variable use and the plain node graph of one scenario.
    `sound=False` when a field the graph needs was already reported wrong."""
    return _StructureChecker(doc, scenario, sound).run()


# -- the state space ------------------------------------------------------------------------------

State = tuple[str, tuple[Any, ...]]  # (node id, variable values in declaration order)


def _fmt_vars(names: list[str], values: tuple[Any, ...]) -> str:
    return ", ".join(
        f"{n}={str(v).lower() if isinstance(v, bool) else v}"
        for n, v in zip(names, values, strict=True)
    )


class _Explorer:
    """One scenario's state graph (node + variable values, without points, so a loop that
    gains points is a cycle) and the problems it shows."""

    def __init__(self, scenario: dict[str, Any], doc: Document, static_dead: set[str]):
        self.scenario = scenario
        self.doc = doc
        self.static_dead = static_dead
        self.names = list(scenario["variables"])
        self.nodes = scenario["nodes"]
        self.node_pos = {nid: i for i, nid in enumerate(scenario["node_order"])}
        self.hidden: dict[str, tuple[Any, ...]] = {}
        self.out = Exploration()

    def moves(self, state: State) -> list[tuple[State, tuple[int, str]]]:
        """The engine's own moves from a state: (next state, (points, choice id))."""
        nid, values = state
        if "ending" in self.nodes[nid]:
            return []
        vars_ = dict(zip(self.names, values, strict=True))
        offered = engine.offered_choices(self.scenario, {"node": nid, "vars": vars_})
        if not offered:
            self.hidden.setdefault(nid, values)
        found = []
        for choice in offered:
            new_vars = engine.apply_effects(self.scenario, vars_, choice)
            target = engine.route(choice, new_vars)
            found.append(
                ((target, tuple(new_vars[n] for n in self.names)), (choice["points"], choice["id"]))
            )
        return found

    def problem(self, nid: str, code: str, message: str, hint: str, *rest: Any) -> Problem:
        return self.doc.problem(("nodes", self.node_pos[nid], *rest), code, message, hint)

    def run(self, max_states: int) -> Exploration:
        start = (
            self.scenario["start"],
            tuple(self.scenario["variables"][n]["default"] for n in self.names),
        )
        try:
            states, moves = walk.reachable(start, self.moves, max_states)
        except walk.TooManyStates:
            self.out.problems.append(self.too_many(max_states))
            return self.out
        self.out.states, self.out.moves = states, moves
        alive = self.out.alive = self.alive(states, moves)
        self.report_hidden()
        self.report_traps(states, moves, alive)
        comps = walk.strongly_connected(range(len(states)), lambda s: [b for b, _ in moves[s]])
        comp = [0] * len(states)
        for c, members in enumerate(comps):
            for s in members:
                comp[s] = c
        self.out.acyclic = len(comps) == len(states) and not any(
            a == b for a, edges in enumerate(moves) for b, _ in edges
        )
        self.out.order = [members[0] for members in comps] if self.out.acyclic else []
        self.report_score_loops(states, moves, comp)
        if not self.out.problems and all(alive):
            self.scores(states, moves, comps, comp)
        return self.out

    def too_many(self, max_states: int) -> Problem:
        count = len(self.names)
        return self.doc.problem(
            ("variables",),
            "E060",
            f"more than {max_states:,} combinations of node and variable values "
            f"({len(self.nodes)} nodes, {count} variable{'s' if count != 1 else ''}): "
            "the loop and score checks stop here rather than run for minutes",
            "use fewer variables or narrower min..max ranges, or split the scenario in two",
            at_key=True,
        )

    def alive(self, states: list[State], moves: list[list[tuple[int, Any]]]) -> list[bool]:
        """For each state: can an ending still be reached from it?"""
        pred: list[list[int]] = [[] for _ in states]
        for a, edges in enumerate(moves):
            for b, _ in edges:
                pred[b].append(a)
        alive = [("ending" in self.nodes[nid]) for nid, _ in states]
        queue = deque(k for k, ok in enumerate(alive) if ok)
        while queue:
            for p in pred[queue.popleft()]:
                if not alive[p]:
                    alive[p] = True
                    queue.append(p)
        self.pred = pred
        return alive

    def report_hidden(self) -> None:
        for nid, values in self.hidden.items():
            self.out.problems.append(
                self.problem(
                    nid,
                    "E035",
                    f"every choice of '{nid}' is hidden when {_fmt_vars(self.names, values)}: "
                    "the learner is stuck",
                    "offer at least one choice without `if`, or make sure one `if` holds here",
                )
            )

    def report_traps(
        self, states: list[State], moves: list[list[tuple[int, Any]]], alive: list[bool]
    ) -> None:
        """E033 where the learner walks into states from which no ending can be reached."""
        reported: set[str] = set(self.static_dead) | set(self.hidden)
        for k, (nid, values) in enumerate(states):
            if alive[k] or nid in reported:
                continue
            if k != 0 and not any(alive[p] for p in self.pred[k]):
                continue  # not where the learner gets trapped: that state is reported instead
            reported.add(nid)
            trail = _walk_loop(k, lambda s: [b for b, _ in moves[s]])
            when = f" when {_fmt_vars(self.names, values)}" if self.names else ""
            if moves[trail[-1]]:
                how = "the choices only loop through " + " → ".join(states[s][0] for s in trail)
                hint = "check the `if` conditions that should let the learner leave the loop"
            else:
                how = f"the way leads to '{states[trail[-1]][0]}', where every choice is hidden"
                hint = "make sure some choice is offered in every situation"
            self.out.problems.append(
                self.problem(
                    nid, "E033", f"no ending can be reached from '{nid}'{when}: {how}", hint
                )
            )

    def report_score_loops(
        self, states: list[State], moves: list[list[tuple[int, tuple[int, str]]]], comp: list[int]
    ) -> None:
        """E037: a choice inside a cycle of the state graph that changes the score."""
        looped: set[tuple[str, str]] = set()
        for a, edges in enumerate(moves):
            nid = states[a][0]
            for b, (points, cid) in edges:
                if points == 0 or comp[a] != comp[b] or (nid, cid) in looped:
                    continue
                looped.add((nid, cid))
                back = _path_within(b, a, moves, comp)
                cycle = " → ".join([nid, *(states[s][0] for s in back)])
                trend = "gaining" if points > 0 else "losing"
                j = next(i for i, c in enumerate(self.nodes[nid]["choices"]) if c["id"] == cid)
                self.out.problems.append(
                    self.problem(
                        nid,
                        "E037",
                        f"choice '{cid}' of '{nid}' can be repeated in a loop ({cycle}), "
                        f"{trend} {abs(points)} point(s) each time: the score would be unbounded",
                        "give the choices in a loop 0 points, or let a variable close the loop",
                        "choices",
                        j,
                        "points",
                    )
                )

    def scores(
        self,
        states: list[State],
        moves: list[list[tuple[int, tuple[int, str]]]],
        comps: list[list[int]],
        comp: list[int],
    ) -> None:
        """Best and worst totals from the start: loops add nothing (E037), so the components
        form a DAG, solved sinks first."""
        hi: list[int] = [0] * len(comps)
        lo: list[int] = [0] * len(comps)
        for c, members in enumerate(comps):
            best = [0] if any("ending" in self.nodes[states[s][0]] for s in members) else []
            worst = list(best)
            for s in members:
                for b, (points, _) in moves[s]:
                    if comp[b] != c:
                        best.append(points + hi[comp[b]])
                        worst.append(points + lo[comp[b]])
            hi[c], lo[c] = max(best), min(worst)
        self.out.max_score, self.out.min_score = hi[comp[0]], lo[comp[0]]


def explore(
    scenario: dict[str, Any],
    doc: Document,
    static_dead: set[str] | None = None,
    max_states: int | None = None,
) -> Exploration:
    """Play a compiled scenario through every reachable (node, variable values) state.

    Reports E035 (every choice hidden), E033 (no ending reachable from a state), E037 (a loop
    that changes the score), E060 (too many states); otherwise computes max/min score.
    """
    limit = MAX_STATES if max_states is None else max_states
    return _Explorer(scenario, doc, static_dead or set()).run(limit)


def _path_within(
    src: int, dst: int, moves: list[list[tuple[int, Any]]], comp: list[int]
) -> list[int]:
    """States on a shortest path src -> dst inside one component (to show the loop)."""
    prev = {src: src}
    queue = deque([src])
    while queue and dst not in prev:
        s = queue.popleft()
        for b, _ in moves[s]:
            if comp[b] == comp[src] and b not in prev:
                prev[b] = s
                queue.append(b)
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return path[::-1]


def remaining(scenario: dict[str, Any]) -> dict[str, int]:
    """For each node, the fewest decisions to an ending on the plain graph (progress bar)."""
    nodes = scenario["nodes"]
    pred: dict[str, list[str]] = {nid: [] for nid in nodes}
    for nid, node in nodes.items():
        for choice in node["choices"]:
            for route in choice["next"]:
                pred[route["to"]].append(nid)
    dist = {nid: 0 for nid, node in nodes.items() if "ending" in node}
    queue = deque(dist)
    while queue:
        cur = queue.popleft()
        for p in pred[cur]:
            if p not in dist:
                dist[p] = dist[cur] + 1
                queue.append(p)
    return {nid: dist.get(nid, 0) for nid in scenario["node_order"]}
