"""Profiles of a column's content, from a sample of rows: how much of it is filled, parses as money,
has pence, holds whole numbers of one length, dates, names, codes, legal forms, or one value on every row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lm3.read.words import header_words
from lm3.values.dates import parse_dates
from lm3.values.money import parse_money

# -- profiles of a column's content ---------------------------------------------------------------------------

_LETTERS = r"[^\W\d_]{2}"  # two letters in a row, in any script


_CODE = r"^[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*$|^\d+$"  # one token holding a digit: "RC507575", "HC100001"


POSTCODE = r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"  # a UK postcode's shape (upper case), anywhere


# a legal form: only a registered body's (or a trader's) name ends with one
_LEGAL_FORM = r"(?i)\b(?:ltd|limited|plc|llp|lp|cic|cio|inc|llc|gmbh|co|company|& sons|t/a)\b"
# or a word for a kind of organisation or trade, which a payer's own departments use too ("Children's
# Services", "Adult Social Care", "Housing")
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
    legal: float  # a legal form or an organisation's word
    legal_forms: float  # a legal form (Ltd, PLC, CIC...)
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
    cells = values.astype("object").reset_index(drop=True)
    present = np.flatnonzero(cells.notna().to_numpy())
    cell = _per_cell(cells.iloc[present])
    filled = cell["text"] != ""
    rows = present[filled]  # the filled cells' positions in the column
    cell = {name: column[filled] for name, column in cell.items()}
    k = len(rows)
    pence_values = np.zeros(n, dtype=np.int64)
    money_mask = np.zeros(n, dtype=bool)
    if k == 0:
        return Profile(
            i, header, header_words(header), n, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
            pence_values, money_mask,
        )  # fmt: skip
    money_ok = cell["money"]
    money_mask[rows[money_ok]] = True
    pence_values[rows[money_ok]] = cell["pounds"][money_ok]
    text = pd.Series(cell["text"], dtype="str")
    lengths = text.str.len()
    dates = 0.0  # whole numbers are never taken for dates; text without a digit holds none
    if not cell["integers"].all() and cell["digit"].any():
        try:
            dates = float((~parse_dates(cells.iloc[rows]).bad).mean())
        except Exception:  # a column no date reader understands holds no dates
            dates = 0.0
    return Profile(
        index=i,
        header=header,
        words=header_words(header),
        count=n,
        filled=k / max(n, 1),
        money=float(money_ok.mean()),
        pence=float(cell["pence"].mean()),
        integers=float(cell["integers"].mean()),
        one_length=float(lengths.value_counts().iloc[0] / k),
        dates=dates,
        names=float(cell["names"].mean()),
        codes=float(cell["codes"].mean()),
        legal=float(cell["legal"].mean()),
        legal_forms=float(cell["legal_forms"].mean()),
        distinct=int(text.nunique()),
        words_per_value=float(cell["gaps"].mean() + 1),
        mean_length=float(lengths.mean()),
        negatives=float((pence_values[money_mask] < 0).mean()) if money_mask.any() else 0.0,
        postcodes=float(cell["postcodes"].mean()),
        whole_postcodes=float(cell["whole_postcodes"].mean()),
        pounds=pence_values,
        money_mask=money_mask,
    )


_ONE_TYPE = ("string", "floating", "integer", "datetime", "date", "boolean")


def _per_cell(cells: pd.Series) -> dict[str, np.ndarray]:
    """What each (non-missing) cell holds, as arrays in the cells' order. A column of one type (text, or a
    workbook's numbers or dates) is worked out once per distinct value (a sample repeats its departments,
    dates and suppliers), then spread back: equal values of one type hold the same. (Of two types, 1 and
    1.0 are equal but not the same: a whole float is told from an integer.)"""
    if len(cells) and pd.api.types.infer_dtype(cells, skipna=False) in _ONE_TYPE:
        codes, distinct = pd.factorize(cells.to_numpy())
        unit = _per_value(pd.Series(distinct, dtype="object"))
        return {name: column[codes] for name, column in unit.items()}
    return _per_value(cells.reset_index(drop=True))


def _per_value(cells: pd.Series) -> dict[str, np.ndarray]:
    """``_per_cell`` for each of ``cells``. Python's own regular expressions, one value at a time, as pandas
    runs these patterns on text outside ASCII; for at most a sample's 2,000 values, pandas' cost per call
    would be most of the time."""
    text = cells.map(_cell_text).astype("str").str.strip()
    texts = text.to_numpy(dtype=object)
    uppers = text.str.upper().to_numpy(dtype=object)
    parsed, bad = parse_money(cells)
    money_ok = (~bad.to_numpy(dtype=bool)) & parsed.notna().to_numpy() & (texts != "")
    values = cells.to_numpy(dtype=object)
    numeric_cells = _each(values, lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    # a float cell from a workbook has pence when it is not a whole number
    whole_float = _each(values, lambda v: isinstance(v, float) and v.is_integer())
    pence = _each(texts, lambda t: _PENCE_RE.search(t) is not None and _TIME_OR_DATE.search(t) is None)
    pence = (pence & ~whole_float) | (numeric_cells & ~whole_float & money_ok)
    letters = _each(texts, lambda t: _LETTERS_RE.search(t) is not None)
    codes = _each(uppers, lambda t: _CODE_RE.fullmatch(t) is not None) & _each(texts, lambda t: " " not in t)
    postcodes = _each(uppers, lambda t: _POSTCODE_RE.search(t) is not None)
    return {
        "text": texts,
        "money": money_ok,
        "pounds": parsed.to_numpy(dtype=np.int64, na_value=0),
        "pence": pence,
        # "3801325.0": a whole number
        "integers": _each(texts, lambda t: _INTEGER_RE.fullmatch(t) is not None) | whole_float,
        "digit": _each(texts, lambda t: _DIGIT_RE.search(t) is not None),
        "names": letters & ~codes,
        "codes": codes,
        "legal": _each(texts, lambda t: _LEGAL_RE.search(t) is not None),
        "legal_forms": _each(texts, lambda t: _LEGAL_FORM_RE.search(t) is not None),
        "postcodes": postcodes,
        "whole_postcodes": (
            _each(uppers, lambda t: _WHOLE_POSTCODE_RE.fullmatch(t) is not None)
            if postcodes.any()
            else postcodes
        ),
        "gaps": np.fromiter((len(_GAPS_RE.findall(t)) for t in texts), dtype=np.int64, count=len(texts)),
    }


def _each(values: np.ndarray, test: Callable[[Any], bool]) -> np.ndarray:
    return np.fromiter((test(v) for v in values), dtype=bool, count=len(values))


_PENCE_RE = re.compile(_PENCE)
_TIME_OR_DATE = re.compile(r"[/:]")
_INTEGER_RE = re.compile(r"-?\d+(?:\.0)?")
_DIGIT_RE = re.compile(r"\d")
_LETTERS_RE = re.compile(_LETTERS)
_CODE_RE = re.compile(_CODE)
_POSTCODE_RE = re.compile(POSTCODE)
_WHOLE_POSTCODE_RE = re.compile(rf"\s*{POSTCODE}\s*")
_LEGAL_RE = re.compile(_LEGAL)
_LEGAL_FORM_RE = re.compile(_LEGAL_FORM)
_GAPS_RE = re.compile(r"\s+")


def _cell_text(v: object) -> str:
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)
