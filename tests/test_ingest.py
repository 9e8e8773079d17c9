"""Ingest, one quirk per file (tests/data/ingest, described in its README), figures worked by hand."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

import hypothesis.strategies as st
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA
from hypothesis import given, settings

import lm3
from lm3.cli import cli
from lm3.values.money import parse_money

INGEST = DATA / "ingest"


def ingest(name: str, **options) -> lm3.IngestResult:
    return lm3.ingest(INGEST / name, **options)


def table(result: lm3.IngestResult, *columns: str) -> list[list[object]]:
    return result.data[list(columns)].values.tolist()


def test_preamble_lines_are_skipped_and_the_grand_total_reconciles():
    result = ingest("preamble_and_grand_total.csv")
    assert table(result, "row", "supplier", "amount") == [
        [5, "Print Shop", 100_00],
        [6, "Aire Valley Catering", 250_50],
    ]
    assert result.file_total == 350_50  # 100.00 + 250.50, the file's own last row
    assert [(t.row, t.label, t.reconciles) for t in result.totals] == [(7, "Grand Total", True)]
    assert (result.rows_accepted, result.rows_rejected) == (2, 0)


def test_a_total_row_that_does_not_reconcile_is_reported_with_the_difference():
    result = ingest("total_row_does_not_reconcile.csv")
    assert result.total == 350_50 and result.file_total == 400_00
    assert (
        "total_row_does_not_reconcile.csv: row 4 is the file's own total (£400.00), but the payments above it "
        "add up to £350.50 (difference £49.50): check the file is complete. The total row is not counted as "
        "a payment."
    ) in result.warnings


def test_blank_rows_anywhere_are_skipped_and_counted():
    result = ingest("blank_rows_anywhere.csv")
    assert table(result, "row", "amount") == [[4, 100_00], [7, 250_50]]
    assert result.blank_rows == 4  # rows 3 and 6 (empty), 5 (","), 8 (",,": an extra field, also empty)
    assert (result.rows_accepted, result.rows_rejected) == (2, 0)


def test_amount_forms_parse_to_the_penny_and_blanks_are_rejected_with_the_reason():
    result = ingest("amount_forms.csv")
    assert table(result, "supplier", "amount") == [
        ["A", 1000_00],  # "£1,000.00"
        ["B", 1000_00],  # "1,000.00 "
        ["C", -161413_00],  # "161,413.00-": trailing minus
        ["D", -1043_00],  # "(1,043.00)": brackets
        ["E", 5000_00],  # 4999.999999999999: Excel float noise, to the nearest penny
        ["H", 1],  # 0.005: half a penny rounds up
    ]
    assert result.rejected[["row", "value", "reason"]].values.tolist() == [
        [7, None, "amount is blank: give the amount paid, or delete the row"],
        [8, "twelve pounds", "is not an amount of money (write it like 1250.00 or -1,250.00)"],
    ]
    # 1000 + 1000 - 161413 - 1043 + 5000 + 0.01 = -155455.99
    assert result.total == -155455_99
    assert result.to_dict()["total"] == "-155455.99"


def test_credit_notes_are_kept_and_net_off_against_their_supplier():
    top = ingest("credit_notes.csv").top_suppliers()
    assert top[["supplier", "payments", "amount"]].values.tolist() == [
        ["Aire Valley Catering", 2, 200_00],  # 250.50 - 50.50
        ["Print Shop", 2, 60_00],  # 100.00 - 40.00
    ]


def test_dates_iso_dmy_and_period_codes_kept_as_periods():
    result = ingest("dates_and_periods.csv")
    assert result.columns["date"] == "Period"
    dates = result.data["date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates[:2] == ["2025-04-03", "2025-04-04"] and pd.isna(result.data["date"].iloc[2:]).all()
    assert result.data["period"].tolist()[2:4] == ["202205", "P13"]
    assert "dates_and_periods.csv: 1 row(s) with a date that is not a date (rows 6): kept, with no date." in (
        result.warnings
    )
    assert result.rows_accepted == 5 and result.total == 15_00


def test_duplicate_header_names_do_not_confuse_the_columns():
    result = ingest("duplicate_headers.csv")
    assert result.columns["supplier"] == "Supplier Name" and result.columns["amount"] == "Amount"
    assert result.total == 350_50


def test_extra_trailing_field_keeps_columns_in_place():
    result = ingest("extra_trailing_field.csv")
    assert table(result, "row", "supplier", "amount") == [
        [2, "Print Shop", 100_00],
        [3, "Aire Valley Catering", 250_50],
    ]
    assert (
        "extra_trailing_field.csv: rows with more fields than the header; the extra fields have no column and "
        "were not used: rows 2."
    ) in result.warnings


def test_extra_field_that_shifts_the_columns_rejects_the_row():
    result = ingest("extra_field_misaligned.csv")
    assert result.rejected["row"].tolist() == [2]
    assert "unquoted comma" in result.rejected["reason"].iloc[0]
    assert result.rows_accepted + result.rows_rejected == 2


def test_missing_delimiter_is_recovered_where_one_split_fits():
    result = ingest("missing_delimiter.csv")
    recovered = result.data.set_index("row").loc[[4, 5, 6], ["supplier", "amount", "transaction_id"]]
    assert recovered.values.tolist() == [
        ["Aire Valley Catering", 250_50, "1002"],  # "04/04/2025250.50": a date run into an amount
        ["BRENNTAG UK LTD", 12_00, "1003"],  # "BRENNTAG UK LTD05/04/2025": a name run into a date
        ["Unit 4", 7_50, "1004"],  # "Unit 406/04/2025": every date in the file has 10 characters
    ]
    assert result.data.set_index("row").loc[[4, 5, 6], "date"].dt.day.tolist() == [4, 5, 6]
    assert (result.rows_accepted, result.rows_rejected) == (24, 0)
    assert (
        "missing_delimiter.csv: 3 row(s) had a delimiter missing between two values; split where only one "
        "split fits the columns: rows 4, 5, 6."
    ) in result.warnings


def test_missing_delimiter_with_two_possible_splits_is_rejected(tmp_path):
    # dates of varying width: "1/4/2025" or "11/4/2025"? "Shop 11/4/2025" could split after "Shop 1" too
    path = tmp_path / "ambiguous.csv"
    path.write_text("Supplier,Date,Amount\nPrint Shop,1/4/2025,1.00\nShop 11/4/2025,2.00\n", encoding="utf-8")
    result = lm3.ingest(path)
    assert result.rows_accepted == 1
    assert result.rejected["row"].tolist() == [3]
    assert "2 different splits fit" in result.rejected["reason"].iloc[0]


def test_gross_vat_and_net_columns_use_net():
    result = ingest("gross_vat_net.csv")
    assert result.columns["amount"] == "Net Amount" and result.total == 350_50


def test_an_invoice_total_on_each_of_its_lines_is_not_summed():
    """Lines of an invoice, each with the invoice's total beside it: summing the totals would count INV-2 twice
    and INV-4 three times (£2,802.00); the lines sum to what was paid."""
    result = ingest("invoice_total_on_each_line.csv")
    # 120 + 100 + 75.50 + 40 + 300 + 100 + 50.25 + 60 + 500 + 20
    assert result.columns["amount"] == "Line Value" and result.total == 1365_75
    said = [w for w in result.warnings if w.code == "amount-is-line"]
    assert len(said) == 1 and "on 3 of 3 invoices of several lines" in said[0]


def test_a_misleading_header_is_overruled_by_content():
    result = ingest("misleading_header.csv")
    assert result.columns["supplier"] == "Supplier ID"
    assert result.chosen_by["supplier"].startswith("by content")
    assert result.data["supplier"].tolist() == ["Print Shop", "Aire Valley Catering", "Print Shop"]


def test_redacted_spellings_are_one_class_never_a_real_supplier():
    result = ingest("redacted_spellings.csv")
    data = result.data
    assert data["supplier_class"].tolist() == ["redacted"] * 7 + ["named"]
    assert set(data.loc[data["supplier_class"] == "redacted", "key"]) == {"(REDACTED)"}
    assert int(data.loc[data["supplier_class"] == "redacted", "amount"].sum()) == 280_00  # 10+20+...+70


def test_near_duplicate_names_are_merged_and_listed_but_numbers_must_agree():
    result = ingest("near_duplicates.csv")
    assert result.merges[["key", "into"]].values.tolist() == [["BRENTAG UK", "BRENNTAG UK"]]
    assert "Brentag UK Limited / Brenntag UK Ltd" in " ".join(result.warnings)
    assert result.data["key"].tolist()[:3] == ["BRENNTAG UK"] * 3
    assert result.data["key"].nunique() == 3  # Unit 4 and Unit 5 stay apart
    assert ingest("near_duplicates.csv", merge_threshold=None).data["key"].nunique() == 4


def test_encodings_cp1252_latin1_double_bom_and_semicolons():
    assert ingest("latin1.csv").data["supplier"].tolist()[0] == "Café Olé"
    assert lm3.ingest(DATA / "bad" / "cp1252_pound_header.csv").columns["amount"] == "Amount (£)"
    assert lm3.ingest(DATA / "bad" / "bom_double_encoded.csv").columns["supplier"] == "Supplier"
    semicolons = ingest("semicolon_delimited.csv")
    assert table(semicolons, "supplier", "amount") == [
        ["Print Shop", 100_00],
        ["Aire Valley Catering", 1250_50],
    ]


@pytest.mark.parametrize("name", ["months.ods", "months.xls"])
def test_ods_and_xls_workbooks_read_every_sheet_with_the_same_header(name):
    result = ingest(name)
    assert result.sheets == ("April", "May")
    assert result.data["amount"].tolist() == [100_00, 250_50, -40_00]
    assert result.data["date"].dt.strftime("%d/%m").tolist() == ["03/04", "04/04", "02/05"]


def test_xlsx_months_with_titles_float_noise_and_a_sheet_named(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for i, month in enumerate(["April", "May", "June"]):
        sheet = book.active if i == 0 else book.create_sheet()
        sheet.title = month
        sheet.append([f"Payments over £500, {month} 2025"])
        sheet.append([])
        sheet.append(["Supplier", "Net", "Date"])
        sheet.append(["Print Shop", 4999.999999999999, f"0{i + 1}/0{i + 4}/2025"])
        sheet.append(["Aire Valley Catering", "1,000.50", None])
        sheet.append(["Total", 6000.50, None])
    book.create_sheet("Notes").append(["Transparency Code 2015"])
    book.save(tmp_path / "year.xlsm")
    result = lm3.ingest(tmp_path / "year.xlsm")
    assert result.sheets == ("April", "May", "June")
    assert result.total == 3 * (5000_00 + 1000_50)
    assert result.file_total == 3 * 6000_50 and all(t.reconciles for t in result.totals)
    assert [t.row for t in result.totals] == [6, 6, 6]
    june = lm3.ingest(tmp_path / "year.xlsm", sheet="June")
    assert june.sheets == ("June",) and june.total == 6000_50
    with pytest.raises(lm3.InputError, match=r"no sheet named 'July'\. Sheets: April, May, June, Notes"):
        lm3.ingest(tmp_path / "year.xlsm", sheet="July")


def test_a_zip_holding_a_csv_or_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "spend.zip", "w") as archive:
        archive.write(INGEST / "credit_notes.csv", "2025/credit_notes.csv")
    result = lm3.ingest(tmp_path / "spend.zip")
    assert result.total == 260_00 and result.sheets == ("2025/credit_notes.csv",)
    with zipfile.ZipFile(tmp_path / "book.zip", "w") as archive:
        archive.write(INGEST / "months.ods", "months.ods")
    assert lm3.ingest(tmp_path / "book.zip").total == 310_50
    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("readme.txt.pdf", "nothing")
    with pytest.raises(lm3.InputError, match="the ZIP holds no CSV or spreadsheet"):
        lm3.ingest(tmp_path / "empty.zip")


def test_columns_override_detection():
    result = ingest("gross_vat_net.csv", columns={"amount": "Gross Amount"})
    assert result.total == 420_60 and result.chosen_by == {"amount": "set by you"}
    with pytest.raises(lm3.InputError, match="no column headed 'Net Total'"):
        ingest("gross_vat_net.csv", columns={"amount": "Net Total"})
    with pytest.raises(lm3.InputError, match="no payments column called 'cost'"):
        ingest("gross_vat_net.csv", columns={"cost": "Net Amount"})


def test_every_row_is_accepted_or_rejected_and_totals_reconcile():
    for path in sorted(INGEST.iterdir()):
        if path.suffix not in (".csv", ".ods", ".xls"):
            continue
        result = lm3.ingest(path)
        rows = result.data["row"].tolist() + result.rejected["row"].tolist()
        sheets = result.data["sheet"].tolist() + result.rejected["sheet"].tolist()
        assert len(rows) == len(set(zip(sheets, rows, strict=True)))  # no row both accepted and rejected
        assert result.total == int(result.data["amount"].sum())


@given(
    st.decimals(min_value=Decimal("-99999999.999"), max_value=Decimal("99999999.999"), places=3),
    st.sampled_from(["plain", "commas", "pound", "trailing", "brackets", "spaces"]),
)
def test_money_parses_every_form_to_the_penny_half_up(amount, form):
    expected = int((abs(amount) * 100).to_integral_value(rounding="ROUND_HALF_UP")) * (
        -1 if amount < 0 else 1
    )
    magnitude = abs(amount)
    text = {
        "plain": f"{magnitude}",
        "commas": f"{magnitude:,}",
        "pound": f"£{magnitude:,}",
        "trailing": f"{magnitude:,}-" if amount < 0 else f"{magnitude:,}",
        "brackets": f"({magnitude:,})" if amount < 0 else f"{magnitude:,}",
        "spaces": f"  {magnitude}\u00a0",
    }[form]
    if amount < 0 and form in ("plain", "commas", "pound", "spaces"):
        text = "-" + text.strip() if form != "pound" else "-" + text
    pence, bad = parse_money(pd.Series([text], dtype="object"))
    assert not bad.iloc[0] and int(pence.iloc[0]) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.decimals(
                min_value=Decimal("-999999999999999.999"),
                max_value=Decimal("999999999999999.999"),
                places=3,
                allow_nan=False,
            ),
            st.integers(0, 3),
            st.booleans(),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_money_is_exact_across_the_whole_range_in_one_column(items):
    """Up to 15 digits of pounds and 0-3 decimals, plain and with separators, parsed as one column (the
    vectorised paths split a column by form and by size): every value to the penny, half up, by Decimal."""
    texts, expected = [], []
    for amount, places, separators in items:
        value = amount.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN")
        texts.append(f"{value:,}" if separators else f"{value}")
        pence = (abs(value) * 100).to_integral_value(rounding="ROUND_HALF_UP")
        expected.append(int(pence) * (-1 if value < 0 else 1))
    pence, bad = parse_money(pd.Series(texts, dtype="object"))
    assert not bad.any()
    assert pence.astype("int64").tolist() == expected


def test_cli_json_contract():
    result = CliRunner().invoke(cli, ["ingest", str(INGEST / "amount_forms.csv"), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {
        k: out[k] for k in ("file", "rows_accepted", "rows_rejected", "total", "file_total", "sheets")
    } == {
        "file": "amount_forms.csv",
        "rows_accepted": 6,
        "rows_rejected": 2,
        "total": "-155455.99",
        "file_total": None,
        "sheets": [],
    }
    assert out["columns"] == {"supplier": "Supplier", "amount": "Amount", "date": None}
    assert out["rejected"] == [
        {
            "row": 7,
            "sheet": None,
            "reason": "amount is blank: give the amount paid, or delete the row",
            "code": "amount-blank",
        },
        {
            "row": 8,
            "sheet": None,
            "reason": "is not an amount of money (write it like 1250.00 or -1,250.00)",
            "code": "amount-not-money",
        },
    ]
    assert isinstance(out["warnings"], list)
    assert all(
        {"code", "message"} <= set(w) <= {"code", "message", "file", "sheet", "rows", "amount"}
        for w in out["warnings"]
    )
    # a warning about rows names them, and the file, as fields (not only in its words)
    (rejected,) = [w for w in out["warnings"] if w["code"] == "rows-rejected"]
    assert (rejected["file"], rejected["rows"]) == ("amount_forms.csv", [7, 8])


def test_cli_plain_output_columns_and_override():
    result = CliRunner().invoke(
        cli, ["ingest", str(INGEST / "gross_vat_net.csv"), "--columns", 'amount="Gross Amount"']
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:6] == [
        "Read gross_vat_net.csv",
        "",
        "Columns:",
        "  supplier  Supplier  (medium: 100% names, 2 distinct in 2, header says supplier)",
        "  amount    Gross Amount  (set by you)",
        "  (no date column)",
    ]
    assert "Total: £420.60" in result.output
    assert "  £300.60  Aire Valley Catering (1 payment)" in result.output


def test_cli_bad_columns_option_and_missing_file():
    bad = CliRunner().invoke(cli, ["ingest", str(INGEST / "gross_vat_net.csv"), "--columns", "amount"])
    assert bad.exit_code == 2 and "write name=value pairs separated by commas" in bad.output
    missing = CliRunner().invoke(cli, ["ingest", "nowhere.csv"])
    assert missing.exit_code == 1
    assert missing.output == "Error: Payments file not found: nowhere.csv. Check the path.\n"


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_cli_out_writes_the_accepted_payments(tmp_path, suffix):
    out = tmp_path / f"payments{suffix}"
    result = CliRunner().invoke(cli, ["ingest", str(INGEST / "credit_notes.csv"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out, dtype={"amount": str})
    assert back["amount_pence"].tolist() == [100_00, -40_00, 250_50, -50_50]
    assert back["amount"].tolist() == ["100.00", "-40.00", "250.50", "-50.50"]


def test_calculate_reads_payments_through_ingest_with_columns(tmp_path, golden):
    payments = golden.pop("payments")
    frame = pd.read_csv(payments, dtype=str)
    frame = frame.rename(columns={"Supplier": "Vendor Name", "Amount": "Net"})
    frame.insert(0, "Vendor", "x")  # a decoy: "Vendor" would be taken for the supplier without --columns
    frame.to_csv(tmp_path / "renamed.csv", index=False)
    suppliers = golden.pop("suppliers")
    expected = lm3.calculate(payments, suppliers, area="Bradford", **golden)
    result = lm3.calculate(
        tmp_path / "renamed.csv",
        suppliers,
        area="Bradford",
        columns={"supplier": "Vendor Name", "amount": "Net"},
        **golden,
    )
    assert (result.round1, result.round2, result.round3) == (
        expected.round1,
        expected.round2,
        expected.round3,
    )


def test_project_columns_and_sheet_in_lm3_toml(tmp_path, golden):
    import shutil

    for path in golden.values():
        shutil.copy(path, tmp_path / path.name)
    frame = pd.read_csv(golden["payments"], dtype=str).rename(columns={"Supplier": "Payee Ref"})
    frame.to_csv(tmp_path / "payments.csv", index=False)
    inputs = "\n".join(f'{k} = "{p.name}"' for k, p in golden.items())
    (tmp_path / "lm3.toml").write_text(
        f'area = "Bradford"\n\n[columns]\nsupplier = "Payee Ref"\n\n[inputs]\n{inputs}\n', encoding="utf-8"
    )
    project = lm3.load_project(tmp_path)
    assert project.columns == {"supplier": "Payee Ref"}
    expected = lm3.calculate(golden.pop("payments"), golden.pop("suppliers"), area="Bradford", **golden)
    assert project.calculate().lm3 == expected.lm3
    (tmp_path / "lm3.toml").write_text('area = "Bradford"\ncolumns = "Payee Ref"\n', encoding="utf-8")
    with pytest.raises(lm3.InputError, match=r"\[columns\] maps a column to its header"):
        lm3.load_project(tmp_path)


@pytest.mark.parametrize("rows", [5, 2500])  # a few rows (per distinct value) and many (ids: per row)
def test_optional_columns_get_their_canonical_text(tmp_path, rows):
    """Ids upper case with spaces tidied, company numbers of 8 characters, VAT without GB or spaces, VCSE
    flags as yes/no, capital/revenue spelled out; ids already tidy are left as they are."""
    lines = [
        "Supplier,Amount,Transaction ID,Supplier ID,Company Number,VAT Number,VCSE,Capital/Revenue,Reference"
    ]
    forms = [
        ("  inv 0{i}  ", "ab12", "2535986", "GB 123 4567 89", "Y", "Cap"),
        ("INV\u00a0 1{i}", " AB12 ", "sc123456", "123456789", "no", "Revenue"),
        ("Inv\t2{i}", "ab12", " 0 ", "gb123456789", "TRUE", "rev"),
    ]
    for i in range(rows):
        tid, sid, company, vat, vcse, capital = forms[i % 3]
        lines.append(
            f"Print Shop,10.00,{tid.format(i=i)},{sid},{company},{vat},{vcse},{capital},{70000000 + i}"
        )
    path = tmp_path / "optional.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lm3.ingest(path, columns={"transaction_id": "Transaction ID"})
    expected = [
        ["INV 00", "AB12", "02535986", "123456789", "yes", "capital"],
        ["INV 11", "AB12", "SC123456", "123456789", "no", "revenue"],
        ["INV 22", "AB12", None, "123456789", "yes", "revenue"],
    ]
    fields = ["transaction_id", "supplier_id", "company_number", "vat_number", "vcse", "capital_revenue"]
    got = result.data[fields].astype("object").where(result.data[fields].notna(), None).values.tolist()
    assert got[:3] == expected
    assert result.rows_accepted == rows and result.total == rows * 1000
    tidy = lm3.ingest(path, columns={"transaction_id": "Reference"}).data["transaction_id"]
    assert tidy.tolist() == [str(70000000 + i) for i in range(rows)]


def test_row_numbers_stay_the_file_lines_across_pieces_and_blocks(tmp_path):
    """A CSV large enough to be read in pieces (on each core) and blocks (4 MB): a row with an extra field,
    a blank line and a rejected row far into the file keep the line numbers a text editor shows."""
    n = 600_000  # about 17 MB
    extra, blank_line, bad = 400_000, 450_000, 500_001
    lines, expected_rows, total = ["Supplier,Amount,Date"], [], 0
    for line in range(2, n + 1):
        if line == blank_line:
            lines.append("")
        elif line == bad:
            lines.append("Late Supplier,,01/04/2025")
        else:
            pence = 50_000 + line % 997
            suffix = ",not a column" if line == extra else ""
            lines.append(f"Supplier {line % 499},{pence // 100}.{pence % 100:02d},01/04/2025{suffix}")
            expected_rows.append(line)
            total += pence
    path = tmp_path / "large.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = lm3.ingest(path)
    assert result.data["row"].tolist() == expected_rows
    assert result.total == total
    assert result.rejected["row"].tolist() == [bad] and result.blank_rows == 1
    assert any(f"rows {extra}" in w and "more fields than the header" in w for w in result.warnings)


def test_a_large_file_with_old_mac_line_ends(tmp_path):
    """Over 8 MB a CSV is memory-mapped (read-only); line ends of a lone carriage return are still read."""
    rows = 700_000  # about 10 MB
    path = tmp_path / "mac.csv"
    path.write_bytes(b"Supplier,Amount\r" + b"Aire Valley Catering Ltd,12.34\r" * rows)
    assert path.stat().st_size > 8 << 20
    result = lm3.ingest(path)
    assert result.rows_accepted == rows and result.total == rows * 1234


def test_a_total_row_warning_carries_its_row_and_amount():
    """The file's own total (row 4, £400.00, against £350.50 of payments) is named by its row and amount as
    fields of the warning, worked from the file by hand."""
    result = lm3.ingest(INGEST / "total_row_does_not_reconcile.csv")
    (notice,) = [w for w in result.warnings if w.code == "total-row-does-not-reconcile"]
    assert (notice.file, notice.sheet, notice.rows, notice.amount) == (
        "total_row_does_not_reconcile.csv",
        None,
        (4,),
        400_00,
    )
    assert notice.to_dict()["amount"] == "400.00" and result.total == 100_00 + 250_50
