"""Validated YAML data -> the compiled course form (docs/course-format.md, last section).

The compiled form is what both players run (the Python engine and the exported packages'
JavaScript), so it is explicit: every default is filled in, every condition is an AST, every
`next` is a list of routes. Nothing here validates; callers only compile what passed the checks
(`compile_scenario` is also used on structurally sound scenarios so that the engine can explore
them while other, non-structural problems are still being reported).
"""

from __future__ import annotations

import copy
from typing import Any

from elearn.content.loader import YPath
from elearn.core.conditions import Ast


def _copy(value: Any) -> Any:
    """Deep copy: YAML aliases may share one object between places in the document."""
    return copy.deepcopy(value)


def _routes(nxt: Any, path: YPath, asts: dict[YPath, Ast]) -> list[dict[str, Any]]:
    if isinstance(nxt, str):
        return [{"if": None, "to": nxt}]
    return [{"if": asts.get((*path, k, "if")), "to": route["to"]} for k, route in enumerate(nxt)]


def _choice(choice: dict[str, Any], path: YPath, asts: dict[YPath, Ast]) -> dict[str, Any]:
    return {
        "id": choice["id"],
        "text": _copy(choice.get("text")),
        "feedback": _copy(choice.get("feedback")),
        "points": choice.get("points", 0),
        "correct": choice.get("correct"),
        "if": asts.get((*path, "if")),
        "set": dict(choice.get("set") or {}),
        "add": dict(choice.get("add") or {}),
        "next": _routes(choice["next"], (*path, "next"), asts),
    }


def _node(node: dict[str, Any], path: YPath, asts: dict[YPath, Ast]) -> dict[str, Any]:
    image = node.get("image")
    out: dict[str, Any] = {
        "id": node["id"],
        "text": _copy(node.get("text")),
        "image": {"src": image.get("src"), "alt": _copy(image.get("alt"))}
        if isinstance(image, dict)
        else None,
        "conditional_text": [
            {"if": asts.get((*path, "conditional_text", k, "if")), "text": _copy(item.get("text"))}
            for k, item in enumerate(node.get("conditional_text") or [])
        ],
        "reflection": _copy(node.get("reflection")),
        # Shown once after whichever choice is taken, below that choice's own feedback.
        "explanation": _copy(node.get("explanation")),
        # Players shuffle a node's choices per attempt unless the author fixed their order.
        "order": node.get("order", "shuffle"),
    }
    ending = node.get("ending")
    if ending is not None:
        # Only endings carry the key "ending": the engine tests `"ending" in node`.
        out["ending"] = {"outcome": ending.get("outcome"), "title": _copy(ending.get("title"))}
        out["choices"] = []
    else:
        out["choices"] = [
            _choice(c, (*path, "choices", j), asts) for j, c in enumerate(node["choices"])
        ]
    return out


def _variables(raw: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, spec in (raw or {}).items():
        var: dict[str, Any] = {"type": spec["type"], "default": spec["default"]}
        if spec["type"] == "int":
            var["min"], var["max"] = spec["min"], spec["max"]
        out[name] = var
    return out


def _facilitator(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    return {
        "minutes": raw.get("minutes"),
        "questions": _copy(raw.get("questions") or []),
        "watch_for": _copy(raw.get("watch_for")),
    }


def compile_scenario(data: dict[str, Any], asts: dict[YPath, Ast]) -> dict[str, Any]:
    """A sound scenario's compiled form, without the computed max/min_score and remaining."""
    nodes = {node["id"]: _node(node, ("nodes", i), asts) for i, node in enumerate(data["nodes"])}
    return {
        "id": data.get("id"),
        "title": _copy(data.get("title")),
        "summary": _copy(data.get("summary")),
        # "quiz": the players show it as a knowledge check (question n of N, an answer summary).
        "kind": data.get("kind", "scenario"),
        "start": data["start"],
        "facilitator": _facilitator(data.get("facilitator")),
        "cast": [{"name": c["name"], "about": _copy(c["about"])} for c in data.get("cast") or []],
        "variables": _variables(data.get("variables")),
        "nodes": nodes,
        "node_order": list(nodes),
    }


def compile_course(data: dict[str, Any], scenarios: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole course: course.yaml's fields, the compiled scenarios in order, the course max."""
    return {
        "format": data["format"],
        "id": data["id"],
        "title": _copy(data["title"]),
        "description": _copy(data["description"]),
        "content_notice": _copy(data.get("content_notice")),
        "introduction": _copy(data.get("introduction")),
        "audiences": list(data["audiences"]),
        "measure": data["measure"],
        "languages": list(data["languages"]),
        "estimated_minutes": data["estimated_minutes"],
        "mastery_score": float(data["mastery_score"]),
        "help": [
            {
                "name": _copy(h["name"]),
                "description": _copy(h["description"]),
                "phone": h.get("phone"),
                "url": h.get("url"),
                "checked": h.get("checked"),
            }
            for h in data["help"]
        ],
        "job_aids": [
            {
                "id": a["id"],
                "title": _copy(a["title"]),
                "intro": _copy(a.get("intro")),
                "sections": [
                    {
                        "heading": _copy(sec["heading"]),
                        "text": _copy(sec.get("text")),
                        "items": _copy(sec.get("items") or []),
                        "fill_in": bool(sec.get("fill_in", False)),
                    }
                    for sec in a["sections"]
                ],
            }
            for a in data.get("job_aids") or []
        ],
        "scenarios": scenarios,
        "max_score": sum(s["max_score"] for s in scenarios),
    }
