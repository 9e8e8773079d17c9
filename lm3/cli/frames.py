"""The CLI's own copy of reading small tables row by row (it uses only the public API): a row's fields by name, as plain values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd


def row_tuples(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (``row.amount``). pandas-stubs types each field as any scalar,
    which says nothing; the fields are what the frame's columns hold."""
    return frame.itertuples(index=False)
