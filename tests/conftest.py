from __future__ import annotations

from pathlib import Path

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
