"""The fields of course.yaml and scenario files as marshmallow schemas, reported as Problems.

Marshmallow is used only to *validate* (the data is already plain Python from loader.py). Every
error message our fields raise carries its problem code and hint, encoded in the message string,
so that the error dict marshmallow returns can be walked back into Problems with positions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import Any, ClassVar
from urllib.parse import urlparse

from marshmallow import Schema, ValidationError, fields, validates_schema

from elearn.content.loader import Document, YPath, path_str
from elearn.content.problems import Problem
from elearn.core.constants import AUDIENCES, LANGUAGES

ID_RE = re.compile(r"[a-z][a-z0-9-]*\Z")
VAR_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")
OUTCOMES = ("good", "mixed", "poor")
VARIABLE_TYPES = ("int", "bool")
CHOICE_ORDERS = ("shuffle", "fixed")
SCENARIO_KINDS = ("scenario", "quiz")  # a quiz is shown as a knowledge check
MINUTES = (1, 600)

# The course's languages while a scenario is validated (marshmallow 4 has no schema context).
_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("elearn_languages", default=None)

_SEP = "\x1f"


def _msg(code: str, message: str, hint: str = "", *, at_key: bool = False) -> str:
    """Encode a problem into a marshmallow error message (decoded again by _decode)."""
    return _SEP.join((code, "k" if at_key else "v", message, hint))


def _decode(raw: Any) -> tuple[str, bool, str, str]:
    parts = str(raw).split(_SEP)
    if len(parts) == 4:
        return parts[0], parts[1] == "k", parts[2], parts[3]
    return "E012", False, str(raw), ""  # a marshmallow message we did not replace


def _fail(code: str, message: str, hint: str = "", *, at_key: bool = False) -> ValidationError:
    return ValidationError(_msg(code, message, hint, at_key=at_key))


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


def _yes_no_hint(value: Any) -> str:
    if isinstance(value, str) and value.lower() in {"yes", "no", "on", "off", "y", "n"}:
        return f"'{value}' is text in YAML 1.2 (elearn does not read it as a boolean); write true or false"
    return "write true or false"


_COMMON = {
    "required": _msg("E010", "a required field is missing"),
    "null": _msg("E012", "this field has no value", "give it a value, or remove the line"),
}


class _Leaf(fields.Field):
    """Base for our fields: validation is a plain `check`, and the value is kept as is."""

    default_error_messages = _COMMON

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        raise NotImplementedError


class Text(_Leaf):
    """A non-empty string. `quote_hint` for fields YAML would read as a number if unquoted."""

    def __init__(self, *, quote_hint: bool = False, max_length: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.quote_hint = quote_hint
        self.max_length = max_length

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            hint = "write it as text"
            if self.quote_hint and isinstance(value, int | float) and not isinstance(value, bool):
                hint = f'quote it, or YAML reads it as a number: "{value}"'
            raise _fail("E012", f"expected text, got {describe(value)}", hint)
        if not value.strip():
            raise _fail("E021", "the text is empty", "write something, or remove the field")
        if self.max_length is not None and len(value) > self.max_length:
            raise _fail(
                "E012",
                f"the text is {len(value)} characters long; at most {self.max_length} are allowed",
                "shorten it",
            )


class Int(_Leaf):
    """A whole number (never a bool), optionally within [low, high]."""

    def __init__(self, low: int | None = None, high: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.low, self.high = low, high

    def _range(self) -> str:
        if self.low is not None and self.low == self.high:
            return f"it must be {self.low}"
        if self.low is not None and self.high is not None:
            return f"a whole number from {self.low} to {self.high}"
        return "a whole number, e.g. 2 or -1"

    def check(self, value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _fail("E012", f"expected a whole number, got {describe(value)}", self._range())
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise _fail("E012", f"{value} is out of range", self._range())


class MasteryScore(_Leaf):
    """0 < x <= 1: a share of the best possible score."""

    def check(self, value: Any) -> None:
        hint = "a number greater than 0 and at most 1, e.g. 0.7"
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _fail("E012", f"expected a number, got {describe(value)}", hint)
        if not math.isfinite(value) or not 0 < value <= 1:
            raise _fail("E012", f"{value} is out of range", hint)


class Bool(_Leaf):
    def check(self, value: Any) -> None:
        if not isinstance(value, bool):
            raise _fail(
                "E012", f"expected true or false, got {describe(value)}", _yes_no_hint(value)
            )


class OneOf(_Leaf):
    """One of a fixed set of words; the hint lists them, closest first."""

    def __init__(self, options: Sequence[str], **kwargs: Any):
        super().__init__(**kwargs)
        self.options = tuple(options)

    def check(self, value: Any) -> None:
        if isinstance(value, str) and value in self.options:
            return
        close = difflib.get_close_matches(str(value), self.options, n=1, cutoff=0.5)
        hint = f"one of: {', '.join(self.options)}"
        if close:
            hint = f"did you mean '{close[0]}'? ({hint})"
        raise _fail("E012", f"{describe(value)} is not allowed here", hint)


MAX_ID_LENGTH = 64


class Id(_Leaf):
    """Course, scenario, node and choice ids: they become parts of xAPI IRIs."""

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            raise _fail(
                "E012", f"expected an id, got {describe(value)}", f"e.g. '{suggest_id(value)}'"
            )
        if not ID_RE.match(value):
            raise _fail(
                "E013",
                f"the id {value!r} is malformed: use lowercase letters, digits and '-', "
                "starting with a letter",
                f"for example '{suggest_id(value)}'",
            )
        if len(value) > MAX_ID_LENGTH:
            raise _fail(
                "E013",
                f"the id is {len(value)} characters long; at most {MAX_ID_LENGTH} are allowed",
                "use a shorter id: it becomes part of web addresses (xAPI IRIs)",
            )


class VariableName(_Leaf):
    def check(self, value: Any) -> None:
        if not isinstance(value, str) or not VAR_RE.match(value):
            raise _fail(
                "E013",
                f"the variable name {value!r} is malformed: use lowercase letters, digits "
                "and '_', not starting with a digit",
                f"for example '{suggest_variable(value)}'",
                at_key=True,
            )


class HttpsUrl(_Leaf):
    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            raise _fail("E012", f"expected a link, got {describe(value)}", 'e.g. "https://…"')
        parsed = urlparse(value.strip())
        if parsed.scheme != "https" or not parsed.netloc:
            raise _fail("E012", f"{value!r} is not an https link", "links must start with https://")


class Condition(_Leaf):
    """A condition's text; graph.py parses it (E040) against the declared variables (E041)."""

    def check(self, value: Any) -> None:
        if not isinstance(value, str):
            raise _fail(
                "E012",
                f"expected a condition as text, got {describe(value)}",
                'e.g. "trust >= 2"; to offer something always, leave `if` out',
            )


