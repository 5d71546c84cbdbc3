"""`flask elearn new`: a new course folder that validates with no errors and no warnings.

An author starts from a small course that already has every part the platform expects (a
decision, endings of each outcome, facilitator notes, a help list, a cast and course tests, in
nb, nn and en), because editing a working example teaches the format faster than an empty file.
It is written as commented YAML, not dumped from data, so the comments explain each part.
"""

from __future__ import annotations

from pathlib import Path

from elearn.content import schema
from elearn.content.loader import display_path

SCENARIO_FILE = "samtalen.yaml"


class ScaffoldError(ValueError):
    """The course cannot be made: a malformed id, or the folder exists (nothing is overwritten)."""


COURSE_YAML = """\
# A new elearn course, made by `flask elearn new`. Edit the texts, then check the course:
#     flask elearn validate {folder}
# The format: docs/course-format.md. Step by step: docs/authors-guide.md.
format: 1
id: {course_id}  # part of the xAPI activity IRI: do not change it once learners have started
title:
  nb: "Nytt kurs"
  nn: "Nytt kurs"
  en: "New course"
description:
  nb: "Skriv her hva kurset handler om og hvem det er for."
  nn: "Skriv her kva kurset handlar om og kven det er for."
  en: "Write here what the course is about and who it is for."
audiences: [teacher]  # teacher, school_leader, health, adult_education, other
measure: "19b"  # the action plan measure, always quoted
languages: [nb, nn, en]
estimated_minutes: 2  # validate warns (W003) when this is far from the reading time
mastery_score: 0.7  # the share of the best score a learner needs to pass
scenarios:
  - {scenario_file}
help:  # shown on every ending page
  - name:
      nb: "Alarmtelefonen for barn og unge"
      nn: "Alarmtelefonen for barn og unge"
      en: "The Alarm Line for children and young people"
    description:
      nb: "Gratis telefon for barn og unge som opplever vold, overgrep eller omsorgssvikt."
      nn: "Gratis telefon for barn og unge som opplever vald, overgrep eller omsorgssvikt."
      en: "A free line for children and young people who experience violence, abuse or neglect."
    phone: "116 111"
    url: "https://www.116111.no"
"""

