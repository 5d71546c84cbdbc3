"""The package builder: deterministic zips, safe paths, clear errors, small packages, no Flask."""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
import zipfile

import pytest

from elearn.content import LoadedCourse
from scorm_export import FORMATS, ExportError, build_package, package_filename
from tests.export.conftest import BASE, ROOT, unzip, valid_courses

MAX_BYTES = 300 * 1024


def test_formats_and_filenames() -> None:
    assert FORMATS == ("scorm12", "scorm2004", "cmi5", "xapi", "html")
    assert package_filename("skole-19b", "scorm12", "nb") == "skole-19b-scorm12-nb.zip"
    with pytest.raises(ExportError, match="unknown format"):
        package_filename("skole-19b", "scorm3", "nb")


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_builds_are_byte_identical(sample: LoadedCourse, fmt: str) -> None:
    first = build_package(sample.compiled, sample.assets, fmt, "nb", activity_base=BASE)
    again = build_package(
        copy.deepcopy(sample.compiled), dict(reversed(sample.assets.items())), fmt, "nb",
        activity_base=BASE + "/",
    )  # fmt: skip
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_every_course_and_format_builds_small(packages: dict[str, bytes]) -> None:
    """Prints the sizes for the report; a course without big media stays under 300 KB."""
    for course in valid_courses():
        for fmt in FORMATS:
            data = build_package(course.compiled, course.assets, fmt, "nb", activity_base=BASE)
            media = sum(len(v) for v in course.assets.values())
            print(
                f"{course.compiled['id']} {fmt}: {len(data)} bytes ({len(data) / 1024:.1f} KB; media {media} bytes)"
            )
            assert len(data) < MAX_BYTES + media
    for fmt, data in packages.items():
        assert len(data) < MAX_BYTES, fmt


def test_contents_and_no_outside_paths(packages: dict[str, bytes]) -> None:
    for fmt, data in packages.items():
        files = unzip(data)
        assert "index.html" in files, fmt
        assert "elearn/course.js" in files and "elearn/engine.js" in files
        assert "media/images/kalender.svg" in files
        for name in files:
            assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
        html = files["index.html"].decode()
        assert '<html lang="nb">' in html
        # offline: nothing fetched from elsewhere
        for name, body in files.items():
            if name.endswith((".html", ".js", ".css")):
                text = body.decode()
                assert '<script src="http' not in text and "@import" not in text, name
                assert "cdn" not in text.lower().replace("cdnjs", "cdn"), name


def test_the_package_carries_the_platforms_course_version(sample: LoadedCourse) -> None:
    """Statements from a package name the same course version as the platform's own."""
    package = build_package(sample.compiled, sample.assets, "xapi", "nb", activity_base=BASE)
    course_js = unzip(package)["elearn/course.js"].decode()
    assert f'"contentHash":"{sample.content_hash}"' in course_js


@pytest.mark.parametrize(
    "path",
    [
        "../x.svg",
        "/etc/passwd",
        "images/../../x.svg",
        "C:/x.svg",
        "a\\b.svg",
        "",
        "a//b.svg",
        "./a.svg",
        'images/"quoted".svg',
        "images/a\nb.svg",
        "images/what?.svg",
    ],
)
def test_unsafe_asset_paths_are_refused(sample: LoadedCourse, path: str) -> None:
    assets = {**sample.assets, path: b"<svg/>"}
    with pytest.raises(ExportError, match="asset path"):
        build_package(sample.compiled, assets, "scorm12", "nb", activity_base=BASE)


def test_clear_errors(sample: LoadedCourse) -> None:
    with pytest.raises(ExportError, match="unknown format 'zip'"):
        build_package(sample.compiled, sample.assets, "zip", "nb", activity_base=BASE)
    with pytest.raises(ExportError, match="no language 'se'"):
        build_package(sample.compiled, sample.assets, "scorm12", "se", activity_base=BASE)
    with pytest.raises(ExportError, match="activity_base"):
        build_package(sample.compiled, sample.assets, "scorm12", "nb", activity_base="example.org")
    with pytest.raises(ExportError, match="not in the assets"):
        build_package(sample.compiled, {}, "scorm12", "nb", activity_base=BASE)
    with pytest.raises(ExportError, match="compiled course"):
        build_package({"id": "x"}, {}, "scorm12", "nb", activity_base=BASE)


def test_scorm12_refuses_a_node_with_more_than_36_choices(sample: LoadedCourse) -> None:
    """SCORM 1.2 reports a choice as one character (a-z, 0-9): 36 choices fit, 37 do not."""
    course = copy.deepcopy(sample.compiled)
    node = next(n for n in course["scenarios"][0]["nodes"].values() if n.get("choices"))
    template = node["choices"][0]
    node["choices"] = [{**template, "id": f"valg-{i}"} for i in range(36)]
    build_package(course, sample.assets, "scorm12", "nb", activity_base=BASE)
    node["choices"].append({**template, "id": "valg-36"})
    with pytest.raises(ExportError, match=r"37 choices: SCORM 1\.2 can report at most 36"):
        build_package(course, sample.assets, "scorm12", "nb", activity_base=BASE)
    build_package(course, sample.assets, "scorm2004", "nb", activity_base=BASE)  # ids, no limit
    node["choices"][0] = {**template, "id": "has space"}
    with pytest.raises(ExportError, match="not a SCORM identifier"):
        build_package(course, sample.assets, "scorm2004", "nb", activity_base=BASE)


def test_builds_without_flask() -> None:
    """scorm_export is usable where Flask is not installed (a blocked import proves it)."""
    code = (
        "import sys, json; sys.modules['flask'] = None\n"
        "import scorm_export\n"
        "assert not any(m == 'flask' or m.startswith('flask.') for m in sys.modules if sys.modules[m])\n"
        "course = json.load(open(sys.argv[1]))\n"
        "print(len(scorm_export.build_package(course, {'images/kalender.svg': b'<svg/>'}, 'scorm12', 'nb', activity_base='https://x.example')))\n"
    )
    import json
    import tempfile

    from elearn.content import load_course

    course = load_course(ROOT / "courses" / "sample-course").compiled
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(course, fh)
    out = subprocess.run(
        [sys.executable, "-c", code, fh.name], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) > 1000
    for path in (ROOT / "scorm_export").rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+flask", path.read_text(), re.M), path
