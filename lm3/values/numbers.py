"""A number written as text, read exactly and within bounds: the one rule for the numbers lm3 reads one by one
(survey shares, a result's figures read back by ``compare``, amounts of money in forms other than the plainest).
Amounts in spend files are read column by column by ``lm3.values.money``: its vectorised path takes only
the plain forms this rule reads the same way (at most 15 digits and 3 decimals), and every other form comes
here.

A number is written with the digits 0-9 (never another script's, never underscores: ``Decimal`` and
``float`` read both, a person never means them), an optional sign, point and exponent, and lies within
10**-30 to 10**30 in size: "1e9000000" is refused before it is expanded (building that number would take
minutes).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)
LIMIT = 30  # powers of ten a number may reach, either way


def plain_number(text: str) -> Fraction | None:
    """``text`` as an exact Fraction when it is a plain number within bounds; else None."""
    text = text.strip()
    if not PLAIN.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or (number != 0 and not -LIMIT <= number.adjusted() <= LIMIT):
        return None
    return Fraction(number)
