"""The course validator as an author meets it: every mistake reported at once, at the right line,
with a hint; a valid course compiled into the form the player runs."""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
from collections import deque
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from elearn.content import LoadedCourse, discover_courses, load_course, validate_paths
from elearn.content import graph as graph_module
from elearn.content import loader as loader_module
from elearn.content.compiler import FORMAT_VERSION
from elearn.content.lints import lix
from elearn.content.loader import load_yaml_bytes
from elearn.content.models import CourseVersion
from elearn.content.service import INVALID, CourseVersions, UnplayableVersion, import_all
from elearn.core import engine
from elearn.core.hashing import canonical_json, content_hash

FIXTURES = Path(__file__).parent / "fixtures" / "courses"
VALID = FIXTURES / "valid-minimal"
BROKEN = FIXTURES / "broken"
EXPECT = re.compile(r"#\s*expect:\s*((?:[EW]\d{3}\s*)+)")


# -- helpers ------------------------------------------------------------------------------------


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with libyaml's parser and with PyYAML's own: positions must not differ."""
    monkeypatch.setattr(loader_module, "USE_LIBYAML", request.param == "libyaml")
    return str(request.param)


def planted(course_dir: Path) -> set[tuple[str, int, str]]:
    """(file name, line, code) for every `# expect: CODE` marker in a fixture course."""
    found = set()
    for path in course_dir.glob("*.yaml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                found |= {(path.name, number, code) for code in match.group(1).split()}
    return found


def reported(loaded: LoadedCourse) -> set[tuple[str, int, str]]:
    return {(Path(p.file).name, p.line, p.code) for p in loaded.problems}


def line_of(path: Path, marker: str) -> int:
    """The 1-based line of the first line containing `marker` (so tests survive edits)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if marker in line:
            return number
    raise AssertionError(f"{marker!r} not in {path}")


def only(loaded: LoadedCourse, code: str) -> list[Any]:
    return [p for p in loaded.problems if p.code == code]


T = {"nb": "tekst", "en": "text"}


def choice(cid: str, to: Any, **extra: Any) -> dict[str, Any]:
    return {"id": cid, "text": T, "feedback": T, "next": to, **extra}


