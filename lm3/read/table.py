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

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from lm3.errors import InputError, Notice
from lm3.read.cells import UNREADABLE_COLUMNS, Source, all_blank, is_blank, on_sheet, rows_text
from lm3.read.columns import (
    Choice,
)
from lm3.read.csvfile import csv_notes
from lm3.read.fields import Field
from lm3.read.header import COLUMNS_PARAM, plan_table
from lm3.read.plan import Plan
from lm3.read.repair import column_shapes, misaligned, recover_short
from lm3.read.sheet import Body, Sheet, text_column
from lm3.read.sources import open_source
from lm3.read.workbook import load_in_parallel


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
    label, sheets, opened = open_source(source, what)
    overrides = _overrides(columns, fields, label, what)
    if sheet is not None:
        sheets = _only(sheets, sheet, label)
    load_in_parallel(sheets)
    _check_width(sheets, label)
    plan = plan_table(sheets, fields, overrides, label=label, what=what, content_first=content_first)
    warnings: list[str] = [*opened, *plan.warnings]
    rows = _Rows(label, warnings)
    bodies = [(s, s.body(at, plan.width, list(plan.mapping.values()))) for s, at in plan.read]
    parts = [rows.of_sheet(s, body, plan, fields, keep_blank) for s, body in bodies]
    warnings += [note for s, _ in bodies for note in csv_notes(s, label)]
    if rows.long:
        warnings.append(
            Notice(
                "rows-longer-than-header",
                f"{label}: rows with more fields than the header; the extra fields have no column and were "
                f"not used: rows {'; '.join(rows.long)}.",
                file=label,
                rows=rows.long_rows,
            )
        )
    data = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
    if not any(s.name for s, _ in bodies):
        data["sheet"] = None
    header, mapping = plan.header, plan.mapping
    preamble = tuple(
        (s.name, s.row_number(j), tuple(row))
        for s, at in plan.read
        for j, row in enumerate(s.head()[: max(at, 0)])
        if any(not is_blank(c) for c in row)
    )
    return Table(
        label=label,
        sheet=plan.read[0][0].name,
        data=data,
        columns={f.name: (header[mapping[f.name]] if f.name in mapping else None) for f in fields},
        warnings=tuple(warnings),
        sheets=tuple(str(s.name) for s, _ in bodies if s.name is not None),
        blank_rows=rows.blank,
        unreadable=pd.DataFrame(rows.unreadable, columns=UNREADABLE_COLUMNS),
        chosen_by=plan.chosen_by,
        choices=plan.choices,
        preamble=preamble,
        headers=tuple(str(h) for h in header),
    )


def _overrides(
    columns: Mapping[str, str] | None, fields: tuple[Field, ...], label: str, what: str
) -> dict[str, str]:
    """The columns a person named, each for a field the table has."""
    overrides = dict(columns or {})
    unknown = [k for k in overrides if k not in {f.name for f in fields}]
    if unknown:
        raise InputError(
            f"{label}: no {what} column called {', '.join(map(repr, unknown))} to set. "
            f"Columns that can be set: {', '.join(f.name for f in fields)}.",
            code="unknown-column-field",
            params=(COLUMNS_PARAM.get(what, "columns"),),
        )
    return overrides


def _only(sheets: list[Sheet], sheet: str, label: str) -> list[Sheet]:
    """The one sheet named."""
    names = [s.name for s in sheets]
    if sheet not in names:
        raise InputError(
            f"{label}: no sheet named {sheet!r}. Sheets: {', '.join(map(str, names))}.", code="no-such-sheet"
        )
    return [s for s in sheets if s.name == sheet]


