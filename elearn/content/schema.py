"""The course format, defined once: marshmallow schemas that load course.yaml and scenario files
into the typed objects of `model.py`.

Each field carries its description (shown in editors and in the docs' field table), whether the
story graph depends on it, and how it looks as JSON Schema; each failure is an `Issue` with its
problem code and hint. The validator (`validate.py`), the published JSON Schemas and the field
table in docs/course-format.md (both made by `python -m elearn.content.jsonschema`) all come from
these classes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlparse

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validates_schema,
)

from elearn.content import model
from elearn.core.constants import AUDIENCES, LANGUAGES

ID_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
VAR_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")
OUTCOMES = ("good", "mixed", "poor")
VARIABLE_TYPES = ("int", "bool")
CHOICE_ORDERS = ("shuffle", "fixed")
SCENARIO_KINDS = ("scenario", "quiz")  # a quiz is shown as a knowledge check
MINUTES = (1, 600)
MAX_ID_LENGTH = 64
IMAGE_PATTERN = r"\.([Pp][Nn][Gg]|[Jj][Pp][Ee]?[Gg]|[Ww][Ee][Bb][Pp]|[Ss][Vv][Gg])$"

# The course's languages while a scenario is loaded (marshmallow 4 has no schema context).
_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("elearn_languages", default=None)

YPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    """One failure of a field: its problem code, message and hint. `at_key`: point at the key,
    not the value; `graph`: the story graph depends on the field, so the scenario is not
    played through while it is wrong."""

    code: str
    message: str
    hint: str = ""
    at_key: bool = False
    graph: bool = False


def describe(value: Any) -> str:
    """A value as an author would recognise it in their file."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def suggest_id(value: Any) -> str:
    """A valid id close to what the author wrote ("Talk Alone" -> "talk-alone")."""
    text = re.sub(r"[\s_.]+", "-", str(value).strip().lower())
    text = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", text)).strip("-")
    text = text.lstrip("0123456789-")
    return text or "my-id"


def suggest_variable(value: Any) -> str:
    """A valid variable name close to what the author wrote ("Trust-Level" -> "trust_level")."""
    text = re.sub(r"[\s\-.]+", "_", str(value).strip().lower())
    text = re.sub(r"[^a-z0-9_]", "", text).lstrip("0123456789")
    return text or "my_variable"


def yes_no_hint(value: Any) -> str:
    if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off", "y", "n"}:
        return f"'{value}' is text in YAML 1.2 (elearn does not read it as a boolean); write true or false"
    return "write true or false"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


# -- fields -----------------------------------------------------------------------------------------


class FormatField(fields.Field):
    """A field of the format: its checks raise Issues, and it knows its JSON Schema and label."""

    label: ClassVar[str] = "value"

    def __init__(
        self, *, description: str = "", graph: bool = False, json: dict | None = None, **kw: Any
    ):
        super().__init__(metadata={"description": description, "graph": graph, "json": json}, **kw)
        self.error_messages = {
            **self.error_messages,
            "required": Issue("E010", "a required field is missing", graph=graph),
            "null": Issue("E012", "this field has no value", "give it a value, or remove the line"),
        }

    @property
    def graph(self) -> bool:
        return bool(self.metadata.get("graph"))

    def fail(self, code: str, message: str, hint: str = "", *, at_key: bool = False) -> None:
        raise ValidationError([Issue(code, message, hint, at_key, self.graph)])  # type: ignore[list-item]

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        return None

    def json_type(self) -> dict[str, Any]:
        return {}

    def json_schema(self) -> dict[str, Any]:
        out = self.json_type()
        if self.metadata.get("description"):
            out = {**out, "description": self.metadata["description"]}
        return {**out, **(self.metadata.get("json") or {})}


class Text(FormatField):
    """A non-empty string. `quote_hint` for fields YAML would read as a number if unquoted."""

    label = "text"

    def __init__(self, *, quote_hint: bool = False, max_length: int | None = None, **kw: Any):
        super().__init__(**kw)
        self.quote_hint = quote_hint
        self.max_length = max_length

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            hint = "write it as text"
            if self.quote_hint and isinstance(value, int | float) and not isinstance(value, bool):
                hint = f'quote it, or YAML reads it as a number: "{value}"'
            self.fail("E012", f"expected text, got {describe(value)}", hint)
        if not value.strip():
            self.fail("E021", "the text is empty", "write something, or remove the field")
        if self.max_length is not None and len(value) > self.max_length:
            self.fail(
                "E012",
                f"the text is {len(value)} characters long; at most {self.max_length} are allowed",
                "shorten it",
            )

    def json_type(self) -> dict[str, Any]:
        if self.max_length is not None:
            return {"type": "string", "pattern": r"\S", "maxLength": self.max_length}
        return _ref("text")


