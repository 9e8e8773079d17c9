"""The five inputs of an LM3 study, read into canonical tables with every bad value collected.

Each reader returns a ``Table`` whose ``data`` has parsed, canonical columns. Rows with values that cannot
be used are collected (not raised one at a time) and raised together as ``RowErrors``; odd-but-usable
input becomes a warning on the table.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from lm3._errors import PROBLEM_COLUMNS, InputError, RowErrors
from lm3._money import format_gbp, parse_money
from lm3._names import id_key, supplier_key
from lm3._places import postcode_keys
from lm3._read import Field, Source, Table, read_table
from lm3._shares import parse_shares

_SUPPLIER = Field(
    "supplier",
    "supplier name",
    (
        "supplier name",
        "supplier",
        "vendor name",
        "vendor",
        "payee name",
        "payee",
        "creditor name",
        "creditor",
        "beneficiary",
        "merchant name",
        "supplier full name",
        "supplier beneficiary name",
        "supplier company name",
        "company name",
        "name",
    ),
)
_SHARE = Field(
    "share",
    "local spend share",
    (
        "local spend share",
        "local share",
        "share local",
        "local spend",
        "share spent locally",
        "local spending share",
        "local spend percent",
        "percent local",
        "percent spent locally",
        "local percent",
        "local percentage",
        "share",
    ),
)
_EMPLOYEE = Field(
    "employee",
    "employee id",
    (
        "employee id",
        "employee number",
        "employee no",
        "employee ref",
        "employee",
        "staff id",
        "staff number",
        "payroll number",
        "payroll id",
        "person id",
        "id",
    ),
)

PAYMENTS_FIELDS = (
    _SUPPLIER,
    Field(
        "amount",
        "amount",
        (
            "amount",
            "net amount",
            "net value",
            "amount paid",
            "payment amount",
            "value",
            "net",
            "total",
            "amount gbp",
            "line amount",
            "expenditure",
            "spend",
            "nett amount",
            "sum of invoice nett amount",
            "invoice nett amount",
            "gross amount",
            "gross",
        ),
    ),
    Field(
        "date",
        "date",
        (
            "date",
            "payment date",
            "date paid",
            "paid date",
            "invoice payment date",
            "transaction date",
            "invoice date",
        ),
        required=False,
    ),
)
REGISTER_FIELDS = (
    _SUPPLIER,
    Field(
        "postcode",
        "postcode",
        (
            "postcode",
            "post code",
            "supplier postcode",
            "supplier post code",
            "postal code",
            "location postcode",
        ),
    ),
    Field(
        "head_office_postcode",
        "head office postcode",
        (
            "head office postcode",
            "head office post code",
            "ho postcode",
            "registered office postcode",
            "registered postcode",
            "parent postcode",
            "head office",
        ),
        required=False,
    ),
)
PAYROLL_FIELDS = (
    _EMPLOYEE,
    Field(
        "postcode",
        "home postcode",
        ("home postcode", "home post code", "postcode", "post code", "employee postcode"),
    ),
    Field(
        "gross",
        "gross pay",
        ("gross pay", "gross", "gross salary", "total gross pay", "gross earnings", "pay", "salary"),
    ),
    Field(
        "net", "net pay", ("net pay", "net", "net salary", "take home pay", "net earnings"), required=False
    ),
)
SUPPLIER_SURVEY_FIELDS = (_SUPPLIER, _SHARE)
STAFF_SURVEY_FIELDS = (_EMPLOYEE, _SHARE)


class _Problems:
    """Collects row problems for one table, to raise together."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.records: list[dict[str, object]] = []

    def add(self, mask: pd.Series | np.ndarray, field: str, problem: str | pd.Series) -> None:
        data = self.table.data
        for idx in data.index[np.asarray(mask, dtype=bool)]:
            value = data.at[idx, field]
            self.records.append(
                {
                    "file": self.table.label,
                    "sheet": self.table.sheet,
                    "row": int(data.at[idx, "row"]),
                    "column": self.table.columns[field],
                    "value": None if value is None or str(value).strip() == "" else str(value),
                    "problem": problem if isinstance(problem, str) else problem[idx],
                }
            )

    def raise_if_any(self) -> None:
        if self.records:
            problems = pd.DataFrame(self.records, columns=PROBLEM_COLUMNS).sort_values("row", kind="stable")
            raise RowErrors(problems)


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("str").str.strip() == "")


