"""The story graph of one scenario: structure checks, state-space exploration, scores.

Two levels, because authors make two kinds of mistakes:

* structure (`check_structure`): ids, targets, routes, conditions and variable types, plus what
  the node graph alone shows (unreachable nodes, loops with no exit at all);
* behaviour (`explore`): the scenario is *played* through every reachable combination of node and
  variable values with the player's own engine functions, so conditions that can never hold,
  choices that all disappear, and loops that pile up points are found before a learner finds them.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from elearn.content.loader import Document, YPath
from elearn.content.problems import Problem
from elearn.content.schema import describe
from elearn.core.conditions import Ast, ConditionError, parse, variables

MAX_STATES = 200_000


@dataclass
class Structure:
    """What `check_structure` found. `sound` means the scenario can be compiled and played."""

    problems: list[Problem] = field(default_factory=list)
    asts: dict[YPath, Ast] = field(
        default_factory=dict
    )  # parsed conditions, by the path of the text
    sound: bool = True
    static_dead: set[str] = field(default_factory=set)  # nodes reported E033 on the plain graph


@dataclass
class Exploration:
    """What `explore` found; scores are None when there is an error that makes them meaningless."""

    problems: list[Problem] = field(default_factory=list)
    max_score: int | None = None
    min_score: int | None = None
    states: int = 0


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


class _StructureChecker:
    def __init__(self, doc: Document):
        self.doc = doc
        self.out = Structure()
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

    def unsound(self) -> None:
        """Something the schema already reported makes the graph incomplete."""
        self.out.sound = False

    # -- variables and conditions ---------------------------------------------------------------
    def declare_variables(self, raw: Any) -> None:
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.unsound()
            return
        for name, spec in raw.items():
            kind = spec.get("type") if isinstance(spec, dict) else None
            if kind not in ("int", "bool"):
                self.vars[name] = _Var(None)
                self.unsound()
                continue
            default = spec.get("default")
            if kind == "bool":
                self.vars[name] = _Var("bool")
                if not isinstance(default, bool) or "min" in spec or "max" in spec:
                    self.unsound()
                continue
            low, high = spec.get("min"), spec.get("max")
            if _is_int(low) and _is_int(high) and _is_int(default) and low <= default <= high:
                self.vars[name] = _Var("int", low, high)
            else:
                self.vars[name] = _Var("int")
                self.unsound()

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
        op, value = ast["cmp"], ast["value"]
        if kind == "bool" and op not in ("==", "!="):
            return [
                (
                    f"'{name}' is true or false; it cannot be compared with '{op}'",
                    f'write "{name}" or "not {name}"',
                )
            ]
        if kind == "bool" and not isinstance(value, bool):
            return [
                (
                    f"'{name}' is true or false, not a number: it cannot equal {value}",
                    f'write "{name}" or "not {name}"',
                )
            ]
        if kind == "int" and isinstance(value, bool):
            return [
                (
                    f"'{name}' is a number; it cannot be compared with {str(value).lower()}",
                    f'compare it with a number, e.g. "{name} >= 1"',
                )
            ]
        return []

    def condition(self, path: YPath, text: Any) -> None:
        if not isinstance(text, str):
            self.unsound()
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

    def effects(self, path: YPath, choice: dict[str, Any]) -> None:
        """`set` values must fit the variable's type and range; `add` is for ints only."""
        for key in ("set", "add"):
            raw = choice.get(key)
            if raw is None:
                continue
            if not isinstance(raw, dict):
                self.unsound()
                continue
            for name, value in raw.items():
                where = (*path, key, name)
                self.written.add(name)
                if name not in self.vars:
                    message, hint = self.undeclared(name)
                    self.error(where, "E041", message, hint, at_key=True)
                    continue
                var = self.vars[name]
                if key == "add":
                    if var.kind == "bool":
                        self.error(
                            where,
                            "E041",
                            f"'{name}' is true or false; `add` works only on int variables",
                            f"use `set: {{{name}: true}}`",
                        )
                    elif not _is_int(value):
                        self.error(
                            where,
                            "E041",
                            f"`add` needs a whole number, got {describe(value)}",
                            f"e.g. `add: {{{name}: 1}}` or `{{{name}: -1}}`",
                        )
                elif var.kind == "bool" and not isinstance(value, bool):
                    self.error(
                        where,
                        "E041",
                        f"'{name}' is true or false; it cannot be set to {describe(value)}",
                        "write true or false" + _yes_no(value),
                    )
                elif var.kind == "int" and not _is_int(value):
                    self.error(
                        where,
                        "E041",
                        f"'{name}' is a number; it cannot be set to {describe(value)}",
                        f"a whole number from {var.low} to {var.high}"
                        if var.low is not None
                        else "a whole number",
                    )
                elif var.kind == "int" and var.low is not None and not var.low <= value <= var.high:
                    self.error(
                        where,
                        "E041",
                        f"{value} is outside the range of '{name}' ({var.low}..{var.high})",
                        f"a whole number from {var.low} to {var.high}",
                    )

    # -- nodes ----------------------------------------------------------------------------------
    def nodes(self, raw: Any) -> list[tuple[int, str, dict[str, Any]]]:
        if not isinstance(raw, list):
            self.unsound()
            return []
        found = []
        for i, node in enumerate(raw):
            nid = node.get("id") if isinstance(node, dict) else None
            if not isinstance(nid, str):
                self.unsound()
                continue
            if nid in self.ids:
                first = self.doc.position(("nodes", self.ids[nid], "id"))[0]
                self.error(
                    ("nodes", i, "id"),
                    "E030",
                    f"the node id '{nid}' is used twice",
                    f"it is first used on line {first}; give each node its own id",
                )
                continue
            self.ids[nid] = i
            found.append((i, nid, node))
        return found

    def node(self, i: int, nid: str, node: dict[str, Any]) -> None:
        path: YPath = ("nodes", i)
        self.edges[nid] = []
        choices, ending = node.get("choices"), node.get("ending")
        if choices is not None and not isinstance(choices, list):
            self.unsound()
            choices = None
        if ending is not None and not isinstance(ending, dict):
            self.unsound()
        if choices and ending is not None:
            self.error(
                path,
                "E034",
                f"node '{nid}' has both choices and an ending",
                "a node is a decision (choices) or an ending, never both: split it in two",
            )
        elif not choices and ending is None:
            self.error(
                path,
                "E034",
                f"node '{nid}' has neither choices nor an ending",
                "add `choices:` (a decision) or `ending:` (how the story ends)",
            )
        conditional = node.get("conditional_text")
        if conditional is not None:
            if not isinstance(conditional, list):
                self.unsound()
            else:
                for k, item in enumerate(conditional):
                    if isinstance(item, dict) and "if" in item:
                        self.condition((*path, "conditional_text", k, "if"), item["if"])
                    else:
                        self.unsound()
        choice_ids: dict[str, int] = {}
        for j, choice in enumerate(choices or []):
            cpath = (*path, "choices", j)
            cid = choice.get("id") if isinstance(choice, dict) else None
            if not isinstance(cid, str):
                self.unsound()
                continue
            if cid in choice_ids:
                first = self.doc.position((*path, "choices", choice_ids[cid], "id"))[0]
                self.error(
                    (*cpath, "id"),
                    "E030",
                    f"the choice id '{cid}' is used twice in node '{nid}'",
                    f"it is first used on line {first}; give each choice its own id",
                )
            else:
                choice_ids[cid] = j
            self.choice(nid, cpath, choice)

    def choice(self, nid: str, path: YPath, choice: dict[str, Any]) -> None:
        points = choice.get("points", 0)
        if not _is_int(points):
            self.unsound()
        if choice.get("if") is not None:
            self.condition((*path, "if"), choice["if"])
        self.effects(path, choice)
        nxt = choice.get("next")
        if isinstance(nxt, str):
            self.edges[nid].append(((*path, "next"), nxt))
            return
        if not isinstance(nxt, list) or not nxt:
            self.unsound()
            return
        for k, route in enumerate(nxt):
            rpath = (*path, "next", k)
            if not isinstance(route, dict) or not isinstance(route.get("to"), str):
                self.unsound()
                continue
            self.edges[nid].append(((*rpath, "to"), route["to"]))
            has_if = route.get("if") is not None
            if has_if:
                self.condition((*rpath, "if"), route["if"])
            last = k == len(nxt) - 1
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

    def reachability(self, start: str, nodes: list[tuple[int, str, dict[str, Any]]]) -> None:
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
        exits = [
            nid
            for _, nid, node in nodes
            if node.get("ending") is not None
            or not node.get("choices")
            or not self.edges[nid]
            or any(t not in self.ids for _, t in self.edges[nid])
        ]
        alive = _bfs(exits, pred)
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

    def run(self) -> Structure:
        data = self.doc.data
        if not isinstance(data, dict):
            self.unsound()
            return self.out
        self.declare_variables(data.get("variables"))
        nodes = self.nodes(data.get("nodes"))
        for i, nid, node in nodes:
            self.node(i, nid, node)
        self.targets()
        start = data.get("start")
        if not isinstance(start, str):
            self.unsound()
        elif start not in self.ids:
            self.missing_node(("start",), start)
        else:
            start_node = next((n for _, nid, n in nodes if nid == start), None)
            if isinstance(start_node, dict) and start_node.get("ending") is not None:
                self.error(
                    ("start",),
                    "E038",
                    f"the scenario starts at the ending '{start}': the learner has nothing to decide",
                    "start at a node with choices",
                )
            self.reachability(start, nodes)
        if not self.unparsed and isinstance(data.get("variables"), dict):
            for name in data["variables"]:
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
        return self.out


