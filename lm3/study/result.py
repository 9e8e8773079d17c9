"""The result of an LM3 calculation: the rounds, the trace behind them, assumptions and warnings."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.geo import Area
from lm3.place.sources import by_source, not_placed_by_reason, reason_records, source_records
from lm3.rounds.coverage import Bounds
from lm3.rounds.method import Assumption, Responses
from lm3.rounds.uncertainty import Interval
from lm3.study.rule import SHARE_KIND, Rule
from lm3.study.scenarios import Scenarios, scenarios
from lm3.study.scope import Excluded
from lm3.study.tables import repr_html
from lm3.values.jsontext import jsonable
from lm3.values.money import format_gbp, pence_to_decimal

SUPPLIER_TRACE_COLUMNS = [
    "supplier",
    "payments",
    "round1",
    "register_row",
    "sites",
    "postcode",
    "lad",
    "lad_name",
    "head_office_postcode",
    "head_office_lad_name",
    "location",
    "local",
    "type",
    "reason",
    "source",
    "match",
    "unplaced",
    "round2",
    "share",
    "share_source",
    "round3",
    "not_placed",
    "leakage_round2",
    "leakage_round3",
    "non_local_respend",
]
STAFF_TRACE_COLUMNS = [
    "home",
    "employees",
    "round1",
    "round2",
    "respondents",
    "share",
    "share_source",
    "round3",
    "not_placed",
    "leakage_round2",
    "leakage_round3",
]


_GROUP_WORD = {"local suppliers": "supplier", "local staff": "staff"}
PLACED_FOR_A_FIGURE = 0.5  # below this share of round 1's spend placed, the range leads, not one figure
STANDINGS = ("figure", "range", "none")
# the one next step, when the figure is not one figure: say where the suppliers are
NEXT_STEP = (
    "Next: say where the suppliers are: a supplier register with their postcodes, the list of suppliers to "
    "place filled in, or an open register added to the register store."
)


_CANNOT = {
    "group-round2-negative": "a group's round 2 is negative",
    "lm3-out-of-range": "LM3 lies outside 1 to 3",
    "pay-negative": "pay is negative",
    "round2-exceeds-round1": "round 2 exceeds round 1",
    "round3-exceeds-round2": "round 3 exceeds round 2",
    "survey-answer-names-nobody": "a survey answer names nobody in the study",
}


def _percent(share: float) -> str:
    """A share as people read it, never rounded up to 100% or down to 0% when it is not."""
    text = f"{share:.0%}"
    if 0 < share < 1 and text in ("0%", "100%"):
        return (
            f"{math.floor(share * 1000) / 10:.1f}%" if share > 0.5 else f"{math.ceil(share * 1000) / 10:.1f}%"
        )
    return text


def _json_value(value: Any, *, money: bool) -> Any:
    """A table cell as JSON: missing -> null, pence -> pounds, numpy scalars -> Python numbers."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if money:
        return pence_to_decimal(int(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class NonLocalRespend:
    """What non-local suppliers re-spend in the area: their round-1 £ (pence), the £ re-spent locally
    (pence, summed per supplier), the survey's coverage of them, the mean share applied, and the default's
    source when no non-local supplier answered."""

    round1: int
    amount: int
    responses: Responses
    share_source: str
    mean_share: float | None

    @property
    def per_pound(self) -> float | None:
        """Pence re-spent locally per £1 paid to a non-local supplier (Northumberland 2005: 36p)."""
        return self.amount / self.round1 if self.round1 else None


@dataclass(frozen=True, eq=False)
class ResultDetail:
    """What scenarios need beyond the published tables, kept off every output: the supplier trace with
    its keys, spend per supplier and category (key, category, round1; pence), each round-3 group's
    members with their Responses, and the ``min_category`` used."""

    trace: pd.DataFrame
    categories: pd.DataFrame
    groups: tuple[tuple[pd.DataFrame, Responses], ...]
    min_category: int


@dataclass(frozen=True, eq=False)
class LM3Result:
    """An LM3 figure with everything needed to trace it.

    Money is integer pence. ``suppliers`` has one row per supplier (columns ``SUPPLIER_TRACE_COLUMNS``):
    the £ in each round, the register row that placed it (and how many sites the register gives it),
    whether it is local and why, where its place came from (``source``: your register, the spend file, a
    register of the store, lm3's public bodies; ``match``: how) or why it has none (``unplaced``: a code of
    ``lm3.place.cascade.UNPLACED``), the share used and where it came from, and what
    leaks in round 2 (R1 - R2) and round 3 (R2 - R3). ``staff`` is the payroll in aggregate by where staff
    live (no employee identifiers). ``lm3`` = (R1 + R2 + R3) / R1.
    """

    area: Area
    name: str | None
    round1: int
    round2: int
    round3: int
    spend: int
    income_given: bool
    suppliers: pd.DataFrame
    staff: pd.DataFrame
    assumptions: tuple[Assumption, ...]
    warnings: tuple[str, ...]
    interval: Interval | None = None
    responses: tuple[Responses, ...] = ()
    non_local: NonLocalRespend | None = None
    detail: ResultDetail | None = field(default=None, repr=False)
    sensitivity: pd.DataFrame | None = None
    """How LM3 moves as each assumption moves over a stated range (``lm3.rounds.sensitivity``): assumption,
    low, high, lm3_low, lm3_high, swing, range; largest swing first (a tornado chart's bars)."""
    excluded: tuple[Excluded, ...] = ()
    implausible: tuple[str, ...] = ()
    """What makes the figure impossible as it stands (each a Notice with its code): named in the headline."""
    """What each ``exclude`` rule left out of the study (``lm3.study.scope``)."""
    bounds: Bounds | None = None
    tiers: pd.DataFrame | None = None  # spend by tier (name, area, amount, share), when tiers were named
    rule: Rule | None = None
    """The declared rule the figure was worked out by (``lm3.study.rule``): area, location rule, scope, base,
    pay basis and where round 3 came from; two figures compare only when their rules agree."""
    """LM3 with the spend not placed not local (as calculated), local like the placed spend, and all local
    (``lm3.rounds.coverage``)."""

    # -- coverage: how much of the spend was placed -----------------------------------------------------------

    @property
    def payments(self) -> int:
        """Round-1 payments to suppliers (pence)."""
        return int(self.suppliers["round1"].sum())

    @property
    def placed(self) -> int:
        """Payments to suppliers placed in or out of the area (pence): their location is known."""
        return int(self.suppliers.loc[self.suppliers["location"] != "unknown", "round1"].sum())

    @property
    def unplaced(self) -> int:
        """Payments to suppliers whose location is unknown (pence): neither local nor leaving."""
        return self.payments - self.placed

    @property
    def not_placed(self) -> int:
        """All round-1 money of unknown location (pence): supplier payments and the pay of staff whose home
        is unknown. It is its own line: never local, never leakage."""
        return int(self.suppliers["not_placed"].sum()) + int(self.staff["not_placed"].sum())

    @property
    def coverage(self) -> float | None:
        """Placed payments / round-1 payments (as ``lm3.locate`` reports it); None with no payments."""
        return self.placed / self.payments if self.payments else None

    @property
    def placed_suppliers(self) -> int:
        return int((self.suppliers["location"] != "unknown").sum())

    @property
    def unplaced_suppliers(self) -> int:
        return int((self.suppliers["location"] == "unknown").sum())

    @property
    def local_share(self) -> float | None:
        """Local payments / placed payments: the share of placed supplier spend that is local (the one
        meaning of "local share" everywhere in lm3)."""
        local = int(self.suppliers.loc[self.suppliers["local"], "round1"].sum())
        return local / self.placed if self.placed else None

    def by_source(self) -> pd.DataFrame:
        """Suppliers and spend placed by each source (your register, the spend file, the register store,
        lm3's public bodies), and the spend not placed: source, suppliers, amount (pence), share."""
        return by_source(self.suppliers)

    def not_placed_by_reason(self) -> pd.DataFrame:
        """The spend not placed, by why: unplaced (the code), why, suppliers, amount (pence), share."""
        return not_placed_by_reason(self.suppliers)

    @property
    def share_kind(self) -> str:
        """What the local share is a share of ("of placed payments", "of placed procurement payments", "of
        the top 300 suppliers' placed procurement payments"): the rule's."""
        return self.rule.share_kind if self.rule is not None else SHARE_KIND

    def coverage_text(self) -> str | None:
        """The coverage as people read it: "Placed: £X of £Y paid to suppliers (24.4%), 85 of 920
        suppliers; local share 21.9% of placed payments." (None with no payments)."""
        if self.coverage is None:
            return None
        share = (
            f"; local share {self.local_share:.1%} {self.share_kind}"
            if self.local_share is not None
            else "; none of it placed"
        )
        return (
            f"Placed: {format_gbp(self.placed)} of {format_gbp(self.payments)} paid to suppliers "
            f"({self.coverage:.1%}), {self.placed_suppliers} of {len(self.suppliers)} suppliers{share}."
        )

    @property
    def leakage(self) -> dict[str, int]:
        """Money leaving the area (pence): in round 2 (round 1 that is neither round 2 nor not placed) and in
        round 3 (round 2 not re-spent locally); and, beside them, the round-1 money not placed."""
        return {
            "round2": self.round1 - self.round2 - self.not_placed,
            "round3": self.round2 - self.round3,
            "not_placed": self.not_placed,
        }

    @property
    def has_payroll(self) -> bool:
        return len(self.staff) > 0

    @property
    def resampled(self) -> bool:
        """Whether any survey answers were resampled: without them there is no interval."""
        return any(r.respondents for r in self.responses)

    @property
    def lm3_with_non_local(self) -> float | None:
        """(R1 + R2 + R3 + non-local suppliers' local re-spend) / R1, when that re-spend was counted."""
        if self.non_local is None:
            return None
        return (self.round1 + self.round2 + self.round3 + self.non_local.amount) / self.round1

    def value_of_a_pound(self) -> dict[str, float | None]:
        """LM3 Online's framing: what £1 paid to a local supplier is worth to the area (the £1 plus what
        local suppliers re-spend locally per £1, R3 / R2 of suppliers), and what £1 paid to a non-local
        one brings back (its local re-spend per £1; None unless counted). Northumberland 2005: £1.76, 36p."""
        s = self.suppliers
        local = s[s["local"]]
        r2 = int(local["round2"].sum())
        return {
            "local_supplier": 1 + int(local["round3"].sum()) / r2 if r2 else None,
            "non_local_supplier": self.non_local.per_pound if self.non_local is not None else None,
        }

    @property
    def lm3(self) -> float:
        """(R1 + R2 + R3) / R1."""
        return (self.round1 + self.round2 + self.round3) / self.round1

    @property
    def placed_share(self) -> float | None:
        """Round 1's spend (payments and pay) whose place is known, as a share of it; None with no spend."""
        return (self.spend - self.not_placed) / self.spend if self.spend > 0 else None

    @property
    def standing(self) -> str:
        """How far the figure stands: "none" when nothing was placed (no LM3 figure: nothing says how much
        stays), "range" when under half of round 1's spend was placed (``PLACED_FOR_A_FIGURE``: the bounds
        lead, from none of the rest local to all of it), else "figure"."""
        share = self.placed_share
        if share is None:
            return "figure"
        if share <= 0:
            return "none"
        return "range" if share < PLACED_FOR_A_FIGURE and self.bounds is not None else "figure"

    @property
    def figure(self) -> float | None:
        """LM3 as the figure to quote: None when nothing was placed (``standing`` "none")."""
        return None if self.standing == "none" else self.lm3

    @property
    def figure_range(self) -> tuple[float, float] | None:
        """(low, high) when the range leads (``standing`` "range"): LM3 with none of the spend not placed
        local, and with all of it local."""
        if self.standing != "range" or self.bounds is None:
            return None
        return (self.bounds.not_local, self.bounds.all_local)

    @property
    def next_step(self) -> str | None:
        """What would make the figure stand, when it does not (``NEXT_STEP``): place the suppliers."""
        return NEXT_STEP if self.standing != "figure" else None

    def _start(self) -> str:
        if self.income_given:
            return f"Every £1 of {self.name}'s income" if self.name else "Every £1 of income"
        return f"Every £1 spent by {self.name}" if self.name else "Every £1 spent"

    @property
    def headline(self) -> str:
        """'Every £1 ... creates £X.XX for <area> (90% interval £a-£b, n supplier and m staff responses).'
        When not every supplier was placed, the share placed and the bounds follow; a group on a default
        share, with no survey, is named. Under half placed, the range leads: 'Every £1 ... creates between
        £a and £b for <area>: only n% of its spend could be placed (...)'. Nothing placed: no figure at all,
        what was read and the next step."""
        if self.standing == "none":
            return self._nothing_placed()
        start = self._start()
        notes = []
        answered = [
            f"{r.respondents} {_GROUP_WORD.get(r.group, r.group)}" for r in self.responses if r.members
        ]
        if self.interval is not None:
            i = self.interval
            # as issue 5 asks: "(90% interval £2.4x-£2.6x, 18 supplier and 31 staff responses)"
            notes.append(
                f"{i.level:.0%} interval £{i.low:.2f}-£{i.high:.2f}"
                + (f", {' and '.join(answered)} responses" if answered else "")
            )
        coverage = self.coverage
        ranged = self.figure_range
        if ranged is None and coverage is not None and self.unplaced and self.bounds is not None:
            b = self.bounds
            like = f"£{b.like_placed:.2f} if the rest is local like it, " if b.like_placed is not None else ""
            notes.append(
                f"only {_percent(coverage)} of supplier spend placed: {like}£{b.all_local:.2f} if all of it is"
            )
        defaults = [r.group for r in self.responses if r.default is not None]
        if defaults:
            notes.append(f"round 3 for {' and '.join(defaults)} on a published default share, not a survey")
        detail = f" ({'; '.join(notes)})" if notes else ""
        caveat = ""
        if self.implausible:
            codes = {getattr(n, "code", "") for n in self.implausible}
            caveat = (
                f" This cannot be true as it stands: {_CANNOT.get(next(iter(sorted(codes))), 'see the warnings')}"
                + (f" and {len(codes) - 1} more" if len(codes) > 1 else "")
                + "; see the warnings."
            )
        if ranged is not None and self.bounds is not None and self.placed_share is not None:
            b = self.bounds
            like = (
                f", £{b.like_placed:.2f} if it is local like the placed spend"
                if b.like_placed is not None
                else ""
            )
            rest = f"{'; '.join(notes)}; " if notes else ""
            return (
                f"{start} creates between £{ranged[0]:.2f} and £{ranged[1]:.2f} for {self.area.name}: only "
                f"{_percent(self.placed_share)} of its spend could be placed (£{ranged[0]:.2f} if none of the rest "
                f"is local{like}, £{ranged[1]:.2f} if all of it is; {rest}".rstrip("; ")
                + f").{caveat}"
            )
        return f"{start} creates £{self.lm3:.2f} for {self.area.name}{detail}.{caveat}"

    def _nothing_placed(self) -> str:
        suppliers = len(self.suppliers)
        staff = " and no member of staff's home" if self.has_payroll else ""
        return (
            f"No LM3 figure for {self.area.name}: none of the {format_gbp(self.payments)} paid to {suppliers} "
            f"supplier{'s' if suppliers != 1 else ''}{staff} could be placed, so nothing yet says how much of it "
            f"stays in {self.area.name}. {NEXT_STEP}"
        )

    def scenarios(self, shifts: Any, *, to: str | None = None) -> Scenarios:
        """What if spend moved to local suppliers: this result, then each shift ("category=Facilities,
        share=10%", or a ``lm3.Shift``); see ``lm3.study.scenarios``."""
        return scenarios(self, shifts, to=to)

    def responses_table(self) -> pd.DataFrame:
        """Survey coverage per group: respondents, members, rate, round-2 £ covered (pence) and its share,
        how non-respondents were filled, and the default share used (if any)."""
        return pd.DataFrame(
            [
                {
                    "group": r.group,
                    "respondents": r.respondents,
                    "members": r.members,
                    "rate": r.rate,
                    "round2": r.round2,
                    "round2_covered": r.round2_covered,
                    "round2_rate": r.round2_rate,
                    "imputation": r.imputation,
                    "default": r.default.text if r.default else None,
                }
                for r in self.responses
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data, money as exact Decimal pounds (``lm3.to_json`` writes it as text with two
        decimals: docs/json.md)."""

        def pounds(pence: int) -> Decimal:
            return pence_to_decimal(pence)

        def records(frame: pd.DataFrame, money: list[str]) -> list[dict[str, Any]]:
            return [
                {str(k): _json_value(v, money=k in money) for k, v in row.items()}
                for row in frame.to_dict(orient="records")
            ]

        return cast(
            "dict[str, Any]",
            jsonable(
                {
                    "name": self.name,
                    "area": self.area.name,
                    "area_codes": list(self.area.codes),
                    "rule": self.rule.to_dict() if self.rule is not None else None,
                    "round1": pounds(self.round1),
                    "round2": pounds(self.round2),
                    "round3": pounds(self.round3),
                    "lm3": self.figure,
                    "lm3_as_calculated": self.lm3,
                    "standing": self.standing,
                    "placed_share": self.placed_share,
                    "range": None
                    if self.figure_range is None
                    else dict(zip(("low", "high"), self.figure_range, strict=True)),
                    "next_step": self.next_step,
                    "headline": self.headline,
                    "spend": pounds(self.spend),
                    "leakage": {key: pounds(value) for key, value in self.leakage.items()},
                    "payments": pounds(self.payments),
                    "placed": pounds(self.placed),
                    "unplaced": pounds(self.unplaced),
                    "coverage": self.coverage,
                    "local_share_kind": self.share_kind,
                    "placed_suppliers": self.placed_suppliers,
                    "placed_by_source": source_records(self.by_source()),
                    "not_placed_by_reason": reason_records(self.not_placed_by_reason()),
                    "unplaced_suppliers": self.unplaced_suppliers,
                    "local_share": self.local_share,
                    "excluded": [
                        {"rule": e.rule, "rows": e.rows, "suppliers": e.suppliers, "amount": pounds(e.amount)}
                        for e in self.excluded
                    ],
                    "bounds": None
                    if self.bounds is None
                    else {
                        "not_local": self.bounds.not_local,
                        "like_placed": self.bounds.like_placed,
                        "all_local": self.bounds.all_local,
                        "not_placed": pounds(self.bounds.not_placed),
                    },
                    "suppliers": records(
                        self.suppliers,
                        [
                            "round1",
                            "round2",
                            "round3",
                            "not_placed",
                            "leakage_round2",
                            "leakage_round3",
                            "non_local_respend",
                        ],
                    ),
                    "value_of_a_pound": self.value_of_a_pound(),
                    "non_local_respend": None
                    if self.non_local is None
                    else {
                        "round1": pounds(self.non_local.round1),
                        "amount": pounds(self.non_local.amount),
                        "per_pound": self.non_local.per_pound,
                        "respondents": self.non_local.responses.respondents,
                        "group_size": self.non_local.responses.members,
                        "default_share": float(self.non_local.responses.default.share)
                        if self.non_local.responses.default
                        else None,
                        "lm3_with_it": self.lm3_with_non_local,
                    },
                    "staff": records(
                        self.staff,
                        ["round1", "round2", "round3", "not_placed", "leakage_round2", "leakage_round3"],
                    ),
                    "interval": None
                    if self.interval is None
                    else {
                        "level": self.interval.level,
                        "low": self.interval.low,
                        "high": self.interval.high,
                        "round3_low": pounds(self.interval.round3_low),
                        "round3_high": pounds(self.interval.round3_high),
                        "draws": self.interval.draws,
                        "seed": self.interval.seed,
                    },
                    "responses": {
                        r.group: {
                            "respondents": r.respondents,
                            "group_size": r.members,
                            "round2_covered": r.round2_rate,
                            "default_share": float(r.default.share) if r.default else None,
                        }
                        for r in self.responses
                    },
                    "sensitivity": [] if self.sensitivity is None else records(self.sensitivity, []),
                    "assumptions": [
                        {"name": a.name, "value": a.value, "source": a.source, "param": a.param}
                        for a in self.assumptions
                    ],
                    "warnings": list(self.warnings),
                }
            ),
        )

    def summary(self) -> pd.DataFrame:
        """The rounds as a table: round, what it is, £ (pence), and per £1 of round 1. Round-1 money whose
        location is unknown is its own line, "Not placed", under round 2: neither local nor leaving."""
        staff = self.has_payroll
        rows = [
            (
                "Round 1",
                "income"
                if self.income_given
                else ("spend: payments and payroll" if staff else "spend: payments"),
                self.round1,
            ),
            (
                "Round 2",
                "to local suppliers and staff living locally" if staff else "to local suppliers",
                self.round2,
            ),
        ]
        if self.not_placed:
            rows.append(("Not placed", "location unknown: neither local nor leaving", self.not_placed))
        rows.append(("Round 3", "re-spent locally by them", self.round3))
        table = pd.DataFrame(rows, columns=["round", "what", "amount"])
        table["per_pound"] = table["amount"] / self.round1
        return table

    def _repr_html_(self) -> str:
        """In Jupyter: the headline, the rounds, survey coverage and assumptions as tables (escaped)."""
        return repr_html(self)

    def __repr__(self) -> str:
        return (
            f"<LM3Result {self.area.name}: LM3 {self.lm3:.2f}, R1 {format_gbp(self.round1)}, "
            f"R2 {format_gbp(self.round2)}, R3 {format_gbp(self.round3)}>"
        )
