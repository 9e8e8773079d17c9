"""Reading tables from CSV, Excel and ODS files, ZIPs of them, or DataFrames, wherever the header sits.

Every input (payments, supplier register, payroll, surveys) goes through ``read_table``:

1. Open the source: a CSV (UTF-8, with a byte-order mark even one encoded twice, else cp1252/latin-1; the
   delimiter sniffed), a workbook (XLSX, XLSM, XLS, XLSB, ODS through python-calamine), a ZIP holding any of
   these, or a DataFrame. A workbook's sheets (and a ZIP's files) are candidate tables.
2. Find the header row in the first rows of the first sheet that has one: the row whose cells name the
   columns asked for (case, spacing and punctuation ignored, small typos forgiven). Report titles and
   parameter lines above it are skipped. Other sheets are read too when their header is the same (one sheet
   per month is common); the rest are listed in a warning.
3. Choose a column for each field by its header and, where the header is missing or misleading, by its
   content (an amount column parses as money; a supplier column holds names). ``columns`` overrides this.
4. Read the rows below the header. CSVs are parsed by pyarrow (no Python loop per row); rows with more
   fields than the header keep their columns (the extra fields are reported); rows with fewer fields, where
   an export dropped a delimiter, are split again where exactly one split fits the columns, else reported
   as unreadable. Blank rows are skipped and counted. Each row keeps the number a person sees in the file.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import mmap
import os
import re
import zipfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from python_calamine import CalamineError, CalamineWorkbook
from rapidfuzz import fuzz

from lm3.errors import InputError, Notice
from lm3.read.bounds import READS, ErrorCells, check_archive, refuse_what_is_not_a_table
from lm3.read.columns import (
    IDENTIFIER_FIELDS,
    SECOND_FIELDS,
    Choice,
    choose,
    find_header,
    identifier_choices,
    profile_columns,
)
from lm3.read.fields import Field
from lm3.values import ids
from lm3.values.arrow import take_rows
from lm3.values.dates import parse_dates
from lm3.values.money import as_text, parse_money

Source = str | Path | pd.DataFrame
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}
HEADER_SEARCH_ROWS = 30
SAMPLE_ROWS = 2000
UNREADABLE_COLUMNS = ["sheet", "row", "value", "problem"]


@dataclass(frozen=True)
class Table:
    """Rows read from one source, under canonical column names, plus where each came from.

    ``data`` has one column per field found (values as read), ``row`` (the row number in the file as a
    person sees it) and ``sheet`` (the sheet or ZIP member, None for a plain CSV). ``columns`` maps each
    field to the header text as it stands in the file (None when absent). ``label`` names the source in
    messages (the file name). ``unreadable`` lists rows that could not be split into the header's columns
    (sheet, row, value, problem); each reader decides what they mean. ``sheets`` are the sheets read.
    ``preamble`` holds the filled rows above each read sheet's header (sheet, row number, cells): a title,
    notes, a stated total.
    """

    label: str
    sheet: str | None
    data: pd.DataFrame
    columns: dict[str, str | None]
    warnings: tuple[str, ...] = field(default=())
    sheets: tuple[str, ...] = ()
    blank_rows: int = 0
    unreadable: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNREADABLE_COLUMNS))
    chosen_by: dict[str, str] = field(default_factory=dict)
    choices: dict[str, Choice] = field(default_factory=dict)
    preamble: tuple[tuple[str | None, int, tuple[object, ...]], ...] = ()
    headers: tuple[str, ...] = ()  # the header row as read, every column (what a column can be changed to)


def header_key(text: object) -> str:
    """A header as compared with synonyms: "Net Amount (£)" -> "net amount", "% local" -> "percent local"."""
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(text)).casefold().replace("%", " percent ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


# -- opening sources ---------------------------------------------------------------------------------------


@dataclass
class _Body:
    """The cells under a header: ``frame`` has columns 0..width-1; ``rows`` the row number of each."""

    frame: pd.DataFrame
    rows: np.ndarray
    long: dict[int, list[str]]  # row -> the fields beyond the header's width, when any is filled
    short: list[tuple[int, list[str]]]  # rows with fewer fields than the header: (row, fields)


class _Sheet:
    """One candidate table: a CSV, one sheet of a workbook, or a DataFrame."""

    name: str | None

    def head(self) -> list[list[object]]:
        """The first rows, for finding the header (index i is row i + 1 of the sheet)."""
        raise NotImplementedError

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> _Body:
        """The rows under the header; ``columns`` (indices) may limit the columns read, where that saves
        time (a CSV); other columns may still be present."""
        raise NotImplementedError

    def sample(self, header_at: int, width: int) -> pd.DataFrame:
        """The first rows under the header, every column, for choosing columns by their content."""
        return self.body(header_at, width).frame.head(SAMPLE_ROWS)

    def row_number(self, i: int) -> int:
        """Row ``i`` of ``head()`` as a person sees it in the file."""
        return i + 1


class _FrameSheet(_Sheet):
    def __init__(self, frame: pd.DataFrame) -> None:
        self.name = None
        self.frame = frame

    def head(self) -> list[list[object]]:
        top = self.frame.head(HEADER_SEARCH_ROWS - 1).astype("object").values.tolist()
        return [list(map(str, self.frame.columns)), *top]

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> _Body:
        frame = self.frame.iloc[max(header_at, 0) :].reset_index(drop=True)
        frame.columns = pd.RangeIndex(frame.shape[1])
        rows = np.arange(header_at + 2, header_at + 2 + len(frame))
        return _Body(frame, rows, {}, [])


class _ExcelSheet(_Sheet):
    """One sheet of a workbook. ``open`` gives a workbook handle: each thread that loads a sheet opens its
    own, so the sheets of a workbook load in parallel (python-calamine releases the GIL)."""

    def __init__(
        self,
        open_book: Callable[[], CalamineWorkbook],
        name: str,
        label: str,
        errors: ErrorCells | None = None,
    ) -> None:
        self.name = name
        self.label = label
        self._errors = errors or {}
        self.sheet_name = name  # as the workbook calls it (``name`` may add the ZIP member's name)
        self._open = open_book
        self._grid: list[list[object]] | None = None
        self._body: tuple[tuple[int, int], _Body] | None = None

    @property
    def grid(self) -> list[list[object]]:
        if self._grid is None:
            try:
                cells = self._open().get_sheet_by_name(self.sheet_name).to_python(skip_empty_area=False)
            except CalamineError as err:
                raise InputError(
                    f"{self.label}: sheet {self.sheet_name!r} cannot be read ({err}). Save it again as XLSX or CSV.",
                    code="sheet-unreadable",
                ) from err
            self._grid = cast(list[list[object]], cells)  # list is invariant: the cells are read, never set
            for (
                row,
                col,
            ), error in self._errors.items():  # an error cell is not a blank: its text is put back
                if row < len(self._grid) and col < len(self._grid[row]) and self._grid[row][col] == "":
                    self._grid[row][col] = error
        return self._grid

    def head(self) -> list[list[object]]:
        return self.grid[:HEADER_SEARCH_ROWS]

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> _Body:
        if self._body is None or self._body[0] != (header_at, width):
            self._body = ((header_at, width), self._read_body(header_at, width))
        return self._body[1]

    def _read_body(self, header_at: int, width: int) -> _Body:
        grid = self.grid[header_at + 1 :]
        full = max(width, len(grid[0]) if grid else 0)
        cells = np.array(grid, dtype=object) if grid else np.empty((0, full), dtype=object)
        if cells.ndim != 2:  # rows of different lengths
            wide = max(len(r) for r in grid)
            cells = np.array([list(r) + [""] * (wide - len(r)) for r in grid], dtype=object)
        if cells.shape[1] < width:
            cells = np.hstack([cells, np.full((len(cells), width - cells.shape[1]), "", dtype=object)])
        frame = pd.DataFrame({i: pd.Series(cells[:, i], dtype="object") for i in range(width)}, copy=False)
        long: dict[int, list[str]] = {}
        if cells.shape[1] > width:  # cells beyond the header's last column
            extra = cells[:, width:]
            filled = np.flatnonzero(
                ~np.column_stack([_blank_mask(pd.Series(c)) for c in extra.T]).all(axis=1)
            )
            for i in filled:
                long[header_at + 2 + int(i)] = [str(v) for v in extra[i] if not _is_blank(v)]
        rows = np.arange(header_at + 2, header_at + 2 + len(grid))
        return _Body(frame, rows, long, [])


def _column(values: pd.Series) -> pd.Series:
    """A column of cells: text columns as Arrow-backed strings (cheap to work on), others as objects."""
    if values.dtype != object:
        return values
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)  # stops at the first non-text cell
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return values
    return pd.Series(pd.array(text, dtype="str"), index=values.index)


class _CsvSheet(_Sheet):
    """A CSV held as bytes. The body is parsed by pyarrow, in pieces split at line ends and read on as many
    threads as there are cores; row numbers are line numbers (the row a spreadsheet shows). Files where a
    quoted value spans lines, or that pyarrow cannot parse, go through Python's csv module instead (slower,
    same result)."""

    def __init__(self, raw: bytes | mmap.mmap, name: str | None, label: str) -> None:
        self.name = name
        self.label = label
        self.start = _bom_length(raw)
        self.encoding = "utf-8"
        try:
            raw[self.start : self.start + (1 << 20)].decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < (1 << 20) - 4:
                raw, self.encoding = _to_utf8(raw[self.start :])
                self.start = 0
        if b"\r" in raw[: 1 << 16] and b"\n" not in raw[: 1 << 16]:
            # old Mac line ends; a mapped file is read-only, so it is copied first
            raw = bytes(raw).replace(b"\r", b"\n")
        self.raw = raw
        _check_line_lengths(raw, self.start, label)
        prefix = raw[self.start : self.start + (1 << 18)].decode("utf-8", errors="replace")
        self.dialect = _sniff(prefix)
        self._prefix = prefix
        self._ends: list[int] = []

    def head(self) -> list[list[object]]:
        reader = csv.reader(io.StringIO(self._prefix, newline=""), self.dialect)
        rows: list[list[object]] = []
        self._ends = []
        try:
            for record in reader:
                rows.append(list(record))
                self._ends.append(reader.line_num)
                if len(rows) >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error as err:
            started = (self._ends[-1] if self._ends else 0) + 1
            raise _csv_error(self.label, reader.line_num, err, started) from err
        return rows

    def row_number(self, i: int) -> int:
        if not self._ends:
            self.head()
        return self._ends[i - 1] + 1 if 0 < i <= len(self._ends) else i + 1  # a record may span lines

    def sample(self, header_at: int, width: int) -> pd.DataFrame:
        if not self._ends:
            self.head()
        lines_before = self._ends[header_at]
        text = self.raw[self._offset(lines_before) : self._offset(lines_before) + (1 << 20)].decode(
            "utf-8", errors="replace"
        )
        if len(text) >= (1 << 20) - 8:
            text = text[: text.rfind("\n") + 1]
        records = []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), self.dialect):
                if len(record) == width or (
                    len(record) > width and not any(f.strip() for f in record[width:])
                ):
                    records.append(record[:width])
                if len(records) >= SAMPLE_ROWS:
                    break
        except csv.Error:
            pass
        columns = list(zip(*records, strict=True)) if records else [()] * width
        return pd.DataFrame({i: pd.array(list(columns[i]), dtype="str") for i in range(width)})

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> _Body:
        if not self._ends:
            self.head()
        lines_before = self._ends[header_at]  # physical lines up to the end of the header row
        first_row = lines_before + 1
        wanted = sorted(set(columns)) if columns is not None else list(range(width))
        try:
            try:
                return self._fast_body(self._offset(lines_before), first_row, width, wanted)
            except _Retry:  # not UTF-8 after all: transcoded, and read again
                return self._fast_body(self._offset(lines_before), first_row, width, wanted)
        except _SlowPath:
            return self._slow_body(self._offset(lines_before), first_row, width)

    def _offset(self, lines: int) -> int:
        """Byte offset of the start of the line after the first ``lines`` lines."""
        pos = self.start
        for _ in range(lines):
            pos = self.raw.find(b"\n", pos) + 1
            if pos == 0:
                return len(self.raw)
        return pos

    def _fast_body(self, pos: int, first_row: int, width: int, wanted: list[int]) -> _Body:
        raw = self.raw
        if pos >= len(raw):
            return _Body(pd.DataFrame({i: pd.Series(dtype="str") for i in wanted}), np.array([]), {}, [])
        pieces = _pieces(raw, pos, os.cpu_count() or 1)
        names = [f"c{i}" for i in range(width)]

        def parse(piece: tuple[int, int]) -> tuple[pa.Table, list[tuple[int, str]], int]:
            start, stop = piece
            lines = _count_lines(raw, start, stop)
            invalid: list[tuple[int, str]] = []

            def handler(row: pacsv.InvalidRow) -> str:
                invalid.append((row.number, row.text))
                return "skip"

            table = pacsv.read_csv(
                pa.py_buffer(memoryview(raw)[start:stop]),
                read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=_BLOCK),
                parse_options=pacsv.ParseOptions(
                    delimiter=self.dialect.delimiter,
                    quote_char=self.dialect.quotechar or False,
                    double_quote=True,
                    ignore_empty_lines=False,
                    invalid_row_handler=handler,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.large_string()),  # pandas' own text type
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                    include_columns=[names[i] for i in wanted],
                ),
            )
            return table, invalid, lines

        try:
            if len(pieces) == 1:
                results = [parse(pieces[0])]
            else:
                with ThreadPoolExecutor(max_workers=len(pieces)) as pool:
                    results = list(pool.map(parse, pieces))
        except pa.ArrowInvalid as err:
            if "UTF8" in str(err) and self.encoding == "utf-8":
                self.raw, self.encoding = _to_utf8(raw[self.start :])
                self.start = 0
                raise _Retry from err
            raise _SlowPath from err

        row_parts: list[np.ndarray] = []
        invalid_all: list[tuple[int, str]] = []
        line = first_row
        quote = self.dialect.quotechar or '"'
        for table, invalid, lines in results:
            if table.num_rows + len(invalid) != lines or any(n is None for n, _ in invalid):
                raise _SlowPath  # line ends pyarrow reads differently
            if any(text.count(quote) % 2 for _, text in invalid):
                raise _SlowPath  # a quoted value spans lines: pyarrow split it where a line ends
            numbers = np.arange(line, line + lines)
            if invalid:
                skipped = np.array([line + n - 1 for n, _ in invalid], dtype=np.int64)
                numbers = numbers[~np.isin(numbers, skipped)]
                invalid_all += [(line + n - 1, text) for n, text in invalid]
            row_parts.append(numbers)
            line += lines
        table = pa.concat_tables([r[0] for r in results])
        rows = np.concatenate(row_parts)
        frame = pd.DataFrame(
            {i: table.column(names[i]).to_pandas(types_mapper=_str_mapper) for i in wanted}, copy=False
        )
        long: dict[int, list[str]] = {}
        short: list[tuple[int, list[str]]] = []
        extra_rows: list[tuple[int, list[str]]] = []
        for row, text in invalid_all:
            fields = next(csv.reader([text], self.dialect), [])
            if len(fields) > width:
                extra_rows.append((row, fields[:width]))
                if any(f.strip() for f in fields[width:]):
                    long[row] = [f for f in fields[width:] if f.strip()]
            else:
                short.append((row, fields))
        if extra_rows:
            frame, rows = _insert_rows(frame, rows, extra_rows, width)
        return _Body(frame, rows, long, short)

    def _slow_body(self, pos: int, first_row: int, width: int) -> _Body:
        text = self.raw[pos:].decode("utf-8", errors="replace")
        reader = csv.reader(io.StringIO(text, newline=""), self.dialect)
        records: list[list[str]] = []
        rows: list[int] = []
        long: dict[int, list[str]] = {}
        short: list[tuple[int, list[str]]] = []
        start = first_row
        try:
            for record in reader:
                if 0 < len(record) < width:
                    short.append((start, record))
                else:
                    if len(record) > width and any(f.strip() for f in record[width:]):
                        long[start] = [f for f in record[width:] if f.strip()]
                    records.append((record + [""] * width)[:width])
                    rows.append(start)
                start = first_row + reader.line_num
        except csv.Error as err:
            raise _csv_error(self.label, first_row + reader.line_num - 1, err, start) from err
        columns = list(zip(*records, strict=True)) if records else [()] * width
        frame = pd.DataFrame({i: pd.array(list(columns[i]), dtype="str") for i in range(width)})
        return _Body(frame, np.array(rows, dtype=np.int64), long, short)


# Bytes the CSV parser works on at a time within a piece: its buffers are reused block after block, where one
# block per piece would have the parser take (and the system zero) fresh memory the size of the piece.
_BLOCK = 4 << 20


def _pieces(raw: bytes | mmap.mmap, pos: int, n: int) -> list[tuple[int, int]]:
    """Split raw[pos:] into up to ``n`` byte ranges of whole lines (at least 8 MB each)."""
    size = len(raw) - pos
    n = max(1, min(n, size // (8 << 20)))
    cuts = [pos]
    for k in range(1, n):
        at = raw.find(b"\n", pos + size * k // n)
        if at < 0 or at + 1 >= len(raw):
            break
        cuts.append(at + 1)
    cuts.append(len(raw))
    return list(itertools.pairwise(cuts))


def _count_lines(raw: bytes | mmap.mmap, start: int, stop: int) -> int:
    """Lines in raw[start:stop], the last one counted even without a line end (numpy releases the GIL)."""
    view = np.frombuffer(raw, dtype=np.uint8)
    count = 0
    for at in range(start, stop, 1 << 24):
        count += int(np.count_nonzero(view[at : min(at + (1 << 24), stop)] == 10))
    return count + (0 if stop == start or raw[stop - 1 : stop] == b"\n" else 1)


# the longest line a CSV may hold: Python's csv module's own limit on a value (a spend file's line is a few
# hundred bytes; a line this long is a file that is not a table, or a table without line ends)
MAX_LINE = csv.field_size_limit()


def _csv_error(label: str, line: int, err: csv.Error, started: int | None = None) -> InputError:
    """What Python's csv module could not read, as the user's problem: the line (and the line the record
    began on: where an unclosed quote opened), and what to do."""
    if "field larger than field limit" in str(err):
        where = f"line {started:,}" if started is not None else f"a line before line {line:,}"
        return InputError(
            f'{label}: a quote (") on {where} opens a value that never closes: by line {line:,} the value is '
            f"longer than {MAX_LINE:,} characters. Close the quote, or remove it (or the file is not a table).",
            code="value-too-long",
        )
    return InputError(f"{label}: line {line:,} cannot be read as CSV ({err}).", code="not-csv")


def _check_line_lengths(raw: bytes | mmap.mmap, start: int, label: str) -> None:
    """Refuse a CSV with a line longer than ``MAX_LINE``: every half-``MAX_LINE`` block must hold a line end
    (a line that long covers a whole block). One ``find`` per block, each stopping at its first line end:
    the cost is the number of blocks, not the size of the file."""
    half = MAX_LINE // 2
    end = len(raw)
    for pos in range(start, end, half):
        if pos + half > end or raw.find(b"\n", pos, pos + half) >= 0:
            continue
        first = raw.rfind(b"\n", start, pos) + 1 or start
        after = raw.find(b"\n", pos)
        length = (after if after >= 0 else end) - first
        if length > MAX_LINE:
            line = _count_lines(raw, start, first) + 1
            raise InputError(
                f"{label}: line {line:,} is {length:,} bytes long (a CSV line may be at most {MAX_LINE:,}): "
                f"this is not a table of rows, or its line ends are missing. {READS}; check the file, or save "
                "it again as CSV.",
                code="line-too-long",
            )


class _SlowPath(Exception):
    pass


class _Retry(Exception):
    pass


def _str_mapper(t: pa.DataType) -> object:
    return pd.StringDtype("pyarrow", na_value=np.nan) if t in (pa.string(), pa.large_string()) else None


def _insert_rows(
    frame: pd.DataFrame, rows: np.ndarray, extra: list[tuple[int, list[str]]], width: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Add rows (row number, fields) after a body's rows. They are not moved into place (that would copy
    every column); ``row`` says where each is, and readers that care about order use it."""
    add = pd.DataFrame(
        {  # the frame's columns are the header's positions read (all, or those wanted)
            c: pd.array([f[int(c)] if int(c) < len(f) else "" for _, f in extra], dtype="str")
            for c in frame.columns
        }
    )
    frame = pd.concat([frame, add], ignore_index=True)
    return frame, np.concatenate([rows, np.array([r for r, _ in extra], dtype=np.int64)])


