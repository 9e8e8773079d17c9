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
    """One rule: the field, the value or pattern (as given), and whether it is a pattern. A scope's own
    rules (``SCOPES``) also carry ``words`` (a regular expression searched for, ignoring case, instead of a
    whole value), ``label`` (how the rule is named) and ``optional`` (a column the payments do not have is
    said, not an error)."""

    field: str
    value: str
    words: str | None = None
    label: str | None = None
    optional: bool = False

    @property
    def text(self) -> str:
        return self.label or f"{self.field}={self.value}"

    @property
    def pattern(self) -> bool:
        return any(c in self.value for c in "*?")

    def matches(self, values: pd.Series) -> np.ndarray:
        """Where ``values`` (text) meet the rule: whole and ignoring case, or as a pattern, or holding the
        rule's words."""
        if self.words is not None:
            found = (
                values.astype("object")
                .where(values.notna(), "")
                .astype("str")
                .str.contains(self.words, case=False, regex=True)
            )
            return found.fillna(False).to_numpy(dtype=bool)
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
) -> tuple[pd.DataFrame, list[Excluded], list[Notice]]:
    """The payments without those a payment-level rule names, what each rule left out (a payment left out
    by an earlier rule is not counted again), and what could not be applied. InputError when a rule's column
    is not in the payments; a scope's own rule (``optional``) reads the service area where there is no
    expense type, and where there is neither, says so."""
    keep = np.ones(len(payments), dtype=bool)
    out = []
    notes: list[Notice] = []
    for rule in rules:
        if rule.field not in PAYMENT_FIELDS:
            continue
        column = _column(payments, rule.field)
        if column is None and rule.optional:
            column = _column(payments, "service_area") if rule.field == "expense_type" else None
            if column is None:
                notes.append(
                    Notice(
                        "scope-column-missing",
                        f"{label} have no expense type or service area column, so {rule.text} could not be "
                        "left out: the figure's scope includes them. Name the column (columns, "
                        "expense_type=...) if the file has one.",
                        file=label,
                    )
                )
                continue
        if column is None:
            raise InputError(
                f"exclude {rule.text!r}: {label} have no {rule.field.replace('_', ' ')} column. Name it (columns, "
                f"{rule.field}=...), or leave the rule out.",
                params=("exclude", "columns"),
                code="exclude-column-missing",
            )
        hit = rule.matches(payments[column]) & keep
        keep &= ~hit
        out.append(
            Excluded(
                rule.text,
                int(hit.sum()),
                int(payments.loc[hit, "key"].nunique()),
                int(payments.loc[hit, "amount"].sum()),
            )
        )
    return payments[keep], out, notes


def _column(payments: pd.DataFrame, name: str) -> str | None:
    return name if name in payments and not payments[name].isna().all() else None


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
    paid: pd.DataFrame,
    trace: pd.DataFrame,
    rules: Sequence[Exclusion],
    excluded: list[Excluded],
    top: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[Excluded], list[Notice]]:
    """The supplier-level rules applied to a placed trace and its payments, then ``top`` (only the ``top``
    suppliers by spend kept): both without the suppliers they leave out, every rule's account
    (``excluded``, from ``exclude_payments``, then these), and a warning for each rule that left nothing
    out."""
    gone, by_type = excluded_suppliers(trace, rules)
    if top is not None:
        # the largest by what is left of their spend; ties by key, so the same suppliers on every run
        order = np.lexsort((trace["key"].astype("str").to_numpy(), -trace["round1"].to_numpy(dtype=np.int64)))
        order = order[~gone[order]]
        beyond = np.zeros(len(trace), dtype=bool)
        beyond[order[top:]] = True
        by_type.append(
            Excluded(
                top_rule(top),
                int(trace.loc[beyond, "payments"].sum()),
                int(beyond.sum()),
                int(trace.loc[beyond, "round1"].sum()),
            )
        )
        gone = gone | beyond
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


def top_rule(top: int) -> str:
    """How keeping the top suppliers is named where it is listed with what it left out."""
    return f"suppliers beyond the top {top:,} by spend"


# Expense words that name money passed on rather than spent on goods and services: levies and precepts
# (to combined authorities, parishes, police and fire), pension contributions, and refunds. Searched for as
# words, ignoring case, in the expense type (the service area where a file has none): "Ctax Preceptr Pymnts",
# "Levies", "Pension Fund Contributions", "Refund of Deposit".
PASSED_ON = r"\b(?:levy|levies|precept\w*|pensions?|superannuation|refunds?)\b"
PROCUREMENT = (
    Exclusion(
        "expense_type",
        "levies, precepts, pensions, refunds",
        words=PASSED_ON,
        label="levies, precepts, pensions and refunds (by expense type)",
        optional=True,
    ),
    Exclusion("supplier_type", "public body", label="payments to public bodies"),
    Exclusion("supplier_type", "individual or redacted", label="individuals and redacted payees"),
)
CLES_TOP = 300  # CLES's spend analysis: the top 300 suppliers by spend (Manchester, 2008 on)
_PROCUREMENT_TEXT = (
    "procurement (no levies, precepts, pensions or refunds; no payments to public bodies, individuals or "
    "redacted payees)"
)
SCOPES = {"all": "all payments", "procurement": _PROCUREMENT_TEXT, "cles": _PROCUREMENT_TEXT}


@dataclass(frozen=True)
class Scope:
    """What a study counts: the ``name`` of its scope (``SCOPES``), every rule that leaves spend out (the
    scope's own, then the user's ``exclude``) and ``top``, the suppliers kept by spend (None: all)."""

    name: str
    rules: tuple[Exclusion, ...]
    top: int | None

    @property
    def base(self) -> str:
        """Which suppliers' payments are counted, in words."""
        return "every supplier" if self.top is None else f"the top {self.top:,} suppliers by spend"

    @property
    def texts(self) -> tuple[str, ...]:
        """The scope as a rule states it: what the scope counts, then each rule of the user's."""
        own = len(PROCUREMENT) if self.name in ("procurement", "cles") else 0
        return (SCOPES[self.name], *(r.text for r in self.rules[own:]))

    @property
    def share_kind(self) -> str:
        """What a local share under this scope is a share of."""
        what = "payments" if self.name == "all" else "procurement payments"
        if self.top is not None:
            return f"of the top {self.top:,} suppliers' placed {what}"
        return f"of placed {what}"


def study_scope(scope: str, exclude: str | Sequence[str] | None, top: int | None) -> Scope:
    """A study's scope from its options: ``scope`` (all, procurement or cles), the user's ``exclude``
    rules and ``top`` (which overrides the top 300 of cles)."""
    own = PROCUREMENT if scope in ("procurement", "cles") else ()
    kept = top if top is not None else (CLES_TOP if scope == "cles" else None)
    return Scope(scope, (*own, *parse_exclusions(exclude)), kept)
