"""Sensitivity: how LM3 moves when each assumption moves over a stated range (the data of a tornado chart).

Each line holds every other assumption where the result has it and moves one:

- **A group's share for non-respondents** (local suppliers, local staff): from the lowest to the highest
  share a respondent gave (the spread the survey itself shows); with no respondents, over the published
  rates for the group (lm3/data/defaults.toml: Manchester's 43% to Northumberland's 76% for suppliers,
  Kirklees' 35p of net pay to NEF's 45.4% for staff), or the default 20 points either way where only one is
  published (within 0-100%). Respondents keep their own answers.
- **Imputation**: the simple mean of respondents against the round-2-weighted mean (both groups at once).
- **Local public bodies without a survey answer**: re-spending nothing locally, or as other local suppliers
  (no published share exists for public bodies).
- **Local branches of non-local head offices**: counted as local, or not (when there are any).
- **Spend not placed** (suppliers of unknown location, staff whose home is unknown): not local (lm3's
  rule), or all local, re-spent at the local group's rate: the bounds of ``lm3.rounds.coverage``.

Round 3 lines are recomputed per member and rounded to the penny as in the method, so a line at the
result's own setting reproduces its LM3 exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import numpy as np
import pandas as pd

from lm3.rounds.coverage import Bounds
from lm3.rounds.method import DefaultShare, Responses, group_share
from lm3.values.money import format_gbp, times_shares

SENSITIVITY_COLUMNS = ["assumption", "low", "high", "lm3_low", "lm3_high", "swing", "range"]
DEFAULT_SPREAD = Fraction(20, 100)


def _pct(share: Fraction | float) -> str:
    return f"{float(share) * 100:.1f}%"


def _round3_with(members: pd.DataFrame, share: Fraction) -> int:
    """The group's round 3 with every non-respondent at ``share`` (respondents keep theirs)."""
    kept = int(members.loc[members["responded"], "round3"].sum())
    others = members.loc[~members["responded"], "round2"].to_numpy(dtype=np.int64)
    return kept + int(times_shares(others, share).sum())


def sensitivity(
    *,
    round1: int,
    round2: int,
    round3: int,
    groups: list[tuple[pd.DataFrame, Responses]],
    suppliers: pd.DataFrame,
    branch_is_local: bool,
    limits: Bounds | None = None,
    published: Mapping[str, Sequence[DefaultShare]] | None = None,
) -> pd.DataFrame:
    """One line per assumption moved (columns ``SENSITIVITY_COLUMNS``), largest swing in LM3 first;
    ``limits``, the bounds of the spend not placed (``lm3.rounds.coverage``), is a line of its own. A group
    on a default share moves over the published rates for it (``published``: ``lm3.rounds.method.
    published_rates``), lowest to highest, where there are two or more; else 20 points either way."""

    def lm3(r2: int, r3: int) -> float:
        return (round1 + r2 + r3) / round1

    lines: list[dict[str, object]] = []
    for members, responses in groups:
        if not len(members) or responses.respondents == len(members):
            continue
        group_r3 = int(members["round3"].sum())
        answered = [Fraction(s) for s in members.loc[members["responded"], "share"]]
        if answered:
            low, high = min(answered), max(answered)
            stated = f"lowest to highest answer of {responses.respondents} respondent(s)"
        else:
            assert responses.default is not None
            low, high, stated = _default_range(
                responses.default, (published or {}).get(responses.default.name, ())
            )
        lines.append(
            {
                "assumption": f"share re-spent locally by {responses.group} "
                + ("who did not answer" if answered else "(a default share: no survey)"),
                "low": _pct(low),
                "high": _pct(high),
                "lm3_low": lm3(round2, round3 - group_r3 + _round3_with(members, low)),
                "lm3_high": lm3(round2, round3 - group_r3 + _round3_with(members, high)),
                "range": stated,
            }
        )

    imputed = [(m, r) for m, r in groups if 0 < r.respondents < len(m)]
    if imputed:
        totals = {}
        for how in ("mean", "weighted"):
            r3 = round3
            for members, _ in imputed:
                yes = members["responded"].to_numpy()
                shares = np.array([Fraction(s) for s in members.loc[yes, "share"]], dtype=object)
                share = Fraction(group_share(shares, members.loc[yes, "round2"].to_numpy(), how))
                r3 += _round3_with(members, share) - int(members["round3"].sum())
            totals[how] = lm3(round2, r3)
        lines.append(
            {
                "assumption": "how non-respondents are filled (one share per group)",
                "low": "simple mean",
                "high": "round-2-weighted mean",
                "lm3_low": totals["mean"],
                "lm3_high": totals["weighted"],
                "range": "NEF's simple mean against weighting by round-2 £",
            }
        )

    public = _public_bodies(groups)
    if public is not None:
        r2_public, r3_public, n = public
        lines.append(
            {
                "assumption": "local public bodies' re-spend (no published share for them)",
                "low": "none",
                "high": "as other local suppliers",
                "lm3_low": lm3(round2, round3 - r3_public),
                "lm3_high": lm3(round2, round3),
                "range": f"{n} local public bod{'y' if n == 1 else 'ies'} without a survey answer, "
                f"{format_gbp(r2_public)} of round 2",
            }
        )

    branches = suppliers[suppliers["location"] == "local branch"]
    if len(branches):
        r1 = int(branches["round1"].sum())
        if branch_is_local:
            off = (round2 - r1, round3 - int(branches["round3"].sum()))
            on = (round2, round3)
        else:
            mean = _supplier_mean(groups)
            on = (
                round2 + r1,
                round3 + int(times_shares(branches["round1"].to_numpy(dtype=np.int64), mean).sum()),
            )
            off = (round2, round3)
        lines.append(
            {
                "assumption": "local branches of non-local head offices",
                "low": "not local",
                "high": "local",
                "lm3_low": lm3(*off),
                "lm3_high": lm3(*on),
                "range": f"{len(branches)} branch(es), the CLES rule against the strict one",
            }
        )

    if limits is not None and limits.not_placed:
        unknown = int((suppliers["location"] == "unknown").sum())
        lines.append(
            {
                "assumption": "spend not placed (location unknown)",
                "low": "not local",
                "high": "all local",
                "lm3_low": limits.not_local,
                "lm3_high": limits.all_local,
                "range": f"{format_gbp(limits.not_placed)} not placed ({unknown} supplier(s)); if all of it "
                "were local, re-spent at the local rate",
            }
        )
    table = pd.DataFrame(lines, columns=[c for c in SENSITIVITY_COLUMNS if c != "swing"])
    table["swing"] = (table["lm3_high"] - table["lm3_low"]).abs()
    return (
        table.sort_values("swing", ascending=False, kind="stable")
        .reset_index(drop=True)[SENSITIVITY_COLUMNS]
        .astype({"lm3_low": "float64", "lm3_high": "float64", "swing": "float64"})
    )


