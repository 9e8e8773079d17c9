"""Published LM3 figures and round-3 rates, worked by hand from their sources, and lm3 run to reproduce them.

- East Riding of Yorkshire Council's Withernsea Boat Compound project: round 1 £940k, round 2 £162k, round 3
  nothing: "LM3 = £1.17", (940 + 162 + 0) / 940 = 1.1723.
- NEF with Northumberland County Council (2005): local suppliers re-spent 76% locally, non-local ones 36% in
  the county: "£1 spent with a local supplier was worth £1.76 to the county, 36p with a non-local one".
- CLES for Kirklees Council (2018, 285 responses): staff spent 35p of each £1 of net pay in Kirklees.
- CLES for Manchester City Council (2015/16): its responding top-300 suppliers re-spent 43p of each £1.

The files each study reads are written here, as a person would type them from the published figures.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

import lm3


def _write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def test_withernsea_boat_compound_is_1_17(tmp_path):
    # £162k spent with a Withernsea firm (HU19, East Riding), £778k with one in Leeds; the local firm re-spent
    # none of it locally (round 3 is nothing): (940 + 162 + 0) / 940
    payments = _write(
        tmp_path / "payments.csv",
        "Supplier,Postcode,Amount\nWithernsea Marine Works Ltd,HU19 2DL,162000.00\nLeeds Civils Ltd,LS1 4DY,778000.00\n",
    )
    survey = _write(tmp_path / "survey.csv", "Supplier,Local spend share\nWithernsea Marine Works Ltd,0%\n")
    result = lm3.calculate(payments, area="East Riding of Yorkshire", supplier_survey=survey)
    assert (result.round1, result.round2, result.round3) == (940_000_00, 162_000_00, 0)
    assert result.lm3 == pytest.approx((940 + 162 + 0) / 940)
    assert f"{result.lm3:.2f}" == "1.17"
    assert result.rule is not None and result.rule.round3 == ("local suppliers by survey (1 of 1 answered)",)


def test_northumberland_local_supplier_pound_is_1_76_and_non_local_36p(tmp_path):
    payments = _write(
        tmp_path / "payments.csv",
        "Supplier,Postcode,Amount\nHexham Joinery Ltd,NE46 1AA,100.00\nCarlisle Paving Ltd,CA3 8JH,100.00\n",
    )
    result = lm3.calculate(payments, area="Northumberland", count_non_local=True)
    worth = result.value_of_a_pound()
    assert worth["local_supplier"] == pytest.approx(1.76)  # £1 + 76p re-spent in the county
    assert worth["non_local_supplier"] == pytest.approx(0.36)
    assert result.round3 == 76_00 and result.non_local is not None and result.non_local.amount == 36_00
    assert result.rule is not None and result.rule.round3 == (
        "local suppliers at a published 76.0% (NEF with Northumberland County Council, 2005)",
    )


def _kirklees(tmp_path, pay_basis: str, net: bool = True) -> lm3.LM3Result:
    # two staff living in Huddersfield (Kirklees), paid gross £30,000 and £20,000, net £23,400 and £16,200
    payroll = "Employee ID,Home postcode,Gross pay" + (",Net pay" if net else "") + "\n"
    payroll += "K1,HD1 2TA,30000.00" + (",23400.00" if net else "") + "\n"
    payroll += "K2,HD1 2TA,20000.00" + (",16200.00" if net else "") + "\n"
    payments = _write(
        tmp_path / "payments.csv", "Supplier,Postcode,Amount\nLeeds Civils Ltd,LS1 4DY,1000.00\n"
    )
    return lm3.calculate(
        payments,
        area="Kirklees",
        payroll=_write(tmp_path / "payroll.csv", payroll),
        pay_basis=pay_basis,
        defaults={"staff_share": "kirklees-2018"},
    )


@pytest.mark.parametrize("pay_basis", ["net", "gross"])
def test_kirklees_35p_of_net_pay_is_35p_of_net_pay_on_either_basis(tmp_path, pay_basis):
    # round 3 is 35% of the net pay (£23,400 + £16,200 = £39,600): £13,860, whether round 2 counts pay net
    # (35% as it is) or gross (35% of net is 35% x 39,600 / 50,000 = 27.72% of gross)
    result = _kirklees(tmp_path, pay_basis)
    assert result.round3 == 13_860_00
    staff = next(r for r in result.responses if r.group == "local staff")
    assert staff.default is not None and staff.default.key == "kirklees-2018"
    assert staff.default.share == (Fraction(35, 100) if pay_basis == "net" else Fraction(2772, 10000))


def test_kirklees_on_gross_pay_without_net_pay_uses_the_worked_net_of_gross(tmp_path):
    # no net pay: 35% of net, with net 78.3% of gross (a £25,000 council salary, worked in defaults.toml)
    result = _kirklees(tmp_path, "gross", net=False)
    assert result.round3 == int(Decimal("50000.00") * 100 * Decimal("0.35") * Decimal("0.783"))
    assert any(
        a.name == "default share for local staff" and "net pay" in a.source for a in result.assumptions
    )


def test_the_published_rates_move_the_sensitivity_of_a_figure_on_defaults():
    project = lm3.load_project(lm3.sample("no-surveys"))
    result = project.calculate()
    line = next(s for s in result.sensitivity.to_dict("records") if "local suppliers" in s["assumption"])
    assert (line["low"], line["high"]) == ("43.0%", "76.0%")
    assert "Manchester" in line["range"] and "Northumberland" in line["range"]
    manchester = project.with_options(defaults={"supplier_share": "manchester-2015"}).calculate()
    assert line["lm3_low"] == pytest.approx(manchester.lm3)  # the low end is the figure on Manchester's rate
    assert manchester.rule is not None and manchester.rule.round3[0] == (
        "local suppliers at a published 43.0% (CLES for Manchester City Council, 2015/16)"
    )


def test_a_default_naming_no_published_rate_lists_them():
    with pytest.raises(lm3.MethodError) as err:
        lm3.load_project(lm3.sample("no-surveys")).with_options(
            defaults={"supplier_share": "preston"}
        ).calculate()
    assert "northumberland-2005" in str(err.value) and "manchester-2015" in str(err.value)
