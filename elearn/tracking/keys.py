"""What a statement can be found by: the (kind, key) rows of `elearn_statement_keys`.

One function decides, for every statement however it arrives (the player, the LRS, the
migration that back-fills old rows), which filters of GET /statements it matches:

    AGENT             actor or object Agent/Group, or a member of such a Group   (agent=)
    VERB              verb id                                                     (verb=)
    ACTIVITY          object Activity id                                          (activity=)
    REGISTRATION      context registration                                        (registration=)
    RELATED_AGENT     AGENT plus authority, instructor, team, 2.0's contextAgents and
                      contextGroups, and the same in a SubStatement              (related_agents)
    RELATED_ACTIVITY  object, context activities, and SubStatement's              (related_activities)
    ATTACHMENT_DATA   the SHA-2 of attachment data that arrived with the statement (who may read it)
    DEFINITION        an Activity the statement defines (GET /activities merges those definitions)
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import Any

from elearn.tracking.statements import actor_key

AGENT = 1
VERB = 2
ACTIVITY = 3
REGISTRATION = 4
RELATED_AGENT = 5
RELATED_ACTIVITY = 6
ATTACHMENT_DATA = 7
DEFINITION = 8


@functools.lru_cache(maxsize=65536)
def key_hash(value: str) -> int:
    """A signed 64-bit hash (fits BIGINT): fixed-size index entries for any IRI length.
    Cached: verbs, activities, agents and registrations recur in statement after statement."""
    return int.from_bytes(
        hashlib.blake2b(value.encode(), digest_size=8).digest(), "big", signed=True
    )


def agent_keys(agent: dict[str, Any]) -> Iterator[str]:
    """The agent's own identifier (if it has one) and those of a Group's members."""
    if any(k in agent for k in ("mbox", "mbox_sha1sum", "openid", "account")):
        yield actor_key(agent)
    for member in agent.get("member") or ():
        if isinstance(member, dict):
            yield actor_key(member)


def _activities(context: dict[str, Any] | None) -> Iterator[str]:
    for value in ((context or {}).get("contextActivities") or {}).values():
        for activity in value if isinstance(value, list) else [value]:
            if isinstance(activity, dict) and "id" in activity:
                yield activity["id"]


def activities_of(statement: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every Activity object in the statement: object, context activities, SubStatement's."""
    obj = statement.get("object") or {}
    for part in (statement, obj if obj.get("objectType") == "SubStatement" else {}):
        part_obj = part.get("object") or {}
        if part_obj.get("objectType", "Activity") == "Activity" and "id" in part_obj:
            yield part_obj
        for value in ((part.get("context") or {}).get("contextActivities") or {}).values():
            for activity in value if isinstance(value, list) else [value]:
                if isinstance(activity, dict) and "id" in activity:
                    yield activity


def _defined(statement: dict[str, Any]) -> set[str]:
    return {a["id"] for a in activities_of(statement) if a.get("definition")}


def _context_agents(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The Agents of xAPI 2.0's contextAgents and the Groups of its contextGroups."""
    out = []
    for name, member in (("contextAgents", "agent"), ("contextGroups", "group")):
        for item in context.get(name) or ():
            if isinstance(item, dict) and isinstance(item.get(member), dict):
                out.append(item[member])
    return out


def _is_agent(obj: dict[str, Any]) -> bool:
    return obj.get("objectType") in ("Agent", "Group")


def statement_keys(body: dict[str, Any]) -> set[tuple[int, int]]:
    """Every (kind, key hash) the statement matches on its own (not through StatementRefs)."""
    raw: set[tuple[int, str]] = set()
    obj = body.get("object") or {}
    for key in agent_keys(body.get("actor") or {}):
        raw.add((AGENT, key))
    if _is_agent(obj):
        for key in agent_keys(obj):
            raw.add((AGENT, key))
    raw.add((VERB, (body.get("verb") or {}).get("id", "")))
    if obj.get("objectType", "Activity") == "Activity" and "id" in obj:
        raw.add((ACTIVITY, obj["id"]))
    registration = (body.get("context") or {}).get("registration")
    if registration:
        raw.add((REGISTRATION, registration.lower()))

    related_agents: list[dict[str, Any]] = [body.get("actor") or {}, body.get("authority") or {}]
    related_activities: list[str] = []
    for part in (body, obj if obj.get("objectType") == "SubStatement" else None):
        if part is None:
            continue
        part_obj = part.get("object") or {}
        context = part.get("context") or {}
        related_agents += [part.get("actor") or {}, context.get("instructor") or {}]
        related_agents.append(context.get("team") or {})
        related_agents += _context_agents(context)  # xAPI 2.0
        if _is_agent(part_obj):
            related_agents.append(part_obj)
        if part_obj.get("objectType", "Activity") == "Activity" and "id" in part_obj:
            related_activities.append(part_obj["id"])
        related_activities.extend(_activities(context))
    for activity_id in _defined(body):
        raw.add((DEFINITION, activity_id))
    for agent in related_agents:
        for key in agent_keys(agent):
            raw.add((RELATED_AGENT, key))
    for activity_id in related_activities:
        raw.add((RELATED_ACTIVITY, activity_id))
    return {(kind, key_hash(value)) for kind, value in raw}


def attachment_data_key(sha2: str) -> tuple[int, int]:
    """The row that says a statement brought the data of this attachment with it."""
    return ATTACHMENT_DATA, key_hash(sha2.lower())


def filter_key(kind: int, value: str) -> tuple[int, int]:
    """The row a query parameter looks for (registration ids are compared in lower case)."""
    return kind, key_hash(value.lower() if kind == REGISTRATION else value)
