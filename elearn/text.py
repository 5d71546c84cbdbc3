"""Plain-text hygiene for what people type into forms, shared by the rooms' forms."""

from __future__ import annotations


def one_line(value: str | None) -> str:
    """A name on one line: runs of white space (line breaks, tabs) become one space and other
    control characters go. Names stand in mail subjects, where a line break is refused, and on
    certificates; PostgreSQL refuses a NUL outright (a 500 instead of a saved form)."""
    kept = "".join(ch for ch in value or "" if ch.isspace() or ch.isprintable())
    return " ".join(kept.split())
