"""Small helpers for working on Arrow string columns with numpy, shared by the vectorised parsers."""

from __future__ import annotations

import numpy as np
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
