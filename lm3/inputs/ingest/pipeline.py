"""``ingest``: a spend file (or several) read and turned into one canonical table of payments, step by
step: read the table, parse its columns, find its own totals, accept or reject each row, build the
payments with their names and keys. See the package docstring for the rules.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.errors import InputError, Notice
from lm3.inputs.ingest.columns import Column, expand, optional_column, unreadable_rows
from lm3.inputs.ingest.names import Names, cleaned_names, merge_near_duplicates, supplier_names
from lm3.inputs.ingest.result import DEFAULT_MERGE_THRESHOLD, REJECTED_COLUMNS, IngestResult
from lm3.inputs.ingest.several import ingest_several
from lm3.inputs.ingest.totals import find_totals, stated_totals
from lm3.progress import Progress, report
from lm3.read.cells import Source, is_blank, rows_text
from lm3.read.fields import PAYMENTS_FIELDS
from lm3.read.table import Table, read_table
from lm3.values import params
from lm3.values.arrow import take_rows
from lm3.values.dates import parse_dates_coded
from lm3.values.frames import row_tuples
from lm3.values.money import format_gbp, parse_money, why_not_money
from lm3.values.names import (
    BLANK,
    REDACTED_CLASS,
    SUPPLIER_CLASSES,
)
from lm3.values.near import LOW_THRESHOLD, low_threshold
from lm3.values.params import between

CLASSES = np.array(SUPPLIER_CLASSES, dtype=object)  # supplier_class, by code


OPTIONAL_FIELDS = (
    "expense_type",
    "service_area",
    "supplier_id",
    "company_number",
    "charity_number",
    "vat_number",
    "postcode",
    "head_office_postcode",
    "urn",
    "ods_code",
    "org_id",
    "vcse",
    "transaction_id",
    "capital_revenue",
)


_REASONS = np.array(
    [
        None,
        "is not an amount of money (write it like 1250.00 or -1,250.00)",
        "has no supplier and no amount: not a payment",
        "amount is blank: give the amount paid, or delete the row",
        "has no amount and no date: a heading or a note, not a payment",
    ],
    dtype=object,
)


_REASON_CODES = np.array(
    [None, "amount-not-money", "no-supplier-no-amount", "amount-blank", "heading-or-note"], dtype=object
)


Sources = Source | Sequence[str | Path]


_SPEND_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".zip"}


def spend_files(source: Sources) -> list[Source]:
    """The spend files ``source`` names: a file, a folder (its spend files, by name), a glob ("2024-*.csv"),
    or a list of any of these, in the order given. Raises InputError when a folder or glob holds none."""
    if isinstance(source, pd.DataFrame):
        return [source]
    items: list[Source] = [source] if isinstance(source, str | Path) else list(source)
    out: list[Source] = []
    for item in items:
        if isinstance(item, pd.DataFrame):
            out.append(item)
            continue
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in _SPEND_SUFFIXES and not p.name.startswith((".", "~$"))
            )
            if not found:
                raise InputError(
                    f"{path}: the folder holds no spend files (CSV, Excel, ODS or ZIP).", code="no-files"
                )
            out += found
        elif not path.exists() and any(c in str(item) for c in "*?["):
            found = sorted(p for p in path.parent.glob(path.name) if p.is_file())
            if not found:
                raise InputError(f"{item}: no file matches.", code="no-files")
            out += found
        else:
            out.append(path)
    if not out:
        raise InputError("No payments file given.", code="missing-inputs", params=("payments",))
    return out


def ingest(
    source: Sources,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    merge_threshold: float | None = DEFAULT_MERGE_THRESHOLD,
    progress: Progress | None = None,
) -> IngestResult:
    """Read a spend file into canonical payments; see the module docstring for every rule.

    ``source`` may also name several files (a list, a folder or a glob: ``spend_files``), such as a year of
    monthly files. Each is read with its own detection; the result holds them all (a ``file`` column says
    whose each row is, ``files`` each file's own result), and reports a file given twice and a payment
    (id, date, supplier, amount) found in two files.

    ``columns`` maps fields ("supplier", "amount", "date", "expense_type", ...) to header texts, overriding
    detection; ``sheet`` reads one sheet only; ``merge_threshold`` (0-100, None for no merging) is the
    rapidfuzz ratio at which two supplier keys are taken as the same supplier. ``progress(step, done, 3)``
    is called after reading, parsing and building the result.
    """
    params.source(several=True, optional=False)("source", source)
    params.text_mapping("columns", columns)
    params.text()("sheet", sheet)
    params.callback("progress", progress)
    if merge_threshold is not None:
        between(0, 100)("merge_threshold", merge_threshold)
    sources = spend_files(source)
    if len(sources) > 1:
        return ingest_several(
            sources, ingest=ingest, columns=columns, sheet=sheet, merge_threshold=merge_threshold
        )
    table = read_table(
        sources[0],
        PAYMENTS_FIELDS,
        what="payments",
        sheet=sheet,
        columns=columns,
        keep_blank=True,
        content_first=True,
    )
    report(progress, "read", 1, 3)

    # columns are independent: parsed on as many threads as there are cores (Arrow releases the GIL).
    # Columns with repeated values (names, dates, categories) stay as codes into their distinct values
    # until the accepted rows are known, so each output column is built once (on the same threads).
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return _ingest(table, pool, merge_threshold, progress)


def _ingest(
    table: Table,
    pool: ThreadPoolExecutor,
    merge_threshold: float | None,
    progress: Progress | None,
) -> IngestResult:
    """``ingest`` from the table read: columns parsed, the file's own totals found, rows accepted or
    rejected, the payments built."""
    data = table.data
    warnings = list(table.warnings)
    parsed = _parse(table, pool)
    report(progress, "parsed", 2, 3)
    sheets = _Sheets.of(table)
    row_numbers = data["row"].to_numpy()
    found = find_totals(
        table,
        parsed.amount,
        parsed.usable,
        parsed.names.total[parsed.names.idx],
        parsed.names.klass[parsed.names.idx] == BLANK,
        sheets.codes if table.sheets else None,
    )
    warnings += found.warnings
    reason = _reasons(parsed, found.rows, parsed.blank)
    rejected = [unreadable_rows(table), _rejected_rows(table, reason)]
    # the text as read has been parsed: let it go, so the output columns can take its memory (a fresh process
    # pays for every new page it touches)
    for name in ("supplier", "amount", "date", *parsed.optional):
        if name in data:
            del data[name]
    # the accepted rows, in file order (rows split again or with extra fields were read after the rest)
    keep = (reason == 0) & ~found.rows & ~parsed.blank
    order = (
        np.lexsort((row_numbers, sheets.codes))
        if table.sheets
        else np.argsort(row_numbers, kind="stable")  # one sheet: rows are in order but for a few read last
    )
    take = order[keep[order]]
    stated = stated_totals(table, parsed.amount, keep, sheets.codes, sheets.names, found.totals)
    warnings += found.add_stated(table.label, stated)
    out, cleaned, merges = _build(table, parsed, take, keep, sheets, pool, merge_threshold, warnings)
    warnings += _name_warnings(table.label, cleaned, merges, merge_threshold)
    if merge_threshold is not None and merge_threshold < LOW_THRESHOLD:
        warnings.insert(0, low_threshold("merge_threshold", merge_threshold, DEFAULT_MERGE_THRESHOLD))
    warnings += _class_warnings(table.label, parsed, take, row_numbers)
    rejected_frame = _rejected_frame(rejected)
    if len(rejected_frame):
        warnings.append(
            Notice(
                "rows-rejected",
                f"{table.label}: {len(rejected_frame)} row(s) rejected (rows {rows_text(rejected_frame['row'])}); "
                "see the rejected list for the reasons.",
                file=table.label,
                rows=rejected_frame["row"],
            )
        )
    for name, how in table.chosen_by.items():
        warnings.append(
            Notice("column-chosen", f"{table.label}: {name} column {table.columns[name]!r} chosen {how}.")
        )
    report(progress, "built", 3, 3)
    return IngestResult(
        file=table.label,
        data=out,
        rejected=rejected_frame,
        columns=table.columns,
        sheets=table.sheets,
        file_total=found.file_total,
        totals=tuple(replace(t, file=table.label) for t in found.totals),
        blank_rows=table.blank_rows,
        merges=pd.concat([m for m in (cleaned, merges) if len(m)], ignore_index=True)
        if len(cleaned) or len(merges)
        else merges,
        chosen_by=dict(table.chosen_by),
        warnings=tuple(warnings),
        choices=dict(table.choices),
        headers=table.headers,
    )


@dataclass
class _Parsed:
    """A table's columns parsed: amounts (pence; ``bad`` where not money, ``missing`` where blank), the
    supplier names, the dates, and the optional columns."""

    amount: np.ndarray
    bad: np.ndarray
    missing: np.ndarray
    blank: np.ndarray  # blank rows
    names: Names
    dates: Any
    optional: dict[str, Column]

    @property
    def blank_amount(self) -> np.ndarray:
        return cast("np.ndarray", self.missing & ~self.bad)

    @property
    def usable(self) -> np.ndarray:
        return cast("np.ndarray", ~self.bad & ~self.blank_amount & ~self.blank)


def _parse(table: Table, pool: ThreadPoolExecutor) -> _Parsed:
    """Parse the amounts, names, dates and optional columns, each on the pool."""
    data = table.data
    optional = [name for name in OPTIONAL_FIELDS if name in data]
    money_job = pool.submit(parse_money, data["amount"])
    supplier_job = pool.submit(supplier_names, data["supplier"])
    dates_job = pool.submit(parse_dates_coded, data["date"]) if "date" in data else None
    optional_jobs = {name: pool.submit(optional_column, name, data[name]) for name in optional}
    amount_series, bad_series = money_job.result()
    return _Parsed(
        amount=amount_series.to_numpy(dtype=np.int64, na_value=0),
        bad=bad_series.to_numpy(dtype=bool),
        missing=amount_series.isna().to_numpy(),
        blank=data["blank"].to_numpy(dtype=bool),
        names=supplier_job.result(),
        dates=dates_job.result() if dates_job is not None else None,
        optional={name: job.result() for name, job in optional_jobs.items()},
    )


@dataclass(frozen=True)
class _Sheets:
    """Each row's sheet as a code into ``names`` (a CSV is one sheet, and needs none)."""

    codes: np.ndarray
    names: pd.Index

    @classmethod
    def of(cls, table: Table) -> _Sheets:
        if not table.sheets:
            return cls(np.zeros(0, dtype=np.int64), pd.Index([]))
        codes, names = pd.factorize(table.data["sheet"].astype("object").fillna(""))
        return cls(codes, names)


def _reasons(parsed: _Parsed, total_row: np.ndarray, blank: np.ndarray) -> np.ndarray:
    """Each row's reason for rejection as a code into ``_REASONS`` (0: accepted); later rules win."""
    reason = np.zeros(len(parsed.amount), dtype=np.int8)
    reason[parsed.bad] = 1
    no_supplier = parsed.names.klass[parsed.names.idx] == BLANK
    reason[parsed.blank_amount & no_supplier] = 2
    reason[parsed.blank_amount & ~no_supplier] = 3
    if (
        parsed.dates is not None
    ):  # a file with dates: a row with neither amount nor date is a heading or a note
        codes = parsed.dates.rows()
        dated = ~np.isnat(parsed.dates.dates[codes]) | pd.notna(parsed.dates.periods[codes])
        reason[parsed.blank_amount & ~dated] = 4
    reason[total_row | blank] = 0  # totals and subtotals are reported, not rejected
    return reason


def _rejected_rows(table: Table, reason: np.ndarray) -> pd.DataFrame:
    """The rows rejected, each with its amount cell as written and why it is not a payment."""
    at = np.flatnonzero(reason > 0)
    if not len(at):
        return pd.DataFrame(columns=REJECTED_COLUMNS)
    data = table.data
    cells = take_rows(data["amount"], at).astype("object").to_numpy()
    values = [None if is_blank(v) else str(v) for v in cells]
    reasons = _REASONS[reason[at]]
    codes = _REASON_CODES[reason[at]]
    not_money = np.flatnonzero(reason[at] == 1)
    if len(not_money):  # why each is not money, named: one explanation per distinct value
        distinct, inverse = np.unique(
            np.array([values[i] or "" for i in not_money], dtype=object), return_inverse=True
        )
        said = [why_not_money(str(v)) for v in distinct]
        reasons[not_money] = np.array([r for r, _ in said], dtype=object)[inverse]
        codes[not_money] = np.array([c for _, c in said], dtype=object)[inverse]
    return pd.DataFrame(
        {
            "sheet": data["sheet"].iloc[at].to_numpy(),
            "row": data["row"].to_numpy()[at],
            "column": np.full(len(at), str(table.columns["amount"]), dtype=object),
            "value": values,
            "reason": reasons,
            "code": codes,
        }
    )


def _build(
    table: Table,
    parsed: _Parsed,
    take: np.ndarray,
    keep: np.ndarray,
    sheets: _Sheets,
    pool: ThreadPoolExecutor,
    merge_threshold: float | None,
    warnings: list[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The payments accepted (rows ``take``, in file order), and the names cleaned and merged."""
    data, names = table.data, parsed.names
    row_numbers = data["row"].to_numpy()
    everything = len(take) == len(data) and bool((take == np.arange(len(take))).all())
    name_idx = names.idx[take]
    # text columns are built on the pool (Arrow work) while the near-duplicate names are compared here
    jobs = {
        "supplier": pool.submit(expand, names.shown, name_idx),
        "supplier_class": pool.submit(expand, CLASSES, names.klass[name_idx]),
    }
    dates = parsed.dates
    if dates is not None:
        date_idx = dates.rows(take)
        jobs["period"] = pool.submit(expand, dates.periods, date_idx)
    for name, column_text in parsed.optional.items():
        jobs[name] = pool.submit(column_text.rows, None if everything else take)
    merges, merged_keys = merge_near_duplicates(names, name_idx, parsed.amount[take], merge_threshold)
    cleaned = cleaned_names(names, name_idx, merged_keys)
    jobs["key"] = pool.submit(expand, merged_keys, name_idx)
    # numbers as Series, so the frame keeps each array as it is rather than copying same-typed ones together
    built: dict[str, pd.Series] = {
        "sheet": (
            expand(np.asarray([*sheets.names, None], dtype=object), sheets.codes[take])
            if table.sheets
            else pd.Series(np.full(len(take), None, dtype=object), dtype=object)  # a CSV has no sheets
        ),
        "row": pd.Series(row_numbers if everything else row_numbers[take], dtype="int64", copy=False),
        "amount": pd.Series(parsed.amount[take], copy=False),
    }
    if dates is None:
        built["date"] = pd.Series(np.full(len(take), np.datetime64("NaT"), dtype="datetime64[s]"))
        built["period"] = pd.Series(pd.NA, index=pd.RangeIndex(len(take)), dtype="str")
    else:
        built["date"] = pd.Series(dates.dates[date_idx], copy=False)
        warnings += _date_warnings(table, dates, keep, row_numbers)
    built.update({name: job.result() for name, job in jobs.items()})
    columns = [
        "sheet",
        "row",
        "supplier",
        "key",
        "supplier_class",
        "amount",
        "date",
        "period",
        *parsed.optional,
    ]
    return pd.DataFrame({name: built[name] for name in columns}, copy=False), cleaned, merges


def _date_warnings(table: Table, dates: Any, keep: np.ndarray, row_numbers: np.ndarray) -> list[str]:
    warnings: list[str] = []
    if dates.month_first:
        warnings.append(
            Notice(
                "dates-month-first",
                f"{table.label}: dates in {table.columns['date']!r} are month first (like 05/31/2022): read so.",
            )
        )
    bad_dates = dates.bad[dates.rows()] & keep
    if bad_dates.any():
        warnings.append(
            Notice(
                "dates-not-dates",
                f"{table.label}: {int(bad_dates.sum())} row(s) with a date that is not a date (rows "
                f"{rows_text(row_numbers[bad_dates])}): kept, with no date.",
                file=table.label,
                rows=row_numbers[bad_dates],
            )
        )
    return warnings


def _name_warnings(
    label: str, cleaned: pd.DataFrame, merges: pd.DataFrame, merge_threshold: float | None
) -> list[str]:
    """The names matched without their payment text, and those merged as near-duplicates."""
    warnings: list[str] = []
    if len(cleaned):
        listed = "; ".join(f"{m.names[0]!r} as {m.into!r}" for m in row_tuples(cleaned.head(10)))
        more = f" and {len(cleaned) - 10} more" if len(cleaned) > 10 else ""
        warnings.append(
            Notice(
                "supplier-names-cleaned",
                f"{label}: {len(cleaned)} payee name(s) matched without their payment-method or "
                f"account text: {listed}{more}.",
            )
        )
    if len(merges):
        listed = "; ".join(f"{' / '.join(m.names)}" for m in row_tuples(merges.head(10)))
        more = f" and {len(merges) - 10} more" if len(merges) > 10 else ""
        warnings.append(
            Notice(
                "supplier-names-merged",
                f"{label}: {len(merges)} supplier name(s) merged as near-duplicates of another "
                f"(similarity >= {merge_threshold:g}): {listed}{more}.",
            )
        )
    return warnings


def _class_warnings(label: str, parsed: _Parsed, take: np.ndarray, row_numbers: np.ndarray) -> list[str]:
    """The payments kept with a redacted name, or none."""
    klass_kept = parsed.names.klass[parsed.names.idx[take]]
    warnings: list[str] = []
    for klass, what, code in (
        (REDACTED_CLASS, "redacted supplier names", "redacted-supplier"),
        (BLANK, "no supplier name", "without-supplier-name"),
    ):
        these = klass_kept == klass
        if these.any():
            warnings.append(
                Notice(
                    "payments-" + code,
                    f"{label}: {int(these.sum())} payment(s) with {what}, "
                    f"{format_gbp(int(parsed.amount[take][these].sum()))} (rows {rows_text(row_numbers[take][these])}).",
                    file=label,
                    rows=row_numbers[take][these],
                    amount=int(parsed.amount[take][these].sum()),
                )
            )
    return warnings


def _rejected_frame(rejected: list[pd.DataFrame]) -> pd.DataFrame:
    """The rows rejected, in sheet and row order."""
    parts = [r for r in rejected if len(r)]
    if not parts:
        return pd.DataFrame(columns=REJECTED_COLUMNS)
    frame = pd.concat(parts, ignore_index=True)
    frame["value"] = frame["value"].astype("object").where(frame["value"].notna(), None)
    return frame.sort_values(["sheet", "row"], kind="stable", na_position="first").reset_index(drop=True)
