"""Ingest a spend file as published: every row accepted or rejected with a reason, to the penny.

``ingest`` reads a "spend over £500" file (CSV, XLSX, XLSM, XLS, ODS, or a ZIP of one) through
``lm3.read.table.read_table`` and turns it into one canonical table of payments:

    sheet, row, supplier, key, supplier_class, amount (integer pence), date, period,
    and where the file has them: expense_type, service_area, supplier_id, company_number, charity_number,
    vat_number, postcode, head_office_postcode, urn, ods_code, org_id, vcse, transaction_id, capital_revenue

The supplier's identifiers (postcode, company and charity numbers, URN, ODS code, org-id) are found by their
content as well as their headers, made canonical (``lm3.values.ids``), and a value that is no identifier
("N/A", "0", "-", "TBC") is null; a postcode column may hold addresses (the last postcode in each is read) or
outward codes ("BD7").

Rules (each is listed in the result when it applies):

- Amounts: "£1,000.00", "1,000.00 ", "161,413.00-", "(1,043.00)", Excel float noise (rounded to the penny,
  halves away from zero). A blank or non-money amount rejects the row, with the reason.
- Credit notes (negative amounts) are kept; they net off against their supplier.
- A last row labelled "Total"/"Grand Total" (or with no supplier) whose amount equals the sum of the rows
  above it is the file's own total: it is reported, not counted. A labelled total that does not reconcile is
  reported with the difference. Labelled subtotal rows inside the file are rejected as not payments.
- Redacted suppliers ("REDACTED PERSONAL DATA", "Redacted Personal Information", "THIRD PARTY SUPPLIER",
  mis-encoded dashes and the like) are one class, "redacted": supplier "(redacted)", key "(REDACTED)", which
  no real supplier's key can equal. Payments with no supplier name are kept as "(no supplier name)".
- Supplier names get a key (``lm3.values.names.supplier_key``); keys that differ only by a typo (rapidfuzz ratio at
  or above ``merge_threshold``, same digits) are merged into the key with more spend, and every merge listed.
- Dates and period codes: see ``lm3.values.dates``. A value that is neither keeps its row, with no date, and is
  listed.

Accounting: rows_accepted + rows_rejected = the payment rows of the file (blank rows and the file's total
row are not payment rows, and are counted separately); total = the sum of accepted amounts.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from lm3.errors import InputError, Notice
from lm3.progress import Progress, report
from lm3.read.cells import Source, is_blank, on_sheet, rows_text
from lm3.read.columns import TOTAL_LABEL, Choice
from lm3.read.fields import PAYMENTS_FIELDS
from lm3.read.table import Table, read_table
from lm3.values import params
from lm3.values.arrow import as_numpy, bytes_present, factorize, one_chunk, take_rows
from lm3.values.cells import write_csv
from lm3.values.dates import parse_dates_coded
from lm3.values.frames import row_tuples
from lm3.values.html import escape, html_table
from lm3.values.ids import IDENTIFIERS, postcodes_in_text
from lm3.values.jsontext import jsonable
from lm3.values.money import as_text, exact_sum, format_gbp, parse_money, pence_to_decimal, why_not_money
from lm3.values.names import (
    BLANK,
    NAMED,
    NO_NAME,
    REDACTED,
    REDACTED_CLASS,
    REDACTED_KEY,
    SUPPLIER_CLASSES,
    arrow_supplier_key,
)
from lm3.values.near import candidate_pairs, word_swaps
from lm3.values.params import between

CLASSES = np.array(SUPPLIER_CLASSES, dtype=object)  # supplier_class, by code
DEFAULT_MERGE_THRESHOLD = 95.0
REJECTED_COLUMNS = ["sheet", "row", "column", "value", "reason", "code"]
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

# Matched against the supplier key (upper case, punctuation as spaces): the spellings councils use.
_REDACTED = re.compile(
    r"\bREDACTED\b|\bREDACTION\b|\bPERSONAL (?:DATA|INFORMATION|INFO|DETAILS)\b|\bTHIRD PARTY (?:SUPPLIER|PAYEE|PAYMENT)\b"
    r"|\bWITHHELD\b|\bNOT DISCLOSED\b|\bNON DISCLOSABLE\b|\bDATA PROTECTION\b|\bPRIVATE INDIVIDUAL\b"
    r"|\bCONFIDENTIAL\b|\bSENSITIVE\b|\bGDPR\b"
)
_REASONS = np.array(
    [
        None,
        "is not an amount of money (write it like 1250.00 or -1,250.00)",
        "has no supplier and no amount: not a payment",
        "amount is blank: give the amount paid, or delete the row",
    ],
    dtype=object,
)
_REASON_CODES = np.array([None, "amount-not-money", "no-supplier-no-amount", "amount-blank"], dtype=object)
# Any run of spaces (Python's str.isspace() set, as RE2 reads it: its \s alone misses no-break spaces)
_SPACES = r"[\s\v\x1c-\x1f\x85\p{Z}]+"
# Only these labels: suppliers called "Total Produce", "TOTAL HYGIENE LTD" or "Total Parking" are real.
_TOTAL = re.compile(
    r"^(?:GRAND |SUB ?|OVERALL |REPORT |PAGE |SHEET |MONTH |PERIOD |YEAR )?TOTALS?"
    r"(?: (?:SPEND|PAYMENTS|EXPENDITURE|AMOUNT|VALUE|PAID|FOR [A-Z0-9 ]+))?$"
)


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
    ``file_total``: the file's own total row in pence (None when it has none); ``merges``: supplier keys
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
        """The n suppliers with most spend: supplier, payments, amount (pence)."""
        grouped = self.data.groupby("key", sort=False).agg(
            supplier=("supplier", "first"), payments=("amount", "size"), amount=("amount", "sum")
        )
        return (
            grouped.sort_values(["amount", "supplier"], ascending=[False, True])
            .head(n)
            .reset_index(drop=True)
        )

    def to_dict(self) -> dict[str, Any]:
        """The account of the ingest as plain data, money as exact Decimal pounds (``lm3.to_json`` writes it:
        docs/json.md). Several files: the totals, and each file's own account under ``files``."""
        if self.files:
            return jsonable(
                {
                    "files": [f.to_dict() for f in self.files],
                    "rows_accepted": self.rows_accepted,
                    "rows_rejected": self.rows_rejected,
                    "total": pence_to_decimal(self.total),
                    "file_total": None if self.file_total is None else pence_to_decimal(self.file_total),
                    "blank_rows": self.blank_rows,
                    "warnings": list(self.warnings),
                }
            )
        return jsonable(
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
        return _ingest_several(sources, columns=columns, sheet=sheet, merge_threshold=merge_threshold)
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
    """``ingest`` from the table read: columns parsed, rows accepted or rejected, the result built."""
    data = table.data
    blank = data["blank"].to_numpy(dtype=bool)
    warnings = list(table.warnings)
    rejected: list[pd.DataFrame] = [_unreadable(table)]
    optional = [name for name in OPTIONAL_FIELDS if name in data]
    money_job = pool.submit(parse_money, data["amount"])
    supplier_job = pool.submit(_suppliers, data["supplier"])
    dates_job = pool.submit(parse_dates_coded, data["date"]) if "date" in data else None
    optional_jobs = {name: pool.submit(_optional, name, data[name]) for name in optional}
    amount_series, bad_series = money_job.result()
    names = supplier_job.result()
    dates = dates_job.result() if dates_job is not None else None
    optional_values = {name: job.result() for name, job in optional_jobs.items()}
    report(progress, "parsed", 2, 3)
    bad = bad_series.to_numpy(dtype=bool)
    missing = amount_series.isna().to_numpy()
    blank_amount = missing & ~bad
    amount = amount_series.to_numpy(dtype=np.int64, na_value=0)
    labelled = names.total[names.idx]
    klass_row = names.klass[names.idx]

    # the file's own totals and subtotals, wherever they sit: a row labelled Total, or with no supplier, whose
    # amount equals the payments above it in its sheet (or since the last subtotal); junk may follow it
    usable = ~bad & ~blank_amount & ~blank
    # workbooks: each row's sheet as a code (a CSV is one sheet, and needs none)
    sheet_codes, sheet_names = (
        pd.factorize(data["sheet"].astype("object").fillna(""))
        if table.sheets
        else (np.zeros(0, dtype=np.int64), pd.Index([]))
    )
    row_numbers = data["row"].to_numpy()
    totals: list[TotalRow] = []
    total_row, found = _total_rows(
        amount, usable, labelled, klass_row == BLANK, row_numbers, sheet_codes if table.sheets else None
    )
    file_total: int | None = None
    for pos, value, above, kind in found:
        where = f"{table.label}{on_sheet(data['sheet'].iloc[pos])}: row {int(row_numbers[pos])}"
        if kind == "total":
            warnings.append(
                Notice(
                    "total-row-reconciles",
                    f"{where} is the file's own total ({format_gbp(value)}), equal to the payments above it: "
                    "not counted as a payment.",
                )
            )
            file_total = value + (file_total or 0)
        elif kind == "subtotal":
            warnings.append(
                Notice(
                    "subtotal-row-reconciles",
                    f"{where} is a subtotal ({format_gbp(value)}), equal to the payments since the last one: "
                    "not counted as a payment.",
                )
            )
        else:
            file_total = value + (file_total or 0)  # the file's own figure, reconciled or not
            warnings.append(
                Notice(
                    "total-row-does-not-reconcile",
                    f"{where} is the file's own total ({format_gbp(value)}), but the payments above it add up to "
                    f"{format_gbp(above)} (difference {format_gbp(value - above)}): check the file is "
                    "complete. The total row is not counted as a payment.",
                )
            )
        sheet_name = data["sheet"].iloc[pos]
        label = data["supplier"].iloc[pos]
        totals.append(
            TotalRow(
                sheet=sheet_name if isinstance(sheet_name, str) else None,
                row=int(row_numbers[pos]),
                label=None if is_blank(label) else str(label).strip(),
                value=value,
                above=above,
                kind=kind,
            )
        )
    # each row's reason as a code into _REASONS (0: accepted); later rules win, as written
    reason = np.zeros(len(data), dtype=np.int8)
    reason[bad] = 1
    no_supplier = klass_row == BLANK
    reason[blank_amount & no_supplier] = 2
    reason[blank_amount & ~no_supplier] = 3
    reason[total_row | blank] = 0  # totals and subtotals are reported, not rejected
    is_rejected = reason > 0
    if is_rejected.any():
        at = np.flatnonzero(is_rejected)
        column = np.full(len(at), str(table.columns["amount"]), dtype=object)
        cells = take_rows(data["amount"], at).astype("object").to_numpy()
        values = [None if v is None or v != v or str(v).strip() == "" else str(v) for v in cells]
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
        rejected.append(
            pd.DataFrame(
                {
                    "sheet": data["sheet"].iloc[at].to_numpy(),
                    "row": row_numbers[at],
                    "column": column,
                    "value": values,
                    "reason": reasons,
                    "code": codes,
                }
            )
        )

    # the text as read has been parsed: let it go, so the output columns can take its memory (a fresh process
    # pays for every new page it touches)
    for name in ("supplier", "amount", "date", *optional):
        if name in data:
            del data[name]
    del amount_series, bad_series
    # the accepted rows, in file order (rows split again or with extra fields were read after the rest)
    keep = ~is_rejected & ~total_row & ~blank
    order = (
        np.lexsort((row_numbers, sheet_codes))
        if table.sheets
        else np.argsort(row_numbers, kind="stable")  # one sheet: rows are in order but for a few read last
    )
    take = order[keep[order]]
    everything = len(take) == len(data) and bool((take == np.arange(len(take))).all())
    stated = _stated_totals(table, amount, keep, sheet_codes, sheet_names, totals)
    for t in stated:
        where = f"{table.label}{on_sheet(t.sheet)}: row {t.row}, above the header,"
        if t.reconciles:
            warnings.append(
                Notice(
                    "stated-total-reconciles",
                    f"{where} states the total ({format_gbp(t.value)}): the payments below it add up to it.",
                )
            )
        else:
            warnings.append(
                Notice(
                    "total-row-does-not-reconcile",
                    f"{where} states a total of {format_gbp(t.value)}, but the payments below it add up to "
                    f"{format_gbp(t.above)} (difference {format_gbp(t.value - t.above)}): check the file is "
                    "complete.",
                )
            )
        if not any(x.sheet == t.sheet and x.kind != "subtotal" for x in totals):
            file_total = t.value + (file_total or 0)
    totals = stated + totals
    name_idx = names.idx[take]
    klass_kept = names.klass[name_idx]
    # text columns are built on the pool (Arrow work) while the near-duplicate names are compared here
    jobs = {
        "supplier": pool.submit(_expand, names.shown, name_idx),
        "supplier_class": pool.submit(_expand, CLASSES, klass_kept),
    }
    if dates is not None:
        date_idx = dates.rows(take)
        jobs["period"] = pool.submit(_expand, dates.periods, date_idx)
    for name, column_text in optional_values.items():
        jobs[name] = pool.submit(column_text.rows, None if everything else take)
    merges, merged_keys = _merge_near_duplicates(names, name_idx, amount[take], merge_threshold)
    cleaned = _cleaned_names(names, name_idx, merged_keys)
    jobs["key"] = pool.submit(_expand, merged_keys, name_idx)
    # numbers as Series, so the frame keeps each array as it is rather than copying same-typed ones together
    built: dict[str, pd.Series] = {
        "sheet": (
            _expand(np.asarray([*sheet_names, None], dtype=object), sheet_codes[take])
            if table.sheets
            else pd.Series(np.full(len(take), None, dtype=object), dtype=object)  # a CSV has no sheets
        ),
        "row": pd.Series(row_numbers if everything else row_numbers[take], dtype="int64", copy=False),
        "amount": pd.Series(amount[take], copy=False),
    }
    if dates is None:
        built["date"] = pd.Series(np.full(len(take), np.datetime64("NaT"), dtype="datetime64[s]"))
        built["period"] = pd.Series(pd.NA, index=pd.RangeIndex(len(take)), dtype="str")
    else:
        built["date"] = pd.Series(dates.dates[date_idx], copy=False)
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
                )
            )
    built.update({name: job.result() for name, job in jobs.items()})
    output_columns = [
        "sheet",
        "row",
        "supplier",
        "key",
        "supplier_class",
        "amount",
        "date",
        "period",
        *optional_values,
    ]
    out = pd.DataFrame({name: built[name] for name in output_columns}, copy=False)

    if len(cleaned):
        listed = "; ".join(f"{m.names[0]!r} as {m.into!r}" for m in row_tuples(cleaned.head(10)))
        more = f" and {len(cleaned) - 10} more" if len(cleaned) > 10 else ""
        warnings.append(
            Notice(
                "supplier-names-cleaned",
                f"{table.label}: {len(cleaned)} payee name(s) matched without their payment-method or "
                f"account text: {listed}{more}.",
            )
        )
    if len(merges):
        listed = "; ".join(f"{' / '.join(m.names)}" for m in row_tuples(merges.head(10)))
        more = f" and {len(merges) - 10} more" if len(merges) > 10 else ""
        warnings.append(
            Notice(
                "supplier-names-merged",
                f"{table.label}: {len(merges)} supplier name(s) merged as near-duplicates of another "
                f"(similarity >= {merge_threshold:g}): {listed}{more}.",
            )
        )
    for klass, label, code in (
        (REDACTED_CLASS, "redacted supplier names", "redacted-supplier"),
        (BLANK, "no supplier name", "without-supplier-name"),
    ):
        these = klass_kept == klass
        if these.any():
            warnings.append(
                Notice(
                    "payments-" + code,
                    f"{table.label}: {int(these.sum())} payment(s) with {label}, "
                    f"{format_gbp(int(amount[take][these].sum()))} (rows {rows_text(row_numbers[take][these])}).",
                )
            )
    rejected_frame = (
        pd.concat([r for r in rejected if len(r)], ignore_index=True)
        if any(len(r) for r in rejected)
        else pd.DataFrame(columns=REJECTED_COLUMNS)
    )
    if len(rejected_frame):
        rejected_frame["value"] = (
            rejected_frame["value"].astype("object").where(rejected_frame["value"].notna(), None)
        )
    rejected_frame = (
        rejected_frame.sort_values(["sheet", "row"], kind="stable", na_position="first").reset_index(
            drop=True
        )
        if len(rejected_frame)
        else rejected_frame
    )
    if len(rejected_frame):
        warnings.append(
            Notice(
                "rows-rejected",
                f"{table.label}: {len(rejected_frame)} row(s) rejected (rows {rows_text(rejected_frame['row'])}); "
                "see the rejected list for the reasons.",
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
        file_total=file_total,
        totals=tuple(totals),
        blank_rows=table.blank_rows,
        merges=pd.concat([m for m in (cleaned, merges) if len(m)], ignore_index=True)
        if len(cleaned) or len(merges)
        else merges,
        chosen_by=dict(table.chosen_by),
        warnings=tuple(warnings),
        choices=dict(table.choices),
        headers=table.headers,
    )


def _total_rows(
    amount: np.ndarray,
    usable: np.ndarray,
    labelled: np.ndarray,
    no_supplier: np.ndarray,
    rows: np.ndarray,
    sheets: np.ndarray | None,
) -> tuple[np.ndarray, list[tuple[int, int, int, str]]]:
    """The rows that are a file's own totals or subtotals: (mask, [(position, value, above, kind)]).

    A candidate is a usable row labelled as a total or with no supplier. In file order within each sheet, a
    candidate whose amount equals the payments since the sheet's start is the sheet's total; one equal to the
    payments since the last subtotal (at least two of them) a subtotal; a labelled one equal to neither is an
    unreconciled total (never counted; ``calculate`` refuses the file). An unlabelled one equal to neither is
    a payment with no supplier name. Work is per candidate (a cumulative sum answers each), never per row."""
    n = len(amount)
    mask = np.zeros(n, dtype=bool)
    found: list[tuple[int, int, int, str]] = []
    candidate = usable & (labelled | no_supplier)
    if not candidate.any():
        return mask, found
    codes = sheets if sheets is not None and len(sheets) == n else np.zeros(n, dtype=np.int64)
    order = np.lexsort((rows, codes))
    payment = (usable & ~candidate)[order]
    paid = np.where(payment, amount[order], 0)
    # exact running sums: Python integers (object dtype) where int64 could wrap
    sums = np.cumsum(paid.astype(object) if _may_overflow(amount) else paid)
    count = np.cumsum(payment)
    sheet_of = codes[order]
    starts: dict[int, int] = {}  # sheet -> position in ``order`` where it starts
    for pos in np.flatnonzero(np.r_[True, sheet_of[1:] != sheet_of[:-1]]):
        starts[int(sheet_of[pos])] = int(pos)

    def upto(pos: int) -> tuple[int, int]:  # payments before ``pos`` (exclusive): sum and count
        return (int(sums[pos - 1]), int(count[pos - 1])) if pos > 0 else (0, 0)

    last_block: dict[int, int] = {}
    # candidates that turn out to be payments (no supplier name, not a total) count in the sums after them:
    # per sheet, their running sum and count, and both as they were at the last subtotal
    extra: dict[int, tuple[int, int]] = {}
    extra_at_block: dict[int, tuple[int, int]] = {}
    for pos in np.flatnonzero(candidate[order]):
        at = int(order[pos])
        sheet = int(sheet_of[pos])
        start = starts[sheet]
        before_sum, before_count = upto(int(pos))
        start_sum, start_count = upto(start)
        block = last_block.get(sheet, start)
        block_sum, block_count = upto(block)
        value = int(amount[at])
        e_sum, e_n = extra.get(sheet, (0, 0))
        b_sum, b_n = extra_at_block.get(sheet, (0, 0))
        whole, whole_n = before_sum - start_sum + e_sum, before_count - start_count + e_n
        part, part_n = before_sum - block_sum + e_sum - b_sum, before_count - block_count + e_n - b_n
        if whole_n >= 1 and value == whole and (labelled[at] or whole_n >= 2):
            kind = "total"
        elif part_n >= 2 and value == part:
            kind = "subtotal"
        elif labelled[at]:
            kind = "unreconciled"
        else:
            extra[sheet] = (e_sum + value, e_n + 1)  # a payment with no supplier name
            continue
        mask[at] = True
        last_block[sheet] = int(pos) + 1
        extra_at_block[sheet] = extra.get(sheet, (0, 0))
        found.append((at, value, whole if kind != "subtotal" else part, kind))
    # a sheet's total is its last reconciling total: one before it (the first subtotal equals every payment
    # above it too) is a subtotal
    last_total: dict[int, int] = {}
    for i, (at, _, _, kind) in enumerate(found):
        if kind == "total":
            last_total[int(codes[at])] = i
    found = [
        (at, value, above, "subtotal" if kind == "total" and last_total[int(codes[at])] != i else kind)
        for i, (at, value, above, kind) in enumerate(found)
    ]
    return mask, found


_STATED_MONEY = re.compile(r"^\s*[-(]?\s*£\s*\d|^\s*[-(]?\s*£?\s*[\d,]*\d\.\d\d\s*\)?\s*$")


def _stated_totals(
    table: Table,
    amount: np.ndarray,
    keep: np.ndarray,
    sheet_codes: np.ndarray,
    sheet_names: pd.Index,
    totals: list[TotalRow],
) -> list[TotalRow]:
    """Totals stated above a sheet's header: a row holding a "Total" label and an amount, compared with the
    payments accepted under that header. An amount equal to them reconciles; otherwise only one amount that
    is plainly money (pence, or a £ sign: not a count or a year) is taken as a total that does not reconcile
    (``calculate`` refuses it). Never counted."""
    out: list[TotalRow] = []
    for sheet, row, cells in table.preamble:
        filled = [c for c in cells if not is_blank(c)]
        label = next((str(c).strip() for c in filled if isinstance(c, str) and TOTAL_LABEL.match(c)), None)
        if label is None:
            continue
        numbers = [c for c in filled if not (isinstance(c, str) and TOTAL_LABEL.match(c))]
        parsed = parse_money(pd.Series(numbers, dtype=object))[0] if numbers else pd.Series([], dtype="Int64")
        if table.sheets:
            names = list(sheet_names)
            name = sheet if sheet is not None else ""
            here = keep & (sheet_codes == names.index(name)) if name in names else np.zeros_like(keep)
        else:
            here = keep
        below = exact_sum(amount[here])
        plainly = [
            int(v)
            for c, v in zip(numbers, parsed, strict=True)
            if v is not pd.NA
            and v == v
            and ((isinstance(c, float) and not c.is_integer()) or bool(_STATED_MONEY.match(str(c))))
        ]
        values = [int(v) for v in parsed.dropna()]
        if below in values:
            value = below
        elif len(plainly) == 1:
            value = plainly[0]
        else:
            continue
        out.append(
            TotalRow(
                sheet=sheet,
                row=row,
                label=label,
                value=value,
                above=below,
                kind="total" if value == below else "unreconciled",
                above_header=True,
            )
        )
    return out


def _may_overflow(amount: np.ndarray) -> bool:
    return len(amount) > 0 and int(np.abs(amount).max()) >= (2**62) // len(amount)


def _ingest_several(
    sources: list[Source],
    *,
    columns: Mapping[str, str] | None,
    sheet: str | None,
    merge_threshold: float | None,
) -> IngestResult:
    """Several spend files read one by one (each with its own detection) and put together."""
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


def _unreadable(table: Table) -> pd.DataFrame:
    u = table.unreadable
    return pd.DataFrame(
        {
            "sheet": u["sheet"],
            "row": u["row"],
            "column": None,
            "value": u["value"],
            "reason": u["problem"],
            "code": "row-unreadable",
        },
        columns=REJECTED_COLUMNS,
    )


def _expand(values: np.ndarray, idx: np.ndarray) -> pd.Series:
    """Per-row text from per-distinct-value text: row i is ``values[idx[i]]`` (None is missing). Built as a
    dictionary array cast to plain text (faster in Arrow than a take)."""
    dictionary = pa.array(values, type=pa.large_string())  # pandas' text type: no copy into the Series
    taken = pa.DictionaryArray.from_arrays(pa.array(idx), dictionary).cast(pa.large_string())
    return pd.Series(pd.array(taken, dtype="str"))


@dataclass(frozen=True)
class _Names:
    """Supplier names per distinct value: row i has ``shown[idx[i]]``, ``keys[idx[i]]``, class
    ``klass[idx[i]]`` (an index into CLASSES) and whether it is a total label ("Total", "Grand Total").
    The last entry of each array stands for an empty cell."""

    idx: np.ndarray
    shown: np.ndarray
    keys: np.ndarray
    klass: np.ndarray
    total: np.ndarray
    cleaned: np.ndarray  # the name's key had payment-method or account text left out ("X (DD)")
    plain: np.ndarray  # the key with that text kept


def _suppliers(names: pd.Series) -> _Names:
    """Display name, key, class and total label of each distinct supplier name, and each row's code."""
    codes, uniques = factorize(names)
    # per distinct name, in Arrow compute: spaces of any kind as one space, trimmed
    texts = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(
            pa.array(uniques.astype("str").array, type=pa.string()),
            _SPACES,
            " ",
        )
    )
    keys = arrow_supplier_key(texts)
    plain = arrow_supplier_key(texts, clean=False)
    # mis-encoded dashes and quotes ("REDACTED \x96 PERSONAL DATA") vanish in the key; the words remain
    redacted = as_numpy(pc.match_substring_regex(keys, _REDACTED.pattern))
    blank_key = as_numpy(pc.equal(keys, ""))
    klass = np.where(blank_key, BLANK, np.where(redacted, REDACTED_CLASS, NAMED)).astype(np.int8)
    shown = np.where(
        klass == BLANK,
        NO_NAME,
        np.where(klass == REDACTED_CLASS, REDACTED, np.asarray(texts.to_pylist(), dtype=object)),
    )
    total = as_numpy(pc.match_substring_regex(keys, _TOTAL.pattern)) & (klass == NAMED)
    cleaned = as_numpy(pc.not_equal(keys, plain)) & (klass == NAMED)
    keys = np.where(klass == REDACTED_CLASS, REDACTED_KEY, np.asarray(keys.to_pylist(), dtype=object))
    return _Names(
        idx=codes,
        shown=np.append(shown.astype(object), NO_NAME),
        keys=np.append(keys.astype(object), ""),
        klass=np.append(klass, np.int8(BLANK)),
        total=np.append(total, False),
        cleaned=np.append(cleaned, False),
        plain=np.append(np.asarray(plain.to_pylist(), dtype=object), ""),
    )


