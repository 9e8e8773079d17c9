"""A register's rows on disk and their index: the rows as an Arrow IPC file (zstd, in blocks), an index
folder of sorted key and id hashes beside it, and the rows a lookup finds, verified against their keys.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from lm3.errors import InputError
from lm3.inputs.layouts import COLUMNS, SCHEMA
from lm3.values.arrow import ragged_ranges, text_hashes
from lm3.values.names import arrow_supplier_key

BLOCK = 1 << 17  # rows per compressed block of a register file


INDEX_FORMAT = 1  # the layout of a register's index folder (another is built again from the rows)


LOOKUP_COLUMNS = (
    "key",
    "parent_key",
    "company_number",
    "charity_number",
    "urn",
    "ods_code",
    "cqc_id",
    "org_id",
    "parent_company_number",
)


DATA = Path(__file__).resolve().parent.parent / "data"


def write_ipc(path: Path, table: pa.Table) -> None:
    with ipc.new_file(str(path), table.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)


def read_ipc(path: Path) -> pa.Table:
    with pa.OSFile(str(path)) as source:
        return ipc.open_file(source).read_all()


# -- the lookup, over each register's key and id columns ----------------------------------------------------


# -- the rows and their index -------------------------------------------------------------------------------

ID_COLUMNS = {  # a kind of id asked for -> the columns that may hold it
    "company_number": ("company_number", "parent_company_number"),
    "charity_number": ("charity_number",),
    "urn": ("urn",),
    "ods_code": ("ods_code",),
    "cqc_id": ("cqc_id",),
    "org_id": ("org_id",),
}


class _IndexBuilder:
    """A register's index, gathered a block at a time as its rows are written: each key and id column's
    values hashed beside their rows, the blocks' sizes, and which columns hold anything."""

    def __init__(self) -> None:
        self.rows = 0
        self.blocks: list[int] = []
        self.filled: set[str] = set()
        self.hashes: dict[str, list[np.ndarray]] = {c: [] for c in LOOKUP_COLUMNS}
        self.at: dict[str, list[np.ndarray]] = {c: [] for c in LOOKUP_COLUMNS}
        self.same: dict[str, str] = {}  # a column holding one value on every row so far: that value
        self.varied: set[str] = {"name", *LOOKUP_COLUMNS}

    def add(self, batch: pa.RecordBatch) -> None:
        """A block of rows (its ``key`` column, when empty, made from the names)."""
        for name in COLUMNS:
            column = batch.column(name)
            if name == "key" and column.null_count == len(column):
                column = arrow_supplier_key(batch.column("name"))
            if name not in self.varied:  # one value on every row so far (a register's kind, role)?
                bounds = pc.min_max(column)
                value = bounds["min"].as_py()
                if (
                    column.null_count
                    or value != bounds["max"].as_py()
                    or (self.rows and self.same.get(name) != value)
                ):
                    self.varied.add(name)
                    self.same.pop(name, None)
                else:
                    self.same[name] = value
            if column.null_count == len(column):
                continue
            self.filled.add(name)
            if name in self.hashes:
                valid = np.flatnonzero(np.asarray(pc.is_valid(column)))
                present = column if len(valid) == len(column) else column.take(pa.array(valid))
                self.hashes[name].append(text_hashes(present))
                self.at[name].append(valid + self.rows)
        self.blocks.append(len(batch))
        self.rows += len(batch)

    def write(self, folder: Path, data: Path) -> None:
        """The index, into ``folder`` (made here), for the rows written to ``data``."""
        folder.mkdir(parents=True)
        row_type = np.uint32 if self.rows < 2**32 else np.int64
        columns = []
        for name in LOOKUP_COLUMNS:
            if not self.hashes[name]:
                continue
            hashes = np.concatenate(self.hashes[name])
            order = np.argsort(hashes, kind="stable")
            np.save(folder / f"{name}.hash.npy", hashes[order])
            np.save(folder / f"{name}.row.npy", np.concatenate(self.at[name])[order].astype(row_type))
            columns.append(name)
        stat = data.stat()
        meta = {
            "format": INDEX_FORMAT,
            "rows": self.rows,
            "blocks": self.blocks,
            "filled": [c for c in COLUMNS if c in self.filled],
            "same": self.same,
            "columns": columns,
            "data": [stat.st_size, stat.st_mtime_ns],
            "keys": key_check(),
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def write_rows(
    part: Path, tables: Iterable[pa.Table], index_part: Path, progress: Callable[[int], None]
) -> int:
    """A register's rows written to ``part`` in blocks of ``BLOCK`` rows, and their index to
    ``index_part``; returns the rows written. Holds at most a block and the index's hashes in memory."""
    builder = _IndexBuilder()
    rows = 0
    pending: list[pa.Table] = []
    options = ipc.IpcWriteOptions(compression="zstd")
    with pa.OSFile(str(part), "wb") as sink, ipc.new_file(sink, SCHEMA, options=options) as writer:
        for table in itertools.chain(tables, [None]):  # None: the end, to write what is held
            if table is not None:
                pending.append(table.cast(SCHEMA))
                rows += table.num_rows
                progress(rows)
            held = sum(t.num_rows for t in pending)
            if pending and (held >= BLOCK or table is None):
                joined = pa.concat_tables(pending).combine_chunks()
                whole = len(joined) if table is None else len(joined) - len(joined) % BLOCK
                for batch in joined.slice(0, whole).to_batches(max_chunksize=BLOCK):
                    builder.add(batch)
                    # the name key is not kept: it is made again from the name (its hashes are indexed)
                    writer.write_batch(batch.set_column(_KEY, "key", pa.nulls(len(batch), pa.string())))
                pending = [joined.slice(whole)] if whole < len(joined) else []  # the rest waits: full blocks
    builder.write(index_part, part)
    return rows


@dataclass(frozen=True)
class _Index:
    """A register's index, its arrays memory-mapped: for each key and id column, its values' hashes
    (sorted) and their rows; where each block of the rows starts (and the end); the columns that hold
    anything, and those that hold one value on every row (with it: never read from the rows)."""

    hashes: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    starts: np.ndarray
    filled: tuple[str, ...]
    same: dict[str, str]


def _unreadable(path: Path, err: Exception) -> InputError:
    return InputError(
        f"{path}: a register of the store cannot be read ({err}). Remove it and add it again.",
        code="register-unreadable",
    )


def _index_meta(folder: Path) -> dict[str, Any] | None:
    """An index's description, if it is of this format and its keys were made as this lm3 makes them."""
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT or meta.get("keys") != key_check():
        return None
    return meta


_KEY = SCHEMA.get_field_index("key")


# names that exercise the name key's rules: an index whose keys were made otherwise (by another version of
# lm3) is built again
_KEY_PROBE = [
    "The Café & Co. Ltd",
    "ST. JOHN'S TRUST (DD)",
    "A T/A B LIMITED",
    "Ελληνική Εταιρεία",
    "H.M.R.C.",
]


@cache
def key_check() -> list[str]:
    return [str(h) for h in text_hashes(arrow_supplier_key(pa.array(_KEY_PROBE, type=pa.string())))]


def _with_keys(table: pa.Table) -> pa.Table:
    """``table`` with its ``key`` column made from its names (the store keeps the names only), in one piece:
    a regular expression is compiled again for each piece of a column."""
    names = table.column("name").combine_chunks()
    return table.set_column(table.schema.get_field_index("key"), "key", arrow_supplier_key(names))


@cache
def index_of(data: str, folder: str, stamp: tuple[int, int]) -> _Index:
    """A register's index (cached per file, size and modification time: a register replaced is read
    again). One missing, of another format or of other rows (a file copied in by hand) is built again from
    the rows."""
    where = Path(folder)
    meta = _index_meta(where)
    if meta is None or meta.get("data") != list(stamp):
        _rebuild_index(Path(data), where)
        meta = _index_meta(where)
        if meta is None:
            raise _unreadable(where, ValueError("its index cannot be written"))
    try:
        hashes = {c: np.load(where / f"{c}.hash.npy", mmap_mode="r") for c in meta["columns"]}
        rows = {c: np.load(where / f"{c}.row.npy", mmap_mode="r") for c in meta["columns"]}
    except (OSError, ValueError) as err:
        raise _unreadable(where, err) from err
    starts = np.concatenate([[0], np.cumsum(np.asarray(meta["blocks"], dtype=np.int64))])
    return _Index(hashes, rows, starts, tuple(meta["filled"]), dict(meta.get("same", {})))


def _rebuild_index(data: Path, folder: Path) -> None:
    builder = _IndexBuilder()
    part = folder.with_name(f".{folder.name}.{os.getpid()}.part")
    shutil.rmtree(part, ignore_errors=True)
    try:
        with pa.memory_map(str(data)) as source:
            reader = ipc.open_file(source)
            for i in range(reader.num_record_batches):
                builder.add(reader.get_batch(i))
        builder.write(part, data)
    except (OSError, pa.ArrowInvalid) as err:
        shutil.rmtree(part, ignore_errors=True)
        raise _unreadable(data, err) from err
    old = folder.with_name(f".{folder.name}.{os.getpid()}.old")
    if folder.exists():
        os.replace(folder, old)
    os.replace(part, folder)
    shutil.rmtree(old, ignore_errors=True)


def found_in_file(
    data: Path,
    folder: Path,
    asked: Mapping[str, pa.Array],
    hashes: Mapping[str, np.ndarray],
    skip: np.ndarray,
) -> pa.Table:
    """The rows of one register file whose column's value is among those ``asked`` (column -> values; their
    hashes in ``hashes``), but not those in ``skip``; with ``register_row``."""
    try:
        stat = data.stat()
    except OSError as err:
        raise _unreadable(data, err) from err
    index = index_of(str(data), str(folder), (stat.st_size, stat.st_mtime_ns))
    found = []
    for column, wanted in hashes.items():
        if column not in index.hashes:
            continue
        held = index.hashes[column]
        lo = np.searchsorted(held, wanted, side="left")
        hi = np.searchsorted(held, wanted, side="right")
        if (hi > lo).any():
            found.append(np.asarray(index.rows[column][ragged_ranges(lo, hi - lo)], dtype=np.int64))
    rows = np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    if len(skip):
        rows = rows[~np.isin(rows, skip)]
    table = _fetch(data, rows, index)
    # a hash that met another value's: keep only the rows holding a value asked for
    keep = np.zeros(table.num_rows, dtype=bool)
    for column, values in asked.items():
        if column in index.hashes:
            keep |= np.asarray(pc.fill_null(pc.is_in(table.column(column), value_set=values), False))
    return table.filter(pa.array(keep))


def _fetch(data: Path, rows: np.ndarray, index: _Index) -> pa.Table:
    """Rows ``rows`` (sorted) of a register file, with ``register_row``: only the blocks holding them are
    decompressed, and of those only the columns that hold anything."""
    fields = [SCHEMA.get_field_index(c) for c in index.filled if c != "key" and c not in index.same]
    parts = []
    if len(rows):
        cuts = np.searchsorted(rows, index.starts)  # the rows of block b: rows[cuts[b]:cuts[b + 1]]
        try:
            with pa.memory_map(str(data)) as source:
                reader = ipc.open_file(
                    source, options=ipc.IpcReadOptions(included_fields=fields, use_threads=True)
                )
                for block in np.flatnonzero(cuts[1:] > cuts[:-1]):  # blocks holding a row, never rows
                    local = rows[cuts[block] : cuts[block + 1]] - index.starts[block]
                    parts.append(reader.get_batch(int(block)).take(pa.array(local, type=pa.int64())))
        except (OSError, pa.ArrowInvalid) as err:
            raise _unreadable(data, err) from err
    got = pa.Table.from_batches(parts) if parts else None
    columns = {
        name: got.column(name)
        if got is not None and name in got.column_names
        else pa.array(np.full(len(rows), index.same[name], dtype=object), type=pa.string())
        if name in index.same
        else pa.nulls(len(rows), pa.string())
        for name in COLUMNS
    }
    table = _with_keys(pa.table(columns, schema=SCHEMA))
    return table.append_column("register_row", pa.array(rows, type=pa.int64()))


def read_columns(data: Path, columns: Iterable[str]) -> pa.Table:
    """Some columns of a register file, every row (for a small register, or its keys)."""
    names = list(columns)
    read = sorted({SCHEMA.get_field_index(c) for c in [*names, "name"] if c != "key"})
    try:
        with pa.OSFile(str(data)) as source:
            reader = ipc.open_file(source, options=ipc.IpcReadOptions(included_fields=read))
            table = reader.read_all()
    except (OSError, pa.ArrowInvalid) as err:
        raise _unreadable(data, err) from err
    if "key" in names:
        table = table.append_column("key", arrow_supplier_key(table.column("name").combine_chunks()))
    return table.select(names)


def matching_rows(source: pa.Table, asked: Mapping[str, pa.Array], skip: np.ndarray) -> pa.Table:
    """The rows of a register held in memory (the public bodies) whose column's value is among those asked,
    with ``register_row``."""
    hit = np.zeros(source.num_rows, dtype=bool)
    for column, values in asked.items():
        hit |= np.asarray(pc.fill_null(pc.is_in(source.column(column), value_set=values), False))
    if len(skip):
        hit[skip] = False  # rows found already
    taken = pa.array(np.flatnonzero(hit), type=pa.int64())
    return source.take(taken).append_column("register_row", taken)


@cache
def public_body_keys() -> frozenset[str]:
    """The key of every public body lm3 ships."""
    return frozenset(k for k in public_bodies_table().column("key").to_pylist() if k)


@cache
def public_bodies_table() -> pa.Table:
    """lm3's own register of public bodies (``lm3/data/public_bodies.csv``, written by
    ``tools/make_public_bodies.py``), in the store's columns."""
    frame = pd.read_csv(DATA / "public_bodies.csv", dtype="str", keep_default_na=False)
    columns = {
        c: pa.array(frame[c].to_numpy(dtype=object), type=pa.string(), mask=(frame[c] == "").to_numpy())
        if c in frame
        else pa.nulls(len(frame), pa.string())
        for c in COLUMNS
    }
    columns["key"] = arrow_supplier_key(columns["name"])
    return pa.table(columns, schema=SCHEMA)
