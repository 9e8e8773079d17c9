"""Where the places came from, and why the rest were not placed: the trace summed by source and by
reason, as tables and as JSON records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lm3.place.offers import UNPLACED
from lm3.values.frames import row_tuples
from lm3.values.money import pence_to_decimal

SOURCE_COLUMNS = ["source", "suppliers", "amount", "share"]


REASON_COLUMNS = ["unplaced", "why", "suppliers", "amount", "share"]


def by_source(trace: pd.DataFrame) -> pd.DataFrame:
    """Suppliers and spend placed by each source (your register, the spend file, a register of the store,
    lm3's public bodies), largest first, and the spend not placed as its last line: source, suppliers,
    amount (pence), share (of all the spend)."""
    total = int(trace["round1"].sum())
    placed = trace["location"] != "unknown"
    source = trace["source"].astype("object").where(placed & trace["source"].notna(), None)
    rows = (
        trace[placed]
        .assign(source=source[placed].fillna("(placed)"))
        .groupby("source")
        .agg(suppliers=("round1", "size"), amount=("round1", "sum"))
        .reset_index()
        .sort_values(["amount", "source"], ascending=[False, True], kind="stable")
    )
    unknown = trace[~placed]
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                [{"source": "not placed", "suppliers": len(unknown), "amount": int(unknown["round1"].sum())}]
            ),
        ],
        ignore_index=True,
    )
    rows["amount"] = rows["amount"].astype("int64")
    rows["suppliers"] = rows["suppliers"].astype("int64")
    rows["share"] = rows["amount"] / total if total else np.nan
    return rows[SOURCE_COLUMNS].reset_index(drop=True)


def not_placed_by_reason(trace: pd.DataFrame) -> pd.DataFrame:
    """The spend not placed, by why (``UNPLACED``), largest first: unplaced (the code), why (in words),
    suppliers, amount (pence), share (of all the spend)."""
    total = int(trace["round1"].sum())
    unknown = trace[trace["location"] == "unknown"]
    code = (
        unknown["unplaced"].fillna("name-not-found")
        if "unplaced" in unknown
        else pd.Series("name-not-found", index=unknown.index)
    )
    rows = (
        unknown.assign(unplaced=code)
        .groupby("unplaced")
        .agg(suppliers=("round1", "size"), amount=("round1", "sum"))
        .reset_index()
        .sort_values(["amount", "unplaced"], ascending=[False, True], kind="stable")
    )
    rows["why"] = rows["unplaced"].map(UNPLACED)
    rows["amount"] = rows["amount"].astype("int64")
    rows["share"] = rows["amount"] / total if total else np.nan
    return rows[REASON_COLUMNS].reset_index(drop=True)


def source_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """``by_source`` as plain records: source, suppliers, amount (Decimal pounds), share (None for NaN)."""
    return [
        {
            "source": r.source,
            "suppliers": int(r.suppliers),
            "amount": pence_to_decimal(int(r.amount)),
            "share": None if r.share != r.share else float(r.share),
        }
        for r in row_tuples(table)
    ]


def reason_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """``not_placed_by_reason`` as plain records: code, why, suppliers, amount (Decimal pounds), share."""
    return [
        {
            "code": r.unplaced,
            "why": r.why,
            "suppliers": int(r.suppliers),
            "amount": pence_to_decimal(int(r.amount)),
            "share": None if r.share != r.share else float(r.share),
        }
        for r in row_tuples(table)
    ]
