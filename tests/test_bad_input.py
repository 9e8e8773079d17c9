"""Every bad input gets a clear message naming the file, row and column, and a non-zero exit (or a listed
warning): never a traceback. Files in tests/data/bad hold one problem each."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from conftest import BAD, GOLDEN, money

import lm3
from lm3.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["calculate", *map(str, args)])


def base(**override):
    files = {"--payments": GOLDEN / "payments.csv", "--suppliers": GOLDEN / "suppliers.csv"}
    files.update(override)
    return [x for k, v in files.items() for x in (k, v)]


def test_missing_file():
    result = run(*base(**{"--payments": "no-such-file.csv"}), "--area", "Bradford")
    assert result.exit_code == 1
    assert result.output == "Error: Payments file not found: no-such-file.csv. Check the path.\n"


def test_missing_required_column_names_file_columns_found_and_expected():
    result = run(*base(**{"--payments": BAD / "missing_amount_column.csv"}), "--area", "Bradford")
    assert result.exit_code == 1
    assert result.output == (
        "Error: missing_amount_column.csv: no column for amount.\n"
        "  Columns found (row 1): Date, Supplier, Description\n"
        "  Amount may be headed: amount, net amount, net value, amount paid, payment amount, value, net, total\n"
        "  Rename the column in the file to one of these names, or say which column it is (columns).\n"
        "Try --columns.\n"
    )


def test_non_numeric_values_are_listed_with_row_and_column_and_a_blank_amount_is_no_error():
    # row 3's amount is unreadable (money of unknown size: the study cannot go ahead); row 4 has none at all
    # (no money: left out with a warning, never a reason to stop)
    result = run(*base(**{"--payments": BAD / "non_numeric_amount.csv"}), "--area", "Bradford")
    assert result.exit_code == 1
    assert result.output == (
        "Error: non_numeric_amount.csv: 1 row cannot be used:\n"
        "  row 3, column 'Amount': 'twelve pounds' is not an amount of money (write it like 1250.00 or -1,250.00)\n"
    )


def test_row_errors_carry_a_table_of_every_problem():
    with pytest.raises(lm3.RowErrors) as err:
        lm3.calculate(BAD / "non_numeric_amount.csv", GOLDEN / "suppliers.csv", area="Bradford")
    problems = err.value.problems
    assert problems["row"].tolist() == [3]  # row 4's blank amount is no money, not a problem
    assert problems["column"].tolist() == ["Amount"]
    assert problems["file"].unique().tolist() == ["non_numeric_amount.csv"]


def test_problems_in_several_files_are_reported_together():
    with pytest.raises(lm3.RowErrors) as err:
        lm3.calculate(
            BAD / "non_numeric_amount.csv",
            GOLDEN / "suppliers.csv",
            supplier_survey=BAD / "share_out_of_range.csv",
            area="Bradford",
        )
    assert set(err.value.problems["file"]) == {"non_numeric_amount.csv", "share_out_of_range.csv"}
    assert str(err.value).startswith("2 files: 2 rows cannot be used:")


def test_unknown_area_suggests_close_matches():
    result = run(*base(), "--area", "Bradfrod")
    assert result.exit_code == 1
    assert result.output == (
        "Error: Unknown area 'Bradfrod': give a local authority district by name or ONS code ('Bradford', "
        "'E08000032'), a council by its name ('Salford City Council'), a county ('Lancashire'), a combined "
        "authority or metropolitan county ('Greater Manchester', 'West Yorkshire', 'Tyne and Wear'), an English "
        "region ('North West'), a nation ('England', 'UK'), postcode districts or sectors ('BD7', 'BD7 1'), or a "
        "radius ('5km around BD1 1HY'). Did you mean: Bradford (E08000032)?\n"
        "Try --area.\n"
    )


def test_share_outside_range_names_row_and_value():
    result = run(*base(), "--supplier-survey", BAD / "share_out_of_range.csv", "--area", "Bradford")
    assert result.exit_code == 1
    assert result.output == (
        "Error: share_out_of_range.csv: 1 row cannot be used:\n"
        "  row 3, column 'Local spend share': '130%' is outside 0-100%: a share of spending must lie between "
        "0% and 100%\n"
    )


def test_ambiguous_share_is_rejected():
    result = run(*base(), "--supplier-survey", BAD / "share_ambiguous.csv", "--area", "Bradford")
    assert result.exit_code == 1
    assert "row 3, column 'Local spend share': '0.5' is ambiguous in a column of percentages" in result.output


def test_register_with_several_sites_per_supplier(golden):
    # CLES: a supplier "based in, or with a branch in" the area is local. Aire has sites in Leeds and
    # Bradford (a local branch); Leeds Widgets two in Leeds (non-local); Print Shop two in Bradford (local),
    # one repeated.
    golden["suppliers"] = BAD / "register_several_sites.csv"
    result = lm3.calculate(area="Bradford", **golden)
    s = result.suppliers.set_index("supplier")
    assert s.loc["AIRE VALLEY CATERING LTD", ["location", "local", "postcode", "round2"]].tolist() == [
        "local branch",
        True,
        "BD1 1AA",
        1_500_00,
    ]
    assert s.loc["AIRE VALLEY CATERING LTD", "reason"] == (
        "postcode BD1 1AA is in Bradford; other sites in the register lie outside the area (2 rows): "
        "a local branch, counted as local"
    )
    assert s.loc["Leeds Widgets Ltd", ["location", "round2"]].tolist() == ["non-local", 0]
    assert s.loc["Print Shop", ["location", "round2"]].tolist() == ["local", 400_15]
    assert (
        "register_several_sites.csv: 1 repeated register row(s) for the same supplier and postcode (rows 8); "
        "the first of each is used."
    ) in result.warnings
    assert (
        "register_several_sites.csv: 3 supplier(s) have several postcodes: Aire Valley Catering Limited "
        "(rows 2, 3); Leeds Widgets Ltd (rows 4, 5); Print Shop (rows 6, 7). A supplier with a site in the "
        "area counts as local; with sites in and outside it, as a local branch."
    ) in result.warnings
    not_local = lm3.calculate(area="Bradford", branch_is_local=False, **golden)
    assert not_local.round2 == result.round2 - 1_500_00  # Bradford Branch has no head office here: local


def test_blank_supplier_names_are_kept_as_location_unknown():
    result = lm3.calculate(
        BAD / "blank_supplier_name.csv",
        GOLDEN / "suppliers.csv",
        area="Bradford",
        supplier_survey=GOLDEN / "supplier-survey.csv",
    )
    assert result.round1 == 1_000_03
    nameless = result.suppliers.set_index("supplier").loc["(no supplier name)"]
    assert nameless[["payments", "round1", "location"]].tolist() == [2, 3, "unknown"]
    assert nameless["reason"] == "no supplier name in the payments: location unknown"
    assert (
        "blank_supplier_name.csv: 2 payment(s) with no supplier name (rows 3, 4), £0.03: counted in round 1, "
        "location unknown."
    ) in result.warnings


def test_total_row_at_end_is_the_files_own_total_when_it_reconciles():
    result = lm3.calculate(
        BAD / "total_row_at_end.csv",
        GOLDEN / "suppliers.csv",
        area="Bradford",
        supplier_survey=GOLDEN / "supplier-survey.csv",
    )
    assert result.round1 == 1_000_00 + 400_15  # not doubled by the total row
    assert (
        "total_row_at_end.csv: row 4 is the file's own total (£1,400.15), equal to the payments above it: "
        "not counted as a payment."
    ) in result.warnings


def test_total_row_that_does_not_reconcile_is_an_error():
    result = run(*base(**{"--payments": BAD / "total_row_does_not_reconcile.csv"}), "--area", "Bradford")
    assert result.exit_code == 1
    assert result.output == (
        "Error: total_row_does_not_reconcile.csv: 1 row cannot be used:\n"
        "  row 4, column 'Supplier': 'Grand Total' looks like a total row, but £1,500.00 is not the sum of the "
        "payments above it (£1,400.15, £99.85 less): correct or delete it\n"
    )


def test_postcode_not_found_and_supplier_missing_from_register_are_location_unknown(golden):
    golden["suppliers"] = BAD / "register_postcode_not_found.csv"
    result = lm3.calculate(area="Bradford", **golden)
    s = result.suppliers.set_index("supplier")
    assert s.loc["Print Shop", "location"] == "unknown"
    assert s.loc["Print Shop", "reason"] == (
        "postcode ZZ9 9ZZ (register row 5) is not in the ONS Postcode Directory: location unknown"
    )
    assert s.loc["Mystery Co", "reason"] == (
        "'not known' (register row 6) is not a UK postcode: location unknown"
    )
    assert s.loc["Mystery Co", "round2"] == 0 and s.loc["Print Shop", "round2"] == 0
    warning = next(w for w in result.warnings if w.startswith("Location unknown"))
    assert warning.startswith("Location unknown for 2 supplier(s), £700.15 of spend, not counted as local:")
    assert next(a for a in result.assumptions if a.name == "spend not placed (location unknown)").value == (
        "not counted as local, and not as leaving the area (£700.15); the bounds show LM3 with it local like "
        "the placed spend, and all local"
    )
    # not placed is its own line: never leakage
    assert result.not_placed == 700_15 == int(s.loc[["Print Shop", "Mystery Co"], "not_placed"].sum())
    assert (s.loc[["Print Shop", "Mystery Co"], "leakage_round2"] == 0).all()


def test_supplier_missing_from_register_is_listed_in_cli_output():
    result = run(*base(), "--supplier-survey", GOLDEN / "supplier-survey.csv", "--area", "Bradford")
    assert result.exit_code == 0, result.output
    assert (
        "  - Location unknown for 1 supplier(s), £300.00 of spend, not counted as local: Mystery Co (£300.00): "
        "not in any register held (your registers, the register store, the public bodies): location unknown. Add them to suppliers.csv with a postcode.\n"
    ) in result.output


def test_staff_home_postcode_missing_is_a_warning_with_rows_not_ids(golden):
    golden["payroll"] = BAD / "payroll_bad_postcode.csv"
    result = lm3.calculate(area="Bradford", **golden)
    assert (
        "payroll_bad_postcode.csv: home postcode missing or not found for 1 employee(s) (rows 3), £2,000.00 of "
        "pay: not counted as local. Correct the postcodes to include them."
    ) in result.warnings
    assert not any("E2" in w for w in result.warnings)


def test_no_survey_respondents_uses_the_published_default_and_says_so():
    result = run(*base(), "--area", "Bradford", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    # by hand: local suppliers Aire Valley 1,500.00, Bradford Branch 800.00 (a local branch), Print Shop
    # 400.15; at the shipped default of 76%: 1,140.00 + 608.00 + 304.11 (304.114) = 2,052.11
    assert money(out["round3"]) == Decimal("2052.11")
    default = next(a for a in out["assumptions"] if a["name"] == "default share for local suppliers")
    assert (
        default["value"] == "76.0%"
        and "Northumberland" in default["source"]
        and "(2005)" in default["source"]
    )
    assert "local suppliers on a published default share, not a survey" in out["headline"]
    assert out["responses"]["local suppliers"] == {
        "respondents": 0,
        "group_size": 3,
        "round2_covered": 0.0,
        "default_share": 0.76,
    }


def test_defaults_can_be_overridden(golden):
    del golden["supplier_survey"], golden["staff_survey"]
    result = lm3.calculate(area="Bradford", defaults={"supplier_share": "50%", "staff_share": 0.25}, **golden)
    staff = result.staff.set_index("home")
    # by hand at 50%: 750.00 + 400.00 + 200.08 (200.075, halves away from zero) = 1,350.08 from suppliers,
    # and 25% of the local staff's round 2
    local_staff_r2 = int(staff.loc["in the area", "round2"])
    assert result.round3 == 1_350_08 + round(local_staff_r2 * 0.25)
    assert [a.value for a in result.assumptions if a.name.startswith("default share")] == ["50.0%", "25.0%"]
    with pytest.raises(lm3.MethodError, match="Unknown default 'supplier'"):
        lm3.calculate(area="Bradford", defaults={"supplier": "50%"}, **golden)
    with pytest.raises(lm3.MethodError, match="Default staff_share = '150%' is outside 0-100%"):
        lm3.calculate(area="Bradford", defaults={"staff_share": "150%"}, **golden)


def test_staff_answers_from_no_local_employee_fall_back_to_the_default(golden, tmp_path):
    survey = tmp_path / "staff.csv"
    survey.write_text("Employee ID,Local spend share\nE2,50%\n")
    golden["staff_survey"] = survey
    result = lm3.calculate(area="Bradford", **golden)
    assert any(
        w.startswith("staff.csv: 1 answer(s) from staff living outside the area") for w in result.warnings
    )
    assert "local staff on a published default share" in result.headline
    assert [a.value for a in result.assumptions if a.name == "default share for local staff"] == ["45.4%"]


def test_net_pay_basis_without_net_column(golden, tmp_path):
    payroll = tmp_path / "payroll.csv"
    payroll.write_text("Employee ID,Home postcode,Gross pay\nE1,BD5 7LG,3000\n")
    golden["payroll"] = payroll
    with pytest.raises(lm3.InputError) as err:
        lm3.calculate(area="Bradford", pay_basis="net", **golden)
    assert str(err.value) == (
        "payroll.csv: pay basis 'net' needs a net pay column, and there is none.\n"
        "  Columns used: Employee ID, Home postcode, Gross pay\n"
        "  Add a column headed 'Net pay', or count pay gross (pay_basis='gross')."
    )


def test_income_that_is_not_money():
    result = run(*base(), "--area", "Bradford", "--income", "lots")
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: Income 'lots' is not an amount of money: write it like 250000 or 250,000.00.\n"
    )


def test_bad_pay_basis_is_a_usage_error():
    result = run(*base(), "--area", "Bradford", "--pay-basis", "taxed")
    assert result.exit_code == 2
    assert "Invalid value for '--pay-basis': 'taxed' is not one of 'gross', 'net'." in result.output


def test_missing_options_without_project():
    result = run("--suppliers", GOLDEN / "suppliers.csv")
    assert result.exit_code == 1
    assert result.output == (
        "Error: Missing payments, area: give them, or a project folder whose lm3.toml names them.\n"
        "Try --payments, --area.\n"
    )


def test_project_folder_without_config(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: Project folder not found: {tmp_path} has no lm3.toml. Give a folder holding lm3.toml, or "
        "the input files themselves (payments, suppliers, area).\nTry --payments, --suppliers, --area.\n"
    )


def test_unknown_setting_in_config(tmp_path):
    (tmp_path / "lm3.toml").write_text(
        'area = "Bradford"\nbranch_local = false\n[inputs]\npayment = "p.csv"\n'
    )
    result = run(tmp_path)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {tmp_path / 'lm3.toml'}: unknown setting 'branch_local', 'inputs.payment'. Settings: "
    )


def test_debug_shows_the_traceback():
    result = run(*base(), "--area", "Bradfrod", "--debug")
    assert result.exit_code == 1
    assert isinstance(result.exception, lm3.AreaError)
    assert result.exception.suggestions == ("Bradford (E08000032)",)


def test_warning_names_the_ten_largest_unknown_suppliers_only():
    import pandas as pd

    payments = pd.DataFrame(
        {"Supplier": [f"Firm {i}" for i in range(12)], "Amount": [str(100 + i) for i in range(12)]}
    )
    register = pd.DataFrame({"Supplier": ["Elsewhere Ltd"], "Postcode": ["LS1 4GS"]})
    result = lm3.calculate(payments, register, area="Bradford")
    warning = next(w for w in result.warnings if w.startswith("Location unknown"))
    assert warning.startswith(
        "Location unknown for 12 supplier(s), £1,266.00 of spend, not counted as local: Firm 11"
    )
    assert "Firm 2 (£102.00)" in warning and "Firm 1 (" not in warning
    assert "; and 2 more (see the supplier trace). Add them to the supplier register table" in warning


def test_employee_with_two_local_addresses_is_one_respondent(golden):
    # E1 moved within Bradford during the year: two payroll rows, one person, one survey answer (50%).
    golden["payroll"] = BAD / "payroll_moved_within_area.csv"
    result = lm3.calculate(area="Bradford", **golden)
    here = result.staff.set_index("home").loc["in the area"]
    assert here[["employees", "respondents", "round2"]].tolist() == [2, 1, 4_000_00]
    assert here["round3"] == 1_800_00 // 2 + 1_200_00 // 2 + 1_000_00 // 2  # E3 takes the mean: 50%
    assert (
        "Staff groups with fewer than 3 employees: in the area (2), outside the area (1). Their pay totals are "
        "close to one person's pay: take care before publishing the staff table."
    ) in result.warnings
