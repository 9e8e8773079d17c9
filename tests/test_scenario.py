"""What if: scenarios worked by hand on the golden example (test_golden.py), properties, compare.

Golden example: R1 £11,000.15, R2 £6,700.15, R3 £3,380.05. Leeds Widgets Ltd (LS1 4GS, Leeds) is the one
supplier placed outside Bradford, paid £2,000.00; Mystery Co (£300.00) is unplaced and never moved. Local
suppliers' survey: Aire Valley 60%, Print Shop 30% (mean 45%); Print Shop's round 2 is £400.15.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from click.testing import CliRunner
from conftest import money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lm3
from lm3.cli import cli
from lm3.errors import InputError

R1, R2, R3 = 11_000_15, 6_700_15, 3_380_05


@pytest.fixture(scope="module")
def result():
    from conftest import golden_files

    return lm3.calculate(area="Bradford", **golden_files())


def _lm3(r2, r3):
    return (R1 + r2 + r3) / R1


def test_shifts_worked_by_hand(result):
    assert (result.round1, result.round2, result.round3) == (R1, R2, R3)
    table = result.scenarios(["share=10%", "share=10%,to=Print Shop", "share=100%,name=all of it"]).table
    now, to_local, to_print, everything = (table.iloc[i] for i in range(4))
    assert now["scenario"] == "as now" and now["lm3"] == result.lm3 and now["kept_locally"] == 0
    # 10% of £2,000.00 = £200.00 to local suppliers at their mean 45%: R2 + 200.00, R3 + 90.00
    assert (to_local["moved"], to_local["round2"], to_local["round3"]) == (200_00, R2 + 200_00, R3 + 90_00)
    assert to_local["kept_locally"] == 290_00 and to_local["lm3"] == _lm3(R2 + 200_00, R3 + 90_00)
    assert to_local["share_used"] == Fraction(45, 100)
    assert to_local["scenario"] == "10% of non-local spend to local suppliers"
    # to Print Shop at its own 30%: its round 2 400.15 + 200.00 = 600.15, x 30% = 180.045 -> 180.05 (was 120.05)
    assert (to_print["round2"], to_print["round3"]) == (R2 + 200_00, R3 + 60_00)
    # all £2,000.00: R3 + 900.00
    assert (everything["scenario"], everything["moved"], everything["round3"]) == (
        "all of it",
        2_000_00,
        R3 + 900_00,
    )
    for row in (to_local, to_print, everything):
        assert row["low"] <= row["lm3"] <= row["high"]


def test_a_category_moves_only_its_own_spend(tmp_path):
    from conftest import GOLDEN

    payments = tmp_path / "payments.csv"
    payments.write_text(
        "Supplier,Amount,Expense Type\n"
        "Leeds Widgets Ltd,1500.00,Facilities\n"
        "Leeds Widgets Ltd,500.00,Stationery\n"
        "Print Shop,400.15,Stationery\n",
        encoding="utf-8",
    )
    found = lm3.calculate(
        payments, GOLDEN / "suppliers.csv", supplier_survey=GOLDEN / "supplier-survey.csv", area="Bradford"
    )
    table = found.scenarios(["category=facilities,share=10%", "category=Stationery,share=50%"]).table
    # 10% of Leeds Widgets' £1,500.00 facilities spend; 50% of its £500.00 stationery (Print Shop is local)
    assert list(table["moved"]) == [0, 150_00, 250_00]
    # Print Shop is the only local supplier and answered 30%: the mean is 30%
    assert table.iloc[1]["round3"] == found.round3 + 45_00
    with pytest.raises(
        InputError, match=r"no spend in category 'Catering'\. Categories: Facilities, Stationery"
    ):
        found.scenarios("category=Catering,share=10%")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.integers(0, 100), to=st.sampled_from(["local", "Aire Valley Catering Ltd", "Print Shop"]))
def test_moving_spend_to_local_suppliers_never_lowers_r2_r3_or_lm3(result, share, to):
    row = result.scenarios([lm3.Shift(Fraction(share, 100), to=to)]).table.iloc[1]
    assert row["moved"] == int(Fraction(2_000_00 * share, 100) + Fraction(1, 2))
    assert row["round2"] == R2 + row["moved"] >= R2
    assert row["round3"] >= R3 and row["lm3"] >= result.lm3 and row["kept_locally"] >= row["moved"]
    assert row["low"] <= row["lm3"] <= row["high"]


def test_bad_shifts_say_what_to_write(result):
    for text, message in (
        ("category=Facilities", "say how much to move"),
        ("share=ten", "is not a share"),
        ("share=10%,colour=red", "unknown key colour"),
        ("share=10%,to=Leeds Widgets Ltd", "is not one of the local suppliers"),
        ("share=150%", "outside 0-100%"),
    ):
        with pytest.raises(InputError, match=message):
            result.scenarios(text)


def test_cli_scenario_json_contract_and_compare(tmp_path):
    from conftest import SAMPLE

    runner = CliRunner()
    out = runner.invoke(
        cli,
        [
            "scenario",
            str(SAMPLE),
            "--shift",
            "category=stationery,share=50%",
            "--shift",
            "share=10%",
            "--json",
        ],
    )
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [r["scenario"] for r in rows] == [
        "as now",
        "50% of non-local stationery spend to local suppliers",
        "10% of non-local spend to local suppliers",
    ]
    assert all({"scenario", "round2", "round3", "lm3", "kept_locally"} <= set(r) for r in rows)
    # the sample's one non-local stationery supplier is OfficeDirect UK Ltd (MK9, Milton Keynes), £6,421.65:
    # half is £3,210.825, rounded half up to £3,210.83
    assert money(rows[1]["moved"]) == Decimal("3210.83")
    assert money(rows[1]["round2"]) == money(rows[0]["round2"]) + Decimal("3210.83")
    plain = runner.invoke(cli, ["scenario", str(SAMPLE), "--shift", "share=10%", "--to", "Leeds"])
    assert plain.exit_code != 0 and "--to-supplier NAME" in plain.output

    saved = tmp_path / "sample.json"
    saved.write_text(runner.invoke(cli, ["calculate", str(SAMPLE), "--json"]).output, encoding="utf-8")
    golden_project = tmp_path / "golden"
    golden_project.mkdir()
    from conftest import GOLDEN

    (golden_project / "lm3.toml").write_text(
        f'name = "Golden"\narea = "Bradford"\n[inputs]\npayments = "{(GOLDEN / "payments.csv").as_posix()}"\n'
        f'suppliers = "{(GOLDEN / "suppliers.csv").as_posix()}"\n'
        f'supplier_survey = "{(GOLDEN / "supplier-survey.csv").as_posix()}"\n',
        encoding="utf-8",
    )
    both = runner.invoke(cli, ["compare", str(saved), str(golden_project), "--json"])
    assert both.exit_code == 0, both.output
    first, second = json.loads(both.output)
    sample = json.loads(saved.read_text())
    assert (first["round1"], first["lm3"], first["supplier_responses"]) == (
        sample["round1"],
        sample["lm3"],
        "7 of 10",
    )
    # the golden payments alone: R1 £5,000.15, R2 £2,700.15, R3 £1,380.05 (test_golden.py's supplier lines)
    assert (second["result"], second["round1"], second["round2"], second["round3"]) == (
        "Golden",
        "5000.15",
        "2700.15",
        "1380.05",
    )
    assert second["lm3"] == (5_000_15 + 2_700_15 + 1_380_05) / 5_000_15
    # coverage beside each: Mystery Co's £300.00 is not placed, so 4,700.15 of 5,000.15 is; the local share is
    # of placed spend, and round 2 per £1 is the old "local share"
    assert second["coverage"] == 4_700_15 / 5_000_15 and second["local_share"] == 2_700_15 / 4_700_15
    assert second["round2_per_pound"] == 2_700_15 / 5_000_15
    assert first["coverage"] == 1.0
    table = runner.invoke(cli, ["compare", str(saved), str(golden_project)])
    assert "Golden" in table.output and "2.52" in table.output
    assert (
        "   94%" in table.output
        and "Placed: the share of supplier spend whose location is known" in table.output
    )
    old = tmp_path / "old.json"  # written before lm3 reported coverage: none is claimed
    old.write_text(json.dumps({k: v for k, v in sample.items() if k not in ("coverage", "local_share")}))
    (older,) = json.loads(runner.invoke(cli, ["compare", str(old), "--json"]).output)
    assert older["coverage"] is None and older["local_share"] is None
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x"}')
    failed = runner.invoke(cli, ["compare", str(bad)])
    assert failed.exit_code != 0 and "not an lm3 result (no round1" in failed.output
