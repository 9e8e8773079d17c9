"""What a file may cost before it is read: files that are not tables named, archives and sheets measured.

A spreadsheet reader allocates every cell of a sheet's span (the rows down to the last cell holding a value,
times the columns across to the furthest one), whatever lies between. A file of a few kilobytes can claim
billions: one value at XFD1048576 in an XLSX, or ``number-rows-repeated="1048576"`` in an ODS. Each sheet
is measured here first, from its XML, and refused when its span is over ``MAX_CELLS``, or large and
out of all proportion to the values it holds. So memory stays proportional to the data, never to what a
file claims.

- XLSX: the sheet's ``<dimension>`` is taken as a claim and checked in one pass (a value beyond its column,
  or the last row with a value); only a sheet that breaks or exceeds its claim is scanned cell by cell.
- ODS: rows and cells are expanded as the reader expands them (repeats count where a value follows them).
- XLS (BIFF8) cannot span more than 65,536 rows of 256 columns, within ``MAX_CELLS``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lm3.errors import InputError

READS = "lm3 reads CSV, Excel (XLSX, XLS), ODS, or a ZIP of them"

_FORMATS = (
    (re.compile(rb"^%PDF"), "a PDF"),
    (re.compile(rb"^\s*(?:<!doctype html|<html|<\?xml[^>]*>\s*<html)", re.I), "an HTML page"),
    (re.compile(rb"^\{\\rtf"), "an RTF document"),
)
_IN_ARCHIVE = (("word/document.xml", "a Word document"), ("ppt/presentation.xml", "a PowerPoint file"))
# an archive may expand this much before it is opened (a council's year is well under it), and no more than
# this many times its size once it is large: what a ZIP bomb does, a spreadsheet never needs
MAX_EXPANDED = 4 << 30
MAX_RATIO = 200
# cells a sheet may span (rows times columns): the reader allocates each one, about 40 bytes. A million
# rows of 60 columns is within it.
MAX_CELLS = 64_000_000
# a span this large must be mostly values: a sheet spanning 100 times more cells than it holds is a claim,
# not a table (a real sheet's empty cells are a fraction of its span)
MAX_EMPTY_SPAN = 16_000_000
MAX_SPAN_PER_VALUE = 100

_BLOCK = 1 << 22


def refuse_what_is_not_a_table(head: bytes, label: str) -> None:
    """A PDF, an HTML page or an RTF document saved as ``.csv`` named as such (``head``: its first bytes,
    after any byte-order mark)."""
    for pattern, what in _FORMATS:
        if pattern.match(head):
            raise InputError(
                f"{label}: this is {what}, not a table: {READS}. Export the table from the system that made "
                "it as CSV or Excel.",
                code="not-a-table",
            )


def check_archive(source: Path | bytes, label: str) -> dict[str, ErrorCells]:
    """A ZIP (or XLSX, ODS) checked before it is opened: what it holds, how far it expands, how many cells
    its sheets span. Returns each XLSX worksheet's error cells, by its path in the archive."""
    found: dict[str, ErrorCells] = {}
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            for name, what in _IN_ARCHIVE:
                if name in names:
                    raise InputError(f"{label}: this is {what}, not a table: {READS}.", code="not-a-table")
            expanded = sum(m.file_size for m in members)
            packed = sum(m.compress_size for m in members) or 1
            if expanded > MAX_EXPANDED or (expanded > (64 << 20) and expanded > MAX_RATIO * packed):
                raise InputError(
                    f"{label}: expands to {expanded / 2**20:,.0f} MB from {packed / 2**20:,.1f} MB: too large "
                    "to open safely (a spend file expands about 5 to 20 times). Check the file; unzip it and give "
                    "the table inside if it is real.",
                    code="archive-too-large",
                )
            sheets = [
                m for m in members if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml")
            ]
            found = {m.filename: {} for m in sheets}
            with ThreadPoolExecutor(max_workers=min(len(sheets), os.cpu_count() or 1) or 1) as pool:
                # inflating frees the GIL
                spans = list(pool.map(lambda m: _xlsx_span(archive, m, found[m.filename]), sheets))
            for m, (rows, columns, values) in zip(sheets, spans, strict=True):
                _refuse_span(rows, columns, values, f"{label}: a sheet ({m.filename})")
            for m in members:
                if m.filename == "content.xml" and "mimetype" in names:
                    for table, (rows, columns, values) in _ods_spans(archive.read(m)).items():
                        _refuse_span(rows, columns, values, f"{label}: sheet {table!r}")
    except zipfile.BadZipFile:
        return {}  # the readers say what is wrong with it
    return {name: cells for name, cells in found.items() if cells}


def _too_large(rows: int, columns: int, values: int) -> bool:
    span = rows * columns
    return span > MAX_CELLS or (span > MAX_EMPTY_SPAN and span > MAX_SPAN_PER_VALUE * max(values, 1))


def _refuse_span(rows: int, columns: int, values: int, where: str) -> None:
    if _too_large(rows, columns, values):
        span = rows * columns
        raise InputError(
            f"{where} has values as far as {column_letters(columns)}{rows} ({span:,} cells to read for "
            f"{values:,} values; a sheet may span {MAX_CELLS:,}, and a large one must be mostly values). Delete "
            "what lies beyond the table, or save the sheet again as CSV.",
            code="sheet-too-large",
        )


