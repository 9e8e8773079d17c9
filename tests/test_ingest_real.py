"""Every real spend file in tests/data/spend reads with the right columns and an exact total.

The expected figures come from a deliberately plain reader written here (the standard library's csv module
and Decimal, openpyxl for the workbook), told each file's encoding and amount column by hand, so they do not
depend on lm3's detection or parsing. Its rules: skip blank rows; a blank or "-" amount is a rejected row;
Craven's last row is the council's own total (blank supplier) and is not a payment.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from conftest import DATA

import lm3

SPEND = DATA / "spend"

# file: (encoding, supplier header, amount header, date header, rows that are the file's own total)
FILES = {
    "barrow_bc_2023-04.csv": ("utf-8", "Supplier", "Net Amount", "Payment Date", 0),
    "craven_dc_payments_2017-03.csv": ("cp1252", "Supplier Name", "Amount", "Payment Date", 1),
    "hyndburn_2017-01_over250.csv": ("cp1252", "Name", "Net Amount(£)", "Payment date", 0),
    "lambeth_2011-01-payments_supplier_totals.csv": (
        "utf-8",
        "Supplier Name",
        "Sum of Invoice Nett Amount",
        None,
        0,
    ),
    "odileeds_bradford_2019-12_clean.csv": ("cp1252", "Supplier Name", "Net Amount", "Payment date", 0),
    "odileeds_calderdale_clean_2022-08.csv": (
        "utf-8",
        "Supplier(Beneficiary) Name",
        "Net Amount",
        "Date",
        0,
    ),
    "odileeds_harrogate_clean_2022-08.csv": ("utf-8", "Supplier Name", "Net Amount", "Payment Date", 0),
    "odileeds_leeds_raw_2010-12.csv": ("utf-8", "Supplier name", "Net amount", "Date paid", 0),
    "odileeds_manchester_clean_2022-05.csv": (
        "utf-8",
        "Supplier Name",
        "Net Amount",
        "Invoice Payment Date",
        0,
    ),
    "odileeds_northtyneside_clean_2022-07_p.csv": (
        "utf-8",
        "Supplier (Beneficiary) Name",
        "Net Amount",
        "Payment Date",
        0,
    ),
    "odileeds_salford_clean_2022-04.csv": ("utf-8", "Vendor Name", "Net", "Date of Payment", 0),
    "odileeds_salford_clean_2022-05.csv": ("utf-8", "Vendor Name", "Net", "Date of Payment", 0),
    # a contracts register published in the spend slot: its money column is the annual contract value
    "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv": (
        "utf-8",
        "Supplier Company Name",
        "Annual Value",
        None,
        0,
    ),
    "oxford_city_expenditure-over-500-jan-mar-2018.csv": ("utf-8", "Supplier Name", "Amount", "Paid Date", 0),
}


def plain_read(path: Path, encoding: str, amount: str, total_rows: int) -> tuple[int, int, int]:
    """(accepted rows, rejected rows, total in pence) by the rules in the module docstring."""
    text = path.read_bytes().decode(encoding)
    text = text.lstrip("\ufeff").removeprefix("ï»¿")  # Manchester's byte-order mark, encoded twice
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]
    header, body = rows[0], rows[1:]
    if total_rows:
        body = body[:-total_rows]
    column = header.index(amount)
    accepted = rejected = 0
    total = Decimal(0)
    for r in body:
        value = r[column].strip().replace(",", "")
        if value in ("", "-"):
            rejected += 1
            continue
        total += Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        accepted += 1
    return accepted, rejected, int(total * 100)


def test_every_real_file_is_listed_here():
    assert sorted(p.name for p in SPEND.iterdir() if p.suffix in (".csv", ".xlsx")) == sorted(
        [*FILES, "lancashire_fire_2025-26-q3.xlsx"]
    )


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_csv_reads_with_the_right_columns_and_an_exact_total(name):
    encoding, supplier, amount, date, total_rows = FILES[name]
    accepted, rejected, total = plain_read(SPEND / name, encoding, amount, total_rows)
    result = lm3.ingest(SPEND / name)
    assert result.columns["supplier"] == supplier
    assert result.columns["amount"] == amount
    assert result.columns["date"] == date
    assert (result.rows_accepted, result.rows_rejected, result.total) == (accepted, rejected, total)
    assert result.to_dict()["total"] == f"{Decimal(total) / 100:.2f}"


def test_real_xlsx_reads_with_the_right_columns_and_an_exact_total():
    import openpyxl

    book = openpyxl.load_workbook(SPEND / "lancashire_fire_2025-26-q3.xlsx", read_only=True)
    rows = [r for r in book.active.iter_rows(values_only=True) if any(c is not None for c in r)]
    header, body = list(rows[0]), rows[1:]
    column = header.index("Amount")
    total = sum(Decimal(str(r[column])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for r in body)
    result = lm3.ingest(SPEND / "lancashire_fire_2025-26-q3.xlsx")
    assert result.sheets == ("Q3 2025-26 upload",)
    assert [result.columns[k] for k in ("supplier", "amount", "date")] == ["Supplier Name", "Amount", "Date"]
    assert (result.rows_accepted, result.rows_rejected, result.total) == (len(body), 0, int(total * 100))
    # Excel date-times at 01:00 (a BST artefact) are payment days
    assert str(result.data["date"].iloc[0]) == "2025-10-21 00:00:00"


def test_craven_total_row_is_reported_and_reconciles():
    result = lm3.ingest(SPEND / "craven_dc_payments_2017-03.csv")
    assert result.file_total == 726_583_94  # the council's own figure, on its last row
    assert [(t.row, t.label, t.reconciles) for t in result.totals] == [(173, None, True)]
    # read with a month that states no total, the total row still says whose it is
    both = lm3.ingest(
        [SPEND / "odileeds_salford_clean_2022-04.csv", SPEND / "craven_dc_payments_2017-03.csv"]
    )
    assert [(t.file, t.row, t.value) for t in both.totals] == [
        ("craven_dc_payments_2017-03.csv", 173, 726_583_94)
    ]
    assert lm3.ingest(SPEND / "odileeds_salford_clean_2022-04.csv").totals == ()  # it states none


def test_real_files_optional_columns_are_found():
    calderdale = lm3.ingest(SPEND / "odileeds_calderdale_clean_2022-08.csv").columns
    assert calderdale["company_number"] == "Supplier Registered Company Number"
    assert calderdale["charity_number"] == "Supplier Registered Charity Number"
    assert calderdale["vat_number"] == "VAT Registration Number"
    assert calderdale["vcse"] == "Voluntary Community and Social Enterprise Supplier"
    assert calderdale["supplier_id"] == "Supplier ID"
    assert calderdale["service_area"] == "Expense Area"
    oxford = lm3.ingest(SPEND / "oxford_city_expenditure-over-500-jan-mar-2018.csv").columns
    assert oxford["expense_type"] == "Expenditure Catergory"  # the council's typo
    assert oxford["capital_revenue"] == "Type of Expenditure"
    harrogate = lm3.ingest(SPEND / "odileeds_harrogate_clean_2022-08.csv")
    assert harrogate.columns["capital_revenue"] == "Capital / Revenue"
    assert set(harrogate.data["capital_revenue"].dropna()) <= {"capital", "revenue"}


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("odileeds_bradford_2019-12_clean.csv", "cp1252"),
        ("odileeds_harrogate_clean_2022-08.csv", "utf-8"),
        ("odileeds_leeds_raw_2010-12.csv", "utf-8"),
        ("odileeds_manchester_clean_2022-05.csv", "utf-8"),
    ],
)
def test_real_redacted_suppliers_are_one_class(name, encoding):
    # counted independently: rows whose supplier says redacted, personal data/information
    text = (SPEND / name).read_bytes().decode(encoding).lstrip("\ufeff").removeprefix("ï»¿")
    rows = list(csv.DictReader(text.splitlines()))
    supplier = next(k for k in rows[0] if "Supplier" in k or "supplier" in k)
    redacted = [
        r
        for r in rows
        if any(
            w in (r[supplier] or "").upper() for w in ("REDACTED", "PERSONAL DATA", "PERSONAL INFORMATION")
        )
    ]
    result = lm3.ingest(SPEND / name)
    data = result.data
    assert int((data["supplier_class"] == "redacted").sum()) == len(redacted) > 0
    assert set(data.loc[data["supplier_class"] == "redacted", "key"]) == {"(REDACTED)"}
