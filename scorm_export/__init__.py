"""The package builder: a validated, compiled course in, an LMS package (zip bytes) out.

Pure Python with no Flask dependency, so the CLI, the admin download page and tests can all call
it. Formats: SCORM 1.2, SCORM 2004 4th edition, cmi5, xAPI (TinCan) and an offline HTML bundle;
every package plays the compiled course with the same small JavaScript runtime
(`scorm_export/runtime/`), which mirrors `elearn.core` (the engine and the course rules) (held to it by shared test
vectors, see `scorm_export.vectors`). See docs/export.md.
"""

from __future__ import annotations

from scorm_export.builder import build_package, package_filename
from scorm_export.formats import FORMATS, ExportError

__all__ = ["FORMATS", "ExportError", "build_package", "package_filename"]
