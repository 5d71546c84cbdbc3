"""`flask elearn new COURSE_ID`: a course an author can start from, valid as it stands."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from elearn.cli import elearn_cli
from elearn.content import load_course
from tests.conftest import import_course, make_test_app
from tests.test_courses import BOKMAL_ONLY, _texts


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(elearn_cli, list(args))
    return result.exit_code, result.output


def test_the_new_course_validates_with_no_error_and_no_warning(tmp_path: Path) -> None:
    code, out = invoke("new", "min-kurs", "--dir", str(tmp_path))
    assert code == 0, out
    folder = tmp_path / "min-kurs"
    assert f"wrote {folder / 'course.yaml'}" in out and "flask elearn validate" in out
    code, out = invoke("validate", "--strict", str(folder))
    assert code == 0, out
    assert "0 error(s), 0 warning(s); course tests: 3 passed, 0 failed" in out


def test_the_new_course_has_every_part_in_three_languages(tmp_path: Path) -> None:
    invoke("new", "min-kurs", "--dir", str(tmp_path))
    loaded = load_course(tmp_path / "min-kurs")
    course = loaded.compiled
    assert course is not None and course["id"] == "min-kurs"
    assert course["languages"] == ["nb", "nn", "en"]
    (scenario,) = course["scenarios"]
    assert scenario["facilitator"]["questions"] and scenario["facilitator"]["watch_for"]
    assert course["help"][0]["phone"] == "116 111"
    endings = {n["ending"]["outcome"] for n in scenario["nodes"].values() if "ending" in n}
    assert endings == {"good", "mixed", "poor"}
    decisions = [n for n in scenario["nodes"].values() if n["choices"]]
    assert decisions and all(set(c["text"]) == {"nb", "nn", "en"} for c in decisions[0]["choices"])
    raw = yaml.safe_load((tmp_path / "min-kurs" / "samtalen.yaml").read_text(encoding="utf-8"))
    assert [t["name"] for t in raw["tests"]] == ["best path", "worst path", "a mixed path"]
    assert loaded.tests_passed == 3


def test_new_writes_into_the_courses_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELEARN_COURSES_DIR", str(tmp_path / "courses"))
    code, out = invoke("new", "kurs-to")
    assert code == 0, out
    assert (tmp_path / "courses" / "kurs-to" / "course.yaml").is_file()


def test_new_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "min-kurs"
    folder.mkdir()
    (folder / "course.yaml").write_text("id: mine\n", encoding="utf-8")
    code, out = invoke("new", "min-kurs", "--dir", str(tmp_path))
    assert code == 1
    assert "already exists: nothing was written" in out
    assert (folder / "course.yaml").read_text(encoding="utf-8") == "id: mine\n"
    assert sorted(p.name for p in folder.iterdir()) == ["course.yaml"]


@pytest.mark.parametrize("bad", ["Min Kurs", "1-kurs", "kurs/../x", "a" * 65])
def test_new_refuses_a_malformed_id_and_suggests_one(tmp_path: Path, bad: str) -> None:
    code, out = invoke("new", bad, "--dir", str(tmp_path))
    assert code == 1 and "is not a course id" in out and "for example '" in out
    assert list(tmp_path.iterdir()) == []


def test_the_new_course_imports_and_learners_see_it(db, tmp_path: Path) -> None:
    invoke("new", "min-kurs", "--dir", str(tmp_path / "courses"))
    app = make_test_app(db, tmp_path)
    import_course(app, tmp_path / "courses" / "min-kurs")
    page = app.test_client().get("/c/min-kurs")
    assert page.status_code == 200 and "Samtalen" in page.get_data(as_text=True)


def test_the_nynorsk_of_the_new_course_is_nynorsk(tmp_path: Path) -> None:
    """Authors copy what `new` gives them: its nynorsk must not be lightly edited bokmål."""
    invoke("new", "min-kurs", "--dir", str(tmp_path))
    texts = _texts(load_course(tmp_path / "min-kurs").compiled)
    nynorsk = [t["nn"] for t in texts]
    assert len(nynorsk) > 20
    assert [t for t in nynorsk if BOKMAL_ONLY.search(t)] == []
