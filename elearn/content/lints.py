"""Warnings about a course that is valid but could teach worse than it should (W003–W009).

They run on a course without errors: the reading time against `estimated_minutes` (W003), answers
that can be guessed by their length (W004), scored choices with none marked correct (W005), a
cast name that stands for two different people (W006), feedback that says the same sentence under
every option (W007), bokmål text far harder to read than its audience should get (W008, LIX) and
an ending that contradicts the labels the learner was just shown on the way to it (W009).
"""

from __future__ import annotations

import functools
import re
from collections import deque
from dataclasses import dataclass
from typing import Any

from elearn.content.graph import Exploration
from elearn.content.loader import Document
from elearn.content.model import Scenario
from elearn.content.problems import Problem
from elearn.core import engine, rules, walk

MIN_SCORED_DECISIONS = 3  # W004 needs a few decisions before "more than half" means anything

# W008: LIX (läsbarhetsindex, Björnsson 1968), the readability measure used for Norwegian and the
# other Scandinavian languages: words per sentence + the percentage of words longer than six
# letters. Roughly: under 30 easy, 30–40 plain prose, 40–50 newspapers and factual text, 50–60
# specialist text, over 60 very hard. The courses in courses/ score 26–36. The thresholds are
# "far above" what the audience reads at work; a course for several audiences uses the lowest.
REPEATED_MIN_WORDS = 3  # W007: a shared "Bra." or "Tja." is not worth a warning; a sentence is
LIX_LANGUAGE = "nb"
LIX_LIMITS = {"teacher": 50, "school_leader": 50, "health": 50, "adult_education": 45, "other": 45}
LIX_MIN_WORDS = 100  # below this a LIX figure says little
LONG_WORD = 6  # letters: a longer word is "long" in LIX
_WORD = re.compile(r"[^\W\d_]+")  # letters only: numbers are not words a reader decodes
_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)")


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
    to the core walker's sample of paths. Kept on the exploration, which an unchanged scenario
    shares with the preview's earlier check."""
    if lang not in explored.minutes:
        explored.minutes[lang] = _scenario_minutes(scenario, explored, lang)
    return explored.minutes[lang]


def _scenario_minutes(scenario: dict[str, Any], explored: Exploration, lang: str) -> float:
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


# -- W007: the same sentence under every option ----------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [" ".join(part.split()) for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part]


def repeated_feedback(file: ScenarioFile, lang: str) -> list[Problem]:
    """W007 when one sentence is in the feedback of every choice of a node: it does not tell the
    options apart, so it belongs in the node's `explanation` (shown once, whatever was chosen)."""
    problems = []
    for i, node in enumerate(file.typed.nodes):
        choices = [c for c in (node.choices if node is not None else None) or [] if c is not None]
        if len(choices) < 2 or any(not c.feedback or lang not in c.feedback for c in choices):
            continue
        per_choice = [_sentences(c.feedback[lang]) for c in choices]  # type: ignore[index]
        shared = [
            t
            for t in per_choice[0]
            if _words(t) >= REPEATED_MIN_WORDS and all(t in other for other in per_choice[1:])
        ]
        if not shared:
            continue
        assert node is not None
        quoted = " ".join(f'"{t}"' for t in shared)
        problems.append(
            file.doc.problem(
                ("nodes", i, "choices"),
                "W007",
                f"the feedback of every choice of node '{node.id}' "
                f"({', '.join(str(c.id) for c in choices)}) says {quoted} ({lang}): "
                "it does not tell the options apart",
                "say it once in the node's `explanation` (shown after whichever choice) and keep "
                "each feedback to what that choice did",
                at_key=True,
            )
        )
    return problems


# -- W008: reading level (LIX) --------------------------------------------------------------------


@dataclass(frozen=True)
class Lix:
    """A text's LIX and what it is made of."""

    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        return self.words / max(1, self.sentences) + 100 * self.long_words / max(1, self.words)


def lix(texts: list[str]) -> Lix:
    """LIX over separate texts: each text ends at least one sentence (choice texts and titles
    often have no full stop), numbers are not counted as words."""
    words = long_words = sentences = 0
    for text in texts:
        found = _WORD.findall(text)
        words += len(found)
        long_words += sum(len(w) > LONG_WORD for w in found)
        stripped = text.strip()
        ends = len(_SENTENCE_END.findall(stripped))
        sentences += ends + (0 if _SENTENCE_END.search(stripped[-1:] + " ") else 1)
    return Lix(words, sentences, long_words)


def _node_texts(node: dict[str, Any], lang: str) -> list[str]:
    out = [node["text"][lang], *(c["text"][lang] for c in node["conditional_text"])]
    out += [node[k][lang] for k in ("reflection", "explanation") if node.get(k)]
    if node.get("ending"):
        out.append(node["ending"]["title"][lang])
    for choice in node["choices"]:
        out += [choice["text"][lang], choice["feedback"][lang]]
    return out


