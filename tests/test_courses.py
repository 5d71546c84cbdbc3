"""The three courses of the action plan (measures 19b, 22, 24) as a learner and a facilitator
meet them: every path ends, the best way through passes and the worst fails, every ending says
where to get help, the facts match the domain brief, and the texts are complete in nb, nn, en."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from elearn.cli import elearn_cli
from elearn.content import load_course
from elearn.core import engine
from elearn.core.walk import Walk, estimate_minutes, optimal_walk, walk_paths
from tests.conftest import import_course, make_test_app, register
from tests.test_player import choose, enter, start_course

ROOT = Path(__file__).resolve().parent.parent
# The domain brief the courses rest on: a copy in the repository (so the fact checks run on any
# machine), kept equal to the one beside the project when that is there.
BRIEF = ROOT / "docs" / "sources" / "domain-brief.md"
SHARED_BRIEF = ROOT.parent / "shared" / "docs" / "domain.md"
COURSES = {"skole-19b": "19b", "helse-22": "22", "voksenopplaering-24": "24"}
AUDIENCE = {"skole-19b": "teacher", "helse-22": "health", "voksenopplaering-24": "adult_education"}
QUIZ = "kunnskapssjekk"
LANGS = ("nb", "nn", "en")

# Where a learner can get help; every ending names at least one (in every language).
SERVICES = re.compile(
    r"kompetanseteam|competence team|mangfoldsrådgiv|mangfaldsrådgiv|diversity advis|imdi|rvts|"
    r"barnevern|child welfare|polit|police|røde kors|red cross|alarmtelefon|116 111|116 006|"
    r"vo-linjen|helsestasjon|health (clinic|centre|station)|poliklinikk|clinic|krisesent|"
    r"shelter|nkvts|dinutvei|rettentil|spesialutsend|special envoy|fastlege|\bgp\b|helsesykepleie",
    re.IGNORECASE,
)
# Bokmål words that nynorsk does not use: nynorsk text must be nynorsk, not lightly edited bokmål.
BOKMAL_ONLY = re.compile(
    r"\b(ikke|hva|hvordan|hvorfor|hvem|jeg|mye|noen|uten|hennes|dere|skjønner)\b", re.IGNORECASE
)


def _load(course_id: str) -> dict[str, Any]:
    loaded = load_course(ROOT / "courses" / course_id)
    assert loaded.compiled is not None, "\n".join(map(str, loaded.problems))
    return loaded.compiled


@pytest.fixture(scope="module", params=sorted(COURSES))
def course(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _load(request.param)


# The language and fact checks hold for every course learners can take, the short taster too.
ALL_COURSES = sorted(p.name for p in (ROOT / "courses").iterdir() if (p / "course.yaml").exists())


@pytest.fixture(scope="module", params=ALL_COURSES)
def any_course(request: pytest.FixtureRequest) -> dict[str, Any]:
    return _load(request.param)


def _stories(course: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in course["scenarios"] if s["id"] != QUIZ]


def _quiz(course: dict[str, Any]) -> dict[str, Any]:
    [quiz] = [s for s in course["scenarios"] if s["id"] == QUIZ]
    return quiz


def _outcome(scenario: dict[str, Any], walk: Walk) -> str:
    return scenario["nodes"][walk.final["node"]]["ending"]["outcome"]


def _texts(value: Any) -> list[dict[str, str]]:
    """Every language map in a compiled course (a dict whose keys are exactly the languages)."""
    if isinstance(value, dict):
        if value and set(value) == set(LANGS) and all(isinstance(v, str) for v in value.values()):
            return [value]
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


# -- the validator and the shape the issue asks for -------------------------------------------------


@pytest.mark.parametrize("course_id", sorted(COURSES))
def test_validate_passes_with_no_warnings(course_id: str) -> None:
    path = str(ROOT / "courses" / course_id)
    result = CliRunner().invoke(elearn_cli, ["validate", "--strict", path])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output


def test_course_is_for_its_measure_and_profession(course: dict[str, Any]) -> None:
    assert course["measure"] == COURSES[course["id"]]
    assert AUDIENCE[course["id"]] in course["audiences"]
    assert course["languages"] == list(LANGS)
    assert course["content_notice"] and course["introduction"]
    # The opening gives the plan's definitions in the learner's language.
    intro = course["introduction"]
    assert "negativ sosial kontroll" in intro["nb"].lower()
    assert "æresmotivert" in intro["nb"].lower() and "æresmotivert" in intro["nn"].lower()
    assert "honour" in intro["en"].lower()


def test_four_scenarios_of_six_decisions_and_a_knowledge_check(course: dict[str, Any]) -> None:
    stories = _stories(course)
    assert len(stories) >= 4
    for s in stories:
        assert s["facilitator"] and s["facilitator"]["questions"], (
            f"{s['id']}: no facilitator notes"
        )
        assert s["facilitator"]["watch_for"] and s["facilitator"]["minutes"]
        assert any(n.get("reflection") for n in s["nodes"].values()), f"{s['id']}: no reflection"
        # Every path takes at least six decisions before it ends.
        assert s["remaining"][s["start"]] >= 6, f"{s['id']}: a path ends after fewer than six"
    quiz = _quiz(course)
    assert quiz["facilitator"]
    questions = [n for n in quiz["nodes"].values() if n["choices"]]
    assert len(questions) >= 8
    for q in questions:
        right = [c for c in q["choices"] if c.get("correct") is True]
        assert len(right) == 1 and right[0]["points"] > 0, f"{q['id']}: one right answer"
        assert all(c["feedback"]["nb"] for c in q["choices"])
    # The knowledge check counts towards the mastery score.
    assert quiz["max_score"] >= len(questions) and course["max_score"] > quiz["max_score"]


def test_the_help_list_names_the_services_and_helplines(course: dict[str, Any]) -> None:
    help_text = " ".join(h["name"]["nb"] + " " + (h["phone"] or "") for h in course["help"])
    assert "Kompetanseteamet" in help_text and "47 80 90 50" in help_text
    assert "815 55 201" in help_text  # Røde Kors-telefonen om tvangsekteskap og kjønnslemlestelse
    assert all(h["url"] is None or h["url"].startswith("https://") for h in course["help"])


# -- every path, played by the engine --------------------------------------------------------------


def test_every_path_ends_and_more_than_one_is_good(course: dict[str, Any]) -> None:
    for s in course["scenarios"]:
        walks, exhaustive = walk_paths(s)
        assert walks, s["id"]
        for walk in walks:
            assert walk.final["ended"], f"{s['id']}: {walk.choices} does not end"
            assert len(walk.choices) >= (6 if s["id"] != QUIZ else 8)
        points = [w.final["points"] for w in walks]
        if exhaustive:  # the validator's bounds are exactly what the paths reach
            assert (max(points), min(points)) == (s["max_score"], s["min_score"])
        if s["id"] != QUIZ:
            good = {w.choices for w in walks if _outcome(s, w) == "good"}
            assert len(good) >= 2, f"{s['id']}: only one defensible way through"
            assert {_outcome(s, w) for w in walks} - {"good"}, f"{s['id']}: nothing goes wrong"


def test_best_passes_and_worst_fails(course: dict[str, Any]) -> None:
    best = sum(s["max_score"] for s in course["scenarios"])
    worst = sum(s["min_score"] for s in course["scenarios"])
    mastery = course["mastery_score"]
    assert engine.scaled_score(best, course["max_score"]) >= mastery
    assert engine.scaled_score(worst, course["max_score"]) < mastery


def test_every_ending_tells_where_to_get_help(any_course: dict[str, Any]) -> None:
    for s in any_course["scenarios"]:
        for node in s["nodes"].values():
            if engine.is_ending(node):
                for lang in LANGS:
                    assert SERVICES.search(node["text"][lang]), f"{s['id']}/{node['id']} ({lang})"


def test_estimated_minutes_match_the_reading_time(any_course: dict[str, Any]) -> None:
    estimate = estimate_minutes(any_course)
    assert abs(any_course["estimated_minutes"] - estimate) <= max(2, 0.25 * estimate), estimate


# -- language ---------------------------------------------------------------------------------------


def _without_quotes(text: str) -> str:
    """Text outside «…» quotes (which may nest; a quote left open runs to the paragraph's end,
    as one in the plan does)."""
    while True:
        stripped = re.sub(r"«[^«»]*»", "", text)
        if stripped == text:
            return re.sub(r"«.*?(\n\n|$)", "", text, flags=re.DOTALL)
        text = stripped


def test_bokmal_and_nynorsk_are_written_each_in_its_own_right(any_course: dict[str, Any]) -> None:
    texts = _texts(any_course)
    long = [t for t in texts if len(t["nb"].split()) >= 8]
    same = [t["nb"] for t in long if t["nb"] == t["nn"]]
    assert len(same) <= len(long) // 50, f"nynorsk is a copy of bokmål: {same[:3]}"
    # Quotes from the plan stay as the plan wrote them (in bokmål), also in nynorsk text.
    unquoted = [{**t, "nn": _without_quotes(t["nn"])} for t in texts]
    bokmal_in_nn = [
        (m.group(0), t["nn"][:80]) for t in unquoted for m in [BOKMAL_ONLY.search(t["nn"])] if m
    ]
    assert not bokmal_in_nn, bokmal_in_nn[:5]
    assert all(t["en"] != t["nb"] for t in long)


# The services whose names keep the older word.
SERVICE_NAMES = re.compile(
    r"(Kompetanseteamet mot|Røde Kors-telefonen om) negativ sosial kontroll og $"
)


def test_the_plans_terminology(any_course: dict[str, Any]) -> None:
    """*æresmotivert*, not *æresrelatert*, except in the names of services (and of reports)."""
    for t in _texts(any_course):
        for lang in ("nb", "nn"):
            for m in re.finditer(r"æresrelater", t[lang], re.IGNORECASE):
                before = t[lang][max(0, m.start() - 80) : m.start()]
                text_before = t[lang][: m.start()]
                inside_title = text_before.count("«") > text_before.count("»")  # a report's name
                assert SERVICE_NAMES.search(before) or inside_title, t[lang][:120]


# -- facts ------------------------------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w§.-])(\d{1,3}(?:[ \u00a0\u202f,.]\d{2,3})+|\d+)(?![\w-])")
YEAR = range(1900, 2101)
EMERGENCY = {"110", "112", "113"}


def _brief_numbers() -> set[str]:
    text = BRIEF.read_text(encoding="utf-8")
    text = re.sub(r"\[(plan|KOM) l\.[^\]]*\]", "", text)  # line references are not facts
    text = re.sub(r"https?://\S+", "", text)
    return {re.sub(r"\D", "", n) for n in NUMBER.findall(text)}


def _course_numbers(text: str) -> list[str]:
    text = re.sub(r"§§?\s*[\d\s–-]+(?:\s*(?:nr\.|no\.)\s*\d+)?", " ", text)  # section numbers
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b([01]?\d|2[0-3])[.:][0-5]\d\b", " ", text)  # times of day: 06.40, 14:30
    return [re.sub(r"\D", "", n) for n in NUMBER.findall(text)]


def test_the_copy_of_the_domain_brief_is_current() -> None:
    if SHARED_BRIEF.exists():  # beside the project on a developer's machine; CI has the copy
        assert BRIEF.read_text(encoding="utf-8") == SHARED_BRIEF.read_text(encoding="utf-8"), (
            "the domain brief has changed: copy it to docs/sources/ and check the courses"
        )
    assert "17,300" in BRIEF.read_text(encoding="utf-8")


def test_every_fact_bearing_number_matches_the_domain_brief(any_course: dict[str, Any]) -> None:
    allowed = _brief_numbers() | EMERGENCY
    percents = {
        re.sub(r"\D", "", m) for m in re.findall(r"(\d+)\s*%", BRIEF.read_text(encoding="utf-8"))
    }
    wrong = []
    for t in _texts(any_course) + [
        {lang: h["phone"] or "" for lang in LANGS} for h in any_course["help"]
    ]:
        for lang in LANGS:
            for number in _course_numbers(t[lang]):
                if len(number) >= 3 and int(number) not in YEAR and number not in allowed:
                    wrong.append((number, t[lang][:100]))
            for pct in re.findall(r"(\d+)\s*(?:%|prosent|per cent|percent)", t[lang]):
                if pct not in percents:
                    wrong.append((pct + " %", t[lang][:100]))
            for m in re.finditer(r"(\d+)\s+(?:\w+\s+){0,3}(?:æresdrap|honour killings)", t[lang]):
                if m.group(1) != "24":
                    wrong.append((m.group(0), t[lang][:100]))
    assert not wrong, wrong[:10]


def test_key_figures_are_taught_as_the_brief_gives_them() -> None:
    everything = " ".join(t[lang] for cid in COURSES for t in _texts(_load(cid)) for lang in LANGS)
    assert "1 402" in everything and "1,402" in everything  # Kompetanseteamet's cases in 2024
    assert "17 300" in everything and "17,300" in everything  # women and girls affected by FGM
    assert "47 80 90 50" in everything


# -- played in the browser's server-rendered player ------------------------------------------------


def _best_and_worst(scenario: dict[str, Any]) -> tuple[Walk, Walk]:
    best, worst = optimal_walk(scenario, best=True), optimal_walk(scenario, best=False)
    assert best.final["points"] == scenario["max_score"]
    assert worst.final["points"] == scenario["min_score"]
    return best, worst


@pytest.mark.parametrize("course_id", sorted(COURSES))
@pytest.mark.parametrize("which", ["best", "worst"])
def test_played_through_the_player_best_passes_worst_fails(
    db: Any, tmp_path: Path, course_id: str, which: str
) -> None:
    app: Flask = make_test_app(db, tmp_path)
    import_course(app, ROOT / "courses" / course_id)
    client: FlaskClient = app.test_client()
    register(client, audience=AUDIENCE[course_id])
    course = _load(course_id)
    _, page = start_course(client, course_id)
    for i, scenario in enumerate(course["scenarios"]):
        if i:
            page = enter(client, page, scenario["id"])
        walk = _best_and_worst(scenario)[0 if which == "best" else 1]
        for choice_id in walk.choices:
            _, page = choose(client, page, choice_id)
        # The ending page lists where to get help.
        assert "47 80 90 50" in page
    result = client.get(re.search(r'href="([^"]+/result)"', page).group(1)).get_data(as_text=True)
    if which == "best":
        assert "Passed" in result and "100%" in result
    else:
        assert "Not passed" in result
