"""Round 3: imputation worked by hand (NEF's survey-averaging sheet), defaults, and properties of LM3 and of
the bootstrap interval (hypothesis) on the method's pure functions, with the real postcode directory; one
case end to end checks that the calculation gives what they give."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pandas as pd
import pytest
from conftest import money
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lm3
from lm3.geo import default_directory
from lm3.place.matching import place_suppliers
from lm3.rounds.method import apply_shares, default_shares
from lm3.rounds.uncertainty import bootstrap_interval
from lm3.values.names import supplier_key

NEF_SHARES = ["42.1%", "50.5%", "63.1%", "37.8%", "33.6%"]  # NEF survey-averaging sheet's five respondents


def _group(round2_pounds, shares, categories=None):
    keys = [f"S{i}" for i in range(len(round2_pounds))]
    members = pd.DataFrame({"key": keys, "round2": [p * 100 for p in round2_pounds]})
    if categories is not None:
        members["category"] = categories
    answers = pd.DataFrame(
        {
            "key": [k for k, s in zip(keys, shares, strict=True) if s is not None],
            "share": [Fraction(s.rstrip("%")) / 100 for s in shares if s is not None],
        }
    )
    return members, answers


def test_nef_mean_worked_by_hand():
    # five respondents with £10,000 each, one non-respondent with £200,000
    members, answers = _group([10_000] * 5 + [200_000], [*NEF_SHARES, None])
    out, responses = apply_shares(members, answers, group="local suppliers", survey="s", missing_hint="")
    # (42.1 + 50.5 + 63.1 + 37.8 + 33.6) / 5 = 227.1 / 5 = 45.42%; 45.42% x £200,000 = £90,840.00
    assert out["share"].iloc[5] == Fraction(4542, 10_000)
    assert out["round3"].tolist() == [421_000, 505_000, 631_000, 378_000, 336_000, 9_084_000]
    assert (responses.respondents, responses.members) == (5, 6)
    assert responses.round2_covered == 5_000_000 and responses.round2 == 25_000_000


def test_weighted_mean_and_categories_worked_by_hand():
    members, answers = _group([1_000, 3_000, 200_000], ["20%", "60%", None])
    out, _ = apply_shares(
        members, answers, group="local suppliers", survey="s", missing_hint="", imputation="weighted"
    )
    # (1,000 x 20% + 3,000 x 60%) / 4,000 = 2,000 / 4,000 = 50%: £100,000 (the simple mean, 40%, would give 80,000)
    assert out["round3"].iloc[2] == 100_000_00

    cats = ["VCSE"] * 5 + ["SME", "VCSE", "SME"]
    members, answers = _group([100] * 8, ["10%", "20%", "30%", "40%", "50%", "90%", None, None], cats)
    out, _ = apply_shares(members, answers, group="local suppliers", survey="s", missing_hint="")
    # VCSE has 5 respondents: its own mean, 30%; SME has one: the group's mean, (150 + 90) / 6 = 40%
    assert out["share"].tolist()[6:] == [Fraction(3, 10), Fraction(2, 5)]
    assert out["share_source"].iloc[6] == "mean of 5 respondents among local suppliers of type VCSE"
    assert out["share_source"].iloc[7] == "mean of 6 respondents among local suppliers"


# A small organisation in Bradford: suppliers in Bradford (local) and Leeds (not), a survey of some.
LOCAL_POSTCODES = ["BD1 1AA", "BD7 1AA", "BD21 3LG", "BD18 3QF"]


def _calculate(amounts, local, shares, **options):
    names = [f"Supplier {i}" for i in range(len(amounts))]
    payments = pd.DataFrame({"Supplier": names, "Amount": [f"{a}.00" for a in amounts]})
    register = pd.DataFrame(
        {
            "Supplier": names,
            "Postcode": [LOCAL_POSTCODES[i % 4] if loc else "LS1 4GS" for i, loc in enumerate(local)],
        }
    )
    survey = pd.DataFrame(
        {
            "Supplier": [n for n, s in zip(names, shares, strict=True) if s is not None],
            "Local share": [f"{s}%" for s in shares if s is not None],
        }
    )
    return lm3.calculate(payments, register, supplier_survey=survey, area="Bradford", draws=400, **options)


suppliers = st.lists(
    st.tuples(
        st.integers(1, 50_000),  # amount, pounds
        st.booleans(),  # local?
        st.one_of(st.none(), st.integers(0, 100)),  # survey answer, per cent
    ),
    min_size=1,
    max_size=8,
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _rounds(amounts, local, shares, imputation="mean"):
    """R1, R2 and R3 by the method's own functions, as ``calculate`` would take them for these suppliers
    (suppliers only: R1 is their spend, R2 the local ones', R3 from ``apply_shares``)."""
    keys = [f"S{i}" for i in range(len(amounts))]
    members = pd.DataFrame(
        {
            "key": [k for k, loc in zip(keys, local, strict=True) if loc],
            "round2": [a * 100 for a, loc in zip(amounts, local, strict=True) if loc],
        }
    )
    answered = [(k, s) for k, loc, s in zip(keys, local, shares, strict=True) if loc and s is not None]
    answers = pd.DataFrame(
        {"key": [k for k, _ in answered], "share": [Fraction(s, 100) for _, s in answered]}
    )
    out, responses = apply_shares(
        members,
        answers,
        group="local suppliers",
        survey="s",
        missing_hint="",
        imputation=imputation,
        default=default_shares()["supplier_share"],
    )
    return sum(amounts) * 100, int(members["round2"].sum()), int(out["round3"].sum()), out, responses


@SETTINGS
@given(suppliers)
def test_lm3_lies_between_1_and_3(rows):
    amounts, local, shares = map(list, zip(*rows, strict=True))
    r1, r2, r3, out, responses = _rounds(amounts, local, shares)
    lm3_value = (r1 + r2 + r3) / r1
    assert 1 <= lm3_value <= 3
    if responses.respondents:
        interval = bootstrap_interval([(out, responses)], round1=r1, round2=r2, round3=r3, seed=3, draws=400)
        assert interval.low <= lm3_value <= interval.high


@SETTINGS
@given(suppliers, st.data())
def test_raising_a_local_share_never_lowers_lm3(rows, data):
    amounts, local, shares = map(list, zip(*rows, strict=True))
    answered = [i for i, s in enumerate(shares) if s is not None and local[i]]
    assume(answered)
    i = data.draw(st.sampled_from(answered))
    higher = shares.copy()
    higher[i] = data.draw(st.integers(shares[i], 100))
    for imputation in ("mean", "weighted"):
        before = _rounds(amounts, local, shares, imputation)
        after = _rounds(amounts, local, higher, imputation)
        assert after[2] >= before[2]  # round 3, and with it LM3 (R1 and R2 are unchanged)


REGISTER = lm3.read_registers(
    pd.DataFrame(
        {
            "Supplier": [f"Supplier {i}" for i in range(8)],
            "Postcode": [LOCAL_POSTCODES[i % 4] if i % 2 == 0 else "LS1 4GS" for i in range(8)],
        }
    )
)


def _round2(amounts):
    """Round 2 of payments to Supplier 0..n (even ones in Bradford, odd ones in Leeds), by the placing
    functions ``calculate`` uses."""
    names = [f"Supplier {i}" for i in range(len(amounts))]
    payments = pd.DataFrame(
        {
            "key": supplier_key(pd.Series(names)),
            "supplier": names,
            "supplier_class": "named",
            "amount": [a * 100 for a in amounts],
        }
    )
    trace, _ = place_suppliers(
        payments,
        REGISTER.data,
        area=lm3.resolve_area("Bradford"),
        branch_is_local=True,
        match_threshold=lm3.frontend.DEFAULT_MATCH_THRESHOLD,
        directory=default_directory(),
    )
    return int(trace["round2"].sum())


@pytest.mark.slow
@SETTINGS
@given(st.lists(st.integers(1, 50_000), min_size=2, max_size=8), st.data())
def test_moving_spend_to_a_local_supplier_never_lowers_round2(amounts, data):
    src = data.draw(st.sampled_from(range(1, len(amounts), 2)))  # odd: in Leeds
    dst = data.draw(st.sampled_from(range(0, len(amounts), 2)))  # even: in Bradford
    moved = data.draw(st.integers(0, amounts[src] - 1))
    after = amounts.copy()
    after[src] -= moved
    after[dst] += moved
    before = _round2(amounts)
    assert before == sum(amounts[::2]) * 100  # worked from the postcodes: the even ones are local
    assert _round2(after) == before + moved * 100


def test_calculate_agrees_with_the_method_functions():
    """One case end to end: the calculation gives the rounds the method's functions give."""
    amounts, local, shares = [1_200, 800, 5_000], [True, True, False], [60, None, None]
    result = _calculate(amounts, local, shares)
    r1, r2, r3, _, _ = _rounds(amounts, local, shares)
    assert (result.round1, result.round2, result.round3) == (r1, r2, r3)


def _interval(shares_pct, non_respondent_pounds, seed=7, draws=2000):
    members, answers = _group([1_000] * len(shares_pct) + [non_respondent_pounds], [*shares_pct, None])
    out, responses = apply_shares(members, answers, group="local suppliers", survey="s", missing_hint="")
    r2 = int(out["round2"].sum())
    r3 = int(out["round3"].sum())
    return bootstrap_interval(
        [(out, responses)], round1=2 * r2, round2=r2, round3=r3, seed=seed, draws=draws
    ), (2 * r2 + r2 + r3) / (2 * r2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=3, max_size=12), st.integers(1_000, 500_000))
