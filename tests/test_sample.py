"""The bundled Bradford Trident sample reproduces Locality's published figure: every £1 creates £2.52.

Round 1 is checked against totals read from the XLSX files with openpyxl, independently of lm3's readers.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from conftest import SAMPLE

import lm3


def xlsx_rows(path) -> list[tuple]:
    """Every row of the first sheet, read by openpyxl."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb.active.iter_rows(values_only=True))
    finally:
        wb.close()


def column_total(path, header: str) -> int:
    """Sum a column of an XLSX file in pence, by openpyxl, finding the header by its exact text."""
    rows = xlsx_rows(path)
    at = next(i for i, r in enumerate(rows) if header in r)
    col = rows[at].index(header)
    return sum(int(Decimal(str(r[col])) * 100) for r in rows[at + 1 :] if r[col] is not None)


def test_sample_gives_2_52():
    result = lm3.load_project(SAMPLE).calculate()
    assert f"{result.lm3:.2f}" == "2.52"
    m = re.fullmatch(
        r"Every £1 spent by Bradford Trident \(illustrative sample\) creates £2\.52 for Bradford "
        r"\(90% interval £(\d\.\d\d)-£(\d\.\d\d), (\d+) supplier and (\d+) staff responses\)\.",
        result.headline,
    )
    assert m, result.headline
    assert float(m[1]) <= result.lm3 <= float(m[2])
    # the responses: survey rows of suppliers counted as local, and of staff living in the area
    local = set(result.suppliers.loc[result.suppliers["local"], "supplier"].str.upper())
    answered = {str(r[0]).upper() for r in xlsx_rows(SAMPLE / "supplier-survey.xlsx")[1:] if r[1] is not None}
    assert int(m[3]) == len(local & answered) == result.responses[0].respondents
    staff = result.staff.set_index("home")
    assert int(m[4]) == staff.loc["in the area", "respondents"]


def test_sample_round1_is_ledger_plus_gross_payroll():
    result = lm3.load_project(SAMPLE).calculate()
    payments = column_total(SAMPLE / "payments.xlsx", "Amount (£)")
    payroll = column_total(SAMPLE / "payroll.xlsx", "Gross pay")
    assert result.round1 == payments + payroll
    assert result.suppliers["round1"].sum() == payments
    assert result.staff["round1"].sum() == payroll


def test_sample_has_what_the_issue_asks_for():
    result = lm3.load_project(SAMPLE).calculate()
    s = result.suppliers
    locations = set(s["location"])
    assert {"local", "local branch", "non-local"} <= locations
    assert (s["location"] == "local branch").sum() == 1
    # A credit note nets off: Shipley Office Supplies has a negative payment in the ledger.
    rows = xlsx_rows(SAMPLE / "payments.xlsx")[3:]
    assert any(isinstance(r[3], float | int) and r[3] < 0 for r in rows)
    # Staff in and outside Bradford; partial survey response in both groups.
    homes = result.staff.set_index("home")
    assert homes.loc["in the area", "employees"] > 0 and homes.loc["outside the area", "employees"] > 0
    assert 0 < homes.loc["in the area", "respondents"] < homes.loc["in the area", "employees"]
    local = s[s["local"]]
    assert 0 < (local["share_source"] == "survey").sum() < len(local)


def test_sample_trace_reconciles_to_the_penny():
    result = lm3.load_project(SAMPLE).calculate()
    s, staff = result.suppliers, result.staff
    assert s["round2"].sum() + staff["round2"].sum() == result.round2
    assert s["round3"].sum() + staff["round3"].sum() == result.round3
    assert (s["leakage_round2"] == s["round1"] - s["round2"]).all()
    assert (s["leakage_round3"] == s["round2"] - s["round3"]).all()


def test_branch_rule_moves_the_figure():
    project = lm3.load_project(SAMPLE)
    local = project.calculate()
    not_local = project.with_options(branch_is_local=False).calculate()
    branch = local.suppliers[local.suppliers["location"] == "local branch"]
    assert not_local.round2 == local.round2 - int(branch["round1"].sum())
    assert not_local.lm3 < local.lm3


def test_bd_postcodes_outside_bradford_are_not_local():
    result = lm3.load_project(SAMPLE).calculate()
    dales = result.suppliers.set_index("supplier").loc["Dales Outdoor Education Ltd"]
    assert dales["location"] == "non-local"
    assert dales["reason"] == "postcode BD23 1FZ is in North Yorkshire"


