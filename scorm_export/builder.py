"""Zip assembly: the runtime, the course data, the media and the format's manifest, byte for byte
the same for the same input (fixed timestamps, sorted entries, fixed compression), so a package
can be cached, compared and re-downloaded without surprises."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from importlib import resources
from typing import Any

from elearn.core.hashing import content_hash
from scorm_export import formats, manifests
from scorm_export.formats import FORMATS, ExportError
from scorm_export.messages import player_messages

__all__ = ["FORMATS", "ExportError", "build_package", "package_filename"]
RUNTIME_VERSION = "1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Files every package carries, from scorm_export/runtime/ (the tracking adapter is added per format).
RUNTIME_FILES = ("engine.js", "player.js")
# The platform's own stylesheets, one source for both: Designsystemet (copied from npm by
# `make npm`/the wheel build; without it the package gets elearn.css alone, which has a plain
# fallback for every colour) and elearn.css.
STYLESHEETS = ("designsystemet.css", "elearn.css")
MEDIA_DIR = "media"
_ID = re.compile(r"^[a-z][a-z0-9-]*$")


def package_filename(course_id: str, fmt: str, lang: str) -> str:
    """The download name, e.g. "skole-19b-scorm12-nb.zip"."""
    formats.get(fmt)
    if not _ID.match(course_id or ""):
        raise ExportError(f"{course_id!r} is not a course id")
    if not re.match(r"^[a-z]{2,3}$", lang or ""):
        raise ExportError(f"{lang!r} is not a language code")
    return f"{course_id}-{fmt}-{lang}.zip"


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
        # Characters no LMS or unzip tool handles alike (quotes break manifests and headers).
        or re.search(r'["<>|?*:\x00-\x1f\x7f]', path) is not None
    )
    if bad:
        raise ExportError(f"asset path {path!r} is not a simple relative path inside the course")
    return path


def _runtime(name: str) -> bytes:
    return resources.files("scorm_export").joinpath("runtime", name).read_bytes()


def _stylesheet() -> bytes:
    """elearn/player.css: the platform's stylesheets in order, as one file."""
    static = resources.files("elearn").joinpath("static")
    parts = [static.joinpath(n) for n in STYLESHEETS]
    return b"\n".join(p.read_bytes() for p in parts if p.is_file())


def _schemas(fmt: formats.PackageFormat) -> dict[str, bytes]:
    folder = fmt.schema_dir
    if folder is None:
        return {}
    root = resources.files("scorm_export").joinpath("schemas", folder)
    return {f.name: f.read_bytes() for f in root.iterdir() if f.name.endswith((".xsd", ".dtd"))}


def _js_json(value: Any) -> str:
    """JSON that is also a safe JavaScript literal (U+2028/9 escaped for older parsers)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _check(course: dict[str, Any], lang: str, activity_base: str) -> str:
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


def _index_html(course: dict[str, Any], fmt: formats.PackageFormat, lang: str) -> bytes:
    template = _runtime("index.html").decode()
    title = manifests.text(course["title"], lang)
    html = (
        template.replace("{{LANG}}", lang)
        .replace("{{TITLE}}", manifests.escape(title))
        .replace(
            "{{TRACKERS}}",
            "\n".join(f'<script src="elearn/{name}"></script>' for name in fmt.trackers),
        )
    )
    return html.encode()


def package_files(
    course: dict[str, Any], assets: Mapping[str, bytes], fmt: str, lang: str, activity_base: str
) -> dict[str, bytes]:
    """Every file of the package by its path in the zip (no manifest yet)."""
    package_format = formats.get(fmt)
    base = _check(course, lang, activity_base)
    package_format.check(course)
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
        # player.js's interface strings, from the platform's catalogues
        "messages": player_messages(tuple(course["languages"])),
    }
    files["elearn/course.js"] = f"window.ELEARN_PACKAGE = {_js_json(data)};\n".encode()
    for name in (*RUNTIME_FILES, *package_format.trackers):
        files[f"elearn/{name}"] = _runtime(name)
    files["elearn/player.css"] = _stylesheet()
    files["index.html"] = _index_html(course, package_format, lang)
    files.update(_schemas(package_format))
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
    package_format = formats.get(fmt)
    if package_format.manifest_name is not None:
        digest = content_hash(course, assets)
        files[package_format.manifest_name] = package_format.manifest(
            course, lang, base, sorted(files), digest
        )
    return zip_bytes(files)
