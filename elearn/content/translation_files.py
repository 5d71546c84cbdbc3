"""A course's texts out to translators and back: XLIFF 2.0 and PO, one file per target language.

Every language map in the course files ({nb: …, nn: …, en: …}) is one translation unit: the
bokmål text is the source, the target language's text (if any) the target. A unit's id names
the file and the place by ids, not list positions, so it survives reordering:
`tolken/nodes/etter-timen/choices/lov-taushet/feedback` (scenario, node, choice, field;
`course/…` for course.yaml; items without an id by their index).

Importing edits the YAML files as text: only the changed scalars are rewritten (found by the
parser's start/end offsets) and a missing language is inserted as one new line, so comments,
key order, quoting and line wrapping stay exactly as the author wrote them, and a round trip
with nothing translated changes no byte. (A round-trip YAML library such as ruamel.yaml
re-emits the whole file: it rewraps folded text and normalises indentation and quoting.) Every
edited file is parsed again and compared with what was meant before anything is written, and
the files are written all together or not at all.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from elearn.content.loader import Document, compose_text, load_yaml_bytes, path_str
from elearn.content.media import inside
from elearn.core.constants import LANGUAGES

SOURCE_LANG = "nb"
XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
FORMATS = {"xliff": ".xlf", "po": ".po"}
MAX_IMPORT_BYTES = 20 * 1024 * 1024  # a course's texts are far smaller; refuse anything huge

YPath = tuple[str | int, ...]


class TranslationError(Exception):
    """The export or import cannot go ahead; `problems` says every reason (nothing was written)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Unit:
    """One text of the course: where it is, the bokmål source and the texts it has now."""

    id: str  # scenario/nodes/node-id/choices/choice-id/field
    file: str  # relative to the course folder, e.g. tolken.yaml
    path: YPath  # within the file's data
    source: str
    texts: dict[str, str]  # language -> text as the file has it now
    context: str  # "scenario 'tolken', node 'etter-timen', choice 'lov-taushet', field …"
    line: int


@dataclass
class CourseTexts:
    """The course's units, in file and document order, and what is needed to edit its files."""

    course_dir: Path
    course_id: str
    languages: tuple[str, ...]
    units: list[Unit]
    raw: dict[str, bytes] = field(default_factory=dict)  # file -> bytes as read

    def by_id(self) -> dict[str, Unit]:
        return {u.id: u for u in self.units}


def _is_text(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get(SOURCE_LANG), str)
        and all(k in LANGUAGES and isinstance(v, str) for k, v in value.items())
    )


def _segment(container: Any, key: str | int) -> str:
    """A path step as it appears in a unit id: an item with an id by its id."""
    if isinstance(key, int):
        item = container[key]
        item_id = item.get("id") if isinstance(item, dict) else None
        return item_id if isinstance(item_id, str) and item_id else str(key)
    return key


