"""A sheet: one table's cells as a source holds them (a DataFrame, a workbook's sheet, a CSV), read
when first needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from lm3.read.cells import HEADER_SEARCH_ROWS, SAMPLE_ROWS

# -- opening sources ---------------------------------------------------------------------------------------


@dataclass
class Body:
    """The cells under a header: ``frame`` has columns 0..width-1; ``rows`` the row number of each."""

    frame: pd.DataFrame
    rows: np.ndarray
    long: dict[int, list[str]]  # row -> the fields beyond the header's width, when any is filled
    short: list[tuple[int, list[str]]]  # rows with fewer fields than the header: (row, fields)


class Sheet:
    """One candidate table: a CSV, one sheet of a workbook, or a DataFrame."""

    name: str | None
    hidden: bool = False  # a workbook's hidden sheet

    def head(self) -> list[list[object]]:
        """The first rows, for finding the header (index i is row i + 1 of the sheet)."""
        raise NotImplementedError

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> Body:
        """The rows under the header; ``columns`` (indices) may limit the columns read, where that saves
        time (a CSV); other columns may still be present."""
        raise NotImplementedError

    def sample(self, header_at: int, width: int) -> pd.DataFrame:
        """The first rows under the header, every column, for choosing columns by their content."""
        return self.body(header_at, width).frame.head(SAMPLE_ROWS)

    def row_number(self, i: int) -> int:
        """Row ``i`` of ``head()`` as a person sees it in the file."""
        return i + 1


class FrameSheet(Sheet):
    def __init__(self, frame: pd.DataFrame) -> None:
        self.name = None
        self.frame = frame

    def head(self) -> list[list[object]]:
        top = self.frame.head(HEADER_SEARCH_ROWS - 1).astype("object").values.tolist()
        return [list(map(str, self.frame.columns)), *top]

    def body(self, header_at: int, width: int, columns: list[int] | None = None) -> Body:
        frame = self.frame.iloc[max(header_at, 0) :].reset_index(drop=True)
        frame.columns = pd.RangeIndex(frame.shape[1])
        rows = np.arange(header_at + 2, header_at + 2 + len(frame))
        return Body(frame, rows, {}, [])


def text_column(values: pd.Series) -> pd.Series:
    """A column of cells: text columns as Arrow-backed strings (cheap to work on), others as objects."""
    if values.dtype != object:
        return values
    try:
        text = pa.array(values, type=pa.string(), from_pandas=True)  # stops at the first non-text cell
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        return values
    return pd.Series(pd.array(text, dtype="str"), index=values.index)
