"""Ingest a spend file as published: every row accepted or rejected with a reason, to the penny.

``ingest`` reads a "spend over £500" file (CSV, XLSX, XLSM, XLS, ODS, or a ZIP of one) through
``lm3._read.read_table`` and turns it into one canonical table of payments:

    sheet, row, supplier, key, supplier_class, amount (integer pence), date, period,
    and where the file has them: expense_type, service_area, supplier_id, company_number, charity_number,
    vat_number, postcode, vcse, transaction_id, capital_revenue

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
- Supplier names get a key (``lm3._names.supplier_key``); keys that differ only by a typo (rapidfuzz ratio at
  or above ``merge_threshold``, same digits) are merged into the key with more spend, and every merge listed.
- Dates and period codes: see ``lm3._dates``. A value that is neither keeps its row, with no date, and is
  listed.

Accounting: rows_accepted + rows_rejected = the payment rows of the file (blank rows and the file's total
row are not payment rows, and are counted separately); total = the sum of accepted amounts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from lm3._dates import parse_dates
from lm3._money import as_text, format_gbp, parse_money, pence_to_decimal
from lm3._names import supplier_key
from lm3._read import Source, Table, _blank_mask, _is_blank, _rows, read_table

REDACTED = "(redacted)"
REDACTED_KEY = "(REDACTED)"
NO_NAME = "(no supplier name)"
DEFAULT_MERGE_THRESHOLD = 95.0
REJECTED_COLUMNS = ["sheet", "row", "column", "value", "reason"]
OPTIONAL_FIELDS = (
    "expense_type",
    "service_area",
    "supplier_id",
    "company_number",
    "charity_number",
    "vat_number",
    "postcode",
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

    @property
    def reconciles(self) -> bool:
        return self.value == self.above


@dataclass(frozen=True)
class IngestResult:
    """A spend file read into canonical payments, with everything that happened to its rows.

    ``data``: accepted payments (columns in the module docstring), in file order. ``rejected``: sheet, row,
    column, value, reason for each row not accepted. ``columns``: for each field, the header text as it
    stands in the file, or None. ``chosen_by``: fields not chosen by their header alone, and how.
    ``file_total``: the file's own total row in pence (None when it has none); ``merges``: supplier keys
    merged as near-duplicates (key, into, score, names).
    """

    file: str
    data: pd.DataFrame
    rejected: pd.DataFrame
    columns: dict[str, str | None]
    sheets: tuple[str, ...] = ()
    file_total: int | None = None
    totals: tuple[TotalRow, ...] = ()
    blank_rows: int = 0
    merges: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["key", "into", "score", "names"])
    )
    chosen_by: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def rows_accepted(self) -> int:
        return len(self.data)

    @property
    def rows_rejected(self) -> int:
        return len(self.rejected)

    @property
    def total(self) -> int:
        """Sum of the accepted amounts, in pence."""
        return int(self.data["amount"].sum())

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

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``lm3 ingest --json`` (amounts as strings with two decimals)."""
        return {
            "file": self.file,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "total": str(pence_to_decimal(self.total)),
            "columns": {k: self.columns.get(k) for k in ("supplier", "amount", "date")},
            "all_columns": dict(self.columns),
            "sheets": list(self.sheets),
            "file_total": None if self.file_total is None else str(pence_to_decimal(self.file_total)),
            "blank_rows": self.blank_rows,
            "rejected": [
                {"row": int(r.row), "sheet": r.sheet, "reason": r.reason}
                for r in self.rejected.itertuples(index=False)
            ],
            "merges": [
                {"key": r.key, "into": r.into, "score": round(float(r.score), 1), "names": list(r.names)}
                for r in self.merges.itertuples(index=False)
            ],
            "warnings": list(self.warnings),
        }

    def to_file(self, path: str | Path) -> Path:
        """Write the accepted payments as .parquet or .csv (amount in pounds as text with two decimals,
        and amount_pence as an integer, so nothing is lost to floating point)."""
        path = Path(path)
        out = self.data.copy()
        out.insert(out.columns.get_loc("amount"), "amount_pence", out["amount"])
        sign = np.where(out["amount"] < 0, "-", "")
        pounds, pence = np.divmod(np.abs(out["amount"].to_numpy()), 100)
        out["amount"] = (
            pd.Series(sign)
            .str.cat(pd.Series(pounds).astype("str"))
            .str.cat(pd.Series(pence).astype("str").str.zfill(2), sep=".")
            .to_numpy()
        )
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        suffix = path.suffix.lower()
        if suffix == ".parquet":
            out.to_parquet(path, index=False)
        elif suffix == ".csv":
            out.to_csv(path, index=False)
        else:
            raise ValueError(f"{path.name}: write .parquet or .csv")
        return path


