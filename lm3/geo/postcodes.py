"""UK postcodes as keys (upper case, no spaces), their shape checked and written as people write
them; local authority districts' names and regions (ONS, OGL v3.0).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")  # outward, inward


MISSING = np.array(None, dtype=object)  # a missing value where np.where fills text


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


NATIONS = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}


def nation_of(lads: pd.Series) -> pd.Series:
    """The UK nation of each LAD code, from its first letter (None for the Channel Islands, Isle of Man)."""
    return pd.Series(lads, dtype="object").str[0].map(NATIONS)
