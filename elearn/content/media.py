"""Files a course names: paths kept inside the course folder, images checked and read, SVGs
refused when they could run or fetch anything.

An SVG is a document, not a picture: opened on its own inside an exported package, a `<script>`
or an `onload=` in it runs. The SVG is parsed with the standard library's expat, with DOCTYPEs
(and so entities) refused and nothing fetched, and every element and attribute is looked at.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from elearn.content.loader import Document, display_path, not_a_file
from elearn.content.model import Scenario
from elearn.content.problems import Problem

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".svg")
MAX_IMAGE_BYTES = 1024 * 1024

_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)
_STYLE_EXTERNAL = re.compile(r"@import|url\(\s*['\"]?\s*(?:https?:)?//", re.IGNORECASE)
_SVG_HINT = (
    "remove scripts, event handlers (on…=) and links to other files or sites from the SVG; "
    "save it again as a plain drawing (e.g. Inkscape's 'Optimized SVG')"
)


def inside(course_dir: Path, rel: str) -> tuple[Path | None, str, str]:
    """Resolve a path written in a course file, refusing anything outside the course folder
    (also through symbolic links). Returns (path, message, hint); path None when refused."""
    if "\0" in rel or "\\" in rel or rel.startswith("/") or re.match(r"[A-Za-z]:", rel):
        return (
            None,
            f"{rel!r} is not a relative path inside the course folder",
            "write it relative to the course folder, with '/', e.g. images/office.svg",
        )
    parts = rel.split("/")
    if ".." in parts:
        return (
            None,
            f"{rel!r} leads out of the course folder",
            "course files must be inside the course folder; copy the file there",
        )
    if any(part in ("", ".") for part in parts):
        simple = "/".join(p for p in parts if p not in ("", "."))
        return None, f"{rel!r} is not a simple path", f"write it as '{simple}'"
    root = course_dir.resolve()
    target = (course_dir / rel).resolve()
    if not target.is_relative_to(root):
        return (
            None,
            f"{rel!r} leads out of the course folder through a symbolic link",
            "replace the link with the file itself",
        )
    return target, "", ""


def near(folder: Path, name: str, suffixes: tuple[str, ...]) -> str:
    """A hint naming the existing files most like the one that is missing."""
    try:
        files = sorted(
            str(p.relative_to(folder).as_posix())
            for p in folder.rglob("*")
            if p.is_file() and p.suffix.lower() in suffixes
        )
    except OSError:
        files = []
    close = difflib.get_close_matches(name, files, n=3, cutoff=0.4)
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    return "check the file name (names are case-sensitive)"


class _SvgCheck:
    """Collects (line, column, what) for everything in an SVG that could run or fetch."""

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str]] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.start
        self.parser.CharacterDataHandler = self.text
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity
        self.parser.ExternalEntityRefHandler = lambda *args: 0  # never fetched
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.in_style = False

    def at(self, what: str) -> None:
        self.found.append(
            (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1, what)
        )

    def doctype(self, *args: object) -> None:
        self.at("a DOCTYPE (it can define entities that expand or fetch)")

    def entity(self, name: str, *args: object) -> None:
        self.at(f"an entity declaration ({name})")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        self.in_style = local == "style"
        if local == "script":
            self.at("a <script> element")
        elif local == "foreignObject":
            self.at("a <foreignObject> element (it can hold HTML)")
        for attr, value in attrs.items():
            self.attribute(attr.rsplit(" ", 1)[-1], value)

    def attribute(self, name: str, value: str) -> None:
        if name.lower().startswith("on"):
            self.at(f"an event handler ({name}=)")
        elif name == "href" and (
            _EXTERNAL.match(value) or value.strip().lower().startswith("javascript:")
        ):
            self.at(f"an external reference (href={value.strip()[:60]!r})")
        elif name == "style" and _STYLE_EXTERNAL.search(value):
            self.at("a style that loads something from outside (@import or url(http…))")

    def text(self, data: str) -> None:
        if self.in_style and _STYLE_EXTERNAL.search(data):
            self.at("a <style> that loads something from outside (@import or url(http…))")

    def run(self, data: bytes) -> list[tuple[int, int, str]]:
        try:
            self.parser.Parse(data, True)
        except expat.ExpatError as exc:
            self.found.append((exc.lineno, exc.offset + 1, f"XML that does not parse ({exc})"))
        return self.found


def svg_problems(data: bytes, file: str, used_at: str) -> list[Problem]:
    """E052 for each thing in an SVG that could run or fetch, at its line in the SVG."""
    return [
        Problem(
            file,
            line,
            column,
            "E052",
            "",
            f"the SVG image contains {what} (used at {used_at})",
            _SVG_HINT,
        )
        for line, column, what in _SvgCheck().run(data)
    ]


class ImageCheck:
    """Every node image of a course: inside the folder, a known type, present, small, and for
    an SVG, safe. Good images are read into `assets` (keyed by their src) once each."""

    def __init__(self, course_dir: Path):
        self.course_dir = course_dir
        self.assets: dict[str, bytes] = {}

    def scenario(self, doc: Document, scenario: Scenario) -> list[Problem]:
        problems: list[Problem] = []
        for i, node in enumerate(scenario.nodes or []):
            src = node.image.src if node is not None and node.image is not None else None
            if src:
                problems += self.image(doc, ("nodes", i, "image", "src"), src)
        return problems

    def image(self, doc: Document, path: tuple, src: str) -> list[Problem]:
        target, message, hint = inside(self.course_dir, src)
        if target is None:
            return [doc.problem(path, "E004", message, hint)]
        if PurePosixPath(src).suffix.lower() not in IMAGE_EXTENSIONS:
            return [
                doc.problem(
                    path,
                    "E012",
                    f"{src!r} is not an image elearn can show",
                    f"use one of: {', '.join(e.lstrip('.') for e in IMAGE_EXTENSIONS)}",
                )
            ]
        if src in self.assets:
            return []
        return self.read(doc, path, src, target)

    def read(self, doc: Document, path: tuple, src: str, target: Path) -> list[Problem]:
        why = not_a_file(target)
        if why == "does not exist":
            hint = near(self.course_dir, src, IMAGE_EXTENSIONS)
            return [doc.problem(path, "E051", f"the image {src!r} does not exist", hint)]
        if why is not None:
            return [doc.problem(path, "E051", f"the image {src!r} {why}", "use an image file")]
        try:
            with open(target, "rb") as fh:
                data = fh.read(MAX_IMAGE_BYTES + 1)
        except OSError as exc:
            return [doc.problem(path, "E051", f"the image cannot be read: {exc}")]
        if len(data) > MAX_IMAGE_BYTES:
            return [
                doc.problem(
                    path,
                    "E012",
                    f"the image {src!r} is larger than 1 MiB",
                    "make it smaller (learners may be on slow connections)",
                )
            ]
        if target.suffix.lower() == ".svg":
            line = doc.position(path)[0]
            found = svg_problems(data, display_path(target), f"{doc.file}:{line}")
            if found:
                return found
        self.assets[src] = data
        return []