def reading_level(file: ScenarioFile, audiences: list[str]) -> list[Problem]:
    """W008 when the scenario's bokmål text (every text a learner can read in it) has a LIX far
    above what its audience reads at work; the message names the hardest node to start with."""
    scenario, lang = file.compiled, LIX_LANGUAGE
    limits = {a: LIX_LIMITS[a] for a in audiences if a in LIX_LIMITS}
    if lang not in scenario["title"] or not limits:
        return []
    texts = [scenario["title"][lang]] + ([scenario["summary"][lang]] if scenario["summary"] else [])
    per_node = {nid: _node_texts(node, lang) for nid, node in scenario["nodes"].items()}
    whole = lix(texts + [t for node in per_node.values() for t in node])
    limit = min(limits.values())
    if whole.words < LIX_MIN_WORDS or whole.value <= limit:
        return []
    strict = sorted(a for a, v in limits.items() if v == limit)
    node_lix = {nid: lix(t) for nid, t in per_node.items()}
    hardest = max(node_lix, key=lambda nid: node_lix[nid].value)
    return [
        file.doc.problem(
            ("title",),
            "W008",
            f"this scenario's {lang} text reads at LIX {whole.value:.0f} (läsbarhetsindex: "
            f"{whole.words / max(1, whole.sentences):.0f} words a sentence + "
            f"{100 * whole.long_words / whole.words:.0f} % words of more than {LONG_WORD} "
            f"letters), far above the {limit} set for the audience {', '.join(strict)}; the "
            f"hardest node is '{hardest}' (LIX {node_lix[hardest].value:.0f})",
            "split long sentences and use everyday words for long compounds",
            at_key=True,
        )
    ]


# -- W009: an ending that contradicts its path ----------------------------------------------------

Step = tuple[str, str]  # (node id, choice id)


def _labelled_moves(file: ScenarioFile) -> list[list[tuple[int, Step, str | None]]]:
    """Each state's moves with the outcome label the player shows for that choice."""
    nodes = file.compiled["nodes"]
    labelled = []
    for s, edges in enumerate(file.explored.moves):
        nid = file.explored.states[s][0]
        by_id = {c["id"]: c for c in nodes[nid]["choices"]}
        labelled.append(
            [(b, (nid, cid), rules.choice_outcome(nodes[nid], by_id[cid])) for b, (_, cid) in edges]
        )
    return labelled


Key = tuple[int, bool]  # (state, whether a labelled choice was met on the way)


def _shortest_paths(
    moves: list[list[tuple[int, Step, str | None]]], allowed: set[str | None]
) -> dict[Key, tuple[Key, Step] | None]:
    """Breadth first from the start over the moves whose label is `allowed`: for each reachable
    key, the key and step it was first reached from (so the path back is a shortest one)."""
    start: Key = (0, False)
    came_from: dict[Key, tuple[Key, Step] | None] = {start: None}
    queue = deque([start])
    while queue:
        key = queue.popleft()
        for b, step, label in moves[key[0]]:
            nxt = (b, key[1] or label is not None)
            if label in allowed and nxt not in came_from:
                came_from[nxt] = (key, step)
                queue.append(nxt)
    return came_from


def _path_to(came_from: dict[Key, tuple[Key, Step] | None], key: Key) -> list[Step]:
    path = []
    while (back := came_from[key]) is not None:
        key, step = back
        path.append(step)
    return path[::-1]


def _path_text(path: list[Step]) -> str:
    return " → ".join(f"{nid}: {cid}" for nid, cid in path)


# (ending outcomes, labels a path may have, what the learner was told on the way, hint); a path
# must meet at least one labelled choice: a story with no scored turn has nothing to contradict.
_CONTRADICTIONS = (
    (
        {"mixed", "poor"},
        {rules.GOOD, None},
        "every choice is labelled good",
        "lead that path to a good ending, or give the choice that should cost fewer points "
        "(or `correct: false`) so its label and feedback can say so",
    ),
    (
        {"poor"},
        {rules.GOOD, rules.PARTLY, None},
        "no choice is labelled risky",
        "lead that path to a mixed or good ending, or mark the choice that did the harm as "
        "risky (the fewest points of its node, or `correct: false`)",
    ),
    (
        {"good"},
        {rules.PARTLY, rules.RISKY, None},
        "no choice is labelled good",
        "lead that path to a mixed or poor ending, or give the choice that deserves it the "
        "most points of its node (or `correct: true`)",
    ),
)


def contradicting_endings(file: ScenarioFile) -> list[Problem]:
    """W009 where an ending's outcome says the opposite of the labels the learner was shown on
    the way (rules.choice_outcome): a mixed or poor ending after only good choices, a poor one
    after no risky choice, a good one after no good choice. The learner is told "a good
    choice" and then that it went wrong, and trusts neither. One warning per ending, with the
    shortest such path, so the author can play it."""
    if not file.explored.states:
        return []
    moves = _labelled_moves(file)
    nodes = file.compiled["nodes"]
    position = {node.id: i for i, node in enumerate(file.typed.nodes) if node is not None}
    problems: dict[str, Problem] = {}
    for outcomes, allowed, told, hint in _CONTRADICTIONS:
        came_from = _shortest_paths(moves, allowed)
        for s, labelled in came_from:  # in the order reached: shortest paths first
            nid = file.explored.states[s][0]
            ending = nodes[nid].get("ending")
            if not labelled or ending is None or ending["outcome"] not in outcomes:
                continue
            if nid in problems:
                continue
            problems[nid] = file.doc.problem(
                ("nodes", position[nid], "ending", "outcome"),
                "W009",
                f"scenario '{file.compiled['id']}': the ending '{nid}' is {ending['outcome']}, "
                f"but it is reached by a path where {told}: "
                f"{_path_text(_path_to(came_from, (s, labelled)))}",
                hint,
            )
    return list(problems.values())


def lint(files: list[ScenarioFile], compiled: dict[str, Any]) -> list[Problem]:
    """Every lint of a course without errors, in the course's first language where it matters."""
    lang = compiled["languages"][0]
    problems = cast_names(files)
    for file in files:
        problems += longest_is_best(file, lang) + unmarked_correct(file)
        problems += repeated_feedback(file, lang) + reading_level(file, compiled["audiences"])
        problems += contradicting_endings(file)
    return problems