def test_sample_without_surveys_runs_on_the_shipped_defaults_with_every_assumption_listed():
    """lm3/data/samples/no-surveys: the same files, no surveys. Round 3 is every local supplier's round 2 x 76%
    and every local employee's x 45.4% (lm3/data/defaults.toml), each line rounded to the penny."""
    import tomllib

    from conftest import ROOT

    shipped = tomllib.loads((ROOT / "lm3" / "data" / "defaults.toml").read_text(encoding="utf-8"))
    assert (shipped["supplier_share"]["value"], shipped["staff_share"]["value"]) == ("76%", "45.4%")
    result = lm3.load_project(lm3.sample("no-surveys")).calculate()
    with_surveys = lm3.load_project(SAMPLE).calculate()
    assert (result.round1, result.round2) == (with_surveys.round1, with_surveys.round2)
    local_suppliers = int(result.suppliers.loc[result.suppliers["local"], "round2"].sum())
    local_staff = int(result.staff.loc[result.staff["home"] == "in the area", "round2"].sum())
    lines = int(result.suppliers["local"].sum()) + int(
        result.staff.loc[result.staff["home"] == "in the area", "employees"].sum()
    )
    exact = Fraction(local_suppliers) * Fraction(76, 100) + Fraction(local_staff) * Fraction(454, 1000)
    assert abs(result.round3 - exact) <= Fraction(lines, 2)  # at most half a penny per rounded line
    assert (
        "on a published default share, not a survey" in result.headline and "interval" not in result.headline
    )
    named = {a.name: a for a in result.assumptions}
    assert named["default share for local suppliers"].value == "76.0%"
    assert "Northumberland" in named["default share for local suppliers"].source
    assert "2005" in named["default share for local suppliers"].source
    assert "pluggingtheleaks.org" in named["default share for local staff"].source
    assert all(a.source for a in result.assumptions)
    assert {r.default.text for r in result.responses} == {"76.0%", "45.4%"}


def test_files_read_once_serve_locate_and_calculate():
    """What ``lm3.ingest`` read (or a ``locate`` result's payments and register) is used as it is by
    ``calculate``: the same figure, trace and warnings as from the files."""
    project = lm3.load_project(SAMPLE)
    from_files = project.calculate()
    ingested = lm3.ingest(project.payments)
    located = lm3.locate(ingested, project.suppliers, area=project.area)
    assert located.payments is ingested
    shared = project.with_options(payments=located.payments, suppliers=located.register).calculate()
    assert (shared.round1, shared.round2, shared.round3) == (
        from_files.round1,
        from_files.round2,
        from_files.round3,
    )
    assert shared.suppliers.equals(from_files.suppliers)
    assert shared.warnings == from_files.warnings


@pytest.mark.slow
def test_the_samples_ship_inside_the_package(tmp_path):
    """Built as a wheel and installed away from the repository, lm3 still has its samples: ``lm3.sample()``
    points inside the installed package, the web app offers the sample (its button shows when the folder
    is there) and the sample gives £2.52."""
    import subprocess
    import sys

    from conftest import ROOT

    wheels, site = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    built = subprocess.run(
        [*pip, "wheel", str(ROOT), "--no-deps", "-q", "-w", str(wheels)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = wheels.glob("lm3-*.whl")
    installed = subprocess.run(
        [*pip, "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    code = (
        "import lm3, lm3.web.app as app; "
        "print(lm3.sample().is_relative_to(lm3.__file__.rsplit('/', 1)[0]), app.SAMPLE.is_dir(), "
        "round(lm3.load_project(lm3.sample()).calculate().lm3, 2), lm3.__file__)"
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr[-2000:]
    inside, offered, figure, where = ran.stdout.split()
    assert (inside, offered, figure) == ("True", "True", "2.52") and where.startswith(str(site))


def test_cli_sample_copies_the_samples_to_run_and_change(tmp_path):
    """``lm3 sample FOLDER`` copies both samples (the no-surveys one reads the other's files); a folder that
    already holds files is refused."""
    from click.testing import CliRunner

    from lm3.cli import cli

    folder = tmp_path / "samples"
    done = CliRunner().invoke(cli, ["sample", str(folder)])
    assert done.exit_code == 0, done.output
    assert f"lm3 calculate {folder / 'bradford-trident'}" in done.output
    assert round(lm3.load_project(folder / "bradford-trident").calculate().lm3, 2) == 2.52
    assert round(lm3.load_project(folder / "no-surveys").calculate().lm3, 2) == 2.36
    assert not list(folder.rglob("*.py"))
    again = CliRunner().invoke(cli, ["sample", str(folder)])
    assert again.exit_code != 0 and "already holds files" in again.output and "Traceback" not in again.output
    with pytest.raises(lm3.InputError) as unknown:
        lm3.sample("trident")
    assert unknown.value.code == "bad-parameter"
