"""The one JSON encoder of lm3: every ``--json`` output and every ``result.json`` (contract: docs/json.md).

- Money is exact in lm3 (integer pence, or ``Decimal`` pounds in ``to_dict()``); in JSON it is text with
  two decimals, ``"828195.34"``, so no reader turns it into a float.
- Shares, multipliers and scores are numbers; counts are integers.
- A warning is ``{"code": "total-row-does-not-reconcile", "message": "..."}``: code branches on the code.
- Text that came from input files stays inert: control characters and bidi overrides are written as
  ``\\u`` escapes (the same text to a JSON reader).
- Nothing else is a float, and nothing is ``NaN`` or ``Infinity``: a missing value is ``null`` (the encoder
  runs with ``allow_nan=False``, so a value that slipped through fails loudly rather than writing bad JSON).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lm3.errors import InputError


def money_text(pounds: Decimal) -> str:
    """Pounds as JSON money: ``Decimal("828195.34")`` -> ``"828195.34"`` (two decimals, never exponent)."""
    return f"{pounds.quantize(Decimal('0.01')):f}"


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: Decimal (money) as text, NaN/NA/NaT as null, numpy scalars as Python
    numbers, Fractions as floats, tuples and sets as lists, paths and dates as text, objects with a
    ``to_dict()`` by it."""
    if isinstance(value, str) and hasattr(value, "to_dict"):  # a Notice: its code and its text
        return jsonable(value.to_dict())
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, Decimal):
        return None if not value.is_finite() else money_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return jsonable(float(value))
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    raise TypeError(f"{type(value).__name__} is not JSON data")


# characters a terminal or a text viewer could act on (C1 controls such as CSI, DEL) or that reorder the text
# around them (bidi overrides and isolates): written as \u escapes, which a JSON reader decodes to the same
# text, so JSON printed to a terminal is inert (C0 controls are escaped by json itself)
_ACTIVE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def to_json(value: Any, *, indent: int | None = 2) -> str:
    """``value`` (a result, a list of records, a dict) as strict JSON text (see the module docstring)."""
    try:
        data = jsonable(value)
    except TypeError as err:
        raise InputError(
            f"to_json takes a result, a list of records or plain data: {err}.",
            code="bad-parameter",
            params=("value",),
        ) from err
    text = json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False)
    return _ACTIVE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
