"""The CLI contract: plain output, --json, flags over lm3.toml, entry points, help on every command."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import GOLDEN, ROOT, SAMPLE, money

import lm3
from lm3.cli import cli


def invoke(*args: str):
    return CliRunner().invoke(cli, list(map(str, args)))


def test_plain_output_has_the_rounds_table_and_headline():
    result = invoke("calculate", SAMPLE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "LM3 for Bradford (E08000032): Bradford Trident (illustrative sample)"
    # the rule it was worked out by, in the first lines: what "local" meant, what was counted
    assert lines[1].startswith("Rule: area Bradford (E08000032) | local: a site or registered office")
    assert "scope: all payments | base: every supplier | pay: gross" in lines[1]
    assert "round 3: local suppliers by survey (7 of 10 answered)" in lines[1]
    assert [line.split()[:2] for line in lines[4:7]] == [["Round", "1"], ["Round", "2"], ["Round", "3"]]
    assert lines[7].split()[0] == "LM3" and lines[7].split()[-1] == "2.52"
    assert any(
        line.startswith(
            "Every £1 spent by Bradford Trident (illustrative sample) creates £2.52 for Bradford (90% "
        )
        for line in lines
    )


def test_json_contract():
    result = invoke("calculate", SAMPLE, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rounds = [money(data[key]) for key in ("round1", "round2", "round3")]  # money: text, two decimals
    assert isinstance(data["lm3"], float)
    assert data["area"] == "Bradford"
    assert isinstance(data["assumptions"], list) and isinstance(data["warnings"], list)
    assert {"name", "value", "source"} <= set(data["assumptions"][0])
    assert round(data["lm3"], 2) == 2.52
    assert data["lm3"] == pytest.approx(float(sum(rounds) / rounds[0]))
    assert "NaN" not in result.output


def test_flags_override_the_project_file():
    default = json.loads(invoke("calculate", SAMPLE, "--json").output)
    net = json.loads(invoke("calculate", SAMPLE, "--json", "--pay-basis", "net").output)
    income = json.loads(invoke("calculate", SAMPLE, "--json", "--income", "1,000,000").output)
    assert money(net["round2"]) < money(default["round2"]) and net["round1"] == default["round1"]
    assert money(income["round1"]) == 1_000_000 and income["round2"] == default["round2"]
    assert income["headline"].startswith("Every £1 of Bradford Trident (illustrative sample)'s income")


def test_another_area_from_the_command_line():
    # In Leeds only one sample supplier is local, and it did not answer the survey: round 3 for suppliers
    # falls back on the published default, and the headline says so.
    result = invoke("calculate", SAMPLE, "--area", "Leeds", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["area"] == "Leeds"
    assert data["responses"]["local suppliers"]["respondents"] == 0
    assert data["responses"]["local suppliers"]["group_size"] == 1
    assert "local suppliers on a published default share, not a survey" in data["headline"]
    supplier = next(s for s in data["suppliers"] if s["local"])
    assert money(supplier["round2"]) == Decimal("14575.20")
    assert money(supplier["round3"]) == Decimal("11077.15")  # the shipped default, 76%: 11,077.152


def test_several_areas():
    one = json.loads(invoke("calculate", SAMPLE, "--json").output)
    two = json.loads(
        invoke("calculate", SAMPLE, "--json", "--area", "Bradford", "--area", "North Yorkshire").output
    )
    assert two["area"] == "Bradford and North Yorkshire"
    assert two["area_codes"] == ["E08000032", "E06000065"]
    assert two["round2"] > one["round2"]  # the BD23 supplier in North Yorkshire becomes local


def test_files_as_options():
    args = ["calculate", "--area", "Bradford"]
    for flag, name in [
        ("--payments", "payments.csv"),
        ("--suppliers", "suppliers.csv"),
        ("--payroll", "payroll.csv"),
        ("--supplier-survey", "supplier-survey.csv"),
        ("--staff-survey", "staff-survey.csv"),
    ]:
        args += [flag, GOLDEN / name]
    result = invoke(*args, "--name", "Golden Example")
    assert result.exit_code == 0, result.output
    assert "Every £1 spent by Golden Example creates £1.92 for Bradford (90% interval £" in result.output


@pytest.mark.slow
def test_entry_points_behave_the_same():
    runs = [
        [sys.executable, "-m", "lm3", "calculate", str(SAMPLE), "--json"],
        [sys.executable, str(ROOT / "cli.py"), "calculate", str(SAMPLE), "--json"],
    ]
    outputs = [
        subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout for cmd in runs
    ]
    assert outputs[0] == outputs[1]
    assert round(json.loads(outputs[0])["lm3"], 2) == 2.52
    bad = [
        sys.executable,
        "-m",
        "lm3",
        "calculate",
        "--area",
        "Nowhere",
        "--payments",
        "x",
        "--suppliers",
        "y",
    ]
    done = subprocess.run(bad, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: Unknown area 'Nowhere'")


def test_every_command_has_help():
    def walk(command: click.Command, path: list[str]):
        yield command, path
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                yield from walk(sub, [*path, name])

    for command, path in walk(cli, []):
        assert command.help, f"lm3 {' '.join(path)} has no help"
        result = invoke(*path, "--help")
        assert result.exit_code == 0 and "Usage: " in result.output
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"lm3 {' '.join(path)} {param.opts[0]} has no help"


def test_out_never_writes_over_an_input_of_the_same_run(tmp_path):
    """--out naming a file the same run reads is refused before anything is read or written."""
    payments = tmp_path / "payments.csv"
    payments.write_bytes((GOLDEN / "payments.csv").read_bytes())
    before = payments.read_bytes()
    out = CliRunner().invoke(cli, ["ingest", str(payments), "--out", str(payments)])
    assert out.exit_code == 2 and "is one of this run's inputs (FILES)" in out.output
    register = tmp_path / "report" / "report.xlsx"
    register.parent.mkdir()
    lm3.write_table(lm3.read_registers(GOLDEN / "suppliers.csv").data[["supplier", "postcode"]], register)
    kept = register.read_bytes()
    study = ["--payments", str(payments), "--suppliers", str(register), "--area", "Bradford"]
    out = CliRunner().invoke(cli, ["report", *study, "--out", str(register.parent)])
    assert out.exit_code == 2 and "report.xlsx is one of this run's inputs (--suppliers)" in out.output
    out = CliRunner().invoke(cli, ["suppliers", "template", *study, "--out", str(register)])
    assert out.exit_code == 2
    assert payments.read_bytes() == before and register.read_bytes() == kept


def test_the_first_study_on_a_machine_says_it_builds_the_postcode_index(tmp_path, monkeypatch):
    """Before the postcode index exists (a new cache), an interactive command says it is being built, once;
    after it is built, nothing more is said."""
    from lm3.cli.options import index_notice

    monkeypatch.setenv("LM3_CACHE_DIR", str(tmp_path / "cache"))
    assert "postcode index" in (index_notice() or "")
    assert not lm3.PostcodeDirectory().built
    lm3.PostcodeDirectory().place(pd.Series(["BD1 1HY"]))
    assert lm3.PostcodeDirectory().built and index_notice() is None
