"""Scopes that reproduce published bases: ``procurement``, ``cles`` and ``top``, each removing exactly what is
worked out here by hand from a real council file: Manchester City Council's payments of May 2022 (ODI Leeds'
clean copy, from ../shared/data/spend into tests/data/spend; Open Government Licence v3.0), the council whose local spend CLES has measured since 2008.

The expected figures are worked from the CSV with the ``csv`` module and ``Decimal``, by rules written here:
- levies, precepts, pensions, refunds: the rows whose "Expenses Type" names one ("Levies", "Ctax Preceptr
  Pymnts", "Bus Rate - Preceptor": four payments to GMCA);
- public bodies: the payees below, read by a person from the file's supplier list (councils, the combined
  authority, police, NHS, government departments and agencies), with "OFSTED INTERNET" as Ofsted and
  "Greater Manchester Police Sports &" (a sports association) not one;
- individuals and redacted payees: "Redacted Personal Information" ("MS Minibuses Ltd" is a company);
- the top N: suppliers ranked by what is left of their spend.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from conftest import DATA, SAMPLE

import lm3

MANCHESTER = DATA / "spend" / "odileeds_manchester_clean_2022-05.csv"

PUBLIC_BODIES = {
    "GMCA", "Salford City Council", "Wigan Metropolitan Borough Council", "Bolton Mbc", "Bury M.B.C.",
    "Oldham Borough Council", "Rochdale Mbc", "Greater Manchester Police", "NHS Central Manchester CCG",
    "Disclosure & Barring Service", "Transport for Greater Manchester", "Local Government Association",
    "OFSTED INTERNET", "Ofsted", "Department For Work & Pensions", "H.M. Land Registry",
    "Warwickshire County Council", "Staffordshire County Council", "Cabinet Office",
    "Office For National Statistics(ONS)",
}  # fmt: skip
REDACTED = {"Redacted Personal Information"}
PASSED_ON = re.compile(r"\b(?:levy|levies|precept\w*|pensions?|superannuation|refunds?)\b", re.IGNORECASE)


def _rows() -> list[dict[str, str]]:
    with MANCHESTER.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _pence(rows: list[dict[str, str]]) -> int:
    return int(sum(Decimal(r["Net Amount"]) for r in rows) * 100)


def _by_hand() -> dict[str, tuple[int, int, int]]:
    """(payments, suppliers, pence) each procurement rule leaves out, in lm3's order, and what is left."""
    rows = _rows()
    passed_on = [r for r in rows if PASSED_ON.search(r["Expenses Type"])]
    rest = [r for r in rows if not PASSED_ON.search(r["Expenses Type"])]
    public = [r for r in rest if r["Supplier Name"] in PUBLIC_BODIES]
    redacted = [r for r in rest if r["Supplier Name"] in REDACTED]
    left = [r for r in rest if r["Supplier Name"] not in PUBLIC_BODIES | REDACTED]
    return {
        "passed on": (len(passed_on), len({r["Supplier Name"] for r in passed_on}), _pence(passed_on)),
        "public": (len(public), len({r["Supplier Name"] for r in public}), _pence(public)),
        "redacted": (len(redacted), 1, _pence(redacted)),
        "left": (len(left), 0, _pence(left)),
    }


def _accounts(located: lm3.LocateResult) -> list[tuple[str, int, int, int]]:
    return [(e.rule, e.rows, e.suppliers, e.amount) for e in located.excluded]


@pytest.fixture(scope="module")
def hand() -> dict[str, tuple[int, int, int]]:
    return _by_hand()


def test_the_figures_by_hand_are_what_the_file_says(hand):
    # checks on the working itself: GMCA's four payments, the redacted payee's 171
    assert hand["passed on"] == (4, 1, 3_755_400_00 + 162_768_00 + 3_733_897_00 + 2_496_000_00)
    assert hand["redacted"][0] == 171
    assert hand["public"][1] == 20  # payees as written ("Ofsted" and "OFSTED INTERNET" are two)


def test_procurement_removes_levies_public_bodies_and_redacted_payees_exactly(hand):
    located = lm3.locate(MANCHESTER, None, area="Manchester", scope="procurement")
    assert _accounts(located) == [
        ("levies, precepts, pensions and refunds (by expense type)", *hand["passed on"]),
        ("payments to public bodies", *hand["public"]),
        ("individuals and redacted payees", *hand["redacted"]),
    ]
    assert located.total == hand["left"][2]  # every penny accounted for
    rule = located.rule
    assert rule is not None and rule.scope[0].startswith("procurement (no levies, precepts")
    assert rule.share_kind == "of placed procurement payments"


# Payees the file writes two ways, one supplier (as `lm3 ingest` lists its merges for this file, checked by
# eye: a trading name after "t/a", a phone number, a space); and a company's legal form is no part of who it
# is ("Uniserve Ltd" and "Uniserve Limited")
SAME = {
    "COUPLAND CAVENDISH T/A GOWLING LAW": "COUPLAND CAVENDISH",
    "G2V RECRUITMENT GRP T/A VIVID RESOU": "G2V RECRUITMENT GRP",
    "THE LOOP T/A GAMMA TELECOM LTD": "THE LOOP",
    "NEW AUTO LTD T/A MOGO (UK)": "NEW AUTO LTD",
    "VERRUS (UK) T/A PAYBYPHONE": "VERRUS (UK)",
    "VETSPEED LTD T/A NOVUS ENVIRONMENTA": "VETSPEED LTD",
    "ZOOM.US 888-799-9666": "ZOOM.US",
    "PARK VIEW RESIDENCE": "PARKVIEW RESIDENCE",
}


