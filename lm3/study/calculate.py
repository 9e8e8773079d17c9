"""From input files to an LM3 result: read, place, apply the method, and say what was assumed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pandas as pd

from lm3.errors import InputError, RowErrors
from lm3.geo import (
    Area,
    PostcodeDirectory,
    Tier,
    area_notes,
    default_directory,
    resolve_area,
    resolve_tiers,
)
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
from lm3.place.matching import DEFAULT_MATCH_THRESHOLD
from lm3.progress import Progress, report
from lm3.read.cells import Source
from lm3.read.table import Table
from lm3.rounds.coverage import bounds
from lm3.rounds.method import (
    MIN_CATEGORY_RESPONDENTS,
    Assumption,
    default_shares,
    published_rates,
)
from lm3.rounds.sensitivity import sensitivity
from lm3.rounds.uncertainty import DEFAULT_DRAWS, DEFAULT_LEVEL, Interval, bootstrap_interval
from lm3.study.assumptions import all_assumptions
from lm3.study.options import StudyOptions
from lm3.study.placing import place
from lm3.study.result import (
    SUPPLIER_TRACE_COLUMNS,
    LM3Result,
    ResultDetail,
)
from lm3.study.round3 import (
    RoundsWorked,
    Study,
    not_placed_kinds,
    rounds_stage,
    spend_by_category,
    staff_table,
)
from lm3.study.rule import Rule, area_codes, location_rule, round3_sources
from lm3.study.scope import study_scope
from lm3.values import params
from lm3.values.money import parse_pounds


def calculate(
    payments: Sources | IngestResult,
    suppliers: Source | Table | Sequence[Source | Table] | None = None,
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
    skip_rejected: bool = False,
    register_columns: Mapping[str, str] | None = None,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    imputation: str = "mean",
    min_category: int = MIN_CATEGORY_RESPONDENTS,
    defaults: Mapping[str, object] | None = None,
    level: float = DEFAULT_LEVEL,
    seed: int | None = None,
    draws: int = DEFAULT_DRAWS,
    count_non_local: bool = False,
    scope: str = "all",
    top: int | None = None,
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
    an expense type; what each left out is in ``result.excluded`` and the assumptions. ``scope``: "all" (every
    payment), "procurement" (no levies, precepts, pensions or refunds by expense type, no payments to public
    bodies, individuals or redacted payees) or "cles" (procurement, the top 300 suppliers by spend);
    ``top``: only the largest N suppliers by spend counted. The result's ``rule`` states all of it.

    ``progress(step, done, 5)`` is called after reading, placing, round 3, the interval and the sensitivity.

    Raises InputError (RowErrors with every bad row of every file at once), AreaError or MethodError.
    """
    StudyOptions.check({k: v for k, v in locals().items() if k != "payments"})
    params.area("area", area)
    params.source(several=True, optional=False)("payments", payments)
    params.callback("progress", progress)
    directory = directory or default_directory()
    area = resolve_area(area, directory)
    study = Study(
        area=area,
        tiers=resolve_tiers(tiers, area, directory) if tiers else (),  # spend by tier only when asked
        directory=directory,
        store=open_store(registers),
        income=_income(income),
        scope=study_scope(scope, exclude, top),
    )
    tables = _read_stage(
        payments,
        suppliers,
        payroll,
        supplier_survey,
        staff_survey,
        columns=columns,
        sheet=sheet,
        skip_rejected=skip_rejected,
        register_columns=register_columns,
        pay_basis=pay_basis,
    )
    warnings: list[str] = [*area_notes(area, study.tiers)]
    warnings += [w for t in tables.values() if t is not None for w in t.warnings]
    report(progress, "read the inputs", 1, 5)
    register = tables["suppliers"] or no_register()
    read = tables["payments"]
    assert read is not None  # the payments are required, and read
    placed = place(
        read.data,
        read.label,
        register,
        study.scope.rules,
        top=study.scope.top,
        area=area,
        tiers=study.tiers,
        branch_is_local=branch_is_local,
        match_threshold=match_threshold,
        directory=directory,
        store=study.store,
    )
    warnings += placed.warnings
    report(progress, "placed suppliers", 2, 5)
    ratio = _net_of_gross(tables["payroll"])
    fallback = default_shares(defaults, pay_basis=pay_basis, net_of_gross=ratio)
    published = published_rates(pay_basis, ratio)
    rounds = rounds_stage(
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
        kinds=not_placed_kinds(rounds.trace, rounds.staff, rounds.groups, fallback),
    )
    moved = sensitivity(
        round1=rounds.round1,
        round2=rounds.round2,
        round3=rounds.round3,
        groups=rounds.groups,
        suppliers=rounds.trace,
        branch_is_local=branch_is_local,
        limits=limits,
        published=published,
    )
    report(progress, "sensitivity", 5, 5)
    assumptions = all_assumptions(
        study,
        rounds,
        placed,
        interval,
        limits,
        pay_basis=pay_basis,
        branch_is_local=branch_is_local,
        min_category=min_category,
    )
    skipped = [w for w in read.warnings if getattr(w, "code", None) == "payment-rows-skipped"]
    if skipped:  # a person chose to go on without rows of unknown amount: said beside the figure
        assumptions.insert(
            3,
            Assumption(
                "payment rows left out",
                "; ".join(str(w) for w in skipped),
                "given by the user: rows whose amount cannot be read are left out (skip_rejected)",
                "skip_rejected",
            ),
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
        staff=staff_table(rounds.staff),
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
        rule=Rule(
            area=area.name,
            area_codes=area_codes(area),
            tiers=tuple(t.name for t in study.tiers),
            location=location_rule(branch_is_local),
            scope=study.scope.texts,
            base=study.scope.base,
            share_kind=study.scope.share_kind,
            pay_basis=pay_basis,
            round3=round3_sources(responses),
        ),
        detail=ResultDetail(
            trace=rounds.trace[["key", "supplier", "location", "local", "round1"]].reset_index(drop=True),
            categories=spend_by_category(rounds.paid, register.data, rounds.trace),
            groups=tuple(rounds.groups),
            min_category=min_category,
        ),
    )


