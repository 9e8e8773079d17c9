"""What a study leaves out: spend a council would not count as procurement (precepts, levies, transfers to
other public bodies, capital spend, chosen expense types), named as rules ``FIELD=VALUE``.

- FIELD is one of ``expense_type``, ``service_area``, ``capital_revenue`` or ``supplier`` (columns of the
  payments, as ``lm3.ingest`` reads them), or ``supplier_type`` (VCSE, SME, large, public body, individual or
  redacted, unknown: as the supplier is typed when placed). Spaces or hyphens may stand for the underscore.
- VALUE is matched whole, ignoring case and runs of spaces; with ``*`` (any text) or ``?`` (one character)
  in it, as a pattern (``supplier=*NHS*``).

``supplier_type=public body`` leaves out transfers to other public bodies. Every rule says what it left out
(payments, suppliers, £), so the scope of a figure is always stated beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lm3.errors import InputError, Notice
from lm3.values.frames import among
from lm3.values.money import format_gbp

PAYMENT_FIELDS = ("expense_type", "service_area", "capital_revenue", "supplier")
SUPPLIER_FIELDS = ("supplier_type",)
FIELDS = (*PAYMENT_FIELDS, *SUPPLIER_FIELDS)


@dataclass(frozen=True)
class Exclusion:
    """One rule: the field, the value or pattern (as given), and whether it is a pattern."""

    field: str
    value: str

    @property
    def text(self) -> str:
        return f"{self.field}={self.value}"

    @property
    def pattern(self) -> bool:
        return any(c in self.value for c in "*?")

    def matches(self, values: pd.Series) -> np.ndarray:
        """Where ``values`` (text) meet the rule: whole and ignoring case, or as a pattern."""
        text = values.astype("object").where(values.notna(), "").astype("str").str.strip()
        text = text.str.replace(r"\s+", " ", regex=True).str.casefold()
        wanted = re.sub(r"\s+", " ", self.value.strip()).casefold()
        if self.pattern:
            regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in wanted)
            return text.str.fullmatch(regex).fillna(False).to_numpy(dtype=bool)
        return (text == wanted).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Excluded:
    """What one rule left out: payments (rows), suppliers and £ (pence)."""

    rule: str
    rows: int
    suppliers: int
    amount: int

    def describe(self) -> str:
        return f"{self.rule}: {self.rows:,} payment(s) to {self.suppliers:,} supplier(s), {format_gbp(self.amount)}"


def parse_exclusions(rules: str | Sequence[str] | None) -> tuple[Exclusion, ...]:
    """Rules ``FIELD=VALUE`` (a string or a list of them); InputError naming the rule and what is allowed."""
    if rules is None:
        return ()
    items = [rules] if isinstance(rules, str) else list(rules)
    out = []
    for item in items:
        if not isinstance(item, str):
            raise InputError(
                f"exclude {item!r}: give each rule as text, FIELD=VALUE, e.g. 'supplier_type=public body'.",
                params=("exclude",),
                code="exclude-not-understood",
            )
        name, sep, value = item.partition("=")
        field = re.sub(r"[\s\-/]+", "_", name.strip().casefold())
        field = {"supplier_name": "supplier", "capital_or_revenue": "capital_revenue"}.get(field, field)
        if not sep or not value.strip() or field not in FIELDS:
            raise InputError(
                f"exclude {item!r} is not FIELD=VALUE with FIELD one of {', '.join(FIELDS)}, e.g. "
                "'supplier_type=public body' or 'expense_type=Precepts'.",
                params=("exclude",),
                code="exclude-not-understood",
            )
        out.append(Exclusion(field, value.strip()))
    return tuple(out)


def exclude_payments(
    payments: pd.DataFrame, rules: Sequence[Exclusion], *, label: str = "the payments"
) -> tuple[pd.DataFrame, list[Excluded]]:
    """The payments without those a payment-level rule names, and what each rule left out (a payment left
    out by an earlier rule is not counted again). InputError when a rule's column is not in the payments."""
    keep = np.ones(len(payments), dtype=bool)
    out = []
    for rule in rules:
        if rule.field not in PAYMENT_FIELDS:
            continue
        if rule.field not in payments or payments[rule.field].isna().all():
            raise InputError(
                f"exclude {rule.text!r}: {label} have no {rule.field.replace('_', ' ')} column. Name it (columns, "
                f"{rule.field}=...), or leave the rule out.",
                params=("exclude", "columns"),
                code="exclude-column-missing",
            )
        hit = rule.matches(payments[rule.field]) & keep
        keep &= ~hit
        out.append(
            Excluded(
                rule.text,
                int(hit.sum()),
                int(payments.loc[hit, "key"].nunique()),
                int(payments.loc[hit, "amount"].sum()),
            )
        )
    return payments[keep], out


def excluded_suppliers(trace: pd.DataFrame, rules: Sequence[Exclusion]) -> tuple[np.ndarray, list[Excluded]]:
    """Which suppliers of a placed trace (one row each: ``type``, ``payments``, ``round1``) a supplier-level
    rule leaves out, and what each rule left out."""
    out_mask = np.zeros(len(trace), dtype=bool)
    out = []
    for rule in rules:
        if rule.field not in SUPPLIER_FIELDS:
            continue
        hit = rule.matches(trace["type"]) & ~out_mask
        out_mask |= hit
        out.append(
            Excluded(
                rule.text,
                int(trace.loc[hit, "payments"].sum()),
                int(hit.sum()),
                int(trace.loc[hit, "round1"].sum()),
            )
        )
    return out_mask, out


def apply_to_placed(
    paid: pd.DataFrame, trace: pd.DataFrame, rules: Sequence[Exclusion], excluded: list[Excluded]
) -> tuple[pd.DataFrame, pd.DataFrame, list[Excluded], list[Notice]]:
    """The supplier-level rules applied to a placed trace and its payments: both without the suppliers they
    leave out, every rule's account (``excluded``, from ``exclude_payments``, then these), and a warning for
    each rule that left nothing out."""
    gone, by_type = excluded_suppliers(trace, rules)
    if gone.any():
        paid = paid[~among(paid["key"], trace.loc[gone, "key"])]
        trace = trace[~gone].reset_index(drop=True)
    every = [*excluded, *by_type]
    notes = [
        Notice(
            "exclude-matched-nothing", f"exclude {e.rule!r} matched no payment: nothing was left out by it."
        )
        for e in every
        if e.rows == 0 and e.suppliers == 0
    ]
    return paid, trace, every, notes
