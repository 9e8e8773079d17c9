"""Money as exact integer pence, from the text and numbers real spreadsheets hold.

Amounts are parsed into integer pence (int64) and stay integers to the report. Accepted forms:
"1000", "1,000.00", "£1,000.00 ", "-1,000.00", "1,000.00-" (trailing minus), "(1,000.00)", and numbers
from Excel cells, including float noise (4999.999999999999 is £5,000.00). Anything finer than a penny is
rounded to the nearest penny, halves away from zero (a ledger's convention).
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.errors import InputError
from lm3.values.arrow import as_numpy, bytes_present
from lm3.values.numbers import plain_number


def as_text(values: pd.Series) -> pa.Array:
    """A column as Arrow text (string, or large_string as pandas keeps it; nulls where missing), without a
    Python loop over its values.

    Numbers from Excel cells become their shortest round-trip text (4999.999999999999, 2.675), which is
    the number the person typed or Excel computed; Python objects of mixed types go through ``str``.
    """
    values = pd.Series(values)
    if isinstance(values.dtype, pd.StringDtype) or values.dtype == "str":
        arr = pa.array(values.array)
    elif pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
        arr = pa.array(values.to_numpy(dtype="float64", na_value=np.nan), from_pandas=True)
    else:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("floating", "integer", "mixed-integer-float"):
            arr = pa.array(values.to_numpy(dtype="float64", na_value=np.nan), from_pandas=True)
        else:
            arr = pa.array(values.astype("str").array)
    if pa.types.is_floating(arr.type):
        integral = pc.equal(pc.floor(arr), arr)
        as_int = pc.cast(pc.if_else(pc.and_(integral, pc.less(pc.abs(arr), 1e15)), arr, None), pa.int64())
        arr = pc.coalesce(pc.cast(as_int, pa.string()), pc.cast(arr, pa.string()))
    if arr.type not in (pa.string(), pa.large_string()):  # pandas' text is large_string: kept as it is
        arr = pc.cast(arr, pa.large_string())
    return arr


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse a column of amounts into integer pence.

    Returns ``(pence, bad)``: ``pence`` is an Int64 Series (missing where the value is blank or not money)
    and ``bad`` a boolean Series, True where a non-blank value is not an amount. Vectorised with Arrow
    compute: symbols, thousands separators and spaces are removed, the sign read from a leading or trailing
    minus or brackets (one of them), and what is left, a plain number with up to three decimals, is cast to
    an exact decimal in thousandths of a pound; the third decimal decides rounding, so half-up is exact.
    Numbers from Excel are read from their shortest text. Only odd forms (exponents such as "1.5E+03", more
    than three decimals) fall back to the one rule for numbers (``lm3.values.numbers``), read exactly, one
    distinct value at a time.
    """
    values = pd.Series(values)
    text = pc.utf8_trim(as_text(values), " \t\r\n\u00a0")
    thousandths = np.zeros(len(text), dtype=np.int64)
    ok = np.zeros(len(text), dtype=bool)
    blank = as_numpy(pc.fill_null(pc.equal(pc.binary_length(text), 0), True))
    plain = as_numpy(pc.fill_null(pc.match_substring_regex(text, _PLAIN), False))
    if plain.any():
        thousandths[plain] = _thousandths(text if plain.all() else text.filter(pa.array(plain)))
        ok |= plain
    rest = ~plain & ~blank
    if rest.any():
        idx = np.flatnonzero(rest)
        sub = text.filter(pa.array(rest))
        parsed, parsed_ok = _messy_thousandths(sub)
        thousandths[idx[parsed_ok]] = parsed[parsed_ok]
        ok[idx[parsed_ok]] = True
        if (~parsed_ok).any():
            odd_text = pd.Series(sub.filter(pa.array(~parsed_ok)).to_pylist(), dtype="object")
            codes, uniques = pd.factorize(odd_text)
            found = [_parse_odd(u) for u in uniques]
            odd_ok = np.array([f is not None for f in found], dtype=bool)[codes]
            odd_value = np.array([f if f is not None else 0 for f in found], dtype=np.int64)[codes]
            where = idx[~parsed_ok]
            thousandths[where[odd_ok]] = odd_value[odd_ok] * 10  # already whole pence
            ok[where[odd_ok]] = True
    # to the nearest penny, halves away from zero
    negative = thousandths < 0
    pence = np.abs(thousandths, out=thousandths)
    pence += 5
    pence //= 10
    np.negative(pence, out=pence, where=negative)
    result = pd.Series(pd.arrays.IntegerArray(pence, ~ok), index=values.index)
    return result, pd.Series(~ok & ~blank, index=values.index)


