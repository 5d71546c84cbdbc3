"""Typed, validated course objects -> the compiled course form (docs/course-format.md, last section).

The compiled form is what both players run (the Python engine and the exported packages'
JavaScript), so it is explicit: every default is filled in, every condition is an AST, every
`next` is a list of routes. It carries `format_version`, because compiled versions are stored for
ever: `upgrade` brings a form compiled by an older elearn up to this one, or refuses it.
Nothing here validates; callers only compile what passed the checks (`compile_scenario` is also
used on structurally sound scenarios so the engine can explore them while other problems are
still being reported).
"""

from __future__ import annotations

import copy
from typing import Any

from elearn.content.loader import YPath
from elearn.content.model import Choice, Course, Facilitator, JobAid, Node, Scenario, Variable
from elearn.core.conditions import Ast

# 1: the form before it carried a version (no `format_version` key; stored versions may also
#    lack the newer optional fields: node `order` and `explanation`, scenario `cast`, help
#    `checked`, course `job_aids`).
# 2: `format_version` added; every optional field above is present.
FORMAT_VERSION = 2


class UnsupportedFormat(ValueError):
    """A stored compiled form this elearn cannot play (newer than it, or not a course at all)."""


def _copy(value: Any) -> Any:
    """Deep copy: YAML aliases may share one object between places in the document. The values
    are YAML data (mappings, lists, text, numbers), so this is copy.deepcopy without its memo
    and dispatch, which took a quarter of compiling."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _routes(choice: Choice, path: YPath, asts: dict[YPath, Ast]) -> list[dict[str, Any]]:
    if isinstance(choice.next, str):
        return [{"if": None, "to": choice.next}]
    routes = choice.next or []
    return [
        {"if": asts.get((*path, k, "if")), "to": route.to}
        for k, route in enumerate(routes)
        if route is not None
    ]


def _choice(choice: Choice, path: YPath, asts: dict[YPath, Ast]) -> dict[str, Any]:
    return {
        "id": choice.id,
        "text": _copy(choice.text),
        "feedback": _copy(choice.feedback),
        "points": choice.points or 0,
        "correct": choice.correct,
        "if": asts.get((*path, "if")),
        "set": dict(choice.set or {}),
        "add": dict(choice.add or {}),
        "next": _routes(choice, (*path, "next"), asts),
    }


def _node(node: Node, path: YPath, asts: dict[YPath, Ast]) -> dict[str, Any]:
    image = node.image
    out: dict[str, Any] = {
        "id": node.id,
        "text": _copy(node.text),
        "image": {"src": image.src, "alt": _copy(image.alt)} if image is not None else None,
        "conditional_text": [
            {"if": asts.get((*path, "conditional_text", k, "if")), "text": _copy(item.text)}
            for k, item in enumerate(node.conditional_text or [])
            if item is not None
        ],
        "reflection": _copy(node.reflection),
        # Shown once after whichever choice is taken, below that choice's own feedback.
        "explanation": _copy(node.explanation),
        # Players shuffle a node's choices per attempt unless the author fixed their order.
        "order": node.order or "shuffle",
    }
    if node.ending is not None:
        # Only endings carry the key "ending": the engine tests `"ending" in node`.
        out["ending"] = {"outcome": node.ending.outcome, "title": _copy(node.ending.title)}
        out["choices"] = []
    else:
        out["choices"] = [
            _choice(c, (*path, "choices", j), asts)
            for j, c in enumerate(node.choices or [])
            if c is not None
        ]
    return out


def _variables(raw: dict[str, Variable | None]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, spec in raw.items():
        assert spec is not None  # only sound scenarios are compiled
        var: dict[str, Any] = {"type": spec.type, "default": spec.default}
        if spec.type == "int":
            var["min"], var["max"] = spec.min, spec.max
        out[name] = var
    return out


def _facilitator(raw: Facilitator | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    return {
        "minutes": raw.minutes,
        "questions": _copy(raw.questions or []),
        "watch_for": _copy(raw.watch_for),
    }


def compile_scenario(scenario: Scenario, asts: dict[YPath, Ast]) -> dict[str, Any]:
    """A sound scenario's compiled form, without the computed max/min_score and remaining."""
    nodes = {
        node.id: _node(node, ("nodes", i), asts)
        for i, node in enumerate(scenario.nodes)
        if node is not None
    }
    return {
        "id": scenario.id,
        "title": _copy(scenario.title),
        "summary": _copy(scenario.summary),
        # "quiz": the players show it as a knowledge check (question n of N, an answer summary).
        "kind": scenario.kind or "scenario",
        "start": scenario.start,
        "facilitator": _facilitator(scenario.facilitator),
        "cast": [
            {"name": c.name, "about": _copy(c.about)} for c in scenario.cast or [] if c is not None
        ],
        "variables": _variables(scenario.variables or {}),
        "nodes": nodes,
        "node_order": list(nodes),
    }


