"""The completion report as CSV and XLSX: the same columns as the page, no choices."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

from openpyxl import Workbook

Cells = list[str | int | None]
# The header and the rows, which may come in chunks (a generator): a whole municipality's
# report is read and written a thousand people at a time.
Table = tuple[Sequence[str], Iterable[Cells]]

# A cell starting with one of these is a formula to a spreadsheet: a name like "=HYPERLINK(…)"
# must arrive as text (CSV injection), so it gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str | int | None) -> str | int | None:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table, extra: Table | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads æ, ø and å right when opened directly."""
    return b"".join(csv_chunks(table, extra))


def csv_chunks(table: Table, extra: Table | None = None, every: int = 1000) -> Iterator[bytes]:
    """The CSV file in pieces of `every` rows, for a streamed download: the first piece starts
    with the byte-order mark. `extra` (the sessions held), when it has rows, follows after one
    empty line."""
    out = io.StringIO()
    writer = csv.writer(out)
    first = True
    for i, (header, rows) in enumerate(t for t in (table, extra) if t is not None):
        rows = list(rows) if i else rows
        if i and not rows:
            break
        if i:
            writer.writerow([])
        writer.writerow(header)
        for n, row in enumerate(rows, 1):
            writer.writerow(["" if v is None else _safe(v) for v in row])
            if n % every == 0:
                yield out.getvalue().encode("utf-8-sig" if first else "utf-8")
                first = False
                out.seek(0)
                out.truncate()
    yield out.getvalue().encode("utf-8-sig" if first else "utf-8")


def to_xlsx(table: Table, sheet_title: str, extra: tuple[Table, str] | None = None) -> bytes:
    """One sheet per table: the completion rows, then (if given) the sessions held."""
    book = Workbook(write_only=True)
    for (header, rows), title in [(table, sheet_title), *([extra] if extra else [])]:
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