def test_interval_holds_the_estimate_narrows_with_more_respondents_and_repeats_with_its_seed(shares, pounds):
    assume(len(set(shares)) > 1)
    pct = [f"{s}%" for s in shares]
    few, point = _interval(pct, pounds)
    assert few.low <= point <= few.high
    assert few.high > few.low  # respondents disagree and a non-respondent depends on them
    many, _ = _interval(pct * 4, pounds)  # four times the respondents, the same spread of answers
    assert many.high - many.low < few.high - few.low
    again, _ = _interval(pct, pounds)
    assert again == few


def test_everyone_answered_means_no_sampling_error():
    members, answers = _group([1_000, 2_000, 3_000], ["10%", "50%", "90%"])
    out, responses = apply_shares(members, answers, group="local suppliers", survey="s", missing_hint="")
    r3 = int(out["round3"].sum())
    interval = bootstrap_interval([(out, responses)], round1=600_000, round2=600_000, round3=r3)
    assert interval.low == interval.high == (600_000 + 600_000 + r3) / 600_000


def test_bad_interval_options_are_errors():
    """Checked at the door, as every parameter is (tests/test_api_errors.py): the parameter is named."""
    with pytest.raises(lm3.InputError, match="level must be a number between 0 and 1") as err:
        _calculate([100], [True], [50], level=90)
    assert (err.value.code, err.value.params) == ("bad-parameter", ("level",))
    with pytest.raises(lm3.InputError, match="imputation must be 'mean' or 'weighted', not 'median'") as err:
        _calculate([100], [True], [50], imputation="median")
    assert err.value.params == ("imputation",)