def _supplier(name: str) -> str:
    same = SAME.get(name.upper(), name.upper())
    return re.sub(r"\s+(?:LTD|LIMITED|PLC)$", "", same)


def _top_by_hand(n: int) -> tuple[int, int, int]:
    """What keeping the top ``n`` procurement suppliers leaves out: ranked by the spend left to each
    supplier (the payee as written, case aside, with ``SAME``)."""
    rows = [
        r
        for r in _rows()
        if not PASSED_ON.search(r["Expenses Type"]) and r["Supplier Name"] not in PUBLIC_BODIES | REDACTED
    ]
    spend: dict[str, int] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for r in rows:
        key = _supplier(r["Supplier Name"])
        spend[key] += int(Decimal(r["Net Amount"]) * 100)
        count[key] += 1
    ranked = sorted(spend, key=lambda k: -spend[k])
    beyond = ranked[n:]
    return sum(count[k] for k in beyond), len(beyond), sum(spend[k] for k in beyond)


def test_cles_keeps_the_top_300_procurement_suppliers(hand):
    located = lm3.locate(MANCHESTER, None, area="Manchester", scope="cles")
    accounts = _accounts(located)
    assert accounts[:3] == [
        ("levies, precepts, pensions and refunds (by expense type)", *hand["passed on"]),
        ("payments to public bodies", *hand["public"]),
        ("individuals and redacted payees", *hand["redacted"]),
    ]
    rule, rows, suppliers, amount = accounts[3]
    assert rule == "suppliers beyond the top 300 by spend"
    assert (rows, suppliers, amount) == _top_by_hand(300)
    assert len(located.suppliers) == 300
    assert located.rule is not None and located.rule.base == "the top 300 suppliers by spend"
    assert located.rule.share_kind == "of the top 300 suppliers' placed procurement payments"


def test_top_n_alone_keeps_the_largest_suppliers_of_every_payment():
    rows = _rows()
    spend: dict[str, int] = defaultdict(int)
    for r in rows:
        spend[_supplier(r["Supplier Name"])] += int(Decimal(r["Net Amount"]) * 100)
    largest = sorted(spend.values(), reverse=True)[:10]
    located = lm3.locate(MANCHESTER, None, area="Manchester", top=10)
    assert located.total == sum(largest)
    (account,) = located.excluded
    assert account.rule == "suppliers beyond the top 10 by spend"
    assert account.amount == _pence(rows) - sum(largest)


def test_a_scope_in_calculate_is_in_the_assumptions_the_json_and_the_rule():
    result = lm3.calculate(MANCHESTER, area="Manchester", scope="procurement")
    said = next(a for a in result.assumptions if a.name == "spend left out")
    assert said.param == "scope" and "levies, precepts, pensions and refunds" in said.value
    data = result.to_dict()
    assert [e["rule"] for e in data["excluded"]] == [
        "levies, precepts, pensions and refunds (by expense type)",
        "payments to public bodies",
        "individuals and redacted payees",
    ]
    assert data["rule"]["scope"][0].startswith("procurement")
    whole = lm3.calculate(MANCHESTER, area="Manchester")
    compared = lm3.compare([whole, result])
    assert not compared.comparable and "the scope (spend left out) differs" in compared.differences[0]


def test_a_file_without_an_expense_column_says_what_procurement_could_not_leave_out(tmp_path):
    path = tmp_path / "spend.csv"
    path.write_text(
        "Supplier,Amount\nKent County Council,1200.00\nAcme Widgets Ltd,300.00\nMr J Smith,50.00\n",
        encoding="utf-8",
    )
    located = lm3.locate(path, None, area="Kent", scope="procurement")
    assert [(e.rule, e.amount) for e in located.excluded] == [
        ("payments to public bodies", 1200_00),
        ("individuals and redacted payees", 50_00),
    ]
    (note,) = [w for w in located.warnings if w.code == "scope-column-missing"]
    assert "levies, precepts, pensions and refunds" in note
    assert located.total == 300_00


def test_every_share_shown_says_what_it_is_a_share_of(tmp_path):
    from click.testing import CliRunner

    from lm3.cli import cli

    kind = "of placed procurement payments"
    result = lm3.load_project(SAMPLE).with_options(scope="procurement").calculate()
    assert result.share_kind == kind and result.to_dict()["local_share_kind"] == kind
    assert f"local share {result.local_share:.1%} {kind}." in (result.coverage_text() or "")
    files = lm3.write_report(result, tmp_path, formats=("html", "xlsx"))
    assert files.xlsx is not None and files.html is not None
    sheet = openpyxl.load_workbook(files.xlsx, read_only=True)["Summary"]
    assert f"Local share ({kind})" in {r[0] for r in sheet.iter_rows(values_only=True)}
    html = files.html.read_text(encoding="utf-8")
    assert f"local spend as a share {kind}" in html and "not of the value of contracts awarded" in html
    printed = CliRunner().invoke(
        cli, ["locate", "--payments", str(MANCHESTER), "--area", "Manchester", "--scope", "cles"]
    )
    assert printed.exit_code == 0, printed.output
    shown = [line for line in printed.output.splitlines() if line.strip().startswith("In the area")]
    assert shown and shown[0].endswith("of the top 300 suppliers' placed procurement payments")
    located = lm3.locate(MANCHESTER, None, area="Manchester", scope="cles")
    assert located.to_dict()["local_share_kind"] == "of the top 300 suppliers' placed procurement payments"