def column_number(letters: bytes) -> int:
    """A column's number from its letters: A is 1, Z 26, AA 27, XFD 16,384."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def column_letters(number: int) -> str:
    """A column's letters from its number (``column_number``'s inverse)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# a cell holding a value: its opening tag is not self-closing (``<c r="B7" s="1"/>`` is formatting only,
# which the reader skips)
_VALUE_CELL = rb'<c r="(%s)(\d+)"[^>]*(?<!/)>'
_ANY_VALUE_CELL = re.compile(_VALUE_CELL % rb"[A-Z]+")
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]+)(\d+)"')


def _columns_after(letters: bytes) -> re.Pattern[bytes]:
    """A valued cell in any column after ``letters``: more letters, or as many and later in the alphabet."""
    longer = rb"[A-Z]{%d,}" % (len(letters) + 1)
    later = [
        letters[:i] + b"[%c-Z]" % (letters[i] + 1) + (rb"[A-Z]{%d}" % (len(letters) - i - 1))
        for i in range(len(letters))
        if letters[i] < ord("Z")
    ]
    return re.compile(_VALUE_CELL % b"|".join([longer, *later]))


def _chunks(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """A member's bytes in blocks, each starting with the end of the one before, so a tag cut at a block's
    end is whole in the next."""
    tail = b""
    with archive.open(member) as f:
        while block := f.read(_BLOCK):
            yield tail + block
            tail = block[-256:]


def _last_value_row(chunk: bytes) -> int:
    """The row of the last cell holding a value in ``chunk`` (cells come in order), or 0."""
    at = len(chunk)
    while (at := chunk.rfind(b'<c r="', 0, at)) >= 0:
        found = _ANY_VALUE_CELL.match(chunk, at)
        if found:
            return int(found.group(2))
    return 0


# a cell holding an Excel error (#N/A, #DIV/0!...): the spreadsheet reader gives it as an empty cell, so it is
# found here, in the same pass, and put back (``ErrorCells``), so that an error is never read as a blank
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"[^>]*? t="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>'
)
ErrorCells = dict[tuple[int, int], str]  # (row, column), from 0: the error's text


def _xlsx_span(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, errors: ErrorCells | None = None
) -> tuple[int, int, int]:
    """Rows, columns and values of an XLSX worksheet, as the reader will lay it out. One pass checks the
    columns its ``<dimension>`` claims (no value beyond them), finds its last row with a value, and collects
    its error cells into ``errors``; a sheet that breaks its claim, or claims too much, is measured cell by
    cell."""
    with archive.open(member) as f:
        dimension = _DIMENSION.search(f.read(4096))
    claim = dimension.group(1) if dimension else b"Z"
    beyond = _columns_after(claim)
    rows = 0
    broken = False
    for chunk in _chunks(archive, member):
        rows = max(rows, _last_value_row(chunk))
        broken = broken or beyond.search(chunk) is not None
        if errors is not None and b' t="e"' in chunk:
            for letters, row, text in _ERROR_CELL.findall(chunk):
                errors[(int(row) - 1, column_number(letters) - 1)] = text.decode("utf-8", "replace")
    columns = column_number(claim)
    if not broken and rows * columns <= MAX_EMPTY_SPAN:
        return rows, columns, rows * columns  # small enough whatever it holds
    columns = values = 0
    for chunk in _chunks(archive, member):
        letters = {m.group(1) for m in _ANY_VALUE_CELL.finditer(chunk)} if broken else {claim}
        columns = max(columns, *map(column_number, letters), 0)
        values += chunk.count(b"<v>") + chunk.count(b"<is>")
    return rows, columns, values


_ODS_TOKEN = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>")
_ODS_REPEAT = re.compile(rb'number-(?:rows|columns)-repeated="(\d+)"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')


def _ods_spans(xml: bytes) -> dict[str, tuple[int, int, int]]:
    """Rows, columns and values of each table of an ODS ``content.xml``, as the reader expands them: a
    repeated row or cell counts when a value is in it or after it (trailing empty repeats are dropped)."""
    spans: dict[str, tuple[int, int, int]] = {}
    name = ""
    rows = last_row = width = values = 0
    repeat = column = row_width = 0
    row_has_value = False
    for close, kind, attrs, empty in _ODS_TOKEN.findall(xml):
        if kind == b"table-cell" or kind == b"covered-table-cell":
            if close:
                continue
            count = int(found.group(1)) if (found := _ODS_REPEAT.search(attrs)) else 1
            column += count
            if not empty or b"value-type" in attrs:
                row_width, row_has_value = column, True
                values += count * repeat
        elif kind == b"table-row":
            if close:
                rows += repeat
                if row_has_value:
                    last_row, width = rows, max(width, row_width)
            else:
                count = int(found.group(1)) if (found := _ODS_REPEAT.search(attrs)) else 1
                if empty:
                    rows += count
                else:
                    repeat, column, row_width, row_has_value = count, 0, 0, False
        elif kind == b"table" and not empty:
            if close:
                spans[name] = (last_row, width, values)
            else:
                found = _ODS_NAME.search(attrs)
                name = found.group(1).decode("utf-8", "replace") if found else f"{len(spans) + 1}"
                rows = last_row = width = values = 0
    return spans