def _walk(value: Any, path: YPath, ids: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """(path, id segments, language map) for every language map, in document order."""
    if _is_text(value):
        yield path, ids, value
    elif isinstance(value, dict):
        for key, sub in value.items():
            yield from _walk(sub, (*path, key), (*ids, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _walk(sub, (*path, i), (*ids, _segment(value, i)))


def _context(doc: Document, prefix: str, file: str, path: YPath) -> str:
    where = doc.where(path)
    fieldname = ".".join(str(p) for p in path if isinstance(p, str) and p not in _LISTS)
    head = "course" if prefix == "course" else f"scenario '{prefix}'"
    return ", ".join(x for x in (f"{head} ({file})", where, f"field '{fieldname}'") if x)


_LISTS = {"nodes", "choices", "job_aids"}


def _read(course_dir: Path, rel: str, problems: list[str]) -> tuple[Document, bytes] | None:
    target, message, _hint = inside(course_dir, rel)
    if target is None:
        problems.append(f"{rel}: {message}")
        return None
    try:
        raw = target.read_bytes()
    except OSError as exc:
        problems.append(f"{rel}: cannot be read ({exc.strerror or exc})")
        return None
    doc = load_yaml_bytes(raw, rel)
    if not doc.ok or not isinstance(doc.data, dict):
        first = doc.problems[0] if doc.problems else None
        problems.append(f"{first}" if first else f"{rel}: not a YAML mapping")
        return None
    return doc, raw


def course_texts(course_dir: Path) -> CourseTexts:
    """Every translatable text of a course. Raises TranslationError when a file cannot be
    read (run `flask elearn validate` for the details)."""
    course_dir = Path(course_dir)
    problems: list[str] = []
    got = _read(course_dir, "course.yaml", problems)
    if got is None:
        raise TranslationError(problems)
    course_doc, course_raw = got
    data = course_doc.data
    languages = tuple(x for x in data.get("languages") or () if x in LANGUAGES) or LANGUAGES
    texts = CourseTexts(course_dir, str(data.get("id") or course_dir.name), languages, [])
    files: list[tuple[str, str, Document, bytes]] = [
        ("course", "course.yaml", course_doc, course_raw)
    ]
    for rel in data.get("scenarios") or []:
        if not isinstance(rel, str):
            continue
        got = _read(course_dir, rel, problems)
        if got is not None:
            sid = got[0].data.get("id")
            files.append((sid if isinstance(sid, str) and sid else Path(rel).stem, rel, *got))
    seen: dict[str, str] = {}
    for prefix, rel, doc, raw in files:
        texts.raw[rel] = raw
        for path, ids, value in _walk(doc.data, (), ()):
            uid = "/".join((prefix, *ids))
            if uid in seen:
                problems.append(f"{rel}: two texts have the id {uid} (ids must be unique)")
                continue
            seen[uid] = rel
            unit = Unit(
                uid,
                rel,
                path,
                value[SOURCE_LANG],
                dict(value),
                _context(doc, prefix, rel, path),
                doc.position(path)[0],
            )
            texts.units.append(unit)
    if problems:
        raise TranslationError(problems)
    return texts


def _missing(text: str | None) -> bool:
    return text is None or not text.strip()


# -- export ----------------------------------------------------------------------------------


@dataclass
class ExportResult:
    files: list[Path]
    missing: dict[str, list[str]]  # language -> ids of the units without a translation


def export(
    course_dir: Path, out_dir: Path, fmt: str, languages: tuple[str, ...] = ("nn", "en")
) -> ExportResult:
    """One file per target language in `out_dir` (<course-id>.<lang>.xlf or .po)."""
    if fmt not in FORMATS:
        raise TranslationError([f"unknown format {fmt!r}: use xliff or po"])
    bad = [lang for lang in languages if lang not in LANGUAGES or lang == SOURCE_LANG]
    if bad:
        allowed = ", ".join(x for x in LANGUAGES if x != SOURCE_LANG)
        raise TranslationError([f"cannot translate into {', '.join(bad)}: choose from {allowed}"])
    texts = course_texts(course_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = ExportResult([], {})
    for lang in languages:
        target = out_dir / f"{texts.course_id}.{lang}{FORMATS[fmt]}"
        writer = _write_xliff if fmt == "xliff" else _write_po
        writer(texts, lang, target)
        result.files.append(target)
        result.missing[lang] = [u.id for u in texts.units if _missing(u.texts.get(lang))]
    return result


def xliff_id(unit_id: str) -> str:
    """XLIFF ids are NMTOKENs, which have no '/': '.' stands for it ('.' is in no id or key)."""
    return unit_id.replace("/", ".")


def _q(tag: str) -> str:
    return f"{{{XLIFF_NS}}}{tag}"


def _write_xliff(texts: CourseTexts, lang: str, target: Path) -> None:
    ET.register_namespace("", XLIFF_NS)
    root = ET.Element(_q("xliff"), {"version": "2.0", "srcLang": SOURCE_LANG, "trgLang": lang})
    files: dict[str, ET.Element] = {}
    for unit in texts.units:
        if unit.file not in files:
            files[unit.file] = ET.SubElement(
                root,
                _q("file"),
                {
                    "id": xliff_id(unit.id.split("/", 1)[0]),
                    "original": unit.file,
                    "canResegment": "no",  # one segment per unit: the import joins nothing
                    XML_SPACE: "preserve",  # paragraphs are separated by blank lines
                },
            )
        element = ET.SubElement(files[unit.file], _q("unit"), {"id": xliff_id(unit.id)})
        element.set("name", unit.id)
        notes = ET.SubElement(element, _q("notes"))
        ET.SubElement(notes, _q("note"), {"category": "context"}).text = unit.context
        ET.SubElement(
            notes, _q("note"), {"category": "location"}
        ).text = f"{unit.file}:{unit.line} ({path_str(unit.path)})"
        done = unit.texts.get(lang)
        segment = ET.SubElement(
            element, _q("segment"), {"state": "initial" if _missing(done) else "translated"}
        )
        ET.SubElement(segment, _q("source")).text = unit.source
        if not _missing(done):
            ET.SubElement(segment, _q("target")).text = done
    tree = ET.ElementTree(root)
    ET.indent(tree)  # only whitespace between elements; source and target keep their text
    tree.write(target, encoding="utf-8", xml_declaration=True)


def _write_po(texts: CourseTexts, lang: str, target: Path) -> None:
    catalog = Catalog(
        locale=lang,
        domain=texts.course_id,
        project=f"elearn course {texts.course_id}",
        charset="utf-8",
        fuzzy=False,
    )
    for unit in texts.units:
        done = unit.texts.get(lang)
        catalog.add(
            unit.source,
            "" if _missing(done) else done,
            locations=[(unit.file, unit.line)],
            auto_comments=[unit.context],
            context=unit.id,
        )
    with open(target, "wb") as fh:
        write_po(fh, catalog, width=0, sort_output=False)


# -- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Translation:
    lang: str
    unit_id: str
    text: str | None  # None or blank: not translated
    source: str | None  # the source the translator saw, when the file says


@dataclass
class ImportResult:
    changed: list[tuple[str, str]] = field(default_factory=list)  # (lang, unit id)
    missing: list[tuple[str, str]] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # source changed since export
    written: list[Path] = field(default_factory=list)


def read_translations(path: Path) -> list[Translation]:
    """The translations in one XLIFF 2.0 or PO file (the format from its content)."""
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise TranslationError([f"{path}: larger than {MAX_IMPORT_BYTES // 2**20} MiB"])
        raw = path.read_bytes()
    except OSError as exc:
        raise TranslationError([f"{path}: cannot be read ({exc.strerror or exc})"]) from exc
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return _read_xliff(path, raw)
    return _read_po(path, raw)


def _read_xliff(path: Path, raw: bytes) -> list[Translation]:
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise TranslationError([f"{path}: not well-formed XML ({exc})"]) from exc
    if root.tag != _q("xliff") or not str(root.get("version", "")).startswith("2."):
        raise TranslationError([f"{path}: not an XLIFF 2.0 file (namespace {XLIFF_NS})"])
    if root.get("srcLang") != SOURCE_LANG:
        raise TranslationError([f"{path}: srcLang is {root.get('srcLang')!r}, not 'nb'"])
    lang = str(root.get("trgLang") or "")
    out = []
    for unit in root.iter(_q("unit")):
        uid = str(unit.get("id") or "").replace(".", "/")
        sources, targets = [], []
        for part in unit:
            if part.tag in (_q("segment"), _q("ignorable")):
                source, target = part.find(_q("source")), part.find(_q("target"))
                sources.append("".join(source.itertext()) if source is not None else "")
                targets.append("".join(target.itertext()) if target is not None else "")
        out.append(Translation(lang, uid, "".join(targets), "".join(sources)))
    return out


def _read_po(path: Path, raw: bytes) -> list[Translation]:
    try:
        catalog = read_po(io.BytesIO(raw), abort_invalid=True)
    except (PoFileError, ValueError, UnicodeDecodeError) as exc:
        raise TranslationError([f"{path}: not a PO file Babel can read ({exc})"]) from exc
    lang = str(catalog.locale) if catalog.locale else ""
    out = []
    for message in catalog:
        if not message.id:
            continue  # the header
        uid = message.context or ""
        text = message.string if isinstance(message.string, str) else None
        if message.fuzzy:
            text = None  # gettext ignores fuzzy entries: so do we
        out.append(
            Translation(lang, uid, text, message.id if isinstance(message.id, str) else None)
        )
    return out


def import_files(course_dir: Path, paths: list[Path]) -> ImportResult:
    """Put the translations in `paths` into the course's YAML files. Raises TranslationError
    (and writes nothing) for an unknown unit id or language; a missing translation is listed
    and leaves the text alone."""
    texts = course_texts(course_dir)
    units = texts.by_id()
    problems: list[str] = []
    result = ImportResult()
    wanted: dict[tuple[str, str], str] = {}
    for path in paths:
        found = read_translations(Path(path))
        langs = {t.lang for t in found}
        for lang in sorted(langs):
            if lang == SOURCE_LANG or lang not in texts.languages:
                problems.append(
                    f"{path}: the target language {lang!r} is not one of the course's "
                    f"translated languages ({', '.join(x for x in texts.languages if x != SOURCE_LANG)})"
                )
        for t in found:
            unit = units.get(t.unit_id)
            if unit is None:
                problems.append(f"{path}: no text has the id {t.unit_id!r}")
                continue
            if t.lang == SOURCE_LANG or t.lang not in texts.languages:
                continue
            if _missing(t.text):
                result.missing.append((t.lang, t.unit_id))
                continue
            if t.source is not None and t.source != unit.source:
                result.stale.append((t.lang, t.unit_id))
            if unit.texts.get(t.lang) != t.text:
                wanted[(t.lang, t.unit_id)] = t.text  # type: ignore[assignment]
    if problems:
        raise TranslationError(problems)
    edits: dict[str, list[tuple[Unit, str, str]]] = {}
    for (lang, uid), text in wanted.items():
        unit = units[uid]
        edits.setdefault(unit.file, []).append((unit, lang, text))
        result.changed.append((lang, uid))
    new_bytes = {rel: _edit_file(texts.raw[rel], rel, items) for rel, items in edits.items()}
    result.written = _write_all(texts.course_dir, new_bytes)
    return result


def _write_all(course_dir: Path, files: dict[str, bytes]) -> list[Path]:
    """Write every file or none: all go to temporary files first, then each is renamed over
    its original (a rename cannot leave a half-written file)."""
    temps: list[tuple[str, Path]] = []
    try:
        for rel, data in files.items():
            target = course_dir / rel
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, target.stat().st_mode & 0o7777)
            temps.append((rel, Path(tmp)))
    except OSError as exc:
        for _, tmp in temps:
            tmp.unlink(missing_ok=True)
        raise TranslationError([f"nothing was written: {exc.strerror or exc}"]) from exc
    for rel, tmp in temps:
        os.replace(tmp, course_dir / rel)
    return [course_dir / rel for rel, _ in temps]


# -- editing YAML as text --------------------------------------------------------------------


def _find(node: Node, path: YPath) -> MappingNode:
    for key in path:
        if isinstance(node, MappingNode):
            node = next(v for k, v in node.value if k.value == key)
        elif isinstance(node, SequenceNode) and isinstance(key, int):
            node = node.value[key]
        else:  # pragma: no cover - the path comes from the same file's data
            raise KeyError(key)
    assert isinstance(node, MappingNode)
    return node


def _escaped(ch: str) -> bool:
    """Characters PyYAML reads as a line break (NEL, LS, PS) or refuses in a file."""
    return ch in "\x85\u2028\u2029\ufeff\ufffe\uffff" or "\x7f" <= ch <= "\x9f"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: JSON's escapes (JSON is a subset of YAML 1.2), plus the
    characters where YAML differs."""
    out = json.dumps(text, ensure_ascii=False)
    return "".join(f"\\u{ord(ch):04x}" if _escaped(ch) else ch for ch in out)


def _literal(text: str, indent: int, nl: str) -> str:
    lines = text.split("\n")
    return "|-" + "".join(nl + (" " * indent + line if line else "") for line in lines)


def _folded(text: str, indent: int, nl: str, width: int = 96) -> str:
    lines, line = [], ""
    for word in text.split(" "):
        if line and indent + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ">-" + "".join(nl + " " * indent + x for x in lines)


def _reads_back(rendered: str, text: str) -> bool:
    doc = load_yaml_bytes(f"k: {rendered}\n".encode(), "check")
    return doc.ok and isinstance(doc.data, dict) and doc.data.get("k") == text


def _render(text: str, indent: int, block: bool, style: str | None, nl: str) -> str:
    """The new scalar, in the style nearest the old one that reads back as exactly `text`
    (`block`: a block style may be used, i.e. nothing follows the value on its line)."""
    candidates = []
    if block and "\n" in text:
        candidates.append(_literal(text, indent, nl))
    elif block and style in (">", "|") and len(text) + indent > 96:
        candidates.append(_folded(text, indent, nl))
    for candidate in candidates:
        if not text.startswith((" ", "\n")) and _reads_back(candidate.replace(nl, "\n"), text):
            return candidate
    return _quoted(text)


def _edit_file(raw: bytes, rel: str, items: list[tuple[Unit, str, str]]) -> bytes:
    """The file with each (unit, language, text) written in; checked by parsing it again."""
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    nl = "\r\n" if "\r\n" in text else "\n"
    root = compose_text(text)
    assert root is not None
    splices: list[tuple[int, int, int, str]] = []
    for unit, lang, new in items:
        start, end, replacement = _splice(text, _find(root, unit.path), lang, new, nl)
        splices.append((start, LANGUAGES.index(lang), end, replacement))
    # from the end backwards, so earlier offsets stay right; at one place, en before nn
    for start, _, end, replacement in sorted(splices, reverse=True):
        text = text[:start] + replacement + text[end:]
    out = ("\ufeff" if bom else "") + text
    _check(out.encode(), rel, raw, items)
    return out.encode()


def _splice(text: str, mapping: MappingNode, lang: str, new: str, nl: str) -> tuple[int, int, str]:
    """(start, end, replacement) that sets `lang` in a language map to `new`."""
    pairs = {k.value: (k, v) for k, v in mapping.value}
    block = not mapping.flow_style
    if lang in pairs:
        key, value = pairs[lang]
        assert isinstance(value, ScalarNode)
        start, end = value.start_mark.index, value.end_mark.index
        if value.style in ("|", ">"):  # keep the blank lines and comments after the block
            end = start + len(text[start:end].rstrip())
        eol = text.find("\n", end)
        alone = not text[end : len(text) if eol == -1 else eol].strip()
        return start, end, _render(new, key.start_mark.column + 2, block and alone, value.style, nl)
    # not there yet: after the language before it (nb, nn, en order), else after the last
    order = [x for x in LANGUAGES if x in pairs and LANGUAGES.index(x) < LANGUAGES.index(lang)]
    key, value = pairs[order[-1]] if order else mapping.value[-1]
    at = value.end_mark.index
    if not block:
        return at, at, f", {lang}: {_quoted(new)}"
    column = key.start_mark.column
    entry = " " * column + f"{lang}: " + _render(new, column + 2, True, None, nl)
    if at > 0 and text[at - 1] == "\n":  # a block scalar ends after its line break
        return at, at, entry + nl
    eol = text.find("\n", at)
    if eol == -1:
        return len(text), len(text), nl + entry
    if text[eol - 1 : eol] == "\r":
        eol -= 1
    return eol, eol, nl + entry


def _set(data: Any, path: YPath, lang: str, new: str) -> None:
    for key in path:
        data = data[key]
    data[lang] = new


def _check(new: bytes, rel: str, old: bytes, items: list[tuple[Unit, str, str]]) -> None:
    """The edited file must hold exactly the old data with the new texts: nothing else moved."""
    before, after = load_yaml_bytes(old, rel), load_yaml_bytes(new, rel)
    for unit, lang, text in items:
        _set(before.data, unit.path, lang, text)
    if not after.ok or after.data != before.data:
        raise TranslationError([f"{rel}: editing the file went wrong; nothing was written"])
