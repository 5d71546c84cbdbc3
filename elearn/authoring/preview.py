"""A course folder as the preview serves it: read from disk again whenever a file changes.

The fingerprint of a folder is a hash of every file's path, size and modification time: cheap
enough to compute on each poll of the browser (a few hundred files), so a save is noticed within
one poll and the folder is validated once per change, not once per request. Maps and path
figures are computed on first use and kept with the snapshot they belong to.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from elearn.authoring.paths import ScenarioPaths, explore_paths
from elearn.authoring.scenario_map import ScenarioMap, scenario_map
from elearn.content import LoadedCourse, ScenarioDraft, load_course
from elearn.core import engine, walk

WATCH_SECONDS = 0.1  # how often `flask elearn preview` looks for a saved file
MAX_FILES = 5000  # a course folder has tens of files; stop hashing a wrongly chosen folder


def fingerprint(folder: Path) -> str:
    """A hash that changes when any file in the folder is added, removed, resized or saved."""
    digest = hashlib.sha256()
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or count >= MAX_FILES:
                continue
            count += 1
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:  # removed while we looked: the next poll sees it gone
                continue
            digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


@dataclass
class Snapshot:
    """The folder as validated at one fingerprint, with what was computed from it since."""

    fingerprint: str
    loaded: LoadedCourse
    _cache: dict[Any, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cached(self, key: Any, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = make()
            return self._cache[key]

    @property
    def compiled(self) -> dict[str, Any] | None:
        return self.loaded.compiled

    def draft(self, scenario_id: str) -> ScenarioDraft | None:
        return next((d for d in self.loaded.drafts if d.compiled["id"] == scenario_id), None)

    def scenario(self, scenario_id: str) -> dict[str, Any] | None:
        """A playable scenario: only from a course without errors."""
        if self.compiled is None:
            return None
        return next((s for s in self.compiled["scenarios"] if s["id"] == scenario_id), None)

    def map(self, scenario_id: str, lang: str) -> ScenarioMap | None:
        draft = self.draft(scenario_id)
        if draft is None:
            return None
        return self.cached(
            ("map", scenario_id, lang), lambda: scenario_map(draft.compiled, draft.explored, lang)
        )

    def paths(self, scenario_id: str, lang: str) -> ScenarioPaths | None:
        scenario = self.scenario(scenario_id)
        if scenario is None:
            return None
        return self.cached(("paths", scenario_id, lang), lambda: explore_paths(scenario, lang))

    def path_to(self, scenario_id: str, node_id: str) -> list[str] | None:
        """The fewest choices from the start to a node, breadth first over the walker's state
        graph; None when no way leads there."""
        scenario = self.scenario(scenario_id)
        if scenario is None or node_id not in scenario["nodes"]:
            return None
        graph = self.cached(("graph", scenario_id), lambda: walk.state_graph(scenario))
        came: dict[str, tuple[str, str] | None] = {graph.start: None}
        queue = [graph.start]
        for key in queue:  # grows while read: breadth first
            if graph.states[key]["node"] == node_id:
                choices: list[str] = []
                while came[key] is not None:
                    key, choice = came[key]  # type: ignore[misc]
                    choices.append(choice)
                return choices[::-1]
            for choice, nxt in graph.moves[key]:
                if nxt not in came:
                    came[nxt] = (key, choice)
                    queue.append(nxt)
        return None


class CoursePreview:
    """One course folder being previewed (one per app, set by `flask elearn preview`)."""

    def __init__(self, course_dir: Path):
        self.course_dir = Path(course_dir).resolve()
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._watcher: threading.Thread | None = None

    def watch(self, interval: float = WATCH_SECONDS) -> None:
        """Validate again as soon as a file is saved, not when the browser next asks: the page's
        poll then finds the new fingerprint and its reload waits for (at most) the rest of a
        validation already under way. A daemon thread: it ends with the preview server."""
        if self._watcher is not None:
            return

        def loop() -> None:
            while True:
                self.current()
                time.sleep(interval)

        self._watcher = threading.Thread(target=loop, name="elearn-preview-watch", daemon=True)
        self._watcher.start()

    def fingerprint(self) -> str:
        return fingerprint(self.course_dir)

    def current(self) -> Snapshot:
        """The folder as it is now, validated again only if a file changed since last time."""
        now = self.fingerprint()
        with self._lock:
            if self._snapshot is None or self._snapshot.fingerprint != now:
                earlier = self._snapshot.loaded if self._snapshot else None
                self._snapshot = Snapshot(now, load_course(self.course_dir, earlier))
            return self._snapshot


def replay(scenario: dict[str, Any], choices: list[str]) -> engine.State | None:
    """The state after these choices (from the page's address), or None when they no longer
    fit the scenario (it was edited since the page was shown)."""
    try:
        return walk.replay(scenario, choices).final
    except (engine.InvalidChoice, KeyError):
        return None
