"""Statement comparison (xAPI 1.0.3 Data 2.3.1): are two serialisations the same statement?

Used for immutability (the same id sent again with other content is a 409) and for signed
statements (the JWS payload must be the statement that carries it). Differences the spec
lists as exceptions are ignored: properties the LRS sets (id when absent, authority, stored,
timestamp, version), Activity definitions and the Verb's display, how a timestamp is
serialised, the order of a Group's members, attachments, a single context Activity versus a
list of one, the case of an e-mail address's domain, and a duration's precision beyond 0.01 s
(xAPI 2.0; harmless for 1.0.3, which says nothing on it).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

LRS_SET = ("authority", "stored", "version", "timestamp", "attachments")


def _instant(value: Any) -> Any:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat(timespec="milliseconds")


SECONDS_RE = re.compile(r"(\d+)(?:\.(\d*))?S$")


def duration(value: Any) -> Any:
    """A duration with its seconds cut to hundredths: xAPI 2.0 (9274.1.1, Durations) leaves
    any precision beyond 0.01 s out of comparisons (truncated, never rounded)."""
    if not isinstance(value, str):
        return value
    match = SECONDS_RE.search(value)
    if not match:
        return value
    fraction = (match.group(2) or "")[:2].rstrip("0")
    seconds = match.group(1) + (f".{fraction}" if fraction else "")
    return value[: match.start()] + seconds + "S"


def _result(result: dict[str, Any]) -> dict[str, Any]:
    out = dict(result)
    if "duration" in out:
        out["duration"] = duration(out["duration"])
    return out


def _agent(agent: dict[str, Any]) -> dict[str, Any]:
    out = dict(agent)
    out.setdefault("objectType", "Agent")
    if isinstance(out.get("mbox"), str) and "@" in out["mbox"]:
        local, _, domain = out["mbox"].rpartition("@")
        out["mbox"] = f"{local}@{domain.lower()}"
    if isinstance(out.get("member"), list):
        members = [_agent(m) for m in out["member"] if isinstance(m, dict)]
        out["member"] = sorted(members, key=repr)
    return out


def _activity(activity: dict[str, Any]) -> dict[str, Any]:
    return {"objectType": "Activity", "id": activity.get("id")}


def _object(obj: dict[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        return _activity(obj)
    if kind in ("Agent", "Group"):
        return _agent(obj)
    if kind == "SubStatement":
        return _core(obj, substatement=True)
    return dict(obj)


def _context(context: dict[str, Any]) -> dict[str, Any]:
    out = dict(context)
    if isinstance(out.get("registration"), str):
        out["registration"] = out["registration"].lower()
    for role in ("instructor", "team"):
        if isinstance(out.get(role), dict):
            out[role] = _agent(out[role])
    activities = out.get("contextActivities")
    if isinstance(activities, dict):
        out["contextActivities"] = {
            name: [_activity(a) for a in (value if isinstance(value, list) else [value])]
            for name, value in activities.items()
        }
    return out


def _core(statement: dict[str, Any], *, substatement: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in statement.items() if k not in LRS_SET}
    if not substatement and isinstance(out.get("id"), str):
        out["id"] = out["id"].lower()
    if isinstance(out.get("actor"), dict):
        out["actor"] = _agent(out["actor"])
    if isinstance(out.get("verb"), dict):
        out["verb"] = {"id": out["verb"].get("id")}
    if isinstance(out.get("object"), dict):
        out["object"] = _object(out["object"])
    if isinstance(out.get("context"), dict):
        out["context"] = _context(out["context"])
    if isinstance(out.get("result"), dict):
        out["result"] = _result(out["result"])
    if substatement and "timestamp" in statement:
        out["timestamp"] = _instant(statement["timestamp"])
    return out


def comparable(statement: dict[str, Any]) -> dict[str, Any]:
    """The statement reduced to what immutability covers."""
    return _core(statement)


def same_statement(a: dict[str, Any], b: dict[str, Any], *, ignore_id: bool = False) -> bool:
    left, right = comparable(a), comparable(b)
    if ignore_id:
        left.pop("id", None)
        right.pop("id", None)
    if (
        "timestamp" in a
        and "timestamp" in b
        and _instant(a["timestamp"]) != _instant(b["timestamp"])
    ):
        return False  # both set by the sender: the same instant, however serialised
    return left == right
