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
from lm3._places import Area, PostcodeDirectory, postcode_keys

SUPPLIER_LOCATIONS = ("local", "local branch", "non-local", "unknown")


@dataclass(frozen=True)
class Assumption:
    """A choice the figure rests on: what it is, the value taken, and where that comes from."""

    name: str
    value: str
    source: str


def locate_suppliers(
    spend: pd.DataFrame,
    register: pd.DataFrame,
    *,
    area: Area,
    branch_is_local: bool,
    directory: PostcodeDirectory,
) -> pd.DataFrame:
    """Place each supplier and decide whether its round-1 money is round-2 (local) money.

    - "local": a register postcode in the area, and no site or head office outside it;
    - "local branch": a site in the area, and a head office postcode (or another site) outside it: local
      when ``branch_is_local`` (CLES counts a supplier "based in, or with a branch in" the area);
    - "non-local": placed, with no site in the area;
    - "unknown": not in the register, or no postcode of it can be placed (never assumed local).

    A register may list a supplier several times with different postcodes (one per contract or site); the
    row shown is the first site in the area, else the first placed. Suppliers found in the register are
    named as the register names them. Adds ``register_row``, ``sites``, ``postcode``, ``lad``,
    ``lad_name``, ``head_office_postcode``, ``head_office_lad_name``, ``location``, ``local``, ``reason``
    and ``round2``.
    """
    reg = register[["key", "supplier", "row", "postcode", "head_office_postcode"]].reset_index(drop=True)
    here = directory.place(reg["postcode"])
    office = directory.place(reg["head_office_postcode"])
    reg["status"] = here["status"]
    reg["postcode"] = here["postcode"]
    reg["lad"] = here["lad"]
    reg["lad_name"] = here["lad_name"]
    reg["head_office_postcode"] = office["postcode"].where(office["status"] != "missing", None)
    reg["head_office_lad_name"] = office["lad_name"]
    reg["in_area"] = area.contains(here)
    reg["site_outside"] = (here["status"] == "placed") & ~reg["in_area"]
    reg["office_outside"] = (office["status"] == "placed") & ~area.contains(office)
    reg["placed"] = here["status"] == "placed"
    flags = reg.groupby("key").agg(
        sites=("row", "size"),
        any_site_outside=("site_outside", "any"),
        any_office_outside=("office_outside", "any"),
    )
    first = reg.sort_values(["in_area", "placed", "row"], ascending=[False, False, True], kind="stable")
    first = first.drop_duplicates("key").set_index("key").join(flags)

    trace = spend.join(first.drop(columns="supplier").rename(columns={"row": "register_row"}), on="key")
    registered = trace["register_row"].notna()
    trace["supplier"] = trace["key"].map(first["supplier"]).where(registered, trace["supplier"])
    placed = registered & trace["placed"].eq(True)
    in_area = trace["in_area"].eq(True)
    other_site = trace["any_site_outside"].eq(True)
    office_outside = trace["any_office_outside"].eq(True)
    location = np.select(
        [~placed, in_area & (office_outside | other_site), in_area],
        ["unknown", "local branch", "local"],
        default="non-local",
    )
    local = (location == "local") | ((location == "local branch") & branch_is_local)

    row_text = " (register row " + trace["register_row"].astype("Int64").astype("str") + ")"
    pc = "postcode " + trace["postcode"].fillna("")
    place_text = pc + " is in " + trace["lad_name"].fillna("")
    sites = trace["sites"].fillna(1).astype("int64")
    elsewhere = np.where(
        office_outside,
        "; head office "
        + trace["head_office_postcode"].fillna("")
        + " is in "
        + trace["head_office_lad_name"].fillna(""),
        "",
    )
    elsewhere = elsewhere + np.where(
        other_site, "; other sites in the register lie outside the area (" + sites.astype(str) + " rows)", ""
    )
    verdict = (
        ": a local branch, counted as local"
        if branch_is_local
        else ": a local branch, not counted as local (branch_is_local is off)"
    )
    status = trace["status"]
    reason = np.select(
        [
            trace["key"] == "",
            ~registered,
            status == "missing",
            status == "invalid",
            status == "not found",
            status == "no place",
            location == "local branch",
        ],
        [
            "no supplier name in the payments: location unknown",
            "not in the supplier register: location unknown",
            "no postcode in the supplier register" + row_text + ": location unknown",
            "'" + trace["postcode"].fillna("") + "'" + row_text + " is not a UK postcode: location unknown",
            pc + row_text + " is not in the ONS Postcode Directory: location unknown",
            pc + row_text + " has no local authority in the ONS Postcode Directory: location unknown",
            place_text + elsewhere + verdict,
        ],
        default=place_text,
    )
    trace["sites"] = sites.where(registered, 0)
    trace["location"] = location
    trace["local"] = local
    trace["reason"] = reason
    trace["round2"] = trace["round1"].where(local, 0).astype("int64")
    trace["register_row"] = trace["register_row"].astype("Int64")
    keep = ["register_row", "sites", "postcode", "lad", "lad_name", "head_office_postcode"]
    keep += ["head_office_lad_name", "location", "local", "reason", "round2"]
    return trace[[*spend.columns, *keep]]


def locate_staff(
    payroll: pd.DataFrame, *, area: Area, pay_basis: str, directory: PostcodeDirectory
) -> pd.DataFrame:
    """Place each employee's home postcode and decide their round-2 pay.

    One row per employee and home postcode (payroll rows add up). ``round1`` is gross pay (what the
    organisation spent); ``round2`` is pay on ``pay_basis`` ("gross" or "net") for staff living in the area,
    else 0. ``home`` is "in the area", "outside the area" or "unknown" (postcode missing or not placed).
    """
    pay = payroll.assign(place_key=postcode_keys(payroll["postcode"]))
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
        [placed["status"] != "placed", area.contains(placed)],
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
            f"({group}: {members['key'].nunique()}, with {total} of round 2). {missing_hint}"
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