def public_bodies_without_answers(
    groups: list[tuple[pd.DataFrame, Responses]],
) -> tuple[int, int, int] | None:
    """Local suppliers typed "public body" that did not answer the survey: their round 2 and round 3
    (pence) and how many; None when there are none. They re-spend like other local suppliers, a share
    measured on private suppliers: said as an assumption, and moved by the sensitivity."""
    return _public_bodies(groups)


def _public_bodies(groups: list[tuple[pd.DataFrame, Responses]]) -> tuple[int, int, int] | None:
    if not groups or "category" not in groups[0][0]:
        return None
    members = groups[0][0]
    public = (members["category"] == "public body").to_numpy() & ~members["responded"].to_numpy(dtype=bool)
    if not public.any():
        return None
    return (
        int(members.loc[public, "round2"].sum()),
        int(members.loc[public, "round3"].sum()),
        int(public.sum()),
    )


def _supplier_mean(groups: list[tuple[pd.DataFrame, Responses]]) -> Fraction:
    """The local suppliers' share per £ of round 2 (their R3 / R2), for suppliers moved into the group."""
    members, _ = groups[0]
    r2 = int(members["round2"].sum())
    return Fraction(int(members["round3"].sum()), r2) if r2 else Fraction(0)


def _default_range(default: DefaultShare, rates: Sequence[DefaultShare]) -> tuple[Fraction, Fraction, str]:
    """The range a group on a default share moves over: its published rates, lowest to highest (with the
    default among them), where there are two or more; else 20 points either way of the default."""
    every = [default, *(r for r in rates if (r.key, r.share) != (default.key, default.share))]
    if len(every) >= 2:
        low, high = min(every, key=lambda r: r.share), max(every, key=lambda r: r.share)
        return (
            Fraction(low.share),
            Fraction(high.share),
            f"published rates: {low.text} ({low.cited}) to {high.text} ({high.cited})",
        )
    centre = default.share
    return (
        max(centre - DEFAULT_SPREAD, Fraction(0)),
        min(centre + DEFAULT_SPREAD, Fraction(1)),
        f"default {default.text} 20 points either way",
    )
