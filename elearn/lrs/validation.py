"""Statement validation for xAPI 1.0.3, with messages that name the field and the rule.

The LRS rejects (400) what Data 2.2 says it MUST reject: null values outside extensions,
strings where numbers or booleans belong, values that do not follow their format (UUID, IRI,
mailto IRI, language tag, timestamp, duration), keys in the wrong case, values outside an
enumeration, and keys the specification does not allow. Each message reads like
`statement.actor.mbox: must be a "mailto:" IRI (Data 2.4.2.3)`.

Structure only, never meaning (Communication 3.0): extension values are not checked.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import math
import re
import uuid
from typing import Any

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
# An absolute IRI: a scheme, a colon, then no whitespace (RFC 3987, best effort).
IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
MAILTO_RE = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
SHA1_RE = re.compile(r"^[0-9a-fA-F]{40}$")
SHA2_RE = re.compile(r"^(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")
# RFC 5646 (best effort): language, optional extlang/script/region/variants/extensions, or
# a private-use tag; checks the sequence of subtag lengths as Data 2.2 asks.
LANG_RE = re.compile(
    r"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?"
    r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
    r"(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?"
    r"|[xX](?:-[A-Za-z0-9]{1,8})+)$"
)
DURATION_RE = re.compile(
    r"^P(?:(?=\d+W$)\d+W|(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?)$"
)
TIMESTAMP_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
VERSION_RE = re.compile(r"^1\.0(?:\.\d+)?$")
VERSION_2_RE = re.compile(r"^(?:1|2)\.0(?:\.\d+)?$")
# The xAPI version of the request being validated: 2.0 adds contextAgents and contextGroups and
# allows statement version 2.0.x. A context variable, so each request (thread) has its own.
XAPI_2: contextvars.ContextVar[bool] = contextvars.ContextVar("xapi_2", default=False)
INTERACTION_TYPES = {
    "true-false": (),
    "choice": ("choices",),
    "fill-in": (),
    "long-fill-in": (),
    "matching": ("source", "target"),
    "performance": ("steps",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "numeric": (),
    "other": (),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
CONTEXT_ACTIVITY_KEYS = ("parent", "grouping", "category", "other")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


# Extension values are any JSON, but not any depth: PostgreSQL and SQLite refuse JSON nested
# about 1,000 deep, and Python's parser and walks recurse. 32 levels inside an extension value.
MAX_EXTENSION_DEPTH = 32
# What the text must contain for a parsed value to hold a NUL or a lone surrogate (UTF-8 input
# cannot encode either; only JSON escapes can): checked before walking the value for them.
SUSPICIOUS_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])|\x00")


class Invalid(ValueError):
    """A request the LRS must refuse with 400; `str()` is the message for the client."""

    def __init__(self, path: str, rule: str, ref: str = ""):
        self.path = path
        self.rule = rule
        super().__init__(f"{path}: {rule}" + (f" ({ref})" if ref else ""))


def _fail(path: str, rule: str, ref: str = "") -> None:
    raise Invalid(path, rule, ref)


class _NonFinite(float):
    """What NaN, Infinity and numbers too large for a double parse to, so they can be found."""


def loads(text: str, where: str) -> Any:
    """JSON as RFC 8259 has it: no NaN or Infinity, no number that overflows to infinity, no
    NUL and no lone surrogate in strings (PostgreSQL refuses both, and neither survives as
    UTF-8), no nesting Python's parser cannot follow. Each refusal names the field."""
    flagged: list[str] = []

    def constant(name: str) -> float:
        flagged.append(name)
        return _NonFinite("nan")

    def number(text: str) -> float:
        value = float(text)
        if math.isinf(value):
            flagged.append(text)
            return _NonFinite(value)
        return value

    try:
        value = json.loads(text, parse_constant=constant, parse_float=number)
    except RecursionError as exc:
        raise Invalid(where, "is nested too deeply to be read", "RFC 8259") from exc
    except ValueError as exc:
        raise Invalid(where, f"is not valid JSON: {exc}", "RFC 8259") from exc
    if flagged or SUSPICIOUS_ESCAPE.search(text):
        _check_json_values(value, where)
    return value