@dataclass(frozen=True)
class _Column:
    """An optional column's canonical text: per row (``full``), or per distinct value (``values``, the last
    entry missing) with each row's index into them (``idx``)."""

    full: pa.Array | None = None
    idx: np.ndarray | None = None
    values: np.ndarray | None = None

    def rows(self, take: np.ndarray | None) -> pd.Series:
        if self.full is not None:
            full = self.full if take is None else self.full.take(pa.array(take, type=pa.int64()))
            return pd.Series(pd.array(full, dtype="str"))
        assert self.idx is not None and self.values is not None
        return _expand(self.values, self.idx if take is None else self.idx[take])


def _optional(name: str, values: pd.Series) -> _Column:
    """Canonical text of an optional column: per distinct value when values repeat (categories, service
    areas), else vectorised over the column (ids and references, a value per row)."""
    head = values.iloc[:2000]
    if len(values) > 2000 and head.nunique() * 2 > len(head):  # ids: a value per row
        return _Column(full=one_chunk(_clean_optional(name, as_text(values))))
    codes, uniques = factorize(values)
    if len(uniques) * 4 < len(values):
        clean = _clean_optional(name, as_text(uniques))
        return _Column(
            idx=codes,
            values=np.asarray([*clean.to_pylist(), None], dtype=object),
        )
    return _Column(full=one_chunk(_clean_optional(name, as_text(values))))