def test_project_file_sets_round3_options(tmp_path):
    from conftest import GOLDEN

    (tmp_path / "lm3.toml").write_text(
        'area = "Bradford"\nimputation = "weighted"\nlevel = 0.8\nseed = 11\n'
        '[defaults]\nsupplier_share = "50%"\n[inputs]\n'
        f'payments = "{(GOLDEN / "payments.csv").as_posix()}"\n'
        f'suppliers = "{(GOLDEN / "suppliers.csv").as_posix()}"\n',
        encoding="utf-8",
    )
    result = lm3.load_project(tmp_path).calculate()
    # by hand at 50%: Aire Valley 750.00 + Bradford Branch 400.00 + Print Shop 200.08 (200.075) = 1,350.08
    assert result.round3 == 1_350_08
    assert result.responses[0].imputation == "weighted" and result.responses[0].default.text == "50.0%"
    # no one answered: nothing to resample, so there is no interval anywhere, and no bootstrap is claimed
    assert result.interval is None and result.to_dict()["interval"] is None
    assert "interval" not in result.headline and "published default share" in result.headline
    said = next(a for a in result.assumptions if a.name == "interval")
    assert said.value.startswith("none: no survey answers to resample") and "bootstrap" not in said.value
    assert not any(a.name == "round 3 non-respondents" for a in result.assumptions)
    surveyed = lm3.calculate(
        GOLDEN / "payments.csv",
        GOLDEN / "suppliers.csv",
        supplier_survey=GOLDEN / "supplier-survey.csv",
        area="Bradford",
        level=0.8,
    )
    assert "(80% interval £" in surveyed.headline and surveyed.interval.level == 0.8


