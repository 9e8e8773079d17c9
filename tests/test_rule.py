"""One declared rule for every figure: named in the first lines of every output, whole in the JSON and the
workbook, and `compare` says plainly when two figures were worked out by different rules."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

import lm3
from lm3.cli import cli

NO_SURVEYS = ROOT / "lm3" / "data" / "samples" / "no-surveys"


@pytest.fixture(scope="module")
def sample() -> lm3.LM3Result:
    return lm3.load_project(SAMPLE).calculate()


def test_the_rule_states_what_the_figure_counts(sample):
    rule = sample.rule
    assert rule is not None
    assert (rule.area, rule.area_codes, rule.pay_basis) == ("Bradford", ("E08000032",), "gross")
    assert rule.scope == ("all payments",) and rule.base == "every supplier"
    assert rule.location == "a site or registered office in the area (a local branch counts)"
    # the sample's surveys: 7 of its 10 local suppliers and 10 of its 15 local staff answered (its README)
    assert rule.round3 == (
        "local suppliers by survey (7 of 10 answered)",
        "local staff by survey (10 of 15 answered)",
    )
    assert rule.share_kind == "of placed payments"
    assert lm3.types.Rule.from_dict(rule.to_dict()) == rule  # the JSON holds it whole


def test_a_figure_on_published_defaults_names_them_in_its_rule():
    rule = lm3.load_project(NO_SURVEYS).calculate().rule
    assert rule is not None
    assert rule.round3 == (
        "local suppliers at a published 76.0% (NEF with Northumberland County Council, 2005)",
        "local staff at a published 45.4% (NEF survey-averaging sheet, 2002)",
    )


def test_every_output_names_the_rule(sample, tmp_path):
    text = sample.rule.text
    assert json.loads(lm3.to_json(sample))["rule"]["text"] == text
    files = lm3.write_report(sample, tmp_path)
    sheet = openpyxl.load_workbook(files.xlsx, read_only=True)["Summary"]
    rows = {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}
    assert rows["Rule"] == text
    html = files.html.read_text(encoding="utf-8")
    assert html.index("Rule: area Bradford (E08000032)") < html.index('class="headline"')
    printed = CliRunner().invoke(cli, ["calculate", str(SAMPLE)]).output.splitlines()
    assert printed[1] == f"Rule: {text}"


@pytest.mark.parametrize(
    ("change", "differs"),
    [
        ({"area": "Leeds"}, "the area differs: Bradford (E08000032) / Leeds (E08000035)"),
        ({"branch_is_local": False}, "the location rule differs"),
        ({"exclude": ("supplier_type=public body",)}, "the scope (spend left out) differs"),
        ({"pay_basis": "net"}, "the pay basis differs: gross / net"),
    ],
)
def test_compare_says_when_two_figures_count_different_things(sample, change, differs):
    other = lm3.load_project(SAMPLE).with_options(name="Other", **change).calculate()
    compared = lm3.compare([sample, other])
    assert not compared.comparable
    (said,) = compared.differences
    assert said.startswith("Other against Bradford Trident (illustrative sample): " + differs)
    assert compared.records()[1]["differences"] == [said] and compared.records()[0]["differences"] == []
    assert compared.to_dict()["comparable"] is False


def test_figures_by_the_same_rule_compare_whatever_round_3_rests_on(sample):
    compared = lm3.compare([sample, lm3.load_project(NO_SURVEYS).calculate()])
    assert compared.comparable and compared.differences == ()
    assert compared.records()[1]["rule"].endswith("local share of placed payments")


def test_a_result_that_states_no_rule_cannot_be_checked(sample, tmp_path):
    older = sample.to_dict()
    del older["rule"]
    path = tmp_path / "older.json"
    path.write_text(lm3.to_json(older), encoding="utf-8")
    compared = lm3.compare([str(path), sample])
    assert compared.differences == (
        "Bradford Trident (illustrative sample) (result 1) states no rule (written by an older lm3): what it "
        "counts cannot be checked.",
    )
    mine = tmp_path / "mine.json"
    mine.write_text(lm3.to_json(sample), encoding="utf-8")
    leeds = tmp_path / "leeds.json"
    leeds.write_text(lm3.to_json(lm3.load_project(SAMPLE).with_options(area="Leeds").calculate()), "utf-8")
    printed = CliRunner().invoke(cli, ["compare", str(mine), str(leeds)])
    assert printed.exit_code == 0, printed.output
    assert "NOT COMPARABLE: these figures count different things." in printed.output
    assert "the area differs: Bradford (E08000032) / Leeds (E08000035)" in printed.output


def test_locate_names_its_rule_too():
    located = lm3.locate(SAMPLE / "payments.xlsx", SAMPLE / "suppliers.xlsx", area="Bradford, Leeds")
    assert located.rule is not None
    assert located.rule.text == (
        "area Bradford and Leeds (E08000032, E08000035) | local: a site or registered office in the area (a "
        "local branch counts) | scope: all payments | base: every supplier | local share of placed payments"
    )
    assert json.loads(lm3.to_json(located.to_dict()))["rule"]["text"] == located.rule.text
