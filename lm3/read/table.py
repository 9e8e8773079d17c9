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

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from lm3.errors import InputError, Notice
from lm3.read.cells import UNREADABLE_COLUMNS, Source, all_blank, is_blank, on_sheet, rows_text
from lm3.read.columns import (
    SECOND_FIELDS,
    Choice,
)
from lm3.read.fields import Field
from lm3.read.header import (
    COLUMNS_PARAM,
    add_identifiers,
    add_optional,
    check_identifiers,
    choose_columns,
    plan_by_content,
    plan_by_header,
)
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

    load_in_parallel(sheets)
    warnings: list[str] = list(opened)
    second = next((f.name for f in fields if f.required and f.name in SECOND_FIELDS), None)
    plan = plan_by_content(sheets, overrides, label, what, second) if content_first and second else None
    choices: dict[str, Choice] = {}
    if plan is not None:
        read, header, mapping, chosen_by, choices, notes, sample = plan
        warnings += notes
        width = len(header)
        add_optional(mapping, header, sample, fields, overrides, label=label, what=what)
        warnings += check_identifiers(mapping, header, sample, overrides, label)
        found = add_identifiers(mapping, header, sample, fields)
        choices = {**choices, **found}
        chosen_by.update({name: f"by content ({', '.join(c.reasons)})" for name, c in found.items()})
    else:
        read, header, skipped = plan_by_header(sheets, fields, overrides, label=label, what=what)
        width = len(header)
        if skipped:
            warnings.append(
                Notice(
                    "sheets-skipped",
                    f"{label}: sheets without the same header were not read: {', '.join(map(repr, skipped))}.",
                )
            )
        sample = read[0][0].sample(read[0][1], width)
        mapping, chosen_by = choose_columns(header, sample, fields, overrides, label=label, what=what)
    first_sheet = read[0][0]
    bodies: list[tuple[Sheet, Body]] = [(s, s.body(at, width, list(mapping.values()))) for s, at in read]

    parts: list[pd.DataFrame] = []
    unreadable: list[dict[str, object]] = []
    blank_rows = 0
    long_rows: list[str] = []
    for s, body in bodies:
        frame = body.frame
        part = pd.DataFrame({f: text_column(frame[i]) for f, i in mapping.items()}, copy=False)
        part["row"] = body.rows
        blank = all_blank(frame, [mapping[f.name] for f in fields if f.required])
        blank_rows += int(blank.sum())
        short = [(r, f) for r, f in body.short if any(v.strip() for v in f)]
        blank_rows += len(body.short) - len(short)
        kinds = column_shapes(sample, width) if short else []
        recovered, problems = recover_short(short, width, kinds, mapping, fields)
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
                    f"{label}{on_sheet(s.name)}: {len(recovered)} row(s) had a delimiter missing between two values; "
                    f"split where only one split fits the columns: rows {rows_text([r[0] for r in recovered])}.",
                )
            )
        if body.long:
            bad_long = misaligned(part, body.long, fields)
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
                long_rows.append(f"{rows_text(kept)}" + (f" (sheet {s.name!r})" if s.name else ""))
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
        if any(not is_blank(c) for c in row)
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
    _, sheets, _ = open_source(source, what)
    return [s.head() for s in sheets]