def test_non_local_suppliers_respend_is_its_own_line_worked_by_hand(golden, tmp_path):
    """The golden example (test_golden.py): Leeds Widgets (LS1 4GS) is its one non-local supplier, paid
    £2,000.00; Mystery Co is unplaced, never counted. Local suppliers: R2 £2,700.15, R3 £1,380.05."""
    plain = lm3.calculate(area="Bradford", **golden)
    assert plain.non_local is None and plain.lm3_with_non_local is None
    assert plain.value_of_a_pound() == {"local_supplier": 1 + 1_380_05 / 2_700_15, "non_local_supplier": None}

    counted = lm3.calculate(area="Bradford", count_non_local=True, **golden)
    # no non-local supplier answered: the published 36% (Northumberland 2005): 2,000.00 x 36% = 720.00
    assert (counted.round1, counted.round2, counted.round3) == (plain.round1, plain.round2, plain.round3)
    assert counted.non_local.amount == 720_00 and counted.non_local.round1 == 2_000_00
    assert counted.lm3_with_non_local == (plain.round1 + plain.round2 + plain.round3 + 720_00) / plain.round1
    assert counted.value_of_a_pound()["non_local_supplier"] == 0.36
    note = next(a for a in counted.assumptions if a.name == "non-local suppliers' local re-spend")
    assert "36.0%" in note.value and "Northumberland" in note.source
    row = counted.suppliers.set_index("supplier").loc["Leeds Widgets Ltd"]
    assert row["non_local_respend"] == 720_00 and counted.suppliers["non_local_respend"].sum() == 720_00

    # Leeds Widgets answers 20%: used, not the default, and no longer warned about as unused
    survey = tmp_path / "supplier-survey.csv"
    survey.write_text(golden["supplier_survey"].read_text() + "Leeds Widgets Ltd,20%\n")
    answered = lm3.calculate(area="Bradford", count_non_local=True, **(golden | {"supplier_survey": survey}))
    assert answered.non_local.amount == 400_00 and answered.round3 == plain.round3
    assert not any("not counted as local are not used" in w for w in answered.warnings)
    ignored = lm3.calculate(area="Bradford", **(golden | {"supplier_survey": survey}))
    assert any(
        "not counted as local are not used in round 3: Leeds Widgets Ltd" in w for w in ignored.warnings
    )

    from click.testing import CliRunner

    from lm3.cli import cli

    args = ["calculate", "--area", "Bradford", "--count-non-local", "--json"]
    for flag, key in (
        ("--payments", "payments"),
        ("--suppliers", "suppliers"),
        ("--supplier-survey", "supplier_survey"),
    ):
        args += [flag, str(golden[key])]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (
        money(data["non_local_respend"]["amount"]) == Decimal("720.00")
        and data["value_of_a_pound"]["non_local_supplier"] == 0.36
    )