_PLAIN = r"^-?\d{1,15}(?:\.\d{0,3})?$"
_UNSIGNED = r"^(?:\d{1,15}(?:\.\d{0,3})?|\.\d{1,3})$"  # at least one digit
_GROUPED = r"^[-+(£$€\s\x{a0}]*\d{1,3}(?:,\d{3})+(?:\.\d*)?[)\s\x{a0}-]*$"
_GROUPED_PY = re.compile(r"^[-+(£$€\s\u00a0]*\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][-+]?\d+)?[)\s\u00a0-]*$")
_REMOVED = ("£", ",", " ", "\u00a0", "$", "€", "(", ")", "+")


_MOST_POUNDS = 10**15
_EXACT_BELOW = 2**50  # thousandths: a double read from the text, times 1000, rounds back exactly below this


def _thousandths(text: pa.Array) -> np.ndarray:
    """Thousandths of a pound of plain numbers ("-1234.567", "12.", ".5"; at most three decimals).

    Read as doubles (Arrow's correctly rounded parser) and scaled: for a value of d thousandths with
    |d| < 2**50 (about £1.1 trillion) the double is within 2**-53 of d/1000 relative, so 1000 times it is
    within 0.25 of d and rounds back to d exactly. Larger values, which no council pays, go through an exact
    decimal cast instead."""
    x = np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)) * 1000.0
    big = np.abs(x) >= _EXACT_BELOW
    out = np.rint(x, out=x).astype(np.int64)
    if big.any():
        out[big] = _decimal_thousandths(text.filter(pa.array(big)))
    return out


def _decimal_thousandths(text: pa.Array) -> np.ndarray:
    """``_thousandths`` by an exact decimal cast, whose 128-bit values are read as their low 64 bits
    (exact: at most 18 digits)."""
    dec = pc.cast(text, pa.decimal128(18, 3))
    if isinstance(dec, pa.ChunkedArray):
        dec = dec.combine_chunks()
    words = np.frombuffer(dec.buffers()[1], dtype=np.int64)
    return words[2 * dec.offset : 2 * (dec.offset + len(dec)) : 2].copy()