class _Rows:
    """The rows of a table's sheets as they are read: blank ones counted, short ones repaired where one
    split fits, long ones kept when their columns line up; what cannot be read listed."""

    def __init__(self, label: str, warnings: list[str]) -> None:
        self.label, self.warnings = label, warnings
        self.blank = 0
        self.unreadable: list[dict[str, object]] = []
        self.long: list[str] = []  # the long rows kept, sheet by sheet, for one warning
        self.long_rows: list[int] = []

    def of_sheet(
        self, s: Sheet, body: Body, plan: Plan, fields: tuple[Field, ...], keep_blank: bool
    ) -> pd.DataFrame:
        frame, mapping = body.frame, plan.mapping
        part = pd.DataFrame({f: text_column(frame[i]) for f, i in mapping.items()}, copy=False)
        part["row"] = body.rows
        blank = all_blank(frame, [mapping[f.name] for f in fields if f.required])
        self.blank += int(blank.sum())
        if keep_blank:
            part["blank"] = blank
        elif blank.any():
            part = part[~blank]
        part = self._repaired(s, body, plan, fields, part, keep_blank)
        if body.long:
            part = self._long(s, body, plan.width, fields, part)
        part["sheet"] = s.name
        return part

    def _repaired(
        self,
        s: Sheet,
        body: Body,
        plan: Plan,
        fields: tuple[Field, ...],
        part: pd.DataFrame,
        keep_blank: bool,
    ) -> pd.DataFrame:
        """Rows with fewer fields than the header, split again where one split fits (else unreadable)."""
        short = [(r, f) for r, f in body.short if any(v.strip() for v in f)]
        self.blank += len(body.short) - len(short)
        kinds = column_shapes(plan.sample, plan.width) if short else []
        recovered, problems = recover_short(short, plan.width, kinds, plan.mapping, fields)
        for row, reason, text in problems:
            self.unreadable.append({"sheet": s.name, "row": row, "value": text, "problem": reason})
        if not recovered:
            return part
        add = pd.DataFrame({f: [r[1][i] for r in recovered] for f, i in plan.mapping.items()})
        add["row"] = [r[0] for r in recovered]
        if keep_blank:
            add["blank"] = False
        self.warnings.append(
            Notice(
                "delimiter-missing-repaired",
                f"{self.label}{on_sheet(s.name)}: {len(recovered)} row(s) had a delimiter missing between two values; "
                f"split where only one split fits the columns: rows {rows_text([r[0] for r in recovered])}.",
                file=self.label,
                sheet=s.name,
                rows=[r[0] for r in recovered],
            )
        )
        return pd.concat([part, add], ignore_index=True)

    def _long(
        self, s: Sheet, body: Body, width: int, fields: tuple[Field, ...], part: pd.DataFrame
    ) -> pd.DataFrame:
        """Rows with more fields than the header: kept when their columns line up, else unreadable."""
        bad_long = misaligned(part, body.long, fields)
        for row in bad_long:
            self.unreadable.append(
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
            self.long_rows += kept
            self.long.append(f"{rows_text(kept)}" + (f" (sheet {s.name!r})" if s.name else ""))
        return part


MAX_COLUMNS = (
    2_000  # a spend file, a register or a survey has a few dozen columns; a table this wide is not one
)


def _check_width(sheets: list[Sheet], label: str) -> None:
    """Refuse a table wider than ``MAX_COLUMNS`` in its first rows, before any work grows with its width."""
    for s in sheets:
        widest = max((len(row) for row in s.head()), default=0)
        if widest > MAX_COLUMNS:
            raise InputError(
                f"{label}{on_sheet(s.name)}: {widest:,} columns in its first rows; lm3 reads tables of at most "
                f"{MAX_COLUMNS:,}. Save only the table of payments (or the register) as its own file.",
                code="too-many-columns",
            )


def header_cells(source: Source, what: str = "payments", sheet: str | None = None) -> list[str]:
    """The cells of the row most like a header among a table's first rows: the first row holding the most
    cells of words (text that is not a number). For a person to say which column is which when lm3 found
    none (the web's check page offers them); empty when the file holds no such row. Raises InputError as
    ``read_table`` does for a file that cannot be opened."""
    label, sheets, _ = open_source(source, what)
    if sheet is not None:
        sheets = _only(sheets, sheet, label)
    for s in sheets:
        head = s.head()
        counts = [sum(1 for c in row if _is_words(c)) for row in head]
        if counts and max(counts) >= 2:
            row = head[counts.index(max(counts))]
            return list(dict.fromkeys(str(c).strip() for c in row if not is_blank(c)))
    return []


def _is_words(cell: object) -> bool:
    return isinstance(cell, str) and not is_blank(cell) and re.search(r"[^\W\d_]", cell) is not None


def first_rows(source: Source, what: str) -> list[list[list[object]]]:
    """The first rows of each table a source holds (each sheet of a workbook, each table of a ZIP), for
    recognising what a file is before reading it."""
    _, sheets, _ = open_source(source, what)
    return [s.head() for s in sheets]
