"""The one workbook writer: every .xlsx lm3 writes (report.xlsx, the supplier template, survey forms,
Companies House matches) is made of these sheets, with one text-cell policy (``lm3.values.cells``): text
is a text cell, never a formula, and formula-like text carries Excel's quote prefix; a control character a
workbook cannot hold is replaced, and the cells are listed on a sheet "Text replaced".
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lm3.errors import InputError
from lm3.values import params
from lm3.values.cells import is_formula_like, visible_text, workbook_text, write_csv
from lm3.values.frames import row_tuples

GBP_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
FILL = "FFF2CC"  # pale yellow: the cells a person fills in
HEADER_FILL = "E6E6E6"


# the cells of each workbook whose text held characters a workbook cannot (sheet, cell, the text as written,
# escaped): listed on a sheet of their own when the workbook is saved
_REPLACED: WeakKeyDictionary[Workbook, list[tuple[str, str, str]]] = WeakKeyDictionary()
REPLACED_SHEET = "Text replaced"


def text_cell(cell: Cell | MergedCell, value: object) -> None:
    """Put text in a cell as text: never a formula, whatever it starts with; a control character a workbook
    cannot hold becomes U+FFFD, and the cell is listed when the workbook is saved; a blank or NaN leaves the
    cell empty."""
    if value is None or (isinstance(value, float) and value != value):
        return
    text = workbook_text(str(value))
    if text != str(value):
        sheet = cell.parent
        if sheet.parent is not None:
            listed = _REPLACED.setdefault(sheet.parent, [])
            listed.append((sheet.title, cell.coordinate, visible_text(str(value))))
    cell.value = text
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True


def bold() -> Font:
    return Font(bold=True)


def new_workbook() -> Workbook:
    """An empty workbook (no default sheet)."""
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    return book


def save(book: Workbook, path: str | Path) -> Path:
    """Save ``book``, with a sheet listing any cell whose text had characters a workbook cannot hold; a path
    that cannot be written is an InputError naming it."""
    replaced = _REPLACED.pop(book, [])
    if replaced:
        add_sheet(
            book,
            REPLACED_SHEET,
            pd.DataFrame(replaced, columns=["Sheet", "Cell", "Text as written (control characters escaped)"]),
        )
    path = Path(path)
    try:
        book.save(path)
    except OSError as err:
        raise InputError(f"Cannot write {path}: {err.strerror or err}.", code="cannot-write") from err
    return path


def add_sheet(
    book: Workbook,
    name: str,
    frame: pd.DataFrame,
    *,
    money: Collection[str] = (),
    shares: Collection[str] = (),
    decimals: Collection[str] = (),
    money_rows: Collection[str] = (),
    share_rows: Collection[str] = (),
    decimal_rows: Collection[str] = (),
    pence: bool = True,
    freeze: str = "A2",
) -> Worksheet:
    """One sheet of a table: a bold frozen header with filters, widths to fit, text always text.

    ``money`` columns (and, in a two-column Item/Value sheet, the ``money_rows``) hold pence, written as
    pounds in a £ format (``pence=False``: they hold pounds already); ``shares`` (``share_rows``) as
    percentages; ``decimals`` (``decimal_rows``) with two decimals; booleans as yes/no; blanks and NaN left
    empty.
    """
    ws = book.create_sheet(name)
    ws.append([workbook_text(str(c)) for c in frame.columns])
    for cell in ws[1]:
        cell.font = bold()
        cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(row_tuples(frame), start=2):
        row_label = str(row[0]) if len(row) else ""
        for j, (column, value) in enumerate(zip(frame.columns, row, strict=True), start=1):
            cell = ws.cell(i, j)
            if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
                continue
            is_money = column in money or (j == 2 and row_label in money_rows)
            is_share = column in shares or (j == 2 and row_label in share_rows)
            is_decimal = column in decimals or (j == 2 and row_label in decimal_rows)
            if isinstance(value, bool):
                text_cell(cell, "yes" if value else "no")
            elif is_money and isinstance(value, int | float):
                cell.value = int(value) / 100 if pence else float(value)
                cell.number_format = GBP_FORMAT
            elif is_share and isinstance(value, int | float):
                cell.value = float(value)
                cell.number_format = "0.0%"
            elif is_decimal and isinstance(value, int | float):
                cell.value = float(value)
                cell.number_format = "0.00"
            elif isinstance(value, int | float):
                cell.value = value.item() if hasattr(value, "item") else value
            else:
                text_cell(cell, value)
    for j, column in enumerate(frame.columns, start=1):
        sample = [len(str(column))] + [len(str(v)) for v in frame.iloc[:200, j - 1]]
        width = 14 if column in money or column in shares else min(max(sample) + 2, 70)
        ws.column_dimensions[get_column_letter(j)].width = max(width, 10)
    ws.freeze_panes = freeze
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    return ws


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str = "Suppliers", **formats: Any) -> Path:
    """Write a table for people and for lm3 to read back: .csv (UTF-8, text fields made safe as OWASP
    advises) or .xlsx (one sheet by ``add_sheet``; ``formats`` are its money/shares/... columns). Raises
    InputError for another suffix or a path that cannot be written."""
    params.frame("frame", frame)
    params.path("path", path)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(frame, path)
    if suffix != ".xlsx":
        raise InputError(f"{path}: write a .csv or an .xlsx file.", code="wrong-suffix")
    book = new_workbook()
    add_sheet(book, sheet, frame, freeze="B2", **formats)
    return save(book, path)
