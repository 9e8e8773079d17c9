"""Profiles of a column's content, from a sample of rows: how much of it is filled, parses as money,
has pence, holds whole numbers of one length, dates, names, codes, legal forms, or one value on every row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lm3.read.words import header_words
from lm3.values.dates import parse_dates
from lm3.values.money import parse_money

# -- profiles of a column's content ---------------------------------------------------------------------------

_LETTERS = r"[^\W\d_]{2}"  # two letters in a row, in any script


_CODE = r"^[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*$|^\d+$"  # one token holding a digit: "RC507575", "HC100001"


POSTCODE = r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"  # a UK postcode's shape (upper case), anywhere


_LEGAL = (
    r"(?i)\b(?:ltd|limited|plc|llp|lp|cic|cio|inc|llc|gmbh|co|company|council|trust|services|group|association|"
    r"partnership|society|charity|university|college|school|academy|nhs|foundation|club|centre|solicitors|"
    r"consulting|consultants|church|housing|care|& sons|t/a)\b"
)


_PENCE = r"\.(?!0+\)?-?$)\d{1,2}\)?-?$"  # pence that are not nought: "12.50", not "12.00" or "12.0"


@dataclass(frozen=True)
class Profile:
    """What a sampled column holds, as fractions of its filled cells (``filled`` is of all the rows)."""

    index: int
    header: str
    words: tuple[str, ...]
    count: int  # rows sampled
    filled: float
    money: float
    pence: float  # has one or two decimals
    integers: float  # whole numbers written without decimals or separators
    one_length: float  # the commonest length's share (ids and codes have one)
    dates: float
    names: float  # two letters in a row and not a code
    codes: float
    legal: float
    distinct: int
    words_per_value: float
    mean_length: float
    negatives: float
    postcodes: float  # hold a UK postcode's shape (alone or in an address)
    whole_postcodes: float  # are a postcode and nothing else
    pounds: np.ndarray = field(repr=False, compare=False)  # parsed amounts in pence (0 where not money)
    money_mask: np.ndarray = field(repr=False, compare=False)

    @property
    def constant(self) -> bool:
        return self.distinct == 1 and self.filled * self.count >= 10


def profile_columns(sample: pd.DataFrame, headers: list[str]) -> list[Profile]:
    """A profile of each column of ``sample`` (columns 0..n-1), from at most its first 2,000 rows."""
    out = []
    for i in range(len(headers)):
        values = sample[i] if i in sample.columns else pd.Series([], dtype="object")
        out.append(_profile(i, headers[i], values))
    return out


def _profile(i: int, header: str, values: pd.Series) -> Profile:
    n = len(values)
    cells = values.astype("object")
    text = cells.map(_cell_text, na_action="ignore").astype("str").str.strip()
    filled_mask = text.notna() & (text != "")
    text = text[filled_mask]
    k = len(text)
    pence_values = np.zeros(n, dtype=np.int64)
    money_mask = np.zeros(n, dtype=bool)
    if k == 0:
        return Profile(
            i, header, header_words(header), n, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
            pence_values, money_mask,
        )  # fmt: skip
    parsed, bad = parse_money(cells[filled_mask])
    money_ok = (~bad.to_numpy(dtype=bool)) & parsed.notna().to_numpy()
    idx = np.flatnonzero(filled_mask.to_numpy())
    money_mask[idx[money_ok]] = True
    pence_values[idx[money_ok]] = parsed.to_numpy(dtype=np.int64, na_value=0)[money_ok]
    numeric_cells = cells[filled_mask].map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    pence = text.str.contains(_PENCE, regex=True) & ~text.str.contains(r"[/:]", regex=True)
    # a float cell from a workbook has pence when it is not a whole number
    whole_float = numeric_cells & cells[filled_mask].map(
        lambda v: isinstance(v, float) and float(v).is_integer()
    )
    pence = (pence & ~whole_float) | (numeric_cells & ~whole_float & money_ok)
    integers = text.str.fullmatch(r"-?\d+(?:\.0)?", na=False) | whole_float  # "3801325.0": a whole number
    lengths = text.str.len()
    dates = 0.0  # whole numbers are never taken for dates; text without a digit holds none
    if not integers.all() and text.str.contains(r"\d", regex=True).any():
        try:
            dates = float((~parse_dates(cells[filled_mask]).bad).mean())
        except Exception:  # a column no date reader understands holds no dates
            dates = 0.0
    letters = text.str.contains(_LETTERS, regex=True)
    codes = text.str.upper().str.fullmatch(_CODE, na=False) & ~text.str.contains(" ", regex=False)
    names = letters & ~codes
    upper = text.str.upper()
    postcodes = upper.str.contains(POSTCODE, regex=True)
    whole_postcodes = upper.str.fullmatch(rf"\s*{POSTCODE}\s*", na=False) if postcodes.any() else postcodes
    return Profile(
        index=i,
        header=header,
        words=header_words(header),
        count=n,
        filled=k / max(n, 1),
        money=float(money_ok.mean()),
        pence=float(pence.mean()),
        integers=float(integers.mean()),
        one_length=float(lengths.value_counts().iloc[0] / k),
        dates=dates,
        names=float(names.mean()),
        codes=float(codes.mean()),
        legal=float(text.str.contains(_LEGAL, regex=True).mean()),
        distinct=int(text.nunique()),
        words_per_value=float(text.str.count(r"\s+").mean() + 1),
        mean_length=float(lengths.mean()),
        negatives=float((pence_values[money_mask] < 0).mean()) if money_mask.any() else 0.0,
        postcodes=float(postcodes.mean()),
        whole_postcodes=float(whole_postcodes.mean()),
        pounds=pence_values,
        money_mask=money_mask,
    )


def _cell_text(v: object) -> str:
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)