def ingest(
    source: Source,
    *,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    merge_threshold: float | None = DEFAULT_MERGE_THRESHOLD,
) -> IngestResult:
    """Read a spend file into canonical payments; see the module docstring for every rule.

    ``columns`` maps fields ("supplier", "amount", "date", "expense_type", ...) to header texts, overriding
    detection; ``sheet`` reads one sheet only; ``merge_threshold`` (0-100, None for no merging) is the
    rapidfuzz ratio at which two supplier keys are taken as the same supplier.
    """
    from lm3._inputs import PAYMENTS_FIELDS

    table = read_table(
        source, PAYMENTS_FIELDS, what="payments", sheet=sheet, columns=columns, keep_blank=True
    )
    data = table.data
    blank = data["blank"].to_numpy(dtype=bool)
    warnings = list(table.warnings)
    rejected: list[pd.DataFrame] = [_unreadable(table)]

    # columns are independent: parsed on as many threads as there are cores (Arrow releases the GIL)
    optional = [name for name in OPTIONAL_FIELDS if name in data]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        money_job = pool.submit(parse_money, data["amount"])
        blank_job = pool.submit(_blank_mask, data["amount"])
        supplier_job = pool.submit(_suppliers, data["supplier"])
        dates_job = pool.submit(parse_dates, data["date"]) if "date" in data else None
        optional_jobs = {name: pool.submit(_optional, name, data[name]) for name in optional}
        amount, bad = money_job.result()
        blank_amount = blank_job.result()
        supplier, key, klass, labelled = supplier_job.result()
        dates = dates_job.result() if dates_job is not None else None
        optional_values = {name: job.result() for name, job in optional_jobs.items()}

    # the file's own total: the last row of a sheet, labelled Total or with no supplier, equal to the rows above
    total_row = np.zeros(len(data), dtype=bool)
    file_total: int | None = None
    totals: list[TotalRow] = []
    usable = ~bad.to_numpy() & ~blank_amount & ~blank
    sheet_codes = (
        pd.factorize(data["sheet"].astype("object").fillna(""))[0] if len(data) else np.array([], int)
    )
    row_numbers = data["row"].to_numpy()
    for s in np.unique(sheet_codes):
        idx = np.flatnonzero((sheet_codes == s) & ~blank)
        last = idx[np.argmax(row_numbers[idx])]  # the last row of the sheet (rows may not be in file order)
        if len(idx) < 2 or not usable[last] or not (labelled[last] or klass.iloc[last] == "blank"):
            continue
        others = idx[idx != last]
        above = others[usable[others] & ~labelled[others]]
        above_sum = int(amount.iloc[above].sum())
        value = int(amount.iloc[last])
        where = f"{table.label}{_on(data['sheet'].iloc[last])}: row {int(data['row'].iloc[last])}"
        if value == above_sum:
            warnings.append(
                f"{where} is the file's own total ({format_gbp(value)}), equal to the payments above it: "
                "not counted as a payment."
            )
        elif labelled[last]:
            warnings.append(
                f"{where} is the file's own total ({format_gbp(value)}), but the payments above it add up to "
                f"{format_gbp(above_sum)} (difference {format_gbp(value - above_sum)}): check the file is "
                "complete. The total row is not counted as a payment."
            )
        else:
            continue
        total_row[last] = True
        sheet_name = data["sheet"].iloc[last]
        label = data["supplier"].iloc[last]
        totals.append(
            TotalRow(
                sheet=sheet_name if isinstance(sheet_name, str) else None,
                row=int(data["row"].iloc[last]),
                label=None if _is_blank(label) else str(label).strip(),
                value=value,
                above=above_sum,
            )
        )
        file_total = value + (file_total or 0)

    reasons = pd.Series(pd.NA, index=data.index, dtype="object")
    reasons[bad.to_numpy()] = "is not an amount of money (write it like 1250.00 or -1,250.00)"
    no_supplier = (klass == "blank").to_numpy()
    reasons[blank_amount & no_supplier] = "has no supplier and no amount: not a payment"
    reasons[blank_amount & ~no_supplier] = "amount is blank: give the amount paid, or delete the row"
    subtotal = labelled & ~total_row & usable
    reasons[subtotal] = "is a total row inside the file, not a payment"
    reasons[total_row | blank] = pd.NA
    is_rejected = reasons.notna().to_numpy()
    if is_rejected.any():
        column = np.where(subtotal[is_rejected], table.columns["supplier"], table.columns["amount"])
        value = np.where(
            subtotal[is_rejected],
            data["supplier"].iloc[np.flatnonzero(is_rejected)].astype("object").to_numpy(),
            data["amount"].iloc[np.flatnonzero(is_rejected)].astype("object").to_numpy(),
        )
        rejected.append(
            pd.DataFrame(
                {
                    "sheet": data["sheet"].iloc[np.flatnonzero(is_rejected)].to_numpy(),
                    "row": data["row"].to_numpy()[is_rejected],
                    "column": column,
                    "value": [None if v is None or v != v or str(v).strip() == "" else str(v) for v in value],
                    "reason": reasons[is_rejected].to_numpy(),
                }
            )
        )

    keep = ~is_rejected & ~total_row & ~blank
    columns_out = {
        "sheet": data["sheet"],
        "row": data["row"].astype("int64"),
        "supplier": supplier,
        "key": key,
        "supplier_class": klass,
        "amount": amount,
    }
    if dates is not None:
        columns_out["date"] = dates.date
        columns_out["period"] = dates.period
    columns_out.update(optional_values)
    out = pd.DataFrame(columns_out, copy=False)
    # one take that drops what is not kept and puts rows split again or with extra fields back in file order
    order = np.lexsort((row_numbers, sheet_codes)) if len(data) else np.arange(0)
    if (order != np.arange(len(order))).any() or not keep.all():
        out = out.take(order[keep[order]]).reset_index(drop=True)
    out["amount"] = out["amount"].astype("int64")
    if dates is None:
        out.insert(6, "date", pd.Series(pd.NaT, index=out.index, dtype="datetime64[s]"))
        out.insert(7, "period", pd.Series(pd.NA, index=out.index, dtype="str"))
    else:
        if dates.month_first:
            warnings.append(
                f"{table.label}: dates in {table.columns['date']!r} are month first (like 05/31/2022): read so."
            )
        bad_dates = dates.bad.to_numpy() & keep
        if bad_dates.any():
            warnings.append(
                f"{table.label}: {int(bad_dates.sum())} row(s) with a date that is not a date (rows "
                f"{_rows(data['row'].to_numpy()[bad_dates])}): kept, with no date."
            )

    merges = _merge_near_duplicates(out, merge_threshold)
    if len(merges):
        listed = "; ".join(f"{' / '.join(m.names)}" for m in merges.head(10).itertuples())
        more = f" and {len(merges) - 10} more" if len(merges) > 10 else ""
        warnings.append(
            f"{table.label}: {len(merges)} supplier name(s) merged as near-duplicates of another "
            f"(similarity >= {merge_threshold:g}): {listed}{more}."
        )
    for what, count in (
        ("redacted", (out["supplier_class"] == "redacted")),
        ("blank", out["supplier_class"] == "blank"),
    ):
        if count.any():
            label = "redacted supplier names" if what == "redacted" else "no supplier name"
            warnings.append(
                f"{table.label}: {int(count.sum())} payment(s) with {label}, "
                f"{format_gbp(int(out.loc[count, 'amount'].sum()))} (rows {_rows(out.loc[count, 'row'])})."
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
            f"{table.label}: {len(rejected_frame)} row(s) rejected (rows {_rows(rejected_frame['row'])}); "
            "see the rejected list for the reasons."
        )
    for name, how in table.chosen_by.items():
        warnings.append(f"{table.label}: {name} column {table.columns[name]!r} chosen {how}.")
    return IngestResult(
        file=table.label,
        data=out,
        rejected=rejected_frame,
        columns=table.columns,
        sheets=table.sheets,
        file_total=file_total,
        totals=tuple(totals),
        blank_rows=table.blank_rows,
        merges=merges,
        chosen_by=dict(table.chosen_by),
        warnings=tuple(warnings),
    )


