"""Workbooks (XLSX, XLSM, XLS, XLSB, ODS through python-calamine): their sheets, visible or hidden, in the
workbook's order, loaded in parallel.
"""

from __future__ import annotations

import html
import io
import os
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from lm3.errors import InputError
from lm3.read.bounds import ErrorCells
from lm3.read.cells import HEADER_SEARCH_ROWS, blank_mask, is_blank
from lm3.read.sheet import Body, Sheet


class ExcelSheet(Sheet):
    """One sheet of a workbook. ``open`` gives a workbook handle: each thread that loads a sheet opens its
    own, so the sheets of a workbook load in parallel (python-calamine releases the GIL)."""

    def __init__(
        self,
        open_book: Callable[[], CalamineWorkbook],
        name: str,
        label: str,
        errors: ErrorCells | None = None,
        hidden: bool = False,
    ) -> None:
        self.name = name
        self.hidden = hidden  # hidden in the workbook: read only when no visible sheet holds the table
        self.label = label
        self._errors = errors or {}
        self.sheet_name = name  # as the workbook calls it (``name`` may add the ZIP member's name)
        self._open = open_book
        self._grid: list[list[object]] | None = None
        self._body: tuple[tuple[int, int], Body] | None = None

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

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> Body:
        if self._body is None or self._body[0] != (header_at, width):
            self._body = ((header_at, width), self._read_body(header_at, width))
        return self._body[1]

    def _read_body(self, header_at: int, width: int) -> Body:
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
            filled = np.flatnonzero(~np.column_stack([blank_mask(pd.Series(c)) for c in extra.T]).all(axis=1))
            for i in filled:
                long[header_at + 2 + int(i)] = [str(v) for v in extra[i] if not is_blank(v)]
        rows = np.arange(header_at + 2, header_at + 2 + len(grid))
        return Body(frame, rows, long, [])


def book_sheets(source: Path | bytes, label: str, errors: dict[str, ErrorCells] | None = None) -> list[Sheet]:
    """A workbook's sheets; ``errors`` (from ``check_archive``), each XLSX worksheet's error cells, which the
    reader gives as blanks and the sheets put back."""

    def open_book() -> CalamineWorkbook:
        if isinstance(source, Path):
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(io.BytesIO(source))

    try:
        listed = open_book().sheets_metadata
        names = [m.name for m in listed]
        hidden = {m.name for m in listed if m.visible != SheetVisibleEnum.Visible}
    except (CalamineError, OSError, ValueError) as err:
        raise InputError(
            f"{label}: cannot be read as a spreadsheet ({err}). Save it again as XLSX or CSV.",
            code="not-readable",
        ) from err
    members = _sheet_members(source) if errors else {}
    return [
        ExcelSheet(
            open_book, name, label, (errors or {}).get(members.get(name, ""), {}), hidden=name in hidden
        )
        for name in names
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


def load_in_parallel(sheets: list[Sheet]) -> None:
    """Load the cells of several workbook sheets at once, on as many threads as there are cores."""
    pending = [s for s in sheets if isinstance(s, ExcelSheet) and s._grid is None]
    if len(pending) < 2:
        return
    with ThreadPoolExecutor(max_workers=min(len(pending), os.cpu_count() or 1)) as pool:
        list(pool.map(lambda s: s.grid, pending))