def _bfs(sources: Iterable[str], succ: dict[str, list[str]]) -> set[str]:
    seen = set(sources)
    queue = deque(seen)
    while queue:
        for nxt in succ.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _walk_loop(start: Any, successors: Any) -> list[Any]:
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


def check_structure(doc: Document) -> Structure:
    """Ids, targets, routes, conditions, variable use and the plain node graph of one scenario."""
    return _StructureChecker(doc).run()


# -- the state space ------------------------------------------------------------------------------


def _sccs(succ: list[list[tuple[int, int, str]]]) -> tuple[list[int], list[list[int]]]:
    """Tarjan's strongly connected components, iteratively (state graphs can be deep).
    Components come out sinks first, i.e. in reverse topological order."""
    n = len(succ)
    index, low, comp = [-1] * n, [0] * n, [-1] * n
    on_stack = [False] * n
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        work = [(root, 0)]
        while work:
            v, pos = work[-1]
            if pos < len(succ[v]):
                work[-1] = (v, pos + 1)
                w = succ[v][pos][0]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
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
                    on_stack[w] = False
                    comp[w] = len(comps)
                    members.append(w)
                    if w == v:
                        break
                comps.append(members)
    return comp, comps


def _fmt_vars(names: list[str], values: tuple[Any, ...]) -> str:
    return ", ".join(
        f"{n}={str(v).lower() if isinstance(v, bool) else v}"
        for n, v in zip(names, values, strict=True)
    )