class SetValue(_Leaf):
    def check(self, value: Any) -> None:
        if not isinstance(value, bool | int):
            raise _fail(
                "E012",
                f"expected true, false or a whole number, got {describe(value)}",
                _yes_no_hint(value),
            )


class AnyValue(_Leaf):
    """A value whose type depends on a declared variable: graph.py checks it (E041)."""

    def check(self, value: Any) -> None:
        return None


class LanguageMap(_Leaf):
    """{nb: "…", nn: "…", en: "…"} with exactly the course's languages, none empty."""

    def check(self, value: Any) -> None:
        languages = _LANGUAGES.get()
        example = ", ".join(f'{lang}: "…"' for lang in (languages or LANGUAGES))
        if not isinstance(value, dict):
            raise _fail(
                "E012",
                f"expected a text in each language, got {describe(value)}",
                f"write {{{example}}}",
            )
        errors: dict[str, list[str]] = {}
        if languages:
            missing = [lang for lang in languages if lang not in value]
            if missing:
                errors["_schema"] = [
                    _msg(
                        "E020",
                        f"the text in {', '.join(missing)} is missing",
                        f"every text needs all the course's languages ({', '.join(languages)})",
                    )
                ]
            for key in value:
                if key not in languages:
                    errors[key] = [
                        _msg(
                            "E020",
                            f"'{key}' is not one of the course's languages ({', '.join(languages)})",
                            "remove it, or add the language to `languages` in course.yaml",
                            at_key=True,
                        )
                    ]
        for key, text in value.items():
            if key in errors:
                continue
            if not isinstance(text, str):
                errors[key] = [
                    _msg("E012", f"expected text, got {describe(text)}", "put the text in quotes")
                ]
            elif not text.strip():
                errors[key] = [_msg("E021", f"the {key} text is empty", "write the text")]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]


