"""What a study leaves out (``exclude``), and what it keeps in that needs saying: figures worked by hand.

The golden example (tests/test_golden.py) with three more payments, written here:
    Bradford Metropolitan District Council   1,200.00   expense "Precepts"        a public body (by its name)
    Airedale NHS Foundation Trust              650.50   expense "Health services" a public body, in the register
    Aire Valley Catering Ltd                    99.50   expense "Precepts"        a private supplier
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import GOLDEN

import lm3
from lm3.cli import cli


@pytest.fixture
def study(tmp_path, golden):
    lines = (GOLDEN / "payments.csv").read_text(encoding="utf-8").splitlines()
    rows = ["Date,Supplier,Amount,Expense Type"] + [f"{line},Goods" for line in lines[1:]]
    rows += [
        "08/04/2024,Bradford Metropolitan District Council,1200.00,Precepts",
        "09/04/2024,Airedale NHS Foundation Trust,650.50,Health services",
        "10/04/2024,Aire Valley Catering Ltd,99.50,Precepts",
    ]
    (tmp_path / "payments.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    register = (GOLDEN / "suppliers.csv").read_text(encoding="utf-8").rstrip("\n")
    register += "\nAiredale NHS Foundation Trust,BD20 6TD,\n"  # Airedale General Hospital, Craven's edge
    (tmp_path / "suppliers.csv").write_text(register, encoding="utf-8")
    return golden | {"payments": tmp_path / "payments.csv", "suppliers": tmp_path / "suppliers.csv"}


def test_leaving_out_public_bodies_lowers_round_1_by_exactly_their_spend(study):
    whole = lm3.calculate(area="Bradford", **study)
    assert whole.round1 == 11_000_15 + 1_200_00 + 650_50 + 99_50
    scoped = lm3.calculate(area="Bradford", exclude="supplier_type=public body", **study)
    assert whole.round1 - scoped.round1 == 1_200_00 + 650_50  # the council and the NHS trust
    (left,) = scoped.excluded
    assert (left.rule, left.rows, left.suppliers, left.amount) == (
        "supplier_type=public body",
        2,
        2,
        1_850_50,
    )
    said = next(a for a in scoped.assumptions if a.name == "spend left out")
    assert said.value == "supplier_type=public body: 2 payment(s) to 2 supplier(s), £1,850.50"
    assert said.param == "exclude"
    assert not (scoped.suppliers["type"] == "public body").any()
    assert scoped.to_dict()["excluded"] == [
        {
            "rule": "supplier_type=public body",
            "rows": 2,
            "suppliers": 2,
            "amount": "1850.50",
        }
    ]


def test_rules_by_expense_type_and_name_pattern_each_say_what_they_left_out(study):
    scoped = lm3.calculate(
        area="Bradford", exclude=["expense_type=precepts", "supplier=*nhs*", "supplier=Nobody Ltd"], **study
    )
    # Precepts: the council 1,200.00 and Aire Valley's 99.50; then the NHS trust by its name, 650.50
    assert [(e.rule, e.rows, e.amount) for e in scoped.excluded] == [
        ("expense_type=precepts", 2, 1_299_50),
        ("supplier=*nhs*", 1, 650_50),
        ("supplier=Nobody Ltd", 0, 0),
    ]
    assert scoped.round1 == 11_000_15 + 1_200_00 + 650_50 + 99_50 - 1_299_50 - 650_50
    (nothing,) = [w for w in scoped.warnings if w.code == "exclude-matched-nothing"]
    assert "'supplier=Nobody Ltd'" in nothing


def test_cli_exclude_from_flags_and_lm3_toml(study, tmp_path):
    args = [
        "calculate",
        "--payments",
        study["payments"],
        "--suppliers",
        study["suppliers"],
        "--area",
        "Bradford",
    ]
    out = CliRunner().invoke(cli, [*map(str, args), "--exclude", "supplier_type=public body", "--json"])
    assert out.exit_code == 0, out.output
    assert (
        json.loads(out.output)["round1"] == "5099.65"
    )  # the golden payments and Aire Valley's 99.50: no payroll here
    (tmp_path / "lm3.toml").write_text(
        'area = "Bradford"\nexclude = ["supplier_type=public body"]\n[inputs]\n'
        f'payments = "{study["payments"].as_posix()}"\nsuppliers = "{study["suppliers"].as_posix()}"\n',
        encoding="utf-8",
    )
    assert lm3.load_project(tmp_path).calculate().round1 == 5_099_65
    bad = CliRunner().invoke(cli, [*map(str, args), "--exclude", "colour=red"])
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: exclude 'colour=red' is not FIELD=VALUE with FIELD one of")
    assert bad.output.endswith("Try --exclude.\n")


def test_a_rule_for_a_column_the_payments_lack_is_an_error(golden):
    with pytest.raises(lm3.InputError, match="have no expense type column") as err:
        lm3.calculate(area="Bradford", exclude="expense_type=Precepts", **golden)
    assert err.value.code == "exclude-column-missing"


def test_public_bodies_kept_in_say_how_they_re_spend_and_move_the_sensitivity(study):
    """The NHS trust (BD20 6TD, Steeton: in Bradford) is a local public body that did not answer: it takes the
    mean of the local suppliers who did, (60% + 30%) / 2 = 45%, stated as its own assumption, and the
    sensitivity shows LM3 with it re-spending nothing. The council is not in the register: lm3's own public
    bodies place it, serving Bradford: local, and it takes the same 45% (£1,200.00 x 45% = £540.00)."""
    result = lm3.calculate(area="Bradford", **study)
    trust = result.suppliers.set_index("supplier").loc["Airedale NHS Foundation Trust"]
    assert (trust["location"], trust["type"], trust["round3"]) == ("local", "public body", 292_73)  # 292.725
    council = result.suppliers.set_index("supplier").loc["Bradford Metropolitan District Council"]
    assert (council["location"], council["type"], council["round3"]) == ("local", "public body", 540_00)
    said = next(a for a in result.assumptions if a.name == "local public bodies' round 3")
    assert said.value.startswith("2 local public bodies without a survey answer (£1,850.50 of round 2)")
    line = result.sensitivity.set_index("assumption").loc[
        "local public bodies' re-spend (no published share for them)"
    ]
    assert (
        line["lm3_low"] == (result.round1 + result.round2 + result.round3 - 292_73 - 540_00) / result.round1
    )
    assert line["lm3_high"] == result.lm3
