"""The completion report as CSV and XLSX: the same columns as the page, no choices."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

Table = tuple[Sequence[str], list[list[str | int | None]]]

# A cell starting with one of these is a formula to a spreadsheet: a name like "=HYPERLINK(…)"
# must arrive as text (CSV injection), so it gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str | int | None) -> str | int | None:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads æ, ø and å right when opened directly."""
    header, rows = table
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, sheet_title: str) -> bytes:
    header, rows = table
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=sheet_title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
