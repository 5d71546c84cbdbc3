"""A course's texts out to translators and back (`flask elearn translations export | import`),
as a translation office would use them: XLIFF 2.0 or PO, one file per target language."""

from __future__ import annotations

import difflib
import io
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner

from elearn.cli import elearn_cli
from elearn.content import load_course
from elearn.content.translation_files import (
    XLIFF_NS,
    TranslationError,
    course_texts,
    export,
    import_files,
)

ROOT = Path(__file__).resolve().parent.parent
COURSES = sorted(p.name for p in (ROOT / "courses").iterdir() if (p / "course.yaml").is_file())
X = f"{{{XLIFF_NS}}}"
FEEDBACK = "tolken/nodes/foresporselen/choices/mote/feedback"  # a folded block (>-) in a list
ABOUT = "tolken/cast/0/about"  # a flow mapping {nb: …, nn: …, en: …}


def snapshot(course: Path) -> dict[str, bytes]:
    return {str(p.relative_to(course)): p.read_bytes() for p in sorted(course.rglob("*.yaml"))}


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(ROOT / "courses" / name, target)
    return target


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(
        before.decode().splitlines(), after.decode().splitlines(), n=0, lineterm=""
    )
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def po_set(path: Path, unit_id: str, text: str) -> None:
    """What a translator's tool does: change one msgstr and save."""
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    message = next(m for m in catalog if m.context == unit_id)
    message.string = text
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=0)


def xliff_set(path: Path, unit_id: str, text: str) -> None:
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(path)
    unit = next(u for u in tree.iter(f"{X}unit") if u.get("name") == unit_id)
    segment = unit.find(f"{X}segment")
    target = segment.find(f"{X}target")
    if target is None:
        target = ET.SubElement(segment, f"{X}target")
    target.text = text
    tree.write(path, encoding="utf-8", xml_declaration=True)


@pytest.mark.parametrize("fmt", ["xliff", "po"])
@pytest.mark.parametrize("name", COURSES)
def test_a_round_trip_changes_no_byte(tmp_path: Path, name: str, fmt: str) -> None:
    course = copy(name, tmp_path)
    before = snapshot(course)
    exported = export(course, tmp_path / "out", fmt)
    assert [p.name for p in exported.files] == [
        f"{name}.nn.{'xlf' if fmt == 'xliff' else 'po'}",
        f"{name}.en.{'xlf' if fmt == 'xliff' else 'po'}",
    ]
    result = import_files(course, exported.files)
    assert result.changed == [] and result.missing == [] and result.written == []
    assert snapshot(course) == before


@pytest.mark.parametrize("fmt", ["xliff", "po"])
def test_a_changed_translation_lands_in_its_place(tmp_path: Path, fmt: str) -> None:
    course = copy("sample-course", tmp_path)
    before = snapshot(course)
    nn, en = export(course, tmp_path / "out", fmt).files
    new_feedback = "Rett. Samarbeid med foreldra er det vanlege i skulen " * 3 + "– ny omsetjing."
    new_about = 'elev, 14 år, "ofte" borte på måndagar'
    setter = xliff_set if fmt == "xliff" else po_set
    setter(nn, FEEDBACK, new_feedback.strip())
    setter(en, ABOUT, new_about)
    result = import_files(course, [nn, en])
    assert sorted(result.changed) == [("en", ABOUT), ("nn", FEEDBACK)]
    assert [p.name for p in result.written] == ["tolken.yaml"]
    after = snapshot(course)
    assert {k for k in after if after[k] != before[k]} == {"tolken.yaml"}
    lines = changed_lines(before["tolken.yaml"], after["tolken.yaml"])
    removed = [line for line in lines if line.startswith("-")]
    assert len(removed) == 7  # the six lines of the old nn feedback and the cast line
    assert any(line.startswith("-    about: {nb:") for line in removed)
    texts = course_texts(course).by_id()
    assert texts[FEEDBACK].texts["nn"] == new_feedback.strip()
    assert texts[FEEDBACK].texts["nb"].startswith("Riktig. Samarbeid med foreldrene")
    assert texts[ABOUT].texts["en"] == new_about and texts[ABOUT].texts["nn"].startswith("elev")
    loaded = load_course(course)  # still a valid course, the player shows the new text
    assert loaded.ok, loaded.problems
    tolken = next(s for s in loaded.compiled["scenarios"] if s["id"] == "tolken")
    choice = next(c for c in tolken["nodes"]["foresporselen"]["choices"] if c["id"] == "mote")
    assert choice["feedback"]["nn"] == new_feedback.strip()


