"""Small helpers for working on Arrow string columns with numpy, shared by the vectorised parsers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def as_numpy(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An Arrow array (a boolean or number result of a compute function) as a numpy array."""
    return np.asarray(arr.to_numpy(zero_copy_only=False))


def bytes_present(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Which of the 256 byte values occur in a string column's UTF-8 data: one pass over the bytes, to skip
    searches for characters that cannot be there. A superset for a slice (its buffer holds its neighbours)."""
    counts = np.zeros(256, dtype=np.int64)
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        data = chunk.buffers()[2]
        if data is None:
            continue
        data = np.frombuffer(data, dtype=np.uint8)
        # in blocks: bincount works on 8-byte integers, so a whole column at once would take 8 times its size
        for at in range(0, len(data), 1 << 18):
            counts += np.bincount(data[at : at + (1 << 18)], minlength=256)
    return counts > 0


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


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each row's code and the distinct values, in order of first appearance, like ``pd.factorize``, but a
    missing value's code is ``len(uniques)`` (the slot callers keep for "missing").

    A text column read from a CSV (Arrow strings) is hashed by Arrow (``dictionary_encode``): int32 codes,
    in Arrow's memory pool, which a fresh process maps in large pages rather than page by page."""
    array = values.array
    if isinstance(values.dtype, pd.StringDtype) and hasattr(array, "__arrow_array__"):
        encoded = pc.dictionary_encode(pa.chunked_array(array.__arrow_array__()))
        if encoded.num_chunks:
            # chunks share one dictionary, grown as they are read: the last chunk's holds every value
            dictionary = encoded.chunk(encoded.num_chunks - 1).dictionary
            indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32())
            codes = pc.fill_null(indices, len(dictionary)).combine_chunks()
            return as_numpy(codes), pd.Series(pd.array(dictionary, dtype=values.dtype))
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes[codes < 0] = len(uniques)
    return codes, pd.Series(uniques, dtype="object")