def _text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("str").str.replace("\u00a0", " ").str.strip()


TOTAL_LABELS = {"", "TOTAL", "TOTALS", "GRAND TOTAL", "TOTAL SPEND", "TOTAL PAYMENTS"}
NO_NAME = "(no supplier name)"


def read_payments(source: Source, *, sheet: str | None = None) -> Table:
    """Payments ledger: supplier, amount (integer pence; credit notes negative), optional date.

    A last row whose supplier is blank or reads "Total" is the file's own total when it equals the sum of
    the payments above it to the penny: it is reported and not counted. Payments with a blank supplier
    name are kept (as "(no supplier name)", key "") and listed: their place can only be unknown.
    """
    table = read_table(source, PAYMENTS_FIELDS, what="payments", sheet=sheet)
    data = table.data
    problems = _Problems(table)
    amount, bad = parse_money(data["amount"])
    problems.add(bad, "amount", "is not an amount of money (write it like 1250.00 or -1,250.00)")
    problems.add(_blank(data["amount"]), "amount", "amount is blank: give the amount paid, or delete the row")
    out = pd.DataFrame({"row": data["row"], "supplier": _text(data["supplier"])})
    out["key"] = supplier_key(out["supplier"])
    warnings = list(table.warnings)

    last = out.index[-1] if len(out) else None
    if last is not None and out.at[last, "key"] in TOTAL_LABELS and not bad.iloc[-1] and len(out) > 1:
        above = int(amount.iloc[:-1].sum())
        if amount.iloc[-1] == above:
            warnings.append(
                f"{table.label}: row {out.at[last, 'row']} is the file's own total ({format_gbp(above)}), "
                "equal to the payments above it: not counted as a payment."
            )
            out, amount, data = out.iloc[:-1], amount.iloc[:-1], data.iloc[:-1]
        elif out.at[last, "key"]:
            problems.add(
                out.index == last,
                "supplier",
                f"looks like a total row, but {format_gbp(int(amount.iloc[-1]))} is not the sum of the "
                f"payments above it ({format_gbp(above)}): correct or delete it",
            )
    problems.raise_if_any()
    out = out.assign(amount=amount.astype("int64"))
    nameless = out["key"] == ""
    if nameless.any():
        out.loc[nameless, "supplier"] = NO_NAME
        warnings.append(
            f"{table.label}: {int(nameless.sum())} payment(s) with no supplier name (rows "
            f"{_rows(out.loc[nameless, 'row'])}), {format_gbp(int(out.loc[nameless, 'amount'].sum()))}: "
            "counted in round 1, location unknown."
        )
    if "date" in data:
        out["date"] = data["date"].to_numpy()
    return replace(table, data=out.reset_index(drop=True), warnings=tuple(warnings))


def read_register(source: Source, *, sheet: str | None = None) -> Table:
    """Supplier register: supplier name, postcode, optional head office postcode.

    A supplier may have several rows with different postcodes (one per contract or site): all are kept and
    reported; ``lm3._method.locate_suppliers`` decides from all of them. Repeats of the same supplier and
    postcode are dropped, and listed.
    """
    table = read_table(source, REGISTER_FIELDS, what="supplier register", sheet=sheet)
    data = table.data
    problems = _Problems(table)
    problems.add(
        _blank(data["supplier"]), "supplier", "supplier name is blank: name the supplier or delete the row"
    )
    problems.raise_if_any()
    out = pd.DataFrame({"row": data["row"], "supplier": _text(data["supplier"])})
    out["key"] = supplier_key(out["supplier"])
    out["postcode"] = _text(data["postcode"])
    out["head_office_postcode"] = (
        _text(data["head_office_postcode"]) if "head_office_postcode" in data else ""
    )
    warnings = list(table.warnings)
    repeated = pd.DataFrame({"k": out["key"], "p": postcode_keys(out["postcode"])}).duplicated()
    if repeated.any():
        warnings.append(
            f"{table.label}: {int(repeated.sum())} repeated register row(s) for the same supplier and "
            f"postcode (rows {_rows(out.loc[repeated, 'row'])}); the first of each is used."
        )
    out = out[~repeated].reset_index(drop=True)
    sites = out.groupby("key")["row"].transform("size")
    if (sites > 1).any():
        several = out[sites > 1].groupby("key", sort=False)
        listed = "; ".join(f"{g['supplier'].iloc[0]} (rows {_rows(g['row'])})" for _, g in several)
        warnings.append(
            f"{table.label}: {several.ngroups} supplier(s) have several postcodes: {listed}. A supplier with "
            "a site in the area counts as local; with sites in and outside it, as a local branch."
        )
    return replace(table, data=out, warnings=tuple(warnings))