def _job_aid(aid: JobAid) -> dict[str, Any]:
    return {
        "id": aid.id,
        "title": _copy(aid.title),
        "intro": _copy(aid.intro),
        "sections": [
            {
                "heading": _copy(sec.heading),
                "text": _copy(sec.text),
                "items": _copy(sec.items or []),
                "fill_in": bool(sec.fill_in),
            }
            for sec in aid.sections
            if sec is not None
        ],
    }


def compile_course(course: Course, scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole course: course.yaml's fields, the compiled scenarios in order, the course max."""
    return {
        "format_version": FORMAT_VERSION,
        "format": course.format,
        "id": course.id,
        "title": _copy(course.title),
        "description": _copy(course.description),
        "content_notice": _copy(course.content_notice),
        "introduction": _copy(course.introduction),
        "audiences": list(course.audiences),
        "measure": course.measure,
        "languages": list(course.languages),
        "estimated_minutes": course.estimated_minutes,
        "mastery_score": float(course.mastery_score or 0),
        "help": [
            {
                "name": _copy(h.name),
                "description": _copy(h.description),
                "phone": h.phone,
                "url": h.url,
                "checked": h.checked,
            }
            for h in course.help
            if h is not None
        ],
        "job_aids": [_job_aid(a) for a in course.job_aids or [] if a is not None],
        "scenarios": scenarios,
        "max_score": sum(s["max_score"] for s in scenarios),
    }


# -- stored forms from older versions of elearn ---------------------------------------------------


def _upgrade_from_1(course: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: fill in the optional fields added since, as the old players behaved:
    choices in written order, no explanation, no cast, no checked date, no job aids, no quiz."""
    out = copy.deepcopy(course)
    out.setdefault("job_aids", [])
    for entry in out.get("help", []):
        entry.setdefault("checked", None)
    for scenario in out["scenarios"]:
        scenario.setdefault("cast", [])
        scenario.setdefault("kind", "scenario")
        for node in scenario["nodes"].values():
            node.setdefault("order", "fixed")
            node.setdefault("explanation", None)
    out["format_version"] = 2
    return out


_UPGRADES = {1: _upgrade_from_1}


def stored_format(course: Any) -> int | None:
    """The format a stored compiled form was made in (1 before the field existed)."""
    if not isinstance(course, dict) or not isinstance(course.get("scenarios"), list):
        return None
    version = course.get("format_version", 1)
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def upgrade(course: Any) -> dict[str, Any]:
    """A stored compiled form in this elearn's format: as it is when current, upgraded step by
    step when older; UnsupportedFormat when it is newer or not a compiled course."""
    version = stored_format(course)
    if version is None:
        raise UnsupportedFormat("the stored data is not a compiled course")
    if version > FORMAT_VERSION:
        raise UnsupportedFormat(
            f"it was compiled in format {version}, newer than this elearn's format "
            f"{FORMAT_VERSION}: upgrade elearn to play it"
        )
    while version < FORMAT_VERSION:
        step = _UPGRADES.get(version)
        if step is None:
            raise UnsupportedFormat(
                f"it was compiled in format {version}, which this elearn can no longer read: "
                "import the course again to make a new version"
            )
        course = step(course)
        version = course["format_version"]
    return course
