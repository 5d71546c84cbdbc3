"""Validation problems as values: collected, sorted and reported together, never raised one by one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or doubtful) in a course file, with where it is and how to fix it."""

    file: str
    line: int  # 1-based; 0 when the problem concerns the whole file
    column: int  # 1-based; 0 when unknown
    code: str  # E0xx = error, W0xx = warning (see docs/course-format.md)
    path: str  # where inside the document, e.g. "nodes[3].choices[1].next"
    message: str
    hint: str = ""
    where: str = ""  # the ids on the way, e.g. "node 'etter-timen', choice 'lov-taushet'"

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        label = f" ({self.where})" if self.where else ""
        path = f" {self.path}{label}:" if self.path else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}: {self.code}{path} {self.message}{hint}"


class CourseInvalid(Exception):
    """Raised by import when a course has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems if p.is_error))