def _rows(rows: pd.Series, limit: int = 12) -> str:
    """Row numbers for a message: "4, 9, 12" (or the first few and how many more)."""
    numbers = [str(r) for r in rows]
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return ", ".join(numbers[:limit]) + more


def read_payroll(source: Source, *, pay_basis: str = "gross", sheet: str | None = None) -> Table:
    """Payroll: employee id, home postcode, gross pay and optional net pay (integer pence).

    Several rows for one employee (monthly payroll) are fine: they add up. Net pay is required when
    ``pay_basis`` is "net".
    """
    table = read_table(source, PAYROLL_FIELDS, what="payroll", sheet=sheet)
    if pay_basis == "net" and table.columns["net"] is None:
        found = ", ".join(c for c in table.columns.values() if c)
        raise InputError(
            f"{table.label}: pay basis 'net' needs a net pay column, and there is none.\n"
            f"  Columns used: {found}\n"
            f"  Add a column headed 'Net pay', or use --pay-basis gross."
        )
    data = table.data
    problems = _Problems(table)
    problems.add(_blank(data["employee"]), "employee", "employee id is blank: give every row an employee id")
    gross, bad_gross = parse_money(data["gross"])
    problems.add(bad_gross, "gross", "is not an amount of money (write it like 24500.00)")
    problems.add(_blank(data["gross"]), "gross", "gross pay is blank: give the pay, or delete the row")
    out = pd.DataFrame({"row": data["row"], "employee": id_key(data["employee"])})
    out["postcode"] = _text(data["postcode"])
    out["gross"] = gross
    if "net" in data:
        net, bad_net = parse_money(data["net"])
        problems.add(bad_net, "net", "is not an amount of money (write it like 19800.00)")
        if pay_basis == "net":
            problems.add(_blank(data["net"]), "net", "net pay is blank, and the pay basis is net: give it")
        out["net"] = net
    else:
        out["net"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    problems.raise_if_any()
    out["gross"] = out["gross"].astype("int64")
    return replace(table, data=out)


def _read_survey(source: Source, fields: tuple[Field, ...], what: str, sheet: str | None) -> Table:
    table = read_table(source, fields, what=what, sheet=sheet)
    data = table.data
    problems = _Problems(table)
    shares, share_problems = parse_shares(data["share"])
    problems.add(share_problems.notna(), "share", share_problems)
    who = fields[0].name
    problems.add(_blank(data[who]), who, f"{fields[0].label} is blank: say who answered, or delete the row")
    out = pd.DataFrame({"row": data["row"]})
    if who == "supplier":
        out["supplier"] = _text(data["supplier"])
        out["key"] = supplier_key(out["supplier"])
    else:
        out["key"] = id_key(data["employee"])
    out["share"] = shares

    answered = out["share"].notna() & (out["key"] != "")
    conflicting = answered & (out["share"].where(answered).groupby(out["key"]).transform("nunique") > 1)
    problems.add(
        conflicting,
        "share",
        f"is one of several different answers from the same {fields[0].label.split()[0]}: keep one answer",
    )
    problems.raise_if_any()
    warnings = list(table.warnings)
    unanswered = ~out["share"].notna() & (out["key"] != "")
    if unanswered.any():
        warnings.append(
            f"{table.label}: {int(unanswered.sum())} row(s) with no share given (rows "
            f"{_rows(out.loc[unanswered, 'row'])}) are treated as not responding."
        )
    kept = answered & ~out["key"].where(answered).duplicated()
    return replace(table, data=out[kept].reset_index(drop=True), warnings=tuple(warnings))


def read_supplier_survey(source: Source, *, sheet: str | None = None) -> Table:
    """Supplier survey: supplier name and the share of its spending that is local (see ``lm3._shares``)."""
    return _read_survey(source, SUPPLIER_SURVEY_FIELDS, "supplier survey", sheet)


def read_staff_survey(source: Source, *, sheet: str | None = None) -> Table:
    """Staff survey: employee id and the share of their pay spent locally (see ``lm3._shares``)."""
    return _read_survey(source, STAFF_SURVEY_FIELDS, "staff survey", sheet)
