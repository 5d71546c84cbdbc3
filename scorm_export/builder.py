"""Zip assembly: the runtime, the course data, the media and the format's manifest, byte for byte
the same for the same input (fixed timestamps, sorted entries, fixed compression), so a package
can be cached, compared and re-downloaded without surprises."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from importlib import resources
from typing import Any

from scorm_export import manifests

FORMATS: tuple[str, ...] = ("scorm12", "scorm2004", "cmi5", "xapi", "html")
RUNTIME_VERSION = "1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Files every package carries, from scorm_export/runtime/ (the tracking adapter is added per format).
RUNTIME_FILES = ("engine.js", "player.js", "player.css")
SCHEMA_DIRS = {"scorm12": "scorm12", "scorm2004": "scorm2004-4th"}
# The tracking adapter(s) of each format, loaded in this order before player.js.
TRACKERS: dict[str, tuple[str, ...]] = {
    "scorm12": ("tracking-scorm12.js",),
    "scorm2004": ("tracking-scorm2004.js",),
    "cmi5": ("xapi-common.js", "tracking-cmi5.js"),
    "xapi": ("xapi-common.js", "tracking-xapi.js"),
    "html": ("tracking-none.js",),
}
MEDIA_DIR = "media"
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


class ExportError(ValueError):
    """The course cannot be exported as asked (unknown format, language, unsafe asset path…)."""


def package_filename(course_id: str, fmt: str, lang: str) -> str:
    """The download name, e.g. "skole-19b-scorm12-nb.zip"."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not _ID.match(course_id or ""):
        raise ExportError(f"{course_id!r} is not a course id")
    if not re.match(r"^[a-z]{2,3}$", lang or ""):
        raise ExportError(f"{lang!r} is not a language code")
    return f"{course_id}-{fmt}-{lang}.zip"


def content_hash(compiled: dict[str, Any], assets: Mapping[str, bytes]) -> str:
    """The platform's course-version hash (elearn.content.compiler.content_hash, repeated here so
    the builder needs no Flask-importing package): sent in the xAPI course-version extension."""
    canonical = json.dumps(compiled, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode())
    for path in sorted(assets):
        data = assets[path]
        digest.update(b"\0" + path.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def safe_asset_path(path: str) -> str:
    """The path as it goes into the zip; refuses anything that could land outside the package."""
    bad = (
        not isinstance(path, str)
        or not path
        or "\\" in path
        or "\0" in path
        or path.startswith("/")
        or re.match(r"^[A-Za-z]:", path) is not None
        or any(part in ("", ".", "..") for part in path.split("/"))
    )
    if bad:
        raise ExportError(f"asset path {path!r} is not a simple relative path inside the course")
    return path


def _runtime(name: str) -> bytes:
    return resources.files("scorm_export").joinpath("runtime", name).read_bytes()


def _schemas(fmt: str) -> dict[str, bytes]:
    folder = SCHEMA_DIRS.get(fmt)
    if folder is None:
        return {}
    root = resources.files("scorm_export").joinpath("schemas", folder)
    return {f.name: f.read_bytes() for f in root.iterdir() if f.name.endswith((".xsd", ".dtd"))}


def _js_json(value: Any) -> str:
    """JSON that is also a safe JavaScript literal (U+2028/9 escaped for older parsers)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _check(course: dict[str, Any], fmt: str, lang: str, activity_base: str) -> str:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    if not isinstance(course, dict) or "scenarios" not in course or "id" not in course:
        raise ExportError("not a compiled course (expected the validated, compiled form)")
    if lang not in course.get("languages", []):
        raise ExportError(
            f"the course {course['id']!r} has no language {lang!r}: "
            f"it has {', '.join(course.get('languages', []))}"
        )
    base = (activity_base or "").rstrip("/")
    if not re.match(r"^https?://[^\s/]+", base) or any(c in base for c in " \"'<>"):
        raise ExportError(f"activity_base {activity_base!r} is not an absolute http(s) IRI")
    return base


SCORM12_CHOICE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def _check_choices(course: dict[str, Any], fmt: str) -> None:
    """SCORM 1.2 reports a choice as one character, a-z then 0-9, by its place among the node's
    choices: a node may have at most 36. SCORM 2004 reports the choice id itself, which must be a
    short_identifier_type (no spaces; the course validator's ids, [a-z][a-z0-9-]*, are)."""
    if fmt not in ("scorm12", "scorm2004"):
        return
    for scenario in course["scenarios"]:
        for node in scenario["nodes"].values():
            choices = node.get("choices") or []
            if fmt == "scorm12" and len(choices) > len(SCORM12_CHOICE_CHARS):
                raise ExportError(
                    f"node {scenario['id']}/{node['id']} has {len(choices)} choices: SCORM 1.2 "
                    f"can report at most {len(SCORM12_CHOICE_CHARS)} (a-z, 0-9)"
                )
            for choice in choices:
                if not _ID.match(str(choice.get("id", ""))) or len(choice["id"]) > 250:
                    raise ExportError(
                        f"choice id {choice.get('id')!r} (node {scenario['id']}/{node['id']}) "
                        "is not a SCORM identifier"
                    )


def _index_html(course: dict[str, Any], fmt: str, lang: str) -> bytes:
    template = _runtime("index.html").decode()
    title = manifests.text(course["title"], lang)
    html = (
        template.replace("{{LANG}}", lang)
        .replace("{{TITLE}}", manifests.escape(title))
        .replace(
            "{{TRACKERS}}",
            "\n".join(f'<script src="elearn/{name}"></script>' for name in TRACKERS[fmt]),
        )
    )
    return html.encode()


def package_files(
    course: dict[str, Any], assets: Mapping[str, bytes], fmt: str, lang: str, activity_base: str
) -> dict[str, bytes]:
    """Every file of the package by its path in the zip (no manifest yet)."""
    base = _check(course, fmt, lang, activity_base)
    _check_choices(course, fmt)
    files: dict[str, bytes] = {}
    for path in sorted(assets):
        files[f"{MEDIA_DIR}/{safe_asset_path(path)}"] = bytes(assets[path])
    for scenario in course["scenarios"]:
        for node in scenario["nodes"].values():
            src = (node.get("image") or {}).get("src")
            if src and src not in assets:
                raise ExportError(f"image {src!r} (node {node['id']!r}) is not in the assets")
    data = {
        "runtime": RUNTIME_VERSION,
        "format": fmt,
        "lang": lang,
        "base": base,
        "contentHash": content_hash(course, assets),
        "media": MEDIA_DIR,
        "course": course,
    }
    files["elearn/course.js"] = f"window.ELEARN_PACKAGE = {_js_json(data)};\n".encode()
    for name in (*RUNTIME_FILES, *TRACKERS[fmt]):
        files[f"elearn/{name}"] = _runtime(name)
    files["index.html"] = _index_html(course, fmt, lang)
    files.update(_schemas(fmt))
    return files


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    """A deterministic zip: sorted names, fixed date, fixed attributes and compression level."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever the building machine is
            info.external_attr = 0o100644 << 16
            zf.writestr(info, files[name], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buf.getvalue()


def build_package(
    course: dict[str, Any], assets: Mapping[str, bytes], fmt: str, lang: str, *, activity_base: str
) -> bytes:
    """The course as a zip in the given format, `lang` its starting language."""
    files = package_files(course, assets, fmt, lang, activity_base)
    base = activity_base.rstrip("/")
    digest = content_hash(course, assets)
    manifest = manifests.manifest(course, fmt, lang, base, sorted(files), digest)
    if manifest is not None:
        name, xml = manifest
        files[name] = xml
    return zip_bytes(files)
