"""What lm3 writes is safe and agrees with itself: one text-cell policy for workbooks, OWASP's rule for CSV
outputs, one company-number rule, JSON on real files."""

from __future__ import annotations

import csv
import json

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, money

import lm3
from lm3.cli import cli
from lm3.values.cells import csv_safe, is_formula_like
from lm3.values.names import company_numbers

HOSTILE = ['=HYPERLINK("http://example.com","x")', "+44 Services", "-dash Ltd", "@home Care", "\tTabbed"]
SPEND = DATA / "spend"


def test_formula_like_text_is_told_from_numbers():
    # OWASP, "CSV Injection": cells starting with = + - @ tab or carriage return; a plain number is a number
    assert all(is_formula_like(t) for t in HOSTILE)
    assert not any(is_formula_like(t) for t in ["-12.50", "+3", "0.5", "Acme", "", "a=b"])
    frame = pd.DataFrame({"name": [*HOSTILE, "Acme", None], "amount": ["-1.00"] * 6 + [None], "n": range(7)})
    safe = csv_safe(frame)
    assert safe["name"].tolist()[:5] == ["'" + t for t in HOSTILE]
    assert safe["name"].tolist()[5] == "Acme" and pd.isna(safe["name"].iloc[6])
    assert safe["amount"].tolist()[:6] == ["-1.00"] * 6 and safe["n"].tolist() == list(range(7))


def test_ingest_out_csv_neutralises_formulas_and_keeps_amounts(tmp_path):
    payments = tmp_path / "hostile.csv"
    payments.write_text(
        "Supplier,Amount\n"
        + "".join(f'"{n.replace(chr(34), chr(34) * 2)}",-{i + 1}0.00\n' for i, n in enumerate(HOSTILE)),
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    done = CliRunner().invoke(cli, ["ingest", str(payments), "--out", str(out)])
    assert done.exit_code == 0, done.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # read back by Python's csv module, independently of lm3: the quote is there, the amounts are numbers
    stripped = [n.strip() for n in HOSTILE]  # ingest trims names: "\tTabbed" is "Tabbed", nothing to defuse
    assert sorted(r["supplier"] for r in rows) == sorted(("'" + n) if n[0] in "=+-@" else n for n in stripped)
    assert sorted(r["amount"] for r in rows) == ["-10.00", "-20.00", "-30.00", "-40.00", "-50.00"]


def test_every_workbook_writes_hostile_text_as_text(tmp_path):
    frame = pd.DataFrame({"Supplier": HOSTILE, "Postcode": ["BD1 1HY"] * 5})
    path = lm3.write_table(frame, tmp_path / "t.xlsx", sheet="S")
    sheet = openpyxl.load_workbook(path)["S"]
    cells = [sheet.cell(i, 1) for i in range(2, 7)]
    assert [c.value for c in cells] == HOSTILE  # the text as it was: a register written reads back the same
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert lm3.read_registers(path).data["supplier"].tolist() == [t.strip() for t in HOSTILE]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2535986", "02535986"),
        (2535986, "02535986"),
        (2535986.0, "02535986"),  # Excel's number
        ("2535986.0", "02535986"),  # Excel's number, exported as text
        ("sc123456", "SC123456"),
        (" SC 123456 ", "SC123456"),
        ("nan", None),
        ("N/A", None),
        ("0", None),
        ("-", None),
        (None, None),
        ("", None),
    ],
)
def test_one_company_number_rule_for_registers_and_spend_files(tmp_path, given, expected):
    assert company_numbers(pd.Series([given], dtype="object")).tolist() == [expected]
    spend = pd.DataFrame({"Supplier": ["Acme Ltd"], "Company Number": [given], "Amount": ["10.00"]})
    got = lm3.ingest(spend).data["company_number"].tolist()
    assert [None if pd.isna(v) else v for v in got] == [expected]


@pytest.mark.parametrize(
    "name",
    [
        "odileeds_manchester_clean_2022-05.csv",
        "craven_dc_payments_2017-03.csv",
        "lancashire_fire_2025-26-q3.xlsx",
    ],
)
def test_json_of_real_files_is_strict_with_money_as_text(name):
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    register = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"
    ingested = json.loads(lm3.to_json(lm3.ingest(SPEND / name)), parse_constant=refuse)
    located = json.loads(
        lm3.to_json(lm3.locate(SPEND / name, register, area="Salford")), parse_constant=refuse
    )
    assert money(ingested["total"]) == money(located["total"])
    unplaced = [money(r["amount"]) for r in located["unplaced"]]  # each one JSON money
    assert sum(unplaced) <= money(located["total"]) - money(located["placed"])
    assert located["coverage"] is None or 0 <= located["coverage"] <= 1
