"""What if we keep it local? Moving spend from non-local suppliers to local ones, and what it does to LM3.

A shift moves ``share`` of the spend now with non-local suppliers (suppliers placed outside the area; not
those of unknown location, and not local branches unless branches are not counted as local), optionally only
the spend in one expense category (the payments' expense type or service area; else the register's type),
to local suppliers:

- ``to="local"``: to local suppliers in general, who re-spend it at the share the survey gives local
  suppliers who did not answer (the group's mean; the published default when no one answered);
- ``to="Aire Valley Catering"``: to that local supplier, at its own share (its answer, or the mean).

Round 1 is unchanged (the money is moved, not added): round 2 grows by the £ moved, round 3 by the £ moved
times the share (rounded to the penny, like every round-3 line). ``kept_locally`` is what the area gains
over rounds 2 and 3. The interval is recomputed with the same seed, the moved £ joining the local
suppliers' group (as a non-respondent for ``to="local"``, inside the named supplier otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from lm3.errors import InputError, MethodError
from lm3.rounds.method import group_share
from lm3.rounds.uncertainty import bootstrap_interval
from lm3.values import params
from lm3.values.frames import among, row_tuples
from lm3.values.html import html_table
from lm3.values.jsontext import jsonable
from lm3.values.money import pence_to_decimal, round_pence
from lm3.values.names import supplier_key
from lm3.values.shares import parse_shares

if TYPE_CHECKING:
    from lm3.study.result import LM3Result

SCENARIO_COLUMNS = [
    "scenario",
    "moved",
    "round1",
    "round2",
    "round3",
    "lm3",
    "low",
    "high",
    "kept_locally",
    "share_used",
]


@dataclass(frozen=True)
class Shift:
    """Move ``share`` (a Fraction of 0-1) of the non-local spend, in ``category`` (None: all of it), to
    ``to``: "local", or a local supplier's name. ``label`` names the scenario."""

    share: Fraction
    category: str | None = None
    to: str = "local"
    label: str | None = None

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        what = f"{self.category} spend" if self.category else "spend"
        target = "local suppliers" if self.to.casefold() == "local" else self.to
        return f"{float(self.share) * 100:g}% of non-local {what} to {target}"


_PAIR = re.compile(r"\s*([a-z_]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^,]*)\s*(?:,|$)")


def parse_shift(text: str, *, to: str | None = None) -> Shift:
    """``"category=Facilities,share=10%"`` (also ``to=local`` or ``to=<supplier>``, ``name=...``) as a
    Shift; ``to`` applies when the text does not say. Raises InputError saying what to write."""
    if not isinstance(text, str):
        raise params.bad("shift", 'text like "category=Facilities,share=10%"', text)
    fields: dict[str, str] = {}
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _PAIR.match(text, pos)
        if not m or m.end() == pos:
            raise InputError(
                f"Scenario {text!r}: write key=value pairs separated by commas, like "
                '"category=Facilities,share=10%".',
                code="bad-scenario",
            )
        fields[m.group(1)] = m.group(2).strip().strip("\"'")
        pos = m.end()
    unknown = set(fields) - {"category", "share", "to", "name"}
    if unknown:
        raise InputError(
            f"Scenario {text!r}: unknown key {', '.join(sorted(unknown))}; use category, share, to, name.",
            code="bad-scenario",
        )
    if "share" not in fields:
        raise InputError(f"Scenario {text!r}: say how much to move, like share=10%.", code="bad-scenario")
    shares, problems = parse_shares(pd.Series([fields["share"]]))
    if shares[0] is None:
        raise InputError(
            f"Scenario {text!r}: share {fields['share']!r} {problems[0] or 'is blank'}.", code="bad-scenario"
        )
    return Shift(
        share=shares[0],
        category=fields.get("category") or None,
        to=fields.get("to") or to or "local",
        label=fields.get("name"),
    )


