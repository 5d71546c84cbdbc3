"""The published forms of the course format, generated from its one definition (`schema.py`):
the JSON Schemas editors use (docs/schema/) and the field and problem-code tables in
docs/course-format.md.

    python -m elearn.content.jsonschema [ROOT]          # write them (ROOT: the repository)
    python -m elearn.content.jsonschema --check [ROOT]  # exit 1 when a committed copy is stale
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from marshmallow import fields

from elearn.content import schema
from elearn.content.problems import CODES
from elearn.core.conditions import MAX_LENGTH as CONDITION_MAX_LENGTH
from elearn.core.constants import LANGUAGES

SCHEMA_DIR = Path("docs") / "schema"
DOC = Path("docs") / "course-format.md"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://example.org/elearn/schema"
EDITOR_NOTE = (
    " An editor aid generated from elearn's format definition: `flask elearn validate` is the "
    "authority and also checks what a JSON Schema cannot (every text has exactly the course's "
    "languages, ids are unique and `next` names a node, conditions and variable types, "
    "reachability and scores)."
)
LANGUAGE_NAMES = {"nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk", "en": "English"}

SHARED_DEFS: dict[str, dict[str, Any]] = {
    "id": {
        "description": "An id: lowercase letters, digits and '-', starting with a letter.",
        "type": "string",
        "pattern": "^" + schema.ID_RE.pattern.removesuffix(r"\Z") + "$",
        "maxLength": schema.MAX_ID_LENGTH,
    },
    "text": {"description": "A text that is not empty.", "type": "string", "pattern": r"\S"},
    "variableName": {
        "description": "A variable name: lowercase letters, digits and '_', not starting with a "
        "digit.",
        "type": "string",
        "pattern": "^" + schema.VAR_RE.pattern.removesuffix(r"\Z") + "$",
    },
    "condition": {
        "description": 'A condition, e.g. "trust >= 2 and not parents_told": variable names, '
        "`not`, `and`, `or`, parentheses, and comparisons (== != < <= > >=) with a whole number, "
        "true or false. Only declared variables may be used.",
        "type": "string",
        "pattern": r"\S",
        "maxLength": CONDITION_MAX_LENGTH,
    },
    "language": {
        "description": "A language code: "
        + ", ".join(f"{c} ({n})" for c, n in LANGUAGE_NAMES.items()),
        "enum": list(LANGUAGES),
    },
    "languageMap": {
        "description": 'A text in each language, e.g. {nb: "…", nn: "…", en: "…"}. It must have '
        "exactly the languages listed in the course's `languages` (this schema only checks that "
        "the keys are nb, nn or en: the validator checks the course's own set).",
        "type": "object",
        "properties": {
            code: {"$ref": "#/$defs/text", "description": f"The text in {name}."}
            for code, name in LANGUAGE_NAMES.items()
        },
        "additionalProperties": False,
        "minProperties": 1,
    },
}


def _name(field_name: str, field: fields.Field) -> str:
    return field.data_key or field_name


def object_schema(mapping: schema.FormatSchema) -> dict[str, Any]:
    """One mapping of the format as a JSON Schema object."""
    out: dict[str, Any] = {"description": mapping.doc, "type": "object"}
    out["properties"] = {_name(n, f): schema.json_of(f) for n, f in mapping.load_fields.items()}
    required = [_name(n, f) for n, f in mapping.load_fields.items() if f.required]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return {**out, **mapping.json_extra}


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def document(root: schema.FormatSchema, name: str, title: str) -> dict[str, Any]:
    """A whole JSON Schema document for one kind of file, with every mapping it uses."""
    by_name = {type(s).def_name: s for s in schema.schemas()}
    body = object_schema(root)
    defs: dict[str, Any] = {}
    todo = _refs(body)
    while todo:
        ref = todo.pop()
        if ref in defs:
            continue
        defs[ref] = SHARED_DEFS[ref] if ref in SHARED_DEFS else object_schema(by_name[ref])
        todo |= _refs(defs[ref]) - set(defs)
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}/{name}-1.json",
        "title": title,
        **{**body, "description": body["description"] + EDITOR_NOTE},
        "$defs": dict(sorted(defs.items())),
    }


def json_schemas() -> dict[str, str]:
    """File name -> content of the published JSON Schemas."""
    docs = {
        "course.schema.json": document(schema.COURSE, "course", "elearn course.yaml (format 1)"),
        "scenario.schema.json": document(
            schema.SCENARIO, "scenario", "elearn scenario file (format 1)"
        ),
    }
    return {n: json.dumps(d, indent=2, ensure_ascii=False) + "\n" for n, d in docs.items()}


# -- the tables in docs/course-format.md -----------------------------------------------------------


def _label(field: fields.Field) -> str:
    if isinstance(field, schema.Obj):
        return f"[`{type(field.schema).def_name}`](#{type(field.schema).def_name.lower()})"
    if isinstance(field, schema.ListOf):
        return f"list of {_label(field.inner)}"
    if isinstance(field, schema.MapOf):
        return f"mapping: {_label(field.keys)} → {_label(field.values)}"
    return str(getattr(field, "label", "value"))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def field_table() -> str:
    """One table per mapping of the format: field, type, required, what it is."""
    out = []
    for mapping in schema.schemas():
        name = type(mapping).def_name
        out += [f"#### {name}", "", mapping.doc, "", "| field | type | required | meaning |"]
        out.append("| --- | --- | --- | --- |")
        for n, f in mapping.load_fields.items():
            required = "yes" if f.required else ""
            description = _cell(f.metadata.get("description", ""))
            out.append(f"| `{_name(n, f)}` | {_label(f)} | {required} | {description} |")
        out.append("")
    return "\n".join(out).rstrip("\n")


def code_table() -> str:
    rows = [f"| {code} | {_cell(text)} |" for code, text in CODES.items()]
    return "\n".join(["| code | problem |", "| --- | --- |", *rows])


def _marker(section: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- generated: {section} \(python -m elearn\.content\.jsonschema\) -->\n)"
        rf"(?:.*?\n)?(<!-- end generated: {section} -->)",
        re.DOTALL,
    )


def course_format_doc(current: str) -> str:
    """docs/course-format.md with its generated sections brought up to date."""
    for section, table in (("fields", field_table()), ("codes", code_table())):
        pattern = _marker(section)
        if not pattern.search(current):
            raise ValueError(f"docs/course-format.md has no generated section '{section}'")
        current = pattern.sub(lambda m, t=table: m.group(1) + t + "\n" + m.group(2), current)
    return current


def generated(root: Path) -> dict[Path, str]:
    """Every generated file under the repository `root`, with the content it should have."""
    files = {root / SCHEMA_DIR / name: text for name, text in json_schemas().items()}
    doc = root / DOC
    files[doc] = course_format_doc(doc.read_text(encoding="utf-8"))
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = Path(args[0]) if args else Path.cwd()
    stale = []
    for path, text in generated(root).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{path}: {'out of date' if check else 'written'}", file=sys.stderr)
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
