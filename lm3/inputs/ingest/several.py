"""Several spend files (a year of months) ingested as one: each read on its own, then joined, with
each file's accounting kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import pandas as pd

from lm3.errors import Notice
from lm3.inputs.ingest.result import REJECTED_COLUMNS, IngestResult
from lm3.read.cells import Source
from lm3.values.frames import row_tuples
from lm3.values.money import exact_sum, format_gbp


def ingest_several(
    sources: list[Source],
    *,
    ingest: Callable[..., IngestResult],
    columns: Mapping[str, str] | None,
    sheet: str | None,
    merge_threshold: float | None,
) -> IngestResult:
    """Several spend files read one by one (``ingest``, each with its own detection) and put together."""
    results: list[IngestResult] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for source in sources:
        if isinstance(source, str | Path) and Path(source).is_file():
            with Path(source).open("rb") as f:
                digest = hashlib.file_digest(f, "sha256").hexdigest()  # streamed: a large file is not held
            if digest in seen:
                warnings.append(
                    Notice(
                        "payments-file-repeated",
                        f"{Path(source).name} is the same file as {seen[digest]}: read once.",
                    )
                )
                continue
            seen[digest] = Path(source).name
        results.append(ingest(source, columns=columns, sheet=sheet, merge_threshold=merge_threshold))
    if len(results) == 1:
        return replace(results[0], warnings=(*warnings, *results[0].warnings))
    data = pd.concat([r.data.assign(file=r.file) for r in results], ignore_index=True)
    data = data[["file", *[c for c in data.columns if c != "file"]]]
    parts = [r.rejected.assign(file=r.file) for r in results if len(r.rejected)]
    rejected = (
        pd.concat(parts, ignore_index=True)[["file", *REJECTED_COLUMNS]]
        if parts
        else pd.DataFrame(columns=["file", *REJECTED_COLUMNS])
    )
    for r in results:
        warnings += list(r.warnings)
        warnings.append(
            Notice(
                "payments-file",
                f"{r.file}: {r.rows_accepted:,} payment(s), {format_gbp(r.total)}"
                + (f"; {r.rows_rejected:,} row(s) rejected" if r.rows_rejected else "")
                + ".",
            )
        )
    # the same payment in two files: the same id (where there is one), date, supplier and amount
    keys = [c for c in ("transaction_id", "date", "key", "amount") if c in data]
    if len(keys) >= 3:
        spread = data.groupby(keys, dropna=False, sort=False)["file"].transform("nunique")
        twice = data[(spread > 1).to_numpy()]
        if len(twice):
            where = "; ".join(f"{r.file} row {int(r.row)}" for r in row_tuples(twice.head(6)))
            warnings.append(
                Notice(
                    "payments-in-two-files",
                    f"{len(twice):,} payment row(s) appear in more than one file (the same "
                    f"{', '.join('supplier' if k == 'key' else k for k in keys)}), "
                    f"{format_gbp(exact_sum(twice['amount']))}: {where}. Check the files do not overlap; "
                    "all are counted.",
                )
            )
    file_totals = [r.file_total for r in results]
    return IngestResult(
        file=f"{len(results)} files",
        data=data,
        rejected=rejected,
        columns=dict(results[0].columns),
        sheets=tuple(dict.fromkeys(s for r in results for s in r.sheets)),
        file_total=None if any(t is None for t in file_totals) else sum(t or 0 for t in file_totals),
        totals=tuple(t for r in results for t in r.totals),
        blank_rows=sum(r.blank_rows for r in results),
        merges=pd.concat([r.merges for r in results], ignore_index=True),
        warnings=tuple(warnings),
        files=tuple(results),
        headers=results[0].headers,
    )
