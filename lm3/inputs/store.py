"""The register store: the open registers a user has added, kept on their machine in one compact columnar
form, and read by every command, the web app and every batch worker.

``RegisterStore(folder)`` holds one Parquet file per register (``<name>.parquet``: the rows of
``lm3.inputs.bulk.COLUMNS``, zstd-compressed) and its description (``<name>.json``: title, publisher,
licence, the file it came from with its size and SHA-256, the date of the data, when it was added, rows).
The folder is ``data_dir() / "registers"``: ``$LM3_DATA_DIR``, else ``$XDG_DATA_HOME/lm3``, else
``~/.local/share/lm3`` (``%LOCALAPPDATA%\\lm3`` on Windows).

- ``add(path)`` reads a bulk file (``lm3.inputs.bulk``: recognised by its content) and writes it a block at
  a time, so Companies House's 5.7 million rows never sit in memory at once. A newer file of a register
  already held replaces it (atomically: the old one stays until the new one is whole); an older one is
  refused. ``remove(name)`` drops one. ``registers()`` lists them.
- ``lookup(keys, ids)`` returns every row, in every register, whose name key, parent's key or id is among
  those asked for: what placing needs, read without holding any register whole (each register's key and id
  columns are held once per process, and only the rows that match are read).

The store always holds one register of lm3's own, shipped in the package: the public bodies
(``lm3/data/public_bodies.csv``: councils, NHS trusts and commissioners, police, fire, combined
authorities, national bodies), placed and typed with no download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lm3.errors import InputError, Notice
from lm3.geo import lad_table
from lm3.inputs.bulk import ALL_LAYOUTS, COLUMNS, SCHEMA, read_bulk
from lm3.inputs.bulk import store_name as store_name_of
from lm3.progress import Progress, report
from lm3.values.names import arrow_supplier_key
from lm3.values.near import WordIndex, words_of

PUBLIC_BODIES = "public-bodies"
ROW_GROUP = 1 << 18  # rows per row group: a lookup reads only the groups holding a match
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
                if (self.folder / f"{meta.stem}.parquet").is_file():
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
        return self.folder / f"{name}.parquet"

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
        part = self.folder / f".{store_name}.parquet.part"
        rows = 0
        try:
            with pq.ParquetWriter(part, SCHEMA, compression="zstd") as writer:
                for table in read.batches:
                    rows += table.num_rows
                    writer.write_table(table.cast(SCHEMA), row_group_size=ROW_GROUP)
                    report(progress, f"adding {path.name}", rows, 0)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        if rows == 0:
            part.unlink(missing_ok=True)
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
            os.replace(part, self.path(store_name))
            os.replace(meta, self.folder / f"{store_name}.json")
        _index.cache_clear()
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
        _index.cache_clear()
        return info

    def clear(self) -> None:
        """Remove every register added (the shipped one stays)."""
        if self.folder.is_dir():
            shutil.rmtree(self.folder)
        _index.cache_clear()

    # -- looking up --------------------------------------------------------------------------------------

    def lookup(
        self,
        keys: Iterable[str] = (),
        ids: Mapping[str, Iterable[str]] | None = None,
        *,
        names: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Every row of every register (``names``: only these) whose name key or parent's key is in
        ``keys``, or whose id of a kind (``company_number``, ``charity_number``, ``urn``, ``ods_code``,
        ``cqc_id``, ``org_id``; a company number also finds the sites whose parent it is) is in
        ``ids[kind]``. Columns: ``COLUMNS``, ``register`` (its store name) and ``register_row``."""
        key_set = pa.array(sorted({k for k in keys if k}), type=pa.string())
        id_sets = {
            kind: pa.array(sorted({str(v) for v in values if v}), type=pa.string())
            for kind, values in (ids or {}).items()
        }
        wanted = set(names) if names is not None else None
        parts = []
        for info in self.registers():
            if wanted is not None and info.name not in wanted:
                continue
            source = _public_bodies_table() if info.shipped else self.path(info.name)
            found = _matching_rows(source, key_set, id_sets)
            if found.num_rows:
                frame = found.to_pandas()
                frame.insert(0, "register", info.name)
                parts.append(frame)
        if not parts:
            return pd.DataFrame(columns=["register", *COLUMNS, "register_row"])
        return pd.concat(parts, ignore_index=True)

    def _near_sources(self) -> tuple[tuple[str, float], ...]:
        sources: list[tuple[str, float]] = [("", 0.0)]  # the public bodies
        for info in self.registers():
            if not info.shipped and info.rows <= NEAR_ROWS:
                path = self.path(info.name)
                sources.append((str(path), path.stat().st_mtime if path.exists() else 0.0))
        return tuple(sources)

    def near_choices(self) -> list[str]:
        """The names near matching may choose from: the distinct keys of the public bodies and of each
        register of at most ``NEAR_ROWS`` rows (Companies House's millions are matched exactly, by name or
        number: a near name among them finds too many strangers)."""
        return list(_near_keys(self._near_sources()))

    def near_index(self) -> WordIndex:
        """``near_choices`` indexed for near matching (``lm3.values.near.WordIndex``), built once per process
        for the store as it is."""
        return _near_index(self._near_sources())

    def vocabulary(self) -> frozenset[str]:
        """Words that are no misspelling: every word of the names near matching chooses from (the public
        bodies, the registers small enough to search) and of the districts' names."""
        return _vocabulary(self._near_sources())

    def rows(self, name: str) -> pd.DataFrame:
        """A register's rows, whole (for a small register, or a test)."""
        info = self.get(name)
        if info is None:
            raise InputError(f"The store holds no register {name!r}.", code="no-such-register")
        table = _public_bodies_table() if info.shipped else pq.read_table(self.path(name))
        return table.to_pandas()


