"""Writes the illustrative Bradford Trident sample (the XLSX files of lm3/data/samples/bradford-trident, shipped
inside the package).

The inputs behind Locality's published figure (every £1 of Bradford Trident's income creates £2.52 for the
local economy) are not published. These files are constructed: the organisation's suppliers and staff are
invented, the postcodes are real (ONS Postcode Directory, November 2025), and the amounts and survey
answers were chosen so that the whole lm3 pipeline, run on these files, gives LM3 = 2.52.

Run from the project root (needs openpyxl):  python tools/build_sample.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parents[1] / "lm3" / "data" / "samples" / "bradford-trident"

# name in the register, name as the finance system spells it, postcode, head office postcode, type,
# payments (pounds, in the order paid; negative = credit note), survey answer as typed (None = no answer)
SUPPLIERS = [
    (
        "Aire Valley Catering Limited",
        "AIRE VALLEY CATERING LTD",
        "BD1 1LD",
        "",
        "caterer",
        [
            3450.00,
            3612.50,
            3398.20,
            3720.00,
            3505.75,
            3640.00,
            3580.40,
            3702.15,
            3455.00,
            3690.30,
            3611.80,
            3588.90,
        ],
        "78",
    ),
    (
        "Little Horton Community Printers",
        "Little Horton Community Printers",
        "BD5 0JL",
        "",
        "printer",
        [1250.00, 980.50, 2110.00, 1645.25, 1320.00, 1899.99],
        "71",
    ),
    (
        "Manningham Maintenance Services Ltd",
        "MANNINGHAM MAINTENANCE SERVICES",
        "BD8 7JN",
        "",
        "maintenance",
        [6200.00, 5875.40, 7120.00, 6480.60, 5990.00, 6335.00],
        "84",
    ),
    (
        "Bradford Youth Arts CIC",
        "Bradford Youth Arts C.I.C.",
        "BD1 5JZ",
        "",
        "arts",
        [4200.00, 3850.00, 3950.00, 3000.00],
        None,
    ),
    (
        "Bowling Cleaning Co-operative Ltd",
        "BOWLING CLEANING CO-OPERATIVE",
        "BD4 7JR",
        "",
        "cleaning",
        [
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
            1780.00,
        ],
        "86",
    ),
    (
        "Horton Grange Properties Ltd",
        "HORTON GRANGE PROPERTIES LIMITED",
        "BD7 1LR",
        "",
        "landlord",
        [12150.00, 12150.00, 12150.00, 12150.00],
        None,
    ),
    (
        "West Bradford Minibus Hire",
        "West Bradford Minibus Hire",
        "BD9 4JJ",
        "",
        "transport",
        [1420.00, 1185.00, 1760.00, 1510.00, 1325.00],
        "70",
    ),
    (
        "Shipley Office Supplies Ltd",
        "SHIPLEY OFFICE SUPPLIES LTD",
        "BD18 3JB",
        "",
        "stationery",
        [845.60, 1212.35, -240.00, 968.20, 1104.75, 1320.10, 990.00],
        None,
    ),
    (
        "Bradford Local Food Network CIC",
        "Bradford Local Food Network CIC",
        "BD3 9LB",
        "",
        "food",
        [2310.00, 2475.50, 2190.25, 2640.00, 1985.00],
        "93",
    ),
    (
        "National Facilities Group plc",
        "NATIONAL FACILITIES GROUP PLC",
        "BD1 1SZ",
        "EC2M 7NL",
        "facilities",
        [9150.00, 9150.00, 9150.00, 9150.00, 9150.00, 9150.00],
        "38",
    ),
    (
        "Northern Power & Gas Supply Ltd",
        "NORTHERN POWER AND GAS SUPPLY LTD",
        "LS1 4GS",
        "",
        "energy",
        [2480.00, 2210.35, 1905.60, 2640.15, 2950.40, 2388.70],
        None,
    ),
    (
        "OfficeDirect UK Ltd",
        "OFFICEDIRECT UK LTD",
        "MK9 2HA",
        "",
        "stationery",
        [1645.30, 1380.00, 1920.45, 1475.90],
        None,
    ),
    (
        "Sentinel Insurance Services plc",
        "SENTINEL INSURANCE SERVICES PLC",
        "EC1A 1TJ",
        "",
        "insurance",
        [8940.00],
        None,
    ),
    (
        "Pennine Payroll Bureau Ltd",
        "PENNINE PAYROLL BUREAU LTD",
        "M1 3HY",
        "",
        "payroll bureau",
        [1095.00, 1095.00, 1095.00, 1095.00],
        None,
    ),
    ("Cloudworks Software Ltd", "CLOUDWORKS SOFTWARE LTD", "RG1 1GF", "", "software", [2880.00], None),
    (
        "Dales Outdoor Education Ltd",
        "DALES OUTDOOR EDUCATION LTD",
        "BD23 1FZ",
        "",
        "outdoor education",
        [2450.00, 3175.00],
        "55",
    ),
]

# employee id, role, home postcode, gross pay, net pay, survey answer (fraction of gross pay, None = none)
STAFF = [
    ("BT001", "Chief executive", "BD15 7JP", 52400.00, 38870.40, 0.68),
    ("BT002", "Finance manager", "BD9 6HU", 39850.00, 30905.60, 0.71),
    ("BT003", "Community development worker", "BD5 7LG", 31200.00, 24983.20, None),
    ("BT004", "Community development worker", "BD5 9JR", 31200.00, 24983.20, 0.83),
    ("BT005", "Youth worker", "BD7 2HR", 28650.00, 23258.80, 0.86),
    ("BT006", "Youth worker", "BD8 8JJ", 28650.00, 23258.80, None),
    ("BT007", "Centre manager", "BD6 1HN", 36400.00, 28520.00, 0.74),
    ("BT008", "Health trainer", "BD3 9TF", 27300.00, 22340.10, 0.89),
    ("BT009", "Health trainer", "BD4 7SY", 27300.00, 22340.10, None),
    ("BT010", "Family support worker", "BD10 8GZ", 29800.00, 24045.30, 0.78),
    ("BT011", "Family support worker", "BD12 0LN", 29800.00, 24045.30, 0.8),
    ("BT012", "Administrator", "BD13 3HF", 23900.00, 19810.50, None),
    ("BT013", "Administrator", "BD2 3GD", 23900.00, 19810.50, 0.92),
    ("BT014", "Caretaker", "BD7 1XQ", 22450.00, 18950.20, None),
    ("BT015", "Employment adviser", "BD18 3RL", 30600.00, 24600.00, 0.70),
    ("BT016", "Training coordinator", "LS6 2HF", 33800.00, 26890.40, 0.35),
    ("BT017", "Bookkeeper (part-time)", "BD11 1GA", 14950.00, 13120.75, None),
    ("BT018", "Counsellor (part-time)", "HX1 1JS", 18200.00, 15640.00, None),
]


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[object]], widths: list[int]):
    ws = wb.active if wb.active.title == "Sheet" else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for letter, width in zip("ABCDEFGH", widths, strict=False):
        ws.column_dimensions[letter].width = width
    return ws


def build() -> None:
    # Payments: a finance-system export with a title above the header, monthly dates, a credit note.
    wb = Workbook()
    ws = wb.active
    ws.title = "Payments 2024-25"
    ws.append(["Bradford Trident (illustrative) - payments to suppliers, April 2024 to March 2025"])
    ws.append([])
    ws.append(["Payment Date", "Supplier Name", "Expense Type", "Amount (£)"])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    rows = []
    for _reg, paid_as, _pc, _ho, kind, amounts, _ans in SUPPLIERS:
        for i, amount in enumerate(amounts):
            month = 4 + (i * 12 // len(amounts))
            year = 2024 if month <= 12 else 2025
            date = dt.date(year, (month - 1) % 12 + 1, 10 + (i % 15))
            rows.append([date, paid_as, kind, amount])
    for row in sorted(rows, key=lambda r: (r[0], r[1])):
        ws.append(row)
        ws.cell(ws.max_row, 1).number_format = "dd/mm/yyyy"
        ws.cell(ws.max_row, 4).number_format = "#,##0.00"
    for letter, width in zip("ABCD", [14, 38, 20, 14], strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(HERE / "payments.xlsx")

    wb = Workbook()
    _sheet(
        wb,
        "Suppliers",
        ["Supplier", "Postcode", "Head office postcode", "Type"],
        [[reg, pc, ho or None, kind] for reg, _p, pc, ho, kind, _a, _s in SUPPLIERS],
        [38, 12, 22, 20],
    )
    wb.save(HERE / "suppliers.xlsx")

    wb = Workbook()
    _sheet(
        wb,
        "Payroll 2024-25",
        ["Employee ID", "Role", "Home postcode", "Gross pay", "Net pay"],
        [[e, role, pc, gross, net] for e, role, pc, gross, net, _s in STAFF],
        [12, 30, 14, 12, 12],
    )
    wb.save(HERE / "payroll.xlsx")

    # Supplier survey answers typed as bare percentages ("74" means 74%).
    wb = Workbook()
    _sheet(
        wb,
        "Responses",
        ["Supplier", "Local spend (%)"],
        [[reg, int(ans)] for reg, _p, _pc, _ho, _k, _a, ans in SUPPLIERS if ans is not None],
        [38, 16],
    )
    wb.save(HERE / "supplier-survey.xlsx")

    # Staff survey answers in cells formatted as percentages (Excel stores 0.62 for 62%).
    wb = Workbook()
    ws = _sheet(
        wb,
        "Responses",
        ["Employee ID", "Local spend share"],
        [[e, share] for e, _r, _pc, _g, _n, share in STAFF if share is not None],
        [12, 18],
    )
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.number_format = "0%"
    wb.save(HERE / "staff-survey.xlsx")


if __name__ == "__main__":
    build()
