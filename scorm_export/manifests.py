"""The manifests LMSs read: imsmanifest.xml (SCORM 1.2 and 2004 4th ed.), cmi5.xml, tincan.xml.

Written as text from small templates (not an XML library) so the bytes are stable; every value is
escaped. Identifiers derive from the course id and its content hash only (no random ids).
"""

from __future__ import annotations

from typing import Any

# BCP 47 tags as the platform's xAPI statements use them (elearn/tracking/statements.py).
LANG_TAGS = {"nb": "nb-NO", "nn": "nn-NO", "en": "en"}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"


def escape(text: str) -> str:
    """XML text and attribute escaping."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


def text(lang_map: dict[str, str] | None, lang: str) -> str:
    """One language of a language map, whitespace collapsed (titles go on one line)."""
    if not lang_map:
        return ""
    value = lang_map.get(lang) or next(iter(lang_map.values()))
    return " ".join(value.split())


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def identifier(course: dict[str, Any], digest: str) -> str:
    """An xs:ID-valid manifest identifier that changes when the content changes."""
    return f"elearn-{course['id']}-{digest[:12]}"


def course_iri(base: str, course: dict[str, Any]) -> str:
    return f"{base}/courses/{course['id']}"


def _ordered_langs(course: dict[str, Any], lang: str) -> list[str]:
    return [lang, *[x for x in course["languages"] if x != lang]]


def _files(files: list[str]) -> str:
    return "".join(f'\n      <file href="{escape(f)}"/>' for f in files)


def _percent(share: float) -> str:
    value = round(share * 100, 2)
    return str(int(value)) if value == int(value) else f"{value:g}"


def scorm12(course: dict[str, Any], lang: str, files: list[str], digest: str) -> str:
    title = escape(_short(text(course["title"], lang), 200))
    ident = identifier(course, digest)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1.0"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org-{ident}">
    <organization identifier="org-{ident}">
      <title>{title}</title>
      <item identifier="item-{ident}" identifierref="sco-{ident}" isvisible="true">
        <title>{title}</title>
        <adlcp:masteryscore>{_percent(course["mastery_score"])}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-{ident}" type="webcontent" adlcp:scormtype="sco" href="index.html">{_files(files)}
    </resource>
  </resources>
</manifest>
"""


def scorm2004(course: dict[str, Any], lang: str, files: list[str], digest: str) -> str:
    title = escape(_short(text(course["title"], lang), 200))
    ident = identifier(course, digest)
    mastery = f"{course['mastery_score']:g}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="1"
    xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
    xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="org-{ident}">
    <organization identifier="org-{ident}">
      <title>{title}</title>
      <item identifier="item-{ident}" identifierref="sco-{ident}" isvisible="true">
        <title>{title}</title>
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="mastery" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>{mastery}</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-{ident}" type="webcontent" adlcp:scormType="sco" href="index.html">{_files(files)}
    </resource>
  </resources>
</manifest>
"""


def _langstrings(course: dict[str, Any], key: str, lang: str, limit: int, tag: str) -> str:
    return "".join(
        f'<{tag} lang="{LANG_TAGS.get(x, x)}">{escape(_short(text(course[key], x), limit))}</{tag}>'
        for x in _ordered_langs(course, lang)
    )


def cmi5(course: dict[str, Any], lang: str, base: str) -> str:
    """One AU for the whole course. The AU id is the platform's course IRI, so an LMS that uses it
    as the launch `activityId` (most do) reports on the same activity as elearn itself."""
    iri = escape(course_iri(base, course))
    title = _langstrings(course, "title", lang, 200, "langstring")
    desc = _langstrings(course, "description", lang, 500, "langstring")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="{iri}/cmi5">
    <title>{title}</title>
    <description>{desc}</description>
  </course>
  <au id="{iri}" moveOn="CompletedAndPassed" masteryScore="{course["mastery_score"]:g}" launchMethod="AnyWindow">
    <title>{title}</title>
    <description>{desc}</description>
    <url>index.html</url>
  </au>
</courseStructure>
"""


def tincan(course: dict[str, Any], lang: str, base: str) -> str:
    iri = escape(course_iri(base, course))
    names = _langstrings(course, "title", lang, 200, "name")
    descs = _langstrings(course, "description", lang, 500, "description")
    tag = LANG_TAGS.get(lang, lang)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<tincan xmlns="http://projecttincan.com/tincan.xsd">
  <activities>
    <activity id="{iri}" type="{COURSE_TYPE}">
      {names}
      {descs}
      <launch lang="{tag}">index.html</launch>
    </activity>
  </activities>
</tincan>
"""
