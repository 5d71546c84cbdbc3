"""Checks that a statement follows the xAPI 1.0.3 Data rules elearn's statements touch.

Used by tests to show that what the platform records is valid xAPI, not just "some JSON".
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

IRI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]+$")
LANG_TAG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}


def _lang_map(value: Any, where: str) -> list[str]:
    if not isinstance(value, dict) or not value:
        return [f"{where}: a language map must be a non-empty object"]
    return [f"{where}: {k!r} is not a language tag" for k in value if not LANG_TAG.match(k)]


def _timestamp(value: Any, where: str) -> list[str]:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return [f"{where}: {value!r} is not ISO 8601"]
    return [] if parsed.tzinfo is not None else [f"{where}: no time zone"]


def _id_and_actor(st: dict[str, Any]) -> list[str]:
    out: list[str] = []
    try:
        uuid.UUID(st["id"])
    except (KeyError, ValueError):
        out.append("id: must be a UUID")
    actor = st.get("actor", {})
    ifis = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
    if len(ifis) != 1:
        out.append("actor: exactly one inverse functional identifier")
    if "account" in actor and set(actor["account"]) != {"homePage", "name"}:
        out.append("actor.account: needs exactly homePage and name")
    return out


def _verb(verb: dict[str, Any]) -> list[str]:
    out = [] if IRI.match(verb.get("id", "")) else ["verb.id: must be an IRI"]
    if "display" in verb:
        out += _lang_map(verb["display"], "verb.display")
    return out


def _interaction(definition: dict[str, Any]) -> list[str]:
    if "interactionType" not in definition:
        return []
    out = []
    if definition["interactionType"] not in INTERACTION_TYPES:
        out.append("object.definition.interactionType: unknown")
    for c in definition.get("choices", []):
        if not c.get("id") or " " in c["id"]:
            out.append("interaction component ids must be non-empty without spaces")
        out += _lang_map(c.get("description"), "choices[].description")
    return out


def _object(obj: dict[str, Any]) -> list[str]:
    if obj.get("objectType", "Activity") != "Activity":
        return []
    out = [] if IRI.match(obj.get("id", "")) else ["object.id: must be an IRI"]
    definition = obj.get("definition", {})
    for key in ("name", "description"):
        if key in definition:
            out += _lang_map(definition[key], f"object.definition.{key}")
    return out + _interaction(definition)


def _score(score: dict[str, Any]) -> list[str]:
    out = []
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        out.append("result.score.scaled: outside -1..1")
    if "raw" in score and "min" in score and score["raw"] < score["min"]:
        out.append("result.score.raw: below min")
    if "raw" in score and "max" in score and score["raw"] > score["max"]:
        out.append("result.score.raw: above max")
    if "min" in score and "max" in score and score["min"] >= score["max"]:
        out.append("result.score: min must be less than max")
    return out


def _result(result: dict[str, Any] | None) -> list[str]:
    if result is None:
        return []
    out = _score(result.get("score", {}))
    if "duration" in result and not DURATION.match(result["duration"]):
        out.append("result.duration: not an ISO 8601 duration")
    if any(not IRI.match(key) for key in result.get("extensions", {})):
        out.append("result.extensions: keys must be IRIs")
    return out


def _context(context: dict[str, Any] | None) -> list[str]:
    if context is None:
        return []
    out = []
    if "registration" in context:
        try:
            uuid.UUID(context["registration"])
        except ValueError:
            out.append("context.registration: must be a UUID")
    if "language" in context and not LANG_TAG.match(context["language"]):
        out.append("context.language: not a language tag")
    for kind, items in context.get("contextActivities", {}).items():
        if kind not in {"parent", "grouping", "category", "other"}:
            out.append(f"context.contextActivities.{kind}: unknown")
        for item in items if isinstance(items, list) else [items]:
            if not IRI.match(item.get("id", "")):
                out.append(f"context.contextActivities.{kind}: id must be an IRI")
    if any(not IRI.match(key) for key in context.get("extensions", {})):
        out.append("context.extensions: keys must be IRIs")
    return out


def problems(st: dict[str, Any]) -> list[str]:
    out = _id_and_actor(st) + _verb(st.get("verb", {})) + _object(st.get("object", {}))
    out += _result(st.get("result")) + _context(st.get("context"))
    for key in ("timestamp", "stored"):
        if key in st:
            out += _timestamp(st[key], key)
    if st.get("version", "1.0.3") not in {"1.0.0", "1.0.1", "1.0.2", "1.0.3"}:
        out.append("version: not 1.0.x")
    return out


def assert_valid(statements: list[dict[str, Any]]) -> None:
    found = {s.get("id"): problems(s) for s in statements}
    bad = {k: v for k, v in found.items() if v}
    assert not bad, bad
