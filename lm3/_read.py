"""Reading tables from CSV and Excel files (or DataFrames), wherever the header row sits.

Every input (payments, supplier register, payroll, surveys) goes through ``read_table``: load the cells,
find the header row by the column names it expects (case, spacing and punctuation ignored), and return the
rows under it with the spreadsheet row number a person would see, so any problem can be pointed at.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lm3._errors import InputError

Source = str | Path | pd.DataFrame
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
HEADER_SEARCH_ROWS = 30


@dataclass(frozen=True)
class Field:
    """A column a reader looks for: its canonical name, how to describe it, and the headers it goes by."""

    name: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class Table:
    """Rows read from one source, under canonical column names, plus where each came from.

    ``data`` has one column per field found (values as read), ``row`` (the row number in the file as a
    person sees it) and nothing else. ``columns`` maps each field to the header text as it stands in the
    file (None when absent). ``label`` names the source in messages (the file name).
    """

    label: str
    sheet: str | None
    data: pd.DataFrame
    columns: dict[str, str | None]
    warnings: tuple[str, ...] = field(default=())


def header_key(text: object) -> str:
    """A header as compared with synonyms: "Net Amount (£)" -> "net amount", "% local" -> "percent local"."""
    s = str(text).casefold().replace("%", " percent ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def read_table(source: Source, fields: tuple[Field, ...], *, what: str, sheet: str | None = None) -> Table:
    """Read ``source`` (a CSV or Excel path, or a DataFrame) as the table ``what`` ("payments", ...).

    Raises InputError when the file is missing or unreadable, or no row holds the required headers; the
    message names the file, the headers found and the names each missing column may go by.
    """
    warnings: list[str] = []
    if isinstance(source, pd.DataFrame):
        label = f"the {what} table"
        grid = [list(map(str, source.columns)), *source.astype("object").values.tolist()]
        rows = list(range(1, len(grid) + 1))
        sheet_name = None
    else:
        path = Path(source)
        label = path.name
        if not path.is_file():
            raise InputError(f"{what.capitalize()} file not found: {path}. Check the path.")
        if path.suffix.lower() in EXCEL_SUFFIXES or _is_zip(path):
            grid, sheet_name, others = _excel_grid(path, sheet)
            rows = list(range(1, len(grid) + 1))
            if others:
                warnings.append(
                    f"{label}: read sheet {sheet_name!r} only; other sheets with data were not read: "
                    f"{', '.join(map(repr, others))}."
                )
        else:
            grid, rows = _csv_grid(path)
            sheet_name = None

    header_at, mapping = _find_header(grid, fields, label=label, what=what, sheet=sheet_name)
    header = grid[header_at]
    width = max((len(r) for r in grid), default=0)
    body = [list(r) + [""] * (width - len(r)) for r in grid[header_at + 1 :]]
    frame = pd.DataFrame(body, columns=range(width), dtype="object") if body else None
    data = pd.DataFrame(
        {f: (frame[i] if frame is not None else pd.Series(dtype="object")) for f, i in mapping.items()}
    )
    data["row"] = rows[header_at + 1 :] if body else []
    blank = data.drop(columns="row").map(_is_blank).all(axis=1)
    data = data[~blank].reset_index(drop=True)
    columns = {f.name: (str(header[mapping[f.name]]).strip() if f.name in mapping else None) for f in fields}
    return Table(label=label, sheet=sheet_name, data=data, columns=columns, warnings=tuple(warnings))


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def _is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04"


def _excel_grid(path: Path, sheet: str | None) -> tuple[list[list[object]], str, list[str]]:
    """The cells of the named sheet, or of the first sheet with data; and the other sheets with data."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as err:
        raise InputError(f"{path.name}: cannot be read as a spreadsheet ({err}).") from err
    names = book.sheet_names
    if sheet is not None:
        if sheet not in names:
            raise InputError(f"{path.name}: no sheet named {sheet!r}. Sheets: {', '.join(names)}.")
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False), sheet, []
    filled = {}
    for name in names:
        grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if any(not _is_blank(c) for r in grid for c in r):
            filled[name] = grid
    if not filled:
        raise InputError(f"{path.name}: every sheet is empty.")
    first, *others = filled
    return filled[first], first, others


def decode_text(raw: bytes) -> str:
    """Decode a CSV's bytes: UTF-8 (with a byte-order mark, even one encoded twice), else cp1252/latin-1."""
    for bom in (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf"):
        while raw.startswith(bom):
            raw = raw[len(bom) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


def _csv_grid(path: Path) -> tuple[list[list[object]], list[int]]:
    text = decode_text(path.read_bytes())
    sample = "\n".join(text.splitlines()[:20])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    grid: list[list[object]] = []
    rows: list[int] = []
    start = 1
    try:
        for record in reader:
            grid.append(list(record))
            rows.append(start)
            start = reader.line_num + 1
    except csv.Error as err:
        raise InputError(f"{path.name}: line {reader.line_num} cannot be read as CSV ({err}).") from err
    return grid, rows


def _find_header(
    grid: list[list[object]], fields: tuple[Field, ...], *, label: str, what: str, sheet: str | None
) -> tuple[int, dict[str, int]]:
    best: tuple[int, int, dict[str, int]] | None = None
    for i, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) if not _is_blank(c) else "" for c in row]
        if not any(keys):
            continue
        mapping = _match_fields(keys, fields)
        if all(f.name in mapping for f in fields if f.required):
            return i, mapping
        if best is None or len(mapping) > best[1]:
            best = (i, len(mapping), mapping)
    where = f"{label}" + (f" (sheet {sheet!r})" if sheet else "")
    if best is None:
        raise InputError(f"{where}: the {what} file is empty.")
    i, _, mapping = best
    found = [str(c).strip() for c in grid[i] if not _is_blank(c)]
    missing = [f for f in fields if f.required and f.name not in mapping]
    lines = [
        f"{where}: no column for {' or '.join(f.label for f in missing)}.",
        f"  Columns found (row {i + 1}): {', '.join(found)}",
    ]
    for f in missing:
        lines.append(f"  {f.label.capitalize()} may be headed: {', '.join(f.synonyms[:8])}")
    lines.append("  Rename the column in the file to one of these names.")
    raise InputError("\n".join(lines))


def _match_fields(keys: list[str], fields: tuple[Field, ...]) -> dict[str, int]:
    """Map each field to the first column whose header is one of its synonyms (best synonym first)."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for f in fields:
        for synonym in f.synonyms:
            target = header_key(synonym)
            hits = [i for i, k in enumerate(keys) if k == target and i not in used]
            if hits:
                mapping[f.name] = hits[0]
                used.add(hits[0])
                break
    return mapping
