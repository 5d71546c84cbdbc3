"""The shape of the code, held by tests: imports go one way (app/extension → rooms → core), the
core and the package builder load no web framework, and elearn's own modules are imported at
module level (where the dependency is visible), not tucked inside functions."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from elearn.message_catalogues import ROOMS  # the one list of rooms

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("elearn", "scorm_export")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.parts
    }


def _resolve(module: str, names: list[str], known: dict[str, Path]) -> set[str]:
    """The project modules an import statement names: `from a.b import c, d` is a.b.c and a.b.d
    where those are modules, else a.b. (Parent packages are not counted: a package whose
    __init__ imports its own submodules is Python's normal package face, not a cycle.)"""
    found = {f"{module}.{n}" for n in names if f"{module}.{n}" in known}
    if not found and module in known:
        found.add(module)
    return found


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _module_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (not those under `if TYPE_CHECKING:`)."""
    out: list[ast.Import | ast.ImportFrom] = []
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            todo.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            todo.extend(node.body + node.orelse + node.finalbody)
    return out


def import_graph() -> dict[str, set[str]]:
    """{module: the project modules it imports at module level}, read from the source."""
    known = _sources()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        edges: set[str] = set()
        for node in _module_level_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                edges |= _resolve(node.module, [a.name for a in node.names], known)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    edges |= _resolve(alias.name, [], known)
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (each is an import cycle)."""
    sys.path.insert(0, str(ROOT))
    from elearn.core.walk import strongly_connected

    comps = strongly_connected(sorted(graph), lambda m: sorted(graph[m]))
    return [sorted(c) for c in comps if len(c) > 1]


def test_the_import_graph_has_no_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50, "the graph was read from the source"
    assert cycles(graph) == []


def test_a_planted_cycle_is_found() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def _room(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "elearn" and parts[1] in ROOMS else None


def test_imports_go_one_way() -> None:
    """The core imports no room and nothing of the web; no room imports the front door."""
    graph = import_graph()
    front = {"elearn.extension", "elearn.app", "elearn.cli", "elearn"}
    for module, edges in graph.items():
        if module.startswith("elearn.core"):
            assert all(e.startswith("elearn.core") or e == "elearn" for e in edges), (module, edges)
        if _room(module):
            assert not edges & front, f"{module} imports the front door: {edges & front}"
        if module.startswith("scorm_export"):
            # The builder stands on the core and on the interface-string catalogues (plain
            # files read with Babel, no web); only the vectors, a dev tool, read more.
            outside = {
                e
                for e in edges
                if e.startswith("elearn")
                and not e.startswith("elearn.core")
                and e != "elearn.message_catalogues"
            }
            # The vectors hold the packages to the platform's own player and statement code.
            allowed = {"elearn", "elearn.content", "elearn.tracking", "elearn.player"}
            assert module == "scorm_export.vectors" or not outside, (module, outside)
            assert {_prefix(e) for e in outside} <= allowed, (module, outside)


def _prefix(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_own_modules_are_imported_at_module_level() -> None:
    """An import of elearn's own code inside a function hides a dependency (usually a cycle);
    the few that must stay say why on the line above."""
    hidden = []
    for name, path in _sources().items():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.ImportFrom) and (sub.module or "").split(".")[0] in PACKAGES:
                    reason = lines[sub.lineno - 2].strip()
                    if not reason.startswith("#"):
                        hidden.append(f"{path.relative_to(ROOT)}:{sub.lineno} ({name})")
    assert hidden == []


@pytest.mark.parametrize(
    "modules",
    [
        ["elearn.core", "elearn.core.engine", "elearn.core.rules", "elearn.core.walk"],
        ["elearn.core.hashing", "elearn.core.conditions", "elearn.core.constants"],
        ["scorm_export", "scorm_export.builder", "scorm_export.formats", "scorm_export.messages"],
    ],
)
def test_the_core_and_the_package_builder_load_no_web_framework(modules: list[str]) -> None:
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(out.stdout))
    assert "elearn" in loaded  # the test really imported something
    assert not loaded & {"flask", "sqlalchemy", "flask_login", "flask_wtf", "werkzeug", "tincan"}
