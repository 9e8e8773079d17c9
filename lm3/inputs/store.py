"""The register store: the open registers a user has added, kept on their machine in one compact columnar
form, and read by every command, the web app and every batch worker.

``RegisterStore(folder)`` holds, for each register, its rows (``<name>.arrow``: the columns of
``lm3.inputs.bulk.COLUMNS`` in an Arrow IPC file, zstd-compressed in blocks of ``BLOCK`` rows), an index
of them (``<name>.index/``: for each key and id column, the 64-bit hashes of its values, sorted, beside
their rows, as memory-mapped numpy files) and its description (``<name>.json``: title, publisher, licence,
the file it came from with its size and SHA-256, the date of the data, when it was added, rows).
The folder is ``data_dir() / "registers"``: ``$LM3_DATA_DIR``, else ``$XDG_DATA_HOME/lm3``, else
``~/.local/share/lm3`` (``%LOCALAPPDATA%\\lm3`` on Windows).

- ``add(path)`` reads a bulk file (``lm3.inputs.bulk``: recognised by its content) and writes it a block at
  a time, so Companies House's 5.7 million rows never sit in memory at once. A newer file of a register
  already held replaces it (atomically: the old one stays until the new one is whole); an older one is
  refused. ``remove(name)`` drops one. ``registers()`` lists them.
- ``lookup(keys, ids)`` returns every row, in every register, whose name key, parent's key or id is among
  those asked for: what placing needs. The index finds the rows (a binary search per value asked, touching
  a few pages of its files: no register is scanned); then only the blocks holding them are decompressed,
  only their columns that hold anything, and each match is checked against the value asked (a hash that
  met another value's is dropped).

The store always holds one register of lm3's own, shipped in the package: the public bodies
(``lm3/data/public_bodies.csv``: councils, NHS trusts and commissioners, police, fire, combined
authorities, national bodies), placed and typed with no download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from lm3.errors import InputError, Notice
from lm3.geo import lad_table
from lm3.inputs.bulk import read_bulk
from lm3.inputs.layouts import ALL_LAYOUTS, COLUMNS, SCHEMA
from lm3.inputs.recognise import store_name as store_name_of
from lm3.progress import Progress, report
from lm3.values.arrow import ragged_ranges, text_hashes
from lm3.values.names import arrow_supplier_key
from lm3.values.near import WordIndex, words_of

PUBLIC_BODIES = "public-bodies"
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
_DATA = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    """Where lm3 keeps data a user fetched or added: $LM3_DATA_DIR, else $XDG_DATA_HOME/lm3, else
    ~/.local/share/lm3 (%LOCALAPPDATA%\\lm3 on Windows)."""
    if os.environ.get("LM3_DATA_DIR"):
        return Path(os.environ["LM3_DATA_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "lm3"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lm3"


@dataclass(frozen=True)
class RegisterInfo:
    """One register in the store: its name (``companies-house``), what it is, where it came from (the
    file's name, size and SHA-256, a URL when downloaded), the date of its data, when it was added, its
    rows, and its licence."""

    name: str
    title: str
    publisher: str
    licence: str
    kind: str
    rows: int
    date: str
    added: str
    source: str
    file: str
    size: int
    sha256: str
    shipped: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _date_in(name: str) -> str | None:
    """A date written in a file's name ("BasicCompanyDataAsOneFile-2025-11-01.zip",
    "edubasealldata20241001.csv"), as ISO text."""
    m = re.search(r"(20\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])", name)
    if m:
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    m = re.search(r"(20\d{2})[-_](0[1-9]|1[0-2])(?!\d)", name)
    return f"{m.group(1)}-{m.group(2)}-01" if m else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


class RegisterStore:
    """The registers a user has added (see the module docstring). ``folder``: where they are kept (default
    ``data_dir() / "registers"``)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else data_dir() / "registers"
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RegisterStore({str(self.folder)!r})"

    # -- what it holds ------------------------------------------------------------------------------------

    def registers(self) -> list[RegisterInfo]:
        """Every register held, the shipped public bodies first, then by name."""
        out = [public_bodies_info()]
        if self.folder.is_dir():
            for meta in sorted(self.folder.glob("*.json")):
                if self.path(meta.stem).is_file():
                    try:
                        out.append(RegisterInfo(**json.loads(meta.read_text(encoding="utf-8"))))
                    except (ValueError, TypeError):
                        continue  # a description lm3 did not write: not a register of the store
        return out

    def table(self) -> pd.DataFrame:
        """The registers as a table: name, title, date, rows, licence, source, added."""
        rows = [r.to_dict() for r in self.registers()]
        columns = ["name", "title", "date", "rows", "licence", "source", "added", "shipped"]
        return pd.DataFrame(rows, columns=[*columns, *(c for c in rows[0] if c not in columns)])[columns]

    def get(self, name: str) -> RegisterInfo | None:
        return next((r for r in self.registers() if r.name == name), None)

    def path(self, name: str) -> Path:
        """A register's rows: ``<name>.arrow``."""
        return self.folder / f"{name}.arrow"

    def index_path(self, name: str) -> Path:
        """A register's index: ``<name>.index/``."""
        return self.folder / f"{name}.index"

    # -- adding and removing -------------------------------------------------------------------------------

    def add(
        self,
        path: str | Path,
        *,
        name: str | None = None,
        date: str | None = None,
        source: str | None = None,
        progress: Progress | None = None,
    ) -> RegisterInfo:
        """Read a bulk file (recognised by its content) into the store; see the module docstring. ``name``
        gives it another store name; ``date`` the date of its data (default: a date in the file's name,
        else the file's modification date); ``source`` where it came from (a URL). Raises InputError for a
        file lm3 cannot read, with no rows, or older than the register of that name already held."""
        path = Path(path)
        read = read_bulk(path, progress=progress)
        layout = read.layout
        store_name = _slug(name or store_name_of(layout, path))
        if store_name == PUBLIC_BODIES:
            raise InputError(
                f"{PUBLIC_BODIES} is lm3's own register, shipped with it: add this file under another name.",
                code="register-name-taken",
                params=("name",),
            )
        when = date or _date_in(path.name) or dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", when):
            raise InputError(
                f"date {when!r}: write it as YYYY-MM-DD.", code="bad-parameter", params=("date",)
            )
        held = self.get(store_name)
        if held is not None and held.date > when:
            raise InputError(
                f"{path.name}: the store holds {store_name} of {held.date}, newer than this file's data ({when}). "
                "Remove it first to go back to an older one.",
                code="register-older",
                params=("date",),
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f".{store_name}.arrow.part"
        index_part = self.folder / f".{store_name}.index.part"
        try:
            rows = _write_rows(
                part, read.batches, index_part, lambda n: report(progress, f"adding {path.name}", n, 0)
            )
        except BaseException:
            part.unlink(missing_ok=True)
            shutil.rmtree(index_part, ignore_errors=True)
            raise
        if rows == 0:
            part.unlink(missing_ok=True)
            shutil.rmtree(index_part, ignore_errors=True)
            raise InputError(
                f"{path.name}: no rows of {layout.title} in it. Check it is the register's bulk file.",
                code="register-empty",
            )
        info = RegisterInfo(
            name=store_name,
            title=layout.title if layout.name != "register" else f"{path.name} (a supplier register)",
            publisher=layout.publisher,
            licence=layout.licence,
            kind=layout.kind,
            rows=rows,
            date=when,
            added=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            source=source or str(path.resolve()),
            file=path.name,
            size=path.stat().st_size,
            sha256=_sha256(path),
        )
        meta = self.folder / f".{store_name}.json.part"
        meta.write_text(json.dumps(info.to_dict(), indent=2), encoding="utf-8")
        with self._lock:  # the data first, then its description: a reader never sees one without the other
            old = self.folder / f".{store_name}.index.old"
            shutil.rmtree(old, ignore_errors=True)
            if self.index_path(store_name).exists():
                os.replace(self.index_path(store_name), old)
            os.replace(part, self.path(store_name))
            os.replace(index_part, self.index_path(store_name))
            os.replace(meta, self.folder / f"{store_name}.json")
            shutil.rmtree(old, ignore_errors=True)
        _index.cache_clear()
        _near_state.cache_clear()
        self.near_index()  # built now, not at the first placing
        return info

    def remove(self, name: str) -> RegisterInfo:
        """Drop a register from the store. Raises InputError for one not held (or the shipped one)."""
        info = self.get(name)
        if info is None or info.shipped:
            held = ", ".join(r.name for r in self.registers() if not r.shipped) or "none"
            raise InputError(
                f"The store holds no register {name!r} to remove (it holds: {held}).",
                code="no-such-register",
                params=("name",),
            )
        (self.folder / f"{name}.json").unlink(missing_ok=True)
        self.path(name).unlink(missing_ok=True)
        shutil.rmtree(self.index_path(name), ignore_errors=True)
        _index.cache_clear()
        _near_state.cache_clear()
        self.near_index()  # built now, not at the first placing
        return info

    def clear(self) -> None:
        """Remove every register added (the shipped one stays)."""
        if self.folder.is_dir():
            shutil.rmtree(self.folder)
        _index.cache_clear()
        _near_state.cache_clear()

    # -- looking up --------------------------------------------------------------------------------------

    def lookup(
        self,
        keys: Iterable[str] = (),
        ids: Mapping[str, Iterable[str]] | None = None,
        *,
        names: Iterable[str] | None = None,
        skip: Mapping[str, Iterable[int]] | None = None,
    ) -> pd.DataFrame:
        """Every row of every register (``names``: only these) whose name key or parent's key is in
        ``keys``, or whose id of a kind (``company_number``, ``charity_number``, ``urn``, ``ods_code``,
        ``cqc_id``, ``org_id``; a company number also finds the sites whose parent it is) is in
        ``ids[kind]``; never the rows ``skip`` names (register -> rows, found already). Columns:
        ``COLUMNS``, ``register`` (its store name) and ``register_row``."""
        key_set = _distinct(keys)
        asked = {"key": key_set, "parent_key": key_set}
        for kind, values in (ids or {}).items():
            for column in _ID_COLUMNS.get(kind, ()):  # each column holds one kind of id
                asked[column] = _distinct(values)
        asked = {c: v for c, v in asked.items() if len(v)}
        hashes = {c: np.unique(text_hashes(v)) for c, v in asked.items()}
        wanted = set(names) if names is not None else None
        parts = []
        for info in self.registers():
            if (wanted is not None and info.name not in wanted) or not asked:
                continue
            rows = np.fromiter((skip or {}).get(info.name, ()), dtype=np.int64)
            if info.shipped:
                found = _matching_rows(_public_bodies_table(), asked, rows)
            else:
                found = _found_in_file(self.path(info.name), self.index_path(info.name), asked, hashes, rows)
            if found.num_rows:
                frame = found.to_pandas()
                frame.insert(0, "register", info.name)
                parts.append(frame)
        if not parts:
            return pd.DataFrame(columns=["register", *COLUMNS, "register_row"])
        return pd.concat(parts, ignore_index=True)

    def _near_sources(self) -> tuple[tuple[str, int, int], ...]:
        """The registers near names are chosen from (their names, and their files' sizes and modification
        times)."""
        sources = [("", *_stamp(_DATA / "public_bodies.csv"))]  # "": the public bodies
        for info in self.registers():
            if not info.shipped and info.rows <= NEAR_ROWS:
                sources.append((info.name, *_stamp(self.path(info.name))))
        return tuple(sources)

    def near_choices(self) -> list[str]:
        """The names near matching may choose from: the distinct keys of the public bodies and of each
        register of at most ``NEAR_ROWS`` rows (Companies House's millions are matched exactly, by name or
        number: a near name among them finds too many strangers)."""
        return list(self.near_index().choices)

    def near_index(self) -> WordIndex:
        """``near_choices`` indexed for near matching (``lm3.values.near.WordIndex``): kept in the store's
        folder (``near.index/``) for the registers it holds, built again when they change, and read once
        per process."""
        return _near_state(str(self.folder), self._near_sources()).index

    def vocabulary(self) -> frozenset[str]:
        """Words that are no misspelling: every word of the names near matching chooses from (the public
        bodies, the registers small enough to search) and of the districts' names."""
        return _near_state(str(self.folder), self._near_sources()).words

    def rows(self, name: str) -> pd.DataFrame:
        """A register's rows, whole (for a small register, or a test)."""
        info = self.get(name)
        if info is None:
            raise InputError(f"The store holds no register {name!r}.", code="no-such-register")
        table = _public_bodies_table() if info.shipped else _read_columns(self.path(name), COLUMNS)
        return table.to_pandas()


def open_store(registers: str | Path | RegisterStore | None = None) -> RegisterStore:
    """The register store a study reads: the one given, the folder named, or the user's own (None)."""
    if isinstance(registers, RegisterStore):
        return registers
    return RegisterStore(registers)


NEAR_ROWS = 1_000_000  # a register searched for near names holds at most this many rows


def _stamp(path: Path) -> tuple[int, int]:
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
        (_public_bodies_table() if name == "" else _read_columns(folder / f"{name}.arrow", ["key"])).column(
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
def _near_state(folder: str, sources: tuple[tuple[str, int, int], ...]) -> _Near:
    """The near index and vocabulary of these registers: read from ``<folder>/near.index`` when it was built
    for them (the same files, sizes and times, keys made the same way), else built, and kept there when the
    store has a folder (cached per process)."""
    where = Path(folder) / "near.index"
    wanted = {"format": NEAR_FORMAT, "sources": [list(s) for s in sources], "keys": _key_check()}
    try:
        if json.loads((where / "meta.json").read_text(encoding="utf-8")) == wanted:
            choices = _read_ipc(where / "choices.arrow").column("text").to_numpy()  # text objects, once
            words = frozenset(_read_ipc(where / "words.arrow").column("text").to_pylist())
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
            _write_ipc(part / "choices.arrow", pa.table({"text": pa.array(keys, type=pa.string())}))
            _write_ipc(part / "words.arrow", pa.table({"text": pa.array(sorted(words), type=pa.string())}))
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


def _distinct(values: Iterable[str]) -> pa.Array:
    """The distinct non-blank texts among ``values`` (a list, or a pandas text column), in Arrow."""
    if isinstance(values, pd.Series):
        array = pa.array(values.astype("str"), type=pa.string(), from_pandas=True)
    else:
        array = pa.array([str(v) if v is not None else None for v in values], type=pa.string())
    distinct = pc.unique(array)
    return distinct.filter(pc.fill_null(pc.not_equal(distinct, ""), False))


def _write_ipc(path: Path, table: pa.Table) -> None:
    with ipc.new_file(str(path), table.schema, options=ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)


def _read_ipc(path: Path) -> pa.Table:
    with pa.OSFile(str(path)) as source:
        return ipc.open_file(source).read_all()


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "register"


# -- the lookup, over each register's key and id columns ----------------------------------------------------


# -- the rows and their index -------------------------------------------------------------------------------

_ID_COLUMNS = {  # a kind of id asked for -> the columns that may hold it
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
            "keys": _key_check(),
        }
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _write_rows(
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
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT or meta.get("keys") != _key_check():
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
def _key_check() -> list[str]:
    return [str(h) for h in text_hashes(arrow_supplier_key(pa.array(_KEY_PROBE, type=pa.string())))]


def _with_keys(table: pa.Table) -> pa.Table:
    """``table`` with its ``key`` column made from its names (the store keeps the names only), in one piece:
    a regular expression is compiled again for each piece of a column."""
    names = table.column("name").combine_chunks()
    return table.set_column(table.schema.get_field_index("key"), "key", arrow_supplier_key(names))


@cache
def _index(data: str, folder: str, stamp: tuple[int, int]) -> _Index:
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


def _found_in_file(
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
    index = _index(str(data), str(folder), (stat.st_size, stat.st_mtime_ns))
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


def _read_columns(data: Path, columns: Iterable[str]) -> pa.Table:
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


def _matching_rows(source: pa.Table, asked: Mapping[str, pa.Array], skip: np.ndarray) -> pa.Table:
    """The rows of a register held in memory (the public bodies) whose column's value is among those asked,
    with ``register_row``."""
    hit = np.zeros(source.num_rows, dtype=bool)
    for column, values in asked.items():
        hit |= np.asarray(pc.fill_null(pc.is_in(source.column(column), value_set=values), False))
    if len(skip):
        hit[skip] = False  # rows found already
    taken = pa.array(np.flatnonzero(hit), type=pa.int64())
    return source.take(taken).append_column("register_row", taken)


# -- the public bodies, shipped --------------------------------------------------------------------------


def public_bodies_info() -> RegisterInfo:
    meta = json.loads((_DATA / "public_bodies.json").read_text(encoding="utf-8"))
    return RegisterInfo(**meta, shipped=True)


@cache
def _public_bodies_table() -> pa.Table:
    """lm3's own register of public bodies (``lm3/data/public_bodies.csv``, written by
    ``tools/make_public_bodies.py``), in the store's columns."""
    frame = pd.read_csv(_DATA / "public_bodies.csv", dtype="str", keep_default_na=False)
    columns = {
        c: pa.array(frame[c].to_numpy(dtype=object), type=pa.string(), mask=(frame[c] == "").to_numpy())
        if c in frame
        else pa.nulls(len(frame), pa.string())
        for c in COLUMNS
    }
    columns["key"] = arrow_supplier_key(columns["name"])
    return pa.table(columns, schema=SCHEMA)


def layouts() -> list[dict[str, str]]:
    """The registers lm3 recognises: name, title, publisher, licence."""
    return [
        {"name": x.name, "title": x.title, "publisher": x.publisher, "licence": x.licence}
        for x in ALL_LAYOUTS
        if x.name not in ("register",)
    ]


def store_notice(info: RegisterInfo) -> Notice:
    return Notice("register-added", f"{info.name}: {info.rows:,} rows of {info.title} ({info.date}) added.")