def _check_json_values(value: Any, where: str) -> None:
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, path = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            _fail(path, "must be a finite JSON number (NaN and Infinity are not JSON)", "RFC 8259")
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, f"{path} (a key)")
                stack.append((child, f"{path}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{path}[{i}]") for i, child in enumerate(item))


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        _fail(path, "must not contain the NUL character (\\u0000)", "RFC 8259")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        _fail(path, "must not contain a lone UTF-16 surrogate", "RFC 8259, Communication 1.4")


def _object(value: Any, path: str, ref: str = "") -> dict[str, Any]:
    if not isinstance(value, dict):
        _fail(path, f"must be a JSON object, not {_kind(value)}", ref)
    return value


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", str: "a string", int: "a number", float: "a number"}.get(
        type(value), "an array" if isinstance(value, list) else "an object"
    )


def _keys(obj: dict[str, Any], path: str, allowed: tuple[str, ...], ref: str) -> None:
    for key, value in obj.items():
        if key not in allowed:
            lower = {a.lower(): a for a in allowed}
            if key.lower() in lower:
                _fail(f"{path}.{key}", f'wrong case: the property is "{lower[key.lower()]}"', ref)
            _fail(
                f"{path}.{key}",
                f"is not a property of this object (allowed: {', '.join(allowed)})",
                ref,
            )
        if value is None:
            _fail(f"{path}.{key}", "must not be null", "Data 2.2")


def _string(value: Any, path: str, ref: str = "") -> str:
    if not isinstance(value, str):
        _fail(path, f"must be a string, not {_kind(value)}", ref)
    return value


def _iri(value: Any, path: str, ref: str = "Data 4.3") -> str:
    text = _string(value, path, ref)
    if not IRI_RE.match(text):
        _fail(path, f"must be an absolute IRI with a scheme, got {text!r}", ref)
    return text


def _uuid(value: Any, path: str, ref: str = "Data 4.4") -> str:
    text = _string(value, path, ref)
    if not UUID_RE.match(text):
        _fail(path, f"must be a UUID in standard string form, got {text!r}", ref)
    return text


def _bool(value: Any, path: str, ref: str) -> None:
    if not isinstance(value, bool):
        _fail(path, f"must be true or false, not {_kind(value)}", ref)


def _number(value: Any, path: str, ref: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, f"must be a number, not {_kind(value)}", ref)
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        _fail(path, "must be a finite number (NaN and Infinity are not JSON)", ref)
    return number


def language_tag(value: str) -> bool:
    return bool(LANG_RE.match(value))