class NodeRef(Text):
    """The id of a node in the same scenario (`start`, `next`, `to`); the graph checks that it
    exists (E031), which also covers a malformed one."""

    label = "node id"

    def json_type(self) -> dict[str, Any]:
        return _ref("id")


class Int(FormatField):
    """A whole number (never a bool), optionally within [low, high]."""

    def __init__(self, low: int | None = None, high: int | None = None, **kw: Any):
        super().__init__(**kw)
        self.low, self.high = low, high

    @property
    def label(self) -> str:  # type: ignore[override]
        if self.low is not None and self.low == self.high:
            return f"whole number: {self.low}"
        if self.low is not None and self.high is not None:
            return f"whole number {self.low}–{self.high}"
        return "whole number"

    def _range(self) -> str:
        if self.low is not None and self.low == self.high:
            return f"it must be {self.low}"
        if self.low is not None and self.high is not None:
            return f"a whole number from {self.low} to {self.high}"
        return "a whole number, e.g. 2 or -1"

    def check(self, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail("E012", f"expected a whole number, got {describe(value)}", self._range())
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            self.fail("E012", f"{value} is out of range", self._range())

    def json_type(self) -> dict[str, Any]:
        if self.low is not None and self.low == self.high:
            return {"type": "integer", "const": self.low}
        out: dict[str, Any] = {"type": "integer"}
        if self.low is not None:
            out["minimum"] = self.low
        if self.high is not None:
            out["maximum"] = self.high
        return out


class Share(FormatField):
    """0 < x <= 1: a share of the best possible score."""

    label = "number, 0 < x ≤ 1"

    def check(self, value: Any) -> None:
        hint = "a number greater than 0 and at most 1, e.g. 0.7"
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.fail("E012", f"expected a number, got {describe(value)}", hint)
        if not math.isfinite(value) or not 0 < value <= 1:
            self.fail("E012", f"{value} is out of range", hint)

    def json_type(self) -> dict[str, Any]:
        return {"type": "number", "exclusiveMinimum": 0, "maximum": 1}


class Bool(FormatField):
    label = "true or false"

    def check(self, value: Any) -> None:
        if not isinstance(value, bool):
            self.fail("E012", f"expected true or false, got {describe(value)}", yes_no_hint(value))

    def json_type(self) -> dict[str, Any]:
        return {"type": "boolean"}


class OneOf(FormatField):
    """One of a fixed set of words; the hint lists them, closest first."""

    def __init__(self, options: Sequence[str], **kw: Any):
        super().__init__(**kw)
        self.options = tuple(options)

    @property
    def label(self) -> str:  # type: ignore[override]
        return " \\| ".join(self.options)

    def check(self, value: Any) -> None:
        if isinstance(value, str) and value in self.options:
            return
        close = difflib.get_close_matches(str(value), self.options, n=1, cutoff=0.5)
        hint = f"one of: {', '.join(self.options)}"
        if close:
            hint = f"did you mean '{close[0]}'? ({hint})"
        self.fail("E012", f"{describe(value)} is not allowed here", hint)

    def json_type(self) -> dict[str, Any]:
        if self.options == tuple(LANGUAGES):
            return _ref("language")
        return {"enum": list(self.options)}


class Id(FormatField):
    """Course, scenario, node and choice ids: they become parts of xAPI IRIs."""

    label = "id"

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            self.fail(
                "E012", f"expected an id, got {describe(value)}", f"e.g. '{suggest_id(value)}'"
            )
        if not ID_RE.match(value):
            self.fail(
                "E013",
                f"the id {value!r} is malformed: use lowercase letters, digits and '-', "
                "starting with a letter",
                f"for example '{suggest_id(value)}'",
            )
        if len(value) > MAX_ID_LENGTH:
            self.fail(
                "E013",
                f"the id is {len(value)} characters long; at most {MAX_ID_LENGTH} are allowed",
                "use a shorter id: it becomes part of web addresses (xAPI IRIs)",
            )

    def json_type(self) -> dict[str, Any]:
        return _ref("id")


class VariableName(FormatField):
    label = "variable name"

    def check(self, value: Any) -> None:
        if not isinstance(value, str) or not VAR_RE.match(value):
            self.fail(
                "E013",
                f"the variable name {value!r} is malformed: use lowercase letters, digits "
                "and '_', not starting with a digit",
                f"for example '{suggest_variable(value)}'",
                at_key=True,
            )

    def json_type(self) -> dict[str, Any]:
        return _ref("variableName")


class ChoiceStep(FormatField):
    """One step of a course test's path: `node-id/choice-id`, the choice taken at that node."""

    label = "node-id/choice-id"

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            self.fail("E012", f"expected a step 'node-id/choice-id', got {describe(value)}")
        node, _, choice = value.partition("/")
        if not (ID_RE.match(node) and ID_RE.match(choice)):
            self.fail(
                "E012",
                f"{value!r} is not a step: write the node's id, '/', and the choice's id",
                "e.g. 'etter-timen/lov-taushet'",
            )

    def json_type(self) -> dict[str, Any]:
        pattern = ID_RE.pattern.removesuffix(r"\Z")
        return {"type": "string", "pattern": f"^{pattern}/{pattern}$"}


class HttpsUrl(FormatField):
    label = "https link"

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            self.fail("E012", f"expected a link, got {describe(value)}", 'e.g. "https://…"')
        parsed = urlparse(value.strip())
        if parsed.scheme.lower() != "https" or not parsed.netloc:
            self.fail("E012", f"{value!r} is not an https link", "links must start with https://")

    def json_type(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]://[^\s/?#]"}


class IsoDate(FormatField):
    """A calendar date written as "YYYY-MM-DD" (quoted, so YAML keeps it as text)."""

    label = 'date, "YYYY-MM-DD"'

    def check(self, value: Any) -> None:
        if isinstance(value, dt.date):
            self.fail("E012", "the date must be quoted", f'write "{value.isoformat()}"')
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            self.fail("E012", f"expected a date, got {describe(value)}", 'e.g. "2026-12-01"')
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            self.fail("E012", f"{value!r} is not a real date", 'e.g. "2026-12-01"')

    def json_type(self) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


class Condition(FormatField):
    """A condition's text; the graph checks parse it (E040) against the variables (E041)."""

    label = "condition"

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            self.fail(
                "E012",
                f"expected a condition as text, got {describe(value)}",
                'e.g. "trust >= 2"; to offer something always, leave `if` out',
            )

    def json_type(self) -> dict[str, Any]:
        return _ref("condition")


class SetValue(FormatField):
    """A value for a variable: true, false or a whole number (its type is checked in the graph)."""

    label = "true, false or whole number"

    def __init__(self, *, ints_only: bool = False, checked: bool = True, **kw: Any):
        super().__init__(**kw)
        self.ints_only, self.checked = ints_only, checked

    def check(self, value: Any) -> None:
        if self.checked and not isinstance(value, bool | int):
            self.fail(
                "E012",
                f"expected true, false or a whole number, got {describe(value)}",
                yes_no_hint(value),
            )

    def json_type(self) -> dict[str, Any]:
        return {"type": "integer"} if self.ints_only else {"type": ["boolean", "integer"]}


class LanguageMap(FormatField):
    """{nb: "…", nn: "…", en: "…"} with exactly the course's languages, none empty."""

    label = "language map"

    def check(self, value: Any) -> None:
        languages = _LANGUAGES.get()
        example = ", ".join(f'{lang}: "…"' for lang in (languages or LANGUAGES))
        if not isinstance(value, dict):
            self.fail(
                "E012",
                f"expected a text in each language, got {describe(value)}",
                f"write {{{example}}}",
            )
        errors = self._language_errors(value, languages) if languages else {}
        for key, text in value.items():
            if key in errors:
                continue
            if not isinstance(text, str):
                errors[key] = [
                    Issue("E012", f"expected text, got {describe(text)}", "put the text in quotes")
                ]
            elif not text.strip():
                errors[key] = [Issue("E021", f"the {key} text is empty", "write the text")]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]

    @staticmethod
    def _language_errors(value: dict[str, Any], languages: tuple[str, ...]) -> dict[str, list]:
        errors: dict[str, list] = {}
        missing = [lang for lang in languages if lang not in value]
        if missing:
            errors["_schema"] = [
                Issue(
                    "E020",
                    f"the text in {', '.join(missing)} is missing",
                    f"every text needs all the course's languages ({', '.join(languages)})",
                )
            ]
        for key in value:
            if key not in languages:
                errors[key] = [
                    Issue(
                        "E020",
                        f"'{key}' is not one of the course's languages ({', '.join(languages)})",
                        "remove it, or add the language to `languages` in course.yaml",
                        at_key=True,
                    )
                ]
        return errors

    def json_type(self) -> dict[str, Any]:
        return _ref("languageMap")


