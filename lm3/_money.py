"""Money as exact integer pence, from the text and numbers real spreadsheets hold.

Amounts are parsed into integer pence (int64) and stay integers to the report. Accepted forms:
"1000", "1,000.00", "£1,000.00 ", "-1,000.00", "1,000.00-" (trailing minus), "(1,000.00)", and numbers
from Excel cells, including float noise (4999.999999999999 is £5,000.00). Anything finer than a penny is
rounded to the nearest penny, halves away from zero (a ledger's convention).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import numpy as np
import pandas as pd

_STRIP = r"[£$€\s\u00a0,]"
_NUMBER = r"^(?P<int>\d*)(?:\.(?P<frac>\d*))?$"


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of amounts into integer pence.

    Returns ``(pence, bad)``: ``pence`` is an Int64 Series (missing where the value is blank or not money)
    and ``bad`` a boolean Series, True where a non-blank value is not an amount. Vectorised: strings are
    split into whole pounds and the first three decimals (the third decides rounding, so half-up is exact),
    numbers are rounded from float; only odd forms (exponents) fall back to Decimal one by one.
    """
    values = pd.Series(values)
    pence = pd.Series(pd.NA, index=values.index, dtype="Int64")
    is_num = values.map(_is_number, na_action="ignore").fillna(False).astype(bool)
    if is_num.any():
        nums = values[is_num].astype("float64")
        nums = nums[np.isfinite(nums)]
        pence[nums.index] = np.rint(nums.to_numpy() * 100).astype("int64")

    text = values[~is_num & values.notna()].astype("str").str.strip()
    blank = text == ""
    text = text[~blank]
    if len(text):
        negative_paren = text.str.startswith("(") & text.str.endswith(")")
        cleaned = text.str.replace(_STRIP, "", regex=True).str.strip("()")
        negative_trail = cleaned.str.endswith("-")
        cleaned = cleaned.str.rstrip("-")
        negative_lead = cleaned.str.startswith("-")
        cleaned = cleaned.str.lstrip("+").str.removeprefix("-")
        parts = cleaned.str.extract(_NUMBER)
        ok = parts["int"].notna() & ((parts["int"] != "") | (parts["frac"].fillna("") != ""))
        signs = negative_paren.astype(int) + negative_trail.astype(int) + negative_lead.astype(int)
        ok &= signs <= 1
        whole = parts.loc[ok, "int"].replace("", "0").astype("int64")
        frac = parts.loc[ok, "frac"].fillna("").str.ljust(3, "0").str[:3].astype("int64")
        value = whole * 100 + frac // 10 + (frac % 10 >= 5).astype("int64")
        value = value.where(signs[ok] == 0, -value)
        pence[value.index] = value.astype("int64")
        for idx in text.index[~ok]:
            pence[idx] = _parse_odd(text[idx])
    bad = pence.isna() & values.notna()
    bad[blank[blank].index] = False
    return pence, bad


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _parse_odd(text: str) -> int | None:
    """Slow path for forms the vectorised parser leaves (e.g. "1.5E+03"); None if not money."""
    try:
        amount = Decimal(text.replace(",", "").replace("£", "").strip())
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_pounds(text: str | int | float | Decimal) -> int:
    """One amount of money (an option such as ``income``) as integer pence; ValueError if not money."""
    pence, bad = parse_money(pd.Series([text], dtype="object"))
    if bad.iloc[0] or pd.isna(pence.iloc[0]):
        raise ValueError(f"{text!r} is not an amount of money (write it like 250000 or 250,000.00)")
    return int(pence.iloc[0])


def round_pence(amount: Fraction) -> int:
    """Round an exact amount of pence to a whole penny, halves away from zero."""
    sign = -1 if amount < 0 else 1
    return sign * int(abs(amount) + Fraction(1, 2))


def format_gbp(pence: int, *, symbol: bool = True) -> str:
    """Integer pence as "£1,234.56" (or "1,234.56"); negative as "-£1,234.56"."""
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(int(pence)), 100)
    return f"{sign}{'£' if symbol else ''}{pounds:,}.{p:02d}"


def pence_to_decimal(pence: int) -> Decimal:
    """Integer pence as an exact Decimal of pounds (two places)."""
    return Decimal(int(pence)).scaleb(-2)
