"""Survey shares ("what share of your spending is local?") read exactly, with one documented rule.

People write a share as "60%", "60" or "0.6"; Excel cells formatted as a percentage hold 0.6. The rule,
applied to one column at a time:

1. A value with a per cent sign is a percentage: "60%" and "0.5%" mean 60% and 0.5%.
2. Bare numbers are read the same way throughout the column: if any bare number is above 1, the column's
   bare numbers are percentages ("60" is 60%); otherwise they are fractions ("0.6" is 60%, "1" is 100%).
3. Rejected as ambiguous: a bare number strictly between 0 and 1 in a column of percentages ("0.6" beside
   "45": 0.6% or 60%?), and a column whose bare numbers are only 0s and 1s with at least one 1 ("1": 1% or
   100%?). Write the per cent sign to settle it.
4. Rejected as out of range: below 0% or above 100%.

A column whose header says it holds percentages (the survey forms' "% ... (0-100)" columns) is read with
``percent=True``: its bare numbers are percentages whatever the others hold ("1" is 1%, "100" is 100%), and
a bare number strictly between 0 and 1 is rejected as ambiguous (Excel turns "60%" typed into a plain cell
into 0.6).

Shares are exact fractions (``fractions.Fraction``), so "33.3%" is 333/1000, and means of shares are exact.
"""

from __future__ import annotations

from collections.abc import Hashable
from fractions import Fraction

import pandas as pd

from lm3.values.numbers import plain_number


def parse_shares(values: pd.Series, *, percent: bool = False) -> tuple[pd.Series, pd.Series]:
    """Read a column of shares under the rule above (``percent``: the column is one of percentages).

    Returns ``(shares, problems)``: ``shares`` holds a Fraction in [0, 1] or None (blank or rejected);
    ``problems`` holds, for each rejected value, the reason and what to write instead (else None).
    """
    values = pd.Series(values, dtype="object")
    shares: dict[Hashable, Fraction] = {}
    problems: dict[Hashable, str] = {}

    parsed: dict[Hashable, tuple[Fraction, bool]] = {}  # index -> (number, had a per cent sign)
    for idx, value in values.items():
        if value is None or (isinstance(value, float) and value != value):
            continue
        text = str(value).strip() if not isinstance(value, float) else repr(value)
        if text == "":
            continue
        signed = text.endswith("%")
        bare_text = text.removesuffix("%").strip()
        number = plain_number(bare_text)
        if number is None:
            # Decimal reads "6_0" and other scripts' digits ("٦٠"); a survey answer written so is a slip
            problems[idx] = "is not a share (write it with the digits 0-9, as 60%, 60 or 0.6)" + (
                ": it has an underscore" if "_" in bare_text else ""
            )
            continue
        parsed[idx] = (number, signed)

    bare = [n for n, pct in parsed.values() if not pct]
    column_is_percent = percent or any(n > 1 for n in bare)
    zero_one_only = (
        not percent and bool(bare) and all(n in (0, 1) for n in bare) and any(n == 1 for n in bare)
    )
    for idx, (number, signed) in parsed.items():
        if signed or column_is_percent:
            if not signed and 0 < number < 1:
                problems[idx] = "is ambiguous in a column of percentages (0.6 could be 0.6% or 60%): " + (
                    "write 60 for 60%" if percent else "write the per cent sign, e.g. 60%"
                )
                continue
            share = number / 100
        else:
            if zero_one_only and number == 1:
                problems[idx] = (
                    "is ambiguous (1 could be 1% or 100%) in a column holding only 0s and 1s: "
                    "write the per cent sign, e.g. 100%"
                )
                continue
            share = number
        if not 0 <= share <= 1:
            problems[idx] = "is outside 0-100%: a share of spending must lie between 0% and 100%"
            continue
        shares[idx] = share
    return (
        pd.Series([shares.get(i) for i in values.index], index=values.index, dtype="object"),
        pd.Series([problems.get(i) for i in values.index], index=values.index, dtype="object"),
    )