def decision(nid: str, *choices: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": nid, "text": T, "choices": list(choices), **extra}


def ending(nid: str, outcome: str = "good") -> dict[str, Any]:
    return {"id": nid, "text": T, "ending": {"outcome": outcome, "title": T}}


def scenario(sid: str, *nodes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": sid, "title": T, "start": nodes[0]["id"], **extra, "nodes": list(nodes)}


def _reading_minutes(data: dict[str, Any], scenarios: tuple[dict[str, Any], ...]) -> int:
    words = sum(len(str(v).split()) for v in _texts([data, *scenarios]))
    return max(1, round(words / 180 + 0.3 * sum(len(s.get("nodes", [])) for s in scenarios)))


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value] if isinstance(value, str) else []


def write_course(root: Path, *scenarios: dict[str, Any], **course: Any) -> Path:
    """A course folder with one file per scenario; course.yaml fields can be overridden."""
    root.mkdir(parents=True, exist_ok=True)
    data = {
        "format": 1,
        "id": "test-course",
        "title": T,
        "description": T,
        "audiences": ["teacher"],
        "measure": "19b",
        "languages": ["nb", "en"],
        "estimated_minutes": "auto",
        "mastery_score": 0.5,
        "scenarios": [f"{s['id']}.yaml" for s in scenarios],
        "help": [],
        **course,
    }
    if data["estimated_minutes"] == "auto":  # what W003 expects, so tests see only their problem
        data["estimated_minutes"] = _reading_minutes(data, scenarios)
    (root / "course.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    for s in scenarios:
        text = yaml.safe_dump(s, sort_keys=False, allow_unicode=True)
        (root / f"{s['id']}.yaml").write_text(text, encoding="utf-8")
    return root


def simple(**extra: Any) -> dict[str, Any]:
    """A correct one-decision scenario: 'right' earns 2 points, 'wrong' none."""
    return scenario(
        "simple",
        decision("start", choice("right", "good", points=2), choice("wrong", "poor")),
        ending("good"),
        ending("poor", "poor"),
        **extra,
    )


# -- the valid fixture --------------------------------------------------------------------------


def test_valid_fixture_compiles_without_any_problem() -> None:
    loaded = load_course(VALID)
    assert loaded.ok and loaded.problems == []
    compiled = loaded.compiled
    assert compiled is not None
    assert json.loads(json.dumps(compiled)) == compiled  # stored as JSON, played from JSON
    assert compiled["format"] == 1 and compiled["measure"] == "19b"
    assert compiled["help"][0]["phone"] == "47 80 90 50"
    (talk,) = compiled["scenarios"]
    assert talk["node_order"] == ["classroom", "talk", "opens-up", "closes-down"]
    assert list(talk["nodes"]) == talk["node_order"]
    assert talk["variables"] == {
        "trust": {"type": "int", "default": 0, "min": 0, "max": 2},
        "told_parents": {"type": "bool", "default": False},
    }
    ask = talk["nodes"]["talk"]["choices"][1]
    assert ask["next"] == [
        {
            "if": {
                "and": [{"cmp": ">=", "var": "trust", "value": 2}, {"not": {"var": "told_parents"}}]
            },
            "to": "opens-up",
        },
        {"if": None, "to": "closes-down"},
    ]
    think = talk["nodes"]["talk"]["choices"][0]
    assert think["points"] == 0 and think["correct"] is None and think["if"] is None
    assert think["set"] == {} and think["add"] == {}
    assert talk["nodes"]["talk"]["conditional_text"][0]["if"] == {"var": "told_parents"}
    assert talk["nodes"]["talk"]["image"] is None and talk["facilitator"] is None
    assert "ending" not in talk["nodes"]["talk"]  # the engine tests `"ending" in node`
    assert talk["nodes"]["opens-up"]["ending"]["outcome"] == "good"
    assert (talk["max_score"], talk["min_score"]) == (3, 1)
    assert compiled["max_score"] == 3
    assert talk["remaining"] == {"classroom": 2, "talk": 1, "opens-up": 0, "closes-down": 0}


def test_valid_fixture_assets_and_content_hash() -> None:
    loaded = load_course(VALID)
    svg = (VALID / "images" / "classroom.svg").read_bytes()
    assert loaded.assets == {"images/classroom.svg": svg}
    assert loaded.compiled is not None
    assert loaded.content_hash == content_hash(loaded.compiled, loaded.assets)
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash or "")
    assert load_course(VALID).content_hash == loaded.content_hash  # stable: no re-import
    assert (
        content_hash(loaded.compiled, {"images/classroom.svg": svg + b" "}) != loaded.content_hash
    )
    assert canonical_json({"b": 1, "a": "ø"}) == '{"a":"ø","b":1}'.encode()


def test_engine_plays_every_path_of_the_valid_fixture_to_an_ending() -> None:
    """Walk every way through with the player's engine: each ends, and the scores the validator
    computed are exactly the best and worst a learner can get."""
    compiled = load_course(VALID).compiled
    assert compiled is not None
    (talk,) = compiled["scenarios"]
    first = engine.initial_state(talk)
    queue = deque([first])
    seen = set()
    finals = set()
    while queue:
        state = queue.popleft()
        key = (state["node"], json.dumps(state["vars"], sort_keys=True), state["points"])
        if key in seen:
            continue
        seen.add(key)
        if state["ended"]:
            finals.add(state["points"])
            continue
        done, total = engine.progress(talk, state)
        assert total >= done + 1
        offered = engine.offered_choices(talk, state)
        assert offered, f"stuck at {state['node']}"
        for offer in offered:
            queue.append(engine.choose(talk, state, offer["id"]).state)
    assert min(finals) == talk["min_score"] and max(finals) == talk["max_score"]
    assert engine.scaled_score(max(finals), compiled["max_score"]) == 1.0


# -- the broken fixture -------------------------------------------------------------------------


def test_broken_fixture_reports_exactly_the_planted_problems(parser: str) -> None:
    loaded = load_course(BROKEN)
    assert not loaded.ok and loaded.compiled is None and loaded.content_hash is None
    expected = planted(BROKEN)
    assert len(expected) >= 16
    assert reported(loaded) == expected


def test_broken_fixture_messages_say_how_to_fix(parser: str) -> None:
    loaded = load_course(BROKEN)
    by_code = {p.code: p for p in loaded.problems}
    course = BROKEN / "course.yaml"
    assert "did you mean 'content_notice'" in by_code["E011"].hint
    assert by_code["E011"].column == 1  # points at the key
    dup = by_code["E003"]
    assert f"line {line_of(course, 'estimated_minutes: 20')}" in dup.hint
    measure = next(p for p in only(loaded, "E012") if p.path == "measure")
    assert '"22"' in measure.hint and "quote" in measure.hint
    assert "../outside.yaml" in by_code["E004"].message
    assert "en" in by_code["E020"].message
    no = next(p for p in only(loaded, "E012") if p.path.endswith("correct"))
    assert "'no'" in no.message and "true or false" in no.hint
    assert "'n3'" in by_code["E031"].message and by_code["E031"].hint.startswith(
        "existing nodes: n"
    )
    assert "does not parse" in by_code["E040"].message
    assert "'mood' is not declared" in by_code["E041"].message
    assert by_code["E010"].path == "nodes[1].choices[0].feedback"
    assert "orphan" in by_code["E032"].message
    dead, conditional = sorted(only(loaded, "E033"), key=lambda p: p.line)
    assert "no way out" in dead.message and "corridor → basement → corridor" in dead.message
    assert "door_open=false" in conditional.message and "loop" in conditional.message
    assert "gaining 1 point" in by_code["E037"].message
    assert "10,000" in by_code["E002"].message
    assert "only set" in by_code["W002"].message
    assert loaded.problems == sorted(loaded.problems, key=lambda p: (p.file, p.line, p.column))


def test_problem_files_are_relative_to_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(FIXTURES)
    loaded = load_course(Path("broken"))
    assert {p.file for p in loaded.problems} >= {"broken/course.yaml", "broken/loops.yaml"}
    assert str(loaded.problems[0]).startswith("broken/")


# -- YAML loading --------------------------------------------------------------------------------


def test_yaml_1_2_scalars_no_stays_text(parser: str) -> None:
    doc = load_yaml_bytes(
        b"a: no\nb: yes\nc: on\nd: 2024-05-01\ne: True\nf: ~\ng: '5'\nh: 0.5\ni: -3\nj: 19b\n",
        "x.yaml",
    )
    assert doc.ok
    assert doc.data == {
        "a": "no",
        "b": "yes",
        "c": "on",
        "d": "2024-05-01",
        "e": True,
        "f": None,
        "g": "5",
        "h": 0.5,
        "i": -3,
        "j": "19b",
    }
    assert doc.values[("d",)] == (4, 4) and doc.keys[("d",)] == (4, 1)


def test_oversized_scenario_file(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", simple())
    big = (root / "simple.yaml").read_text() + "#" * (300 * 1024) + "\n"
    (root / "simple.yaml").write_text(big)
    loaded = load_course(root)
    (problem,) = only(loaded, "E002")
    assert Path(problem.file).name == "simple.yaml" and problem.line == 0
    assert "256 KiB" in problem.message


@pytest.mark.parametrize(
    "text", ["id: " + "[" * 5000, "id:\n" + "".join(f"{'  ' * i}- \n" for i in range(50))]
)
def test_deep_nesting_is_refused(tmp_path: Path, parser: str, text: str) -> None:
    root = write_course(tmp_path / "c", simple())
    (root / "simple.yaml").write_text(text + "\n")
    (problem,) = only(load_course(root), "E002")
    assert "40 levels" in problem.message


@pytest.mark.parametrize(
    "content",
    [
        bytes(random.Random(7).randrange(256) for _ in range(4000)),
        b"",
        b"- just\n- a list\n",
        b"!!python/object/apply:os.system ['touch PWNED']\n",
        b"id: x\ntitle: !!python/object/new:builtins.dict {}\n",
        b"a: &a [*a]\n",
        b"a: [1, 2\n",
        b"\xef\xbb\xbfid: bom\n\x00",
    ],
    ids=[
        "random",
        "empty",
        "list",
        "python-tag",
        "python-tag-inside",
        "self-alias",
        "unclosed",
        "nul",
    ],
)
def test_load_course_never_raises_on_garbage(
    tmp_path: Path, content: bytes, monkeypatch: pytest.MonkeyPatch, parser: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for target in ("course.yaml", "simple.yaml"):  # garbage as the course, or as a scenario
        root = write_course(tmp_path / target.replace(".", "-"), simple())
        (root / target).write_bytes(content)
        loaded = load_course(root)
        assert not loaded.ok and loaded.compiled is None
        assert all(re.fullmatch(r"[EW]\d{3}", p.code) for p in loaded.problems)
        assert not any("could not be checked" in p.message for p in loaded.problems)
    assert not (tmp_path / "PWNED").exists()


def test_merge_keys_and_python_tags_are_rejected_with_a_hint(parser: str) -> None:
    merge = load_yaml_bytes(b"base: &b {x: 1}\nnode:\n  <<: *b\n", "m.yaml")
    (problem,) = merge.problems
    assert (problem.code, problem.line) == ("E012", 3) and "merge" in problem.message
    tag = load_yaml_bytes(b"x: !!python/name:os.system\n", "t.yaml")
    assert tag.data is None and tag.problems[0].code == "E012"


# -- warnings and scores --------------------------------------------------------------------------


def _variant(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the valid fixture with one regex replacement in one file."""
    root = tmp_path / "variant"
    shutil.copytree(VALID, root)
    text = (root / file).read_text(encoding="utf-8")
    assert re.search(old, text)
    (root / file).write_text(re.sub(old, new, text), encoding="utf-8")
    return root


def test_w001_when_even_the_worst_path_passes(tmp_path: Path) -> None:
    root = _variant(tmp_path, "course.yaml", "mastery_score: 0.7", "mastery_score: 0.3")
    loaded = load_course(root)
    assert loaded.ok and loaded.compiled is not None  # a warning does not stop an import
    (warning,) = loaded.problems
    assert warning.code == "W001" and warning.line == line_of(root / "course.yaml", "mastery")
    assert "1 of 3" in warning.message


def test_e050_when_nothing_can_be_scored(tmp_path: Path) -> None:
    root = _variant(tmp_path, "first-talk.yaml", r"points: \d+", "points: 0")
    loaded = load_course(root)
    (problem,) = loaded.problems
    assert problem.code == "E050" and problem.line == line_of(root / "course.yaml", "mastery")
    assert loaded.compiled is None


def test_w002_unused_variable(tmp_path: Path) -> None:
    variables = {"mood": {"type": "bool", "default": False}}
    loaded = load_course(write_course(tmp_path / "c", simple(variables=variables)))
    assert [(p.code, p.path) for p in loaded.problems] == [("W002", "variables.mood")]
    assert loaded.ok


def test_w003_estimated_minutes_far_from_the_reading_time(tmp_path: Path) -> None:
    loaded = load_course(write_course(tmp_path / "c", simple(), estimated_minutes=45))
    [problem] = loaded.problems
    assert (problem.code, problem.path) == ("W003", "estimated_minutes")
    assert (
        "takes about 1 minutes" in problem.message and "set estimated_minutes to 1" in problem.hint
    )
    assert loaded.ok  # a warning: the course still imports


def test_scores_follow_variables_and_clamping(tmp_path: Path) -> None:
    """max/min come from playing the scenario: a route that needs trust >= 3 is impossible
    when trust is clamped at 2, so its points never count."""
    s = scenario(
        "clamp",
        decision(
            "a",
            choice("warm", "b", points=1, add={"trust": 5}),
            choice("cold", "b", points=-1),
        ),
        decision(
            "b",
            choice(
                "go",
                [{"if": "trust >= 3", "to": "jackpot"}, {"to": "end"}],
            ),
        ),
        decision("jackpot", choice("take", "end", points=100)),
        ending("end"),
        variables={"trust": {"type": "int", "default": 0, "min": 0, "max": 2}},
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    assert loaded.compiled is not None, loaded.problems
    (compiled,) = loaded.compiled["scenarios"]
    assert (compiled["max_score"], compiled["min_score"]) == (1, -1)


# -- structure and state-space checks, one mistake each ------------------------------------------


def codes(loaded: LoadedCourse) -> list[tuple[str, str]]:
    return [(p.code, p.path) for p in loaded.problems]


def test_e035_every_choice_hidden(tmp_path: Path) -> None:
    s = scenario(
        "hidden",
        decision("a", choice("in", "b", set={"ready": False})),
        decision("b", choice("only", "end", **{"if": "ready"})),
        ending("end"),
        variables={"ready": {"type": "bool", "default": True}},
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    found = codes(loaded)
    assert ("E035", "nodes[1]") in found
    assert ("E033", "nodes[0]") in found  # the learner walks into it from 'a'
    assert "ready=false" in only(loaded, "E035")[0].message


def test_e036_routes_must_end_with_a_fallback(tmp_path: Path) -> None:
    s = scenario(
        "routes",
        decision(
            "a",
            choice("x", [{"to": "end"}, {"if": "flag", "to": "end"}]),
        ),
        ending("end"),
        variables={"flag": {"type": "bool", "default": False}},
    )
    found = codes(load_course(write_course(tmp_path / "c", s)))
    assert ("E036", "nodes[0].choices[0].next[0]") in found
    assert ("E036", "nodes[0].choices[0].next[1]") in found


def test_e034_e030_and_e013(tmp_path: Path) -> None:
    both = {**decision("both", choice("x", "end")), "ending": {"outcome": "good", "title": T}}
    neither = {"id": "neither", "text": T}
    s = scenario(
        "ids",
        decision("a", choice("x", "both"), choice("x", "neither"), choice("y", "Bad Id")),
        both,
        neither,
        ending("end"),
        ending("end"),
        {**ending("Bad Id")},
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    found = codes(loaded)
    assert ("E034", "nodes[1]") in found and ("E034", "nodes[2]") in found
    assert ("E030", "nodes[0].choices[1].id") in found  # choice id twice in one node
    assert ("E030", "nodes[4].id") in found  # node id twice
    bad = next(p for p in loaded.problems if p.code == "E013")
    assert bad.path == "nodes[5].id" and "'bad-id'" in bad.hint


def test_duplicate_scenario_ids_and_files(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", simple())
    shutil.copy(root / "simple.yaml", root / "copy.yaml")
    course = yaml.safe_load((root / "course.yaml").read_text())
    course["scenarios"] = ["simple.yaml", "copy.yaml", "simple.yaml", "nothere.yaml"]
    (root / "course.yaml").write_text(yaml.safe_dump(course, sort_keys=False))
    loaded = load_course(root)
    found = {(Path(p.file).name, p.code, p.path) for p in loaded.problems}
    assert ("copy.yaml", "E030", "id") in found
    assert ("course.yaml", "E030", "scenarios[2]") in found
    assert ("course.yaml", "E004", "scenarios[3]") in found
    (twice,) = [p for p in loaded.problems if p.path == "scenarios[2]"]
    first = line_of(root / "course.yaml", "- simple.yaml")
    assert f"it is already listed on line {first}" in twice.hint  # a line, not a list index


def test_e041_types_of_conditions_and_effects(tmp_path: Path) -> None:
    s = scenario(
        "types",
        decision(
            "a",
            choice("lt", "end", **{"if": "told < 1"}),
            choice("eq", "end", **{"if": "trust == true"}),
            choice("set-range", "end", set={"trust": 9}),
            choice("set-type", "end", set={"told": "yes"}),
            choice("add-bool", "end", add={"told": 1}),
            choice("add-undeclared", "end", add={"trusst": 1}),
        ),
        ending("end"),
        variables={
            "told": {"type": "bool", "default": False},
            "trust": {"type": "int", "default": 0, "min": 0, "max": 3},
        },
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    e041 = {p.path: p for p in only(loaded, "E041")}
    assert set(e041) == {
        "nodes[0].choices[0].if",
        "nodes[0].choices[1].if",
        "nodes[0].choices[2].set.trust",
        "nodes[0].choices[3].set.told",
        "nodes[0].choices[4].add.told",
        "nodes[0].choices[5].add.trusst",
    }
    assert "0..3" in e041["nodes[0].choices[2].set.trust"].message
    assert "'yes' is text" in e041["nodes[0].choices[3].set.told"].hint
    assert "did you mean 'trust'" in e041["nodes[0].choices[5].add.trusst"].hint


def test_variable_declarations(tmp_path: Path) -> None:
    variables = {
        "low": {"type": "int", "default": 5, "min": 0, "max": 3},
        "nobounds": {"type": "int", "default": 0},
        "flag": {"type": "bool", "default": 0},
        "Bad-Name": {"type": "bool", "default": False},
    }
    s = simple(variables=variables)
    s["nodes"][0]["choices"][0]["if"] = "low > 0 and nobounds > 0 and flag and Bad-Name"
    loaded = load_course(write_course(tmp_path / "c", s))
    found = codes(loaded)
    assert ("E012", "variables.low.default") in found
    assert ("E010", "variables.nobounds.min") in found and (
        "E010",
        "variables.nobounds.max",
    ) in found
    assert ("E012", "variables.flag.default") in found
    assert ("E013", "variables.Bad-Name") in found
    assert "'bad_name'" in next(p for p in loaded.problems if p.code == "E013").hint


def test_language_maps(tmp_path: Path) -> None:
    s = simple()
    s["title"] = {"nb": "tittel", "en": "title", "de": "Titel"}
    s["nodes"][0]["text"] = {"nb": "", "en": "text"}
    s["nodes"][1]["text"] = "just a string"
    loaded = load_course(write_course(tmp_path / "c", s))
    found = codes(loaded)
    assert ("E020", "title.de") in found
    assert ("E021", "nodes[0].text.nb") in found
    assert ("E012", "nodes[1].text") in found


def test_course_fields(tmp_path: Path) -> None:
    root = write_course(
        tmp_path / "c",
        simple(),
        id="Test Course",
        audiences=["teachers"],
        estimated_minutes=0,
        mastery_score=0,
        help=[{"name": T, "description": T, "phone": 4780, "url": "http://example.org"}],
    )
    loaded = load_course(root)
    found = {p.path: p for p in loaded.problems}
    assert found["id"].code == "E013" and "'test-course'" in found["id"].hint
    assert "did you mean 'teacher'" in found["audiences[0]"].hint
    assert "1 to 600" in found["estimated_minutes"].hint
    assert "greater than 0" in found["mastery_score"].hint
    assert "quote" in found["help[0].phone"].hint
    assert "https" in found["help[0].url"].hint


def test_e060_too_many_states(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graph_module, "MAX_STATES", 50)
    s = scenario(
        "counter",
        decision(
            "a",
            choice("more", "a", add={"n": 1}),
            choice("stop", "end", points=1, **{"if": "n >= 0"}),
        ),
        ending("end"),
        variables={"n": {"type": "int", "default": 0, "min": 0, "max": 1000}},
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    assert codes(loaded) == [("E060", "variables")]


# -- files and images ----------------------------------------------------------------------------


def test_images(tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG")
    s = simple()
    nodes = s["nodes"]
    nodes[0]["image"] = {"src": "img/missing.png", "alt": T}
    nodes[1]["image"] = {"src": "../secret.png", "alt": T}
    nodes[2]["image"] = {"src": "link.png", "alt": T}
    root = write_course(tmp_path / "c", s)
    (root / "link.png").symlink_to(outside)
    loaded = load_course(root)
    assert ("E051", "nodes[0].image.src") in codes(loaded)
    assert ("E004", "nodes[1].image.src") in codes(loaded)
    assert ("E004", "nodes[2].image.src") in codes(loaded)
    assert loaded.assets == {}

    big = simple()
    big["nodes"][0]["image"] = {"src": "big.png", "alt": T}
    big["nodes"][1]["image"] = {"src": "notes.txt", "alt": T}
    root = write_course(tmp_path / "d", big)
    (root / "big.png").write_bytes(b"0" * (1024 * 1024 + 1))
    (root / "notes.txt").write_text("x")
    assert codes(load_course(root)) == [
        ("E012", "nodes[0].image.src"),
        ("E012", "nodes[1].image.src"),
    ]


def test_an_illustration_without_alt_text_in_every_language(tmp_path: Path) -> None:
    """A picture a learner cannot see must be said in words, in each of the course's languages."""
    s = simple()
    s["nodes"][0]["image"] = {"src": "images/desk.svg", "alt": {"nb": "En tom pult."}}
    root = write_course(tmp_path / "c", s)
    (root / "images").mkdir()
    (root / "images" / "desk.svg").write_bytes(SAFE_SVG)
    loaded = load_course(root)
    (problem,) = loaded.problems
    assert (problem.code, problem.path) == ("E020", "nodes[0].image.alt")
    assert problem.line == line_of(root / "simple.yaml", "En tom pult") and "start" in problem.where
    assert "en is missing" in problem.message and "nb, en" in problem.hint
    s["nodes"][0]["image"]["alt"]["en"] = "An empty desk."
    root = write_course(tmp_path / "d", s)
    (root / "images").mkdir()
    (root / "images" / "desk.svg").write_bytes(SAFE_SVG)
    assert load_course(root).ok and load_course(root).assets == {"images/desk.svg": SAFE_SVG}


def test_missing_course_yaml_and_discovery(tmp_path: Path) -> None:
    assert only(load_course(tmp_path), "E004")
    write_course(tmp_path / "b-course", simple(), id="b-course")  # one id per folder (E030)
    write_course(tmp_path / "a-course", simple(), id="a-course")
    (tmp_path / "not-a-course").mkdir()
    assert discover_courses(tmp_path) == [tmp_path / "a-course", tmp_path / "b-course"]
    results = validate_paths(
        [tmp_path, tmp_path / "a-course", tmp_path / "b-course" / "course.yaml"]
    )
    assert [r.course_dir.name for r in results] == ["a-course", "b-course", "a-course", "b-course"]
    assert all(r.ok for r in results)


# -- speed -----------------------------------------------------------------------------------------


def test_ten_scenarios_of_forty_nodes_validate(tmp_path: Path) -> None:
    """A large course (3^39 paths a scenario) is checked without giving up: the state space is
    explored, not the paths. (How fast: bench/, not here.)"""
    scenarios = []
    for k in range(10):
        nodes = []
        for i in range(39):
            nxt = f"n{i + 1}" if i < 38 else "end"
            skip = f"n{i + 2}" if i < 37 else "end"
            nodes.append(
                decision(
                    f"n{i}",
                    choice("careful", nxt, points=1, add={"trust": 1}),
                    choice("hasty", nxt, add={"trust": -1}, set={"warned": True}),
                    choice(
                        "ask",
                        [{"if": "trust >= 2 and not warned", "to": skip}, {"to": nxt}],
                        **{"if": "trust > 0"},
                    ),
                )
            )
        nodes.append(ending("end"))
        variables = {
            "trust": {"type": "int", "default": 0, "min": 0, "max": 3},
            "warned": {"type": "bool", "default": False},
        }
        scenarios.append(scenario(f"s{k}", *nodes, variables=variables))
    root = write_course(tmp_path / "big", *scenarios)
    loaded = load_course(root)
    assert loaded.ok, loaded.problems[:3]
    assert loaded.compiled is not None
    assert [s["max_score"] for s in loaded.compiled["scenarios"]] == [39] * 10


def test_a_scenario_may_not_start_at_an_ending(tmp_path: Path) -> None:
    # Such a scenario would be "finished" before the learner did anything, and the course
    # could never complete (found in review).
    s = scenario("instant", ending("done"), decision("later", choice("go", "done", points=1)))
    loaded = load_course(write_course(tmp_path / "c", simple(), s))
    (problem,) = only(loaded, "E038")
    assert problem.path == "start" and not loaded.ok


def test_ids_are_short_enough_for_every_database(tmp_path: Path) -> None:
    long_id = "a" * 65
    s = scenario(long_id, decision("start", choice("right", "good", points=1)), ending("good"))
    loaded = load_course(write_course(tmp_path / "c", s))
    assert any("at most 64" in p.message for p in only(loaded, "E013"))
    ok = scenario("a" * 64, decision("start", choice("right", "good", points=1)), ending("good"))
    assert load_course(write_course(tmp_path / "d", ok)).ok


# -- stored versions of an older compiled format ---------------------------------------------------


def _old_form(compiled: dict[str, Any]) -> dict[str, Any]:
    """The compiled form as elearn stored it before `format_version` (and the optional fields
    added with it) existed."""
    old = copy.deepcopy(compiled)
    del old["format_version"], old["job_aids"]
    for entry in old["help"]:
        del entry["checked"]
    for scenario_ in old["scenarios"]:
        del scenario_["cast"]
        for node in scenario_["nodes"].values():
            del node["order"], node["explanation"]
    return old


def _store(session_factory: Any, compiled: dict[str, Any], content_hash_: str) -> int:
    with session_factory() as session:
        version = CourseVersion(
            course_id="valid-minimal", content_hash=content_hash_, compiled=compiled
        )
        session.add(version)
        session.commit()
        return version.id


def test_compiled_form_carries_its_format_version() -> None:
    compiled = load_course(VALID).compiled
    assert compiled is not None and compiled["format_version"] == FORMAT_VERSION == 2


def test_a_version_stored_in_the_old_form_is_brought_up_to_date(session_factory: Any) -> None:
    compiled = load_course(VALID).compiled
    assert compiled is not None
    version_id = _store(session_factory, _old_form(compiled), "0" * 64)
    with session_factory() as session:
        entry = CourseVersions().version(session, version_id)
        stored = session.get(CourseVersion, version_id)
        assert stored is not None and "format_version" not in stored.compiled  # never rewritten
    assert entry.compiled["format_version"] == FORMAT_VERSION
    (talk,) = entry.compiled["scenarios"]
    assert talk["nodes"]["talk"]["order"] == "fixed"  # as the old players showed it
    assert talk["cast"] == [] and entry.compiled["job_aids"] == []
    assert {k for k in entry.compiled if k != "format_version"} <= set(compiled)
    state = engine.choose(talk, engine.initial_state(talk), "listen").state  # still plays
    assert state["node"] == "talk"


@pytest.mark.parametrize(
    ("stored", "says"),
    [
        ({"format_version": FORMAT_VERSION + 1, "scenarios": []}, "upgrade elearn"),
        ({"format_version": 0, "scenarios": []}, "import the course again"),
        ({"title": "not a course"}, "not a compiled course"),
    ],
    ids=["newer", "too-old", "garbage"],
)
def test_a_version_that_cannot_be_read_is_refused_with_a_clear_message(
    session_factory: Any, stored: dict[str, Any], says: str
) -> None:
    version_id = _store(session_factory, stored, "1" * 64)
    with session_factory() as session, pytest.raises(UnplayableVersion) as refused:
        CourseVersions().version(session, version_id)
    message = str(refused.value)
    assert says in message and f"version {version_id}" in message and "valid-minimal" in message


# -- lints (W004–W006): each planted once, and silent on the clean fixture ------------------------


def quiz(*points: tuple[int, ...], long_best: bool = True, **choice_extra: Any) -> dict[str, Any]:
    """A scenario of len(points) decisions; in each, the best choice is the longest (or not)."""
    nodes = []
    for i, scores in enumerate(points):
        nxt = f"q{i + 1}" if i + 1 < len(points) else "end"
        best = max(scores)
        choices = []
        for j, p in enumerate(scores):
            wordy = (p == best) == long_best
            text = {"nb": "et langt og grundig svar" if wordy else "kort", "en": "text"}
            choices.append({**choice(f"c{j}", nxt, points=p, **choice_extra), "text": text})
        nodes.append(decision(f"q{i}", *choices))
    return scenario("quiz", *nodes, ending("end"))


def test_w004_when_the_longest_choice_is_the_best_in_most_decisions(tmp_path: Path) -> None:
    loaded = load_course(write_course(tmp_path / "c", quiz((2, 0), (1, 0), (0, 3), (1, 0))))
    (warning,) = only(loaded, "W004")
    assert "4 of 4 scored decisions" in warning.message and "(nb)" in warning.message
    assert warning.path == "nodes" and loaded.ok  # a warning: the course still imports


def test_w004_not_when_length_tells_nothing(tmp_path: Path) -> None:
    shorter = quiz((2, 0), (1, 0), (0, 3), (1, 0), long_best=False)
    assert only(load_course(write_course(tmp_path / "c", shorter)), "W004") == []
    few = quiz((2, 0), (1, 0))  # two decisions: too few to tell
    assert only(load_course(write_course(tmp_path / "d", few)), "W004") == []


def test_w005_when_all_choices_are_scored_but_none_is_correct(tmp_path: Path) -> None:
    s = simple()
    s["nodes"][0]["choices"][1]["points"] = 0  # now both choices have points: 2 and 0
    loaded = load_course(write_course(tmp_path / "c", s))
    (warning,) = only(loaded, "W005")
    assert warning.path == "nodes[0]" and "node 'start'" in warning.where
    assert "correct: true" in warning.hint
    s["nodes"][0]["choices"][0]["correct"] = True
    assert only(load_course(write_course(tmp_path / "d", s)), "W005") == []


def test_w006_one_cast_name_for_two_people(tmp_path: Path) -> None:
    amina = {"name": "Amina", "about": {"nb": "elev, 15 år", "en": "pupil, 15"}}
    other = {"name": "Amina", "about": {"nb": "mor", "en": "mother"}}
    first = simple(cast=[amina])
    second = {**simple(cast=[other]), "id": "second"}
    loaded = load_course(write_course(tmp_path / "c", first, second))
    (warning,) = only(loaded, "W006")
    assert Path(warning.file).name == "second.yaml" and warning.path == "cast[0].about"
    assert "simple.yaml" in warning.message
    same = {**simple(cast=[amina]), "id": "second"}  # the same person in two scenarios
    assert only(load_course(write_course(tmp_path / "d", first, same)), "W006") == []


def _two_steps(first_end: str, outcome: str, *, second: tuple[int, int, int] = (2, 1, 0)) -> dict:
    """Two decisions scored `second` (best, middle, worst) in the second; the best of the second
    leads to an ending with `outcome`, the others to a mixed and a poor ending."""
    best, middle, worst = second
    return scenario(
        "paths",
        decision(
            "office",
            choice("listen", "call", points=2, correct=True),
            choice("ignore", "poor", points=0, correct=False),
        ),
        decision(
            "call",
            choice("report", first_end, points=best, correct=True),
            choice("later", "mixed", points=middle),
            choice("warn", "poor", points=worst, correct=False),
        ),
        ending(first_end, outcome),
        ending("mixed", "mixed"),
        ending("poor", "poor"),
    )


def test_w007_a_bad_ending_after_only_good_choices(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", _two_steps("late", "mixed"))
    loaded = load_course(root)
    (warning,) = only(loaded, "W009")
    assert loaded.ok  # a warning: the course still imports
    assert warning.line == line_of(root / "paths.yaml", "outcome: mixed")
    assert warning.path == "nodes[2].ending.outcome" and "node 'late'" in warning.where
    assert "scenario 'paths'" in warning.message and "ending 'late' is mixed" in warning.message
    assert "every choice is labelled good: office: listen → call: report" in warning.message
    assert "good ending" in warning.hint


def test_w007_a_poor_ending_after_no_risky_choice(tmp_path: Path) -> None:
    s = _two_steps("good", "good")
    s["nodes"][1]["choices"][1]["next"] = "poor"  # the partly good 'later' now ends poorly
    s["nodes"][0]["choices"][1]["next"] = "mixed"  # (and 'ignore' takes the mixed ending)
    (warning,) = only(load_course(write_course(tmp_path / "c", s)), "W009")
    assert "ending 'poor' is poor" in warning.message
    assert "no choice is labelled risky: office: listen → call: later" in warning.message
    assert "correct: false" in warning.hint
    s["nodes"][1]["choices"][1]["points"] = 0  # 'later' is now as bad as 'warn': risky
    assert only(load_course(write_course(tmp_path / "d", s)), "W009") == []


def test_w007_a_good_ending_after_no_good_choice(tmp_path: Path) -> None:
    s = _two_steps("good", "good")
    s["nodes"][0]["choices"][1]["next"] = "good"  # the risky 'ignore' now ends well
    s["nodes"][1]["choices"][2]["next"] = "poor"
    (warning,) = only(load_course(write_course(tmp_path / "c", s)), "W009")
    assert "ending 'good' is good" in warning.message
    assert "no choice is labelled good: office: ignore" in warning.message


def test_w007_not_when_the_ending_agrees_with_its_paths(tmp_path: Path) -> None:
    assert only(load_course(write_course(tmp_path / "c", _two_steps("good", "good"))), "W009") == []
    unscored = scenario(
        "story", decision("a", choice("x", "sad"), choice("y", "sad")), ending("sad", "poor")
    )  # no choice has a label: the story has no wrong turn, so nothing to contradict
    loaded = load_course(write_course(tmp_path / "d", simple(), unscored))
    assert only(loaded, "W009") == []


def test_the_clean_fixture_triggers_no_lint() -> None:
    lints = {"W004", "W005", "W006", "W009"}
    assert [p for p in load_course(VALID).problems if p.code in lints] == []


# -- files: SVG safety, special files, sizes ------------------------------------------------------

SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1"/></svg>'


@pytest.mark.parametrize(
    ("line", "svg"),
    [
        ("<script>alert(1)</script>", "<script>"),
        ('<rect width="1" onload="alert(1)"/>', "event handler (onload=)"),
        ('<image href="https://evil.example/x.png"/>', "external reference"),
        ('<use xlink:href="http://evil.example/a.svg#x"/>', "external reference"),
        ("<foreignObject><p>hi</p></foreignObject>", "<foreignObject>"),
        ("<style>@import url(https://evil.example/a.css);</style>", "<style>"),
        ('<rect style="fill: url(http://evil.example/p)"/>', "style"),
    ],
    ids=["script", "onload", "href", "xlink-href", "foreign-object", "style-import", "style-url"],
)
def test_e052_unsafe_svg_is_refused_at_its_line(tmp_path: Path, line: str, svg: str) -> None:
    s = simple()
    s["nodes"][0]["image"] = {"src": "bad.svg", "alt": T}
    root = write_course(tmp_path / "c", s)
    (root / "bad.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"\n     xmlns:xlink="http://www.w3.org/1999/xlink">\n'
        f"  {line}\n</svg>\n"
    )
    loaded = load_course(root)
    (problem,) = only(loaded, "E052")
    assert Path(problem.file).name == "bad.svg" and problem.line == 3
    assert svg in problem.message and "simple.yaml" in problem.message
    assert loaded.compiled is None and loaded.assets == {}


def test_svg_entities_are_refused_and_a_plain_svg_is_accepted(tmp_path: Path) -> None:
    s = simple()
    s["nodes"][0]["image"] = {"src": "lol.svg", "alt": T}
    s["nodes"][1]["image"] = {"src": "plain.svg", "alt": T}
    root = write_course(tmp_path / "c", s)
    (root / "lol.svg").write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaa">]>\n<svg>&a;</svg>\n'
    )
    (root / "plain.svg").write_bytes(SAFE_SVG)
    loaded = load_course(root)
    assert {(Path(p.file).name, p.code) for p in loaded.problems if p.is_error} == {
        ("lol.svg", "E052")
    }
    assert "DOCTYPE" in only(loaded, "E052")[0].message
    assert "plain.svg" not in {Path(p.file).name for p in loaded.problems}


def test_a_fifo_is_named_as_what_it_is(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", simple())
    (root / "simple.yaml").unlink()
    os.mkfifo(root / "simple.yaml")  # opening it would block: it must not be opened
    (problem,) = only(load_course(root), "E004")
    assert "named pipe (FIFO)" in problem.message and "does not exist" not in problem.message


def test_a_huge_file_says_its_size_and_many_values_say_no_aliases(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", simple())
    with open(root / "simple.yaml", "ab") as fh:
        fh.write(b"#" * (25 * 1024 * 1024))
    (big,) = only(load_course(root), "E002")
    assert "25.0 MiB" in big.message and "alias" not in big.message
    flat = load_yaml_bytes(
        b"values:\n" + b"".join(b"  - %d\n" % i for i in range(10_001)), "f.yaml"
    )
    (many,) = flat.problems
    assert "alias" not in many.message and "10,000 values" in many.message
    assert many.line > 9_000 and many.path == f"values[{many.line - 2}]"  # where it is passed


def test_locations_name_the_node_and_the_choice(tmp_path: Path) -> None:
    s = simple()
    s["nodes"][0]["choices"][1]["next"] = "nowhere"
    (problem,) = only(load_course(write_course(tmp_path / "c", s)), "E031")
    assert problem.where == "node 'start', choice 'wrong'"
    assert "nodes[0].choices[1].next (node 'start', choice 'wrong'):" in str(problem)


def test_a_syntax_error_in_one_file_does_not_hide_the_others(tmp_path: Path) -> None:
    other = {**simple(), "id": "other"}
    other["nodes"][0]["choices"][0]["next"] = "nowhere"
    root = write_course(tmp_path / "c", simple(), other)
    (root / "simple.yaml").write_text("id: simple\ntitle: [unclosed\n")
    found = {(Path(p.file).name, p.code) for p in load_course(root).problems}
    assert ("simple.yaml", "E001") in found and ("other.yaml", "E031") in found


def test_the_same_course_id_in_two_folders_is_an_error_naming_both(tmp_path: Path) -> None:
    write_course(tmp_path / "one", simple(), id="same")
    write_course(tmp_path / "two", simple(), id="same")
    one, two = validate_paths([tmp_path])
    for result, other in ((one, "two"), (two, "one")):
        (problem,) = only(result, "E030")
        assert other in problem.message and "'same'" in problem.message
        assert problem.line == line_of(result.course_dir / "course.yaml", "id: same")
        assert not result.ok and result.compiled is None


def test_e060_thirty_booleans_stop_at_the_documented_cap(tmp_path: Path) -> None:
    """Every boolean doubles the states: the exploration stops at MAX_STATES with E060 instead
    of running for minutes (the time is measured by bench/validate.py)."""
    names = [f"b{i}" for i in range(30)]
    flips = [choice(f"flip-{n}", "a", set={n: True}, **{"if": f"not {n}"}) for n in names]
    s = scenario(
        "flags",
        decision("a", *flips, choice("stop", "end", points=1, **{"if": " and ".join(names)})),
        ending("end"),
        variables={n: {"type": "bool", "default": False} for n in names},
    )
    loaded = load_course(write_course(tmp_path / "c", s))
    (problem,) = only(loaded, "E060")
    assert f"{graph_module.MAX_STATES:,}" in problem.message and "30 variables" in problem.message


def test_import_refuses_two_folders_with_one_course_id(
    tmp_path: Path, session_factory: Any
) -> None:
    write_course(tmp_path / "one", simple(), id="same")
    write_course(tmp_path / "two", simple(), id="same")
    with session_factory() as session:
        results = import_all(session, tmp_path)
        assert [r.status for r in results] == [INVALID, INVALID]
        assert session.scalar(select(func.count()).select_from(CourseVersion)) == 0


# -- W007, W008: repeated feedback and reading level ---------------------------------------------


def feedback(nb: str) -> dict[str, str]:
    return {"nb": nb, "en": "text"}


def test_w007_when_every_option_says_the_same_sentence(tmp_path: Path) -> None:
    same = "Husk at eleven har rett til å bli hørt."
    s = simple()
    s["nodes"][0]["choices"][0]["feedback"] = feedback(f"Godt valg. {same}")
    s["nodes"][0]["choices"][1]["feedback"] = feedback(f"{same}  Men du ventet for lenge.")
    loaded = load_course(write_course(tmp_path / "c", s))
    (warning,) = only(loaded, "W007")
    assert warning.where == "node 'start'" and warning.path == "nodes[0].choices"
    assert f'says "{same}" (nb)' in warning.message and "(right, wrong)" in warning.message
    assert "`explanation`" in warning.hint and loaded.ok
    assert warning.line == line_of(tmp_path / "c" / "simple.yaml", "choices:")


def test_w007_not_when_one_option_differs_or_the_sentence_is_short(tmp_path: Path) -> None:
    s = simple()
    s["nodes"][0]["choices"][0]["feedback"] = feedback("Bra. Eleven har rett til å bli hørt.")
    s["nodes"][0]["choices"][1]["feedback"] = feedback("Bra. Eleven har ikke fått si noe.")
    assert only(load_course(write_course(tmp_path / "c", s)), "W007") == []


HARD = (
    "Kommunens helhetlige tverrsektorielle samhandlingsrutiner forutsetter systematisk "
    "risikovurdering, dokumentasjonsplikt og koordinert oppfølgingsansvar mellom "
    "skolehelsetjenesten, barneverntjenesten og pedagogisk-psykologisk tjeneste, samtidig som "
    "taushetsplikten og opplysningsplikten vurderes fortløpende i samarbeid med foresatte, "
    "kontaktlærer, rektor og eventuelle kompetansemiljøer innenfor spesialisthelsetjenesten."
)
EASY = "Amina ser lei seg ut. Hun sier at hun skal reise i ferien. Du spør hva som skjer. "


def reading(text: str) -> dict[str, Any]:
    s = simple()
    s["nodes"][0]["text"] = {"nb": text * 4, "en": "text"}
    return s


def test_w008_when_the_bokmal_text_is_far_harder_than_the_audience_reads(tmp_path: Path) -> None:
    loaded = load_course(write_course(tmp_path / "c", reading(HARD)))
    (warning,) = only(loaded, "W008")
    assert "nb text reads at LIX" in warning.message and "läsbarhetsindex" in warning.message
    assert "far above the 50 set for the audience teacher" in warning.message
    assert "the hardest node is 'start'" in warning.message
    assert warning.path == "title" and loaded.ok
    lix_value = int(re.search(r"LIX (\d+)", warning.message)[1])
    assert lix_value > 60  # one 40-word sentence of long compounds
    adult = load_course(
        write_course(tmp_path / "d", reading(HARD), audiences=["teacher", "adult_education"])
    )
    (warning,) = only(adult, "W008")
    assert "the 45 set for the audience adult_education" in warning.message  # the lowest wins


def test_w008_not_for_plain_text_short_text_or_without_bokmal(tmp_path: Path) -> None:
    assert only(load_course(write_course(tmp_path / "a", reading(EASY))), "W008") == []
    short = simple()
    short["nodes"][0]["text"] = {"nb": HARD[:200], "en": "text"}  # under 100 words
    assert only(load_course(write_course(tmp_path / "b", short)), "W008") == []
    nynorsk = {"nn": "tekst", "en": "text"}
    folder = write_course(
        tmp_path / "c", reading(HARD), languages=["nn", "en"], title=nynorsk, description=nynorsk
    )
    scenario_file = folder / "simple.yaml"
    scenario_file.write_text(scenario_file.read_text().replace("nb:", "nn:"), encoding="utf-8")
    loaded = load_course(folder)
    assert loaded.ok, loaded.problems
    assert only(loaded, "W008") == []  # LIX is measured on bokmål only


def test_lix_is_words_per_sentence_plus_percent_long_words() -> None:
    measured = lix(["Dette er en setning med noen ord.", "Kort valg uten punktum"])
    # 11 words, 2 sentences (a text without a full stop ends one), 2 of more than six letters
    assert (measured.words, measured.sentences, measured.long_words) == (11, 2, 2)
    assert round(measured.value, 2) == round(11 / 2 + 200 / 11, 2)


def test_loading_problems_name_the_node_and_choice_ids(tmp_path: Path) -> None:
    """A duplicate key or an unsupported tag is found while the YAML is read, before the ids
    after it are; the message still names the node and the choice."""
    root = write_course(tmp_path / "c", simple())
    path = root / "simple.yaml"
    text = path.read_text()
    text = text.replace("  points: 2\n", "  points: 2\n    points: 3\n", 1)
    text = text.replace("  next: poor\n", "  next: poor\n    tag: !!python/name:os.system\n", 1)
    path.write_text(text)
    loaded = load_course(root)
    (duplicate,) = only(loaded, "E003")
    assert duplicate.where == "node 'start', choice 'right'"
    assert "(node 'start', choice 'right'): the key 'points' appears twice" in str(duplicate)
    (tag,) = only(loaded, "E012")
    assert tag.where == "node 'start', choice 'wrong'" and "tag" in tag.message


# -- the preview's re-check: an earlier result stands in for unchanged scenarios -------------------


def _skole_copy(tmp_path: Path) -> Path:
    course = tmp_path / "skole-19b"
    shutil.copytree(Path(__file__).resolve().parent.parent / "courses" / "skole-19b", course)
    return course


def _explored_by_file(loaded: LoadedCourse) -> dict[str, Any]:
    return {Path(d.file).name: d.explored for d in loaded.drafts}


def test_a_recheck_after_a_save_walks_only_the_changed_scenario_and_finds_the_same(
    tmp_path: Path,
) -> None:
    course = _skole_copy(tmp_path)
    first = load_course(course)
    ferien = course / "ferien.yaml"
    text = ferien.read_text()
    ferien.write_text(text.replace("points: 2", "points: 3", 1))
    again = load_course(course, first)
    fresh = load_course(course)
    assert again.problems == fresh.problems
    assert again.compiled == fresh.compiled and again.content_hash == fresh.content_hash
    assert again.content_hash != first.content_hash  # the change is in the result
    before, after = _explored_by_file(first), _explored_by_file(again)
    assert after["ferien.yaml"] is not before["ferien.yaml"]  # walked again
    assert [name for name in after if after[name] is before[name]] == [
        name for name in after if name != "ferien.yaml"
    ]


def test_a_recheck_reports_the_new_lines_when_only_the_positions_moved(tmp_path: Path) -> None:
    """A walk's problems carry lines: a file whose content is the same but written lower down
    is walked again, and a new dead end is found at its new line."""
    course = _skole_copy(tmp_path)
    first = load_course(course)
    ferien = course / "ferien.yaml"
    ferien.write_text("# a comment\n# and another\n" + ferien.read_text())
    again = load_course(course, first)
    assert _explored_by_file(again)["ferien.yaml"] is not _explored_by_file(first)["ferien.yaml"]
    assert again.problems == load_course(course).problems
    # every way to the last part now leads back to the start: no ending can be reached
    ferien.write_text(ferien.read_text().replace("next: meldingen", "next: etter-timen"))
    broken = load_course(course, again)
    assert broken.problems == load_course(course).problems
    assert broken.compiled is None
    assert "E033" in {p.code for p in broken.problems if p.is_error}  # no ending reachable
