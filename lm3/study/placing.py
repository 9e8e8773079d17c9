"""The placing stage of a study, the one ``lm3.locate`` and ``lm3.calculate`` both run: leave out the spend
the rules exclude, match and place each supplier (``lm3.place.cascade``), apply the rules that need a
supplier's type, and mark each supplier inside each tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lm3.geo import Area, PostcodeDirectory, Tier
from lm3.inputs.store import RegisterStore
from lm3.place.locations import estimated_warnings, trace_places
from lm3.place.matching import DEFAULT_MATCH_THRESHOLD, conflict_warnings, place_suppliers, review_warnings
from lm3.read.table import Table
from lm3.study.scope import Excluded, Exclusion, apply_to_placed, exclude_payments
from lm3.values.near import LOW_THRESHOLD, low_threshold


@dataclass(frozen=True)
class Placed:
    """What placing gave: the payments counted (``paid``), each supplier's trace (one row a supplier,
    with ``in <tier>`` columns when tiers were named), how each matched the register, what the rules left
    out, spend by tier, and the warnings (in the order a person reads them)."""

    paid: pd.DataFrame
    trace: pd.DataFrame
    matched: pd.DataFrame
    excluded: list[Excluded]
    tiers: pd.DataFrame
    warnings: list[str]


def place(
    payments: pd.DataFrame,
    payments_label: str,
    register: Table,
    rules: Sequence[Exclusion],
    *,
    top: int | None = None,
    area: Area,
    tiers: Sequence[Tier],
    branch_is_local: bool,
    match_threshold: float,
    directory: PostcodeDirectory,
    store: RegisterStore | None,
) -> Placed:
    """Place the suppliers of ``payments`` (read from ``payments_label``) against ``register``, the store
    and lm3's public bodies, in ``area`` and each of ``tiers``; ``rules`` leave spend out, and ``top`` keeps
    only the largest suppliers by the spend left (``lm3.study.scope``)."""
    paid, excluded, scope_notes = exclude_payments(payments, list(rules), label=payments_label)
    trace, matched = place_suppliers(
        paid,
        register.data,
        area=area,
        branch_is_local=branch_is_local,
        match_threshold=match_threshold,
        directory=directory,
        registers=store,
        register_label=register.label,
    )
    paid, trace, excluded, notes = apply_to_placed(paid, trace, list(rules), excluded, top)
    warnings: list[str] = [*scope_notes, *notes, *conflict_warnings(trace)]
    if match_threshold < LOW_THRESHOLD:
        warnings.insert(0, low_threshold("match_threshold", match_threshold, DEFAULT_MATCH_THRESHOLD))
    if tiers:
        sites = trace_places(trace, directory)
        for tier in tiers:
            trace[f"in {tier.name}"] = tier.area.contains(sites)
    warnings += review_warnings(matched) + estimated_warnings(trace)
    return Placed(paid, trace, matched, excluded, by_tier(trace, tiers), warnings)


def by_tier(trace: pd.DataFrame, tiers: Sequence[Tier]) -> pd.DataFrame:
    """Spend at each tier, each including the tiers before it (concentric); share of placed spend."""
    placed_total = int(trace.loc[trace["location"] != "unknown", "round1"].sum())
    inside = np.zeros(len(trace), dtype=bool)
    rows = []
    for tier in tiers:
        inside |= trace[f"in {tier.name}"].to_numpy(dtype=bool) & (trace["location"] != "unknown").to_numpy()
        amount = int(trace.loc[inside, "round1"].sum())
        rows.append(
            {
                "name": tier.name,
                "area": tier.area.name,
                "amount": amount,
                "share": amount / placed_total if placed_total else None,
            }
        )
    return pd.DataFrame(rows, columns=["name", "area", "amount", "share"])
