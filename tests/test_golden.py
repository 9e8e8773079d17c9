"""The method against a small example worked out by hand (files in tests/data/golden).

Area: Bradford (E08000032). Postcodes are real; where each lies is from the ONS Postcode Directory:
BD1 1AA, BD1 1SZ, BD5 0JL, BD5 7LG, BD7 2HR are in Bradford; LS1 4GS, LS6 2HF in Leeds; EC2M 7NL in the
City of London.

Payments (credit notes net off; names match the register whatever the case or legal suffix):
    Aire Valley Catering    1,000.00 + 500.00      = 1,500.00   local (BD1 1AA)
    Leeds Widgets           2,000.00               = 2,000.00   non-local (LS1 4GS)
    Bradford Branch         1,000.00 - 200.00      =   800.00   local branch (BD1 1SZ; head office EC2M 7NL)
    Mystery Co                300.00               =   300.00   not in the register: location unknown
    Print Shop                400.15               =   400.15   local (BD5 0JL)
    total                                          = 5,000.15
Payroll (gross / net): E1 BD5 7LG 3,000 / 2,400 (local); E2 LS6 2HF 2,000 / 1,700 (not local);
    E3 BD7 2HR 1,000 / 900 (local). Gross total 6,000.00.
Supplier survey: Aire Valley 60%, Print Shop 30%; Bradford Branch did not answer -> mean (60 + 30) / 2 = 45%.
Staff survey: E1 0.5; E2 0.9 (lives in Leeds: not used); E3 did not answer -> mean of local respondents 0.5.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import lm3

POUND = 100  # pence


def test_rounds_by_hand(golden):
    result = lm3.calculate(area="Bradford", **golden)

    r1 = 5_000_15 + 6_000_00  # payments + gross payroll, in pence
    r2 = (1_500_00 + 800_00 + 400_15) + (
        3_000_00 + 1_000_00
    )  # local suppliers (branch counted) + local staff
    # Round 3, each line rounded to the penny, halves away from zero:
    #   Aire 1,500.00 x 60% = 900.00; Print 400.15 x 30% = 120.045 -> 120.05; Branch 800.00 x 45% = 360.00
    #   E1 3,000.00 x 50% = 1,500.00; E3 1,000.00 x 50% (mean) = 500.00
    r3 = 900_00 + 120_05 + 360_00 + 1_500_00 + 500_00
    assert (result.round1, result.round2, result.round3) == (r1, r2, r3)
    assert result.lm3 == pytest.approx((11_000.15 + 6_700.15 + 3_380.05) / 11_000.15)


def test_supplier_trace_by_hand(golden):
    result = lm3.calculate(area="Bradford", **golden)
    s = result.suppliers.set_index("supplier")
    assert s.loc["Aire Valley Catering Limited", ["payments", "round1", "round2", "round3"]].tolist() == [
        2,
        1_500_00,
        1_500_00,
        900_00,
    ]
    assert s.loc["Aire Valley Catering Limited", "share_source"] == "survey"
    assert s.loc["Bradford Branch PLC", "location"] == "local branch"
    assert s.loc["Bradford Branch PLC", "share"] == pytest.approx(0.45)
    assert s.loc["Bradford Branch PLC", "share_source"] == "mean of 2 respondents among local suppliers"
    assert s.loc["Bradford Branch PLC", "head_office_lad_name"] == "City of London"
    assert s.loc["Leeds Widgets Ltd", ["location", "round2", "leakage_round2"]].tolist() == [
        "non-local",
        0,
        2_000_00,
    ]
    assert s.loc["Leeds Widgets Ltd", "reason"] == "postcode LS1 4GS is in Leeds"
    assert s.loc["Mystery Co", "location"] == "unknown"
    assert (
        s.loc["Mystery Co", "reason"]
        == "not in any register held (your registers, the register store, the public bodies): location unknown"
    )
    assert s.loc["Print Shop", "round3"] == 120_05
    assert s.loc["Print Shop", "leakage_round3"] == 400_15 - 120_05
    # The trace reconciles to the rounds, to the penny.
    assert s["round1"].sum() == 5_000_15
    assert s["round2"].sum() + result.staff["round2"].sum() == result.round2
    assert s["round3"].sum() + result.staff["round3"].sum() == result.round3


def test_staff_are_aggregates_by_hand(golden):
    result = lm3.calculate(area="Bradford", **golden)
    staff = result.staff.set_index("home")
    assert staff.loc["in the area", ["employees", "round1", "round2", "respondents", "round3"]].tolist() == [
        2,
        4_000_00,
        4_000_00,
        1,
        2_000_00,
    ]
    assert staff.loc["outside the area", ["employees", "round1", "round2", "leakage_round2"]].tolist() == [
        1,
        2_000_00,
        0,
        2_000_00,
    ]
    assert "E1" not in result.staff.to_string() and "employee" not in result.staff.columns


def test_branch_not_local_by_hand(golden):
    result = lm3.calculate(area="Bradford", branch_is_local=False, **golden)
    # Bradford Branch's 800.00 leaves round 2; the supplier mean is over Aire and Print, who both answered.
    assert result.round2 == 1_500_00 + 400_15 + 4_000_00
    assert result.round3 == 900_00 + 120_05 + 1_500_00 + 500_00
    branch = result.suppliers.set_index("supplier").loc["Bradford Branch PLC"]
    assert branch["reason"].endswith("a local branch, not counted as local (branch_is_local is off)")


def test_net_pay_basis_by_hand(golden):
    result = lm3.calculate(area="Bradford", pay_basis="net", **golden)
    assert result.round1 == 11_000_15  # round 1 is what was spent: gross pay
    assert result.round2 == 2_700_15 + 2_400_00 + 900_00
    assert result.round3 == 1_380_05 + 1_200_00 + 450_00


def test_income_replaces_round1_by_hand(golden):
    result = lm3.calculate(area="Bradford", income="20,000", **golden)
    assert result.round1 == 20_000_00
    assert result.lm3 == pytest.approx((20_000 + 6_700.15 + 3_380.05) / 20_000)
    assert result.headline.startswith("Every £1 of income creates £1.50 for Bradford")


def test_warnings_and_assumptions_are_listed(golden):
    result = lm3.calculate(area="Bradford", **golden)
    assert any("Location unknown for 1 supplier(s), £300.00 of spend" in w for w in result.warnings)
    assert any("from staff living outside the area are not used" in w for w in result.warnings)
    names = [a.name for a in result.assumptions]
    assert "local branch of a non-local head office" in names and "pay basis" in names
    assert all(a.source for a in result.assumptions)


def test_dataframes_work_as_inputs(golden):
    import pandas as pd

    frames = {k: pd.read_csv(v, dtype="str", keep_default_na=False) for k, v in golden.items()}
    from_frames = lm3.calculate(area="E08000032", **frames)
    from_files = lm3.calculate(area="Bradford", **golden)
    assert (from_frames.round1, from_frames.round2, from_frames.round3) == (
        from_files.round1,
        from_files.round2,
        from_files.round3,
    )


def test_spend_not_placed_is_its_own_line_with_bounds_by_hand(golden):
    """Mystery Co's £300.00 is not placed: neither round 2 nor leakage, a line of its own; coverage and the
    bounds worked by hand from the example above."""
    result = lm3.calculate(area="Bradford", **golden)
    r1, r2, r3 = 11_000_15, 6_700_15, 3_380_05
    assert (result.payments, result.placed, result.unplaced) == (5_000_15, 4_700_15, 300_00)
    assert result.coverage == 4_700_15 / 5_000_15
    assert (result.placed_suppliers, result.unplaced_suppliers) == (4, 1)
    # local share: local supplier payments over placed ones (Aire 1,500.00 + Branch 800.00 + Print 400.15)
    assert result.local_share == 2_700_15 / 4_700_15
    # leakage in round 2: Leeds Widgets 2,000.00 and E2's pay 2,000.00; not the 300.00 not placed
    assert result.leakage == {"round2": 4_000_00, "round3": r2 - r3, "not_placed": 300_00}
    assert r1 - r2 == result.leakage["round2"] + result.leakage["not_placed"]
    rows = result.summary().set_index("round")
    assert rows.loc["Not placed", "amount"] == 300_00
    # bounds: local suppliers re-spend R3 / R2 = (900.00 + 120.05 + 360.00) / 2,700.15 of their round 2
    rate = Fraction(1_380_05, 2_700_15)
    like = Fraction(300_00) * Fraction(2_700_15, 4_700_15)  # 172.34... local like the placed spend
    like_r2 = int(like + Fraction(1, 2))
    like_r3 = int(like_r2 * rate + Fraction(1, 2))
    all_r3 = int(300_00 * rate + Fraction(1, 2))
    b = result.bounds
    assert b.not_local == result.lm3 == (r1 + r2 + r3) / r1
    assert b.like_placed == (r1 + r2 + like_r2 + r3 + like_r3) / r1
    assert b.all_local == (r1 + r2 + 300_00 + r3 + all_r3) / r1
    assert result.to_dict()["bounds"]["all_local"] == b.all_local
    assert "only 94% of supplier spend placed" in result.headline
