"""The platform side of export: `flask elearn export` and the organisation admins' download page
hand out exactly the package the builder makes from the version learners play here."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from elearn.cli import elearn_cli
from elearn.content import load_course
from tests.conftest import PLAY_COURSE, login, make_admin

BASE = "https://example.org/elearn"


def _expected(fmt: str, lang: str) -> bytes:
    from scorm_export import build_package

    loaded = load_course(PLAY_COURSE)
    assert loaded.compiled is not None
    return build_package(loaded.compiled, loaded.assets, fmt, lang, activity_base=BASE)


def test_cli_exports_one_package_to_a_file(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "pakke.zip"
    runner = app.test_cli_runner()
    args = ["export", "play-course", "--format", "scorm12", "--lang", "nn", "-o", str(target)]
    result = runner.invoke(elearn_cli, args)
    assert result.exit_code == 0, result.output
    assert str(target) in result.output and "KB" in result.output
    data = target.read_bytes()
    assert data == _expected("scorm12", "nn")
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()


def test_cli_exports_everything_into_a_folder(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(elearn_cli, ["export", "--all", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    # The fixture course has nb, nn and en; five formats each.
    assert len(names) == 15
    assert "play-course-scorm12-nb.zip" in names and "play-course-html-en.zip" in names
    for name in names:
        assert zipfile.ZipFile(tmp_path / name).testzip() is None


def test_cli_names_the_courses_when_one_is_unknown(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(elearn_cli, ["export", "no-such", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "No course 'no-such'" in result.output and "play-course" in result.output
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_language_the_course_lacks(app: Flask, tmp_path: Path) -> None:
    args = ["export", "play-course", "--lang", "se", "-o", str(tmp_path / "x.zip")]
    result = app.test_cli_runner().invoke(elearn_cli, args)
    assert result.exit_code == 1 and "se" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_download_page_is_for_organisation_admins(learner_client: FlaskClient) -> None:
    assert learner_client.get("/admin/exports").status_code == 403
    response = learner_client.get("/admin/exports/play-course.zip?format=scorm12")
    assert response.status_code == 403


def test_org_admin_downloads_the_package(app: Flask, client: FlaskClient) -> None:
    make_admin(app, "it@kommune.no", role="org_admin", org_slug="tromso")
    login(client, "it@kommune.no")
    home = client.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'href="/admin/exports"' in home
    page = client.get("/admin/exports", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "SCORM 1.2" in page and "KS Læring" in page
    assert 'action="/admin/exports/play-course.zip"' in page
    response = client.get("/admin/exports/play-course.zip?format=cmi5&lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    disposition = response.headers["Content-Disposition"]
    assert disposition == 'attachment; filename="play-course-cmi5-en.zip"'
    assert response.data == _expected("cmi5", "en")


def test_download_rejects_unknown_format_language_and_course(
    app: Flask, client: FlaskClient
) -> None:
    make_admin(app, "admin@example.no", role="admin")
    login(client, "admin@example.no")
    assert client.get("/admin/exports/play-course.zip?format=scorm3").status_code == 400
    assert client.get("/admin/exports/play-course.zip?lang=de").status_code == 400
    assert client.get("/admin/exports/nothing.zip").status_code == 404