def _read_stage(
    payments: Sources | IngestResult,
    suppliers: Source | Table | Sequence[Source | Table] | None,
    payroll: Source | None,
    supplier_survey: Source | Sequence[Source] | None,
    staff_survey: Source | Sequence[Source] | None,
    *,
    columns: Mapping[str, str] | None,
    sheet: str | None,
    skip_rejected: bool,
    register_columns: Mapping[str, str] | None,
    pay_basis: str,
) -> dict[str, Table | None]:
    """Every input read (every bad row of every file in one RowErrors)."""
    return _read_all(
        {
            "payments": (
                read_payments,
                payments,
                {"columns": columns, "sheet": sheet, "skip_rejected": skip_rejected},
            ),
            "suppliers": (read_registers, suppliers, {"columns": register_columns}),
            "payroll": (read_payroll, payroll, {"pay_basis": pay_basis}),
            "supplier_survey": (read_supplier_survey, supplier_survey, {}),
            "staff_survey": (read_staff_survey, staff_survey, {}),
        }
    )


def _interval_stage(
    rounds: RoundsWorked, *, level: float, seed: int | None, draws: int, min_category: int
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


def _net_of_gross(payroll: Table | None) -> Fraction | None:
    """The payroll's own net pay over its gross (to put a share of net pay on the gross basis); None
    without a payroll with net pay on every row."""
    if payroll is None or "net" not in payroll.data or payroll.data["net"].isna().any():
        return None
    gross = int(payroll.data["gross"].sum())
    net = int(payroll.data["net"].sum())
    return Fraction(net, gross) if gross > 0 and 0 < net <= gross else None


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
