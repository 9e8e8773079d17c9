"""What a table's cells are before they are read as fields: the sources lm3 reads, a header's
key, blank cells, and rows named as a person sees them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from lm3.values.arrow import take_rows
from lm3.values.money import as_text

Source = str | Path | pd.DataFrame


SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".tab"}


HEADER_SEARCH_ROWS = 30


SAMPLE_ROWS = 2000


UNREADABLE_COLUMNS = ["sheet", "row", "value", "problem"]


def header_key(text: object) -> str:
    """A header as compared with synonyms: "Net Amount (£)" -> "net amount", "% local" -> "percent local"."""
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(text)).casefold().replace("%", " percent ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


def on_sheet(sheet: object) -> str:
    """ " (sheet 'April')" for a message about a sheet's rows; nothing when there is no sheet."""
    return f" (sheet {sheet!r})" if isinstance(sheet, str) and sheet else ""


def rows_text(rows: list[int] | pd.Series | np.ndarray, limit: int = 12) -> str:
    """Row numbers for a message: "4, 9, 12" (or the first few and how many more)."""
    numbers = [str(int(r)) for r in rows]
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return ", ".join(numbers[:limit]) + more


def is_blank(value: object) -> bool:
    """Whether one cell is empty: nothing, NaN, or only spaces. The one test of a blank cell (``blank_mask``
    is the same test on a column at once)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    return str(value).strip() == ""


# text of only spaces (Python's test, as ``is_blank``'s), each cell tested in numpy's loop
_only_spaces = np.frompyfunc(lambda v: isinstance(v, str) and v.isspace(), 1, 1)


def blank_mask(values: pd.Series) -> np.ndarray:
    """True where a cell is empty or only spaces (vectorised)."""
    if values.dtype == object:  # cells from a workbook: numbers and dates are never blank
        cells = values.to_numpy()
        blank = np.asarray(pd.isna(cells) | (cells == ""), dtype=bool)
        blank |= np.asarray(_only_spaces(cells), dtype=bool)
        return blank
    text = as_text(values)
    blank = pc.or_(pc.equal(pc.binary_length(text), 0), pc.utf8_is_space(text))
    return np.asarray(pc.fill_null(blank, True).to_numpy(zero_copy_only=False), dtype=bool)


def all_blank(frame: pd.DataFrame, first: list[int]) -> np.ndarray:
    """Rows with every cell blank: the columns ``first`` are checked first, the rest only where needed."""
    blank = np.ones(len(frame), dtype=bool)
    for i in first:
        blank &= blank_mask(frame[i])
    if blank.any():
        idx = np.flatnonzero(blank)
        checked: set[object] = set(first)
        for c in frame.columns:
            if c not in checked:
                blank[idx] &= blank_mask(take_rows(frame[c], idx))
    return blank
