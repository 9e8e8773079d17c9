"""A spend file's own totals and subtotals: rows labelled Total (or with no supplier) whose amount equals
the payments above them, and totals stated above the header; reported, never counted as payments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lm3.errors import Notice
from lm3.inputs.ingest.result import TotalRow
from lm3.read.cells import is_blank, on_sheet
from lm3.read.header_row import TOTAL_LABEL
from lm3.read.table import Table
from lm3.values.money import exact_sum, format_gbp, parse_money

# Only these labels: suppliers called "Total Produce", "TOTAL HYGIENE LTD" or "Total Parking" are real.
TOTAL_LABELLED = re.compile(
    r"^(?:GRAND |SUB ?|OVERALL |REPORT |PAGE |SHEET |MONTH |PERIOD |YEAR )?TOTALS?"
    r"(?: (?:SPEND|PAYMENTS|EXPENDITURE|AMOUNT|VALUE|PAID|FOR [A-Z0-9 ]+))?$"
)


def total_rows(
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
    codes = sheets if sheets is not None and len(sheets) == n else np.zeros(n, dtype=np.int64)
    order = np.lexsort((rows, codes))
    # each sheet's last usable row, whatever its supplier cell holds ("xx" beside a "Total" in another
    # column): a total when it equals every payment above it (three or more), else the payment it is
    kept = np.flatnonzero(usable[order])
    last = np.zeros(n, dtype=bool)
    if len(kept):
        ends = kept[np.r_[codes[order][kept][1:] != codes[order][kept][:-1], True]]
        last[order[ends]] = True
    last &= ~(labelled | no_supplier)
    candidate = usable & (labelled | no_supplier | last)
    if not candidate.any():
        return mask, found
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
        if last[at]:  # a named row: a total only when it equals every payment above it, three or more
            if whole_n >= 3 and value == whole:
                kind = "total"
            else:
                continue
        elif whole_n >= 1 and value == whole and (labelled[at] or whole_n >= 2):
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


def stated_totals(
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


@dataclass
class FoundTotals:
    """The file's own totals: ``rows`` (a mask of the rows that are totals or subtotals, never payments),
    ``totals`` (each, stated above a header or in the rows), ``file_total`` (the file's own figure, when it
    gives one) and the warnings that say so."""

    rows: np.ndarray
    totals: list[TotalRow] = field(default_factory=list)
    file_total: int | None = None
    warnings: list[str] = field(default_factory=list)

    def add_stated(self, label: str, stated: list[TotalRow]) -> list[str]:
        """Totals stated above a header join those found (first); the warnings for them."""
        warnings: list[str] = []
        for t in stated:
            where = f"{label}{on_sheet(t.sheet)}: row {t.row}, above the header,"
            if t.reconciles:
                warnings.append(
                    Notice(
                        "stated-total-reconciles",
                        f"{where} states the total ({format_gbp(t.value)}): the payments below it add up to it.",
                        file=label,
                        sheet=t.sheet,
                        rows=(t.row,),
                        amount=t.value,
                    )
                )
            else:
                warnings.append(
                    Notice(
                        "total-row-does-not-reconcile",
                        f"{where} states a total of {format_gbp(t.value)}, but the payments below it add up to "
                        f"{format_gbp(t.above)} (difference {format_gbp(t.value - t.above)}): check the file is "
                        "complete.",
                        file=label,
                        sheet=t.sheet,
                        rows=(t.row,),
                        amount=t.value,
                    )
                )
            if not any(x.sheet == t.sheet and x.kind != "subtotal" for x in self.totals):
                self.file_total = t.value + (self.file_total or 0)
        self.totals = stated + self.totals
        return warnings


def find_totals(
    table: Table,
    amount: np.ndarray,
    usable: np.ndarray,
    labelled: np.ndarray,
    no_supplier: np.ndarray,
    sheet_codes: np.ndarray | None,
) -> FoundTotals:
    """The file's own totals and subtotals among its rows, wherever they sit: a row labelled Total, or with
    no supplier, whose amount equals the payments above it in its sheet (or since the last subtotal)."""
    data = table.data
    row_numbers = data["row"].to_numpy()
    mask, found = total_rows(amount, usable, labelled, no_supplier, row_numbers, sheet_codes)
    out = FoundTotals(mask)
    for pos, value, above, kind in found:
        where = f"{table.label}{on_sheet(data['sheet'].iloc[pos])}: row {int(row_numbers[pos])}"
        sheet = data["sheet"].iloc[pos]
        notice = _total_notice(where, value, above, kind)
        out.warnings.append(
            Notice(
                notice.code,
                notice,
                file=table.label,
                sheet=sheet if isinstance(sheet, str) else None,
                rows=(int(row_numbers[pos]),),
                amount=value,
            )
        )
        if kind != "subtotal":
            out.file_total = value + (out.file_total or 0)  # the file's own figure, reconciled or not
        sheet_name = data["sheet"].iloc[pos]
        label = data["supplier"].iloc[pos]
        out.totals.append(
            TotalRow(
                sheet=sheet_name if isinstance(sheet_name, str) else None,
                row=int(row_numbers[pos]),
                label=None if is_blank(label) else str(label).strip(),
                value=value,
                above=above,
                kind=kind,
            )
        )
    return out


def _total_notice(where: str, value: int, above: int, kind: str) -> Notice:
    if kind == "total":
        return Notice(
            "total-row-reconciles",
            f"{where} is the file's own total ({format_gbp(value)}), equal to the payments above it: "
            "not counted as a payment.",
        )
    if kind == "subtotal":
        return Notice(
            "subtotal-row-reconciles",
            f"{where} is a subtotal ({format_gbp(value)}), equal to the payments since the last one: "
            "not counted as a payment.",
        )
    return Notice(
        "total-row-does-not-reconcile",
        f"{where} is the file's own total ({format_gbp(value)}), but the payments above it add up to "
        f"{format_gbp(above)} (difference {format_gbp(value - above)}): check the file is "
        "complete. The total row is not counted as a payment.",
    )