class ListOf(FormatField):
    """A list whose items keep their places when some are wrong (problems name the index)."""

    def __init__(self, inner: fields.Field, *, min_items: int = 0, unique: bool = False, **kw: Any):
        super().__init__(**kw)
        self.inner, self.min_items, self.unique = inner, min_items, unique

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"list of {getattr(self.inner, 'label', 'mappings')}"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, list):
            self.fail("E012", "expected a list", "write one `- item` per line")
        result: list[Any] = []
        errors: dict[int | str, Any] = {}
        for i, item in enumerate(value):
            try:
                result.append(self.inner.deserialize(item, **kwargs))
            except ValidationError as exc:
                errors[i] = exc.messages
                result.append(exc.valid_data)
        if len(value) < self.min_items:
            errors["_schema"] = [Issue("E012", "the list is empty", "give at least one item")]
        if self.unique:
            seen = [v for v in value if isinstance(v, str)]
            doubles = sorted({v for v in seen if seen.count(v) > 1})
            if doubles:
                errors["_schema"] = [
                    Issue("E012", f"listed twice: {', '.join(doubles)}", "list each once")
                ]
        if errors:
            raise ValidationError(errors, valid_data=result)  # type: ignore[arg-type]
        return result

    def json_type(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array"}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.unique:
            out["uniqueItems"] = True
        out["items"] = json_of(self.inner)
        return out


class MapOf(FormatField):
    """A mapping of names to values (variables, `set`, `add`)."""

    label = "mapping"

    def __init__(self, keys: FormatField, values: fields.Field, **kw: Any):
        super().__init__(**kw)
        self.keys, self.values = keys, values

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, dict):
            self.fail("E012", "expected a mapping", "write `name: value` pairs")
        result: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for key, item in value.items():
            found: dict[str, Any] = {}
            try:
                self.keys.deserialize(key)
            except ValidationError as exc:
                found["_schema"] = exc.messages
            try:
                result[key] = self.values.deserialize(item)
            except ValidationError as exc:
                result[key] = exc.valid_data
                found = {**found, **_as_dict(exc.messages)}
            if found:
                errors[key] = found
        if errors:
            raise ValidationError(errors, valid_data=result)  # type: ignore[arg-type]
        return result

    def json_type(self) -> dict[str, Any]:
        return {
            "type": "object",
            "propertyNames": json_of(self.keys),
            "additionalProperties": json_of(self.values),
        }


