"""The Python API keeps its promise: every failure is an ``lm3.LM3Error``. Wrong types and values for every
public function and every lm3.toml setting get a message naming the parameter (or setting) and what it
accepts, never a TypeError or AttributeError from deep inside."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOLDEN

import lm3

STUDY = {"payments": GOLDEN / "payments.csv", "suppliers": GOLDEN / "suppliers.csv", "area": "Bradford"}

# (parameter, a wrong value) for lm3.calculate: each must be refused naming the parameter
CALCULATE = [
    ("level", 90),
    ("level", "x"),
    ("level", None),
    ("seed", "a"),
    ("seed", 1.5),
    ("seed", -1),
    ("draws", 10**9),
    ("draws", 0),
    ("draws", "x"),
    ("area", 5),
    ("area", None),
    ("area", ""),
    ("pay_basis", 3),
    ("imputation", None),
    ("min_category", -3),
    ("min_category", "x"),
    ("match_threshold", 500),
    ("match_threshold", "x"),
    ("match_threshold", float("nan")),
    ("income", [1]),
    ("income", 1e400),
    ("income", 2.5),  # money is exact: a float is not
    ("income", True),
    ("columns", 5),
    ("columns", {"supplier": 5}),
    ("register_columns", [1]),
    ("sheet", 5),
    ("branch_is_local", "no"),
    ("count_non_local", "yes"),
    ("name", 5),
    ("defaults", 5),
    ("exclude", 5),
    ("payments", 5),
    ("payments", [5]),
    ("suppliers", 5),  # None is no register: the spend file, the store and the public bodies place suppliers
    ("registers", 5),
    ("payroll", 5),
    ("supplier_survey", 5),
    ("staff_survey", {"a": 1}),
    ("progress", 5),
]


@pytest.mark.parametrize(("param", "value"), CALCULATE, ids=[f"{p}={v!r}" for p, v in CALCULATE])
def test_calculate_names_each_bad_parameter(param, value):
    with pytest.raises(lm3.LM3Error) as err:
        lm3.calculate(**(STUDY | {param: value}))
    assert param in err.value.params and str(err.value).startswith(param), str(err.value)


def _result():
    return lm3.calculate(**STUDY)


def _located():
    return lm3.locate(STUDY["payments"], STUDY["suppliers"], area="Bradford")


# (what is called, the parameter it must name) for the rest of the public API
OTHERS = [
    (lambda: lm3.write_report(_result(), 5), "out"),
    (lambda: lm3.write_report(_result(), "/tmp/lm3-x", formats=5), "formats"),
    (lambda: lm3.write_report(5, "/tmp/lm3-x"), "result"),
    (lambda: lm3.write_report(_result(), "/tmp/lm3-x", scenarios=5), "scenarios"),
    (lambda: _result().scenarios(5), "shifts"),
    (lambda: _result().scenarios([5]), "shifts"),
    (lambda: lm3.scenarios(5, ["share=10%"]), "result"),
    (lambda: lm3.frontend.parse_shift(5), "shift"),
    (lambda: lm3.compare(5), "results"),
    (lambda: lm3.compare([5]), "results"),
    (lambda: lm3.write_supplier_template(_located(), 5), "path"),
    (lambda: lm3.write_supplier_template(_located(), "/tmp/t.xlsx", limit="x"), "limit"),
    (lambda: lm3.write_supplier_template(5, "/tmp/t.xlsx"), "result"),
    (lambda: lm3.write_survey_template("staff", "/tmp/s.xlsx", area="Bradford", rows=-1), "rows"),
    (lambda: lm3.write_survey_template("staff", "/tmp/s.xlsx", area="Bradford", rows=10**9), "rows"),
    (lambda: lm3.write_survey_template("staff", "/tmp/s.xlsx", area=5), "area"),
    (
        lambda: lm3.write_survey_template("suppliers", "/tmp/s.xlsx", area="Bradford", respondents=5),
        "respondents",
    ),
    (lambda: lm3.read_survey(5, "staff"), "sources"),
    (lambda: lm3.resolve_area(5), "area"),
    (lambda: lm3.frontend.resolve_tiers(5, lm3.resolve_area("Bradford")), "tiers"),
    (lambda: lm3.locate(STUDY["payments"], STUDY["suppliers"], area="Bradford", tiers=5), "tiers"),
    (lambda: lm3.to_json(object()), "value"),
    (lambda: lm3.format_gbp("x"), "pence"),
    (lambda: lm3.ingest(5), "source"),
    (lambda: lm3.ingest(STUDY["payments"], merge_threshold=500), "merge_threshold"),
    (lambda: lm3.match_companies_house(5, lm3.suppliers_to_look_up(_located())), "files"),
    (lambda: lm3.read_registers(5), "suppliers"),
    (lambda: lm3.load_project(5), "directory"),
    (lambda: lm3.write_table(5, "/tmp/x.csv"), "frame"),
    (lambda: lm3.suppliers_to_look_up(5), "result"),
    (lambda: lm3.local_suppliers(5), "located"),
    (lambda: lm3.frontend.visible_text(5), "text"),
    (lambda: lm3.frontend.parse_formats(5), "formats"),
]


@pytest.mark.parametrize(("call", "param"), OTHERS, ids=[f"{i}-{p}" for i, (_, p) in enumerate(OTHERS)])
def test_every_public_function_names_its_bad_parameter(call, param):
    with pytest.raises(lm3.LM3Error) as err:
        call()
    assert param in err.value.params, str(err.value)


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("level = 90", "setting level must be a number between 0 and 1"),
        ('seed = "x"', "setting seed must be a whole number"),
        ("match_threshold = true", "setting match_threshold must be a number between 0 and 100"),
        ('branch_is_local = "no"', "setting branch_is_local must be True or False"),
        ("area = 5", "setting area must be an area as text"),
        ("exclude = 5", "setting exclude must be text or a list of texts"),
        ("min_category = 0", "setting min_category must be a whole number from 1"),
        ('inputs = "payments.csv"', "[inputs] must be a table naming the files"),
    ],
)
def test_every_lm3_toml_setting_is_checked_naming_the_file(tmp_path, setting, said):
    config = tmp_path / "lm3.toml"
    config.write_text(setting + "\n", encoding="utf-8")
    with pytest.raises(lm3.InputError) as err:
        lm3.load_project(tmp_path)
    assert str(err.value).startswith(str(config)) and said in str(err.value), str(err.value)


def test_a_good_call_still_works_after_all_the_checks(tmp_path):
    result = lm3.calculate(**STUDY, level=0.8, seed=0, draws=10, income="20,000", exclude=[], columns={})
    assert result.round1 == 20_000_00
    assert Path(lm3.write_report(result, tmp_path, formats=["json"]).json).is_file()
