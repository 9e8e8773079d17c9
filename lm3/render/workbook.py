"""The one workbook writer: every .xlsx lm3 writes (report.xlsx, the supplier template, survey forms,
Companies House matches) is made of these sheets, with one text-cell policy (``lm3.values.cells``): text
is a text cell, never a formula, and formula-like text carries Excel's quote prefix; a control character a
workbook cannot hold is replaced, and the cells are listed on a sheet "Text replaced".
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not with lm3
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

from lm3.errors import InputError
from lm3.values import params
from lm3.values.cells import is_formula_like, visible_text, workbook_text, write_csv

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
    from openpyxl.styles import Font

    return Font(bold=True)


def new_workbook(*, streaming: bool = False) -> Workbook:
    """An empty workbook (no default sheet). ``streaming``: openpyxl's write-only mode, for a workbook made
    only of ``add_sheet`` tables (report.xlsx): each sheet is written out as it is added, in constant
    memory, and cannot be changed afterwards."""
    from openpyxl import Workbook

    book = Workbook(write_only=streaming)
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
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(name)
    columns = [str(c) for c in frame.columns]
    # widths, panes and filters first: a streamed sheet writes them before its rows
    for j, column in enumerate(frame.columns, start=1):
        sample = [len(str(column))] + [len(str(v)) for v in frame.iloc[:200, j - 1]]
        width = 14 if column in money or column in shares else min(max(sample) + 2, 70)
        ws.column_dimensions[get_column_letter(j)].width = max(width, 10)
    ws.freeze_panes = freeze
    if len(frame):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    header = []
    for c in columns:
        cell = WriteOnlyCell(ws, workbook_text(c))
        cell.data_type = "s"
        cell.font = bold()
        cell.fill = PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        header.append(cell)
    ws.append(header)
    labels = [str(v) for v in frame.iloc[:, 0]] if len(columns) else []
    cells = []
    for j, column in enumerate(frame.columns, start=1):
        kinds = {GBP_FORMAT: money, "0.0%": shares, "0.00": decimals}
        fixed = next((f for f, names in kinds.items() if column in names), None)
        formats: list[str | None] = [fixed] * len(frame)
        if j == 2 and fixed is None:  # an Item/Value sheet: a format by the row's item
            by_item = {GBP_FORMAT: money_rows, "0.0%": share_rows, "0.00": decimal_rows}
            formats = [next((f for f, items in by_item.items() if label in items), None) for label in labels]
        cells.append(_column(ws, j, frame.iloc[:, j - 1].tolist(), formats, pence))
    for row in zip(*cells, strict=True):
        ws.append(row)
    return cast("Worksheet", ws)


def _column(ws: Any, j: int, values: list[Any], formats: list[str | None], pence: bool) -> list[Any]:
    """The cells of column ``j`` (from row 2), each number in its row's format (``GBP_FORMAT``: pence
    written as pounds unless ``pence`` is False; None: as it is)."""
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    out: list[Any] = []
    for i, (value, kind) in enumerate(zip(values, formats, strict=True)):
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out.append(None)
        elif isinstance(value, bool):
            out.append("yes" if value else "no")
        elif isinstance(value, int | float | np.integer | np.floating):
            number = value.item() if hasattr(value, "item") else value
            if kind is None:
                out.append(number)
                continue
            cell = WriteOnlyCell(ws, int(number) / 100 if kind == GBP_FORMAT and pence else float(number))
            cell.number_format = kind
            out.append(cell)
        else:
            out.append(_text(ws, str(value), f"{get_column_letter(j)}{i + 2}"))
    return out


def _text(ws: Any, value: str, coordinate: str) -> object:
    """A text cell (``text_cell``'s rule) for ``add_sheet``: plain text as is, a cell only where the text
    could be taken for a formula or an error value."""
    from openpyxl.cell.cell import ERROR_CODES, WriteOnlyCell

    text = workbook_text(value)
    if text != value:
        _REPLACED.setdefault(ws.parent, []).append((ws.title, coordinate, visible_text(value)))
    if not is_formula_like(text) and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


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
    book = new_workbook(streaming=True)
    add_sheet(book, sheet, frame, freeze="B2", **formats)
    return save(book, path)