def _clean_optional(name: str, text: pa.Array) -> pa.Array:
    ids = name in (
        "supplier_id",
        "transaction_id",
        "vat_number",
        "charity_number",
        "postcode",
        "head_office_postcode",
        "company_number",
        "urn",
        "ods_code",
        "org_id",
    )
    # most columns need neither spaces nor case fixed. A count of the bytes rules it out for a column with no
    # whitespace, non-ASCII or (ids) lower case at all, such as a column of transaction numbers; else one
    # search finds whether any value needs it.
    spaces = "^\\s|\\s$|\\s\\s|[\t\r\n\u00a0]"
    present = bytes_present(text)
    may_need = (
        present[[9, 10, 11, 12, 13, 32]].any()
        or present[128:].any()
        or (ids and present[ord("a") : ord("z") + 1].any())
    )
    if may_need and pc.any(pc.match_substring_regex(text, spaces + ("|[a-z]" if ids else ""))).as_py():
        if pc.any(pc.match_substring_regex(text, spaces)).as_py():
            text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, _SPACES, " "))
        if ids:
            text = pc.utf8_upper(text)
    if name == "vat_number":
        text = pc.replace_substring_regex(text, r"^GB|\s", "")
    if name in IDENTIFIERS:  # company and charity numbers, URNs, ODS codes, org-ids: canonical, or null
        text = IDENTIFIERS[name](text)
    if name in ("postcode", "head_office_postcode"):
        text = postcodes_in_text(text)
    if name == "vcse":
        upper = pc.utf8_upper(text)
        yes = pc.is_in(upper, pa.array(["Y", "YES", "TRUE", "1", "VCSE"]))
        no = pc.is_in(upper, pa.array(["N", "NO", "FALSE", "0"]))
        text = pc.if_else(yes, "yes", pc.if_else(no, "no", ""))
    if name == "capital_revenue":
        upper = pc.utf8_upper(text)
        text = pc.if_else(
            pc.starts_with(upper, "C"), "capital", pc.if_else(pc.starts_with(upper, "R"), "revenue", text)
        )
    if len(text) and pc.min(pc.binary_length(text)).as_py() == 0:
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    return text


