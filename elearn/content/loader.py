"""Safe YAML loading that remembers where every value came from.

Course files are written by people, so every later check must be able to say *where* a problem
is. PyYAML's composer gives a node tree with positions; we turn it into plain Python data
ourselves (never via PyYAML's constructors, so no tag can create an object) and record, for
every path of keys and indices, the 1-based (line, column) of the value and of its key.

Scalars follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 rules: `no`, `yes`, `on`,
`off` and dates stay text, which matters for a Norwegian platform whose language code is `no`.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from elearn.content.problems import Problem

try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml
    _CParser = None

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 40
MAX_NODES = 10_000
USE_LIBYAML = True  # the pure-Python parser is used when False or when libyaml is missing

YPath = tuple[str | int, ...]
Position = tuple[int, int]

_IMPLICIT = "!elearn/implicit"  # what our resolver answers: "no explicit tag was written"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")


def display_path(path: Path) -> str:
    """A file name as authors want to see it: relative to where they run the command."""
    absolute = Path(os.path.abspath(path))
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def path_str(path: YPath) -> str:
    """("nodes", 3, "choices", 1, "next") -> "nodes[3].choices[1].next"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Document:
    """One YAML file: its data (None when unusable), positions, and the problems found loading it."""

    file: str
    data: Any = None
    ok: bool = False  # data is usable for further checks
    values: dict[YPath, Position] = field(default_factory=dict)
    keys: dict[YPath, Position] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: YPath, at_key: bool = False) -> Position:
        """Where `path` is written; the nearest enclosing value when it is not (a missing field)."""
        if at_key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (0, 0))

    def problem(
        self, path: YPath, code: str, message: str, hint: str = "", *, at_key: bool = False
    ) -> Problem:
        line, column = self.position(path, at_key)
        return Problem(
            self.file, line, column, code, path_str(path), message, hint, self.where(path)
        )

    def where(self, path: YPath) -> str:
        """The ids of the nodes, choices and job aids `path` passes through, so an author finds
        the place by name as well as by line."""
        labels = []
        value = self.data
        for key, nxt in zip(path, (*path[1:], None), strict=False):
            value = _step(value, key)
            if isinstance(nxt, int) and key in _NAMED_LISTS:
                item = _step(value, nxt)
                item_id = item.get(_NAME_KEY.get(key, "id")) if isinstance(item, dict) else None
                if isinstance(item_id, str):
                    labels.append(f"{_NAMED_LISTS[key]} '{item_id}'")
            if value is None:
                break
        return ", ".join(labels)


_NAMED_LISTS = {"nodes": "node", "choices": "choice", "job_aids": "job aid", "tests": "test"}
_NAME_KEY = {"tests": "name"}  # course tests are known by their name, not an id


def _step(value: Any, key: str | int) -> Any:
    if isinstance(value, dict) and isinstance(key, str):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return None


class _LimitError(Exception):
    """A file exceeds a safety limit (E002); aborts loading that file."""

    def __init__(
        self, message: str, mark: yaml.Mark | None, path: YPath = (), *, aliased: bool = False
    ):
        super().__init__(message)
        self.message = message
        self.mark = mark
        self.path = path
        self.aliased = aliased