_BOMS = (b"\xc3\xaf\xc2\xbb\xc2\xbf", b"\xef\xbb\xbf")  # UTF-8's, and UTF-8's encoded twice


def _bom_length(raw: bytes | mmap.mmap) -> int:
    """Bytes of byte-order marks at the start (a BOM may even repeat)."""
    at = 0
    while True:
        for bom in _BOMS:
            if raw[at : at + len(bom)] == bom:
                at += len(bom)
                break
        else:
            return at


def _strip_boms(raw: bytes) -> bytes:
    return raw[_bom_length(raw) :]


_NOT_UTF8 = re.compile("[\udc80-\udcff]+")


def _to_utf8(raw: bytes | mmap.mmap) -> tuple[bytes, str]:
    """Bytes that are not all UTF-8, as UTF-8: what is valid UTF-8 stays as it is, and only each run of bytes
    that is not is read as cp1252 (latin-1 where cp1252 has no character). One stray byte does not re-decode
    a whole UTF-8 file ("Café" stays "Café"); a file written in cp1252 throughout reads as cp1252."""
    data = bytes(raw)
    text = data.decode("utf-8", errors="surrogateescape")
    if not re.search("[^\x00-\x7f]", _NOT_UTF8.sub("", text)):  # no UTF-8 beyond ASCII: cp1252 throughout
        try:
            return data.decode("cp1252").encode("utf-8"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1").encode("utf-8"), "latin-1"
    runs = 0

    def legacy(match: re.Match[str]) -> str:
        nonlocal runs
        runs += 1
        data = bytes(ord(c) - 0xDC00 for c in match.group())
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")

    fixed = _NOT_UTF8.sub(legacy, text)
    return fixed.encode("utf-8"), f"utf-8 with {runs} run(s) of cp1252 bytes"


def decode_text(raw: bytes) -> str:
    """Decode a CSV's bytes: UTF-8 (with a byte-order mark, even one encoded twice), else cp1252/latin-1."""
    raw = _strip_boms(raw)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _to_utf8(raw)[0].decode("utf-8")


def _sniff(prefix: str) -> type[csv.Dialect] | csv.Dialect:
    """The delimiter that splits the most sample lines into the same, largest number of fields."""
    lines = [ln for ln in prefix.splitlines()[:60] if ln.strip()]
    best, best_score = ",", (0, 0)
    for delim in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=delim), [])) for ln in lines]
        counts = [c for c in counts if c > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delim, score

    class Dialect(csv.excel):
        delimiter = best

    return Dialect


def _open(source: Source, what: str) -> tuple[str, list[_Sheet], list[Notice]]:
    """The source's label, its sheets (candidate tables), and notes on how it was opened."""
    if isinstance(source, pd.DataFrame):
        return f"the {what} table", [_FrameSheet(source)], []
    path = Path(source)
    if path.exists() and not path.is_file():
        raise InputError(
            f"{path}: not a regular file ({'a folder' if path.is_dir() else 'a device or pipe'}). Give the "
            f"{what} file itself.",
            code="not-a-file",
        )
    if not path.is_file():
        raise InputError(
            f"{what.capitalize()} file not found: {path}. Check the path.", code="file-not-found"
        )
    label = path.name
    with path.open("rb") as f:
        start = f.read(2048)
    magic = start[:8]
    suffix = path.suffix.lower()
    refuse_what_is_not_a_table(start[_bom_length(start) :], label)
    errors = check_archive(path, label) if magic.startswith(b"PK\x03\x04") else {}
    if magic.startswith(b"PK\x03\x04") and suffix not in SPREADSHEET_SUFFIXES:
        if not _is_workbook_archive(path):
            sheets, notes = _zip_sheets(path, label)
            return label, sheets, notes
        note = Notice(
            "workbook-named-otherwise",
            f"{label}: this is an Excel workbook (or ODS spreadsheet) named {suffix or 'without a suffix'}: "
            "read as one. Rename it .xlsx so other tools open it too.",
        )
        return label, _book_sheets(path, label, errors), [note]
    if (
        suffix in SPREADSHEET_SUFFIXES
        or magic.startswith(b"\xd0\xcf\x11\xe0")
        or magic.startswith(b"PK\x03\x04")
    ):
        return label, _book_sheets(path, label, errors), []
    _refuse_other_encodings(start, label)
    return label, [_CsvSheet(_map(path), None, label)], []


def _is_workbook_archive(path: Path) -> bool:
    """Whether a ZIP is itself a workbook (XLSX or ODS), not a ZIP of spend files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "xl/workbook.xml" in names or ("mimetype" in names and "content.xml" in names)


def _looks_ebcdic(sample: bytes) -> bool:
    """EBCDIC text: no ASCII line end but EBCDIC's (0x25, 0x15), and its letters (0x81-0xA9, 0xC1-0xE9)
    far outnumber ASCII's."""
    if not sample or b"\n" in sample or not (0x25 in sample or 0x15 in sample):
        return False
    ascii_letters = sum(65 <= b <= 90 or 97 <= b <= 122 for b in sample)
    ebcdic_letters = sum(0x81 <= b <= 0xA9 or 0xC1 <= b <= 0xE9 for b in sample)
    return ebcdic_letters > 3 * max(ascii_letters, 1)


def _refuse_other_encodings(start: bytes, label: str) -> None:
    """Text lm3 does not read as a table, named with what to do: UTF-16 (Excel's "Unicode text"), UTF-32,
    EBCDIC (a mainframe's export)."""
    what = None
    if start[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        what = "UTF-32 text"
    elif start[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(start) >= 64 and start.count(0) > len(start) // 4):
        what = 'UTF-16 text (Excel\'s "Unicode Text")'
    elif _looks_ebcdic(start[:1024]):
        what = "EBCDIC text (a mainframe export)"
    if what:
        raise InputError(
            f"{label}: this is {what}, which lm3 does not read. Save it as UTF-8 CSV (in Excel: Save As, "
            '"CSV UTF-8 (Comma delimited)"), or as XLSX.',
            code="not-utf8",
        )


def _map(path: Path) -> bytes | mmap.mmap:
    """A file's bytes; a large file is memory-mapped rather than copied into memory."""
    size = path.stat().st_size
    if size < (8 << 20):
        return path.read_bytes()
    with path.open("rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _book_sheets(
    source: Path | bytes, label: str, errors: dict[str, ErrorCells] | None = None
) -> list[_Sheet]:
    """A workbook's sheets; ``errors`` (from ``check_archive``), each XLSX worksheet's error cells, which the
    reader gives as blanks and the sheets put back."""

    def open_book() -> CalamineWorkbook:
        if isinstance(source, Path):
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(io.BytesIO(source))

    try:
        names = open_book().sheet_names
    except (CalamineError, OSError, ValueError) as err:
        raise InputError(
            f"{label}: cannot be read as a spreadsheet ({err}). Save it again as XLSX or CSV.",
            code="not-readable",
        ) from err
    members = _sheet_members(source) if errors else {}
    return [
        _ExcelSheet(open_book, name, label, (errors or {}).get(members.get(name, ""), {})) for name in names
    ]


_SHEET_ENTRY = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATION = re.compile(
    rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"'
)


def _sheet_members(source: Path | bytes) -> dict[str, str]:
    """An XLSX's sheet names to their worksheet paths in the archive (xl/workbook.xml and its relations)."""
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as archive:
            book = archive.read("xl/workbook.xml")
            rels = archive.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError):
        return {}
    targets = {}
    for rid, target, target2, rid2 in _RELATION.findall(rels):
        path = (target or target2).decode()
        path = path.lstrip("/") if path.startswith("/") else "xl/" + path
        targets[(rid or rid2).decode()] = path
    return {
        html.unescape(name.decode()): targets.get(rid.decode(), "")
        for name, rid in _SHEET_ENTRY.findall(book)
    }


def _load_in_parallel(sheets: list[_Sheet]) -> None:
    """Load the cells of several workbook sheets at once, on as many threads as there are cores."""
    pending = [s for s in sheets if isinstance(s, _ExcelSheet) and s._grid is None]
    if len(pending) < 2:
        return
    with ThreadPoolExecutor(max_workers=min(len(pending), os.cpu_count() or 1)) as pool:
        list(pool.map(lambda s: s.grid, pending))


def _zip_sheets(path: Path, label: str) -> tuple[list[_Sheet], list[Notice]]:
    """The tables a ZIP holds (its CSVs, and its workbooks' sheets); a member with the same bytes as one
    before it is read once, and said."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise InputError(f"{label}: not a readable ZIP or workbook ({err}).", code="not-readable") from err
    sheets: list[_Sheet] = []
    seen: dict[str, str] = {}
    copies: list[str] = []
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not Path(m.filename).name.startswith((".", "~$"))
            and "__MACOSX" not in m.filename
        ]
        for m in members:
            suffix = Path(m.filename).suffix.lower()
            if suffix not in TEXT_SUFFIXES | SPREADSHEET_SUFFIXES:
                continue
            content = archive.read(m)
            digest = hashlib.sha256(content).hexdigest()
            if digest in seen:
                copies.append(f"{m.filename} (the same bytes as {seen[digest]})")
                continue
            seen[digest] = m.filename
            if suffix in TEXT_SUFFIXES:
                sheets.append(_CsvSheet(content, m.filename, label))
            else:
                book = content
                for s in _book_sheets(book, label, check_archive(book, f"{label} ({m.filename})")):
                    s.name = f"{m.filename}:{s.name}"
                    sheets.append(s)
    if not sheets:
        names = ", ".join(m.filename for m in members) or "nothing"
        raise InputError(
            f"{label}: the ZIP holds no CSV or spreadsheet (it holds {names}).", code="no-table-in-zip"
        )
    notes = (
        [
            Notice(
                "zip-member-repeated",
                f"{label}: read once, as copies of another file in it: {'; '.join(copies)}.",
            )
        ]
        if copies
        else []
    )
    return sheets, notes


# -- reading -------------------------------------------------------------------------------------------------


def read_table(
    source: Source,
    fields: tuple[Field, ...],
    *,
    what: str,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    keep_blank: bool = False,
    content_first: bool = False,
) -> Table:
    """Read ``source`` (a CSV, workbook, ZIP or DataFrame) as the table ``what`` ("payments", ...).

    ``sheet`` names the one sheet to read (default: every sheet whose header matches the first sheet that
    has one). ``columns`` maps field names to header texts, overriding detection. ``keep_blank`` keeps blank
    rows, marked in a ``blank`` column, for a reader that filters rows once (filtering copies). ``content_first``
    (a spend file: supplier and amount) finds the header, the sheets and the supplier and amount columns by
    their content, with header words as evidence (``lm3.read.columns``). Raises InputError when the
    file is missing or unreadable, or no row holds the required headers; the message names the file, the
    headers found and the names each missing column may go by.
    """
    label, sheets, opened = _open(source, what)
    overrides = dict(columns or {})
    unknown = [k for k in overrides if k not in {f.name for f in fields}]
    if unknown:
        raise InputError(
            f"{label}: no {what} column called {', '.join(map(repr, unknown))} to set. "
            f"Columns that can be set: {', '.join(f.name for f in fields)}.",
            code="unknown-column-field",
            params=(COLUMNS_PARAM.get(what, "columns"),),
        )
    if sheet is not None:
        names = [s.name for s in sheets]
        if sheet not in names:
            raise InputError(
                f"{label}: no sheet named {sheet!r}. Sheets: {', '.join(map(str, names))}.",
                code="no-such-sheet",
            )
        sheets = [s for s in sheets if s.name == sheet]

    _load_in_parallel(sheets)
    warnings: list[str] = list(opened)
    second = next((f.name for f in fields if f.required and f.name in SECOND_FIELDS), None)
    plan = _plan_by_content(sheets, overrides, label, what, second) if content_first and second else None
    choices: dict[str, Choice] = {}
    if plan is not None:
        read, header, mapping, chosen_by, choices, notes, sample = plan
        warnings += notes
        width = len(header)
        _add_optional(mapping, header, sample, fields, overrides, label=label, what=what)
        warnings += _check_identifiers(mapping, header, sample, overrides, label)
        found = _add_identifiers(mapping, header, sample, fields)
        choices = {**choices, **found}
        chosen_by.update({name: f"by content ({', '.join(c.reasons)})" for name, c in found.items()})
    else:
        read, header, skipped = _plan_by_header(sheets, fields, overrides, label=label, what=what)
        width = len(header)
        if skipped:
            warnings.append(
                Notice(
                    "sheets-skipped",
                    f"{label}: sheets without the same header were not read: {', '.join(map(repr, skipped))}.",
                )
            )
        sample = read[0][0].sample(read[0][1], width)
        mapping, chosen_by = _choose_columns(header, sample, fields, overrides, label=label, what=what)
    first_sheet = read[0][0]
    bodies: list[tuple[_Sheet, _Body]] = [(s, s.body(at, width, list(mapping.values()))) for s, at in read]

    parts: list[pd.DataFrame] = []
    unreadable: list[dict[str, object]] = []
    blank_rows = 0
    long_rows: list[str] = []
    for s, body in bodies:
        frame = body.frame
        part = pd.DataFrame({f: _column(frame[i]) for f, i in mapping.items()}, copy=False)
        part["row"] = body.rows
        blank = _all_blank(frame, [mapping[f.name] for f in fields if f.required])
        blank_rows += int(blank.sum())
        short = [(r, f) for r, f in body.short if any(v.strip() for v in f)]
        blank_rows += len(body.short) - len(short)
        kinds = _column_shapes(sample, width) if short else []
        recovered, problems = _recover_short(short, width, kinds, mapping, fields)
        for row, reason, text in problems:
            unreadable.append({"sheet": s.name, "row": row, "value": text, "problem": reason})
        if keep_blank:
            part["blank"] = blank
        elif blank.any():
            part = part[~blank]
        if recovered:
            add = pd.DataFrame({f: [r[1][i] for r in recovered] for f, i in mapping.items()})
            add["row"] = [r[0] for r in recovered]
            if keep_blank:
                add["blank"] = False
            part = pd.concat([part, add], ignore_index=True)
            warnings.append(
                Notice(
                    "delimiter-missing-repaired",
                    f"{label}{_on(s.name)}: {len(recovered)} row(s) had a delimiter missing between two values; "
                    f"split where only one split fits the columns: rows {_rows([r[0] for r in recovered])}.",
                )
            )
        if body.long:
            bad_long = _misaligned(part, body.long, fields)
            for row in bad_long:
                unreadable.append(
                    {
                        "sheet": s.name,
                        "row": row,
                        "value": ", ".join(body.long[row]),
                        "problem": f"has more fields than the {width} headers and its columns do not line up "
                        "(a value probably holds an unquoted comma): quote that value or fix the row",
                    }
                )
            if bad_long:
                part = part[~part["row"].isin(bad_long)]
            kept = [r for r in body.long if r not in set(bad_long)]
            if kept:
                long_rows.append(f"{_rows(kept)}" + (f" (sheet {s.name!r})" if s.name else ""))
        part["sheet"] = s.name
        parts.append(part)
    if long_rows:
        warnings.append(
            Notice(
                "rows-longer-than-header",
                f"{label}: rows with more fields than the header; the extra fields have no column and were "
                f"not used: rows {'; '.join(long_rows)}.",
            )
        )
    data = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    if not any(s.name for s, _ in bodies):
        data["sheet"] = None
    column_text = {f.name: (header[mapping[f.name]] if f.name in mapping else None) for f in fields}
    preamble = tuple(
        (s.name, s.row_number(j), tuple(row))
        for s, at in read
        for j, row in enumerate(s.head()[: max(at, 0)])
        if any(not _is_blank(c) for c in row)
    )
    return Table(
        label=label,
        sheet=first_sheet.name,
        data=data,
        columns=column_text,
        warnings=tuple(warnings),
        sheets=tuple(str(s.name) for s, _ in bodies if s.name is not None),
        blank_rows=blank_rows,
        unreadable=pd.DataFrame(unreadable, columns=UNREADABLE_COLUMNS),
        chosen_by=chosen_by,
        choices=choices,
        preamble=preamble,
        headers=tuple(str(h) for h in header),
    )


def first_rows(source: Source, what: str) -> list[list[list[object]]]:
    """The first rows of each table a source holds (each sheet of a workbook, each table of a ZIP), for
    recognising what a file is before reading it."""
    _, sheets, _ = _open(source, what)
    return [s.head() for s in sheets]


# the parameter that sets each table's columns by hand, for the messages that say so
COLUMNS_PARAM = {"payments": "columns", "supplier register": "register_columns"}


def _plan_by_header(
    sheets: list[_Sheet], fields: tuple[Field, ...], overrides: Mapping[str, str], *, label: str, what: str
) -> tuple[list[tuple[_Sheet, int]], list[str], list[str]]:
    """The sheets to read (each with its header row), the header, and the sheets skipped: the first sheet
    whose header names the fields, and every other sheet with the same header."""
    first: tuple[_Sheet, int, list[str]] | None = None
    failure: InputError | None = None
    read: list[tuple[_Sheet, int]] = []
    skipped: list[str] = []
    for s in sheets:
        head = s.head()
        if first is None:
            try:
                at = _find_header(head, fields, overrides, label=label, what=what, sheet=s.name)
            except InputError as err:
                failure = failure or err
                if any(not _is_blank(c) for r in head for c in r):
                    skipped.append(str(s.name))
                continue
            first = (s, at, [header_key(c) for c in head[at]])
            read.append((s, at))
        else:
            same = _same_header(head, first[2])
            if same is None:
                if any(not _is_blank(c) for r in head for c in r):
                    skipped.append(str(s.name))
            else:
                read.append((s, same))
    if first is None:
        assert failure is not None
        raise failure
    return read, _header_text(first[0].head()[first[1]]), skipped


def _header_text(row: list[object]) -> list[str]:
    header = [("" if _is_blank(c) else str(c).strip()) for c in row]
    while header and header[-1] == "":
        header.pop()
    return header


# sheets that hold something other than the payments: card spend, notes, summaries, pivots, lookups
_OTHER_SHEET = re.compile(
    r"(?i)(?:\b|_)(?:p ?-?cards?|gpc|purchas\w* cards?|procurement cards?|credit cards?|cards?|notes?|guidance|"
    r"read ?me|summary|summaries|pivot|contents|cover|about|definitions?|glossary|look ?ups?|key|info)(?:\b|_)"
)


@dataclass
class _Candidate:
    sheet: _Sheet
    header_at: int
    data_at: int
    header: list[str]
    choices: dict[str, Choice]
    rows: int
    sample: pd.DataFrame  # the first rows under the header, every column (read once)


def _plan_by_content(
    sheets: list[_Sheet], overrides: Mapping[str, str], label: str, what: str, second: str
) -> (
    tuple[
        list[tuple[_Sheet, int]],
        list[str],
        dict[str, int],
        dict[str, str],
        dict[str, Choice],
        list[str],
        pd.DataFrame,
    ]
    | None
):
    """A spend file (or a register: ``second`` is "amount" or "postcode") read by content: the sheets to read
    (each with the row before its first row of data), the header, the supplier and ``second`` columns, how
    they were chosen, the choices, notes and the sample the choice was made on. None when no sheet has rows
    of data under a header (the header-word reader then says what is missing)."""
    candidates: list[_Candidate] = []
    skipped: list[str] = []
    for s in sheets:
        head = s.head()
        at = find_header(head, second)
        if at is None:
            if any(not _is_blank(c) for r in head for c in r):
                skipped.append(f"{s.name!r} (no rows of {what} under a header)")
            continue
        h, d = at
        header = _header_text(head[h])
        width = len(header)
        if width < 2:
            continue
        scoring = list(header)
        for j in range(h + 1, d):  # a row of fragments under the header continues it
            for i, c in enumerate(head[j][:width]):
                if not _is_blank(c):
                    scoring[i] = f"{scoring[i]} {str(c).strip()}".strip()
        fixed: dict[str, int] = {}
        for name, text in overrides.items():
            fixed[name] = _override_index(header, name, text, set(fixed.values()), label, what)
        sample = s.sample(d - 1, width)
        profiles = profile_columns(sample, scoring)
        choices = choose(profiles, taken=set(fixed.values()), second=second)
        fixed = {k: v for k, v in fixed.items() if k in ("supplier", second)}
        if choices is None and len(fixed) < 2:
            beside = "amounts" if second == "amount" else "postcodes"
            skipped.append(f"{s.name!r} (no column of supplier names beside a column of {beside})")
            continue
        choices = dict(choices or {})
        for name, i in fixed.items():
            choices[name] = Choice(name, i, header[i], 0.0, ("set by you",), "high")
        rows = len(s.grid) - d if isinstance(s, _ExcelSheet) else 0
        candidates.append(_Candidate(s, h, d, header, choices, rows, sample))
    if not candidates:
        return None
    best = max(
        candidates,
        key=lambda c: (
            not _OTHER_SHEET.search(str(c.sheet.name or "")),
            c.rows,
            sum(x.score for x in c.choices.values()),
        ),
    )
    want = [header_key(x) for x in best.header]
    read = [(c.sheet, c.data_at - 1) for c in candidates if [header_key(x) for x in c.header] == want]
    notes: list[str] = []
    for c in candidates:
        if [header_key(x) for x in c.header] != want:
            skipped.append(
                f"{c.sheet.name!r} (another table: {', '.join(repr(x) for x in c.header if x)[:200]})"
            )
        above = [
            i + 1
            for i, r in enumerate(c.sheet.head()[: c.header_at])
            if sum(not _is_blank(x) for x in r) >= 2
        ]
        if above and (c.sheet, c.data_at - 1) in read:
            notes.append(
                Notice(
                    "rows-above-header",
                    f"{label}{_on(c.sheet.name)}: row(s) {_rows(above)} above the header (row {c.header_at + 1}) "
                    "hold several cells: read as titles, not payments. If they are payments, the header is "
                    "wrong: say which columns to read (columns).",
                )
            )
        if c.data_at - c.header_at > 1 and (c.sheet, c.data_at - 1) in read:
            notes.append(
                Notice(
                    "header-continued",
                    f"{label}{_on(c.sheet.name)}: row(s) {_rows(list(range(c.header_at + 2, c.data_at + 1)))} "
                    "under the header continue it: read as part of the header, not as payments.",
                )
            )
    if skipped:
        notes.append(Notice("sheets-skipped", f"{label}: sheets not read as {what}: {'; '.join(skipped)}."))
    choices = best.choices
    if "amount" in choices and choices["amount"].role == "gross":
        notes.append(
            Notice(
                "amount-is-gross",
                f"{label}: the amounts are gross (VAT included): no net column was found, so "
                f"{choices['amount'].header!r} is used. Say which column holds net amounts (columns), if one does.",
            )
        )
    if "amount" in choices and choices["amount"].role == "line":
        notes.append(
            Notice(
                "amount-is-line",
                f"{label}: {choices['amount'].header.strip()!r} is summed: "
                f"{next(r for r in choices['amount'].reasons if r.startswith('line amounts'))}, which would count "
                "each invoice once for each of its lines. Say which column to sum (columns), if not this one.",
            )
        )
    mapping = {name: ch.index for name, ch in choices.items()}
    chosen_by = {
        name: "set by you" if ch.reasons == ("set by you",) else str(ch.by_content)
        for name, ch in choices.items()
        if ch.by_content or ch.reasons == ("set by you",)
    }
    return read, best.header, mapping, chosen_by, choices, notes, best.sample


def _add_optional(
    mapping: dict[str, int],
    header: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
) -> None:
    """The optional columns (date, expense type, ids...) by their headers, beside columns already chosen."""
    rest = tuple(f for f in fields if f.name not in mapping)
    found, _ = _choose_columns(
        header,
        sample,
        rest,
        {k: v for k, v in overrides.items() if k not in mapping},
        label=label,
        what=what,
        taken=set(mapping.values()),
    )
    mapping.update(found)


def _check_identifiers(
    mapping: dict[str, int], header: list[str], sample: pd.DataFrame, overrides: Mapping[str, str], label: str
) -> list[Notice]:
    """Id columns named by their header whose values are not such ids (a "Unique reference number" of
    13-digit payment references is no school URN) are not read as them, and said; a column holding only
    values that are no identifier ("N/A" on every row) is read, and gives nothing."""
    notes: list[Notice] = []
    for name in ("company_number", "charity_number", "urn", "ods_code", "org_id"):
        if name not in mapping or name in overrides or mapping[name] not in sample.columns:
            continue
        values = sample[mapping[name]]
        values = values[values.notna()]
        present = values[~ids.no_value(values)] if len(values) else values
        if present.empty or ids.id_shape_share(present, name) >= 0.3:
            continue
        header_text = header[mapping[name]]
        del mapping[name]
        notes.append(
            Notice(
                "column-holds-no-ids",
                f"{label}: {header_text!r} is not read as the {name.replace('_', ' ')}: its values are not "
                f"{name.replace('_', ' ')}s (such as {str(present.iloc[0])!r}). Say which column it is "
                "(columns), if one is.",
            )
        )
    return notes


def _add_identifiers(
    mapping: dict[str, int], header: list[str], sample: pd.DataFrame, fields: tuple[Field, ...]
) -> dict[str, Choice]:
    """The columns that identify the supplier (postcodes, addresses, company and charity numbers, URNs, ODS
    codes, org-ids) that no header named, found by their content (``lm3.read.columns.identifier_choices``)."""
    wanted = tuple(f.name for f in fields if f.name in IDENTIFIER_FIELDS and f.name not in mapping)
    if not wanted or not len(sample):
        return {}
    taken = set(mapping.values())
    free = [i for i in range(len(header)) if i not in taken and i in sample.columns]
    if not free:
        return {}
    profiles = profile_columns(sample[free].set_axis(range(len(free)), axis=1), [header[i] for i in free])
    profiles = [replace(p, index=free[p.index]) for p in profiles]
    found = identifier_choices(profiles, sample, taken, wanted)
    for name, choice in found.items():
        mapping[name] = choice.index
    return found


def _on(sheet: str | None) -> str:
    return f" (sheet {sheet!r})" if sheet else ""


def _rows(rows: list[int] | pd.Series | np.ndarray, limit: int = 12) -> str:
    """Row numbers for a message: "4, 9, 12" (or the first few and how many more)."""
    numbers = [str(int(r)) for r in rows]
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return ", ".join(numbers[:limit]) + more


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


def _blank_mask(values: pd.Series) -> np.ndarray:
    """True where a cell is empty or only spaces (vectorised)."""
    if values.dtype == object:  # cells from a workbook: numbers and dates are never blank
        cells = values.to_numpy()
        return np.asarray(pd.isna(cells) | (cells == "") | (cells == " "), dtype=bool)
    text = as_text(values)
    blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    return np.asarray(pc.fill_null(blank, True).to_numpy(zero_copy_only=False), dtype=bool)


def _all_blank(frame: pd.DataFrame, first: list[int]) -> np.ndarray:
    """Rows with every cell blank: the columns ``first`` are checked first, the rest only where needed."""
    blank = np.ones(len(frame), dtype=bool)
    for i in first:
        blank &= _blank_mask(frame[i])
    if blank.any():
        idx = np.flatnonzero(blank)
        for c in frame.columns:
            if c not in first:
                blank[idx] &= _blank_mask(take_rows(frame[c], idx))
    return blank


def _find_header(
    head: list[list[object]],
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
    sheet: str | None,
) -> int:
    """Index of the header row: the first row naming every required column (or the override headers)."""
    best: tuple[int, int, dict[str, int]] | None = None
    for i, row in enumerate(head):
        keys = [header_key(c) if not _is_blank(c) else "" for c in row]
        if sum(1 for k in keys if k) < 2 and len(fields) > 1 and len(row) > 1:
            continue
        mapping = _match_synonyms(keys, fields)
        for name, text in overrides.items():
            if header_key(text) in keys:
                mapping[name] = keys.index(header_key(text))
        if all(f.name in mapping for f in fields if f.required):
            return i
        found_required = sum(1 for f in fields if f.required and f.name in mapping)
        # a header naming some columns, where content may find the rest (a misleading header)
        if found_required and len(mapping) >= 2 and _content_may_complete(keys, fields, mapping):
            return i
        if best is None or len(mapping) > best[1]:
            best = (i, len(mapping), mapping)
    where = f"{label}" + (f" (sheet {sheet!r})" if sheet else "")
    if best is None:
        raise InputError(f"{where}: the {what} file is empty: nothing to read.", code="empty-file")
    i, _, mapping = best
    found = [str(c).strip() for c in head[i] if not _is_blank(c)]
    missing = [f for f in fields if f.required and f.name not in mapping]
    lines = [
        f"{where}: no column for {' or '.join(f.label for f in missing)}"
        + (
            f" in the first {len(head)} rows, as far as the header is searched for (a header further down is "
            "not found: delete the rows above it)."
            if len(head) >= HEADER_SEARCH_ROWS
            else "."
        ),
        f"  Columns found (row {i + 1}): {', '.join(found)}",
    ]
    for f in missing:
        lines.append(f"  {f.label.capitalize()} may be headed: {', '.join(f.synonyms[:8])}")
    param = COLUMNS_PARAM.get(what)
    hint = f", or say which column it is ({param})" if param else ""
    lines.append(f"  Rename the column in the file to one of these names{hint}.")
    raise InputError("\n".join(lines), code="header-not-found", params=(param,) if param else ())


_SUPPLIERISH = re.compile(
    r"\b(supplier|vendor|payee|creditor|beneficiary|recipient|merchant|company|name|contractor)\b"
)


def _content_may_complete(keys: list[str], fields: tuple[Field, ...], mapping: dict[str, int]) -> bool:
    """A missing required text column can be found by content when another header names a supplier."""
    missing = [f for f in fields if f.required and f.name not in mapping]
    if any(f.kind != "text" for f in missing):
        return False
    required = {mapping[f.name] for f in fields if f.required and f.name in mapping}
    return any(_SUPPLIERISH.search(k) for j, k in enumerate(keys) if j not in required)


def _same_header(head: list[list[object]], keys: list[str]) -> int | None:
    want = [k for k in keys]
    while want and not want[-1]:
        want.pop()
    for i, row in enumerate(head):
        got = [header_key(c) if not _is_blank(c) else "" for c in row]
        while got and not got[-1]:
            got.pop()
        if got == want:
            return i
    return None


def _match_synonyms(keys: list[str], fields: tuple[Field, ...]) -> dict[str, int]:
    """Map each field to the first unused column whose header is one of its synonyms (best first)."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for f in fields:
        for i in _candidates(keys, f, used):
            mapping[f.name] = i
            used.add(i)
            break
    return mapping


def _candidates(keys: list[str], f: Field, used: set[int]) -> list[int]:
    """Columns whose header names field ``f``, best first: exact synonyms in order, then near misses."""
    out: list[int] = []
    for synonym in f.synonyms:
        target = header_key(synonym)
        out += [i for i, k in enumerate(keys) if k == target and i not in used and i not in out]
    for synonym in f.synonyms:
        target = header_key(synonym)
        if len(target) < 6:
            continue
        out += [
            i
            for i, k in enumerate(keys)
            if k and i not in used and i not in out and len(k) >= 6 and fuzz.ratio(k, target) >= 92
        ]
    return out


def _content_ok(values: pd.Series, kind: str) -> bool:
    """Whether a column's sample holds what a field of this kind holds."""
    filled = values[~_blank_mask(values)]
    if kind == "any" or len(filled) == 0:
        return kind == "any"
    if kind == "money":
        return float((~parse_money(filled)[1]).mean()) >= 0.9
    if kind == "date":
        return float((~parse_dates(filled).bad).mean()) >= 0.9
    if kind == "text":
        letters = filled.astype("str").str.contains(r"[A-Za-z]", regex=True)
        return float(letters.mean()) >= 0.5
    return True


def _choose_columns(
    header: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
    taken: set[int] | None = None,
) -> tuple[dict[str, int], dict[str, str]]:
    """Map fields to column indices: overrides, then headers checked against content, then content alone;
    never a column in ``taken``.

    Returns the mapping and, for each field not chosen by its header alone, how it was chosen.
    """
    keys = [header_key(h) for h in header]
    mapping: dict[str, int] = {}
    chosen_by: dict[str, str] = {}
    used: set[int] = set(taken or ())
    for name, text in overrides.items():
        mapping[name] = _override_index(header, name, text, used, label, what)
        used.add(mapping[name])
        chosen_by[name] = "set by you"
    # required fields first, by header then by content, so an optional field cannot take a column whose
    # header misleads ("Supplier ID" holding names)
    ordered = [f for f in fields if f.required] + [f for f in fields if not f.required]
    for f in ordered:
        if f.name in mapping:
            continue
        if not f.required and any(g.required and g.name not in mapping for g in fields) and len(sample):
            for g in fields:
                if g.required and g.name not in mapping:
                    found = _by_content(keys, sample, g, used)
                    if found is not None:
                        mapping[g.name] = found
                        used.add(found)
                        chosen_by[g.name] = f"by content (its header {header[found]!r} does not say it)"
        candidates = _candidates(keys, f, used)
        misleading: list[int] = []
        for i in candidates:
            if f.kind == "any" or len(sample) == 0 or _content_ok(sample[i], f.kind):
                mapping[f.name] = i
                used.add(i)
                if misleading:
                    chosen_by[f.name] = (
                        f"by content: {', '.join(repr(header[j]) for j in misleading)} does not hold "
                        f"{'amounts' if f.kind == 'money' else f.kind + 's'}"
                    )
                break
            misleading.append(i)
        if f.name not in mapping and candidates:
            # no column with the right header holds the right content: keep the header's choice, and let the
            # rows that do not fit be reported one by one (a content search is for when no header names it)
            mapping[f.name] = candidates[0]
            used.add(candidates[0])
    for f in fields:
        if f.name in mapping or not f.required or len(sample) == 0:
            continue
        found = _by_content(keys, sample, f, used)
        if found is not None:
            mapping[f.name] = found
            used.add(found)
            chosen_by[f.name] = f"by content (its header {header[found]!r} does not say it)"
    missing = [f for f in fields if f.required and f.name not in mapping]
    if missing:
        f = missing[0]
        raise InputError(
            f"{label}: no column holds the {f.label} ({f.kind}). Columns: {', '.join(h for h in header if h)}.\n"
            f'  Say which column it is: {COLUMNS_PARAM.get(what, "columns")} {f.name}="Header".',
            code="no-column-for-field",
            params=(COLUMNS_PARAM.get(what, "columns"),),
        )
    return mapping, chosen_by


def _override_index(header: list[str], name: str, text: str, used: set[int], label: str, what: str) -> int:
    """The column a ``columns`` override names, or an error listing the columns there are."""
    hits = [i for i, h in enumerate(header) if header_key(h) == header_key(text) and i not in used]
    if not hits:
        param = COLUMNS_PARAM.get(what, "columns")
        raise InputError(
            f"{label}: {param} {name}={text!r}: no column headed {text!r}. "
            f"Columns: {', '.join(h for h in header if h)}.",
            code="column-not-found",
            params=(param,),
        )
    return hits[0]


def _by_content(keys: list[str], sample: pd.DataFrame, f: Field, used: set[int]) -> int | None:
    free = [i for i in range(len(keys)) if i not in used and i in sample.columns]
    if f.kind == "text":
        for i in free:
            if _SUPPLIERISH.search(keys[i]) and _content_ok(sample[i], "text") and _repeats(sample[i]):
                return i
        return None
    if f.kind == "money":
        idish = re.compile(r"\b(id|no|number|code|ref|reference|date|year|period|account)\b")
        for i in free:
            if idish.search(keys[i]):
                continue
            values = sample[i][~_blank_mask(sample[i])]
            if (
                len(values)
                and _content_ok(values, "money")
                and values.astype("str").str.contains(r"\.\d", regex=True).mean() > 0.2
            ):
                return i
    return None


def _repeats(values: pd.Series) -> bool:
    filled = values[~_blank_mask(values)].astype("str")
    return len(filled) > 0 and filled.nunique() < max(len(filled), 2)


# -- rows that do not fit the header ------------------------------------------------------------------------

_STRICT_MONEY = re.compile(r"^[-+]?£?\(?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?\)?-?$")
_STRICT_DATE = re.compile(r"^(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})$")
_DIGITS = re.compile(r"^\d+$")


def _column_shapes(sample: pd.DataFrame, width: int) -> list[tuple[str, int | None]]:
    """For each column, what its values look like: ("money"|"date"|"digits"|"text", fixed length or None)."""
    shapes: list[tuple[str, int | None]] = []
    for i in range(width):
        if i not in sample.columns:
            shapes.append(("text", None))
            continue
        filled = sample[i][~_blank_mask(sample[i])].astype("str").str.strip()
        if len(filled) == 0:
            shapes.append(("text", None))
            continue
        lengths = filled.str.len()
        # a fixed width is only believed from enough rows ("1/4/2025" alone says nothing about "11/4/2025")
        fixed = int(lengths.iloc[0]) if lengths.nunique() == 1 and len(filled) >= 20 else None
        for kind, pattern in (("date", _STRICT_DATE), ("digits", _DIGITS), ("money", _STRICT_MONEY)):
            if filled.str.match(pattern.pattern).mean() >= 0.95:
                shapes.append((kind, fixed if kind != "money" else None))
                break
        else:
            shapes.append(("text", None))
    return shapes


def _fits(value: str, shape: tuple[str, int | None]) -> bool:
    kind, fixed = shape
    value = value.strip()
    if fixed is not None and len(value) != fixed:
        return False
    if kind == "date":
        return bool(_STRICT_DATE.match(value))
    if kind == "digits":
        return bool(_DIGITS.match(value))
    if kind == "money":
        return bool(_STRICT_MONEY.match(value))
    # a text piece of a split holds a letter: "5." or "1234." is a number cut in two, never text
    return (
        bool(re.search(r"[^\W\d_]", value))
        and not _STRICT_MONEY.match(value)
        and not _STRICT_DATE.match(value)
    )


def _sound(candidate: list[str], mapping: dict[str, int], fields: tuple[Field, ...]) -> bool:
    """A split row puts a name (letters) in each required text column and money in each required money
    column; anything else ("1234." as a supplier) is no repair."""
    for f in fields:
        if not f.required or f.name not in mapping or mapping[f.name] >= len(candidate):
            continue
        value = candidate[mapping[f.name]].strip()
        if f.kind == "text" and not re.search(r"[^\W\d_]", value):
            return False
        if f.kind == "money" and not _STRICT_MONEY.match(value):
            return False
    return True


def _recover_short(
    short: list[tuple[int, list[str]]],
    width: int,
    shapes: list[tuple[str, int | None]],
    mapping: dict[str, int],
    fields: tuple[Field, ...],
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str, str]]]:
    """Split rows that lost one delimiter where exactly one split fits the columns' shapes."""
    recovered: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str, str]] = []
    for row, fields_ in short:
        text = ",".join(fields_)
        if len(fields_) != width - 1:
            problems.append(
                (
                    row,
                    f"has {len(fields_)} field(s) where the header has {width}: fix the row in the file",
                    text,
                )
            )
            continue
        fits: list[list[str]] = []
        for j, value in enumerate(fields_):
            left, right = shapes[j], shapes[j + 1]
            if left[0] == "text" and right[0] == "text":
                continue  # two free-text neighbours can be split anywhere
            for cut in range(1, len(value)):
                a, b = value[:cut], value[cut:]
                if _fits(a, left) and _fits(b, right):
                    candidate = [*fields_[:j], a.strip(), b.strip(), *fields_[j + 1 :]]
                    if candidate not in fits and _sound(candidate, mapping, fields):
                        fits.append(candidate)  # "Shop" + " 1/4/2025" is "Shop " + "1/4/2025": once
        if len(fits) == 1:
            recovered.append((row, fits[0]))
        else:
            why = (
                "no split of one value fits the columns" if not fits else f"{len(fits)} different splits fit"
            )
            problems.append(
                (
                    row,
                    f"has {width - 1} fields where the header has {width}: a delimiter seems to be missing, "
                    f"and {why}; put the missing delimiter back",
                    text,
                )
            )
    return recovered, problems


def _misaligned(part: pd.DataFrame, long: dict[int, list[str]], fields: tuple[Field, ...]) -> list[int]:
    """Rows with extra fields whose money or date columns do not hold money or dates."""
    at = np.flatnonzero(part["row"].isin(list(long)).to_numpy())
    bad = np.zeros(len(at), dtype=bool)
    for f in fields:
        if f.name not in part or f.kind not in ("money", "date"):
            continue
        values = take_rows(part[f.name], at)
        if f.kind == "money":
            bad |= parse_money(values)[1].to_numpy()
        else:
            bad |= parse_dates(values).bad.to_numpy()
    return [int(r) for r in part["row"].to_numpy()[at][bad]]
