"""Warnings about a course that is valid but could teach worse than it should (W003–W006).

They run on a course without errors: the reading time against `estimated_minutes` (W003), answers
that can be guessed by their length (W004), scored choices with none marked correct (W005) and a
cast name that stands for two different people (W006).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from elearn.content.graph import Exploration
from elearn.content.loader import Document
from elearn.content.model import Scenario
from elearn.content.problems import Problem
from elearn.core import engine, walk

MIN_SCORED_DECISIONS = 3  # W004 needs a few decisions before "more than half" means anything


@dataclass
class ScenarioFile:
    """One valid scenario as the lints see it: its file, typed form, compiled form, states."""

    doc: Document
    typed: Scenario
    compiled: dict[str, Any]
    explored: Exploration


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> int:
    """Cached: the reading-time lint counts a node's texts once per state (node + variable
    values), so the same few hundred texts were counted tens of thousands of times."""
    return len(_WORD.findall(text))


# -- W003: reading time ---------------------------------------------------------------------------


def _state_words(scenario: dict[str, Any], state: tuple[str, tuple], lang: str) -> int:
    """What a learner reads at a state before choosing: text, conditional text, reflection,
    the offered choices (an ending: its title)."""
    nid, values = state
    node = scenario["nodes"][nid]
    view = {"node": nid, "vars": dict(zip(scenario["variables"], values, strict=True))}
    total = sum(_words(t[lang]) for t in engine.visible_text(node, view))
    if node.get("reflection"):
        total += _words(node["reflection"][lang])
    if engine.is_ending(node):
        return total + _words(node["ending"]["title"][lang])
    return total + sum(_words(c["text"][lang]) for c in engine.offered_choices(scenario, view))


def scenario_minutes(scenario: dict[str, Any], explored: Exploration, lang: str) -> float:
    """The mean reading and deciding time over every path, exactly, from the state graph the
    checks already built (paths counted per state, sinks first). A graph with loops falls back
    to the core walker's sample of paths."""
    if not explored.acyclic:
        return walk.scenario_minutes(scenario, lang)
    feedback = {
        (nid, c["id"]): _words(c["feedback"][lang])
        for nid, node in scenario["nodes"].items()
        for c in node["choices"]
    }
    per_word = 60 / walk.WORDS_PER_MINUTE
    paths: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for s in explored.order:  # every state after the states it leads to
        state, moves = explored.states[s], explored.moves[s]
        here = _state_words(scenario, state, lang) * per_word
        if not moves:
            paths[s], seconds[s] = 1, here
            continue
        paths[s] = sum(paths[b] for b, _ in moves)
        seconds[s] = sum(
            seconds[b]
            + paths[b] * (here + feedback[(state[0], cid)] * per_word + walk.SECONDS_PER_DECISION)
            for b, (_, cid) in moves
        )
    return seconds[0] / paths[0] / 60


def duration(
    course_doc: Document, compiled: dict[str, Any], files: list[ScenarioFile]
) -> list[Problem]:
    """W003 when `estimated_minutes` is far from what the text takes to read and decide."""
    lang = compiled["languages"][0]
    words = sum(
        _words(compiled[k][lang]) for k in ("introduction", "content_notice") if compiled.get(k)
    )
    estimate = words / walk.WORDS_PER_MINUTE + sum(
        scenario_minutes(f.compiled, f.explored, lang) for f in files
    )
    declared = compiled["estimated_minutes"]
    if abs(declared - estimate) <= max(2.0, 0.25 * estimate):
        return []
    return [
        course_doc.problem(
            ("estimated_minutes",),
            "W003",
            f"estimated_minutes is {declared}, but reading the text and making the decisions "
            f"takes about {max(1, round(estimate))} minutes (mean over the paths, {lang})",
            f"set estimated_minutes to {max(1, round(estimate))}",
        )
    ]


# -- W004, W005: guessable and unmarked answers ---------------------------------------------------


def longest_is_best(file: ScenarioFile, lang: str) -> list[Problem]:
    """W004 when, in more than half of the scored decisions, the longest choice is a best one:
    learners learn to pick the longest answer instead of thinking."""
    scored = telling = 0
    examples = []
    for nid, node in file.compiled["nodes"].items():
        choices = node["choices"]
        points = {c["points"] for c in choices}
        if len(points) < 2:
            continue  # nothing to guess: every option scores the same
        scored += 1
        longest = max(len(c["text"][lang]) for c in choices)
        best = max(points)
        if any(c["points"] == best and len(c["text"][lang]) == longest for c in choices):
            telling += 1
            examples.append(nid)
    if scored < MIN_SCORED_DECISIONS or telling * 2 <= scored:
        return []
    shown = ", ".join(f"'{n}'" for n in examples[:4]) + (", …" if len(examples) > 4 else "")
    return [
        file.doc.problem(
            ("nodes",),
            "W004",
            f"in {telling} of {scored} scored decisions the longest choice ({lang}) is a "
            f"best-scored one ({shown}): learners can guess by length",
            "shorten good answers and make tempting ones as long and as plausible",
            at_key=True,
        )
    ]


def unmarked_correct(file: ScenarioFile) -> list[Problem]:
    """W005 for a node whose choices all have points, not all equal, and none `correct: true`:
    the LMS then gets no success for a decision that clearly has a right answer."""
    problems = []
    for i, node in enumerate(file.typed.nodes):
        choices = [c for c in (node.choices if node is not None else None) or [] if c is not None]
        points = [c.points for c in choices]
        if not choices or None in points or len(set(points)) < 2:
            continue
        if any(c.correct for c in choices):
            continue
        problems.append(
            file.doc.problem(
                ("nodes", i),
                "W005",
                f"every choice of node '{node.id}' is scored ({', '.join(map(str, points))}) "
                "but none is marked `correct: true`, so no success is reported for it",
                "mark the best choice(s) `correct: true` (and weak ones `correct: false`)",
            )
        )
    return problems


# -- W006: one name, two people -------------------------------------------------------------------


def cast_names(files: list[ScenarioFile]) -> list[Problem]:
    """W006 when a name in one scenario's `cast` is described differently in another (or twice
    in one): a name must not stand for two people in one course."""
    first: dict[str, tuple[ScenarioFile, int, Any]] = {}
    problems = []
    for file in files:
        for i, member in enumerate(file.typed.cast):
            if member is None or member.name is None:
                continue
            known = first.setdefault(member.name, (file, i, member.about))
            if known[2] == member.about:
                continue
            other, j, _ = known
            line = other.doc.position(("cast", j, "about"))[0]
            problems.append(
                file.doc.problem(
                    ("cast", i, "about"),
                    "W006",
                    f"'{member.name}' is also in the cast of {other.doc.file} (line {line}) as "
                    "someone else: one name must stand for one person",
                    "give one of them another name, or describe them the same way",
                )
            )
    return problems


def lint(files: list[ScenarioFile], lang: str) -> list[Problem]:
    problems = cast_names(files)
    for file in files:
        problems += longest_is_best(file, lang) + unmarked_correct(file)
    return problems
