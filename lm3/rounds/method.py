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
from typing import cast

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


def default_shares(overrides: Mapping[str, object] | None = None) -> dict[str, DefaultShare]:
    """The published shares lm3 falls back on (lm3/data/defaults.toml), with any given in ``overrides``
    (``{"staff_share": "40%"}``, as under ``[defaults]`` in lm3.toml) replacing them. Raises MethodError
    for an unknown name or a value that is not a share."""
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
