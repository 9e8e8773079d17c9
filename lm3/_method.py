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

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources

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


IMPUTATIONS = ("mean", "weighted")
DEFAULT_KEYS = ("supplier_share", "staff_share", "non_local_supplier_share")
MIN_CATEGORY_RESPONDENTS = 5


@dataclass(frozen=True)
class DefaultShare:
    """A published share used for a group with no respondents: value, where it comes from, and when."""

    name: str
    share: Fraction
    source: str
    date: str

    @property
    def text(self) -> str:
        return f"{float(self.share) * 100:.1f}%"


@dataclass(frozen=True)
class Responses:
    """How well a group's survey covers it: respondents of members, and round-2 £ (pence) covered."""

    group: str
    respondents: int
    members: int
    round2: int
    round2_covered: int
    imputation: str
    default: DefaultShare | None = None

    @property
    def rate(self) -> float | None:
        return self.respondents / self.members if self.members else None

    @property
    def round2_rate(self) -> float | None:
        return self.round2_covered / self.round2 if self.round2 else None


def group_share(shares: np.ndarray, weights: np.ndarray, imputation: str) -> float | Fraction:
    """The share a group's non-respondents take: the simple mean of respondents' shares (NEF), or their
    round-2-weighted mean (sum of r2 x share / sum of r2; the simple mean when all weights are 0).
    Exact (Fraction) for Fraction inputs; floats in, float out (the bootstrap)."""
    if imputation == "weighted" and sum(weights) != 0:
        return sum((w * s for w, s in zip(weights, shares, strict=True)), start=shares[0] * 0) / sum(weights)
    return sum(shares, start=shares[0] * 0) / len(shares)


def apply_shares(
    members: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    group: str,
    survey: str,
    missing_hint: str,
    imputation: str = "mean",
    min_category: int = MIN_CATEGORY_RESPONDENTS,
    default: DefaultShare | None = None,
) -> tuple[pd.DataFrame, Responses]:
    """Round 3 for one group (local suppliers, or local staff): each member's round-2 money times its share.

    A member with a survey answer uses it. The others take the group's share: the simple mean of the
    respondents' shares, (s_1 + ... + s_n) / n (NEF survey-averaging sheet; ``imputation="mean"``), or their
    round-2-weighted mean (``"weighted"``). When ``members`` has a ``category`` column, a category with at
    least ``min_category`` respondents uses its own respondents' share instead. With no respondents at all,
    ``default`` (a published share, listed in the assumptions) is used; without one, MethodError, naming
    ``survey`` and ending with ``missing_hint``.

    ``members`` has ``key`` and ``round2`` (and optionally ``category``); ``answers`` has ``key`` and
    ``share`` (exact Fractions). Returns the members with ``share`` (Fraction), ``share_source``,
    ``responded`` and ``round3`` (pence, rounded per line), and the group's Responses.
    """
    if imputation not in IMPUTATIONS:
        raise MethodError(f"imputation must be one of {', '.join(IMPUTATIONS)}, not {imputation!r}.")
    members = members.copy()
    lookup = dict(zip(answers["key"], answers["share"], strict=True))
    own = members["key"].map(lookup)
    responded = own.notna().to_numpy()
    n = int(members.loc[responded, "key"].nunique())
    responses = Responses(
        group=group,
        respondents=n,
        members=int(members["key"].nunique()),
        round2=int(members["round2"].sum()),
        round2_covered=int(members.loc[responded, "round2"].sum()),
        imputation=imputation,
        default=default if n == 0 and len(members) else None,
    )
    if len(members) and n == 0 and default is None:
        total = format_gbp(int(members["round2"].sum()))
        raise MethodError(
            f"No {group} answered {survey}, so round 3 cannot be estimated for them "
            f"({group}: {members['key'].nunique()}, with {total} of round 2). {missing_hint}"
        )
    members["share"] = own.astype("object")
    members["share_source"] = np.where(responded, "survey", "")
    if n == 0:
        members["share"] = default.share if default is not None else None
        members["share_source"] = (
            f"default {default.text}: {default.source} ({default.date})" if default else ""
        )
    else:
        shares = np.array(own[responded].tolist(), dtype=object)
        weights = members.loc[responded, "round2"].to_numpy()
        mean = group_share(shares, weights, imputation)
        how = "mean" if imputation == "mean" else "round-2-weighted mean"
        label = f"{how} of {n} respondent{'s' if n != 1 else ''} among {group}"
        fill = pd.Series([mean] * len(members), index=members.index, dtype="object")
        source = pd.Series([label] * len(members), index=members.index, dtype="object")
        if "category" in members:
            cats = members["category"].fillna("").to_numpy()
            for cat in pd.unique(cats[responded]):
                these = responded & (cats == cat)
                if cat == "" or these.sum() < min_category:
                    continue
                share = group_share(shares[these[responded]], weights[these[responded]], imputation)
                fill[cats == cat] = share
                source[cats == cat] = f"{how} of {int(these.sum())} respondents among {group} of type {cat}"
        members.loc[~responded, "share"] = fill[~responded]
        members.loc[~responded, "share_source"] = source[~responded]
    members["responded"] = responded
    members["round3"] = [
        round_pence(Fraction(int(r2)) * share)
        for r2, share in zip(members["round2"], members["share"], strict=True)
    ]
    members["round3"] = members["round3"].astype("int64")
    return members, responses


def default_shares(overrides: Mapping[str, object] | None = None) -> dict[str, DefaultShare]:
    """The published shares lm3 falls back on (lm3/data/defaults.toml), with any given in ``overrides``
    (``{"staff_share": "40%"}``, as under ``[defaults]`` in lm3.toml) replacing them. Raises MethodError
    for an unknown name or a value that is not a share."""
    from lm3._shares import parse_shares

    with resources.files("lm3").joinpath("data/defaults.toml").open("rb") as f:
        table = tomllib.load(f)
    out = {}
    for name in DEFAULT_KEYS:
        entry = table[name]
        share = parse_shares(pd.Series([entry["value"]]))[0][0]
        out[name] = DefaultShare(name, share, entry["source"], str(entry["date"]))
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_KEYS:
            raise MethodError(f"Unknown default {name!r}: the defaults are {', '.join(DEFAULT_KEYS)}.")
        shares, problems = parse_shares(pd.Series([value]))
        if shares[0] is None:
            raise MethodError(f"Default {name} = {value!r} {problems[0] or 'is blank'}.")
        out[name] = DefaultShare(name, shares[0], "given by the user", "")
    return out
