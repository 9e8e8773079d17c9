"""End to end on real council files (tests/data/spend, copied from ../shared/data; Open Government Licence v3.0)."""

from __future__ import annotations

import pytest
from conftest import DATA

import lm3
from lm3 import charts
from lm3.inputs.readers import read_register

SPEND = DATA / "spend"
SALFORD_REGISTER = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"


def test_craven_total_row_reconciles_with_round1():
    # Craven DC's file ends with its own total, "726,583.94", on a row with no supplier: that figure is the
    # council's, computed independently of lm3. It must not be counted as a payment.
    result = lm3.calculate(SPEND / "craven_dc_payments_2017-03.csv", SALFORD_REGISTER, area="Salford")
    assert result.round1 == 726_583_94
    assert (
        "craven_dc_payments_2017-03.csv: row 173 is the file's own total (£726,583.94), equal to the payments "
        "above it: not counted as a payment."
    ) in result.warnings
    # No Craven supplier's name is in Salford's contracts register as such; one is there under a near
    # name ("Northgate Public Services (UK) Ltd" / "Northgate Public Services Limited"): matched by a fuzzy
    # name, said in the warnings, and placed outside Salford. The public bodies Craven pays (North Yorkshire
    # County Council...) are placed by lm3's own register of them, each outside Salford. Nothing is local.
    s = result.suppliers
    fuzzy = s["supplier"] == "Northgate Public Services Limited"
    assert s.loc[fuzzy, "location"].tolist() == ["non-local"]
    public = s["source"] == "public bodies (lm3)"
    assert public.any() and set(s.loc[public, "type"]) == {"public body"}
    assert set(s.loc[public, "location"]) == {"non-local"}
    assert set(s.loc[~fuzzy & ~public, "location"]) == {"unknown"}
    assert any("1 supplier(s) matched to the register by a similar name" in w for w in result.warnings)
    assert result.round2 == 0 and result.lm3 == 1.0


def test_salford_register_with_several_contracts_per_supplier():
    # Salford's contracts register lists some suppliers once per contract, at different postcodes.
    register = read_register(SALFORD_REGISTER)
    assert register.columns["supplier"] == "Supplier Company Name"
    assert register.columns["postcode"] == "Supplier Postcode"
    several = next(w for w in register.warnings if "have several postcodes" in w)
    assert several.startswith(f"{SALFORD_REGISTER.name}: ")


def test_salford_months_with_its_register_report_coverage_bounds_and_no_false_leakage(tmp_path):
    """Two months of Salford's own spend with Salford's contracts register: most of the spend is paid to
    suppliers the register does not hold. That spend is not placed: never leakage, always beside the
    figure with the bounds it puts on it, and with no survey there is no interval."""
    import csv
    import json
    from decimal import Decimal

    import openpyxl

    months = [SPEND / "odileeds_salford_clean_2022-04.csv", SPEND / "odileeds_salford_clean_2022-05.csv"]
    result = lm3.calculate(months, SALFORD_REGISTER, area="Salford City Council", name="Salford City Council")
    # round 1 is every payment of both months: the "Net" column summed by the csv module
    net = sum(
        Decimal(r["Net"])
        for m in months
        for r in csv.DictReader(m.read_text(encoding="utf-8-sig").splitlines())
    )
    assert Decimal(result.round1) / 100 == net == Decimal(result.payments) / 100
    s = result.suppliers
    unknown = s["location"] == "unknown"
    assert result.unplaced == int(s.loc[unknown, "round1"].sum()) == result.payments - result.placed > 0
    coverage = result.placed / result.payments
    assert 0 < coverage < 1 and result.coverage == coverage
    assert result.unplaced_suppliers == int(unknown.sum()) and result.placed_suppliers == int(
        (~unknown).sum()
    )
    # in the headline, the JSON, the workbook and the HTML; with under half of the spend placed, the range
    # leads the headline, not one figure
    assert result.standing == "range" and result.figure_range == (
        result.bounds.not_local,
        result.bounds.all_local,
    )
    assert result.headline.startswith(
        f"Every £1 spent by Salford City Council creates between £{result.bounds.not_local:.2f} and "
        f"£{result.bounds.all_local:.2f} for Salford: only {coverage:.0%} of its spend could be placed"
    )
    data = json.loads(lm3.to_json(result))
    assert data["coverage"] == coverage and Decimal(data["unplaced"]) == Decimal(result.unplaced) / 100
    files = lm3.write_report(result, tmp_path, formats="html,xlsx")
    summary = dict(openpyxl.load_workbook(files.xlsx)["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Coverage (placed / paid to suppliers)"] == pytest.approx(
        coverage, rel=1e-12
    )  # as Excel keeps it
    assert summary["LM3"] == pytest.approx(result.lm3, rel=1e-12)  # a number, as Excel keeps it
    assert summary["Not placed"] == result.not_placed / 100
    page = files.html.read_text(encoding="utf-8")
    assert f"({coverage:.1%}), {result.placed_suppliers} of {len(s)} suppliers" in page
    # not placed is never leakage: not in round 2's leakage, the leakage table, chart data or workbook sheet
    assert result.leakage["round2"] == int(s.loc[~unknown & ~s["local"], "round1"].sum())
    assert result.leakage["not_placed"] == result.unplaced
    assert set(charts.leakage_table(result)["location"]) <= {"non-local", "local branch"}
    leak_sheet = openpyxl.load_workbook(files.xlsx)["Leakage"]
    places = {row[2] for row in leak_sheet.iter_rows(min_row=2, values_only=True)}
    locations = {row[1] for row in leak_sheet.iter_rows(min_row=2, values_only=True)}
    assert "not placed" not in locations and "location unknown" not in places
    # the bounds, worked from the rounds: the unplaced spend all local, re-spent at the local suppliers'
    # rate (R3 / R2 of local suppliers: the published 76% here, with no survey); like the placed spend
    local = s[s["local"]]
    rate = Decimal(int(local["round3"].sum())) / Decimal(int(local["round2"].sum()))
    extra_r3 = int((Decimal(result.unplaced) * rate).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    r1 = result.round1
    assert result.bounds.all_local == (r1 + result.round2 + result.unplaced + result.round3 + extra_r3) / r1
    assert result.bounds.not_local == result.lm3 < result.bounds.like_placed < result.bounds.all_local
    # no survey: no interval anywhere, and no bootstrap claimed
    assert result.interval is None and data["interval"] is None
    assert "interval" not in summary or summary.get("LM3 interval") == "none: no survey answers to resample"
    assert not any("bootstrap" in a.value for a in result.assumptions)
