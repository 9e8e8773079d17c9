"""Survey forms: written as real workbooks, filled in with openpyxl as a person would, read back.

The golden example (tests/data/golden, see test_golden.py) is answered again through the forms, with
answers that combine to the same shares, so the rounds must equal the figures worked by hand there:
    supplier Aire Valley: 40% of costs with local suppliers + 20% on local staff = 60%
    supplier Print Shop: 30% with local suppliers, staff part left blank (taken as 0%) = 30%
    employee E1 (one-person form): housing £800 at 100%, food £300 at 60%, income tax £700 at 0%,
        savings £200 at 10%: (800 + 180 + 0 + 20) / (800 + 300 + 700 + 200) = 1000 / 2000 = 50%
    employee E2 (a row of Responses; lives in Leeds, so unused): housing £900 at 100%, income tax £100 at
        0% = 90%
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from openpyxl import load_workbook

import lm3
from lm3.cli import cli
from lm3.errors import InputError, RowErrors
from lm3.inputs.surveys import STAFF_CATEGORIES

CATEGORY = {key: label for key, label, _ in STAFF_CATEGORIES}


def _fill_form(path, employee, answers):
    """Fill the one-person sheet: answers maps category key -> (£ a month, % in the area)."""
    book = load_workbook(path)
    form = book["Your spending"]
    form["B4"] = employee
    for row in range(7, 7 + len(STAFF_CATEGORIES)):
        key = next(k for k, label in CATEGORY.items() if label == form.cell(row, 1).value)
        if key in answers:
            form.cell(row, 2, answers[key][0])
            form.cell(row, 3, answers[key][1])
    book.save(path)


def _fill_responses(path, rows):
    """Fill rows of the Responses sheet: each a dict of header -> value (the respondent in column A)."""
    book = load_workbook(path)
    sheet = book["Responses"]
    headers = [c.value for c in sheet[1]]
    for i, answers in enumerate(rows, start=2):
        for header, value in answers.items():
            sheet.cell(i, headers.index(header) + 1, value)
    book.save(path)


SUPPLIERS_PART = "% of costs spent with suppliers based in the area (0-100)"
STAFF_PART = "% of costs paid to staff who live in the area (0-100)"


def _amount(key):
    return f"{CATEGORY[key]}: £ a month"


def _local(key):
    return f"{CATEGORY[key]}: % in the area (0-100)"


def test_templates_name_the_area_and_check_every_answer_cell(tmp_path):
    staff = lm3.write_survey_template(
        "staff", tmp_path / "staff.xlsx", area="Bradford", name="Trident", rows=10
    )
    book = load_workbook(staff.path)
    assert book.sheetnames == ["Instructions", "Your spending", "Responses"]
    notes = "\n".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    assert "The area: Bradford." in notes and "Trident" in notes
    assert "The area: Bradford." in book["Your spending"]["A2"].value
    labels = [book["Your spending"].cell(r, 1).value for r in range(7, 7 + len(STAFF_CATEGORIES))]
    for expected in (
        "Housing (rent or mortgage)",
        "Council tax",
        "Food and groceries",
        "Travel and transport",
    ):
        assert expected in labels
    assert "Income tax and National Insurance" in labels and "Savings and pensions" in labels
    responses = book["Responses"]
    headers = [c.value for c in responses[1]]
    assert headers[0] == "Employee ID" and len(headers) == 1 + 2 * len(STAFF_CATEGORIES)
    rules = {
        (v.type, v.operator, v.formula1, v.formula2): str(v.sqref)
        for v in responses.data_validations.dataValidation
    }
    percent = rules[("decimal", "between", "0", "100")]
    pounds = rules[("decimal", "greaterThanOrEqual", "0", None)]
    # every % column and every £ column of the 10 rows is checked
    assert "C2:C11" in percent and "B2:B11" in pounds and len(percent.split()) == len(pounds.split()) == 13

    suppliers = lm3.write_survey_template(
        "suppliers", tmp_path / "s.xlsx", area="Bradford", respondents=["=cmd()", "Acme Ltd"], rows=0
    )
    book = load_workbook(suppliers.path)
    sheet = book["Responses"]
    assert [c.value for c in sheet[1]] == ["Supplier name", SUPPLIERS_PART, STAFF_PART]
    assert sheet["A2"].value == "=cmd()" and sheet["A2"].data_type == "s"  # a name never becomes a formula
    assert str(sheet.data_validations.dataValidation[0].sqref) == "B2:B3 C2:C3"
    with pytest.raises(InputError, match=r"\.xlsx"):
        lm3.write_survey_template("staff", tmp_path / "staff.csv", area="Bradford")
    with pytest.raises(InputError, match="suppliers or staff"):
        lm3.write_survey_template("volunteers", tmp_path / "v.xlsx", area="Bradford")


def test_golden_example_answered_through_the_forms_gives_the_hand_worked_rounds(golden, tmp_path):
    forms = tmp_path / "staff-forms"
    forms.mkdir()
    for name in ("e1.xlsx", "e2.xlsx", "blank.xlsx"):
        lm3.write_survey_template("staff", forms / name, area="Bradford", rows=3)
    _fill_form(
        forms / "e1.xlsx",
        "E1",
        {"housing": (800, 100), "food": (300, 60), "income_tax": (700, 0), "savings": (200, 10)},
    )
    _fill_responses(
        forms / "e2.xlsx",
        [
            {
                "Employee ID": "E2",
                _amount("housing"): 900,
                _local("housing"): 100,
                _amount("income_tax"): 100,
                _local("income_tax"): 0,
            }
        ],
    )
    supplier_form = tmp_path / "supplier-survey.xlsx"
    lm3.write_survey_template("suppliers", supplier_form, area="Bradford", rows=5)
    _fill_responses(
        supplier_form,
        [
            {"Supplier name": "Aire Valley Catering Ltd", SUPPLIERS_PART: 40, STAFF_PART: 20},
            {"Supplier name": "Print Shop", SUPPLIERS_PART: 30},
        ],
    )

    staff = lm3.read_survey(forms, "staff")
    assert dict(zip(staff.data["key"], staff.data["share"], strict=True)) == {
        "E1": Fraction(1, 2),
        "E2": Fraction(9, 10),
    }
    assert set(staff.data["how"]) == {"categories"}
    suppliers = lm3.read_survey(supplier_form, "suppliers")
    assert dict(zip(suppliers.data["supplier"], suppliers.data["share"], strict=True)) == {
        "Aire Valley Catering Ltd": Fraction(60, 100),
        "Print Shop": Fraction(30, 100),
    }
    assert any(
        "one of the two parts is blank, taken as 0%" in w and "rows 3" in w for w in suppliers.warnings
    )

    by_forms = lm3.calculate(
        golden["payments"],
        golden["suppliers"],
        payroll=golden["payroll"],
        supplier_survey=supplier_form,
        staff_survey=forms,
        area="Bradford",
    )
    r3 = 900_00 + 120_05 + 360_00 + 1_500_00 + 500_00  # as worked in test_golden.py
    assert (by_forms.round1, by_forms.round2, by_forms.round3) == (
        5_000_15 + 6_000_00,
        2_700_15 + 4_000_00,
        r3,
    )
    assert any("living outside the area" in w and "e2.xlsx row 2" in w for w in by_forms.warnings)


def test_per_category_answers_combine_weighted_by_pounds(tmp_path):
    path = tmp_path / "staff.xlsx"
    lm3.write_survey_template("staff", path, area="Leeds", rows=3)
    _fill_responses(
        path,
        [
            # (600 x 100% + 250 x 40% + 400 x 0%) / 1250 = 700 / 1250 = 56%
            {
                "Employee ID": "A1",
                _amount("housing"): 600,
                _local("housing"): 100,
                _amount("food"): 250,
                _local("food"): 40,
                _amount("income_tax"): 400,
                _local("income_tax"): 0,
            },
            # one category: its own share; pence kept exact: 33.33 x 1/3 ... (12.34 x 25%) / 12.34 = 25%
            {"Employee ID": "A2", _amount("leisure"): "12.34", _local("leisure"): "25%"},
            {"Employee ID": "A3"},  # did not answer
        ],
    )
    table = lm3.read_survey(path, "staff")
    assert dict(zip(table.data["key"], table.data["share"], strict=True)) == {
        "A1": Fraction(56, 100),
        "A2": Fraction(1, 4),
    }
    assert any("1 row(s) with no answer given (rows 4)" in w for w in table.warnings)


def test_bad_answers_name_file_row_and_column(tmp_path):
    path = tmp_path / "suppliers.xlsx"
    lm3.write_survey_template("suppliers", path, area="Bradford", rows=4)
    _fill_responses(
        path,
        [
            {"Supplier name": "Too Much Ltd", SUPPLIERS_PART: 70, STAFF_PART: 40},
            {"Supplier name": "Excel Percent Ltd", SUPPLIERS_PART: 0.6},
            {SUPPLIERS_PART: 10},
        ],
    )
    with pytest.raises(RowErrors) as err:
        lm3.read_survey(path, "suppliers")
    problems = err.value.problems.set_index("row")
    assert problems.loc[2, "file"] == "suppliers.xlsx" and problems.loc[2, "column"] == STAFF_PART
    assert "more than 100%" in problems.loc[2, "problem"]
    assert "ambiguous" in problems.loc[3, "problem"] and "write 60 for 60%" in problems.loc[3, "problem"]
    assert problems.loc[4, "column"] == "Supplier name" and "blank" in problems.loc[4, "problem"]

    staff = tmp_path / "staff.xlsx"
    lm3.write_survey_template("staff", staff, area="Bradford", rows=1)
    _fill_form(staff, "E7", {"food": (250, None), "travel": ("lots", 50)})
    with pytest.raises(RowErrors) as err:
        lm3.read_survey(staff, "staff")
    text = str(err.value)
    assert (
        "staff.xlsx" in text and "Food and groceries: £ a month (row 10)" in text and "% of it spent" in text
    )
    assert "'lots' is not an amount of money" in text


def test_different_answers_from_one_respondent_in_two_files_are_an_error(tmp_path):
    for name, share in (("a.csv", "40%"), ("b.csv", "50%"), ("c.csv", "40%")):
        (tmp_path / name).write_text(f"Supplier,Local spend share\nAcme Ltd,{share}\n")
    with pytest.raises(RowErrors, match="several different answers"):
        lm3.read_survey([tmp_path / "a.csv", tmp_path / "b.csv"], "suppliers")
    same = lm3.read_survey([tmp_path / "a.csv", tmp_path / "c.csv"], "suppliers")
    assert len(same.data) == 1 and any("counted once (c.csv row 2)" in w for w in same.warnings)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no CSV or Excel files"):
        lm3.read_survey(empty, "suppliers")


def test_cli_writes_a_supplier_survey_listing_the_projects_local_suppliers(tmp_path, ons):
    runner = CliRunner()
    out = tmp_path / "supplier-survey.xlsx"
    done = runner.invoke(
        cli, ["survey", "template", "suppliers", "--project", str(SAMPLE), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    # independently: the sample register's suppliers whose postcode the ONS directory puts in Bradford
    register = pd.read_excel(SAMPLE / "suppliers.xlsx", engine="openpyxl")
    lad = register["Postcode"].str.replace(" ", "").map(ons["laua"])
    local = set(register.loc[lad == "E08000032", "Supplier"])
    assert "Dales Outdoor Education Ltd" not in local and len(local) == 10  # BD23 is Craven, not Bradford
    names = [c.value for c in load_workbook(out)["Responses"]["A"][1:] if c.value]
    assert set(names) == local and f"listing {len(local)} local supplier(s)" in done.output
    staff = runner.invoke(cli, ["survey", "template", "staff", "--out", str(tmp_path / "s.xlsx")])
    assert staff.exit_code != 0 and "Name the area" in staff.output


def test_a_form_sent_back_empty_is_said_so(tmp_path, golden):
    empty = tmp_path / "staff.xlsx"
    lm3.write_survey_template("staff", empty, area="Bradford", rows=2)
    assert lm3.read_survey(empty, "staff").warnings == (
        "staff.xlsx: no answers in it: the group is treated as having no respondents.",
    )
    result = lm3.calculate(area="Bradford", **(golden | {"staff_survey": empty}))
    assert "round 3 for local staff on a published default share" in result.headline
    assert any("staff.xlsx: no answers in it" in w for w in result.warnings)