def open_store(registers: str | Path | RegisterStore | None = None) -> RegisterStore:
    """The register store a study reads: the one given, the folder named, or the user's own (None)."""
    if isinstance(registers, RegisterStore):
        return registers
    return RegisterStore(registers)


NEAR_ROWS = 1_000_000  # a register searched for near names holds at most this many rows


@cache
def _near_keys(sources: tuple[tuple[str, float], ...]) -> tuple[str, ...]:
    """The distinct name keys of these registers ("" for the public bodies), sorted (cached per file and
    modification time)."""
    keys: set[str] = set()
    for path, _ in sources:
        table = _public_bodies_table() if path == "" else pq.read_table(path, columns=["key"])
        keys |= set(pc.unique(table.column("key")).drop_null().to_pylist())
    return tuple(sorted(k for k in keys if k))


@cache
def _vocabulary(sources: tuple[tuple[str, float], ...]) -> frozenset[str]:
    places = [re.sub(r"[^A-Z0-9 ]+", " ", str(n).upper()) for n in lad_table()["name"]]
    words = words_of(list(_near_keys(sources))) | words_of(places)
    return frozenset(w for w in words if len(w) > 1)


@cache
def _near_index(sources: tuple[tuple[str, float], ...]) -> WordIndex:
    return WordIndex(_near_keys(sources))


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "register"


# -- the lookup, over each register's key and id columns ----------------------------------------------------


@dataclass(frozen=True)
class _Index:
    """A register's key and id columns, held once per process, and where its row groups start."""

    columns: dict[str, pa.Array]
    starts: np.ndarray
    rows: int


@cache
def _index(path: str, modified: float) -> _Index:
    """The lookup columns of one register file (cached per file and modification time: a register replaced
    is read again)."""
    del modified
    try:
        reader = pq.ParquetFile(path)
        sizes = [reader.metadata.row_group(i).num_rows for i in range(reader.num_row_groups)]
        table = reader.read(columns=list(LOOKUP_COLUMNS))
    except (OSError, pa.ArrowInvalid) as err:
        raise InputError(
            f"{path}: a register of the store cannot be read ({err}). Remove it and add it again.",
            code="register-unreadable",
        ) from err
    columns = {
        c: table.column(c).combine_chunks() for c in LOOKUP_COLUMNS if table.column(c).null_count < len(table)
    }
    return _Index(columns, np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64), table.num_rows)


_ID_COLUMNS = {  # a kind of id asked for -> the columns that may hold it
    "company_number": ("company_number", "parent_company_number"),
    "charity_number": ("charity_number",),
    "urn": ("urn",),
    "ods_code": ("ods_code",),
    "cqc_id": ("cqc_id",),
    "org_id": ("org_id",),
}


def _matching_rows(source: Path | pa.Table, keys: pa.Array, ids: Mapping[str, pa.Array]) -> pa.Table:
    if isinstance(source, pa.Table):
        columns = {c: source.column(c).combine_chunks() for c in LOOKUP_COLUMNS}
        rows = source.num_rows
    else:
        index = _index(str(source), source.stat().st_mtime)
        columns, rows = index.columns, index.rows
    hit = np.zeros(rows, dtype=bool)
    for column, values in [("key", keys), ("parent_key", keys)] + [
        (c, v) for kind, v in ids.items() for c in _ID_COLUMNS.get(kind, ())
    ]:
        if column in columns and len(values):
            hit |= np.asarray(
                pc.fill_null(pc.is_in(columns[column], value_set=values), False).to_numpy(
                    zero_copy_only=False
                )
            )
    at = np.flatnonzero(hit)
    if isinstance(source, pa.Table):
        found = source.take(pa.array(at, type=pa.int64()))
    else:
        found = _take(source, at, index.starts)
    return found.append_column("register_row", pa.array(at, type=pa.int64()))


def _take(path: Path, at: np.ndarray, starts: np.ndarray) -> pa.Table:
    """Rows ``at`` of a register file, read from the row groups that hold them."""
    reader = pq.ParquetFile(path)
    if not len(at):
        return SCHEMA.empty_table()
    groups = np.searchsorted(starts, at, side="right") - 1
    parts = [
        reader.read_row_group(int(g)).take(pa.array(at[groups == g] - starts[g], pa.int64()))
        for g in np.unique(groups)
    ]
    return pa.concat_tables(parts)


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
