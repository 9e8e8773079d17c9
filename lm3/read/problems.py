"""Row problems collected for one table, to raise together (as pandera's lazy validation does)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lm3.errors import PROBLEM_COLUMNS, RowErrors
from lm3.read.table import Table


class RowProblems:
    """Collects row problems for one table, to raise together."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.records: list[dict[str, object]] = []

    def add(
        self, mask: pd.Series | np.ndarray, field: str, problem: str | pd.Series, code: str | None = None
    ) -> None:
        """The rows in ``mask`` have a bad ``field``: ``problem`` says why (one text, or one per row);
        ``code`` is stable (default ``invalid-<field>``)."""
        data = self.table.data
        for idx in data.index[np.asarray(mask, dtype=bool)]:
            value = data.at[idx, field]
            self.records.append(
                {
                    "file": self.table.label,
                    "sheet": self.table.sheet,
                    "row": int(data.loc[idx, "row"]),
                    "column": self.table.columns[field],
                    "value": None if value is None or str(value).strip() == "" else str(value),
                    "problem": problem if isinstance(problem, str) else problem[idx],
                    "code": code or f"invalid-{field.replace('_', '-')}",
                }
            )

    def raise_if_any(self) -> None:
        if self.records:
            problems = pd.DataFrame(self.records, columns=PROBLEM_COLUMNS).sort_values("row", kind="stable")
            raise RowErrors(problems)
