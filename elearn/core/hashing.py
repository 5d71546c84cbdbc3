"""The course-version hash: the platform stores versions under it and every package and
statement carries it, so it must be the same bytes everywhere."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(value: Any) -> bytes:
    """The one byte form of a compiled course that its hash is taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def content_hash(compiled: dict[str, Any], assets: Mapping[str, bytes]) -> str:
    """sha256 over the canonical JSON, then each asset (sorted by path) as
    NUL, path (UTF-8), NUL, 8-byte big-endian length, bytes; the framing keeps it unambiguous."""
    digest = hashlib.sha256(canonical_json(compiled))
    for path in sorted(assets):
        data = assets[path]
        digest.update(b"\0" + path.encode() + b"\0" + len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()
