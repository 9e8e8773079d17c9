"""End to end on real council files (tests/data/spend, copied from ../shared/data; Open Government Licence v3.0)."""

from __future__ import annotations

from conftest import DATA

import lm3
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
    # name, said in the warnings, and placed outside Salford. Nothing is local.
    s = result.suppliers
    fuzzy = s["supplier"] == "Northgate Public Services Limited"
    assert s.loc[fuzzy, "location"].tolist() == ["non-local"]
    assert set(s.loc[~fuzzy, "location"]) == {"unknown"}
    assert any("1 supplier(s) matched to the register by a similar name" in w for w in result.warnings)
    assert result.round2 == 0 and result.lm3 == 1.0


def test_salford_register_with_several_contracts_per_supplier():
    # Salford's contracts register lists some suppliers once per contract, at different postcodes.
    register = read_register(SALFORD_REGISTER)
    assert register.columns["supplier"] == "Supplier Company Name"
    assert register.columns["postcode"] == "Supplier Postcode"
    several = next(w for w in register.warnings if "have several postcodes" in w)
    assert several.startswith(f"{SALFORD_REGISTER.name}: ")
