"""Course tests: the `tests:` of a scenario file, played by the core engine during validation.

An author writes down a path of choices (`node-id/choice-id` steps) and what it must reach (the
ending, its outcome, the points, variables). `validate` plays each path with `elearn.core.engine`,
the engine learners play, so a test passes exactly when a learner taking those choices gets there;
a failing test is an error (E070) naming the step or the values that differed, so a change that
breaks a key path stops the import instead of reaching learners.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from elearn.content.loader import Document, YPath
from elearn.content.model import CourseTest, Scenario
from elearn.content.problems import Problem
from elearn.core import engine

UPDATE_HINT = (
    "if the course changed on purpose, update the test; if not, the change broke this path"
)


@dataclass
class TestRun:
    """What running one scenario's tests found."""

    problems: list[Problem] = field(default_factory=list)
    passed: int = 0
    failed: int = 0


class _Failed(Exception):
    """One test failed: where in the file, what differed, and how to fix it."""

    def __init__(self, path: YPath, message: str, hint: str = UPDATE_HINT):
        super().__init__(message)
        self.path, self.message, self.hint = path, message, hint


def _runnable(test: CourseTest | None) -> bool:
    """A test whose fields loaded (a malformed one is already reported by the schema)."""
    return (
        test is not None
        and bool(test.name)
        and bool(test.path)
        and all(isinstance(step, str) and "/" in step for step in test.path)
        and all(v is not None for v in (test.variables or {}).values())
    )


def _show(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else repr(value)


def _values(vars_: dict[str, Any]) -> str:
    return ", ".join(f"{k} = {_show(v)}" for k, v in vars_.items()) or "no variables"


def _step(scenario: dict[str, Any], state: engine.State, here: YPath, j: int, step: str) -> None:
    """Check that step j can be taken in `state`; raise _Failed saying why not."""
    node_id, _, choice_id = step.partition("/")
    if state["ended"]:
        raise _Failed(
            here,
            f"step {j + 1} '{step}' comes after the path has ended at '{state['node']}'",
            "remove the steps after the ending, or change an earlier choice",
        )
    node = engine.current_node(scenario, state)
    ids = [c["id"] for c in node["choices"]]
    if node_id != state["node"]:
        raise _Failed(
            here,
            f"step {j + 1} '{step}': the path is at node '{state['node']}' here, not '{node_id}'",
            f"the choices at '{state['node']}' are: {', '.join(ids)}",
        )
    if choice_id not in ids:
        close = difflib.get_close_matches(choice_id, ids, n=1)
        hint = f"did you mean '{node_id}/{close[0]}'? " if close else ""
        raise _Failed(
            here,
            f"step {j + 1}: node '{node_id}' has no choice '{choice_id}'",
            f"{hint}its choices are: {', '.join(ids)}",
        )
    offered = [c["id"] for c in engine.offered_choices(scenario, state)]
    if choice_id not in offered:
        raise _Failed(
            here,
            f"step {j + 1}: choice '{choice_id}' is not offered at node '{node_id}' on this path: "
            f"its `if` does not hold ({_values(state['vars'])})",
            f"offered here: {', '.join(offered)}",
        )


def _differences(
    scenario: dict[str, Any], test: CourseTest, state: engine.State, i: int
) -> list[tuple[YPath, str]]:
    """(where in the test, "expected …, got …") for every expectation the end state misses."""
    end = engine.current_node(scenario, state)
    out: list[tuple[YPath, str]] = []
    if test.ending is not None and test.ending != state["node"]:
        known = "" if test.ending in scenario["nodes"] else " (there is no such node)"
        out.append(
            (
                ("tests", i, "ending"),
                f"ending: expected '{test.ending}'{known}, got '{state['node']}'",
            )
        )
    outcome = end["ending"]["outcome"]
    if test.outcome is not None and test.outcome != outcome:
        out.append((("tests", i, "outcome"), f"outcome: expected {test.outcome}, got {outcome}"))
    if test.score is not None and test.score != state["points"]:
        out.append((("tests", i, "score"), f"score: expected {test.score}, got {state['points']}"))
    for name, want in (test.variables or {}).items():
        here = ("tests", i, "variables", name)
        if name not in state["vars"]:
            out.append((here, f"variable '{name}' is not declared in this scenario"))
            continue
        got = state["vars"][name]
        if type(got) is not type(want) or got != want:
            out.append((here, f"{name}: expected {_show(want)}, got {_show(got)}"))
    return out


def _play(scenario: dict[str, Any], test: CourseTest, i: int) -> None:
    """Play test i; raise _Failed at the first step that cannot be taken or what differed."""
    state = engine.initial_state(scenario)
    for j, step in enumerate(test.path):
        assert step is not None  # _runnable
        _step(scenario, state, ("tests", i, "path", j), j, step)
        state = engine.choose(scenario, state, step.partition("/")[2]).state
    if not state["ended"]:
        offered = [c["id"] for c in engine.offered_choices(scenario, state)]
        raise _Failed(
            ("tests", i, "path"),
            f"the path stops at node '{state['node']}', which is not an ending",
            f"add the next steps (the choices there: {', '.join(offered)}); a test must reach "
            "an ending",
        )
    differences = _differences(scenario, test, state, i)
    if differences:
        raise _Failed(differences[0][0], "; ".join(d for _, d in differences))


def run_tests(doc: Document, typed: Scenario, scenario: dict[str, Any]) -> TestRun:
    """Play every loadable test of one scenario (compiled, sound) and report the failures."""
    run = TestRun()
    for i, test in enumerate(typed.tests or []):
        if not _runnable(test):
            continue
        assert test is not None
        try:
            _play(scenario, test, i)
        except _Failed as failed:
            run.failed += 1
            path = " → ".join(s for s in test.path if s)
            run.problems.append(
                doc.problem(
                    failed.path,
                    "E070",
                    f"the test failed: {failed.message} (path: {path})",
                    failed.hint,
                )
            )
        else:
            run.passed += 1
    return run
