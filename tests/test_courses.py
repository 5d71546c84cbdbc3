"""The three courses of the action plan (measures 19b, 22, 24) as a learner and a facilitator
meet them: every path ends, the best way through passes and the worst fails, every ending says
where to get help, the facts match the domain brief, and the texts are complete in nb, nn, en."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
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


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


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


@pytest.mark.parametrize("course_id", ALL_COURSES)
def test_validate_passes_with_no_warnings_and_runs_the_course_tests(course_id: str) -> None:
    """CI's run of every course's own tests (`tests:` in its scenario files): a failing one is an
    error, so it fails here."""
    path = str(ROOT / "courses" / course_id)
    result = CliRunner().invoke(elearn_cli, ["validate", "--strict", path])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)" in result.output
    loaded = load_course(ROOT / "courses" / course_id)
    assert loaded.tests_passed == 3 * len(loaded.compiled["scenarios"])
    assert loaded.tests_failed == 0


@pytest.mark.parametrize("course_id", ALL_COURSES)
def test_every_scenario_tests_its_best_worst_and_a_mixed_path(course_id: str) -> None:
    """The key paths are written down: the best test reaches the scenario's best score with a good
    ending, the worst its lowest score, and a third path ends mixed."""
    folder = ROOT / "courses" / course_id
    compiled = _load(course_id)
    for scenario, file in zip(
        compiled["scenarios"], _yaml(folder / "course.yaml")["scenarios"], strict=True
    ):
        tests = {t["name"]: t for t in _yaml(folder / file)["tests"]}
        assert tests["best path"]["score"] == scenario["max_score"], file
        assert tests["best path"]["outcome"] == "good", file
        assert tests["worst path"]["score"] == scenario["min_score"], file
        assert tests["a mixed path"]["outcome"] == "mixed", file


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


def test_illustrations_are_small_wordless_and_described(course: dict[str, Any]) -> None:
    """Each course shows at least one drawing where a picture carries the situation; a learner
    who cannot see it gets the same in words, in every language; the file stays light."""
    images = [
        (s["id"], n["id"], n["image"])
        for s in course["scenarios"]
        for n in s["nodes"].values()
        if n.get("image")
    ]
    assert images, f"{course['id']} has no illustration"
    for scenario_id, node_id, image in images:
        data = (ROOT / "courses" / course["id"] / image["src"]).read_bytes()
        assert len(data) < 10_000, (scenario_id, node_id, len(data))
        assert b"<text" not in data, f"{image['src']}: words in a picture need translating"
        for lang in LANGS:
            assert len(image["alt"][lang].split()) >= 12, (node_id, lang, image["alt"][lang])


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


# -- legal references: only the ones the domain brief gives -----------------------------------------

# A law is named by its Norwegian name (bokmål or nynorsk form, any inflection) or, in English
# text, by its English name; both are reduced to one key ("straffeloven", "straffelova" and "the
# Penal Code" are all "straffelov").
LAW_NO = re.compile(r"\b([a-zæøå]{3,}?)s?(?:loven|lova|lovens|lovas|lov)\b", re.IGNORECASE)
LAW_EN = {
    "penal code": "straffelov",
    "child welfare act": "barnevernlov",
    "interpreting act": "tolkelov",
    "interpreters act": "tolkelov",
    "health personnel act": "helsepersonellov",
    "education act": "opplæringlov",
    "public administration act": "forvaltninglov",
    "language act": "språklov",
    "children act": "barnelov",
}
LAW_ANY = re.compile(
    LAW_NO.pattern + "|" + "|".join(r"\b" + re.escape(n) + r"\b" for n in LAW_EN), re.IGNORECASE
)
SECTION = re.compile(r"(§§?)\s*(\d+(?:-\d+)?)(?:\s*[–-]\s*(\d+(?:-\d+)?))?")


def _law_key(name: str) -> str:
    name = name.lower()
    if name in LAW_EN:
        return LAW_EN[name]
    m = LAW_NO.fullmatch(name)
    return (m.group(1).rstrip("s") + "lov") if m else name


def _legal_references(text: str, law: str | None = None) -> list[tuple[str | None, str]]:
    """(law, section) for every § in a text. A section belongs to the law named last before it
    in the same text ("straffeloven § 196 … § 284" are both the Penal Code); a § with no law
    before it belongs to no law (None). `law` is the law carried over from earlier text."""
    refs = []
    events = sorted(
        [(m.start(), "law", _law_key(m.group(0))) for m in LAW_ANY.finditer(text)]
        + [(m.start(), "sec", m) for m in SECTION.finditer(text)],
        key=lambda e: e[0],
    )
    for _, kind, value in events:
        if kind == "law":
            law = value
            continue
        first, last = value.group(2), value.group(3)
        refs.append((law, first))
        if last and value.group(1) == "§§" and first.isdigit() and last.isdigit():
            refs += [(law, str(n)) for n in range(int(first) + 1, int(last) + 1)]
        elif last:
            refs.append((law, last))
    return refs


def _allowed_legal_references(brief: str) -> set[tuple[str | None, str]]:
    """Every (law, section) the domain brief names. The law named last carries over from line to
    line within a part of the brief (a list of offences under "straffeloven § 196" is the Penal
    Code's) and is forgotten at each part's heading."""
    allowed: set[tuple[str | None, str]] = set()
    law = None
    for line in brief.splitlines():
        if line.startswith("## "):
            law = None
        line = re.sub(r"https?://\S+", " ", line)
        refs = _legal_references(line, law)
        allowed.update(refs)
        laws = [m.group(0) for m in LAW_ANY.finditer(line)]
        if laws:
            law = _law_key(laws[-1])
    return allowed


def _legal_reference_problems(
    texts: list[str], allowed: set[tuple[str | None, str]]
) -> list[tuple[str, str, str]]:
    return [
        (law or "(no law named)", section, text[:100])
        for text in texts
        for law, section in _legal_references(re.sub(r"https?://\S+", " ", text))
        if (law, section) not in allowed
    ]


def test_every_legal_reference_is_one_the_domain_brief_gives(any_course: dict[str, Any]) -> None:
    """A law and a section (straffeloven § 196, barnevernsloven § 13-2, the Penal Code
    (straffeloven) § 284 …) must be one the domain brief names: no invented or unconfirmed
    section numbers. A § must follow the name of its law in the same text."""
    allowed = _allowed_legal_references(BRIEF.read_text(encoding="utf-8"))
    texts = [t[lang] for t in _texts(any_course) for lang in LANGS]
    problems = _legal_reference_problems(texts, allowed)
    assert not problems, problems[:10]


def test_the_legal_reference_check_catches_a_planted_mistake() -> None:
    allowed = _allowed_legal_references(BRIEF.read_text(encoding="utf-8"))
    assert ("straffelov", "196") in allowed and ("barnevernlov", "13-2") in allowed
    assert ("straffelov", "284") in allowed and ("tolkelov", "4") in allowed
    good = [
        "Avvergingsplikten (straffeloven § 196) og plikten i § 284 tredje ledd.",
        "Opplysningsplikta i barnevernslova § 13-2.",
        "the Penal Code (straffeloven) § 196 and the Interpreting Act (tolkeloven) § 4",
    ]
    assert not _legal_reference_problems(good, allowed)
    planted = [
        "Avvergingsplikten i straffeloven § 197 gjelder alle.",  # a wrong section
        "Opplæringsloven § 9 pålegger skolen å melde.",  # a section the brief does not confirm
        "Plikten etter § 196 gjelder alle.",  # no law named
        "the Child Welfare Act § 6-4",  # an English law name with a wrong section
    ]
    found = _legal_reference_problems(planted, allowed)
    assert [(law, section) for law, section, _ in found] == [
        ("straffelov", "197"),
        ("opplæringlov", "9"),
        ("(no law named)", "196"),
        ("barnevernlov", "6-4"),
    ]


# -- nynorsk legal terms and the forms the language review listed -----------------------------------

# Bokmål legal terms (and forms the review found wrong) that nynorsk text must not use:
# avverjingsplikt/avverje/avverjast, trulovnad/forloving, fridomsrøving, the statutory formula
# "mest sannsynleg", and the gender of avtale, dobbeltime, skulding, augeblink.
NYNORSK_WRONG = re.compile(
    r"\bavverg\w*|\bforlovelse\w*|\bfridomsberøving\w*|\bfrihetsberøvelse\w*|\bmest truleg\b|"
    r"\bei avtale\b|\bei dobbeltime\b|\bein skulding\b|\beit augeblink\b|\bmeir stille\b|"
    r"\bDå du spør\b",
    re.IGNORECASE,
)
BOKMAL_WRONG = re.compile(r"\bDa du spør\b|\bmer stille\b|\bgråtende øyne\b")


def _nynorsk_term_problems(texts: list[dict[str, str]]) -> list[tuple[str, str]]:
    found = [
        (m.group(0), t["nn"][:80])
        for t in texts
        for m in NYNORSK_WRONG.finditer(_without_quotes(t["nn"]))
    ]
    found += [
        (m.group(0), t["nb"][:80])
        for t in texts
        for m in BOKMAL_WRONG.finditer(_without_quotes(t["nb"]))
    ]
    return found


def test_nynorsk_uses_nynorsk_legal_terms(any_course: dict[str, Any]) -> None:
    problems = _nynorsk_term_problems(_texts(any_course))
    assert not problems, problems[:10]


# One form per course where both are correct, so a course does not switch back and forth.
ONE_FORM = {
    "nn": [
        (r"\bgi\b|\bgir\b", r"\bgje\b|\bgjev\b"),
        (r"\bogså\b", r"\bòg\b"),
        (r"\bsvarer\b", r"\bsvarar\b"),
    ],
    "nb": [(r"\bfrem", r"\bfram")],
}


def _mixed_forms(texts: list[dict[str, str]]) -> list[tuple[str, str]]:
    mixed = []
    for lang, pairs in ONE_FORM.items():
        everything = " ".join(_without_quotes(t[lang]) for t in texts)
        for a, b in pairs:
            if re.search(a, everything, re.IGNORECASE) and re.search(b, everything, re.IGNORECASE):
                mixed.append((lang, f"{a} / {b}"))
    return mixed


def test_one_form_of_each_optional_word_per_course(any_course: dict[str, Any]) -> None:
    mixed = _mixed_forms(_texts(any_course))
    assert not mixed, mixed


def test_the_language_checks_catch_planted_mistakes() -> None:
    planted = [
        {"nb": "Avvergingsplikten gjelder.", "nn": "Avvergingsplikta gjeld.", "en": "x"},
        {"nb": "En forlovelse.", "nn": "Å bryte ei forlovelse er vanskeleg.", "en": "x"},
        {"nb": "Frihetsberøvelse.", "nn": "Vald, fridomsberøving eller press.", "en": "x"},
        {"nb": "Hun er mer stille.", "nn": "Ho er stillare.", "en": "x"},
    ]
    found = [word.lower() for word, _ in _nynorsk_term_problems(planted)]
    assert found == ["avvergingsplikta", "forlovelse", "fridomsberøving", "mer stille"]
    fine = [
        {"nb": "Avvergingsplikten.", "nn": "Avverjingsplikta, trulovnad, fridomsrøving.", "en": "x"}
    ]
    assert not _nynorsk_term_problems(fine)
    mixed = [
        {"nb": "Saken kom fram.", "nn": "Det er også slik.", "en": "x"},
        {"nb": "Vi går frem.", "nn": "Det er òg slik.", "en": "x"},
    ]
    assert _mixed_forms(mixed) == [("nn", r"\bogså\b / \bòg\b"), ("nb", r"\bfrem / \bfram")]


# -- the cast: every scenario lists its people, and a name is one person on the platform -------------


def _scenario_sources() -> dict[str, list[dict[str, Any]]]:
    """Every scenario file of every course, as written (the compiled form cannot tell an absent
    cast from an empty one)."""
    import yaml

    sources = {}
    for course_id in ALL_COURSES:
        folder = ROOT / "courses" / course_id
        course_yaml = yaml.safe_load((folder / "course.yaml").read_text(encoding="utf-8"))
        sources[course_id] = [
            yaml.safe_load((folder / name).read_text(encoding="utf-8"))
            for name in course_yaml["scenarios"]
        ]
    return sources


def _cast_problems(sources: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rules for `cast:`.

    - Every scenario of every course has a `cast:`. It lists every named person in the story;
      only the knowledge check may have an empty one (`cast: []`), since it tells no story.
    - Every name in a cast appears in the scenario's own text (in bokmål).
    - A name stands for one person on the whole platform: it may appear in the casts of one
      course only. Within that course the same person may appear in more than one scenario,
      and says so by having the very same `about` (in bokmål) in each cast where it appears;
      a different `about` means a different person, which is not allowed.
    """
    problems = []
    seen: dict[str, tuple[str, str, str]] = {}  # name -> (course, scenario, about)
    for course_id, scenarios in sources.items():
        for s in scenarios:
            where = f"{course_id}/{s['id']}"
            if "cast" not in s:
                problems.append(f"{where}: no cast")
                continue
            cast = s["cast"] or []
            if not cast and s["id"] != QUIZ:
                problems.append(f"{where}: an empty cast")
            nb_text = " ".join(
                t["nb"]
                for t in _texts(s["nodes"]) + _texts({k: v for k, v in s.items() if k != "cast"})
            )
            for person in cast:
                name, about = person["name"], person["about"]["nb"]
                if not re.search(rf"\b{re.escape(name)}", nb_text):
                    problems.append(f"{where}: {name} is in the cast but not in the story")
                if name in seen:
                    other_course, other_scenario, other_about = seen[name]
                    if other_course != course_id:
                        problems.append(
                            f"{where}: {name} is already a person in "
                            f"{other_course}/{other_scenario}"
                        )
                    elif other_about != about:
                        problems.append(
                            f"{where}: {name} is someone else in {other_course}/{other_scenario} "
                            f"(give the same person the same 'about', or another name)"
                        )
                else:
                    seen[name] = (course_id, s["id"], about)
    return problems


def test_every_scenario_has_a_cast_and_no_name_stands_for_two_people() -> None:
    problems = _cast_problems(_scenario_sources())
    assert not problems, problems


def test_the_cast_check_catches_planted_mistakes() -> None:
    def story(sid: str, *people: tuple[str, str]) -> dict[str, Any]:
        names = " og ".join(name for name, _ in people)
        return {
            "id": sid,
            "cast": [{"name": n, "about": {"nb": a, "nn": a, "en": a}} for n, a in people],
            "nodes": [{"id": "n1", "text": {"nb": f"{names} snakker.", "nn": "x", "en": "x"}}],
        }

    fine = {
        "kurs-a": [story("en", ("Nour", "elev, 15 år")), story("to", ("Nour", "elev, 15 år"))],
        "kurs-b": [story("tre", ("Omid", "elev, 14 år")), {**story("kunnskapssjekk"), "cast": []}],
    }
    assert not _cast_problems(fine)
    planted = {
        "kurs-a": [story("en", ("Nour", "elev, 15 år")), story("to", ("Nour", "mor, 40 år"))],
        "kurs-b": [
            story("tre", ("Nour", "elev, 15 år")),
            {"id": "fire", "nodes": []},
            {**story("fem"), "cast": []},
        ],
    }
    problems = _cast_problems(planted)
    assert any("kurs-a/to: Nour is someone else" in p for p in problems)
    assert any("kurs-b/tre: Nour is already a person in kurs-a/en" in p for p in problems)
    assert "kurs-b/fire: no cast" in problems
    assert "kurs-b/fem: an empty cast" in problems
    missing = {
        "kurs-c": [
            {
                **story("seks", ("Leyla", "elev")),
                "nodes": [{"id": "n1", "text": {"nb": "Ingen her.", "nn": "x", "en": "x"}}],
            }
        ]
    }
    assert _cast_problems(missing) == ["kurs-c/seks: Leyla is in the cast but not in the story"]