def _lang_map(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 4.2")
    for tag, text in obj.items():
        if not language_tag(tag):
            _fail(f"{path}.{tag}", "is not an RFC 5646 language tag", "Data 4.2")
        if text is None:
            _fail(f"{path}.{tag}", "must not be null", "Data 2.2")
        _string(text, f"{path}.{tag}", "Data 4.2")


def _extensions(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 4.1")
    for key, item in obj.items():
        _iri(key, f"{path}[{key!r}]", "Data 4.1: extension keys must be IRIs")
        _depth(item, f"{path}[{key!r}]")
    # Values may be any JSON, null included (Data 4.1.s3.b2, 2.2.s4.b1.b1), within a depth.


def _depth(value: Any, path: str) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_EXTENSION_DEPTH:
            _fail(path, f"is nested more than {MAX_EXTENSION_DEPTH} levels deep", "Data 4.1")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def parse_timestamp(value: Any, path: str) -> dt.datetime:
    """An ISO 8601 timestamp as an aware UTC datetime; "-00:00" is refused (RFC 3339)."""
    text = _string(value, path, "Data 4.5")
    if not TIMESTAMP_RE.match(text):
        _fail(path, f"must be an ISO 8601 timestamp, got {text!r}", "Data 4.5")
    if re.search(r"-00(?::?00)?$", text):
        _fail(path, 'must not use "-00:00" for UTC (RFC 3339 unknown offset)', "Data 4.5")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        _fail(path, f"is not a valid date and time: {text!r}", "Data 4.5")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


# -- agents and groups ----------------------------------------------------------------------
def _ifi(obj: dict[str, Any], path: str) -> int:
    count = 0
    if "mbox" in obj:
        count += 1
        mbox = _string(obj["mbox"], f"{path}.mbox", "Data 2.4.2.3")
        if not MAILTO_RE.match(mbox):
            _fail(f"{path}.mbox", f'must be a "mailto:" IRI, got {mbox!r}', "Data 2.4.2.3")
    if "mbox_sha1sum" in obj:
        count += 1
        sha = _string(obj["mbox_sha1sum"], f"{path}.mbox_sha1sum", "Data 2.4.2.3")
        if not SHA1_RE.match(sha):
            _fail(
                f"{path}.mbox_sha1sum", "must be 40 hexadecimal characters (SHA-1)", "Data 2.4.2.3"
            )
    if "openid" in obj:
        count += 1
        _iri(obj["openid"], f"{path}.openid", "Data 2.4.2.3")
    if "account" in obj:
        count += 1
        account = _object(obj["account"], f"{path}.account", "Data 2.4.2.4")
        _keys(account, f"{path}.account", ("homePage", "name"), "Data 2.4.2.4")
        for required in ("homePage", "name"):
            if required not in account:
                _fail(f"{path}.account.{required}", "is required", "Data 2.4.2.4")
        _iri(account["homePage"], f"{path}.account.homePage", "Data 2.4.2.4: an IRL")
        _string(account["name"], f"{path}.account.name", "Data 2.4.2.4")
    return count


def validate_agent(value: Any, path: str, *, group_allowed: bool = True) -> dict[str, Any]:
    """An Agent or (when allowed) a Group, as in Data 2.4.2."""
    obj = _object(value, path, "Data 2.4.2")
    kind = obj.get("objectType", "Agent")
    if kind == "Group" and group_allowed:
        _keys(obj, path, ("objectType", "name", "member", *IFIS), "Data 2.4.2.2")
        count = _ifi(obj, path)
        if count > 1:
            _fail(
                path,
                "an identified Group has exactly one inverse functional identifier",
                "Data 2.4.2.2",
            )
        if "name" in obj:
            _string(obj["name"], f"{path}.name", "Data 2.4.2.2")
        if count == 0 and "member" not in obj:
            _fail(
                f"{path}.member",
                "an anonymous Group (no identifier) must list its members",
                "Data 2.4.2.2",
            )
        if "member" in obj:
            members = obj["member"]
            if not isinstance(members, list):
                _fail(
                    f"{path}.member",
                    f"must be an array of Agents, not {_kind(members)}",
                    "Data 2.4.2.2",
                )
            if count == 0 and not members:
                _fail(
                    f"{path}.member", "an anonymous Group needs at least one member", "Data 2.4.2.2"
                )
            for i, member in enumerate(members):
                member_obj = _object(member, f"{path}.member[{i}]", "Data 2.4.2.2")
                if member_obj.get("objectType") == "Group":
                    _fail(
                        f"{path}.member[{i}]",
                        "a Group's members must be Agents, not Groups",
                        "Data 2.4.2.2",
                    )
                validate_agent(member_obj, f"{path}.member[{i}]", group_allowed=False)
        return obj
    if kind != "Agent":
        allowed = "Agent or Group" if group_allowed else "Agent"
        _fail(f"{path}.objectType", f"must be {allowed!r}, got {kind!r}", "Data 2.4.2")
    _keys(obj, path, ("objectType", "name", *IFIS), "Data 2.4.2.1")
    if "name" in obj:
        _string(obj["name"], f"{path}.name", "Data 2.4.2.1")
    if _ifi(obj, path) != 1:
        _fail(
            path,
            "an Agent has exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
            "Data 2.4.2.1",
        )
    return obj


# -- verb, object -----------------------------------------------------------------------
def _verb(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 2.4.3")
    _keys(obj, path, ("id", "display"), "Data 2.4.3")
    if "id" not in obj:
        _fail(f"{path}.id", "is required", "Data 2.4.3")
    _iri(obj["id"], f"{path}.id", "Data 2.4.3")
    if "display" in obj:
        _lang_map(obj["display"], f"{path}.display")


def _components(value: Any, path: str) -> None:
    if not isinstance(value, list):
        _fail(
            path, f"must be an array of interaction components, not {_kind(value)}", "Data 2.4.4.1"
        )
    seen: set[str] = set()
    for i, comp in enumerate(value):
        where = f"{path}[{i}]"
        obj = _object(comp, where, "Data 2.4.4.1")
        _keys(obj, where, ("id", "description"), "Data 2.4.4.1")
        if "id" not in obj:
            _fail(f"{where}.id", "is required", "Data 2.4.4.1")
        cid = _string(obj["id"], f"{where}.id", "Data 2.4.4.1")
        if cid in seen:
            _fail(
                f"{where}.id",
                f"{cid!r} is used twice in the list; ids must be distinct",
                "Data 2.4.4.1",
            )
        seen.add(cid)
        if "description" in obj:
            _lang_map(obj["description"], f"{where}.description")


def _definition(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 2.4.4.1")
    allowed = (
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        *COMPONENT_LISTS,
    )
    _keys(obj, path, allowed, "Data 2.4.4.1")
    for key in ("name", "description"):
        if key in obj:
            _lang_map(obj[key], f"{path}.{key}")
    if "type" in obj:
        _iri(obj["type"], f"{path}.type", "Data 2.4.4.1")
    if "moreInfo" in obj:
        _iri(obj["moreInfo"], f"{path}.moreInfo", "Data 2.4.4.1: an IRL")
    if "extensions" in obj:
        _extensions(obj["extensions"], f"{path}.extensions")
    interaction = obj.get("interactionType")
    lists = [k for k in COMPONENT_LISTS if k in obj]
    if interaction is None:
        if "correctResponsesPattern" in obj or lists:
            _fail(
                f"{path}.interactionType",
                "is required when interaction properties are used",
                "Data 2.4.4.1",
            )
        return
    _string(interaction, f"{path}.interactionType", "Data 2.4.4.1")
    if interaction not in INTERACTION_TYPES:
        _fail(
            f"{path}.interactionType",
            f"must be one of {', '.join(INTERACTION_TYPES)} (exact case), got {interaction!r}",
            "Data 2.4.4.1",
        )
    for key in lists:
        if key not in INTERACTION_TYPES[interaction]:
            _fail(
                f"{path}.{key}", f"is not used with interactionType {interaction!r}", "Data 2.4.4.1"
            )
        _components(obj[key], f"{path}.{key}")
    if "correctResponsesPattern" in obj:
        pattern = obj["correctResponsesPattern"]
        if not isinstance(pattern, list):
            _fail(f"{path}.correctResponsesPattern", "must be an array of strings", "Data 2.4.4.1")
        for i, item in enumerate(pattern):
            _string(item, f"{path}.correctResponsesPattern[{i}]", "Data 2.4.4.1")


def validate_activity(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 2.4.4.1")
    _keys(obj, path, ("objectType", "id", "definition"), "Data 2.4.4.1")
    if obj.get("objectType", "Activity") != "Activity":
        _fail(
            f"{path}.objectType", f"must be 'Activity', got {obj['objectType']!r}", "Data 2.4.4.1"
        )
    if "id" not in obj:
        _fail(f"{path}.id", "is required", "Data 2.4.4.1")
    _iri(obj["id"], f"{path}.id", "Data 2.4.4.1")
    if "definition" in obj:
        _definition(obj["definition"], f"{path}.definition")


def _statement_ref(obj: dict[str, Any], path: str) -> None:
    _keys(obj, path, ("objectType", "id"), "Data 2.4.4.3")
    if "id" not in obj:
        _fail(f"{path}.id", "is required", "Data 2.4.4.3")
    _uuid(obj["id"], f"{path}.id", "Data 2.4.4.3")


def _object_of(value: Any, path: str, *, substatement: bool) -> dict[str, Any]:
    obj = _object(value, path, "Data 2.4.4")
    kind = obj.get("objectType", "Activity")
    if kind == "Activity":
        validate_activity(obj, path)
    elif kind in ("Agent", "Group"):
        validate_agent(obj, path)
    elif kind == "StatementRef":
        _statement_ref(obj, path)
    elif kind == "SubStatement":
        if substatement:
            _fail(
                f"{path}.objectType",
                "a SubStatement must not contain a SubStatement",
                "Data 2.4.4.3",
            )
        _substatement(obj, path)
    else:
        _fail(
            f"{path}.objectType",
            f"must be Activity, Agent, Group, StatementRef or SubStatement (exact case), got {kind!r}",
            "Data 2.4.4",
        )
    return obj


def _substatement(obj: dict[str, Any], path: str) -> None:
    allowed = (
        "objectType",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "attachments",
    )
    for forbidden in ("id", "stored", "version", "authority"):
        if forbidden in obj:
            _fail(
                f"{path}.{forbidden}", "a SubStatement must not have this property", "Data 2.4.4.3"
            )
    _keys(obj, path, allowed, "Data 2.4.4.3")
    _core(obj, path, substatement=True)


# -- result, context, attachments --------------------------------------------------------
def _result(value: Any, path: str) -> None:
    obj = _object(value, path, "Data 2.4.5")
    _keys(
        obj,
        path,
        ("score", "success", "completion", "response", "duration", "extensions"),
        "Data 2.4.5",
    )
    if "score" in obj:
        score = _object(obj["score"], f"{path}.score", "Data 2.4.5.1")
        _keys(score, f"{path}.score", ("scaled", "raw", "min", "max"), "Data 2.4.5.1")
        nums = {k: _number(score[k], f"{path}.score.{k}", "Data 2.4.5.1") for k in score}
        if "scaled" in nums and not -1 <= nums["scaled"] <= 1:
            _fail(f"{path}.score.scaled", "must be between -1 and 1", "Data 2.4.5.1")
        if "min" in nums and "max" in nums and nums["min"] >= nums["max"]:
            _fail(f"{path}.score.min", "must be less than max", "Data 2.4.5.1")
        if "raw" in nums:
            if "min" in nums and nums["raw"] < nums["min"]:
                _fail(f"{path}.score.raw", "must not be less than min", "Data 2.4.5.1")
            if "max" in nums and nums["raw"] > nums["max"]:
                _fail(f"{path}.score.raw", "must not be greater than max", "Data 2.4.5.1")
    for key in ("success", "completion"):
        if key in obj:
            _bool(obj[key], f"{path}.{key}", "Data 2.4.5")
    if "response" in obj:
        _string(obj["response"], f"{path}.response", "Data 2.4.5")
    if "duration" in obj:
        duration = _string(obj["duration"], f"{path}.duration", "Data 4.6")
        if not DURATION_RE.match(duration):
            _fail(
                f"{path}.duration",
                f"must be an ISO 8601 duration like PT1H2M3.5S, got {duration!r}",
                "Data 4.6",
            )
    if "extensions" in obj:
        _extensions(obj["extensions"], f"{path}.extensions")


CONTEXT_KEYS = (
    "registration",
    "instructor",
    "team",
    "contextActivities",
    "revision",
    "platform",
    "language",
    "statement",
    "extensions",
)


def _context(value: Any, path: str, obj_kind: str) -> None:
    obj = _object(value, path, "Data 2.4.6")
    allowed = CONTEXT_KEYS + (("contextAgents", "contextGroups") if XAPI_2.get() else ())
    _keys(obj, path, allowed, "Data 2.4.6")
    if "registration" in obj:
        _uuid(obj["registration"], f"{path}.registration", "Data 2.4.6")
    if "contextAgents" in obj:
        _context_members(obj["contextAgents"], f"{path}.contextAgents", "contextAgent", "agent")
    if "contextGroups" in obj:
        _context_members(obj["contextGroups"], f"{path}.contextGroups", "contextGroup", "group")
    if "instructor" in obj:
        validate_agent(obj["instructor"], f"{path}.instructor")
    if "team" in obj:
        _team(obj["team"], f"{path}.team")
    if "contextActivities" in obj:
        _context_activities(obj["contextActivities"], f"{path}.contextActivities")
    _activity_only(obj, path, obj_kind)
    if "language" in obj:
        lang = _string(obj["language"], f"{path}.language", "Data 2.4.6")
        if not language_tag(lang):
            _fail(
                f"{path}.language", f"must be an RFC 5646 language tag, got {lang!r}", "Data 2.4.6"
            )
    if "statement" in obj:
        ref = _object(obj["statement"], f"{path}.statement", "Data 2.4.6")
        if ref.get("objectType") != "StatementRef":
            _fail(f"{path}.statement.objectType", "must be 'StatementRef'", "Data 2.4.6")
        _statement_ref(ref, f"{path}.statement")
    if "extensions" in obj:
        _extensions(obj["extensions"], f"{path}.extensions")


def _activity_only(context: dict[str, Any], path: str, obj_kind: str) -> None:
    """Data 2.4.6.s4.b1/b2: revision and platform only when the object is an Activity."""
    for key, ref in (("revision", "Data 2.4.6.s4.b1"), ("platform", "Data 2.4.6.s4.b2")):
        if key in context:
            _string(context[key], f"{path}.{key}", "Data 2.4.6")
            if obj_kind != "Activity":
                _fail(
                    f"{path}.{key}",
                    f"may only be used when the object is an Activity, not a {obj_kind}",
                    ref,
                )


def _team(value: Any, path: str) -> None:
    team = _object(value, path, "Data 2.4.6")
    if team.get("objectType") != "Group":
        _fail(f"{path}.objectType", "the team must be a Group (objectType 'Group')", "Data 2.4.6")
    validate_agent(team, path)


def _context_activities(value: Any, path: str) -> None:
    activities = _object(value, path, "Data 2.4.6.2")
    for key, entry in activities.items():
        where = f"{path}.{key}"
        if key not in CONTEXT_ACTIVITY_KEYS:
            _fail(where, f"must be one of {', '.join(CONTEXT_ACTIVITY_KEYS)}", "Data 2.4.6.2")
        if entry is None:
            _fail(where, "must not be null", "Data 2.2")
        for i, activity in enumerate(entry if isinstance(entry, list) else [entry]):
            validate_activity(activity, f"{where}[{i}]" if isinstance(entry, list) else where)


def _context_members(value: Any, path: str, kind: str, member: str) -> None:
    """xAPI 2.0 (9274.1.1 Context): contextAgents / contextGroups, each an array of objects
    with objectType, the Agent or Group, and optionally a non-empty array of relevantTypes."""
    ref = "xAPI 2.0 Context: " + ("contextAgents" if member == "agent" else "contextGroups")
    if not isinstance(value, list):
        _fail(path, f"must be an array of {kind} objects, not {_kind(value)}", ref)
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        obj = _object(item, where, ref)
        _keys(obj, where, ("objectType", member, "relevantTypes"), ref)
        if obj.get("objectType") != kind:
            _fail(f"{where}.objectType", f"must be {kind!r}", ref)
        if member not in obj:
            _fail(f"{where}.{member}", "is required", ref)
        target = _object(obj[member], f"{where}.{member}", ref)
        if member == "group":
            if target.get("objectType") != "Group":
                _fail(f"{where}.group.objectType", "must be 'Group'", ref)
            validate_agent(target, f"{where}.group")
        else:
            validate_agent(target, f"{where}.agent", group_allowed=False)
        if "relevantTypes" in obj:
            types = obj["relevantTypes"]
            if not isinstance(types, list) or not types:
                _fail(f"{where}.relevantTypes", "must be a non-empty array of IRIs", ref)
            for j, iri in enumerate(types):
                _iri(iri, f"{where}.relevantTypes[{j}]", ref)


def _attachments(value: Any, path: str) -> None:
    if not isinstance(value, list):
        _fail(path, f"must be an array of Attachment objects, not {_kind(value)}", "Data 2.4.11")
    allowed = ("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl")
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        obj = _object(item, where, "Data 2.4.11")
        _keys(obj, where, allowed, "Data 2.4.11")
        for required in ("usageType", "display", "contentType", "length", "sha2"):
            if required not in obj:
                _fail(f"{where}.{required}", "is required", "Data 2.4.11")
        _iri(obj["usageType"], f"{where}.usageType", "Data 2.4.11")
        _lang_map(obj["display"], f"{where}.display")
        if "description" in obj:
            _lang_map(obj["description"], f"{where}.description")
        content_type = _string(obj["contentType"], f"{where}.contentType", "Data 2.4.11")
        if not re.match(r"^[\w.+-]+/[\w.+-]+", content_type):
            _fail(
                f"{where}.contentType",
                f"must be an Internet Media Type, got {content_type!r}",
                "Data 2.4.11",
            )
        length = obj["length"]
        if isinstance(length, bool) or not isinstance(length, int) or length < 0:
            _fail(f"{where}.length", "must be a non-negative integer (octets)", "Data 2.4.11")
        sha2 = _string(obj["sha2"], f"{where}.sha2", "Data 2.4.11")
        if not SHA2_RE.match(sha2):
            _fail(
                f"{where}.sha2",
                "must be a hexadecimal SHA-2 hash (SHA-224/256/384/512)",
                "Data 2.4.11",
            )
        if "fileUrl" in obj:
            _iri(obj["fileUrl"], f"{where}.fileUrl", "Data 2.4.11: an IRL")


# -- statements --------------------------------------------------------------------------
def _core(obj: dict[str, Any], path: str, *, substatement: bool) -> None:
    for required in ("actor", "verb", "object"):
        if required not in obj:
            _fail(f"{path}.{required}", "is required", "Data 2.4")
    validate_agent(obj["actor"], f"{path}.actor")
    _verb(obj["verb"], f"{path}.verb")
    target = _object_of(obj["object"], f"{path}.object", substatement=substatement)
    kind = target.get("objectType", "Activity")
    if kind in ("Agent", "Group") and "objectType" not in target:
        _fail(
            f"{path}.object.objectType", "is required when the object is an Agent", "Data 2.4.4.2"
        )
    if obj["verb"]["id"] == VOIDED and kind != "StatementRef":
        _fail(f"{path}.object", "a voiding statement's object must be a StatementRef", "Data 2.3.2")
    if "result" in obj:
        _result(obj["result"], f"{path}.result")
    if "context" in obj:
        _context(obj["context"], f"{path}.context", kind)
    if "timestamp" in obj:
        parse_timestamp(obj["timestamp"], f"{path}.timestamp")
    if "attachments" in obj:
        _attachments(obj["attachments"], f"{path}.attachments")


def validate_statement(value: Any, path: str = "statement") -> dict[str, Any]:
    """Checks one statement as sent by a client; raises `Invalid` naming field and rule."""
    obj = _object(value, path, "Data 2.4")
    allowed = (
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    )
    _keys(obj, path, allowed, "Data 2.4")
    if "id" in obj:
        _uuid(obj["id"], f"{path}.id", "Data 2.4.1")
    _core(obj, path, substatement=False)
    if "stored" in obj:
        parse_timestamp(obj["stored"], f"{path}.stored")
    if "authority" in obj:
        _authority(obj["authority"], f"{path}.authority")
    if "version" in obj:
        version = _string(obj["version"], f"{path}.version", "Data 2.4.10")
        if XAPI_2.get() and not VERSION_2_RE.match(version):
            _fail(f"{path}.version", f"must be 1.0.x or 2.0.x, got {version!r}", "Data 2.4.10")
        if not XAPI_2.get() and not VERSION_RE.match(version):
            _fail(
                f"{path}.version", f"must start with 1.0. (1.0.x), got {version!r}", "Data 2.4.10"
            )
    return obj


def _authority(value: Any, path: str) -> None:
    """Data 2.4.9: an Agent, or (3-legged OAuth) an anonymous Group of exactly two Agents,
    the application (an OAuth consumer, identified by an account) and the user."""
    obj = _object(value, path, "Data 2.4.9")
    validate_agent(obj, path)
    if obj.get("objectType") != "Group":
        return
    if any(ifi in obj for ifi in IFIS):
        _fail(
            path,
            "an authority Group is anonymous (no mbox, mbox_sha1sum, openid or account)",
            "Data 2.4.9.s3.b3, XAPI-00024",
        )
    members = obj.get("member") or []
    if len(members) != 2:
        _fail(
            f"{path}.member",
            "an authority Group (3-legged OAuth) has exactly two Agents",
            "Data 2.4.9.s3.b3, XAPI-00100",
        )
    if not any("account" in m for m in members):
        _fail(
            f"{path}.member",
            "an authority Group is an OAuth consumer (an Agent identified by an account) and "
            "a user",
            "Data 2.4.9.s3.b3, XAPI-00100",
        )


def validate_statements(payload: Any) -> list[dict[str, Any]]:
    """A single statement or a batch; every one is checked before anything is stored."""
    if isinstance(payload, list):
        return [validate_statement(item, f"statements[{i}]") for i, item in enumerate(payload)]
    return [validate_statement(payload)]


def new_statement_id() -> str:
    return str(uuid.uuid4())
