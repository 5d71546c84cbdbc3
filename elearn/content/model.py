"""The course format as typed objects: what `schema.py` loads a course's YAML into.

Every field defaults to None (or empty), because a file with mistakes still loads: the fields
that were wrong are left out, the problems are reported, and the checks that can still run on the
rest (ids, targets, conditions) do. Only a course without errors is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LanguageMap = dict[str, str]


@dataclass
class Help:
    name: LanguageMap | None = None
    description: LanguageMap | None = None
    phone: str | None = None
    url: str | None = None
    checked: str | None = None


@dataclass
class AidSection:
    heading: LanguageMap | None = None
    text: LanguageMap | None = None
    items: list[LanguageMap] = field(default_factory=list)
    fill_in: bool = False


@dataclass
class JobAid:
    id: str | None = None
    title: LanguageMap | None = None
    intro: LanguageMap | None = None
    sections: list[AidSection | None] = field(default_factory=list)


@dataclass
class Course:
    format: int | None = None
    id: str | None = None
    title: LanguageMap | None = None
    description: LanguageMap | None = None
    content_notice: LanguageMap | None = None
    introduction: LanguageMap | None = None
    audiences: list[str] = field(default_factory=list)
    measure: str | None = None
    languages: list[str] = field(default_factory=list)
    estimated_minutes: int | None = None
    mastery_score: float | None = None
    scenarios: list[str | None] = field(default_factory=list)
    help: list[Help | None] = field(default_factory=list)
    job_aids: list[JobAid | None] = field(default_factory=list)


@dataclass
class Facilitator:
    minutes: int | None = None
    questions: list[LanguageMap] = field(default_factory=list)
    watch_for: LanguageMap | None = None


@dataclass
class CastMember:
    name: str | None = None
    about: LanguageMap | None = None


@dataclass
class Variable:
    type: str | None = None
    default: int | bool | None = None
    min: int | None = None
    max: int | None = None
    description: str | None = None


@dataclass
class Image:
    src: str | None = None
    alt: LanguageMap | None = None


@dataclass
class Ending:
    outcome: str | None = None
    title: LanguageMap | None = None


@dataclass
class ConditionalText:
    when: str | None = None
    text: LanguageMap | None = None


@dataclass
class Route:
    to: str | None = None
    when: str | None = None


@dataclass
class Choice:
    id: str | None = None
    text: LanguageMap | None = None
    feedback: LanguageMap | None = None
    points: int | None = None  # None: not written (0 when compiled)
    correct: bool | None = None
    when: str | None = None
    set: dict[str, Any] = field(default_factory=dict)
    add: dict[str, Any] = field(default_factory=dict)
    next: str | list[Route | None] | None = None  # a node id, or routes


@dataclass
class Node:
    id: str | None = None
    text: LanguageMap | None = None
    image: Image | None = None
    conditional_text: list[ConditionalText | None] = field(default_factory=list)
    reflection: LanguageMap | None = None
    explanation: LanguageMap | None = None
    choices: list[Choice | None] | None = None
    order: str | None = None
    ending: Ending | None = None


@dataclass
class CourseTest:
    """A path through a scenario and what it must reach; `validate` plays it with the engine."""

    name: str | None = None
    path: list[str | None] = field(default_factory=list)  # "node-id/choice-id", in order
    ending: str | None = None
    outcome: str | None = None
    score: int | None = None
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    id: str | None = None
    title: LanguageMap | None = None
    summary: LanguageMap | None = None
    kind: str | None = None
    start: str | None = None
    facilitator: Facilitator | None = None
    cast: list[CastMember | None] = field(default_factory=list)
    variables: dict[str, Variable | None] = field(default_factory=dict)
    nodes: list[Node | None] = field(default_factory=list)
    tests: list[CourseTest | None] = field(default_factory=list)
