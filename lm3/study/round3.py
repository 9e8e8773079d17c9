"""Rounds 2 and 3 of a study from what placing gave: each supplier's and employee's local re-spend
(their survey answer, else their group's, else a published default), the survey groups, the totals, and
what looks implausible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from lm3.errors import MethodError, Notice
from lm3.geo import Area, PostcodeDirectory, Tier
from lm3.inputs.store import RegisterStore
from lm3.place.locations import locate_staff, staff_estimated_warnings
from lm3.read.table import Table
from lm3.rounds.coverage import NotPlaced
from lm3.rounds.method import (
    DefaultShare,
    Responses,
    apply_shares,
)
from lm3.study.placing import Placed
from lm3.study.result import (
    STAFF_TRACE_COLUMNS,
    NonLocalRespend,
)
from lm3.study.scope import Scope
from lm3.values.frames import among, row_tuples
from lm3.values.money import format_gbp

SMALL_STAFF_GROUP = 3  # fewer employees than this in a group: its total is near-personal data


UNKNOWN_LISTED = 10  # suppliers of unknown location named in the warning, largest first


@dataclass(frozen=True)
class Study:
    """What a study's options resolve to before anything is read."""

    area: Area
    tiers: tuple[Tier, ...]
    directory: PostcodeDirectory
    store: RegisterStore | None
    income: int | None
    scope: Scope


@dataclass
class RoundsWorked:
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


def rounds_stage(
    study: Study,
    placed: Placed,
    tables: dict[str, Table | None],
    warnings: list[str],
    *,
    fallback: dict[str, Any],
    shares_options: dict[str, Any],
    count_non_local: bool,
    pay_basis: str,
) -> RoundsWorked:
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
    return RoundsWorked(
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
    study: Study,
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


def not_placed_kinds(
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


def spend_by_category(payments: pd.DataFrame, register: pd.DataFrame, trace: pd.DataFrame) -> pd.DataFrame:
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


def staff_table(staff: pd.DataFrame | None) -> pd.DataFrame:
    """Staff in aggregate by where they live: no identifiers, only counts and sums."""
    if staff is None:
        return pd.DataFrame(columns=STAFF_TRACE_COLUMNS)
    homes = set(staff["home"].unique())
    order = [h for h in ("in the area", "outside the area", "unknown") if h in homes]
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
        .reindex(order)
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
                file=payroll.label,
                rows=rows,
                amount=int(unknown["round1"].sum()),
            )
        )
    return warnings