class _Unresolved:
    """Implicit tags are left unresolved: we resolve scalars ourselves, YAML 1.2 style."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        return _IMPLICIT

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


class _ComposerMixin(_Unresolved, Composer):
    """SafeLoader's composer with nesting depth limited while composing, so a file of ten
    thousand '[' cannot exhaust the Python stack."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if self.check_event(AliasEvent) or not self.check_event(
            SequenceStartEvent, MappingStartEvent
        ):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _LimitError(
                    f"the data is nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _PyComposer(_ComposerMixin, yaml.SafeLoader):
    """Pure-Python reader, scanner and parser (SafeLoader's own)."""


if _CParser is not None:

    class _CComposer(_Unresolved, _CParser):  # type: ignore[misc, valid-type]
        """libyaml's parser and composer, both in C (composing in Python took as long as the
        rest of the check together). The C composer recurses on the C stack, and libyaml stops
        at its own nesting limit (E002 as well); the 40-level limit is then applied by the
        builder, with the same message."""


def _composer(text: str) -> Any:
    if _CParser is not None and USE_LIBYAML:
        return _CComposer(text)
    return _PyComposer(text)


def _pos(mark: yaml.Mark) -> Position:
    return mark.line + 1, mark.column + 1


def _describe_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:") else tag


class _Builder:
    """Turns a composed node tree into plain data, expanding aliases under the node limit."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.count = 0
        self.fatal = False
        self.built: set[int] = set()  # ids of the nodes built: a second build is an alias
        self.aliased = False
        self.located: list[tuple[int, YPath]] = []  # (index in doc.problems, path) to name

    def report(self, problem: Problem, path: YPath) -> None:
        """Add a problem found while building; its node and choice ids are filled in once the
        whole tree is built (`name_places`), since they may be written after the problem."""
        self.located.append((len(self.doc.problems), path))
        self.doc.problems.append(problem)

    def name_places(self, data: Any) -> None:
        saved, self.doc.data = self.doc.data, data
        for index, path in self.located:
            problem = self.doc.problems[index]
            self.doc.problems[index] = replace(problem, where=self.doc.where(path))
        self.doc.data = saved

    def _fail(self, node: Node, message: str, hint: str, path: YPath) -> None:
        line, column = _pos(node.start_mark)
        self.report(
            Problem(self.doc.file, line, column, "E012", path_str(path), message, hint), path
        )
        self.fatal = True

    def _bad_tag(self, node: Node, path: YPath) -> None:
        self._fail(
            node,
            f"the tag {_describe_tag(node.tag)} is not supported",
            "remove the tag: course files hold only text, numbers, true/false, lists and mappings",
            path,
        )

    def build(self, node: Node, path: YPath, depth: int) -> Any:
        self.count += 1
        seen = id(node)
        if seen in self.built:
            self.aliased = True
        else:
            self.built.add(seen)
        if self.count > MAX_NODES:
            raise _LimitError(
                f"the file expands to more than {MAX_NODES:,} values through its aliases (*name)"
                if self.aliased
                else f"the file holds more than {MAX_NODES:,} values",
                node.start_mark,
                path,
                aliased=self.aliased,
            )
        if depth > MAX_DEPTH:
            raise _LimitError(
                f"the data is nested more than {MAX_DEPTH} levels deep", node.start_mark, path
            )
        mark = node.start_mark
        self.doc.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, SequenceNode):
            if node.tag not in (_IMPLICIT, _SEQ_TAG):
                self._bad_tag(node, path)
                return None
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            if node.tag not in (_IMPLICIT, _MAP_TAG):
                self._bad_tag(node, path)
                return None
            return self.mapping(node, path, depth)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def scalar(self, node: ScalarNode, path: YPath) -> Any:
        if node.tag == _STR_TAG or node.style:  # quoted or block scalars are always text
            return node.value
        if node.tag != _IMPLICIT:
            self._bad_tag(node, path)
            return None
        return resolve_plain(node.value)

    def mapping(self, node: MappingNode, path: YPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            self.count += 1
            if not isinstance(key_node, ScalarNode):
                self._fail(
                    key_node,
                    "a key must be plain text, not a list or mapping",
                    "write the key as a simple name, e.g. `title:`",
                    path,
                )
                continue
            if key_node.tag not in (_IMPLICIT, _STR_TAG):
                self._bad_tag(key_node, path)
                continue
            key = key_node.value
            if key == "<<" and not key_node.style:
                self._fail(
                    key_node,
                    "merge keys (<<) are not supported",
                    "write the fields out in full; an alias (*name) may still stand for a whole value",
                    (*path, key),
                )
                continue
            mark = key_node.start_mark
            line, column = mark.line + 1, mark.column + 1
            if key in first_line:
                self.report(
                    Problem(
                        self.doc.file,
                        line,
                        column,
                        "E003",
                        path_str((*path, key)),
                        f"the key '{key}' appears twice in this mapping",
                        f"it is first given on line {first_line[key]}; keep only one",
                    ),
                    (*path, key),
                )
                continue
            first_line[key] = line
            self.doc.keys[(*path, key)] = (line, column)
            out[key] = self.build(value_node, (*path, key), depth + 1)
        return out


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar under the YAML 1.2 core schema; anything else is text."""
    first = text[:1]
    if first.isalpha() and first not in "nNtTfF":  # no null, bool or number starts so
        return text
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    inf = _INF.match(text)
    if inf:
        return float(f"{inf.group(1)}inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _line_col(text: str, offset: int) -> Position:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _fail(doc: Document, problem: Problem) -> Document:
    doc.problems.append(problem)
    doc.data, doc.ok = None, False
    return doc


def _too_large(size: int, file: str) -> Problem:
    """A whole-file problem (line 0), with the file's real size so the author sees how far over."""
    shown = f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size // 1024} KiB"
    return Problem(
        file,
        0,
        0,
        "E002",
        "",
        f"the file is {shown}; at most {MAX_FILE_BYTES // 1024} KiB are allowed",
        "split the scenario into smaller ones",
    )


def _decode(raw: bytes, file: str) -> str | Problem:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = raw[: exc.start].decode("utf-8", errors="replace")
        line, column = _line_col(bad, len(bad))
        return Problem(
            file,
            line,
            column,
            "E001",
            "",
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            "save the file with UTF-8 encoding",
        )


_LIMITS_HINT = "simplify the file: at most 40 levels of nesting and 10,000 values"


def _limit_problem(doc: Document, exc: _LimitError) -> Problem:
    """Where the limit was passed; through aliases, the top-level entry that expanded (the
    place inside an alias is written elsewhere, so it would mislead)."""
    line, column = _pos(exc.mark) if exc.mark is not None else (1, 1)
    where = exc.path
    if exc.path and exc.aliased:
        where = exc.path[:1]
        line, column = doc.position(where, at_key=True)
    return Problem(doc.file, line, column, "E002", path_str(where), exc.message, _LIMITS_HINT)


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = _pos(mark) if mark is not None else (1, 1)
    message = " ".join(part for part in (exc.context, exc.problem) if part)
    if "maximum nesting depth" in message:  # libyaml's own limit, met before ours
        return Problem(
            file,
            line,
            column,
            "E002",
            "",
            f"the data is nested more than {MAX_DEPTH} levels deep",
            _LIMITS_HINT,
        )
    return Problem(
        file,
        line,
        column,
        "E001",
        "",
        f"the YAML cannot be parsed: {message or exc}",
        "check the indentation and quoting near this place",
    )


def _reader_problem(file: str, text: str, exc: yaml.YAMLError) -> Problem:
    """ReaderError: control characters and the like."""
    offset = getattr(exc, "position", None)
    line, column = _line_col(text, offset) if isinstance(offset, int) else (1, 1)
    character = getattr(exc, "character", None)
    code = f" (#x{character:04x})" if isinstance(character, int) else ""
    return Problem(
        file,
        line,
        column,
        "E001",
        "",
        f"the file contains a character YAML does not allow{code}",
        "remove control characters from the file",
    )


def _parse(doc: Document, text: str) -> Document:
    loader = _composer(text)
    try:
        root = loader.get_single_node()
        builder = _Builder(doc)
        if root is None:
            doc.values[()] = (1, 1)
        else:
            doc.data = builder.build(root, (), 1)
            builder.name_places(doc.data)
        doc.ok = not builder.fatal
        if not doc.ok:
            doc.data = None
        return doc
    finally:
        loader.dispose()


def load_yaml_bytes(raw: bytes, file: str, size: int | None = None) -> Document:
    """Parse one file's bytes (`size`: the whole file's, when only the start was read); every
    failure becomes a Problem in the returned Document."""
    doc = Document(file)
    if len(raw) > MAX_FILE_BYTES:
        return _fail(doc, _too_large(max(size or 0, len(raw)), file))
    text = _decode(raw, file)
    if isinstance(text, Problem):
        return _fail(doc, text)
    try:
        return _parse(doc, text)
    except _LimitError as exc:
        return _fail(doc, _limit_problem(doc, exc))
    except yaml.MarkedYAMLError as exc:
        return _fail(doc, _syntax_problem(file, exc))
    except yaml.YAMLError as exc:
        return _fail(doc, _reader_problem(file, text, exc))


def not_a_file(path: Path) -> str | None:
    """Why `path` cannot be read as a course file ("does not exist", "is a folder", "is a named
    pipe (FIFO)" …), or None when it is a regular file. Never opens it: opening a FIFO blocks."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "does not exist"
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return f"is {kind}, not a file"


def load_yaml_file(path: Path) -> Document:
    """Read (at most one byte over the limit, so a huge file costs nothing) and parse a file."""
    file = display_path(path)
    why = not_a_file(path)
    if why is not None:
        doc = Document(file)
        doc.problems.append(
            Problem(
                file, 0, 0, "E004", "", f"the file {why}", "a course file must be a regular file"
            )
        )
        return doc
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
            size = os.fstat(fh.fileno()).st_size
    except OSError as exc:
        doc = Document(file)
        doc.problems.append(
            Problem(
                file,
                0,
                0,
                "E004",
                "",
                f"the file cannot be read: {exc.strerror or exc}",
                "check that the file exists and is readable",
            )
        )
        return doc
    return load_yaml_bytes(raw, file, size)


def compose_text(text: str) -> Node | None:
    """The node tree of a YAML text with each node's start and end marks as character offsets
    into `text` (the pure-Python parser, whose offsets count characters), for tools that edit
    a file in place (translation import). Tags are left unresolved, as in loading."""
    composer = _PyComposer(text)
    try:
        return composer.get_single_node()
    finally:
        composer.dispose()
