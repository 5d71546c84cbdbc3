"""The course rules, defined once: progress, points, score, pass, the next scenario and the
resume encoding, over a course's scenario states.

The platform's player service calls these; the shared test vectors are made with them, and the
packages' JavaScript runtime (`scorm_export/runtime/engine.js`) is held to the vectors, so a
course scores, passes and resumes the same on elearn and in any LMS.

`states` is `{scenario id: scenario state}` for the scenarios the learner has entered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from elearn.core import engine
from elearn.core.walk import state_key

Course = dict[str, Any]
States = dict[str, engine.State]

RESUME_VERSION = "e2"
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


GOOD, PARTLY, RISKY = "good", "partly", "risky"


def choice_outcome(node: dict[str, Any], choice: dict[str, Any]) -> str | None:
    """How good a choice was, compared with the node's other choices (docs/player.md): the
    author's `correct` first, then the choice's points against the node's best and worst.
    None when every choice scores the same and none is marked: the story has no wrong turn.
    Here, in the core, because the player's labels and the validator's W009 must agree; the
    package player's `choiceOutcome` is a port of it."""
    points = [c["points"] for c in node["choices"]]
    best, worst, mine = max(points), min(points), choice["points"]
    if choice.get("correct") is True:
        return GOOD if mine >= best else PARTLY
    if choice.get("correct") is False:
        return RISKY if mine <= worst else PARTLY
    if best == worst:
        return None
    if mine == best:
        return GOOD
    return RISKY if mine == worst else PARTLY


def course_progress(course: Course, states: States) -> int:
    """Percent of the course done: an ended scenario counts whole, a started one by its share of
    decisions made out of the fewest its path can still take."""
    total = 0.0
    for scenario in course["scenarios"]:
        state = states.get(scenario["id"])
        if state is None:
            continue
        done, estimate = engine.progress(scenario, state)
        total += 1.0 if state["ended"] else done / estimate
    return round(100 * total / max(1, len(course["scenarios"])))


def all_ended(course: Course, states: States) -> bool:
    return all(states.get(s["id"], {}).get("ended", False) for s in course["scenarios"])


def course_points(states: States) -> int:
    return sum(s["points"] for s in states.values())


@dataclass(frozen=True)
class Result:
    """The course's score as it is reported: points in [min, max], scaled in [0, 1], passed."""

    points: int
    min: int
    max: int
    scaled: float
    passed: bool


def course_result(course: Course, states: States, mastery_score: float | None = None) -> Result:
    """`mastery_score` is the LMS's own when it sets one; otherwise the course's."""
    points = course_points(states)
    scaled = engine.scaled_score(points, course["max_score"])
    mastery = course["mastery_score"] if mastery_score is None else mastery_score
    return Result(
        points=points,
        min=sum(s["min_score"] for s in course["scenarios"]),
        max=course["max_score"],
        scaled=scaled,
        passed=scaled >= mastery,
    )


def scenario_result(scenario: engine.Scenario, state: engine.State) -> Result:
    scaled = engine.scaled_score(state["points"], scenario["max_score"])
    return Result(state["points"], scenario["min_score"], scenario["max_score"], scaled, True)


def take_again(scenario: engine.Scenario, state: engine.State | None, mastery_score: float) -> bool:
    """Whether the result page advises taking a scenario again: it is not finished, its ending
    was not good, or it scored below the pass mark. Here, in the core, so the platform's result
    page and the package player's (`takeAgain` in engine.js, held to it by the vectors) advise
    the same scenarios."""
    if state is None or not state["ended"]:
        return True
    ending = engine.current_node(scenario, state)["ending"]
    scaled = engine.scaled_score(state["points"], scenario["max_score"])
    return ending["outcome"] != "good" or scaled < mastery_score


def next_scenario(course: Course, states: States, here: str) -> dict[str, Any] | None:
    """The next unfinished scenario after `here`, wrapping round to earlier ones."""
    scenarios = course["scenarios"]
    at = next((i for i, s in enumerate(scenarios) if s["id"] == here), 0)
    for scenario in scenarios[at + 1 :] + scenarios[:at]:
        if not states.get(scenario["id"], {}).get("ended"):
            return scenario
    return None


