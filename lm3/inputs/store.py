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
import json
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.errors import InputError, Notice
from lm3.inputs.bulk import read_bulk
from lm3.inputs.layouts import ALL_LAYOUTS, COLUMNS
from lm3.inputs.recognise import store_name as store_name_of
from lm3.inputs.register_index import (
    DATA,
    ID_COLUMNS,
    found_in_file,
    index_of,
    matching_rows,
    public_bodies_table,
    public_body_keys,
    read_columns,
    write_rows,
)
from lm3.inputs.register_near import NEAR_ROWS, distinct_text, near_state, stamp
from lm3.progress import Progress, report
from lm3.values.arrow import text_hashes
from lm3.values.near import WordIndex

PUBLIC_BODIES = "public-bodies"


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
            rows = write_rows(
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
        index_of.cache_clear()
        near_state.cache_clear()
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
        index_of.cache_clear()
        near_state.cache_clear()
        self.near_index()  # built now, not at the first placing
        return info

    def clear(self) -> None:
        """Remove every register added (the shipped one stays)."""
        if self.folder.is_dir():
            shutil.rmtree(self.folder)
        index_of.cache_clear()
        near_state.cache_clear()

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
        key_set = distinct_text(keys)
        asked = {"key": key_set, "parent_key": key_set}
        for kind, values in (ids or {}).items():
            for column in ID_COLUMNS.get(kind, ()):  # each column holds one kind of id
                asked[column] = distinct_text(values)
        asked = {c: v for c, v in asked.items() if len(v)}
        hashes = {c: np.unique(text_hashes(v)) for c, v in asked.items()}
        wanted = set(names) if names is not None else None
        parts = []
        for info in self.registers():
            if (wanted is not None and info.name not in wanted) or not asked:
                continue
            rows = np.fromiter((skip or {}).get(info.name, ()), dtype=np.int64)
            if info.shipped:
                found = matching_rows(public_bodies_table(), asked, rows)
            else:
                found = found_in_file(self.path(info.name), self.index_path(info.name), asked, hashes, rows)
            if found.num_rows:
                frame = found.to_pandas()
                frame.insert(0, "register", info.name)
                parts.append(frame)
        if not parts:
            return pd.DataFrame(columns=["register", *COLUMNS, "register_row"])
        return cast("pd.DataFrame", pd.concat(parts, ignore_index=True))

    def _near_sources(self) -> tuple[tuple[str, int, int], ...]:
        """The registers near names are chosen from (their names, and their files' sizes and modification
        times)."""
        sources = [("", *stamp(DATA / "public_bodies.csv"))]  # "": the public bodies
        for info in self.registers():
            if not info.shipped and info.rows <= NEAR_ROWS:
                sources.append((info.name, *stamp(self.path(info.name))))
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
        return near_state(str(self.folder), self._near_sources()).index

    def vocabulary(self) -> frozenset[str]:
        """Words that are no misspelling: every word of the names near matching chooses from (the public
        bodies, the registers small enough to search) and of the districts' names."""
        return near_state(str(self.folder), self._near_sources()).words

    def public_body_keys(self) -> frozenset[str]:
        """The key of every public body lm3 ships (``lm3/data/public_bodies.csv``)."""
        return public_body_keys()

    def rows(self, name: str) -> pd.DataFrame:
        """A register's rows, whole (for a small register, or a test)."""
        info = self.get(name)
        if info is None:
            raise InputError(f"The store holds no register {name!r}.", code="no-such-register")
        table = public_bodies_table() if info.shipped else read_columns(self.path(name), COLUMNS)
        return cast("pd.DataFrame", table.to_pandas())


def open_store(registers: str | Path | RegisterStore | None = None) -> RegisterStore:
    """The register store a study reads: the one given, the folder named, or the user's own (None)."""
    if isinstance(registers, RegisterStore):
        return registers
    return RegisterStore(registers)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "register"


# -- the public bodies, shipped --------------------------------------------------------------------------


def public_bodies_info() -> RegisterInfo:
    meta = json.loads((DATA / "public_bodies.json").read_text(encoding="utf-8"))
    return RegisterInfo(**meta, shipped=True)


def layouts() -> list[dict[str, str]]:
    """The registers lm3 recognises: name, title, publisher, licence."""
    return [
        {"name": x.name, "title": x.title, "publisher": x.publisher, "licence": x.licence}
        for x in ALL_LAYOUTS
        if x.name not in ("register",)
    ]


def store_notice(info: RegisterInfo) -> Notice:
    return Notice("register-added", f"{info.name}: {info.rows:,} rows of {info.title} ({info.date}) added.")