def _as_dict(messages: Any) -> dict[str, Any]:
    return messages if isinstance(messages, dict) else {"_schema": messages}


class Obj(fields.Nested):
    """A mapping with its own fields (a nested schema); it becomes a typed object."""

    label = "mapping"

    def __init__(
        self, schema: type[Schema], *, description: str = "", graph: bool = False, **kw: Any
    ):
        super().__init__(schema, metadata={"description": description, "graph": graph}, **kw)
        self.error_messages = {
            **self.error_messages,
            "required": Issue("E010", "a required field is missing", graph=graph),
            "null": Issue("E012", "this field has no value", "give it a value, or remove the line"),
        }

    def json_schema(self) -> dict[str, Any]:
        out = _ref(type(self.schema).def_name)
        if self.metadata.get("description"):
            out["description"] = self.metadata["description"]
        return out


def json_of(field: fields.Field) -> dict[str, Any]:
    schema = getattr(field, "json_schema", None)
    return schema() if schema is not None else {}


class Next(FormatField):
    """`next: n2`, or routes `[{if: "…", to: n3}, {to: n4}]` (E036 is checked in the graph)."""

    label = "node id, or list of routes"

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                self.fail("E021", "the target is empty", "name the node to go to")
            return value
        if not isinstance(value, list):
            self.fail(
                "E012",
                f"expected a node id or a list of routes, got {describe(value)}",
                'write `next: n2`, or `next: [{if: "trust >= 2", to: n3}, {to: n4}]`',
            )
        if not value:
            self.fail("E012", "the list of routes is empty", "give at least one `- to: node`")
        routes: list[Any] = []
        errors: dict[int, Any] = {}
        for i, item in enumerate(value):
            try:
                routes.append(ROUTE.load(item))
            except ValidationError as exc:
                errors[i] = exc.messages
                routes.append(typed(ROUTE, exc.valid_data))
        if errors:
            raise ValidationError(errors, valid_data=routes)  # type: ignore[arg-type]
        return routes

    def json_type(self) -> dict[str, Any]:
        return {
            "oneOf": [
                {**_ref("id"), "description": "The id of the node this choice leads to."},
                {
                    "description": "Routes: the first whose `if` holds is taken; the last route "
                    "has no `if`.",
                    "type": "array",
                    "minItems": 1,
                    "items": _ref("route"),
                },
            ]
        }


# -- schemas ----------------------------------------------------------------------------------------