def _on(sheet: object) -> str:
    return f" (sheet {sheet!r})" if isinstance(sheet, str) and sheet else ""


def _unreadable(table: Table) -> pd.DataFrame:
    u = table.unreadable
    return pd.DataFrame(
        {"sheet": u["sheet"], "row": u["row"], "column": None, "value": u["value"], "reason": u["problem"]},
        columns=REJECTED_COLUMNS,
    )


def _expand(uniques: np.ndarray, codes: np.ndarray, fill: str | None, index: pd.Index) -> pd.Series:
    """Per-row text from per-distinct-value text (``codes`` as from ``pd.factorize``; -1 takes ``fill``)."""
    table = pa.array([*uniques, fill], type=pa.string())
    taken = table.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    return pd.Series(pd.array(taken, dtype="str"), index=index)


def _suppliers(names: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, np.ndarray]:
    """Display name, key, class ("named", "redacted", "blank") and whether the name is a total label
    ("Total", "Grand Total"), per row, computed once per distinct name."""
    codes, uniques = pd.factorize(names, use_na_sentinel=True)
    texts = pd.Series(uniques, dtype="object").astype("str").str.replace("\u00a0", " ").str.strip()
    texts = texts.str.replace(r"\s+", " ", regex=True)
    keys = supplier_key(texts)
    # mis-encoded dashes and quotes ("REDACTED \x96 PERSONAL DATA") vanish in the key; the words remain
    redacted = keys.str.contains(_REDACTED.pattern, regex=True)
    klass = np.where(keys == "", "blank", np.where(redacted, "redacted", "named"))
    shown = np.where(
        klass == "blank", NO_NAME, np.where(klass == "redacted", REDACTED, texts.to_numpy(dtype=object))
    )
    total = (keys.str.fullmatch(_TOTAL.pattern).fillna(False).to_numpy(dtype=bool)) & (klass == "named")
    keys = np.where(klass == "redacted", REDACTED_KEY, keys.to_numpy(dtype=object))
    idx = names.index
    return (
        _expand(shown, codes, NO_NAME, idx),
        _expand(keys, codes, "", idx),
        _expand(klass, codes, "blank", idx),
        np.append(total, False)[np.where(codes < 0, len(total), codes)],
    )


