"""The store's names for near-name matching: the distinct keys of the registers small enough to
search, kept beside them and rebuilt when a register changes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.geo import lad_table
from lm3.inputs.register_index import key_check, public_bodies_table, read_columns, read_ipc, write_ipc
from lm3.values.near import WordIndex, words_of

NEAR_ROWS = 1_000_000  # a register searched for near names holds at most this many rows


def stamp(path: Path) -> tuple[int, int]:
    """A file's size and modification time (nanoseconds), or (0, 0) when it is missing."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_size, stat.st_mtime_ns)


def _near_keys(folder: Path, sources: tuple[tuple[str, int, int], ...]) -> list[str]:
    """The distinct name keys of these registers of the store in ``folder`` ("" for the public bodies),
    sorted."""
    parts = [
        (public_bodies_table() if name == "" else read_columns(folder / f"{name}.arrow", ["key"])).column(
            "key"
        )
        for name, *_ in sources
    ]
    keys = pc.unique(
        pa.chunked_array([c for part in parts for c in part.chunks], type=pa.string())
    ).drop_null()
    keys = keys.filter(pc.not_equal(keys, ""))
    return list(keys.take(pc.sort_indices(keys)).to_pylist())


@dataclass(frozen=True)
class _Near:
    """What near matching reads from the store: its choices indexed, and the words that are no typo."""

    index: WordIndex
    words: frozenset[str]


NEAR_FORMAT = 1


@cache
def near_state(folder: str, sources: tuple[tuple[str, int, int], ...]) -> _Near:
    """The near index and vocabulary of these registers: read from ``<folder>/near.index`` when it was built
    for them (the same files, sizes and times, keys made the same way), else built, and kept there when the
    store has a folder (cached per process)."""
    where = Path(folder) / "near.index"
    wanted = {"format": NEAR_FORMAT, "sources": [list(s) for s in sources], "keys": key_check()}
    try:
        if json.loads((where / "meta.json").read_text(encoding="utf-8")) == wanted:
            choices = read_ipc(where / "choices.arrow").column("text").to_numpy()  # text objects, once
            words = frozenset(read_ipc(where / "words.arrow").column("text").to_pylist())
            at = np.load(where / "at.npy", mmap_mode="r")
            block = np.load(where / "block.npy", mmap_mode="r")
            return _Near(WordIndex(choices, (at, block)), words)
    except (OSError, ValueError, pa.ArrowInvalid):
        pass  # missing, or not whole: built again
    keys = _near_keys(Path(folder), sources)
    index = WordIndex(keys)
    places = [re.sub(r"[^A-Z0-9 ]+", " ", str(n).upper()) for n in lad_table()["name"]]
    words = frozenset(w for w in words_of(keys) | words_of(places) if len(w) > 1)
    if Path(folder).is_dir():
        part = where.with_name(f".near.index.{os.getpid()}.part")
        shutil.rmtree(part, ignore_errors=True)
        try:
            part.mkdir()
            write_ipc(part / "choices.arrow", pa.table({"text": pa.array(keys, type=pa.string())}))
            write_ipc(part / "words.arrow", pa.table({"text": pa.array(sorted(words), type=pa.string())}))
            np.save(part / "at.npy", index.at.astype(np.int32 if len(keys) < 2**31 else np.int64))
            np.save(part / "block.npy", index.block)
            (part / "meta.json").write_text(json.dumps(wanted), encoding="utf-8")
            old = where.with_name(f".near.index.{os.getpid()}.old")
            if where.exists():
                os.replace(where, old)
            os.replace(part, where)
            shutil.rmtree(old, ignore_errors=True)
        except OSError:
            shutil.rmtree(part, ignore_errors=True)  # a store that cannot be written: built once per process
    return _Near(index, words)


def distinct_text(values: Iterable[str]) -> pa.Array:
    """The distinct non-blank texts among ``values`` (a list, or a pandas text column), in Arrow."""
    if isinstance(values, pd.Series):
        array = pa.array(values.astype("str"), type=pa.string(), from_pandas=True)
    else:
        array = pa.array([str(v) if v is not None else None for v in values], type=pa.string())
    distinct = pc.unique(array)
    return distinct.filter(pc.fill_null(pc.not_equal(distinct, ""), False))
