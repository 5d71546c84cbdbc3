"""The published JSON Schemas (docs/schema/) agree with the real validator on structure.

The JSON Schemas are an editor aid (completion, hover text, red squiggles in VS Code); the
validator in elearn/content/ stays the authority. These tests keep the two from drifting apart:
every valid course is accepted by both, and documents with structural mistakes are rejected by
both. Documents are read with elearn's own YAML loader (YAML 1.2 core, as the editor reads them),
so `no`, `yes`, `on` and `off` stay text here just as they do for the validator.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from elearn.content import load_course
from elearn.content import schema as elearn_schema
from elearn.content.jsonschema import generated
from elearn.content.loader import load_yaml_file
from elearn.content.problems import CODES
from elearn.content.schema import CastSchema, Text, schemas

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "docs" / "schema"
VALID_COURSES = [
    *sorted(p.parent for p in (ROOT / "courses").glob("*/course.yaml")),
    ROOT / "tests" / "fixtures" / "play-course",
    ROOT / "tests" / "fixtures" / "courses" / "valid-minimal",
]
DELETE = object()  # a mutation that removes the field instead of setting it


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


COURSE_SCHEMA = _schema("course.schema.json")
SCENARIO_SCHEMA = _schema("scenario.schema.json")
VALIDATORS = {
    "course": jsonschema.Draft202012Validator(COURSE_SCHEMA),
    "scenario": jsonschema.Draft202012Validator(SCENARIO_SCHEMA),
}


def _load(path: Path) -> Any:
    doc = load_yaml_file(path)
    assert not doc.problems, [str(p) for p in doc.problems]
    return doc.data


def _schema_errors(kind: str, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in VALIDATORS[kind].iter_errors(data)
    ]


# -- (1) the schemas themselves ------------------------------------------------------------------


@pytest.mark.parametrize("schema", [COURSE_SCHEMA, SCENARIO_SCHEMA], ids=["course", "scenario"])
def test_schema_is_valid_draft_2020_12(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].startswith("https://") and schema["title"]


@pytest.mark.parametrize("schema", [COURSE_SCHEMA, SCENARIO_SCHEMA], ids=["course", "scenario"])
def test_every_field_is_described(schema: dict[str, Any]) -> None:
    """Editors show `description` on hover: every property must have one (here or in its $ref).
    Subschemas that only constrain (under if/then/oneOf/...) need none."""
    missing = []
    constraints = {"if", "then", "else", "oneOf", "anyOf", "allOf", "not"}

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in node.get("properties", {}).items():
                if isinstance(sub, dict) and not (sub.get("description") or sub.get("$ref")):
                    missing.append(f"{where}/properties/{name}")
            for key, sub in node.items():
                if key not in constraints:
                    walk(sub, f"{where}/{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}/{i}")

    walk(schema, "#")
    undocumented_defs = [n for n, d in schema["$defs"].items() if not d.get("description")]
    assert not missing and not undocumented_defs, (missing, undocumented_defs)


def test_vscode_settings_map_the_schemas() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = settings["yaml.schemas"]
    assert "courses/*/course.yaml" in schemas["./docs/schema/course.schema.json"]
    assert "courses/*/*.yaml" in schemas["./docs/schema/scenario.schema.json"]
    for path in schemas:
        assert (ROOT / path).is_file(), path


# -- (2) every valid course is accepted ------------------------------------------------------------


def _valid_files() -> list[tuple[str, Path]]:
    found = []
    for course_dir in VALID_COURSES:
        found.append(("course", course_dir / "course.yaml"))
        found += [
            ("scenario", path)
            for path in sorted(course_dir.glob("*.yaml"))
            if path.name != "course.yaml"
        ]
    return found


def test_the_valid_courses_are_valid() -> None:
    """The premise of the next test: the validator accepts these courses."""
    for course_dir in VALID_COURSES:
        loaded = load_course(course_dir)
        assert loaded.ok, [str(p) for p in loaded.problems if p.is_error]


@pytest.mark.parametrize(
    ("kind", "path"),
    _valid_files(),
    ids=[f"{p.parent.name}/{p.name}" for _, p in _valid_files()],
)
def test_valid_course_files_match_the_schema(kind: str, path: Path) -> None:
    assert _schema_errors(kind, _load(path)) == []


def test_every_listed_scenario_is_checked() -> None:
    """The YAML files beside each course.yaml are exactly the scenarios it names: the glob above
    misses none, and .vscode/settings.json may map `courses/*/*.yaml` to the scenario schema."""
    for course_dir in VALID_COURSES:
        listed = set(_load(course_dir / "course.yaml")["scenarios"])
        on_disk = {p.name for p in course_dir.glob("*.yaml")} - {"course.yaml"}
        assert listed == on_disk, course_dir


# -- (3) structural mistakes are rejected by both ---------------------------------------------------

TINY_COURSE: dict[str, Any] = {
    "format": 1,
    "id": "tiny",
    "title": {"nb": "Lite kurs", "en": "Tiny course"},
    "description": {"nb": "Et lite kurs.", "en": "A tiny course."},
    "content_notice": {"nb": "Tungt tema.", "en": "A heavy topic."},
    "audiences": ["teacher", "school_leader"],
    "measure": "19b",
    "languages": ["nb", "en"],
    "estimated_minutes": 5,
    "mastery_score": 0.5,
    "scenarios": ["talk.yaml"],
    "help": [
        {
            "name": {"nb": "Hjelp", "en": "Help"},
            "description": {"nb": "Ring oss.", "en": "Call us."},
            "phone": "116 111",
            "url": "https://example.org/help",
        }
    ],
}

TINY_SCENARIO: dict[str, Any] = {
    "id": "talk",
    "title": {"nb": "Samtalen", "en": "The talk"},
    "summary": {"nb": "En elev vil snakke.", "en": "A pupil wants to talk."},
    "start": "meet",
    "facilitator": {
        "minutes": 10,
        "questions": [{"nb": "Hva nå?", "en": "What now?"}],
        "watch_for": {"nb": "Tonen.", "en": "The tone."},
    },
    "variables": {
        "trust": {"type": "int", "default": 0, "min": 0, "max": 2, "description": "Trust"},
        "told": {"type": "bool", "default": False},
    },
    "nodes": [
        {
            "id": "meet",
            "text": {"nb": "Eleven venter.", "en": "The pupil waits."},
            "image": {"src": "images/door.svg", "alt": {"nb": "En dør", "en": "A door"}},
            "reflection": {"nb": "Hva trengs?", "en": "What is needed?"},
            "choices": [
                {
                    "id": "listen",
                    "text": {"nb": "Lytt", "en": "Listen"},
                    "feedback": {"nb": "Bra.", "en": "Good."},
                    "points": 2,
                    "correct": True,
                    "if": "not told",
                    "add": {"trust": 1},
                    "next": [{"if": "trust >= 1", "to": "good-end"}, {"to": "poor-end"}],
                },
                {
                    "id": "tell",
                    "text": {"nb": "Ring hjem", "en": "Call home"},
                    "feedback": {"nb": "For tidlig.", "en": "Too early."},
                    "points": -1,
                    "set": {"told": True},
                    "next": "poor-end",
                },
            ],
        },
        {
            "id": "good-end",
            "text": {"nb": "Eleven fikk hjelp.", "en": "The pupil got help."},
            "ending": {"outcome": "good", "title": {"nb": "Hjelp", "en": "Help"}},
        },
        {
            "id": "poor-end",
            "text": {"nb": "Eleven trakk seg.", "en": "The pupil withdrew."},
            "conditional_text": [
                {"if": "told", "text": {"nb": "Familien vet.", "en": "The family knows."}}
            ],
            "ending": {"outcome": "poor", "title": {"nb": "Borte", "en": "Gone"}},
        },
    ],
}

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    *parents, last = path
    target: Any = doc
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


def _check_both(
    tmp_path: Path, course: dict[str, Any], scenario: dict[str, Any]
) -> tuple[set[str], dict[str, list[str]]]:
    """Write the course to a folder; return (validator's error codes, schema errors by file)."""
    (tmp_path / "images").mkdir()
    for name in ("door.svg", "door.SVG"):
        (tmp_path / "images" / name).write_bytes(SVG)
    files = {"course": ("course.yaml", course), "scenario": ("talk.yaml", scenario)}
    schema_errors = {}
    for kind, (name, data) in files.items():
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        schema_errors[kind] = _schema_errors(kind, _load(path))  # as the editor reads the file
    loaded = load_course(tmp_path)
    codes = {p.code for p in loaded.problems if p.is_error}
    return codes, schema_errors


def test_the_tiny_course_is_valid_for_both(tmp_path: Path) -> None:
    """The documents the broken cases start from are clean, so each case tests its one mistake."""
    codes, schema_errors = _check_both(tmp_path, TINY_COURSE, TINY_SCENARIO)
    assert codes == set()
    assert schema_errors == {"course": [], "scenario": []}


N0C0 = ("nodes", 0, "choices", 0)  # the first choice of the first node
ROUTES = (*N0C0, "next")

# (case id, file, path to change, new value or DELETE, the code the validator must report)
BROKEN: list[tuple[str, str, tuple[Any, ...], Any, str]] = [
    # unknown fields (E011)
    ("course-unknown-field", "course", ("content_notise",), {"nb": "x", "en": "x"}, "E011"),
    ("help-unknown-field", "course", ("help", 0, "email"), "help@example.org", "E011"),
    ("scenario-unknown-field", "scenario", ("author",), "Kari", "E011"),
    ("facilitator-unknown-field", "scenario", ("facilitator", "minuttes"), 10, "E011"),
    ("variable-unknown-field", "scenario", ("variables", "trust", "step"), 1, "E011"),
    ("node-unknown-field", "scenario", ("nodes", 0, "txt"), {"nb": "x", "en": "x"}, "E011"),
    ("image-unknown-field", "scenario", ("nodes", 0, "image", "width"), 200, "E011"),
    ("choice-unknown-field", "scenario", (*N0C0, "feedbak"), {"nb": "x", "en": "x"}, "E011"),
    ("route-unknown-field", "scenario", (*ROUTES, 0, "goto"), "good-end", "E011"),
    ("ending-unknown-field", "scenario", ("nodes", 1, "ending", "score"), 3, "E011"),
    (
        "conditional-text-unknown-field",
        "scenario",
        ("nodes", 2, "conditional_text", 0, "when"),
        "told",
        "E011",
    ),
    # wrong types and values out of range (E012)
    ("format-2", "course", ("format",), 2, "E012"),
    ("minutes-as-text", "course", ("estimated_minutes",), "20", "E012"),
    ("minutes-zero", "course", ("estimated_minutes",), 0, "E012"),
    ("minutes-too-many", "course", ("estimated_minutes",), 601, "E012"),
    ("mastery-zero", "course", ("mastery_score",), 0, "E012"),
    ("mastery-above-one", "course", ("mastery_score",), 1.5, "E012"),
    ("mastery-as-text", "course", ("mastery_score",), "70%", "E012"),
    ("measure-unquoted-int", "course", ("measure",), 22, "E012"),
    ("measure-unquoted-float", "course", ("measure",), 19.5, "E012"),
    ("phone-unquoted", "course", ("help", 0, "phone"), 116111, "E012"),
    ("url-http", "course", ("help", 0, "url"), "http://example.org", "E012"),
    ("url-not-a-link", "course", ("help", 0, "url"), "example.org", "E012"),
    ("audience-unknown", "course", ("audiences",), ["teachers"], "E012"),
    ("audiences-empty", "course", ("audiences",), [], "E012"),
    ("audiences-twice", "course", ("audiences",), ["teacher", "teacher"], "E012"),
    ("audiences-not-a-list", "course", ("audiences",), "teacher", "E012"),
    ("language-unknown", "course", ("languages",), ["nb", "de"], "E012"),
    ("scenarios-empty", "course", ("scenarios",), [], "E012"),
    ("title-not-a-map", "course", ("title",), "Tiny course", "E012"),
    ("help-not-a-list", "course", ("help",), {"name": "x"}, "E012"),
    ("facilitator-minutes-zero", "scenario", ("facilitator", "minutes"), 0, "E012"),
    ("variable-type-unknown", "scenario", ("variables", "trust", "type"), "number", "E012"),
    ("int-default-bool", "scenario", ("variables", "trust", "default"), True, "E012"),
    ("bool-default-int", "scenario", ("variables", "told", "default"), 0, "E012"),
    ("bool-default-yes-text", "scenario", ("variables", "told", "default"), "yes", "E012"),
    ("bool-with-min", "scenario", ("variables", "told", "min"), 0, "E012"),
    ("points-as-text", "scenario", (*N0C0, "points"), "2", "E012"),
    ("points-float", "scenario", (*N0C0, "points"), 1.5, "E012"),
    ("correct-no-text", "scenario", (*N0C0, "correct"), "no", "E012"),
    ("if-not-text", "scenario", (*N0C0, "if"), True, "E012"),
    ("next-number", "scenario", ROUTES, 3, "E012"),
    ("next-empty-routes", "scenario", ROUTES, [], "E012"),
    ("nodes-empty", "scenario", ("nodes",), [], "E012"),
    ("choices-not-a-list", "scenario", ("nodes", 0, "choices"), {"id": "x"}, "E012"),
    ("image-not-an-image", "scenario", ("nodes", 0, "image", "src"), "images/door.txt", "E012"),
    ("outcome-unknown", "scenario", ("nodes", 1, "ending", "outcome"), "great", "E012"),
    ("outcome-missing-value", "scenario", ("nodes", 1, "ending", "outcome"), None, "E012"),
    # malformed ids and variable names (E013)
    ("course-id-capitals", "course", ("id",), "Tiny_Course", "E013"),
    ("scenario-id-digit-first", "scenario", ("id",), "1st-talk", "E013"),
    ("choice-id-spaces", "scenario", (*N0C0, "id"), "Listen Well", "E013"),
    (
        "variable-name-dash",
        "scenario",
        ("variables", "trust-level"),
        TINY_SCENARIO["variables"]["trust"],
        "E013",
    ),
    # missing required fields (E010)
    ("course-without-measure", "course", ("measure",), DELETE, "E010"),
    ("course-without-help", "course", ("help",), DELETE, "E010"),
    ("help-without-name", "course", ("help", 0, "name"), DELETE, "E010"),
    ("scenario-without-start", "scenario", ("start",), DELETE, "E010"),
    ("scenario-without-nodes", "scenario", ("nodes",), DELETE, "E010"),
    ("variable-without-default", "scenario", ("variables", "told", "default"), DELETE, "E010"),
    ("int-without-max", "scenario", ("variables", "trust", "max"), DELETE, "E010"),
    ("node-without-text", "scenario", ("nodes", 1, "text"), DELETE, "E010"),
    ("image-without-alt", "scenario", ("nodes", 0, "image", "alt"), DELETE, "E010"),
    ("choice-without-feedback", "scenario", (*N0C0, "feedback"), DELETE, "E010"),
    ("choice-without-next", "scenario", (*N0C0, "next"), DELETE, "E010"),
    ("route-without-to", "scenario", (*ROUTES, 1, "to"), DELETE, "E010"),
    ("ending-without-outcome", "scenario", ("nodes", 1, "ending", "outcome"), DELETE, "E010"),
    (
        "conditional-text-without-if",
        "scenario",
        ("nodes", 2, "conditional_text", 0, "if"),
        DELETE,
        "E010",
    ),
    # texts (E020, E021): keys outside nb/nn/en and empty texts
    ("language-map-unknown-key", "course", ("title", "de"), "Kleiner Kurs", "E020"),
    ("empty-text", "scenario", ("nodes", 0, "text", "en"), "  ", "E021"),
    ("empty-measure", "course", ("measure",), "", "E021"),
    # decision or ending (E034)
    (
        "node-with-choices-and-ending",
        "scenario",
        ("nodes", 0, "ending"),
        {"outcome": "good", "title": {"nb": "Slutt", "en": "The end"}},
        "E034",
    ),
    ("node-with-neither", "scenario", ("nodes", 1, "ending"), DELETE, "E034"),
    ("decision-with-empty-choices", "scenario", ("nodes", 0, "choices"), [], "E034"),
    # values the validator checks against the declared variables (E041, E040, E031)
    ("add-bool", "scenario", (*N0C0, "add", "trust"), True, "E041"),
    ("set-text", "scenario", ("nodes", 0, "choices", 1, "set", "told"), "yes", "E041"),
    ("set-malformed-name", "scenario", ("nodes", 0, "choices", 1, "set", "Told"), True, "E041"),
    ("empty-condition", "scenario", (*N0C0, "if"), " ", "E040"),
    ("next-malformed-id", "scenario", ("nodes", 0, "choices", 1, "next"), "Poor End", "E031"),
    ("start-malformed-id", "scenario", ("start",), "Meet", "E031"),
    ("test-step-without-choice", "scenario", ("tests",), [{"name": "t", "path": ["meet"]}], "E012"),
    ("test-without-name", "scenario", ("tests",), [{"path": ["meet/tell"]}], "E010"),
    ("test-empty-path", "scenario", ("tests",), [{"name": "t", "path": []}], "E012"),
    (
        "test-bad-outcome",
        "scenario",
        ("tests",),
        [{"name": "t", "path": ["meet/tell"], "outcome": "great"}],
        "E012",
    ),
]


def _check_variant(
    tmp_path: Path, kind: str, path: tuple[Any, ...], value: Any
) -> tuple[set[str], dict[str, list[Any]]]:
    """The tiny course with one value changed, checked by the validator and the schemas."""
    course, scenario = TINY_COURSE, TINY_SCENARIO
    if kind == "course":
        course = _mutate(course, path, value)
    else:
        scenario = _mutate(scenario, path, value)
    return _check_both(tmp_path, course, scenario)


@pytest.mark.parametrize(
    ("kind", "path", "value", "code"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_structural_mistakes_are_rejected_by_both(
    tmp_path: Path, kind: str, path: tuple[Any, ...], value: Any, code: str
) -> None:
    codes, schema_errors = _check_variant(tmp_path, kind, path, value)
    assert code in codes, f"the validator did not report {code}: {codes}"
    assert schema_errors[kind], "the JSON Schema accepts what the validator rejects"


# Variations the validator accepts: the JSON Schema must not flag them either (no false alarms).
ACCEPTED: list[tuple[str, str, tuple[Any, ...], Any]] = [
    ("without-optional-course-fields", "course", ("content_notice",), DELETE),
    ("with-introduction", "course", ("introduction",), {"nb": "Innledning.", "en": "Opening."}),
    ("help-empty", "course", ("help",), []),
    (
        "help-without-phone-and-url",
        "course",
        ("help", 0),
        {"name": {"nb": "x", "en": "x"}, "description": {"nb": "y", "en": "y"}},
    ),
    ("url-upper-case-scheme", "course", ("help", 0, "url"), "HTTPS://example.org"),
    ("mastery-one", "course", ("mastery_score",), 1),
    ("minutes-600", "course", ("estimated_minutes",), 600),
    (
        "all-audiences",
        "course",
        ("audiences",),
        ["teacher", "school_leader", "health", "adult_education", "other"],
    ),
    ("measure-text", "course", ("measure",), "Tiltak 22"),
    ("without-optional-scenario-fields", "scenario", ("summary",), DELETE),
    ("facilitator-empty", "scenario", ("facilitator",), {}),
    (
        "variables-underscore-names",
        "scenario",
        ("variables", "_seen_2"),
        {"type": "bool", "default": True, "description": "Unused"},
    ),
    (
        "int-negative-range",
        "scenario",
        ("variables", "trust"),
        {"type": "int", "default": -1, "min": -3, "max": 3},
    ),
    ("ending-with-empty-choices", "scenario", ("nodes", 1, "choices"), []),
    ("route-list-of-one", "scenario", ("nodes", 0, "choices", 1, "next"), [{"to": "poor-end"}]),
    ("image-upper-case-extension", "scenario", ("nodes", 0, "image", "src"), "images/door.SVG"),
    ("points-zero-explicit", "scenario", ("nodes", 0, "choices", 1, "points"), 0),
    (
        "with-a-course-test",
        "scenario",
        ("tests",),
        [
            {
                "name": "too early",
                "path": ["meet/tell"],
                "ending": "poor-end",
                "outcome": "poor",
                "score": -1,
                "variables": {"trust": 0},
            }
        ],
    ),
]


@pytest.mark.parametrize(
    ("kind", "path", "value"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED]
)
def test_what_the_validator_accepts_the_schema_accepts(
    tmp_path: Path, kind: str, path: tuple[Any, ...], value: Any
) -> None:
    codes, schema_errors = _check_variant(tmp_path, kind, path, value)
    assert codes == set(), "the premise: the validator accepts this"
    assert schema_errors == {"course": [], "scenario": []}


# -- (4) the published forms are generated from the one definition ---------------------------------


def test_committed_json_schemas_and_field_tables_are_what_the_definition_generates() -> None:
    """Change elearn/content/schema.py, then run `python -m elearn.content.jsonschema`: the JSON
    Schemas and the tables in docs/course-format.md must never be edited by hand."""
    stale = [
        str(path.relative_to(ROOT))
        for path, text in generated(ROOT).items()
        if path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run `python -m elearn.content.jsonschema` and commit the result"


def test_every_field_of_the_definition_is_in_the_docs_and_every_code_is_documented() -> None:
    doc = (ROOT / "docs" / "course-format.md").read_text(encoding="utf-8")
    for mapping in schemas():
        for name, field in mapping.load_fields.items():
            assert f"| `{field.data_key or name}` |" in doc, (type(mapping).__name__, name)
            assert field.metadata.get("description"), (type(mapping).__name__, name)
    for code in CODES:
        assert f"| {code} |" in doc, code


def test_a_changed_definition_makes_the_generated_files_stale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check above can fail: a new field appears in the schema and the table at once."""
    monkeypatch.setitem(
        CastSchema._declared_fields,
        "pronouns",
        Text(description="How the character is referred to."),
    )
    monkeypatch.setattr(elearn_schema, "schemas", lambda: [CastSchema(), *schemas()[1:]])
    files = generated(ROOT)
    assert "How the character is referred to." in files[ROOT / "docs" / "course-format.md"]
    scenario = json.loads(files[SCHEMA_DIR / "scenario.schema.json"])
    assert "pronouns" in scenario["$defs"]["castMember"]["properties"]
