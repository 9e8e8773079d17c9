"""Small helpers over pandas frames: reading small tables row by row (formatting, JSON records), membership
tests over text columns that stay in Arrow, and groups over integer positions (each row's group as a number:
the first row of each group, its least value) that never hash text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def row_tuples(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (``row.amount``). pandas-stubs types each field as any scalar,
    which says nothing; the fields are what the frame's columns hold."""
    return frame.itertuples(index=False)


def among(values: pd.Series, allowed: pd.Series | pd.Index) -> pd.Series:
    """``values.isin(allowed)`` (a blank is never among them), computed in Arrow when both hold text:
    pandas' own ``isin`` on text converts each allowed value in Python, which costs seconds when a
    council's 40,000 supplier keys are the allowed values."""
    if not (pd.api.types.is_string_dtype(values.dtype) and pd.api.types.is_string_dtype(allowed.dtype)):
        return values.isin(allowed) & values.notna()
    value_set = pc.unique(_text(allowed)).drop_null()
    hit = pc.is_in(_text(values), value_set=value_set)
    return pd.Series(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _text(values: pd.Series | pd.Index) -> pa.Array:
    """A text column as an Arrow string array (without copying when pandas already holds it in Arrow)."""
    array = values.array
    arrow = (
        pa.array(array)
        if hasattr(array, "__arrow_array__")
        else pa.array(np.asarray(array, dtype=object), from_pandas=True)
    )
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    return arrow.cast(pa.large_string())


def least_at(at: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The least of ``values`` (positive integers) at each position 0..n-1 of ``at``; 0 where none."""
    out = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, at, values)
    return np.where(out == np.iinfo(np.int64).max, 0, out)


def first_at(at: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """For each position 0..n-1, the first of ``rows`` (row numbers, in the order given) whose ``at`` is it;
    -1 where none."""
    out = np.full(n, -1, dtype=np.int64)
    taken, where = np.unique(at[rows], return_index=True)
    out[taken] = rows[where]
    return out