class List(fields.List):
    default_error_messages: ClassVar[dict[str, str]] = {
        **_COMMON,
        "invalid": _msg("E012", "expected a list", "write one `- item` per line"),
    }

    def __init__(self, inner: fields.Field, *, min_items: int = 0, unique: bool = False, **kw: Any):
        super().__init__(inner, **kw)
        self.min_items, self.unique = min_items, unique

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        result = super()._deserialize(value, attr, data, **kwargs)
        if len(value) < self.min_items:
            raise _fail("E012", "the list is empty", "give at least one item")
        if self.unique:
            seen = [v for v in value if isinstance(v, str)]
            doubles = sorted({v for v in seen if seen.count(v) > 1})
            if doubles:
                raise _fail("E012", f"listed twice: {', '.join(doubles)}", "list each once")
        return result


class Dict(fields.Dict):
    default_error_messages: ClassVar[dict[str, str]] = {
        **_COMMON,
        "invalid": _msg("E012", "expected a mapping", "write `name: value` pairs"),
    }


class Nested(fields.Nested):
    default_error_messages: ClassVar[dict[str, str]] = {
        **_COMMON,
        "type": _msg("E012", "expected a mapping"),
    }


class _Schema(Schema):
    error_messages = {  # noqa: RUF012  (marshmallow's own class attribute)
        "unknown": _msg("E011", "unknown field", at_key=True),
        "type": _msg("E012", "expected a mapping of fields"),
    }


class Next(_Leaf):
    """`next: n2`, or routes `[{if: "…", to: n3}, {to: n4}]` (E036 is checked in graph.py)."""

    def check(self, value: Any) -> None:
        if isinstance(value, str):
            if not value.strip():
                raise _fail("E021", "the target is empty", "name the node to go to")
            return
        if not isinstance(value, list):
            raise _fail(
                "E012",
                f"expected a node id or a list of routes, got {describe(value)}",
                'write `next: n2`, or `next: [{if: "trust >= 2", to: n3}, {to: n4}]`',
            )
        if not value:
            raise _fail("E012", "the list of routes is empty", "give at least one `- to: node`")
        errors = {}
        for i, item in enumerate(value):
            item_errors = ROUTE.validate(item)
            if item_errors:
                errors[i] = item_errors
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]


class IsoDate(_Leaf):
    """A calendar date written as "YYYY-MM-DD" (quoted, so YAML keeps it as text)."""

    def check(self, value: Any) -> None:
        if isinstance(value, dt.date):
            raise _fail("E012", "the date must be quoted", f'write "{value.isoformat()}"')
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise _fail("E012", f"expected a date, got {describe(value)}", 'e.g. "2026-12-01"')
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise _fail("E012", f"{value!r} is not a real date", 'e.g. "2026-12-01"') from None


class HelpSchema(_Schema):
    name = LanguageMap(required=True)
    description = LanguageMap(required=True)
    phone = Text(quote_hint=True)
    url = HttpsUrl()
    checked = IsoDate()


class AidSectionSchema(_Schema):
    heading = LanguageMap(required=True)
    text = LanguageMap()
    items = List(LanguageMap())
    fill_in = Bool()


class JobAidSchema(_Schema):
    id = Id(required=True)
    title = LanguageMap(required=True)
    intro = LanguageMap()
    sections = List(Nested(AidSectionSchema), required=True, min_items=1)