def explore(
    scenario: dict[str, Any],
    doc: Document,
    static_dead: set[str] | None = None,
    max_states: int | None = None,
) -> Exploration:
    """Play a compiled scenario through every reachable (node, variable values) state.

    Uses the player's own functions, so what is checked is exactly what learners get.
    Reports E035 (every choice hidden), E033 (no ending reachable from a state), E037 (a loop
    that changes the score), E060 (too many states); otherwise computes max/min score.
    """
    from elearn.core import engine  # imported here: the engine itself imports elearn.content

    static_dead = static_dead or set()
    max_states = MAX_STATES if max_states is None else max_states
    out = Exploration()
    names = list(scenario["variables"])
    nodes = scenario["nodes"]
    node_pos = {nid: i for i, nid in enumerate(scenario["node_order"])}
    choice_pos = {
        (nid, c["id"]): j for nid, node in nodes.items() for j, c in enumerate(node["choices"])
    }

    start = (scenario["start"], tuple(scenario["variables"][n]["default"] for n in names))
    ids = {start: 0}
    keys = [start]
    succ: list[list[tuple[int, int, str]]] = []
    hidden: dict[str, tuple[Any, ...]] = {}
    i = 0
    while i < len(keys):
        nid, values = keys[i]
        i += 1
        edges: list[tuple[int, int, str]] = []
        succ.append(edges)
        if "ending" in nodes[nid]:
            continue
        vars_ = dict(zip(names, values, strict=True))
        offered = engine.offered_choices(scenario, {"node": nid, "vars": vars_})
        if not offered:
            hidden.setdefault(nid, values)
        for choice in offered:
            new_vars = engine.apply_effects(scenario, vars_, choice)
            key = (engine.route(choice, new_vars), tuple(new_vars[n] for n in names))
            j = ids.get(key)
            if j is None:
                if len(keys) >= max_states:
                    out.problems.append(
                        doc.problem(
                            ("variables",),
                            "E060",
                            f"more than {max_states:,} combinations of node and variable values: "
                            "the loop and score checks cannot finish",
                            "use fewer variables, or narrower min..max ranges",
                            at_key=True,
                        )
                    )
                    out.states = len(keys)
                    return out
                j = ids[key] = len(keys)
                keys.append(key)
            edges.append((j, choice.get("points", 0), choice["id"]))
    out.states = len(keys)
    ending = [("ending" in nodes[nid]) for nid, _ in keys]

    pred: list[list[int]] = [[] for _ in keys]
    for a, edges in enumerate(succ):
        for b, _, _ in edges:
            pred[b].append(a)
    alive = [False] * len(keys)
    queue = deque(k for k in range(len(keys)) if ending[k])
    for k in queue:
        alive[k] = True
    while queue:
        for p in pred[queue.popleft()]:
            if not alive[p]:
                alive[p] = True
                queue.append(p)

    for nid, values in hidden.items():
        out.problems.append(
            doc.problem(
                ("nodes", node_pos[nid]),
                "E035",
                f"every choice of '{nid}' is hidden when {_fmt_vars(names, values)}: "
                "the learner is stuck",
                "offer at least one choice without `if`, or make sure one `if` holds here",
            )
        )

    reported: set[str] = set(static_dead) | set(hidden)
    for k, (nid, values) in enumerate(keys):
        if alive[k] or nid in reported:
            continue
        if k != 0 and not any(alive[p] for p in pred[k]):
            continue  # not where the learner gets trapped: that state is reported instead
        reported.add(nid)
        trail = _walk_loop(k, lambda s: [b for b, _, _ in succ[s]])
        when = f" when {_fmt_vars(names, values)}" if names else ""
        if succ[trail[-1]]:
            how = "the choices only loop through " + " → ".join(keys[s][0] for s in trail)
            hint = "check the `if` conditions that should let the learner leave the loop"
        else:
            how = f"the way leads to '{keys[trail[-1]][0]}', where every choice is hidden"
            hint = "make sure some choice is offered in every situation"
        out.problems.append(
            doc.problem(
                ("nodes", node_pos[nid]),
                "E033",
                f"no ending can be reached from '{nid}'{when}: {how}",
                hint,
            )
        )

    comp, comps = _sccs(succ)
    looped: set[tuple[str, str]] = set()
    for a, edges in enumerate(succ):
        for b, points, cid in edges:
            nid = keys[a][0]
            if points == 0 or comp[a] != comp[b] or (nid, cid) in looped:
                continue
            looped.add((nid, cid))
            back = _path_within(b, a, succ, comp)
            cycle = " → ".join([nid, *(keys[s][0] for s in back)])
            trend = "gaining" if points > 0 else "losing"
            out.problems.append(
                doc.problem(
                    ("nodes", node_pos[nid], "choices", choice_pos[(nid, cid)], "points"),
                    "E037",
                    f"choice '{cid}' of '{nid}' can be repeated in a loop ({cycle}), "
                    f"{trend} {abs(points)} point(s) each time: the score would be unbounded",
                    "give the choices in a loop 0 points, or let a variable close the loop",
                )
            )

    if out.problems or not all(alive):  # (a plain-graph E033 was reported by check_structure)
        return out
    hi: list[int] = [0] * len(comps)
    lo: list[int] = [0] * len(comps)
    for c, members in enumerate(comps):  # sinks first, so successors are done
        best_hi: int | None = 0 if any(ending[s] for s in members) else None
        best_lo: int | None = best_hi
        for s in members:
            for b, points, _ in succ[s]:
                if comp[b] == c:
                    continue
                h, lw = points + hi[comp[b]], points + lo[comp[b]]
                best_hi = h if best_hi is None else max(best_hi, h)
                best_lo = lw if best_lo is None else min(best_lo, lw)
        assert best_hi is not None and best_lo is not None  # every state reaches an ending
        hi[c], lo[c] = best_hi, best_lo
    out.max_score, out.min_score = hi[comp[0]], lo[comp[0]]
    return out


def _path_within(
    src: int, dst: int, succ: list[list[tuple[int, int, str]]], comp: list[int]
) -> list[int]:
    """States on a shortest path src -> dst inside one component (to show the loop)."""
    prev = {src: src}
    queue = deque([src])
    while queue and dst not in prev:
        s = queue.popleft()
        for b, _, _ in succ[s]:
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