def test_a_missing_translation_is_listed_kept_and_can_be_filled_in(tmp_path: Path) -> None:
    course = copy("sample-course", tmp_path)
    tolken = course / "tolken.yaml"
    text = tolken.read_text()
    en_line = next(line for line in text.splitlines() if line.startswith("    about: {nb:"))
    cut = en_line[: en_line.index(', en: "')] + "}"
    text = text.replace(en_line, cut, 1)
    start = text.index("          en: >-\n            Right. Working with parents")
    end = text.index("\n        points:", start)  # the en feedback block, up to `points:`
    text = text[:start] + text[end + 1 :]
    tolken.write_text(text)
    before = snapshot(course)

    exported = export(course, tmp_path / "out", "xliff")
    assert exported.missing["en"] == [ABOUT, FEEDBACK]
    assert exported.missing["nn"] == []
    tree = ET.parse(exported.files[1])
    unit = next(u for u in tree.iter(f"{X}unit") if u.get("name") == FEEDBACK)
    assert unit.find(f"{X}segment").get("state") == "initial"
    assert unit.find(f"{X}segment/{X}target") is None

    result = import_files(course, exported.files)
    assert sorted(result.missing) == [("en", ABOUT), ("en", FEEDBACK)]
    assert snapshot(course) == before  # left alone

    xliff_set(exported.files[1], FEEDBACK, "Right.\n\nTwo paragraphs, as the translator wrote.")
    xliff_set(exported.files[1], ABOUT, "pupil, 14, often absent on Mondays")
    result = import_files(course, exported.files)
    assert sorted(result.changed) == [("en", ABOUT), ("en", FEEDBACK)]
    assert result.missing == []
    assert load_course(course).ok  # the course has all its languages again
    texts = course_texts(course).by_id()
    assert texts[FEEDBACK].texts["en"] == "Right.\n\nTwo paragraphs, as the translator wrote."
    new = tolken.read_text()
    assert 'nn: "elev, 14 år, mykje fråvær på måndagar", en: "pupil, 14, often absent' in new
    assert "          en: |-\n            Right.\n\n            Two paragraphs" in new


def test_an_unknown_unit_id_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    course = copy("sample-course", tmp_path)
    before = snapshot(course)
    nn, en = export(course, tmp_path / "out", "po").files
    po_set(nn, FEEDBACK, "Ei ny omsetjing som elles ville ha blitt skriven.")
    with open(en, "rb") as fh:
        catalog = read_po(fh)
    message = next(m for m in catalog if m.context == ABOUT)
    catalog.delete(message.id, context=ABOUT)
    catalog.add(message.id, "pupil", context="tolken/nodes/finnes-ikke/text")
    with open(en, "wb") as fh:
        write_po(fh, catalog, width=0)
    with pytest.raises(TranslationError) as refused:
        import_files(course, [nn, en])
    assert refused.value.problems == [f"{en}: no text has the id 'tolken/nodes/finnes-ikke/text'"]
    assert snapshot(course) == before  # not even the good nn change
    assert not [p for p in course.iterdir() if p.name.endswith(".tmp")]

    cli = CliRunner().invoke(elearn_cli, ["translations", "import", str(course), str(nn), str(en)])
    assert cli.exit_code == 1
    assert "Nothing was changed" in cli.output and "tolken/nodes/finnes-ikke/text" in cli.output
    assert snapshot(course) == before


