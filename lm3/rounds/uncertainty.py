"""How sure is round 3? A bootstrap over survey respondents.

Round 3 rests on a few survey answers: respondents' own shares are observed, and every non-respondent takes
a share imputed from them (the group's mean, or its category's). The bootstrap redraws each group's
respondents with replacement ``draws`` times, re-imputes the non-respondents' shares from each redraw by the
same rule, and recomputes R3 and LM3. The interval is the middle ``level`` of those LM3s (percentile
bootstrap); when the redraws are lopsided (few respondents) it is widened to hold the point estimate.

What it does not cover, and says so in the assumptions: a group with no respondents takes a published default
share (no sampling to redo: see the sensitivity table instead), which suppliers are local, and whether
respondents answer truly. Respondents' own answers are taken as observed; a group every member of which
answered has no sampling error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lm3.errors import MethodError
from lm3.rounds.method import MIN_CATEGORY_RESPONDENTS, Responses

DEFAULT_LEVEL = 0.90
DEFAULT_DRAWS = 2000
CHUNK = 250  # draws redrawn at a time: memory grows with respondents x CHUNK, not x draws
DEFAULT_SEED = 2002  # The Money Trail's year: any fixed seed makes a result the same on every run


@dataclass(frozen=True)
class Interval:
    """A bootstrap interval for LM3 (and R3 in pence) at ``level``, from ``draws`` redraws with ``seed``."""

    level: float
    low: float
    high: float
    round3_low: int
    round3_high: int
    draws: int
    seed: int


def bootstrap_interval(
    groups: Sequence[tuple[pd.DataFrame, Responses]],
    *,
    round1: int,
    round2: int,
    round3: int,
    level: float = DEFAULT_LEVEL,
    seed: int | None = None,
    draws: int = DEFAULT_DRAWS,
    min_category: int = MIN_CATEGORY_RESPONDENTS,
) -> Interval:
    """The interval for LM3 = (R1 + R2 + R3) / R1 with R3 redrawn as in the module docstring.

    ``groups``: each group's members (``responded``, ``round2``, ``share``, ``round3``, optional
    ``category``) with its Responses. ``round3`` is the point estimate's R3 (pence): the part of it outside
    the groups (none today) stays fixed.
    """
    if not 0 < level < 1:
        raise MethodError(f"The interval's level must be between 0 and 1 (e.g. 0.9 for 90%), not {level}.")
    if draws < 1:
        raise MethodError(f"The bootstrap needs at least one draw, not {draws}.")
    seed = DEFAULT_SEED if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    total = np.zeros(draws)
    fixed = round3
    for members, responses in groups:
        if not len(members):
            continue
        fixed -= int(members["round3"].sum())
        total += _redraw_group(members, responses, rng, draws, min_category)
    r3 = fixed + total
    lm3 = (round1 + round2 + r3) / round1
    tail = (1 - level) / 2
    low, high = np.quantile(lm3, [tail, 1 - tail])
    r3_low, r3_high = np.quantile(r3, [tail, 1 - tail])
    point = (round1 + round2 + round3) / round1
    return Interval(
        level=level,
        low=float(min(low, point)),
        high=float(max(high, point)),
        round3_low=round(float(min(r3_low, round3))),
        round3_high=round(float(max(r3_high, round3))),
        draws=draws,
        seed=seed,
    )


def _redraw_group(
    members: pd.DataFrame, responses: Responses, rng: np.random.Generator, draws: int, min_category: int
) -> np.ndarray:
    """The group's R3 (pence, float) in each redraw: respondents redrawn with replacement, then each
    category's mean (and the group's) summed per draw with ``np.bincount``, ``CHUNK`` draws at a time so
    memory stays bounded (the random stream is the same as one call for all draws)."""
    responded = members["responded"].to_numpy(dtype=bool)
    r2 = members["round2"].to_numpy(dtype=float)
    observed = float(members.loc[responded, "round3"].sum())
    if responses.respondents == 0 or responded.all():
        return np.full(draws, float(members["round3"].sum()))
    shares = members.loc[responded, "share"].astype(float).to_numpy()
    weights = r2[responded]
    cats = members["category"].fillna("").to_numpy() if "category" in members else np.full(len(members), "")
    codes, names = pd.factorize(cats)
    kinds = len(names)
    resp_codes = codes[responded]
    weighted = responses.imputation == "weighted"
    # per draw and category: sums of shares, counts, and (weighted) sums of weights and of shares x weights
    sums = np.zeros((draws, kinds))
    counts = np.zeros((draws, kinds))
    wsums = np.zeros((draws, kinds))
    swsums = np.zeros((draws, kinds))
    for start in range(0, draws, CHUNK):
        size = min(CHUNK, draws - start)
        idx = rng.integers(0, len(shares), (size, len(shares)))
        cell = (np.arange(size)[:, None] * kinds + resp_codes[idx]).ravel()
        s = shares[idx].ravel()
        part = slice(start, start + size)
        sums[part] = np.bincount(cell, weights=s, minlength=size * kinds).reshape(size, kinds)
        counts[part] = np.bincount(cell, minlength=size * kinds).reshape(size, kinds)
        if weighted:
            w = weights[idx].ravel()
            wsums[part] = np.bincount(cell, weights=w, minlength=size * kinds).reshape(size, kinds)
            swsums[part] = np.bincount(cell, weights=s * w, minlength=size * kinds).reshape(size, kinds)

    def mean(k: int | None) -> np.ndarray:
        """Each draw's mean share (weighted by round 2 when the imputation is), of category ``k`` or all."""
        total, count = (sums.sum(axis=1), counts.sum(axis=1)) if k is None else (sums[:, k], counts[:, k])
        simple = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        if not weighted:
            return simple
        wsum, swsum = (wsums.sum(axis=1), swsums.sum(axis=1)) if k is None else (wsums[:, k], swsums[:, k])
        return np.where(wsum > 0, swsum / np.where(wsum > 0, wsum, 1), simple)

    group = mean(None)
    out = np.full(draws, observed)
    others = ~responded
    for k in pd.unique(resp_codes):
        if names[k] == "" or (resp_codes == k).sum() < min_category:
            continue
        these = others & (codes == k)
        share = mean(int(k))
        share = np.where(np.isnan(share), group, share)
        out += r2[these].sum() * share
        others &= codes != k
    out += r2[others].sum() * group
    return out
