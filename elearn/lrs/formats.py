"""The `format` parameter of GET /statements (Communication 2.1.3): ids, exact, canonical."""

from __future__ import annotations

import copy
from typing import Any

from elearn.lrs.validation import IFIS

LANG_MAP_KEYS = ("name", "description")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


def _agent_ids(agent: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {k: agent[k] for k in IFIS if k in agent}
    if "objectType" in agent:
        out["objectType"] = agent["objectType"]
    if agent.get("objectType") == "Group" and not any(k in agent for k in IFIS):
        out["member"] = [_agent_ids(m) for m in agent.get("member") or []]
    return out


def _activity_ids(activity: dict[str, Any]) -> dict[str, Any]:
    """Only the id (Communication 2.1.3.s1.table1.row12, XAPI-00171)."""
    return {"id": activity["id"]}


def _walk(statement: dict[str, Any], agent: Any, activity: Any, verb: Any) -> dict[str, Any]:
    st = copy.deepcopy(statement)
    for part in (
        st,
        st.get("object") if st.get("object", {}).get("objectType") == "SubStatement" else None,
    ):
        if part is None:
            continue
        for role in ("actor", "authority"):
            if isinstance(part.get(role), dict):
                part[role] = agent(part[role])
        if isinstance(part.get("verb"), dict):
            part["verb"] = verb(part["verb"])
        obj = part.get("object") or {}
        kind = obj.get("objectType", "Activity")
        if kind == "Activity":
            part["object"] = activity(obj)
        elif kind in ("Agent", "Group"):
            part["object"] = agent(obj)
        context = part.get("context") or {}
        for role in ("instructor", "team"):
            if isinstance(context.get(role), dict):
                context[role] = agent(context[role])
        for name, items in (context.get("contextActivities") or {}).items():
            context["contextActivities"][name] = [activity(a) for a in items]
    return st


def ids_format(statement: dict[str, Any]) -> dict[str, Any]:
    """Only what identifies Agents, Groups (members of anonymous ones), Activities and Verbs."""
    return _walk(statement, _agent_ids, _activity_ids, lambda v: {"id": v["id"]})


def best_language(available: list[str], accept: Any) -> str | None:
    """RFC 2616 Accept-Language applied to one language map (Communication 2.1.3.s4.b5)."""
    if not available:
        return None
    if accept:
        best = accept.best_match(available)
        if best:
            return best
        for tag, _q in accept:  # "en" accepts "en-US"
            for lang in available:
                if lang.lower().startswith(tag.lower() + "-") or tag == "*":
                    return lang
    return available[0]


def canonical_format(statement: dict[str, Any], accept: Any) -> dict[str, Any]:
    """Activity definitions and Verb displays with one language each, by Accept-Language."""

    def one(lang_map: dict[str, str]) -> dict[str, str]:
        lang = best_language(list(lang_map), accept)
        return {lang: lang_map[lang]} if lang else {}

    def activity(a: dict[str, Any]) -> dict[str, Any]:
        out = dict(a)
        definition = dict(a.get("definition") or {})
        for key in LANG_MAP_KEYS:
            if isinstance(definition.get(key), dict):
                definition[key] = one(definition[key])
        for key in COMPONENT_LISTS:
            if isinstance(definition.get(key), list):
                definition[key] = [
                    {**c, "description": one(c["description"])} if "description" in c else c
                    for c in definition[key]
                ]
        if definition:
            out["definition"] = definition
        return out

    def verb(v: dict[str, Any]) -> dict[str, Any]:
        return {**v, "display": one(v["display"])} if "display" in v else v

    return _walk(statement, lambda a: a, activity, verb)