def sum_by(codes: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of ``amounts`` by ``codes`` (0..n-1), without a Python loop: by ``np.bincount``
    when no sum can pass 2**53 pence (float64 adds integers exactly below that), else sorted and summed
    between group boundaries."""
    if len(codes) == 0:
        return np.zeros(n, dtype=np.int64)
    if int(np.abs(amounts).sum()) < 2**53:  # every partial sum is exact in float64: count in one pass
        return np.bincount(codes, weights=amounts, minlength=n).astype(np.int64)
    order = np.argsort(codes, kind="stable")
    sums = np.add.reduceat(amounts[order], np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]))
    out = np.zeros(n, dtype=np.int64)
    out[np.unique(codes)] = sums
    return out


def _cleaned_names(names: _Names, name_idx: np.ndarray, merged_keys: np.ndarray) -> pd.DataFrame:
    """The accepted rows' names whose key left out payment-method or account text: one merge each (the key
    as written, the key it joined, the name as written and the key's name as first written)."""
    used = np.bincount(name_idx, minlength=len(names.keys)) > 0
    at = np.flatnonzero(used & names.cleaned)
    if len(at) == 0:
        return pd.DataFrame(columns=MERGE_COLUMNS)
    # each merged key's name as first written among the accepted rows, preferring one that was not cleaned
    rows = pd.DataFrame({"key": merged_keys[name_idx], "name": name_idx, "cleaned": names.cleaned[name_idx]})
    first = rows.sort_values("cleaned", kind="stable").groupby("key", sort=False)["name"].first()
    out = pd.DataFrame(
        {
            "key": names.plain[at],
            "into": merged_keys[at],
            "score": 100.0,
            "names": [
                (
                    names.shown[i],
                    names.shown[first[merged_keys[i]]] if first[merged_keys[i]] != i else merged_keys[i],
                )
                for i in at
            ],
            "why": CLEANED_NAME,
        }
    )
    return out.sort_values("key", kind="stable").reset_index(drop=True)


def _merge_near_duplicates(
    names: _Names, name_idx: np.ndarray, amounts: np.ndarray, threshold: float | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Merge keys that differ by a typo into the key with more spend; the merges, and each distinct name's
    key after merging.

    Compared: named keys of 8 or more characters among the accepted rows (``name_idx``, their ``amounts``)
    with the same first letter and the same digits ("UNIT 4" and "UNIT 5" are different suppliers), by
    rapidfuzz ``ratio`` at or above ``threshold``, never two that differ by a word rather than a typo
    (``lm3.values.near.word_swaps``: two parish councils). Works on distinct keys, never on rows.
    """
    empty = pd.DataFrame(columns=MERGE_COLUMNS)
    if threshold is None or len(name_idx) == 0:
        return empty, names.keys
    key_of_name, key_values = pd.factorize(pd.Series(names.keys, dtype="object"))
    # spend per name, then per key: exact integer pence
    per_name = sum_by(name_idx, amounts, len(names.keys))
    total = np.zeros(len(key_values), dtype=np.int64)
    np.add.at(total, key_of_name, per_name)
    present = np.zeros(len(key_values), dtype=bool)
    present[key_of_name[np.bincount(name_idx, minlength=len(names.keys)) > 0]] = True
    named = np.zeros(len(key_values), dtype=bool)
    named[key_of_name[names.klass == NAMED]] = True
    long_enough = np.fromiter((len(k) >= 8 for k in key_values), dtype=bool, count=len(key_values))
    candidate = (named & present & long_enough).nonzero()[0]
    if len(candidate) < 2:
        return empty, names.keys
    cand = pa.array(np.asarray(key_values, dtype=object)[candidate], type=pa.string())
    block = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(cand, 0, 1), pc.replace_substring_regex(cand, r"\D+", ""), "|"
    ).to_numpy(zero_copy_only=False)
    codes, _ = pd.factorize(block)
    items = cand.to_pylist()
    # the pairs worth scoring (two shared words, a rare one, the same first letters), within a block
    pairs = candidate_pairs(items, items)
    a, b = pairs["name"].to_numpy(), pairs["choice"].to_numpy()
    keep = (a < b) & (codes[a] == codes[b])
    a, b = a[keep], b[keep]
    into: dict[int, tuple[int, float]] = {}
    if len(a):
        texts = np.asarray(items, dtype=object)
        scores = process.cpdist(texts[a], texts[b], scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
        hit = scores >= threshold
        # never two names that differ by a word ("ASHTON PARISH COUNCIL", "ASTON PARISH COUNCIL"): a word
        # that two or more payees use is no typo
        words = pd.Series(items).str.split(" ").explode().value_counts()
        hit[hit] = ~word_swaps(items, items, a[hit], b[hit], known=set(words[words >= 2].index))
        for i in np.lexsort((b[hit], a[hit], codes[a[hit]])):  # block by block, in order, as always
            ka, kb = int(candidate[a[hit][i]]), int(candidate[b[hit][i]])
            big, small = (ka, kb) if (total[ka], key_values[ka]) >= (total[kb], key_values[kb]) else (kb, ka)
            if small not in into:
                into[small] = (big, float(scores[hit][i]))
    if not into:
        return empty, names.keys

    def root(k: int) -> int:
        seen = set()
        while k in into and k not in seen:
            seen.add(k)
            k = into[k][0]
        return k

    mapping = {k: root(k) for k in into}
    # each key's name as first written among the accepted rows
    involved = np.zeros(len(key_values), dtype=bool)
    involved[list(mapping)] = True
    involved[list(mapping.values())] = True
    row_key = key_of_name[name_idx]
    at = np.flatnonzero(involved[row_key] & (names.klass[name_idx] == NAMED))
    first = pd.Series(at).groupby(row_key[at]).first()
    shown = {int(cast(int, k)): names.shown[name_idx[i]] for k, i in first.items()}
    merges = pd.DataFrame(
        [
            {
                "key": key_values[k],
                "into": key_values[v],
                "score": into[k][1],
                "names": (shown[k], shown[v]),
                "why": NEAR_NAME,
            }
            for k, v in sorted(mapping.items(), key=lambda kv: key_values[kv[0]])
        ]
    )
    target = np.arange(len(key_values))
    for k, v in mapping.items():
        target[k] = v
    merged = np.asarray(key_values, dtype=object)[target[key_of_name]]
    return merges, merged