def test_xliff_is_xliff_2_0_with_languages_and_context(tmp_path: Path) -> None:
    nn, en = export(ROOT / "courses" / "sample-course", tmp_path, "xliff").files
    for path, lang in ((nn, "nn"), (en, "en")):
        root = ET.parse(path).getroot()
        assert root.tag == f"{X}xliff" and root.get("version") == "2.0"
        assert (root.get("srcLang"), root.get("trgLang")) == ("nb", lang)
        assert [f.get("original") for f in root.iter(f"{X}file")] == [
            "course.yaml",
            "sommerfesten.yaml",
            "tolken.yaml",
        ]
    unit = next(u for u in ET.parse(nn).iter(f"{X}unit") if u.get("name") == FEEDBACK)
    assert unit.get("id") == FEEDBACK.replace("/", ".")  # an NMTOKEN, as XLIFF wants
    notes = {n.get("category"): n.text for n in unit.iter(f"{X}note")}
    assert notes["context"] == (
        "scenario 'tolken' (tolken.yaml), node 'foresporselen', choice 'mote', field 'feedback'"
    )
    assert notes["location"].startswith("tolken.yaml:")
    assert unit.find(f"{X}segment/{X}source").text.startswith("Riktig. Samarbeid")
    assert unit.find(f"{X}segment/{X}target").text.startswith("Rett. Samarbeid")


@pytest.mark.skipif(
    not os.environ.get("ELEARN_XLIFF_SCHEMA"),
    reason="set ELEARN_XLIFF_SCHEMA to OASIS's xliff_core_2.0.xsd to check against the schema",
)
def test_xliff_is_valid_against_the_oasis_core_schema(tmp_path: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(os.environ["ELEARN_XLIFF_SCHEMA"]))
    for name in COURSES:
        for path in export(ROOT / "courses" / name, tmp_path / name, "xliff").files:
            assert schema.validate(etree.parse(str(path))), schema.error_log


def test_po_opens_with_babel_and_msgctxt_carries_the_context(tmp_path: Path) -> None:
    nn, _ = export(ROOT / "courses" / "skole-19b", tmp_path, "po").files
    with open(nn, "rb") as fh:
        catalog = read_po(fh)
    assert str(catalog.locale) == "nn"
    messages = [m for m in catalog if m.id]
    assert len(messages) == len(course_texts(ROOT / "courses" / "skole-19b").units)
    assert all(m.context and m.string for m in messages)
    title = next(m for m in messages if m.context == "course/title")
    assert title.id.startswith("Når frihet") and title.string.startswith("Når fridom")
    node = next(m for m in messages if m.context.startswith("ferien/nodes/"))
    assert node.auto_comments[0].startswith("scenario 'ferien' (ferien.yaml), node '")
    assert node.locations[0][0] == "ferien.yaml"


def test_the_commands_list_what_is_missing(tmp_path: Path) -> None:
    course = copy("sample-course", tmp_path)
    text = (course / "course.yaml").read_text()
    (course / "course.yaml").write_text(
        text.replace('  en: "Taster: Negative social control at school"\n', "", 1)
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        elearn_cli, ["translations", "export", str(course), "-o", str(out), "--format", "po"]
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out / 'sample-course.nn.po'}" in result.output
    assert "1 text(s) not yet translated:" in result.output
    assert "missing en: course/title" in result.output
    result = CliRunner().invoke(
        elearn_cli, ["translations", "import", str(course), *map(str, sorted(out.iterdir()))]
    )
    assert result.exit_code == 0, result.output
    assert "missing en: course/title" in result.output
    assert "0 text(s) changed; files written: none." in result.output
    assert io.StringIO(result.output).getvalue().count("missing") == 1


def test_windows_line_ends_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    course = copy("sample-course", tmp_path)
    tolken = course / "tolken.yaml"
    text = tolken.read_text().replace('  en: "The brother who offered to interpret"\n', "", 1)
    tolken.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    nn, en = export(course, tmp_path / "out", "po").files
    assert "tolken/title" in export(course, tmp_path / "out", "po").missing["en"]
    po_set(en, "tolken/title", "The brother who wanted to interpret")
    po_set(nn, FEEDBACK, "Rett.\nTo liner.")
    result = import_files(course, [nn, en])
    assert sorted(result.changed) == [("en", "tolken/title"), ("nn", FEEDBACK)]
    raw = tolken.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\n" not in raw.replace(b"\r\n", b"")
    assert b'  nn: "Broren som ville tolke"\r\n  en: "The brother who wanted' in raw
    assert b"          nn: |-\r\n            Rett.\r\n            To liner.\r\n          en:" in raw
    assert load_course(course).ok