# -- resume ---------------------------------------------------------------------------------------
# "e2.<lang>.<current scenario index in base 36, or empty>.<seed>.<part>.<part>…", one part per
# scenario: empty = not started, "_" then one base-36 character per choice (the choice's index in
# the node's authored list, whatever order the choices were shown in; "(" base36 ")" for an index
# of 36 or more). `seed` is the attempt's choice-order seed (letters, digits, "-" and "_"; a
# package without a registration makes one up and keeps it here). A stretch of choices that comes
# back to a state (node, variables, points) already passed is left out: replaying without it gives
# the same state, and it keeps looping paths from growing the data. SCORM 1.2 allows 4,096
# characters of suspend_data; the longest a course can produce is computed in the vectors.
# "e1" data (written before choices were shuffled: no seed field) is still read.


def loop_free_indexes(scenario: engine.Scenario, state: engine.State) -> list[int]:
    """The path's choice indexes with every stretch that returns to an earlier state removed."""
    s = engine.initial_state(scenario)
    seen = {state_key(s): 0}
    kept: list[int] = []
    for node_id, choice_id in state["path"]:
        choices = scenario["nodes"][node_id]["choices"]
        index = next(i for i, c in enumerate(choices) if c["id"] == choice_id)
        s = engine.choose(scenario, s, choice_id).state
        key = state_key(s)
        if key in seen:
            kept = kept[: seen[key]]
        else:
            kept.append(index)
            seen[key] = len(kept)
        seen = {k: v for k, v in seen.items() if v <= len(kept)}
    return kept


def base36(i: int) -> str:
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = DIGITS[r] + out
        if not i:
            return out


def encode_index(i: int) -> str:
    return DIGITS[i] if i < 36 else f"({base36(i)})"


SEED = re.compile(r"[0-9A-Za-z_-]*")


def encode_resume(
    course: Course, states: States, current: str | None, lang: str | None, seed: str | None = None
) -> str:
    if not SEED.fullmatch(seed or ""):
        raise ValueError(f"a resume seed is letters, digits, '-' and '_': {seed!r}")
    at = next((base36(i) for i, s in enumerate(course["scenarios"]) if s["id"] == current), "")
    parts = [
        ""
        if states.get(s["id"]) is None
        else "_" + "".join(map(encode_index, loop_free_indexes(s, states[s["id"]])))
        for s in course["scenarios"]
    ]
    return ".".join([RESUME_VERSION, lang or "", at, seed or "", *parts])


_INDEX = re.compile(r"\(([0-9a-z]+)\)|([0-9a-z])")


def _replay_part(scenario: engine.Scenario, body: str) -> engine.State:
    state = engine.initial_state(scenario)
    consumed = 0
    for match in _INDEX.finditer(body):
        if match.start() != consumed:
            raise ValueError("bad part")
        consumed = match.end()
        index = int(match[1], 36) if match[1] else DIGITS.index(match[2])
        choices = engine.current_node(scenario, state)["choices"]
        if index >= len(choices):
            raise ValueError("bad index")
        state = engine.choose(scenario, state, choices[index]["id"]).state
    if consumed != len(body):
        raise ValueError("bad part")
    return state


@dataclass(frozen=True)
class Resume:
    """What resume data stands for: the states replayed through the engine, the current
    scenario, the language and the choice-order seed (None in "e1" data)."""

    states: States
    current: str | None
    lang: str | None
    seed: str | None


_AT = re.compile(r"[0-9a-z]*")
_HEADER = {"e1": 3, RESUME_VERSION: 4}  # fields before the per-scenario parts


def decode_resume(course: Course, text: str) -> Resume | None:
    """None if the data does not fit this course (another version, or damaged)."""
    fields = text.split(".") if isinstance(text, str) else []
    header = _HEADER.get(fields[0]) if fields else None
    if header is None or len(fields) != header + len(course["scenarios"]):
        return None
    seed = fields[3] if header == 4 else None
    if (seed is not None and not SEED.fullmatch(seed)) or not _AT.fullmatch(fields[2]):
        return None
    states: States = {}
    try:
        for scenario, part in zip(course["scenarios"], fields[header:], strict=True):
            if part == "":
                continue
            if not part.startswith("_"):
                return None
            states[scenario["id"]] = _replay_part(scenario, part[1:])
        current = course["scenarios"][int(fields[2], 36)]["id"] if fields[2] else None
    except (ValueError, IndexError, engine.InvalidChoice):
        return None
    return Resume(states, current if current in states else None, fields[1] or None, seed or None)
