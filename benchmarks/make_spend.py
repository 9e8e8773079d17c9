"""Generate realistic council spend files for the benchmarks: a CSV of 1,000,000 rows, an XLSX of 200,000.

The quirks are the ones seen in real "spend over £500" files (../shared/DOMAIN.md): report titles and a
parameter line above the header, duplicate header names, gross/VAT/net columns side by side, amounts as
"1,000.00", "161,413.00-", "(1,043.00)", "£5,000.00" and with trailing spaces, dates as dd/mm/yyyy and ISO,
credit notes, redacted suppliers in several spellings, blank rows, rows with an unnamed trailing field, and
the file's own total on the last row. About 20,000 suppliers, the large ones paid often.

    python benchmarks/make_spend.py OUTDIR [--rows 1000000] [--xlsx-rows 200000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = [
    "Body Name",
    "Service Area",
    "Account Code",
    "Account Code",
    "Expenses Type",
    "Payment Date",
    "Transaction Number",
    "Supplier ID",
    "Supplier Name",
    "Gross Amount",
    "VAT",
    "Net Amount",
]
SERVICES = [
    "Adult Social Care",
    "Children's Services",
    "Highways",
    "Waste",
    "Housing",
    "Leisure",
    "Corporate",
]
EXPENSES = ["Agency Staff", "Building Repairs", "Catering", "Consultancy", "Fuel", "IT Software", "Grants"]
REDACTED = [
    "REDACTED PERSONAL DATA",
    "Redacted Personal Information",
    "THIRD PARTY SUPPLIER",
    "REDACTED – PERSONAL DATA",
]
SUFFIXES = [" LTD", " LIMITED", " Ltd.", " PLC", " LLP", " CIC", "", " & CO"]


def supplier_names(n: int, rng: np.random.Generator, *, numbered: bool = True) -> np.ndarray:
    words = np.array(
        [
            "NORTHERN",
            "ACME",
            "PENNINE",
            "CITY",
            "ALPHA",
            "GREEN",
            "VALLEY",
            "BRIGHT",
            "CROWN",
            "UNITED",
            "HERITAGE",
            "METRO",
            "CIVIC",
            "PREMIER",
            "ROYAL",
            "SMITH",
            "JONES",
            "TAYLOR",
            "CARE",
            "BUILD",
        ]
    )
    trades = np.array(
        ["SERVICES", "SUPPLIES", "CONSTRUCTION", "CARE", "TRAINING", "CLEANING", "MOTORS", "FOODS"]
    )
    first = words[rng.integers(0, len(words), n)]
    second = words[rng.integers(0, len(words), n)]
    trade = trades[rng.integers(0, len(trades), n)]
    suffix = np.array(SUFFIXES)[rng.integers(0, len(SUFFIXES), n)]
    names = np.char.add(np.char.add(np.char.add(first, " "), np.char.add(second, " ")), trade)
    if numbered:
        names = np.char.add(np.char.add(names, np.char.mod(" %d", np.arange(n))), suffix)
        return names.astype(object)
    # a made-up word of syllables instead of a number: names as people write them (a trailing number is
    # an account reference to lm3, and is left out of the key)
    syllables = np.array([c + v for c in "BDFGKLMNPRSTVZ" for v in "AEIOU"])
    i = np.arange(n)
    word = np.char.add(np.char.add(syllables[i % 70], syllables[(i // 70) % 70]), syllables[(i // 4900) % 70])
    word = np.char.capitalize(word)
    return np.char.add(np.char.add(np.char.add(word, " "), names), suffix).astype(object)


def spend_frame(
    rows: int, seed: int = 2026, suppliers: int = 20_000, *, numbered: bool = True
) -> tuple[pd.DataFrame, int]:
    """The payment rows (as text, the way an export writes them) and their net total in pence."""
    rng = np.random.default_rng(seed)
    names = supplier_names(suppliers, rng, numbered=numbered)
    which = np.minimum(rng.zipf(1.3, rows) - 1, len(names) - 1)
    supplier = names[which]
    redacted = rng.random(rows) < 0.02
    supplier[redacted] = np.array(REDACTED, dtype=object)[rng.integers(0, len(REDACTED), int(redacted.sum()))]

    net = np.round(rng.lognormal(7.0, 1.3, rows) * 100).astype(np.int64) + 50_000
    credit = rng.random(rows) < 0.05
    net[credit] = -net[credit]
    vat = net // 5

    style = rng.integers(0, 10, rows)
    pounds = np.abs(net) // 100
    pence = np.abs(net) % 100
    base = pd.Series(pounds).astype("str") + "." + pd.Series(pence).astype("str").str.zfill(2)
    commas = pd.Series(pounds).map("{:,}".format) + "." + pd.Series(pence).astype("str").str.zfill(2)
    negative = pd.Series(net < 0)
    text = base.where(~negative, "-" + base)
    text = text.mask((style == 1), commas.where(~negative, "-" + commas))
    text = text.mask((style == 2) & negative, commas + "-")
    text = text.mask((style == 3) & negative, "(" + commas + ")")
    text = text.mask(style == 4, text + " ")
    text = text.mask((style == 5) & ~negative, "£" + commas)

    days = pd.Timestamp("2025-04-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    dates = pd.Series(days.strftime("%d/%m/%Y"))
    dates = dates.mask(rng.random(rows) < 0.3, pd.Series(days.strftime("%Y-%m-%d")))

    frame = pd.DataFrame(
        {
            0: "Example Metropolitan Borough Council",
            1: np.array(SERVICES, dtype=object)[rng.integers(0, len(SERVICES), rows)],
            2: pd.Series(rng.integers(1000, 9999, rows)).astype("str"),
            3: np.array(EXPENSES, dtype=object)[rng.integers(0, len(EXPENSES), rows)],
            4: np.array(EXPENSES, dtype=object)[rng.integers(0, len(EXPENSES), rows)],
            5: dates,
            6: pd.Series(np.arange(rows) + 70_000_000).astype("str"),
            7: pd.Series(which + 100_000).astype("str"),
            8: supplier,
            9: pd.Series((net + vat) / 100).map("{:.2f}".format),
            10: pd.Series(vat / 100).map("{:.2f}".format),
            11: text,
        }
    )
    return frame, int(net.sum())


def write_csv(path: Path, rows: int) -> int:
    """Write the CSV; returns its total in pence."""
    frame, total = spend_frame(rows)
    body = frame.to_csv(index=False, header=False, lineterminator="\n")
    lines = body.split("\n")
    lines.pop()  # the final newline
    rng = np.random.default_rng(7)
    for i in rng.choice(len(lines), size=max(rows // 10_000, 1), replace=False):
        lines[i] = lines[i] + ",see note"  # an unnamed trailing field
    for i in sorted(rng.choice(len(lines), size=max(rows // 50_000, 1), replace=False), reverse=True):
        lines.insert(int(i), "," * (len(HEADER) - 1))  # a blank row
    pounds, pence = divmod(abs(total), 100)
    lines.append(",,,,,,,,Grand Total,,," + ("-" if total < 0 else "") + f"{pounds}.{pence:02d}")
    head = [
        "Example Metropolitan Borough Council - Payments to suppliers over £500",
        "Period: April 2025 to March 2026,,Run date: 02/04/2026",
        "",
        ",".join(HEADER),
    ]
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(head + lines) + "\n").encode("utf-8"))
    return total


def write_xlsx(path: Path, rows: int) -> int:
    """Write the XLSX: a title row, one sheet per quarter with the same header, amounts as numbers (some
    with Excel's float noise, some as text), dates as Excel dates, and a notes sheet. Returns the total."""
    import openpyxl

    frame, total = spend_frame(rows, seed=11)
    net = _pence(frame[11])
    rng = np.random.default_rng(3)
    noise = rng.random(rows) < 0.05
    amounts = (net / 100).astype(object)
    amounts[noise] = (net[noise] - 1e-10) / 100  # 4999.999999999999-style values from Excel arithmetic
    as_text = rng.random(rows) < 0.05
    amounts[as_text] = frame[11].to_numpy()[as_text]
    dates = pd.to_datetime(frame[5], format="mixed", dayfirst=True).dt.to_pydatetime()
    columns = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11]
    header = [HEADER[i] for i in columns]
    values = [frame[i].to_numpy() for i in columns[:-1]]
    values[5] = dates
    book = openpyxl.Workbook(write_only=True)
    for q, part in enumerate(np.array_split(np.arange(rows), 4), start=1):
        sheet = book.create_sheet(f"Q{q} 2025-26")
        sheet.append([f"Payments to suppliers, quarter {q}"])
        sheet.append([])
        sheet.append(header)
        for i in part:
            sheet.append([v[i] for v in values] + [amounts[i]])
    notes = book.create_sheet("Notes")
    notes.append(["Published under the Local Government Transparency Code 2015."])
    book.save(path)
    return total


def _pence(text: pd.Series) -> np.ndarray:
    """The generator's own amounts back in pence (it knows every form it wrote)."""
    cleaned = text.str.strip().str.replace(r"[£,()]", "", regex=True)
    negative = cleaned.str.endswith("-") | cleaned.str.startswith("-") | text.str.startswith("(")
    cleaned = cleaned.str.strip("-")
    whole = cleaned.str.split(".").str[0].astype("int64")
    pence = cleaned.str.split(".").str[1].astype("int64")
    value = (whole * 100 + pence).to_numpy()
    return np.where(negative.to_numpy(), -value, value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    write_csv(args.outdir / "spend.csv", args.rows)
    write_xlsx(args.outdir / "spend.xlsx", args.xlsx_rows)


if __name__ == "__main__":
    main()
