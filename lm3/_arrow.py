"""Small helpers for working on Arrow string columns with numpy, shared by the vectorised parsers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def as_numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow array (a boolean or number result of a compute function) as a numpy array."""
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def bytes_present(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which of the 256 byte values occur in a string column's UTF-8 data: one pass over the bytes, to skip
    searches for characters that cannot be there. A superset for a slice (its buffer holds its neighbours)."""
    present = np.zeros(256, dtype=bool)
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        data = chunk.buffers()[2]
        if data is not None and data.size:
            present |= np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256) > 0
    return present


def take_rows(values: pd.Series, at: np.ndarray) -> pd.Series:
    """``values.iloc[at]`` for a few rows of a long column. A text column read in pieces is a chunked Arrow
    array, and Arrow's take joins its chunks (a copy of the whole column) first: here each chunk gives its
    own rows instead."""
    at = np.asarray(at, dtype=np.int64)
    array = values.array
    if not (isinstance(values.dtype, pd.StringDtype) and hasattr(array, "__arrow_array__")):
        return values.iloc[at]
    chunked = pa.chunked_array(array.__arrow_array__())
    if chunked.num_chunks <= 1 or len(at) == 0:
        return values.iloc[at]
    starts = np.cumsum([0] + [len(c) for c in chunked.chunks])
    order = np.argsort(at, kind="stable")
    which = np.searchsorted(starts, at[order], side="right") - 1
    parts = [
        chunked.chunk(int(k)).take(pa.array(at[order][which == k] - starts[k])) for k in np.unique(which)
    ]
    taken = pa.concat_arrays(parts).take(pa.array(np.argsort(order, kind="stable")))
    return pd.Series(pd.array(taken, dtype=values.dtype), index=values.index[at], name=values.name)