class CourseSchema(_Schema):
    format = Int(1, 1, required=True)
    id = Id(required=True)
    title = LanguageMap(required=True)
    description = LanguageMap(required=True)
    content_notice = LanguageMap()
    introduction = LanguageMap()
    audiences = List(OneOf(AUDIENCES), required=True, min_items=1, unique=True)
    measure = Text(required=True, quote_hint=True)
    languages = List(OneOf(LANGUAGES), required=True, min_items=1, unique=True)
    estimated_minutes = Int(*MINUTES, required=True)
    mastery_score = MasteryScore(required=True)
    scenarios = List(Text(), required=True, min_items=1)
    help = List(Nested(HelpSchema), required=True)
    job_aids = List(Nested(JobAidSchema))


class FacilitatorSchema(_Schema):
    minutes = Int(*MINUTES)
    questions = List(LanguageMap())
    watch_for = LanguageMap()


class VariableSchema(_Schema):
    type = OneOf(VARIABLE_TYPES, required=True)
    default = SetValue(required=True)
    min = Int()
    max = Int()
    description = Text()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _typed(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        """The rules that depend on `type`: int needs min <= default <= max, bool has no range."""
        errors: dict[str, list[str]] = {}
        kind, default = data.get("type"), data.get("default")
        if kind == "bool":
            if "default" in data and not isinstance(default, bool):
                errors["default"] = [
                    _msg("E012", f"a bool variable's default must be true or false, got {default}")
                ]
            for bound in ("min", "max"):
                if bound in data:
                    errors[bound] = [
                        _msg(
                            "E012", f"`{bound}` is only for int variables", "remove it", at_key=True
                        )
                    ]
        elif kind == "int":
            for bound in ("min", "max"):
                if not isinstance(original, dict) or bound not in original:
                    errors[bound] = [_msg("E010", "int variables need a `min` and a `max`")]
            if isinstance(default, bool):
                errors["default"] = [
                    _msg(
                        "E012",
                        f"an int variable's default must be a number, got {describe(default)}",
                    )
                ]
            low, high = data.get("min"), data.get("max")
            if isinstance(low, int) and isinstance(high, int):
                if low > high:
                    errors["min"] = [_msg("E012", f"min ({low}) is greater than max ({high})")]
                elif (
                    isinstance(default, int)
                    and not isinstance(default, bool)
                    and not low <= default <= high
                ):
                    errors["default"] = [
                        _msg(
                            "E012",
                            f"the default {default} is outside min..max",
                            f"a whole number from {low} to {high}",
                        )
                    ]
        if errors:
            raise ValidationError(errors)  # type: ignore[arg-type]


class ImageSchema(_Schema):
    src = Text(required=True, max_length=200)
    alt = LanguageMap(required=True)


class EndingSchema(_Schema):
    outcome = OneOf(OUTCOMES, required=True)
    title = LanguageMap(required=True)


RouteSchema = _Schema.from_dict({"if": Condition(), "to": Text(required=True)}, name="RouteSchema")
ConditionalTextSchema = _Schema.from_dict(
    {"if": Condition(required=True), "text": LanguageMap(required=True)},
    name="ConditionalTextSchema",
)
ChoiceSchema = _Schema.from_dict(
    {
        "id": Id(required=True),
        "text": LanguageMap(required=True),
        "feedback": LanguageMap(required=True),
        "points": Int(),
        "correct": Bool(),
        "if": Condition(),
        "set": Dict(keys=Text(), values=AnyValue(allow_none=True)),
        "add": Dict(keys=Text(), values=AnyValue(allow_none=True)),
        "next": Next(required=True),
    },
    name="ChoiceSchema",
)


class NodeSchema(_Schema):
    id = Id(required=True)
    text = LanguageMap(required=True)
    image = Nested(ImageSchema)
    conditional_text = List(Nested(ConditionalTextSchema))
    reflection = LanguageMap()
    explanation = LanguageMap()
    choices = List(Nested(ChoiceSchema))
    order = OneOf(CHOICE_ORDERS)
    ending = Nested(EndingSchema)


class CastSchema(_Schema):
    name = Text(required=True)
    about = LanguageMap(required=True)


class ScenarioSchema(_Schema):
    id = Id(required=True)
    title = LanguageMap(required=True)
    summary = LanguageMap()
    kind = OneOf(SCENARIO_KINDS)
    start = Text(required=True)
    facilitator = Nested(FacilitatorSchema)
    cast = List(Nested(CastSchema))
    variables = Dict(keys=VariableName(), values=Nested(VariableSchema))
    nodes = List(Nested(NodeSchema), required=True, min_items=1)


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


def _field_names(schema: Schema) -> list[str]:
    return list(schema.load_fields)


def _walk(errors: Any, node: Schema | fields.Field, path: YPath) -> Iterator[tuple]:
    """Yield (path, code, at_key, message, hint) for marshmallow's error dict, using the schema
    to tell an unknown key from a field, and a Dict's keys from its values."""
    if isinstance(errors, list | str):
        for raw in errors if isinstance(errors, list) else [errors]:
            if isinstance(raw, dict):
                yield from _walk(raw, node, path)
                continue
            code, at_key, message, hint = _decode(raw)
            if (
                code == "E012"
                and message == "expected a mapping of fields"
                and isinstance(node, Schema)
            ):
                required = [n for n, f in node.load_fields.items() if f.required]
                message = "expected a mapping of fields"
                hint = f"fields like {', '.join(required or _field_names(node))}"
            yield path, code, at_key, message, hint
        return
    if not isinstance(errors, dict):  # pragma: no cover - marshmallow only gives lists/dicts
        yield path, "E012", False, str(errors), ""
        return
    if isinstance(node, Schema):
        for key, sub in errors.items():
            if key == "_schema":
                yield from _walk(sub, node, path)
            elif key in node.load_fields:
                yield from _walk(sub, node.load_fields[key], (*path, key))
            else:
                known = _field_names(node)
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                hint = (
                    f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
                )
                yield (*path, key), "E011", True, f"unknown field '{key}'", hint
    elif isinstance(node, fields.Nested):
        yield from _walk(errors, node.schema, path)
    elif isinstance(node, fields.List):
        for index, sub in errors.items():
            yield from _walk(sub, node.inner, (*path, index))
    elif isinstance(node, fields.Dict):
        for key, sub in errors.items():
            for raw in sub.get("key", []):
                code, _, message, hint = _decode(raw)
                yield (*path, key), code, True, message, hint
            if "value" in sub and node.value_field is not None:
                yield from _walk(sub["value"], node.value_field, (*path, key))
    elif isinstance(node, Next):
        for index, sub in errors.items():
            yield from _walk(sub, ROUTE, (*path, index))
    else:  # a leaf field that reported per-key errors (LanguageMap)
        for key, sub in errors.items():
            yield from _walk(sub, node, path if key == "_schema" else (*path, key))


def _validate(doc: Document, schema: Schema, languages: tuple[str, ...] | None) -> list[Problem]:
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"{describe(doc.data)}, not a mapping"
        required = [n for n, f in schema.load_fields.items() if f.required]
        return [
            doc.problem(
                (),
                "E012",
                f"the file is {what}",
                f"a {type(schema).__name__.removesuffix('Schema').lower()} file is a mapping "
                f"with fields like {', '.join(required)}",
            )
        ]
    token = _LANGUAGES.set(languages)
    try:
        errors = schema.validate(doc.data)
    finally:
        _LANGUAGES.reset(token)
    problems = []
    for path, code, at_key, message, hint in _walk(errors, schema, ()):
        if code == "E010" and path:  # point at the mapping that lacks the field
            line, column = doc.position(path[:-1])
            message = f"the required field '{path[-1]}' is missing"
            problems.append(Problem(doc.file, line, column, code, path_str(path), message, hint))
        else:
            problems.append(doc.problem(path, code, message, hint, at_key=at_key))
    return problems


def validate_course(doc: Document) -> list[Problem]:
    """Check course.yaml's fields; texts are checked against its own `languages`."""
    return _validate(doc, COURSE, course_languages(doc.data))


def validate_scenario(doc: Document, languages: tuple[str, ...] | None) -> list[Problem]:
    """Check a scenario file's fields; with languages=None, language maps are not checked
    for their keys (course.yaml's `languages` is itself wrong and reported there)."""
    return _validate(doc, SCENARIO, languages)
