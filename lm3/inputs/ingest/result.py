"""What ``ingest`` gives: the payments accepted, the rows rejected and why, the file's own totals,
the names merged, and the warnings; ``IngestResult`` with its summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.read.columns import Choice
from lm3.values.cells import write_csv
from lm3.values.frames import row_tuples
from lm3.values.html import escape, html_table
from lm3.values.jsontext import jsonable
from lm3.values.money import exact_sum, format_gbp, pence_to_decimal

DEFAULT_MERGE_THRESHOLD = 95.0


REJECTED_COLUMNS = ["sheet", "row", "column", "value", "reason", "code"]


@dataclass(frozen=True)
class TotalRow:
    """A file's own total row: where it is, its label, its amount and the sum of the payments above it."""

    sheet: str | None
    row: int
    label: str | None
    value: int
    above: int
    kind: str = "total"  # "total" (the sheet's), "subtotal" (of the rows since the last), or "unreconciled"
    above_header: bool = (
        False  # a total stated above the header ("Total spend: £1,234.56"), of the rows below
    )
    file: str | None = None  # the file it is in (as shown: its name, or its name inside a ZIP)

    @property
    def reconciles(self) -> bool:
        return self.kind != "unreconciled"


MERGE_COLUMNS = ["key", "into", "score", "names", "why"]


NEAR_NAME = "near-name"  # merges[why]: a typo of another key


CLEANED_NAME = "payment-text"  # merges[why]: payment-method or account text left out of the name


