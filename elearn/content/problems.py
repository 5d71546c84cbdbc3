"""Validation problems as values: collected, sorted and reported together, never raised one by one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in a course file, with where it is and how to fix it."""

    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    code: str  # E0xx = error, W0xx = warning (see docs/course-format.md)
    path: str  # where inside the document, e.g. "nodes[3].choices[1].next"
    message: str
    hint: str = ""
    where: str = ""  # the ids on the way, e.g. "node 'etter-timen', choice 'lov-taushet'"

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        label = f" ({self.where})" if self.where else ""
        path = f" {self.path}{label}:" if self.path else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.code}{path} {self.message}{hint}"


# Every problem code and what it means: the table in docs/course-format.md is made from this.
CODES: dict[str, str] = {
    "E001": "the YAML cannot be parsed (the message says where and why)",
    "E002": "a file is too large (256 KiB), nested too deeply (40 levels), or holds or expands "
    "to too many values (10,000)",
    "E003": "a key appears twice in one mapping",
    "E004": "a file named in the course does not exist or is not a regular file (a folder, a "
    "FIFO), or a path escapes the course folder",
    "E010": "a required field is missing",
    "E011": "a field is not one elearn knows (a hint names the closest known field)",
    "E012": "a value has the wrong type or is out of range",
    "E013": "an id is malformed (lowercase letters, digits and `-`, starting with a letter, at "
    "most 64 characters); a variable name is not lowercase letters, digits and `_` starting with "
    "a letter or `_`",
    "E020": "a language map lacks a language the course declares, or has one it does not",
    "E021": "a text is empty",
    "E030": "an id is used twice (scenario, node, choice, or a course id in two folders)",
    "E031": "`start` or a `next`/`to` names a node that does not exist",
    "E032": "a node cannot be reached from `start`",
    "E033": "no ending can be reached from a node (a dead end, or a loop with no way out)",
    "E034": "a node has both choices and `ending`, or neither (`choices: []` counts as no choices)",
    "E035": "in some reachable state every choice of a node is hidden by its `if`",
    "E036": "routes: the last route has an `if`, or a route other than the last has none",
    "E037": "a loop can be repeated and gains or loses points each time (the score would be "
    "unbounded)",
    "E038": "`start` names an ending: a scenario needs at least one decision",
    "E040": "a condition does not parse",
    "E041": "a condition, `set` or `add` uses an undeclared variable, or a value of the wrong type",
    "E050": "the best path cannot reach `mastery_score` (the course cannot be passed)",
    "E051": "an image file does not exist (images must also be png, jpg, jpeg, webp or svg, at "
    "most 1 MiB: E012)",
    "E052": "an SVG image contains a `<script>`, an event handler (`on…=`), a `<foreignObject>`, "
    "a DOCTYPE or entity, or an external reference (an http(s) `href`/`xlink:href`, `@import` or "
    "`url(http…)` in a style); reported at the line in the SVG file",
    "E060": "a scenario has more than 20,000 combinations of node and variable values: the loop "
    "and score checks stop there (use fewer variables, narrower ranges, or two scenarios)",
    "E070": "a course test (`tests:` in a scenario file) fails: a step cannot be taken (the path is "
    "elsewhere, the node has no such choice, or its `if` does not hold), the path does not reach an "
    "ending, or the ending, outcome, score or a variable differs from what the test expects",
    "W001": "the worst path also passes: the mastery score does not tell anything",
    "W002": "a variable is declared but never used",
    "W003": "`estimated_minutes` is more than 25 % (and 2 minutes) away from the reading estimate: "
    "words read on a path at 180 words a minute plus 20 seconds a decision, averaged over the "
    "paths, plus the opening",
    "W004": "in more than half of a scenario's scored decisions (at least 3, where the choices' "
    "points differ) the longest choice, by characters in the course's first language, is a "
    "best-scored one: learners can guess by length",
    "W005": "a node's choices all have `points`, not all equal, but none is `correct: true` (no "
    "success is reported for it)",
    "W006": "a name in one scenario's `cast` is listed with a different `about` in another "
    "scenario of the course (or twice in one): one name, one person",
    "W007": "a sentence (of three words or more) is in the feedback of every choice of a node (in the course's first "
    "language): it does not tell the options apart, so it belongs in the node's `explanation`",
    "W008": "a scenario's bokmål (nb) text, at least 100 words, has a LIX (läsbarhetsindex: words "
    "per sentence + the percentage of words of more than six letters) above the limit for the "
    "course's audience: 50 for teacher, school_leader and health, 45 for adult_education and "
    "other (a course for several audiences: the lowest)",
    "W009": "an ending contradicts the labels shown on a path to it: a `mixed` or `poor` ending "
    "after only choices labelled good, a `poor` ending after no choice labelled risky, or a "
    "`good` ending after no choice labelled good; the message names the scenario, the ending "
    "and the shortest such path (`node: choice → …`)",
}


class CourseInvalid(Exception):
    """Raised by import when a course has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.is_error))
