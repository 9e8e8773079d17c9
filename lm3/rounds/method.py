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

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.errors import MethodError
from lm3.values.money import format_gbp, times_shares
from lm3.values.shares import parse_shares


@dataclass(frozen=True)
class Assumption:
    """A choice the figure rests on: what it is, the value taken, and where that comes from; ``param`` is
    the parameter that set it, when the user did (a front end names it its own way)."""

    name: str
    value: str
    source: str
    param: str | None = None


IMPUTATIONS = ("mean", "weighted")
DEFAULT_KEYS = ("supplier_share", "staff_share", "non_local_supplier_share")
MIN_CATEGORY_RESPONDENTS = 5


@dataclass(frozen=True)
class DefaultShare:
    """A published share used for a group with no respondents: the default it stands for (``name``:
    supplier_share, staff_share, non_local_supplier_share), its value on the study's basis, where it comes
    from and when; ``key``, its name among the published rates ("northumberland-2005"; blank when given by
    the user); ``basis``, what it was published as a share of (turnover, gross pay, net pay); and
    ``published``, the share as published where it was converted to the study's pay basis."""

    name: str
    share: Fraction
    source: str
    date: str
    key: str = ""
    basis: str = ""
    published: Fraction | None = None

    @property
    def text(self) -> str:
        said = f"{float(self.share) * 100:.1f}%"
        if self.published is not None:
            said += f" ({float(self.published) * 100:.1f}% of {self.basis}, converted)"
        return said

    @property
    def cited(self) -> str:
        """Who published it, and when, in a few words ("NEF with Northumberland County Council, 2005")."""
        who = re.sub(r"\s*\(.*?\)", "", self.source.split(":")[0])
        return who + (f", {self.date}" if self.date else "")


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
        return cast(
            "float | Fraction",
            sum((w * s for w, s in zip(weights, shares, strict=True)), start=shares[0] * 0) / sum(weights),
        )
    return cast("float | Fraction", sum(shares, start=shares[0] * 0) / len(shares))


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
        members["share"] = pd.Series(
            default.share if default is not None else None, index=members.index, dtype="object"
        )
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
    members["round3"] = times_shares(members["round2"].to_numpy(dtype=np.int64), members["share"].tolist())
    return members, responses


@cache
def _defaults_table() -> dict[str, Any]:
    with resources.files("lm3").joinpath("data/defaults.toml").open("rb") as f:
        return tomllib.load(f)


def _share(text: object) -> Fraction:
    share = parse_shares(pd.Series([text]))[0][0]
    assert share is not None, f"lm3/data/defaults.toml: {text!r} is not a share"
    return cast("Fraction", share)


def net_of_gross_stated() -> Fraction:
    """Net pay as a share of gross where a payroll gives no net pay (lm3/data/defaults.toml, worked there)."""
    return _share(_defaults_table()["net_of_gross"]["value"])


def _on_basis(name: str, entry: Mapping[str, Any], pay_basis: str, net_of_gross: Fraction) -> DefaultShare:
    """A published rate as a share of what the study's round 2 holds: turnover as it is; a share of net pay
    times net over gross on the gross basis; a share of gross pay over it on the net basis."""
    published = _share(entry["value"])
    basis = str(entry.get("basis", ""))
    share = published
    if basis == "net pay" and pay_basis == "gross":
        share = published * net_of_gross
    elif basis == "gross pay" and pay_basis == "net":
        share = min(published / net_of_gross, Fraction(1))
    return DefaultShare(
        name,
        share,
        str(entry["source"]),
        str(entry.get("date", "")),
        key=str(entry.get("key", "")),
        basis=basis,
        published=published if share != published else None,
    )


def published_rates(
    pay_basis: str = "gross", net_of_gross: Fraction | None = None
) -> dict[str, tuple[DefaultShare, ...]]:
    """Each default's published rates (lm3/data/defaults.toml: the default first, then the others), each
    on the study's pay basis (``net_of_gross``: the payroll's own net over gross pay, else the stated one)."""
    table = _defaults_table()
    ratio = net_of_gross if net_of_gross is not None else net_of_gross_stated()
    out: dict[str, list[DefaultShare]] = {
        name: [_on_basis(name, table[name], pay_basis, ratio)] for name in DEFAULT_KEYS
    }
    for entry in table.get("published", []):
        out[str(entry["for"])].append(_on_basis(str(entry["for"]), entry, pay_basis, ratio))
    return {name: tuple(rates) for name, rates in out.items()}


def default_shares(
    overrides: Mapping[str, object] | None = None,
    *,
    pay_basis: str = "gross",
    net_of_gross: Fraction | None = None,
) -> dict[str, DefaultShare]:
    """The published shares lm3 falls back on (lm3/data/defaults.toml), on the study's pay basis, with any
    given in ``overrides`` replacing them: a share (``{"staff_share": "40%"}``, as under ``[defaults]`` in
    lm3.toml) or the key of a published rate (``{"supplier_share": "manchester-2015"}``). Raises
    MethodError for an unknown name or a value that is neither."""
    rates = published_rates(pay_basis, net_of_gross)
    out = {name: rates[name][0] for name in DEFAULT_KEYS}
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_KEYS:
            raise MethodError(f"Unknown default {name!r}: the defaults are {', '.join(DEFAULT_KEYS)}.")
        named = next((r for r in rates[name] if r.key and r.key == str(value).strip().casefold()), None)
        if named is not None:
            out[name] = named
            continue
        shares, problems = parse_shares(pd.Series([value]))
        if shares[0] is None:
            keys = ", ".join(r.key for r in rates[name] if r.key)
            raise MethodError(
                f"Default {name} = {value!r} {problems[0] or 'is blank'}: give a share, or one of the published "
                f"rates: {keys}."
            )
        out[name] = DefaultShare(name, shares[0], "given by the user", "")
    return out