def test_sensitivity_worked_by_hand_on_the_golden_example(golden):
    """test_golden.py's example: R1 £11,000.15, R2 £6,700.15, R3 £3,380.05. Bradford Branch (£800.00) is the
    one supplier non-respondent; Aire Valley (£1,500.00) said 60%, Print Shop (£400.15) 30%; E3 (£1,000.00)
    the one staff non-respondent, E1 the one local staff respondent (50%)."""
    result = lm3.calculate(area="Bradford", **golden)
    r1, r2, r3 = 11_000_15, 6_700_15, 3_380_05
    assert (result.round1, result.round2, result.round3) == (r1, r2, r3)
    table = result.sensitivity.set_index("assumption")

    def lm3_of(round2, round3):
        return (r1 + round2 + round3) / r1

    suppliers = table.loc["share re-spent locally by local suppliers who did not answer"]
    # Branch at 30% = 240.00 and at 60% = 480.00, instead of the mean's 360.00
    assert (suppliers["low"], suppliers["high"]) == ("30.0%", "60.0%")
    assert suppliers["lm3_low"] == lm3_of(r2, r3 - 360_00 + 240_00)
    assert suppliers["lm3_high"] == lm3_of(r2, r3 - 360_00 + 480_00)
    staff = table.loc["share re-spent locally by local staff who did not answer"]
    assert staff["lm3_low"] == staff["lm3_high"] == result.lm3  # one respondent: no spread to move over
    branch = table.loc["local branches of non-local head offices"]
    assert branch["lm3_low"] == lm3_of(r2 - 800_00, r3 - 360_00) and branch["lm3_high"] == result.lm3
    weighted = table.loc["how non-respondents are filled (one share per group)"]
    # weighted supplier share (1,500.00 x 60% + 400.15 x 30%) / 1,900.15; Branch's line rounded to the penny
    share = (Fraction(150000) * Fraction(6, 10) + Fraction(40015) * Fraction(3, 10)) / 190015
    branch_r3 = int(Fraction(80000) * share + Fraction(1, 2))
    assert weighted["lm3_low"] == result.lm3 and weighted["lm3_high"] == lm3_of(r2, r3 - 360_00 + branch_r3)
    unknown = table.loc["spend not placed (location unknown)"]
    # Mystery Co (£300.00) all local at the local suppliers' R3/R2 = 1,380.05 / 2,700.15
    extra = int(Fraction(30000) * Fraction(138005, 270015) + Fraction(1, 2))
    assert unknown["lm3_high"] == lm3_of(r2 + 300_00, r3 + extra)
    assert list(result.sensitivity["swing"]) == sorted(result.sensitivity["swing"], reverse=True)
    assert result.to_dict()["sensitivity"][0]["assumption"] == result.sensitivity["assumption"].iloc[0]


def test_suppliers_of_unknown_type_are_not_a_category():
    """The sample's local suppliers have no VCSE/SME/large type in the register: 5 of its 7 respondents are of
    type "unknown", which is no category, so every non-respondent takes the mean of all 7 (NEF)."""
    from conftest import SAMPLE

    result = lm3.load_project(SAMPLE).calculate()
    local = result.suppliers[result.suppliers["local"]]
    answered = local[local["share_source"] == "survey"]
    assert len(answered) == 7
    mean = sum(Fraction(s).limit_denominator(1000) for s in answered["share"]) / 7
    others = local[local["share_source"] != "survey"]
    assert len(others) == 3
    assert set(others["share_source"]) == {"mean of 7 respondents among local suppliers"}
    for r2, r3 in zip(others["round2"], others["round3"], strict=True):
        assert r3 == int(Fraction(int(r2)) * mean + Fraction(1, 2))
