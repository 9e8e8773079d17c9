"""Generate a council-year for the pipeline benchmark: payments, a supplier register, payroll and both
surveys, at any scale, with the quirks of real files.

    python benchmarks/make_council.py OUTDIR [--rows 1000000]

At 1,000,000 payments: about 40,000 suppliers (one per 25 payments), a register of 40,000 rows with real
postcodes drawn from the ONS Postcode Directory (60% in the area, Bradford; the rest across the UK),
5% of them local branches with a head office elsewhere, 10% of suppliers missing from it, names spelt
differently between the payments and the register ("NORTHERN ACME 12 LTD" / "Northern Acme 12 Limited"),
2% with a typo; individuals and redacted payees; 10,000 staff (70% living in the area), 2,000 supplier and
3,000 staff survey answers. The payments file has the quirks of ``make_spend.py`` (amount forms, credit
notes, redacted spellings, dates in two forms). Writes lm3.toml naming them all; prints the payments' total.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from make_spend import spend_frame

from lm3.geo import default_directory

AREA = "E08000032"  # Bradford


def _postcodes(n: int, rng: np.random.Generator, local_share: float) -> np.ndarray:
    """``n`` real postcodes from the ONS directory, ``local_share`` of them in the area."""
    index = default_directory().index
    placed = index.lad >= 0
    lads = np.asarray(index.lads, dtype=object)
    in_area = placed & (lads[np.maximum(index.lad, 0)] == AREA)
    elsewhere = placed & ~in_area
    local = rng.random(n) < local_share
    out = np.empty(n, dtype=object)
    for mask, pool in ((local, np.flatnonzero(in_area)), (~local, np.flatnonzero(elsewhere))):
        keys = index.keys[rng.choice(pool, int(mask.sum()))].astype(str)
        out[mask] = [f"{k[:-3]} {k[-3:]}" for k in keys]
    return out


def _typo(names: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each name with two neighbouring letters of its first word swapped."""
    out = names.copy()
    for i, name in enumerate(names):
        j = int(rng.integers(1, max(min(len(name) // 2, 6), 2)))
        out[i] = name[: j - 1] + name[j] + name[j - 1] + name[j + 1 :]
    return out


def write(out: Path, rows: int, seed: int = 2026) -> int:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    frame, total = spend_frame(rows, seed=seed, suppliers=max(rows // 25, 1000), numbered=False)
    header = ["Body Name", "Service Area", "Account Code", "Expenses Type", "Payment Date", "Transaction Number",
              "Supplier ID", "Supplier Name", "Net Amount"]  # fmt: skip
    frame[[0, 1, 2, 3, 5, 6, 7, 8, 11]].set_axis(header, axis=1).to_csv(out / "payments.csv", index=False)

    # the register: the suppliers the payments name, spelt as a vendor master file spells them
    names = pd.Series(frame[8].unique())
    names = names[~names.str.contains("REDACTED|THIRD PARTY", regex=True)].to_numpy(dtype=object)
    registered = names[rng.random(len(names)) < 0.9]
    ids = frame.drop_duplicates(8).set_index(8)[7]
    spelt = pd.Series(registered).str.title().str.replace(r" Ltd\.?$", " Limited", regex=True)
    spelt = spelt.str.replace(" Plc", " plc", regex=False).to_numpy(dtype=object)
    typo = rng.random(len(spelt)) < 0.02
    spelt[typo] = _typo(spelt[typo], rng)
    n = len(spelt)
    office = np.where(rng.random(n) < 0.05, _postcodes(n, rng, 0.0), "")
    register = pd.DataFrame(
        {
            "Supplier Name": spelt,
            # half the register gives the payments' supplier id; the rest must be matched by name
            "Supplier ID": pd.Series(registered)
            .map(ids)
            .where(rng.random(len(registered)) < 0.5, "")
            .to_numpy(),
            "Postcode": _postcodes(n, rng, 0.6),
            "Head Office Postcode": office,
            "SME": np.where(rng.random(n) < 0.6, "Y", "N"),
        }
    )
    register.to_csv(out / "register.csv", index=False)

    staff = max(rows // 100, 100)
    payroll = pd.DataFrame(
        {
            "Employee ID": [f"E{i:06d}" for i in range(staff)],
            "Home postcode": _postcodes(staff, rng, 0.7),
            "Gross pay": np.round(rng.normal(32_000, 9_000, staff).clip(12_000, 150_000), 2),
        }
    )
    payroll["Net pay"] = (payroll["Gross pay"] * 0.78).round(2)
    payroll.to_csv(out / "payroll.csv", index=False)
    answers = min(max(rows // 500, 20), n)
    pd.DataFrame(
        {
            "Supplier": register["Supplier Name"].sample(answers, random_state=seed).to_numpy(),
            "Local spend share": [f"{v}%" for v in rng.integers(10, 95, answers)],
        }
    ).to_csv(out / "supplier-survey.csv", index=False)
    staff_answers = min(max(rows // 333, 30), staff)
    pd.DataFrame(
        {
            "Employee ID": payroll["Employee ID"].sample(staff_answers, random_state=seed).to_numpy(),
            "Local spend share": np.round(rng.uniform(0.2, 0.95, staff_answers), 2),
        }
    ).to_csv(out / "staff-survey.csv", index=False)
    (out / "lm3.toml").write_text(
        'name = "Example council"\narea = "Bradford"\n[inputs]\npayments = "payments.csv"\n'
        'suppliers = "register.csv"\npayroll = "payroll.csv"\nsupplier_survey = "supplier-survey.csv"\n'
        'staff_survey = "staff-survey.csv"\n',
        encoding="utf-8",
    )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(write(args.outdir, args.rows))


if __name__ == "__main__":
    main()
