"""The vectorised round 3, sensitivity and bootstrap (issue 18) against plain implementations of the same
rules, written here one member, one share and one mask at a time, on the bundled Bradford Trident sample and
the hand-worked golden example: the same pence, the same lines, the same interval."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE, golden_files

import lm3
from lm3.values.money import round_pence

CASES = {
    "sample": {},
    "sample, weighted": {"imputation": "weighted"},
    "golden": {"golden": True},
    "golden, weighted, categories of one": {"golden": True, "imputation": "weighted", "min_category": 1},
}


@pytest.fixture(params=list(CASES), scope="module")
def case(request: pytest.FixtureRequest) -> lm3.LM3Result:
    options = dict(CASES[request.param])
    if options.pop("golden", False):
        return lm3.calculate(area="Bradford", **golden_files(), **options)
    return lm3.load_project(SAMPLE).with_options(**options).calculate()


def _groups(result: lm3.LM3Result) -> list[tuple[pd.DataFrame, object]]:
    assert result.detail is not None
    return list(result.detail.groups)


def test_each_members_round3_is_its_round2_times_its_share(case: lm3.LM3Result) -> None:
    for members, _ in _groups(case):
        plain = [
            round_pence(Fraction(int(r2)) * Fraction(share))
            for r2, share in zip(members["round2"], members["share"], strict=True)
        ]
        assert members["round3"].tolist() == plain
    assert case.round3 == sum(int(m["round3"].sum()) for m, _ in _groups(case))


def _plain_round3(members: pd.DataFrame, share: Fraction) -> int:
    """The group's round 3 with each non-respondent at ``share``, member by member."""
    total = 0
    for r2, r3, responded in zip(members["round2"], members["round3"], members["responded"], strict=True):
        total += int(r3) if responded else round_pence(Fraction(int(r2)) * share)
    return total


def test_sensitivity_share_lines_member_by_member(case: lm3.LM3Result) -> None:
    lines = case.sensitivity.set_index("assumption")
    r1, r2, r3 = case.round1, case.round2, case.round3
    groups = [(m, r) for m, r in _groups(case) if 0 < r.respondents < len(m)]
    assert groups, "the sample and the golden example both have respondents and non-respondents"
    for members, responses in groups:
        answered = [Fraction(s) for s, yes in zip(members["share"], members["responded"], strict=True) if yes]
        line = lines.loc[f"share re-spent locally by {responses.group} who did not answer"]
        rest = r3 - int(members["round3"].sum())
        assert line["lm3_low"] == (r1 + r2 + rest + _plain_round3(members, min(answered))) / r1
        assert line["lm3_high"] == (r1 + r2 + rest + _plain_round3(members, max(answered))) / r1
    line = lines.loc["how non-respondents are filled (one share per group)"]
    for how, column in (("mean", "lm3_low"), ("weighted", "lm3_high")):
        total = r3
        for members, _ in groups:
            pairs = [
                (Fraction(s), int(w))
                for s, w, yes in zip(members["share"], members["round2"], members["responded"], strict=True)
                if yes
            ]
            if how == "mean":
                share = sum((s for s, _ in pairs), Fraction(0)) / len(pairs)
            else:
                share = sum((s * w for s, w in pairs), Fraction(0)) / sum(w for _, w in pairs)
            total += _plain_round3(members, share) - int(members["round3"].sum())
        assert line[column] == (r1 + r2 + total) / r1