class FormatSchema(Schema):
    """A mapping of the format: unknown keys are E011 with the closest known field as a hint,
    and it loads into its `model` dataclass."""

    model: ClassVar[type]
    def_name: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    json_extra: ClassVar[dict[str, Any]] = {}

    class Meta:
        unknown = EXCLUDE

    def known(self) -> list[str]:
        return [f.data_key or name for name, f in self.load_fields.items()]

    @pre_load
    def _mapping(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            required = [f.data_key or n for n, f in self.load_fields.items() if f.required]
            raise ValidationError(
                [
                    Issue(
                        "E012",
                        "expected a mapping of fields",
                        f"fields like {', '.join(required)}",
                        graph=True,
                    )
                ]  # type: ignore[list-item]
            )
        return data

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _unknown(self, data: Any, original: Any, **kwargs: Any) -> None:
        known = self.known()
        errors = {}
        for key in original if isinstance(original, dict) else {}:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
            errors[key] = [Issue("E011", f"unknown field '{key}'", hint, at_key=True)]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]

    @post_load
    def _typed(self, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.model(**data)


def typed(schema: FormatSchema, data: Any) -> Any:
    """The typed object for a partly valid mapping (marshmallow's `valid_data`): the fields that
    were wrong are left at their defaults. Complete parts are typed objects already."""
    if not isinstance(data, dict):
        return data
    values = {}
    for name, field in schema.load_fields.items():
        if name in data:
            values[name] = _typed_value(field, data[name])
    return schema.model(**values)


def _typed_value(field: fields.Field, value: Any) -> Any:
    if isinstance(field, Obj):
        return typed(field.schema, value)
    if isinstance(field, ListOf) and isinstance(value, list):
        return [_typed_value(field.inner, v) for v in value]
    if isinstance(field, MapOf) and isinstance(value, dict):
        return {k: _typed_value(field.values, v) for k, v in value.items()}
    return value


MAP = "A text in each of the course's languages."


class HelpSchema(FormatSchema):
    model = model.Help
    def_name = "help"
    doc = "A service learners can turn to for help."
    name = LanguageMap(required=True, description="The service's name.")
    description = LanguageMap(
        required=True,
        description="What the service does and who it is for.",
    )
    phone = Text(
        quote_hint=True,
        description='Optional: the phone number, always quoted, e.g. "47 80 90 50". Unquoted, '
        "YAML may read it as a number, which is an error.",
    )
    url = HttpsUrl(
        description='Optional: the service\'s web page. Only https links, e.g. "https://www.bufdir.no".'
    )
    checked = IsoDate(
        description='Optional: the date ("YYYY-MM-DD", quoted) someone last checked that the '
        'name, phone and link are right; shown as "sist kontrollert".'
    )


class AidSectionSchema(FormatSchema):
    model = model.AidSection
    def_name = "aidSection"
    doc = "A section of a printable page."
    heading = LanguageMap(required=True, description="The section's heading.")
    text = LanguageMap(description="Optional: a paragraph.")
    items = ListOf(
        LanguageMap(description="A point."),
        description="Optional: the section's points, as a checklist or list.",
    )
    fill_in = Bool(
        description="Optional: print each item with a line to write on (a contact sheet or "
        "routine to fill in)."
    )


class JobAidSchema(FormatSchema):
    model = model.JobAid
    def_name = "jobAid"
    doc = "A printable page learners take away, at /c/<course>/aids/<id>."
    id = Id(required=True, description="The page's id, unique in the course: part of its address.")
    title = LanguageMap(required=True, description="The page's title.")
    intro = LanguageMap(description="Optional: a paragraph under the title.")
    sections = ListOf(
        Obj(AidSectionSchema),
        required=True,
        min_items=1,
        description="The page's sections, in order.",
    )


class CourseSchema(FormatSchema):
    model = model.Course
    def_name = "course"
    doc = (
        "The course file of an elearn course folder: what the course is, who it is for, its "
        "languages and the scenario files it plays in order."
    )
    format = Int(
        1, 1, required=True, description="The version of the course format. Only 1 exists."
    )
    id = Id(
        required=True,
        description="The course's stable id: lowercase letters, digits and '-', starting with a "
        "letter. It becomes part of the xAPI activity IRI, so do not change it once learners "
        "have taken the course.",
    )
    title = LanguageMap(required=True, description="The course's title.")
    description = LanguageMap(
        required=True,
        description="What the course is about, shown in the course list.",
    )
    content_notice = LanguageMap(
        description="Optional: a notice about difficult content, shown before the course starts."
    )
    introduction = LanguageMap(
        description="Optional: the course's opening (what the topic is, definitions and "
        "figures), shown before the learner starts. Separate paragraphs with a blank line."
    )
    audiences = ListOf(
        OneOf(AUDIENCES, description="An audience the course is written for."),
        required=True,
        min_items=1,
        unique=True,
        description="Who the course is for: one or more of "
        + ", ".join(AUDIENCES)
        + " (each once).",
    )
    measure = Text(
        required=True,
        quote_hint=True,
        description='The action plan measure the course belongs to, always quoted: "19b", "22", '
        '"24". Unquoted, YAML reads 22 as a number, which is an error.',
    )
    languages = ListOf(
        OneOf(LANGUAGES),
        required=True,
        min_items=1,
        unique=True,
        description="The languages every text is written in: one or more of nb, nn, en (each "
        "once). Every language map in the course must have exactly these keys.",
    )
    estimated_minutes = Int(
        *MINUTES, required=True, description="About how long the course takes, in whole minutes."
    )
    mastery_score = Share(
        required=True,
        description="The share of the best possible score a learner needs to pass: greater than "
        "0 and at most 1, e.g. 0.7.",
    )
    scenarios = ListOf(
        Text(description="A scenario file, relative to the course folder, e.g. ferien.yaml."),
        required=True,
        min_items=1,
        json={"uniqueItems": True},
        description="The scenario files, relative to the course folder, played in this order. "
        "Each is listed once and must exist inside the course folder.",
    )
    help = ListOf(
        Obj(HelpSchema),
        required=True,
        description="Where to get help: services shown on every ending page. May be [].",
    )
    job_aids = ListOf(
        Obj(JobAidSchema),
        description="Optional: printable pages learners take away (a contact sheet to fill in, "
        "a checklist, a routine template).",
    )


class FacilitatorSchema(FormatSchema):
    model = model.Facilitator
    def_name = "facilitator"
    doc = "Notes for a leader running the scenario with a group."
    minutes = Int(*MINUTES, description="About how long a group session takes, in whole minutes.")
    questions = ListOf(
        LanguageMap(description="A question for the group."),
        description="Questions for the group to talk about.",
    )
    watch_for = LanguageMap(description="What the leader should watch for during the talk.")


class CastSchema(FormatSchema):
    model = model.CastMember
    def_name = "castMember"
    doc = "A person in the story."
    name = Text(required=True, description="The character's name as it appears in the text.")
    about = LanguageMap(
        required=True,
        description="Who they are in this scenario (age, role). A name listed in two scenarios "
        "of a course must have the same `about` there (W006).",
    )


class VariableSchema(FormatSchema):
    model = model.Variable
    def_name = "variable"
    doc = (
        "A typed variable. An int needs `min` and `max` (values are clamped into that range, "
        "and min <= default <= max); a bool has neither."
    )
    json_extra: ClassVar[dict[str, Any]] = {
        "allOf": [
            {
                "if": {"properties": {"type": {"const": "int"}}, "required": ["type"]},
                "then": {
                    "properties": {"default": {"type": "integer"}},
                    "required": ["min", "max"],
                },
            },
            {
                "if": {"properties": {"type": {"const": "bool"}}, "required": ["type"]},
                "then": {
                    "properties": {"default": {"type": "boolean"}, "min": False, "max": False}
                },
            },
        ]
    }
    type = OneOf(
        VARIABLE_TYPES,
        required=True,
        graph=True,
        description="The variable's type: int (a whole number) or bool (true or false).",
    )
    default = SetValue(
        required=True,
        graph=True,
        description="The value at the start: a whole number for an int (between min and max), "
        "true or false for a bool.",
    )
    min = Int(graph=True, description="int only (required there): the smallest value.")
    max = Int(graph=True, description="int only (required there): the largest value.")
    description = Text(
        description="Optional: what the variable means, for authors (never shown to learners).",
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _typed_rules(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        """The rules that depend on `type`: int needs min <= default <= max, bool has no range."""
        kind = data.get("type")
        if kind == "bool":
            errors = _bool_rules(data)
        elif kind == "int":
            errors = _int_rules(data, original if isinstance(original, dict) else {})
        else:
            errors = {}
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]


def _bool_rules(data: dict[str, Any]) -> dict[str, list[Issue]]:
    errors: dict[str, list[Issue]] = {}
    default = data.get("default")
    if "default" in data and not isinstance(default, bool):
        errors["default"] = [
            Issue(
                "E012",
                f"a bool variable's default must be true or false, got {default}",
                graph=True,
            )
        ]
    for bound in ("min", "max"):
        if bound in data:
            errors[bound] = [
                Issue("E012", f"`{bound}` is only for int variables", "remove it", True, True)
            ]
    return errors


def _int_rules(data: dict[str, Any], original: dict[str, Any]) -> dict[str, list[Issue]]:
    errors: dict[str, list[Issue]] = {}
    default = data.get("default")
    for bound in ("min", "max"):
        if bound not in original:
            errors[bound] = [Issue("E010", "int variables need a `min` and a `max`", graph=True)]
    if isinstance(default, bool):
        errors["default"] = [
            Issue(
                "E012",
                f"an int variable's default must be a number, got {describe(default)}",
                graph=True,
            )
        ]
    low, high = data.get("min"), data.get("max")
    if isinstance(low, int) and isinstance(high, int):
        if low > high:
            errors["min"] = [Issue("E012", f"min ({low}) is greater than max ({high})", graph=True)]
        elif (
            isinstance(default, int)
            and not isinstance(default, bool)
            and not low <= default <= high
        ):
            errors["default"] = [
                Issue(
                    "E012",
                    f"the default {default} is outside min..max",
                    f"a whole number from {low} to {high}",
                    graph=True,
                )
            ]
    return errors


class ImageSchema(FormatSchema):
    model = model.Image
    def_name = "image"
    doc = "An image file in the course folder, with a text alternative."
    src = Text(
        required=True,
        max_length=200,
        json={"pattern": IMAGE_PATTERN},
        description="The image file, relative to the course folder, e.g. images/klasserom.svg: "
        "a .png, .jpg, .jpeg, .webp or .svg file of at most 1 MiB (an SVG without scripts, "
        "event handlers or external references).",
    )
    alt = LanguageMap(
        required=True,
        description="A text alternative that says what the image shows, for learners who "
        "cannot see it.",
    )


class EndingSchema(FormatSchema):
    model = model.Ending
    def_name = "ending"
    doc = "How the story ended."
    outcome = OneOf(
        OUTCOMES,
        required=True,
        description="How the story ended for the people in it: good, mixed or poor.",
    )
    title = LanguageMap(required=True, description="The ending's title.")


class RouteSchema(FormatSchema):
    model = model.Route
    def_name = "route"
    doc = "A route: go to `to` when `if` holds. Only the last route has no `if`."
    when = Condition(
        data_key="if",
        graph=True,
        description="The condition for taking this route. Every route except the last has one; "
        "the last has none.",
    )
    to = NodeRef(required=True, graph=True, description="The id of the node this route leads to.")


class ConditionalTextSchema(FormatSchema):
    model = model.ConditionalText
    def_name = "conditionalText"
    doc = "An extra paragraph, shown when its condition holds."
    when = Condition(
        data_key="if",
        required=True,
        graph=True,
        description='The condition under which the text is shown, e.g. "parents_told".',
    )
    text = LanguageMap(required=True, description="The extra paragraph.")


class ChoiceSchema(FormatSchema):
    model = model.Choice
    def_name = "choice"
    doc = "An option the learner can pick."
    id = Id(
        required=True,
        graph=True,
        description="The choice's id, unique within its node: lowercase letters, digits and '-'.",
    )
    text = LanguageMap(required=True, description="The option as the learner sees it.")
    feedback = LanguageMap(
        required=True, description="Shown after the choice: explains why it was wise or risky."
    )
    points = Int(
        graph=True,
        json={"default": 0},
        description="Optional: points for this choice, a whole number (may be negative). Default 0.",
    )
    correct = Bool(
        description="Optional: whether the choice is right; when given it becomes xAPI "
        "result.success. A node whose choices are all scored should mark one (W005)."
    )
    when = Condition(
        data_key="if",
        graph=True,
        description="Optional: the choice is offered only when this condition holds.",
    )
    set = MapOf(
        VariableName(),
        SetValue(
            allow_none=True,
            checked=False,
            description="The new value: true or false for a bool, a whole number for an int.",
        ),
        graph=True,
        description="Optional: variables to assign when the choice is picked, e.g. "
        "{parents_told: true}.",
    )
    add = MapOf(
        VariableName(),
        SetValue(
            ints_only=True,
            checked=False,
            allow_none=True,
            description="The amount to add (may be negative).",
        ),
        graph=True,
        description="Optional: whole numbers to add to int variables when the choice is picked, "
        "e.g. {trust: 1} (the result is clamped to min..max).",
    )
    next = Next(
        required=True,
        graph=True,
        description="Where the choice leads: a node id (`next: n2`), or a list of routes of "
        "which the first whose `if` holds is taken (checked after this choice's set/add).",
    )


class NodeSchema(FormatSchema):
    model = model.Node
    def_name = "node"
    doc = (
        "A step of the scenario: a decision (it has `choices`) or an ending (it has `ending`), "
        "never both."
    )
    json_extra: ClassVar[dict[str, Any]] = {
        "oneOf": [
            {
                "title": "decision",
                "description": "A decision node: it has `choices` and no `ending`.",
                "required": ["choices"],
                "properties": {"choices": {"minItems": 1}},
                "not": {"required": ["ending"]},
            },
            {
                "title": "ending",
                "description": "An ending node: it has an `ending` and no choices.",
                "required": ["ending"],
                "properties": {"choices": {"maxItems": 0}},
            },
        ]
    }
    id = Id(
        required=True,
        graph=True,
        description="The node's id, unique in the scenario: lowercase letters, digits and '-'.",
    )
    text = LanguageMap(required=True, description="What happens: the text the learner reads here.")
    image = Obj(ImageSchema, description="Optional: an image shown with the text.")
    conditional_text = ListOf(
        Obj(ConditionalTextSchema),
        graph=True,
        description="Optional: extra paragraphs, each shown when its condition holds.",
    )
    reflection = LanguageMap(
        description="Optional: a prompt to think about (learners do not write an answer)."
    )
    explanation = LanguageMap(
        description="Optional: shown once after whichever choice is taken, below that choice's "
        "own feedback (so the feedback can stay short and specific to the option)."
    )
    choices = ListOf(
        Obj(ChoiceSchema),
        graph=True,
        description="The options of a decision node (at least one). A node with choices has no "
        "`ending`.",
    )
    order = OneOf(
        CHOICE_ORDERS,
        description="Optional: `shuffle` (the default) shows the choices in an order fixed per "
        "attempt but random between attempts; `fixed` keeps the written order.",
    )
    ending = Obj(
        EndingSchema,
        graph=True,
        description="Makes this node an ending: how the story ended. It then has no choices.",
    )


class CourseTestSchema(FormatSchema):
    model = model.CourseTest
    def_name = "test"
    doc = (
        "A course test: a path of choices and what it must reach. `flask elearn validate` plays "
        "it with the engine and fails (E070) when the path cannot be played or ends elsewhere."
    )
    name = Text(required=True, description="What the test checks, e.g. 'best path'.")
    path = ListOf(
        ChoiceStep(description="A choice taken: the node's id, '/', the choice's id."),
        required=True,
        min_items=1,
        description="The choices from `start` to an ending, each written `node-id/choice-id`, "
        "e.g. [etter-timen/lov-taushet, samtalen/ring-hjem]. The path must reach an ending.",
    )
    ending = NodeRef(description="Optional: the id of the ending node the path must reach.")
    outcome = OneOf(
        OUTCOMES, description="Optional: the outcome of that ending: good, mixed or poor."
    )
    score = Int(description="Optional: the scenario's points at the end of the path.")
    variables = MapOf(
        VariableName(),
        SetValue(description="The value the variable must have."),
        description="Optional: variables and the values they must have at the end, e.g. "
        "{trust: 2, parents_told: true}.",
    )


class ScenarioSchema(FormatSchema):
    model = model.Scenario
    def_name = "scenario"
    doc = (
        "One scenario of an elearn course: typed variables and a graph of nodes, each a decision "
        "(choices) or an ending."
    )
    id = Id(
        required=True,
        description="The scenario's id, unique in the course. It becomes part of the xAPI "
        "activity IRI.",
    )
    title = LanguageMap(required=True, description="The scenario's title.")
    summary = LanguageMap(description="Optional: a short summary, shown in the course's list.")
    kind = OneOf(
        SCENARIO_KINDS,
        description="Optional: `scenario` (the default) or `quiz`, shown as a knowledge check "
        '("Question 3 of 10", its own wording, an answer summary at the end).',
    )
    start = NodeRef(
        required=True, graph=True, description="The id of the node the scenario starts at."
    )
    facilitator = Obj(
        FacilitatorSchema, description="Optional: notes for a leader running it with a group."
    )
    cast = ListOf(
        Obj(CastSchema),
        description="Optional: the people in this scenario, for authors and reviewers.",
    )
    variables = MapOf(
        VariableName(),
        Obj(VariableSchema),
        graph=True,
        description="Optional: the scenario's variables, by name (lowercase letters, digits and "
        "'_', not starting with a digit).",
    )
    nodes = ListOf(
        Obj(NodeSchema),
        required=True,
        min_items=1,
        graph=True,
        description="The scenario's nodes (at least one).",
    )
    tests = ListOf(
        Obj(CourseTestSchema),
        description="Optional: course tests, paths of choices and the ending, outcome, score and "
        "variables each must reach; `flask elearn validate` runs them (E070 when one fails).",
    )


ROUTE = RouteSchema()
COURSE = CourseSchema()
SCENARIO = ScenarioSchema()


def course_languages(data: Any) -> tuple[str, ...] | None:
    """The course's declared languages, when they are valid enough to check texts against."""
    langs = data.get("languages") if isinstance(data, dict) else None
    if (
        isinstance(langs, list)
        and langs
        and all(isinstance(lang, str) and lang in LANGUAGES for lang in langs)
        and len(set(langs)) == len(langs)
    ):
        return tuple(langs)
    return None


def issues(errors: Any, path: YPath = ()) -> Iterator[tuple[YPath, Issue]]:
    """Marshmallow's error dict as (path, Issue): keys are keys of the document, `_schema` is the
    mapping itself."""
    if isinstance(errors, Issue):
        yield path, errors
    elif isinstance(errors, list):
        for item in errors:
            yield from issues(item, path)
    elif isinstance(errors, dict):
        for key, sub in errors.items():
            yield from issues(sub, path if key == "_schema" else (*path, key))
    else:  # a marshmallow message we did not replace
        yield path, Issue("E012", str(errors))


def load(schema: FormatSchema, data: Any, languages: tuple[str, ...] | None) -> tuple[Any, list]:
    """(typed object, [(path, Issue)]): the object is there even when some fields were wrong."""
    token = _LANGUAGES.set(languages)
    try:
        return schema.load(data), []
    except ValidationError as exc:
        return typed(schema, exc.valid_data), list(issues(exc.messages))
    finally:
        _LANGUAGES.reset(token)


def schemas() -> list[FormatSchema]:
    """Every mapping of the format, in the order the docs describe them."""
    return [
        COURSE, HelpSchema(), JobAidSchema(), AidSectionSchema(),
        SCENARIO, FacilitatorSchema(), CastSchema(), VariableSchema(), NodeSchema(),
        ImageSchema(), ConditionalTextSchema(), ChoiceSchema(), RouteSchema(), EndingSchema(),
        CourseTestSchema(),
    ]  # fmt: skip