@dataclass(frozen=True)
class Scenarios:
    """What if: the result as it is, then each shift applied to it alone. ``table``: one row each
    (``SCENARIO_COLUMNS``; money in pence, ``low``/``high`` the LM3 interval); ``records()`` and
    ``to_dict()`` the same as plain data (the JSON contract, docs/json.md)."""

    table: pd.DataFrame

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready record a scenario: money as exact Decimal pounds, LM3 and its interval as numbers."""
        return scenario_records(self.table)

    def to_dict(self) -> dict[str, Any]:
        return {"scenarios": self.records()}

    def _repr_html_(self) -> str:
        shown = self.table.drop(columns=["round1"])
        return html_table(shown, money=("moved", "round2", "round3", "kept_locally"))


def scenarios(result: LM3Result, shifts: Sequence[Shift | str], *, to: str | None = None) -> Scenarios:
    """The result as it is, then each shift applied to it alone (``Scenarios``: one row each in its
    ``table``; money in pence, ``low``/``high`` the LM3 interval). Shifts may be Shift objects or their text
    (``parse_shift``, with ``to`` as the default target). Raises InputError for a category or supplier
    that is not there, MethodError when the result cannot take scenarios."""
    if not hasattr(result, "detail") or not hasattr(result, "round1"):
        raise params.bad("result", "an LM3Result (from lm3.calculate)", result)
    if result.detail is None:
        raise MethodError("This result has no detail to move spend in: compute it with lm3.calculate.")
    if isinstance(shifts, str | Shift):
        shifts = [shifts]
    if not isinstance(shifts, list | tuple) or not all(isinstance(s, str | Shift) for s in shifts):
        raise params.bad(
            "shifts", 'a shift ("category=Facilities,share=10%" or a Shift), or a list of them', shifts
        )
    params.text()("to", to)
    parsed = [s if isinstance(s, Shift) else parse_shift(s, to=to) for s in shifts]
    interval = result.interval
    rows = [
        {
            "scenario": "as now",
            "moved": 0,
            "round1": result.round1,
            "round2": result.round2,
            "round3": result.round3,
            "lm3": result.lm3,
            "low": interval.low if interval else np.nan,
            "high": interval.high if interval else np.nan,
            "kept_locally": 0,
            "share_used": None,
        }
    ]
    rows += [_apply(result, shift) for shift in parsed]
    return Scenarios(pd.DataFrame(rows, columns=SCENARIO_COLUMNS))


def scenario_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The scenario table as plain records (the JSON contract, docs/json.md): money as exact Decimal pounds,
    LM3, its interval and the share used as numbers."""
    out = []
    for r in row_tuples(table):
        out.append(
            {
                "scenario": r.scenario,
                "round2": pence_to_decimal(int(r.round2)),
                "round3": pence_to_decimal(int(r.round3)),
                "lm3": float(r.lm3),
                "kept_locally": pence_to_decimal(int(r.kept_locally)),
                "moved": pence_to_decimal(int(r.moved)),
                "interval": None if pd.isna(r.low) else {"low": float(r.low), "high": float(r.high)},
                "share_used": None if r.share_used is None else float(r.share_used),
            }
        )
    return [jsonable(r) for r in out]


def _apply(result: LM3Result, shift: Shift) -> dict[str, Any]:
    detail = result.detail
    assert detail is not None
    trace = detail.trace
    away = (trace["location"] != "unknown") & ~trace["local"]
    spend = detail.categories
    if shift.category is not None:
        wanted = shift.category.casefold().strip()
        known = sorted({str(c) for c in spend["category"].dropna()})
        in_category = spend["category"].fillna("").str.casefold().str.strip() == wanted
        if not in_category.any():
            raise InputError(
                f"Scenario {shift.name!r}: no spend in category {shift.category!r}. Categories: "
                f"{', '.join(known) if known else 'none (the payments have no expense type column)'}.",
                code="bad-scenario",
            )
        spend = spend[in_category]
    movable = int(spend.loc[among(spend["key"], trace.loc[away, "key"]), "round1"].clip(lower=0).sum())
    moved = round_pence(Fraction(movable) * shift.share)

    members, responses = detail.groups[0]
    members = members.copy()
    if shift.to.casefold() == "local":
        share = _group_share(members, responses)
        extra = pd.DataFrame(
            {
                "key": ["(moved by the scenario)"],
                "round2": [moved],
                "share": [share],
                "share_source": ["scenario"],
                "responded": [False],
                "round3": [round_pence(Fraction(moved) * share)],
            }
        )
        if "category" in members:
            extra["category"] = ""
        members = pd.concat([members, extra], ignore_index=True)
    else:
        key = supplier_key(pd.Series([shift.to])).iloc[0]
        local = trace[trace["local"]]
        hit = local[(local["key"] == key) | (supplier_key(local["supplier"].astype("str")) == key)]
        if hit.empty:
            names = ", ".join(local.sort_values("round1", ascending=False)["supplier"].head(10))
            raise InputError(
                f"Scenario {shift.name!r}: {shift.to!r} is not one of the local suppliers. Local suppliers "
                f"(largest first): {names}.",
                code="bad-scenario",
            )
        target = hit["key"].iloc[0]
        at = members.index[members["key"] == target][0]
        share = Fraction(members.loc[at, "share"])
        members.loc[at, "round2"] = int(members.loc[at, "round2"]) + moved
        members.loc[at, "round3"] = round_pence(Fraction(int(members.loc[at, "round2"])) * share)
    group_r3 = int(members["round3"].sum()) - int(detail.groups[0][0]["round3"].sum())
    round2 = result.round2 + moved
    round3 = result.round3 + group_r3
    interval = None
    if result.interval is not None:
        interval = bootstrap_interval(
            [(members, responses), *detail.groups[1:]],
            round1=result.round1,
            round2=round2,
            round3=round3,
            level=result.interval.level,
            seed=result.interval.seed,
            draws=result.interval.draws,
            min_category=detail.min_category,
        )
    return {
        "scenario": shift.name,
        "moved": moved,
        "round1": result.round1,
        "round2": round2,
        "round3": round3,
        "lm3": (result.round1 + round2 + round3) / result.round1,
        "low": interval.low if interval else np.nan,
        "high": interval.high if interval else np.nan,
        "kept_locally": round2 + round3 - result.round2 - result.round3,
        "share_used": share,
    }


def _group_share(members: pd.DataFrame, responses: Any) -> Fraction:
    """The share local suppliers who did not answer take: the respondents' mean (simple or weighted, as
    the result was computed), else the default share."""
    yes = members["responded"].to_numpy(dtype=bool)
    if yes.any():
        shares = np.array([Fraction(s) for s in members.loc[yes, "share"]], dtype=object)
        return Fraction(group_share(shares, members.loc[yes, "round2"].to_numpy(), responses.imputation))
    if responses.default is not None:
        return cast("Fraction", responses.default.share)
    raise MethodError("No share for local suppliers: the result has no local suppliers' survey or default.")
