"""The LM3 method (NEF, "The Money Trail", Sacks 2002), as pure functions over canonical tables.

    LM3 = (R1 + R2 + R3) / R1

- R1, round 1: the starting sum: the payments ledger plus gross payroll, or the income given.
- R2, round 2: payments to local suppliers plus pay of staff who live in the area.
- R3, round 3: each local supplier's R2 money times the share of its spending that is local, plus each
  local employee's R2 pay times the share of their pay they spend locally. A respondent's own survey answer
  is used; a non-respondent gets the simple mean of the respondents in its group (NEF survey-averaging
  sheet, pluggingtheleaks.org).

Money is integer pence throughout; each R3 line is rounded to the penny (halves away from zero) and R3 is
the sum of its lines, so every total reconciles to the penny with the trace that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from lm3._errors import MethodError
from lm3._money import format_gbp, round_pence
from lm3._places import Area, PostcodeDirectory

SUPPLIER_LOCATIONS = ("local", "local branch", "non-local", "unknown")


@dataclass(frozen=True)
class Assumption:
    """A choice the figure rests on: what it is, the value taken, and where that comes from."""

    name: str
    value: str
    source: str


def spend_by_supplier(payments: pd.DataFrame) -> pd.DataFrame:
    """Round-1 money per supplier: payments (credit notes net off) summed by normalised name.

    Returns one row per supplier key: ``key``, ``supplier`` (the spelling used most often), ``payments``
    (number of rows) and ``round1`` (pence).
    """
    grouped = payments.groupby("key", sort=False)
    names = payments.groupby(["key", "supplier"], sort=False).size().rename("n").reset_index()
    names = names.sort_values("n", ascending=False, kind="stable").drop_duplicates("key")
    out = pd.DataFrame({"payments": grouped.size(), "round1": grouped["amount"].sum()}).reset_index()
    out = out.merge(names[["key", "supplier"]], on="key", how="left")
    return out[["key", "supplier", "payments", "round1"]].sort_values(
        "round1", ascending=False, kind="stable", ignore_index=True
    )


def locate_suppliers(
    spend: pd.DataFrame,
    register: pd.DataFrame,
    *,
    area: Area,
    branch_is_local: bool,
    directory: PostcodeDirectory,
) -> pd.DataFrame:
    """Place each supplier and decide whether its round-1 money is round-2 (local) money.

    A supplier is "local" when its register postcode is in the area; a "local branch" when it is in the
    area but its head office postcode is outside (local when ``branch_is_local``: CLES counts a supplier
    "based in, or with a branch in" the area); "non-local" when placed outside; "unknown" when it is not in
    the register or its postcode cannot be placed (never assumed local). Suppliers found in the register
    are named as the register names them. Adds ``register_row``, ``postcode``,
    ``lad``, ``lad_name``, ``head_office_postcode``, ``head_office_lad_name``, ``location``, ``local``,
    ``reason`` and ``round2``.
    """
    reg = register[["key", "supplier", "row", "postcode", "head_office_postcode"]].rename(
        columns={"row": "register_row", "supplier": "register_name"}
    )
    trace = spend.merge(reg, on="key", how="left")
    registered = trace["register_row"].notna()
    trace["supplier"] = trace["register_name"].where(registered, trace["supplier"])
    here = directory.place(trace["postcode"])
    office = directory.place(trace["head_office_postcode"])
    in_area = here["lad"].isin(area.codes)
    office_outside = (office["status"] == "placed") & ~office["lad"].isin(area.codes)
    placed = registered & (here["status"] == "placed")

    location = np.select(
        [~placed, in_area & office_outside, in_area],
        ["unknown", "local branch", "local"],
        default="non-local",
    )
    local = (location == "local") | ((location == "local branch") & branch_is_local)
    row_text = " (register row " + trace["register_row"].astype("Int64").astype("str") + ")"
    pc = "postcode " + here["postcode"].fillna("")
    place_text = pc + " is in " + here["lad_name"].fillna("")
    branch_text = (
        place_text
        + "; head office "
        + office["postcode"].fillna("")
        + " is in "
        + office["lad_name"].fillna("")
        + (
            ": a local branch, counted as local"
            if branch_is_local
            else ": a local branch, not counted as local (branch_is_local is off)"
        )
    )
    reason = np.select(
        [
            ~registered,
            here["status"] == "missing",
            here["status"] == "invalid",
            here["status"] == "not found",
            here["status"] == "no place",
            location == "local branch",
        ],
        [
            "not in the supplier register: location unknown",
            "no postcode in the supplier register" + row_text + ": location unknown",
            "'" + here["postcode"] + "'" + row_text + " is not a UK postcode: location unknown",
            pc + row_text + " is not in the ONS Postcode Directory: location unknown",
            pc + row_text + " has no local authority in the ONS Postcode Directory: location unknown",
            branch_text,
        ],
        default=place_text,
    )
    trace["postcode"] = here["postcode"].where(registered, None)
    trace["lad"] = here["lad"]
    trace["lad_name"] = here["lad_name"]
    trace["head_office_postcode"] = office["postcode"].where(office["status"] != "missing", None)
    trace["head_office_lad_name"] = office["lad_name"]
    trace["location"] = location
    trace["local"] = local
    trace["reason"] = reason
    trace["round2"] = trace["round1"].where(local, 0).astype("int64")
    trace["register_row"] = trace["register_row"].astype("Int64")
    return trace.drop(columns="register_name")


def locate_staff(
    payroll: pd.DataFrame, *, area: Area, pay_basis: str, directory: PostcodeDirectory
) -> pd.DataFrame:
    """Place each employee's home postcode and decide their round-2 pay.

    One row per employee and home postcode (payroll rows add up). ``round1`` is gross pay (what the
    organisation spent); ``round2`` is pay on ``pay_basis`` ("gross" or "net") for staff living in the area,
    else 0. ``home`` is "in the area", "outside the area" or "unknown" (postcode missing or not placed).
    """
    pay = payroll.assign(place_key=payroll["postcode"].str.upper().str.replace(r"[^A-Z0-9]", "", regex=True))
    grouped = pay.groupby(["employee", "place_key"], sort=False)
    staff = grouped.agg(
        postcode=("postcode", "first"),
        rows=("row", lambda r: list(r)),
        round1=("gross", "sum"),
        net=("net", lambda s: s.sum(min_count=1)),
    ).reset_index()
    placed = directory.place(staff["postcode"])
    staff["status"] = placed["status"]
    staff["lad"] = placed["lad"]
    staff["home"] = np.select(
        [placed["status"] != "placed", placed["lad"].isin(area.codes)],
        ["unknown", "in the area"],
        default="outside the area",
    )
    basis = staff["round1"] if pay_basis == "gross" else staff["net"].astype("int64")
    staff["round2"] = basis.where(staff["home"] == "in the area", 0).astype("int64")
    return staff.drop(columns="place_key")


def apply_shares(
    members: pd.DataFrame, answers: pd.DataFrame, *, group: str, survey: str, missing_hint: str
) -> tuple[pd.DataFrame, int, Fraction | None]:
    """Round 3 for one group (local suppliers, or local staff): each member's round-2 money times its share.

    A member with a survey answer uses it; the others get the simple mean of the group's respondents:
    mean = (s_1 + ... + s_n) / n (NEF survey-averaging sheet). ``members`` has ``key`` and ``round2``;
    ``answers`` has ``key`` and ``share`` (exact Fractions). Returns the members with ``share`` (Fraction),
    ``share_source`` and ``round3`` (pence, rounded per line), the number of respondents and the mean.
    Raises MethodError when the group has members but no respondents, naming ``survey`` (the file, or
    a description when none was given) and ending with ``missing_hint``.
    """
    members = members.copy()
    lookup = dict(zip(answers["key"], answers["share"], strict=True))
    own = members["key"].map(lookup)
    respondents = members.loc[own.notna(), "key"].unique()
    n = len(respondents)
    if len(members) and n == 0:
        total = format_gbp(int(members["round2"].sum()))
        raise MethodError(
            f"No {group} answered {survey}, so round 3 cannot be estimated for them "
            f"({members['key'].nunique()} {group}, {total} of round 2). {missing_hint}"
        )
    shares = {k: lookup[k] for k in respondents}
    mean = sum(shares.values(), Fraction(0)) / n if n else None
    members["share"] = own.where(own.notna(), mean)
    members["share_source"] = np.where(
        own.notna(), "survey", f"mean of {n} respondent{'s' if n != 1 else ''} among {group}"
    )
    members["round3"] = [
        round_pence(Fraction(int(r2)) * share)
        for r2, share in zip(members["round2"], members["share"], strict=True)
    ]
    members["round3"] = members["round3"].astype("int64")
    return members, n, mean