def _plain_redraw(members: pd.DataFrame, responses, rng: np.random.Generator, draws: int, min_category: int):
    """The group's round 3 in each redraw: respondents drawn with replacement, each category's mean share
    taken over a mask of the draws (the implementation before issue 18)."""
    responded = members["responded"].to_numpy(dtype=bool)
    r2 = members["round2"].to_numpy(dtype=float)
    observed = float(members.loc[responded, "round3"].sum())
    if responses.respondents == 0 or responded.all():
        return np.full(draws, float(members["round3"].sum()))
    shares = members.loc[responded, "share"].astype(float).to_numpy()
    weights = r2[responded]
    cats = members["category"].fillna("").to_numpy() if "category" in members else np.full(len(members), "")
    resp_cats = cats[responded]
    idx = rng.integers(0, len(shares), (draws, len(shares)))
    s, w, c = shares[idx], weights[idx], resp_cats[idx]

    def mean(mask):
        count = mask.sum(axis=1)
        simple = np.where(count > 0, (s * mask).sum(axis=1) / np.maximum(count, 1), np.nan)
        if responses.imputation != "weighted":
            return simple
        wsum = (w * mask).sum(axis=1)
        return np.where(wsum > 0, (s * w * mask).sum(axis=1) / np.where(wsum > 0, wsum, 1), simple)

    group = mean(np.ones_like(s, dtype=bool))
    out = np.full(draws, observed)
    others = ~responded
    for cat in pd.unique(resp_cats):
        if cat == "" or (resp_cats == cat).sum() < min_category:
            continue
        share = mean(c == cat)
        out += r2[others & (cats == cat)].sum() * np.where(np.isnan(share), group, share)
        others &= cats != cat
    return out + r2[others].sum() * group


def test_interval_is_the_plain_bootstrap(case: lm3.LM3Result) -> None:
    interval = case.interval
    assert interval is not None
    assert case.detail is not None
    rng = np.random.default_rng(interval.seed)
    r3 = np.full(interval.draws, float(case.round3))
    for members, responses in _groups(case):
        r3 += _plain_redraw(members, responses, rng, interval.draws, case.detail.min_category)
        r3 -= float(members["round3"].sum())
    lm3_draws = (case.round1 + case.round2 + r3) / case.round1
    tail = (1 - interval.level) / 2
    low, high = np.quantile(lm3_draws, [tail, 1 - tail])
    point = case.lm3
    assert interval.low == pytest.approx(min(low, point), rel=1e-12)
    assert interval.high == pytest.approx(max(high, point), rel=1e-12)
    r3_low, r3_high = np.quantile(r3, [tail, 1 - tail])
    assert abs(interval.round3_low - round(min(r3_low, case.round3))) <= 1
    assert abs(interval.round3_high - round(max(r3_high, case.round3))) <= 1


@pytest.mark.parametrize("imputation", ["mean", "weighted"])
def test_interval_by_category_is_the_plain_bootstrap(imputation: str) -> None:
    """Categories with enough respondents take their own mean in each redraw, the rest the group's:
    300 members in four categories (one too small to stand alone), against the plain masks."""
    from lm3.rounds.method import apply_shares
    from lm3.rounds.uncertainty import bootstrap_interval

    rng = np.random.default_rng(7)
    n = 300
    members = pd.DataFrame(
        {
            "key": [f"S{i}" for i in range(n)],
            "round2": rng.integers(1, 5_000_000, n),
            "category": rng.choice(["Fuel", "Food", "Care", "Rare", ""], n, p=[0.3, 0.3, 0.3, 0.02, 0.08]),
        }
    )
    answered = rng.random(n) < 0.4
    answers = pd.DataFrame(
        {
            "key": members.loc[answered, "key"],
            "share": [Fraction(int(p), 100) for p in rng.integers(0, 101, int(answered.sum()))],
        }
    )
    out, responses = apply_shares(
        members, answers, group="local suppliers", survey="s", missing_hint="", imputation=imputation
    )
    r1, r2, r3 = 10 * int(out["round2"].sum()), int(out["round2"].sum()), int(out["round3"].sum())
    got = bootstrap_interval([(out, responses)], round1=r1, round2=r2, round3=r3, seed=11, draws=700)
    draws = r3 - float(out["round3"].sum()) + _plain_redraw(out, responses, np.random.default_rng(11), 700, 5)
    low, high = np.quantile((r1 + r2 + draws) / r1, [0.05, 0.95])
    point = (r1 + r2 + r3) / r1
    assert got.low == pytest.approx(min(low, point), rel=1e-12)
    assert got.high == pytest.approx(max(high, point), rel=1e-12)
    assert got.low < point < got.high  # a real spread, not the point estimate twice