SCENARIO_YAML = """\
# One scenario: nodes that are decisions (choices) or endings. Every text is in nb, nn and en.
id: samtalen
title:
  nb: "Samtalen"
  nn: "Samtalen"
  en: "The conversation"
summary:
  nb: "En elev gruer seg til sommerferien."
  nn: "Ein elev grudar seg til sommarferien."
  en: "A pupil dreads the summer holiday."
facilitator:  # notes for a leader who runs the scenario with a group
  minutes: 15
  questions:
    - nb: "Hva gjorde at Sara turte å fortelle?"
      nn: "Kva gjorde at Sara torde å fortelje?"
      en: "What made Sara dare to tell?"
  watch_for:
    nb: "Ingen skal fortelle om virkelige elever."
    nn: "Ingen skal fortelje om verkelege elevar."
    en: "Nobody should talk about real pupils."
cast:  # the people in the story; one name stands for one person in the course (W006)
  - name: Sara
    about: {nb: "elev, 14 år", nn: "elev, 14 år", en: "pupil, 14"}
start: etter-timen
nodes:
  - id: etter-timen
    text:
      nb: "Sara blir igjen etter timen. Hun sier at hun gruer seg til sommerferien."
      nn: "Sara blir att etter timen. Ho seier at ho grudar seg til sommarferien."
      en: "Sara stays behind after class. She says she dreads the summer holiday."
    choices:
      - id: lytt
        text:
          nb: "Spør hva hun gruer seg til, og lytt"
          nn: "Spør kva ho grudar seg til, og lytt"
          en: "Ask what she dreads, and listen"
        feedback:
          nb: "Godt. Hun merker at du tar henne på alvor."
          nn: "Godt. Ho merkar at du tek henne på alvor."
          en: "Good: she notices that you take her seriously."
        points: 2
        correct: true
        next: reisen
      - id: trost
        text:
          nb: "Si at ferien sikkert blir fin"
          nn: "Sei at ferien sikkert blir fin"
          en: "Say that the holiday will surely be fine"
        feedback:
          nb: "Hun tier. Hun fikk ikke sagt det hun ville."
          nn: "Ho teier. Ho fekk ikkje sagt det ho ville."
          en: "She falls silent. She did not get to say what she wanted."
        points: 0
        correct: false
        next: slutt-darlig
  - id: reisen
    text:
      nb: "Sara forteller at familien skal på en lang reise, og at hun er redd for ikke å komme tilbake."
      nn: "Sara fortel at familien skal på ei lang reise, og at ho er redd for ikkje å kome tilbake."
      en: "Sara says that her family is going on a long journey, and that she is afraid she will not come back."
    choices:
      - id: radfor
        text:
          nb: "Snakk med rektor og ring Kompetanseteamet samme dag"
          nn: "Snakk med rektor og ring Kompetanseteamet same dag"
          en: "Talk to the head and call the Expert Team the same day"
        feedback:
          nb: "Riktig. Teamet gir råd før ferien, mens det ennå er tid."
          nn: "Rett. Teamet gir råd før ferien, medan det framleis er tid."
          en: "Right: the team advises before the holiday, while there is still time."
        points: 2
        correct: true
        next: slutt-god
      - id: vent
        text:
          nb: "Vent og se om hun sier mer etter ferien"
          nn: "Vent og sjå om ho seier meir etter ferien"
          en: "Wait and see whether she says more after the holiday"
        feedback:
          nb: "Etter ferien kan det være for sent å hjelpe."
          nn: "Etter ferien kan det vere for seint å hjelpe."
          en: "After the holiday it may be too late to help."
        points: 0
        correct: false
        next: slutt-blandet
  - id: slutt-god
    text:
      nb: "Sara får hjelp i tide, og hun vet hvem hun kan ringe."
      nn: "Sara får hjelp i tide, og ho veit kven ho kan ringje."
      en: "Sara gets help in time, and she knows whom she can call."
    ending:
      outcome: good
      title: {nb: "Hjelp i tide", nn: "Hjelp i tide", en: "Help in time"}
  - id: slutt-blandet
    text:
      nb: "Sara stolte på deg, men hjelpen kom sent."
      nn: "Sara stolte på deg, men hjelpa kom seint."
      en: "Sara trusted you, but help came late."
    ending:
      outcome: mixed
      title: {nb: "For sent", nn: "For seint", en: "Too late"}
  - id: slutt-darlig
    text:
      nb: "Sara forteller ikke mer, og ingen vet hva som venter henne."
      nn: "Sara fortel ikkje meir, og ingen veit kva som ventar henne."
      en: "Sara says no more, and nobody knows what awaits her."
    ending:
      outcome: poor
      title: {nb: "Ikke hørt", nn: "Ikkje høyrd", en: "Not heard"}
# Course tests: `flask elearn validate` plays each path and fails (E070) when it ends elsewhere.
tests:
  - name: best path
    path: [etter-timen/lytt, reisen/radfor]
    ending: slutt-god
    outcome: good
    score: 4
  - name: worst path
    path: [etter-timen/trost]
    ending: slutt-darlig
    outcome: poor
    score: 0
  - name: a mixed path
    path: [etter-timen/lytt, reisen/vent]
    outcome: mixed
    score: 2
"""


def check_id(course_id: str) -> None:
    """Raise ScaffoldError unless `course_id` is a course id the format accepts."""
    if not schema.ID_RE.match(course_id) or len(course_id) > schema.MAX_ID_LENGTH:
        raise ScaffoldError(
            f"'{course_id}' is not a course id: use lowercase letters, digits and '-', starting "
            f"with a letter, at most {schema.MAX_ID_LENGTH} characters "
            f"(for example '{schema.suggest_id(course_id)}')"
        )


def new_course(course_id: str, parent: Path) -> list[Path]:
    """Write the course folder `parent/course_id`; the files written. Never overwrites: an
    existing folder (or file) of that name is refused untouched."""
    check_id(course_id)
    folder = Path(parent) / course_id
    if folder.exists() or folder.is_symlink():
        raise ScaffoldError(
            f"{folder} already exists: nothing was written (elearn new never overwrites); "
            "choose another id or another folder (--dir)"
        )
    parent_dir = Path(parent)
    parent_dir.mkdir(parents=True, exist_ok=True)
    folder.mkdir()
    files = {
        folder / "course.yaml": COURSE_YAML.format(
            course_id=course_id, folder=display_path(folder), scenario_file=SCENARIO_FILE
        ),
        folder / SCENARIO_FILE: SCENARIO_YAML,
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    return list(files)