@dataclass(frozen=True)
class IngestResult:
    """A spend file read into canonical payments, with everything that happened to its rows.

    ``data``: accepted payments (columns in the module docstring), in file order. ``rejected``: sheet, row,
    column, value, reason for each row not accepted. ``columns``: for each field, the header text as it
    stands in the file, or None. ``chosen_by``: fields not chosen by their header alone, and how.
    ``file_total``: the file's own total row in pence (None when it has none); ``totals``: every total and
    subtotal row the file states (``TotalRow``: never counted as payments; empty when it states none, which
    most files do not), with what each was checked against; ``total``: the sum of the payments accepted;
    ``merges``: supplier keys
    merged as near-duplicates (key, into, score, names). ``choices``: for the supplier and amount, the column
    taken by content and header words, why, how sure, and the runner-up when it was close.
    """

    file: str
    data: pd.DataFrame
    rejected: pd.DataFrame
    columns: dict[str, str | None]
    sheets: tuple[str, ...] = ()
    file_total: int | None = None
    totals: tuple[TotalRow, ...] = ()
    blank_rows: int = 0
    merges: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MERGE_COLUMNS))
    chosen_by: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    choices: dict[str, Choice] = field(default_factory=dict)
    files: tuple[IngestResult, ...] = ()  # each file's own result, when several were read
    headers: tuple[str, ...] = ()  # the header row as read, every column (the first file's, when several)

    @property
    def rows_accepted(self) -> int:
        return len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def total(self) -> int:
        """Sum of the accepted amounts, in pence (exact, beyond 64 bits too)."""
        return exact_sum(self.data["amount"])

    def _repr_html_(self) -> str:
        """In Jupyter: rows accepted and rejected, the total, the columns chosen, the top suppliers."""
        top = self.top_suppliers().assign(amount=lambda t: t["amount"].map(format_gbp))
        columns = pd.DataFrame([(k, v) for k, v in self.columns.items() if v], columns=["field", "column"])
        return (
            f"<div><p><b>{escape(self.file)}</b>: {self.rows_accepted:,} payments accepted, "
            f"{self.rows_rejected:,} rejected; total {format_gbp(self.total)}</p>"
            f"{html_table(columns)}{html_table(top)}</div>"
        )

    def top_suppliers(self, n: int = 10) -> pd.DataFrame:
        """The n suppliers with most spend: supplier (its most used spelling, ties to the first seen, as
        ``locate`` and the supplier template name it), payments, amount (pence)."""
        grouped = self.data.groupby("key", sort=False).agg(
            payments=("amount", "size"), amount=("amount", "sum")
        )
        spellings = self.data.groupby(["key", "supplier"], sort=False).size().reset_index(name="n")
        # the first row of each key's largest count, in the order spellings were first seen
        top = spellings.loc[spellings.groupby("key", sort=False)["n"].idxmax()]
        grouped.insert(0, "supplier", top.set_index("key")["supplier"].reindex(grouped.index))
        return (
            grouped.sort_values(["amount", "supplier"], ascending=[False, True])
            .head(n)
            .reset_index(drop=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """The account of the ingest as plain data, money as exact Decimal pounds (``lm3.to_json`` writes it:
        docs/json.md). Several files: the totals, and each file's own account under ``files``."""
        if self.files:
            return cast(
                "dict[str, Any]",
                jsonable(
                    {
                        "files": [f.to_dict() for f in self.files],
                        "rows_accepted": self.rows_accepted,
                        "rows_rejected": self.rows_rejected,
                        "total": pence_to_decimal(self.total),
                        "file_total": None if self.file_total is None else pence_to_decimal(self.file_total),
                        "blank_rows": self.blank_rows,
                        "warnings": list(self.warnings),
                    }
                ),
            )
        return cast(
            "dict[str, Any]",
            jsonable(
                {
                    "file": self.file,
                    "rows_accepted": self.rows_accepted,
                    "rows_rejected": self.rows_rejected,
                    "total": pence_to_decimal(self.total),
                    "columns": {k: self.columns.get(k) for k in ("supplier", "amount", "date")},
                    "all_columns": dict(self.columns),
                    "sheets": list(self.sheets),
                    "file_total": None if self.file_total is None else pence_to_decimal(self.file_total),
                    "blank_rows": self.blank_rows,
                    "totals": [
                        {
                            "file": t.file,
                            "sheet": t.sheet,
                            "row": t.row,
                            "label": t.label,
                            "value": pence_to_decimal(t.value),
                            "payments": pence_to_decimal(t.above),
                            "kind": t.kind,
                            "above_header": t.above_header,
                        }
                        for t in self.totals
                    ],
                    "rejected": [
                        {"row": int(r.row), "sheet": r.sheet, "reason": r.reason, "code": r.code}
                        for r in row_tuples(self.rejected)
                    ],
                    "merges": [
                        {
                            "key": r.key,
                            "into": r.into,
                            "score": round(float(r.score), 1),
                            "names": list(r.names),
                            "why": r.why,
                        }
                        for r in row_tuples(self.merges)
                    ],
                    "detection": {
                        name: {
                            "column": c.header,
                            "position": c.index + 1,
                            "confidence": c.confidence,
                            "score": c.score,
                            "why": list(c.reasons),
                            "runner_up": c.runner_up,
                            "by_content": c.by_content,
                        }
                        for name, c in self.choices.items()
                    },
                    "warnings": list(self.warnings),
                }
            ),
        )

    def to_file(self, path: str | Path) -> Path:
        """Write the accepted payments as .parquet or .csv (amount in pounds as text with two decimals,
        and amount_pence as an integer, so nothing is lost to floating point)."""
        path = Path(path)
        out = self.data.copy()
        out.insert(list(out.columns).index("amount"), "amount_pence", out["amount"])
        sign = np.where(out["amount"] < 0, "-", "")
        pounds, pence = np.divmod(np.abs(out["amount"].to_numpy()), 100)
        out["amount"] = (
            pd.Series(sign, dtype="str")
            .str.cat(pd.Series(pounds).astype("str"))
            .str.cat(pd.Series(pence).astype("str").str.zfill(2), sep=".")
            .to_numpy()
        )
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            out.to_parquet(path, index=False)
        elif suffix == ".csv":
            write_csv(out, path)  # text fields made safe for spreadsheets (lm3.values.cells)
        else:
            raise ValueError(f"{path.name}: write .parquet or .csv")
        return path
