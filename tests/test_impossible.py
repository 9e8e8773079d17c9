"""Results that cannot be true are never reported as true: the headline says so, with a warning by code.

NEF's rounds nest (0 <= R3 <= R2 <= R1, so 1 <= LM3 <= 3); inputs can break that (income below the spend,
credit notes exceeding payments, negative pay, survey answers from nobody in the study)."""

from __future__ import annotations

import lm3


def _codes(result):
    return {w.code for w in result.implausible}


def test_income_below_what_reaches_local_suppliers_is_named_in_the_headline(golden):
    # round 2 of the golden example is £6,700.15; an income of £5,000.00 cannot hold it
    result = lm3.calculate(area="Bradford", income="5000", **golden)
    assert "round2-exceeds-round1" in _codes(result) and "lm3-out-of-range" in _codes(result)
    assert result.headline.endswith(
        "This cannot be true as it stands: LM3 lies outside 1 to 3 and 1 more; see the warnings."
    )
    assert any(w.code == "round2-exceeds-round1" for w in result.warnings)


def test_a_local_group_with_more_credit_notes_than_payments(tmp_path, golden):
    """Print Shop (local, BD5 0JL) is refunded more than it was paid: local suppliers' round 2 is negative."""
    (tmp_path / "payments.csv").write_text(
        "Supplier,Amount\nPrint Shop,100.00\nPrint Shop,-900.00\nLeeds Widgets Ltd,2000.00\n",
        encoding="utf-8",
    )
    result = lm3.calculate(
        tmp_path / "payments.csv", golden["suppliers"], area="Bradford", defaults={"supplier_share": "50%"}
    )
    assert result.round2 == -800_00
    assert "group-round2-negative" in _codes(result) and "This cannot be true as it stands" in result.headline


def test_negative_pay_and_an_answer_from_nobody_are_named(tmp_path, golden):
    (tmp_path / "payroll.csv").write_text(
        "Employee ID,Home postcode,Gross pay\nE1,BD5 7LG,3000.00\nE2,BD7 2HR,-500.00\n", encoding="utf-8"
    )
    (tmp_path / "staff-survey.csv").write_text(
        "Employee ID,Local spend share\nE1,0.5\nE9,0.4\n", encoding="utf-8"
    )
    result = lm3.calculate(
        golden["payments"],
        golden["suppliers"],
        area="Bradford",
        payroll=tmp_path / "payroll.csv",
        staff_survey=tmp_path / "staff-survey.csv",
        supplier_survey=golden["supplier_survey"],
    )
    assert {"pay-negative", "survey-answer-names-nobody"} <= _codes(result)
    said = next(w for w in result.implausible if w.code == "pay-negative")
    assert "payroll rows 3" in said  # the row, never the employee


def test_the_sample_is_plausible():
    from conftest import SAMPLE

    result = lm3.load_project(SAMPLE).calculate()
    assert result.implausible == () and "cannot be true" not in result.headline
