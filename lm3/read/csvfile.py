"""CSV files: the encoding (UTF-8 with any byte-order mark, else cp1252), the delimiter, and the rows
parsed by pyarrow in blocks, with a careful path for the lines pyarrow refuses.
"""

from __future__ import annotations

import csv
import io
import itertools
import mmap
import os
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from lm3.errors import InputError, Notice
from lm3.read.bounds import READS
from lm3.read.cells import HEADER_SEARCH_ROWS, SAMPLE_ROWS
from lm3.read.sheet import Body, Sheet


def csv_notes(sheet: Sheet, label: str) -> list[Notice]:
    """What reading a CSV changed that a person should know: an encoding other than UTF-8, carriage returns
    inside lines."""
    if not isinstance(sheet, CsvSheet):
        return []
    notes = []
    if sheet.encoding != "utf-8":
        how = (
            "not UTF-8: read as Windows-1252 (cp1252), as Excel saves a CSV"
            if sheet.encoding in ("cp1252", "latin-1")
            else f"UTF-8 but for {sheet.encoding.removeprefix('utf-8 with ')}: those read as Windows-1252"
        )
        notes.append(
            Notice(
                "encoding-not-utf8",
                f"{label}: {how}. If names with accents or in other scripts look wrong, the file is "
                "in another encoding: save it as CSV UTF-8.",
                file=label,
            )
        )
    if sheet.carriage_returns:
        notes.append(
            Notice(
                "carriage-returns-in-lines",
                f"{label}: {sheet.carriage_returns:,} carriage return(s) inside lines, not at their ends: read as "
                "spaces, so no row was split.",
                file=label,
            )
        )
    return notes


class CsvSheet(Sheet):
    """A CSV held as bytes. The body is parsed by pyarrow, in pieces split at line ends and read on as many
    threads as there are cores; row numbers are line numbers (the row a spreadsheet shows). Files where a
    quoted value spans lines, or that pyarrow cannot parse, go through Python's csv module instead (slower,
    same result)."""

    def __init__(self, raw: bytes | mmap.mmap, name: str | None, label: str) -> None:
        self.name = name
        self.label = label
        self.start = bom_length(raw)
        self.encoding = "utf-8"
        try:
            raw[self.start : self.start + (1 << 20)].decode("utf-8")
        except UnicodeDecodeError as err:
            if err.start < (1 << 20) - 4:
                raw, self.encoding = _to_utf8(raw[self.start :])
                self.start = 0
        self.carriage_returns = 0  # carriage returns inside lines, read as spaces
        if b"\r" in raw[: 1 << 16] and b"\n" not in raw[: 1 << 16]:
            # old Mac line ends; a mapped file is read-only, so it is copied first
            raw = bytes(raw).replace(b"\r", b"\n")
        elif raw.find(b"\r") >= 0 and re.search(rb"\r(?!\n)", raw):
            # a carriage return inside a line of a file whose lines end otherwise: a space that was typed
            # in a cell, never a line end (it would make rows that do not exist)
            raw, self.carriage_returns = re.subn(rb"\r(?!\n)", b" ", bytes(raw))
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
        records, longer = [], []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), self.dialect):
                if len(record) == width or (
                    len(record) > width and not any(f.strip() for f in record[width:])
                ):
                    records.append(record[:width])
                elif len(record) > width:
                    longer.append(record[:width])
                if len(records) >= SAMPLE_ROWS:
                    break
        except csv.Error:
            pass
        if len(longer) > len(records):
            # most rows hold more fields than the header names (a trailing column with no header, "#N/A" in
            # it): the header's columns are theirs all the same, so the sample is of them
            records = longer[:SAMPLE_ROWS]
        columns = list(zip(*records, strict=True)) if records else [()] * width
        return pd.DataFrame({i: pd.array(list(columns[i]), dtype="str") for i in range(width)})

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> Body:
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

    def _fast_body(self, pos: int, first_row: int, width: int, wanted: list[int]) -> Body:
        raw = self.raw
        if pos >= len(raw):
            return Body(pd.DataFrame({i: pd.Series(dtype="str") for i in wanted}), np.array([]), {}, [])
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
        return Body(frame, rows, long, short)

    def _slow_body(self, pos: int, first_row: int, width: int) -> Body:
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
        return Body(frame, np.array(rows, dtype=np.int64), long, short)


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


def bom_length(raw: bytes | mmap.mmap) -> int:
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
    return raw[bom_length(raw) :]


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


def _looks_ebcdic(sample: bytes) -> bool:
    """EBCDIC text: no ASCII line end but EBCDIC's (0x25, 0x15), and its letters (0x81-0xA9, 0xC1-0xE9)
    far outnumber ASCII's."""
    if not sample or b"\n" in sample or not (0x25 in sample or 0x15 in sample):
        return False
    ascii_letters = sum(65 <= b <= 90 or 97 <= b <= 122 for b in sample)
    ebcdic_letters = sum(0x81 <= b <= 0xA9 or 0xC1 <= b <= 0xE9 for b in sample)
    return ebcdic_letters > 3 * max(ascii_letters, 1)


def refuse_other_encodings(start: bytes, label: str) -> None:
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
