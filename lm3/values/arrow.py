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


def one_chunk(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array (a take from a chunked array joins its chunks each time: do it once)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


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


_HASH_BASE = np.uint64(0x100000001B3)
_HASH_SEED = np.uint64(0x9E3779B97F4A7C15)


def text_hashes(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of each text's UTF-8 bytes (a polynomial, then its bits spread): the same text hashes
    the same in every process and on every machine, so hashes may be kept on disk. A missing text hashes as
    the empty one. Computed a byte position at a time over all the texts at once (the longest first, so
    each step works on a shrinking prefix): the cost grows with the bytes, never with a loop per text."""
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    return np.concatenate([_chunk_hashes(c) for c in chunks]) if chunks else np.empty(0, np.uint64)


def _chunk_hashes(chunk: pa.Array) -> np.ndarray:
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    data = pc.cast(pc.fill_null(chunk, ""), pa.large_binary() if large else pa.binary())
    n = len(data)
    offsets = np.frombuffer(data.buffers()[1], dtype=np.int64 if large else np.int32)[
        data.offset : data.offset + n + 1
    ].astype(np.int64)
    flat = data.buffers()[2]
    raw = np.frombuffer(flat, dtype=np.uint8) if flat is not None else np.empty(0, np.uint8)
    lengths = np.diff(offsets)
    order = np.argsort(-lengths, kind="stable")  # longest first
    starts, longest = offsets[:-1][order], lengths[order]
    # how many texts are longer than each byte position
    live = np.searchsorted(-longest, -np.arange(int(longest[0]) if n else 0), side="left")
    out = np.full(n, _HASH_SEED, dtype=np.uint64)
    for i, k in enumerate(live):  # a loop over byte positions, never texts
        out[:k] = out[:k] * _HASH_BASE + raw[starts[:k] + i].astype(np.uint64) + np.uint64(1)
    # spread the bits, so sums of hashes of different texts rarely meet
    out ^= out >> np.uint64(29)
    out *= np.uint64(0xBF58476D1CE4E5B9)
    out ^= out >> np.uint64(32)
    hashed = np.empty(n, dtype=np.uint64)
    hashed[order] = out
    return hashed


def ragged_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[i] + arange(counts[i])`` for every i, concatenated (no Python loop)."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64)
    ends = np.cumsum(counts)
    step = np.ones(total, dtype=np.int64)
    nonempty = counts > 0
    first = (ends - counts)[nonempty]
    step[first[0]] = starts[nonempty][0]
    step[first[1:]] = starts[nonempty][1:] - (starts[nonempty][:-1] + counts[nonempty][:-1] - 1)
    return np.cumsum(step)