def _messy_thousandths(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Thousandths of amounts with symbols, separators and sign conventions; and which parsed.

    At most one sign: a leading minus, a trailing minus ("161,413.00-") or brackets ("(1,043.00)"). Each
    symbol is only searched for when its bytes occur in the column at all (one count of the bytes).
    """
    present = bytes_present(text)
    n = len(text)
    if present[ord("(")] or present[ord(")")]:
        paren = as_numpy(
            pc.and_(pc.starts_with(text, "("), pc.or_(pc.ends_with(text, ")"), pc.ends_with(text, ")-")))
        )
        brackets = as_numpy(pc.add(pc.count_substring(text, "("), pc.count_substring(text, ")")))
    else:
        paren, brackets = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    # a comma is a thousands separator only between groups of three digits: "12,50" and "1.234,56" (decimal
    # commas) and "1,23,456" are not read as pounds with the commas dropped
    grouped = (
        as_numpy(
            pc.or_(
                pc.invert(pc.match_substring(text, ",")),
                pc.match_substring_regex(text, _GROUPED),
            )
        )
        if present[ord(",")]
        else np.ones(n, dtype=bool)
    )
    cleaned = text
    for symbol in _REMOVED:
        if all(present[b] for b in symbol.encode()):
            cleaned = pc.replace_substring(cleaned, symbol, "")
    if present[ord("-")]:
        trail = as_numpy(pc.ends_with(cleaned, "-"))
        lead = as_numpy(pc.starts_with(cleaned, "-"))
        minus = as_numpy(pc.count_substring(cleaned, "-"))
        cleaned = pc.replace_substring(cleaned, "-", "")
    else:
        trail = lead = np.zeros(n, dtype=bool)
        minus = np.zeros(n, dtype=np.int64)
    negative = paren.astype(np.int8) + trail + lead
    signs = negative.copy()
    if present[ord("+")]:  # a plus is a sign too: "+-5" has two, "5+" one out of place
        plus = as_numpy(pc.count_substring(text, "+"))
        lead_plus = as_numpy(pc.fill_null(pc.match_substring_regex(text, r"^[£$€\s]*\+"), False))
        signs = signs + plus + (plus > 0) * ~lead_plus  # a plus anywhere but in front counts twice: refused
    ok = (
        (minus == trail.astype(np.int64) + lead)
        & (brackets == np.where(paren, 2, 0))  # brackets around the whole amount, or none
        & (signs <= 1)
        & grouped
        & as_numpy(pc.fill_null(pc.match_substring_regex(cleaned, _UNSIGNED), False))
    )
    value = np.zeros(n, dtype=np.int64)
    if ok.any():
        value[ok] = _thousandths(cleaned.filter(pa.array(ok)))
    return np.where(negative > 0, -value, value), ok


def _parse_odd(text: str) -> int | None:
    """Slow path for forms the vectorised parser leaves (e.g. "1.5E+03"), read by the one rule for numbers
    (``plain_number``: digits 0-9, a bounded exponent) once its grouping commas and pound sign are gone; None
    if not money. An amount is under a thousand million million pounds."""
    if "," in text and not _GROUPED_PY.match(text):
        return None  # a decimal comma or a misplaced separator: never read by dropping it
    amount = plain_number(text.replace(",", "").replace("£", ""))
    if amount is None or abs(amount) >= _MOST_POUNDS:
        return None
    return round_pence(amount * 100)


NOT_MONEY = "is not an amount of money (write it like 1250.00 or -1,250.00)"
_EXCEL_ERROR = re.compile(
    r"^#(?:N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!|PYTHON!)$",
    re.I,
)
_SIGNS = re.compile(r"[-+]")


def why_not_money(text: str) -> tuple[str, str]:
    """Why a value that did not parse is not money, as (reason, code): an Excel error, two signs, underscores,
    digits other than 0-9, a decimal comma or a misplaced separator, an exponent beyond any amount; else the
    general reason. The value is never guessed at."""
    t = text.strip()
    if _EXCEL_ERROR.match(t):
        return (
            f"is an Excel error ({t.upper()}): the cell's formula failed in the workbook. Correct it there, or delete "
            "the row",
            "amount-excel-error",
        )
    if len(_SIGNS.findall(t.lstrip("£$€ ").rstrip())) + ("(" in t) > 1:
        return (
            "has more than one sign (a minus, a plus or brackets): write one, like -12.50",
            "amount-two-signs",
        )
    if "_" in t:
        return "has underscores in it: write it like 1000 or 1,000.00", "amount-underscores"
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in t):
        return "has digits other than 0-9 (from another script): write it with 0-9", "amount-other-digits"
    if "," in t and not _GROUPED_PY.match(t):
        return (
            "has a comma that is not a thousands separator (a decimal comma, or a misplaced one): write it like "
            "1234.56 or 1,234.56",
            "amount-decimal-comma",
        )
    if re.search(r"\d[eE][-+]?\d", t):
        return "is written with an exponent beyond any amount paid", "amount-exponent"
    return NOT_MONEY, "amount-not-money"


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


def times_shares(pence: np.ndarray | pd.Series, shares: Fraction | int | Sequence[Fraction]) -> np.ndarray:
    """Each amount of pence times its share (an exact Fraction; one share for all, or one each), rounded to
    the penny, halves away from zero: ``round_pence(Fraction(p) * s)`` for every amount, without a Python
    loop over them. Exact: the arithmetic is on integers (numerator and denominator of each distinct
    share), in int64 while the products fit and in Python's integers beyond."""
    amounts = np.asarray(pence, dtype=np.int64)
    if isinstance(shares, Fraction | int):
        codes = np.zeros(len(amounts), dtype=np.int64)
        uniques: list[Fraction] = [Fraction(shares)]
    else:
        found, distinct = pd.factorize(pd.Series(list(shares), dtype="object"))
        codes = np.asarray(found, dtype=np.int64)
        uniques = [Fraction(u) for u in distinct]
    if len(amounts) == 0:
        return np.zeros(0, dtype=np.int64)
    nums = [u.numerator for u in uniques]
    dens = [u.denominator for u in uniques]
    biggest = int(np.abs(amounts).max()) * 2 * max(abs(n) for n in nums) + max(dens)
    if biggest < 2**62:
        num = np.asarray(nums, dtype=np.int64)[codes]
        den = np.asarray(dens, dtype=np.int64)[codes]
        product = amounts * num
        magnitude = (2 * np.abs(product) + den) // (2 * den)  # |p x n / d| to the nearest, halves up
        return cast("np.ndarray", np.where(product < 0, -magnitude, magnitude))
    estimate = np.abs(amounts).astype(np.float64) * np.abs(np.asarray([float(u) for u in uniques]))[codes]
    if max(dens) < 2**60 and float(estimate.max()) < 2**52:
        return _times_large_shares(amounts, codes, nums, dens, estimate)
    return np.array(  # beyond any sum of money: exact in Python's integers
        [round_pence(Fraction(int(a)) * uniques[c]) for a, c in zip(amounts, codes, strict=True)],
        dtype=np.int64,
    )


def _times_large_shares(
    amounts: np.ndarray, codes: np.ndarray, nums: list[int], dens: list[int], estimate: np.ndarray
) -> np.ndarray:
    """``times_shares`` when a share's numerator times an amount passes int64 (a weighted mean share's
    terms run to 10**15): the float product, at most a penny out, corrected exactly. The remainder
    ``2|p x n| + d - 2dq`` of a guess ``q`` is a few ``d`` at most, so with ``d`` under 2**60 it is exact
    when computed modulo 2**64 (numpy's unsigned arithmetic wraps), and ``q`` moves by its floor over 2d."""
    magnitude = np.abs(amounts).astype(np.uint64)
    num = np.asarray([abs(n) % 2**64 for n in nums], dtype=np.uint64)[codes]
    den = np.asarray(dens, dtype=np.uint64)[codes]
    guess = np.floor(estimate + 0.5).astype(np.uint64)
    two = np.uint64(2)
    remainder = (two * magnitude * num + den - two * den * guess).view(np.int64)
    exact = guess.view(np.int64) + remainder // (2 * den.view(np.int64))
    negative = (amounts < 0) != (np.asarray([n < 0 for n in nums], dtype=bool)[codes])
    return cast("np.ndarray", np.where(negative, -exact, exact))


def exact_sum(pence: np.ndarray | pd.Series) -> int:
    """The exact sum of integer pence, however large: numpy's int64 sum wraps past 2**63 without a word, so
    the amounts are summed as high and low 32-bit halves (each sum fits) and joined as a Python int."""
    values = np.asarray(pence, dtype=np.int64)
    if len(values) == 0:
        return 0
    if int(np.abs(values).max()) < (2**62) // max(len(values), 1):
        return int(values.sum())
    high, low = np.divmod(values, np.int64(2**32))
    return int(high.sum()) * 2**32 + int(low.sum())


def format_gbp(pence: int, *, symbol: bool = True) -> str:
    """Integer pence as "£1,234.56" (or "1,234.56"); negative as "-£1,234.56"."""
    if not isinstance(pence, numbers.Integral) or isinstance(pence, bool):
        raise InputError(
            f"format_gbp takes whole pence (an int), not {pence!r}.", code="bad-parameter", params=("pence",)
        )
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(int(pence)), 100)
    return f"{sign}{'£' if symbol else ''}{pounds:,}.{p:02d}"


def pence_to_decimal(pence: int) -> Decimal:
    """Integer pence as an exact Decimal of pounds (two places)."""
    return Decimal(int(pence)).scaleb(-2)