def _optional(name: str, values: pd.Series) -> pd.Series:
    """Canonical text of an optional column: per distinct value when values repeat (categories, service
    areas), else vectorised over the column (ids and references, a value per row)."""
    head = values.iloc[:2000]
    if len(values) > 2000 and head.nunique() * 2 > len(head):  # ids: a value per row
        return pd.Series(pd.array(_clean_optional(name, as_text(values)), dtype="str"), index=values.index)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) * 4 < len(values):
        clean = _clean_optional(name, as_text(pd.Series(uniques, dtype="object")))
        return _expand(np.asarray(clean.to_pylist(), dtype=object), codes, None, values.index)
    return pd.Series(pd.array(_clean_optional(name, as_text(values)), dtype="str"), index=values.index)


def _clean_optional(name: str, text: pa.Array) -> pa.Array:
    if pc.any(pc.match_substring_regex(text, "\\s\\s|[\t\r\n\u00a0]")).as_py():  # most columns need not
        text = pc.replace_substring_regex(text, r"\s+", " ")
    text = pc.utf8_trim_whitespace(text)
    if (
        name
        in (
            "supplier_id",
            "transaction_id",
            "vat_number",
            "charity_number",
            "postcode",
            "company_number",
        )
        and pc.any(pc.match_substring_regex(text, "[a-z]")).as_py()
    ):
        text = pc.utf8_upper(text)
    if name == "vat_number":
        text = pc.replace_substring_regex(text, r"^GB|\s", "")
    if name == "company_number":
        # Companies House numbers are 8 characters: 2535986 -> 02535986, sc123456 -> SC123456
        text = pc.replace_substring_regex(text, r"\s", "")
        text = pc.if_else(pc.match_substring_regex(text, r"^\d{1,7}$"), pc.utf8_lpad(text, 8, "0"), text)
        text = pc.if_else(pc.match_substring_regex(text, r"^(N/?A|NONE|0+|-)$"), "", text)
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
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _merge_near_duplicates(out: pd.DataFrame, threshold: float | None) -> pd.DataFrame:
    """Merge keys that differ by a typo into the key with more spend (in place on ``out``); list merges.

    Compared: named keys of 8 or more characters with the same first letter and the same digits ("UNIT 4"
    and "UNIT 5" are different suppliers), by rapidfuzz ``ratio`` at or above ``threshold``.
    """
    empty = pd.DataFrame(columns=["key", "into", "score", "names"])
    if threshold is None or out.empty:
        return empty
    named = (out["supplier_class"] == "named").to_numpy()
    spend = out["amount"][named].groupby(out["key"][named], sort=False).agg(["sum", "size"])
    keys = spend.index.to_series()
    keys = keys[keys.str.len() >= 8]
    if len(keys) < 2:
        return empty
    digits = keys.str.replace(r"\D", "", regex=True)
    block = (keys.str[0] + "|" + digits).to_numpy(dtype=object)
    codes, _ = pd.factorize(block)
    sizes = np.bincount(codes)
    shared = sizes[codes] > 1
    order = np.argsort(codes[shared], kind="stable")
    items_all = keys.to_numpy(dtype=object)[shared][order]
    bounds = np.flatnonzero(np.diff(codes[shared][order])) + 1
    into: dict[str, tuple[str, float]] = {}
    for group in np.split(items_all, bounds) if len(items_all) else []:
        items = list(group)
        scores = process.cdist(items, items, scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
        np.fill_diagonal(scores, 0)
        pairs = np.argwhere(scores > 0)
        for a, b in pairs:
            if a >= b:
                continue
            ka, kb = items[a], items[b]
            big, small = (ka, kb) if (spend.at[ka, "sum"], ka) >= (spend.at[kb, "sum"], kb) else (kb, ka)
            if small not in into:
                into[small] = (big, float(scores[a, b]))
    if not into:
        return empty

    def root(k: str) -> str:
        seen = set()
        while k in into and k not in seen:
            seen.add(k)
            k = into[k][0]
        return k

    mapping = {k: root(k) for k in into}
    involved = out["key"].isin(list(mapping) + list(set(mapping.values()))).to_numpy() & named
    names = out["supplier"][involved].groupby(out["key"][involved], sort=False).first()
    merges = pd.DataFrame(
        [
            {"key": k, "into": v, "score": into[k][1], "names": (names[k], names[v])}
            for k, v in sorted(mapping.items())
        ]
    )
    hit = out["key"].isin(list(mapping))
    out.loc[hit, "key"] = out.loc[hit, "key"].map(mapping)
    return merges
