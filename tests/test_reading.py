"""Spend files read by content first, and the values that used to be misread (issue 15)."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import lm3
from lm3.cli import cli
from lm3.read.words import header_words
from lm3.values.money import exact_sum, parse_money
from lm3.values.shares import parse_shares


def _csv(tmp_path, text: str, name: str = "spend.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_header_words_are_split_however_they_are_run_together():
    assert header_words("BeneficiaryName") == ("beneficiary", "name")
    assert header_words("suppliername") == ("supplier", "name")
    assert header_words("line_amount") == ("line", "amount")
    assert header_words("Amount £ \n(Ex VAT)") == ("amount", "gbp", "ex", "vat")
    assert header_words("Payment Amount (Net)") == ("payment", "amount", "net")


def test_headers_that_no_synonym_list_held_are_read(tmp_path):
    """Headers met in real files the old synonym lists did not know."""
    for supplier, amount in [
        ("BeneficiaryName", "Exclusive Amount"),
        ("Payee", "Sum of Amount"),
        ("Ap/Ar ID(T)", "Dist Amt"),
        ("Vendor", "Payment Amount (Net)"),
        ("Recipient", "Amount in £"),
    ]:
        path = _csv(
            tmp_path,
            f"Ref,{supplier},{amount},Date\n"
            "1001,Aire Valley Catering Ltd,1250.00,01/04/2024\n"
            "1002,Print Shop Ltd,99.50,02/04/2024\n"
            "1003,Aire Valley Catering Ltd,10.25,03/04/2024\n",
        )
        result = lm3.ingest(path)
        assert (result.columns["supplier"], result.columns["amount"]) == (supplier, amount)
        assert result.total == 1250_00 + 99_50 + 10_25


def test_content_decides_when_there_are_no_header_words_at_all(tmp_path):
    rows = [
        f"Council of Somewhere,{7000 + i},{['Print Shop Ltd', 'Aire Catering Ltd', 'J Smith Builders'][i % 3]},"
        f"{(i * 137) % 900 + 10}.{i % 100:02d},0{i % 9}/04/2024"
        for i in range(1, 60)
    ]
    path = _csv(tmp_path, "A,B,C,D,E\n" + "\n".join(rows) + "\n")
    result = lm3.ingest(path)
    assert result.columns["supplier"] == "C"  # not A: the paying body, the same on every row
    assert result.columns["amount"] == "D"  # not B: whole numbers in sequence, an id
    assert result.choices["supplier"].reasons[0].endswith("names")


def test_a_column_of_names_beats_a_column_of_codes_under_the_same_header_words(tmp_path):
    """A finance system's export: "Supplier Name" holds the supplier's code, "Supplier Name(T)" its name."""
    names = ["Print Shop Ltd", "Aire Valley Catering", "Moorside Garage", "Hill Top Farm"]
    lines = ["Supplier Name,Supplier Name(T),Amount"]
    lines += [f"RC{507575 + i % 4},{names[i % 4]},{100 + i}.25" for i in range(24)]
    result = lm3.ingest(_csv(tmp_path, "\n".join(lines) + "\n"))
    assert result.columns["supplier"] == "Supplier Name(T)"
    assert "codes" in result.chosen_by["supplier"]
    assert sorted(result.data["supplier"].unique()) == sorted(names)


def test_net_is_told_from_gross_and_vat_by_the_rows_when_headers_do_not_say(tmp_path):
    lines = ["Supplier,X,Y,Z"]
    for i in range(1, 30):
        net = 100 * i + i % 7
        vat = net // 5
        lines.append(f"Supplier {i % 4} Ltd,{(net + vat) / 100:.2f},{vat / 100:.2f},{net / 100:.2f}")
    result = lm3.ingest(_csv(tmp_path, "\n".join(lines) + "\n"))
    assert result.columns["amount"] == "Z"
    assert result.choices["amount"].role == "net"


def test_a_card_sheet_loses_to_the_payments_sheet_and_is_named(tmp_path):
    book = openpyxl.Workbook()
    card = book.active
    card.title = "Purchase Card Spend"
    card.append(["Merchant Name", "Net Amount"])
    card.append(["Coffee Shop", 4.50])
    pays = book.create_sheet("Payments")
    pays.append(["Supplier Name", "Total Net Amount"])
    for i in range(5):
        pays.append([f"Builder {i} Ltd", 1000.0 + i])
    book.save(tmp_path / "book.xlsx")
    result = lm3.ingest(tmp_path / "book.xlsx")
    assert result.sheets == ("Payments",) and result.total == 5010_00
    assert any(w.code == "sheets-skipped" and "'Purchase Card Spend'" in w for w in result.warnings)


def test_a_second_header_row_of_fragments_is_not_a_payment(tmp_path):
    path = _csv(
        tmp_path,
        "Supplier,Supplier Name,Trans,Amount\nID,,No.,excl vat\n"
        "10,Print Shop Ltd,7001,10.50\n11,Aire Catering Ltd,7002,20.25\n12,Print Shop Ltd,7003,5.00\n",
    )
    result = lm3.ingest(path)
    assert result.rows_accepted == 3 and result.rows_rejected == 0 and result.total == 35_75
    assert any(w.code == "header-continued" for w in result.warnings)


def test_decimal_commas_and_misplaced_separators_are_rejected_not_misread():
    pence, bad = parse_money(
        pd.Series(["1.234,56", "12,50", "1,23,456.00", "12,500", "1,234.56", "£1,341.60-"])
    )
    assert bad.tolist() == [True, True, True, False, False, False]
    assert pence.iloc[3:].tolist() == [12_500_00, 1234_56, -1341_60]


def test_huge_exponents_are_not_money_or_shares_and_cost_nothing():
    start = time.perf_counter()
    pence, bad = parse_money(pd.Series(["1e999999999", "1e-999999999", "1.5E+03"]))
    shares, problems = parse_shares(pd.Series(["1e999999999%", "50%"]))
    assert time.perf_counter() - start < 5  # a bound on a hang, not a benchmark
    assert bad.tolist() == [True, True, False] and pence.iloc[2] == 1500_00
    assert shares.iloc[0] is None and problems.iloc[0] is not None and shares.iloc[1] == 0.5


def test_totals_beyond_64_bits_stay_exact():
    big = np.full(200, 10**17 - 1, dtype=np.int64)  # each under a quadrillion pounds
    assert exact_sum(big) == 200 * (10**17 - 1)
    assert int(big.sum()) != 200 * (10**17 - 1)  # what numpy alone gives: wrapped


def test_names_in_any_script_keep_their_own_key(tmp_path):
    path = _csv(
        tmp_path,
        "Supplier,Amount\nΑθήνα Α.Ε.,10.00\nООО Ромашка,20.00\n北京公司,30.00\nCafé Ltd,40.00\n---,50.00\n",
    )
    result = lm3.ingest(path)
    data = result.data
    assert data["supplier_class"].tolist() == ["named"] * 4 + ["blank"]
    assert data["key"].tolist()[:4] == ["ΑΘΗΝΑ ΑΕ", "ООО РОМАШКА", "北京公司", "CAFE"]
    assert data["supplier"].tolist()[:4] == ["Αθήνα Α.Ε.", "ООО Ромашка", "北京公司", "Café Ltd"]


def test_rows_with_an_extra_field_keep_their_amount_when_some_columns_are_not_read(tmp_path):
    """Rows with an unnamed trailing field are read apart from the rest; only some columns are read (the body,
    a free-text column), so each must land under its own header position (was: 100 payments of a 1M-row
    benchmark rejected as having no supplier and no amount)."""
    lines = ["Body,Notes,Supplier,Amount,Ref"]
    for i in range(40):
        extra = ",see note" if i % 10 == 3 else ""
        lines.append(f"Somewhere Council,free text {i},Supplier {i % 7} Ltd,{i + 1}.25,{9000 + i}{extra}")
    result = lm3.ingest(_csv(tmp_path, "\n".join(lines) + "\n"))
    assert result.rows_rejected == 0 and result.rows_accepted == 40
    assert result.total == sum((i + 1) * 100 + 25 for i in range(40))
    assert result.data.loc[result.data["row"] == 5, "supplier"].tolist() == ["Supplier 3 Ltd"]


def test_a_total_row_followed_by_junk_is_the_files_total_never_a_payment(tmp_path):
    path = _csv(
        tmp_path,
        "Supplier,Amount\nPrint Shop Ltd,100.00\nAire Catering Ltd,250.50\nPrint Shop Ltd,49.50\n"
        "Total,400.00\n,\nReport run by finance,\n*,\n",
    )
    result = lm3.ingest(path)
    assert result.total == 400_00 and result.rows_accepted == 3  # round 1 is not doubled
    assert result.file_total == 400_00 and [t.row for t in result.totals] == [5]
    assert result.totals[0].kind == "total"


def test_subtotals_and_the_grand_total_are_reported_and_reconciled(tmp_path):
    path = _csv(
        tmp_path,
        "Supplier,Amount\nA Ltd,10.00\nB Ltd,20.00\n,30.00\nC Ltd,5.00\nD Ltd,7.00\n,12.00\nGrand Total,42.00\n",
    )
    result = lm3.ingest(path)
    assert result.total == 42_00 and result.rows_accepted == 4
    assert [(t.row, t.kind) for t in result.totals] == [(4, "subtotal"), (7, "subtotal"), (8, "total")]
    assert result.file_total == 42_00


def test_a_total_that_does_not_reconcile_stops_calculate(tmp_path):
    (tmp_path / "pay.csv").write_text(
        "Supplier,Amount\nPrint Shop Ltd,100.00\nAire Catering Ltd,250.50\nTotal,999.00\nnotes,\n",
        encoding="utf-8",
    )
    (tmp_path / "reg.csv").write_text(
        "Supplier,Postcode\nPrint Shop Ltd,BD1 1HY\nAire Catering Ltd,BD1 1HY\n", encoding="utf-8"
    )
    ingested = lm3.ingest(tmp_path / "pay.csv")
    assert ingested.total == 350_50 and not ingested.totals[0].reconciles
    with pytest.raises(lm3.RowErrors) as caught:
        lm3.calculate(payments=tmp_path / "pay.csv", suppliers=tmp_path / "reg.csv", area="Bradford")
    problems = caught.value.problems
    assert problems.loc[problems["code"] == "total-row-does-not-reconcile", "row"].tolist() == [4]
    assert "£999.00 is not the sum of the payments above it (£350.50, £648.50 less)" in str(caught.value)


def test_a_total_stated_above_the_header_is_reconciled_with_the_rows_below(tmp_path):
    """A title block stating the total, in a CSV and in a workbook: checked against the payments, never
    counted; a count or a year beside a "Total" label is not money."""
    body = [["Supplier", "Amount"], ["Print Shop Ltd", "100.00"], ["Aire Catering Ltd", "250.50"]]
    for stated, kind in (("£350.50", "total"), ("350.5", "total"), ("£999.00", "unreconciled")):
        rows = [["Spend over £500, April 2024", None], ["Total spend:", stated], [None, None], *body]
        csv_path = _csv(tmp_path, "".join(",".join(c or "" for c in r) + "\n" for r in rows), "stated.csv")
        book = openpyxl.Workbook()
        for r in rows:  # the workbook holds numbers as numbers
            book.active.append([float(c) if c and c[0].isdigit() else c for c in r])
        book.save(tmp_path / "stated.xlsx")
        for path in (csv_path, tmp_path / "stated.xlsx"):
            result = lm3.ingest(path)
            assert result.total == 350_50 and result.rows_accepted == 2, (path.name, stated)
            want = 350_50 if kind == "total" else 999_00
            assert [(t.row, t.kind, t.above_header, t.value) for t in result.totals] == [
                (2, kind, True, want)
            ], (path.name, stated)
            assert result.file_total == want
            assert result.to_dict()["totals"][0]["payments"] == "350.50"
    # the last one does not reconcile: calculate stops, saying so
    (tmp_path / "reg.csv").write_text("Supplier,Postcode\nPrint Shop Ltd,BD1 1HY\n", encoding="utf-8")
    with pytest.raises(lm3.RowErrors) as caught:
        lm3.calculate(payments=csv_path, suppliers=tmp_path / "reg.csv", area="Bradford")
    assert "states a total of £999.00 above the header, but the payments below it add up to £350.50" in str(
        caught.value
    )
    counted = _csv(
        tmp_path, "Report\nTotal transactions:,2\nYear total for,2024\n\nSupplier,Amount\nA Ltd,1.50\n"
    )
    assert lm3.ingest(counted).totals == () and lm3.ingest(counted).total == 1_50


SAMPLE = Path(__file__).resolve().parents[1] / "lm3" / "data" / "samples" / "bradford-trident"


def _split_sample_payments(tmp_path):
    """The sample's payments as two monthly CSV files (the first half and the rest)."""
    book = openpyxl.load_workbook(SAMPLE / "payments.xlsx", read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if "Supplier Name" in r)  # under the title
    header, body = rows[at], rows[at + 1 :]
    half = len(body) // 2
    paths = []
    for name, part in (("2024-04.csv", body[:half]), ("2024-05.csv", body[half:])):
        frame = pd.DataFrame(part, columns=header)
        frame.to_csv(tmp_path / name, index=False)
        paths.append(tmp_path / name)
    return paths


def test_a_year_of_files_gives_the_figure_of_the_whole_and_says_what_each_contributed(tmp_path):
    april, may = _split_sample_payments(tmp_path)
    inputs = {
        "suppliers": SAMPLE / "suppliers.xlsx",
        "payroll": SAMPLE / "payroll.xlsx",
        "supplier_survey": SAMPLE / "supplier-survey.xlsx",
        "staff_survey": SAMPLE / "staff-survey.xlsx",
        "area": "Bradford",
    }
    whole = lm3.calculate(payments=SAMPLE / "payments.xlsx", **inputs)
    both = lm3.calculate(payments=[april, may], **inputs)
    assert both.round1 == whole.round1 and both.round3 == whole.round3
    assert round(both.lm3, 2) == 2.52  # the published Bradford Trident figure
    contributed = [w for w in both.warnings if w.code == "payments-file"]
    parts = [lm3.ingest(april), lm3.ingest(may)]
    assert [w.split(":")[0] for w in contributed] == ["2024-04.csv", "2024-05.csv"]
    assert [lm3.format_gbp(p.total) in w for p, w in zip(parts, contributed, strict=True)] == [True, True]
    # the report a committee reads says it too
    html = lm3.write_report(both, tmp_path / "report", formats="html").html
    assert html is not None
    text = html.read_text(encoding="utf-8")
    for part, name in zip(parts, ("2024-04.csv", "2024-05.csv"), strict=True):
        assert f"{name}: {part.rows_accepted} payment(s), {lm3.format_gbp(part.total)}." in text
    # a folder and a glob name the same files; together they hold every payment of the sample
    whole_payments = lm3.ingest(SAMPLE / "payments.xlsx").total
    assert parts[0].total + parts[1].total == whole_payments
    assert lm3.ingest(tmp_path).total == lm3.ingest(str(tmp_path / "2024-*.csv")).total == whole_payments


def test_the_same_file_twice_and_the_same_payment_in_two_files_are_reported(tmp_path):
    april, may = _split_sample_payments(tmp_path)
    twice = lm3.ingest([april, may, april])
    assert [f.file for f in twice.files] == ["2024-04.csv", "2024-05.csv"]
    assert any(w.code == "payments-file-repeated" for w in twice.warnings)
    copy = tmp_path / "copy"
    copy.mkdir()
    lines = april.read_text(encoding="utf-8").splitlines()
    (copy / "overlap.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # two of April's rows
    overlap = lm3.ingest([april, copy / "overlap.csv"])
    found = [w for w in overlap.warnings if w.code == "payments-in-two-files"]
    assert len(found) == 1 and found[0].startswith("4 payment row(s)")
    assert overlap.total == lm3.ingest(april).total + lm3.ingest(copy / "overlap.csv").total  # all counted


def test_cli_takes_payments_repeated_and_ingest_takes_several_files(tmp_path):
    april, may = _split_sample_payments(tmp_path)
    out = CliRunner().invoke(cli, ["ingest", str(april), str(may), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert [f["file"] for f in data["files"]] == ["2024-04.csv", "2024-05.csv"]
    assert Decimal(data["total"]) == sum(Decimal(f["total"]) for f in data["files"])
    calc = CliRunner().invoke(
        cli,
        ["calculate", str(SAMPLE), "--payments", str(april), "--payments", str(may), "--json"],
    )
    assert calc.exit_code == 0, calc.output
    assert round(json.loads(calc.output)["lm3"], 2) == 2.52


def test_files_that_are_not_tables_get_one_clear_message(tmp_path):
    cases = {
        "report.csv": (b"%PDF-1.7\n%binary", "this is a PDF"),
        "page.csv": (b"\n  <!DOCTYPE html><html><body>Sign in</body></html>", "this is an HTML page"),
    }
    for name, (content, said) in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(lm3.InputError, match=said) as caught:
            lm3.ingest(tmp_path / name)
        assert caught.value.code == "not-a-table" and "lm3 reads CSV, Excel" in str(caught.value)


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "spend.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spend.csv", b"Supplier,Amount\n" + b"0" * (80 << 20))
    assert (tmp_path / "spend.zip").stat().st_size < 1 << 20
    with pytest.raises(lm3.InputError, match="too large to open safely") as caught:
        lm3.ingest(tmp_path / "spend.zip")
    assert caught.value.code == "archive-too-large"


HOSTILE = Path(__file__).parent / "data" / "hostile"


@pytest.mark.parametrize(
    ("name", "corner"),
    [
        ("xlsx_far_value.xlsx", "XFD1048576"),
        ("xlsx_far_value_dimension_lies.xlsx", "XFD1048576"),  # the reader does not trust <dimension>
        ("zip_of_far_value_workbook.zip", "XFD1048576"),  # a workbook inside a ZIP is measured too
        ("ods_repeated_cells_bomb.ods", "XFD1048573"),
        ("ods_value_after_empty_repeats.ods", "WQK1000004"),  # empty repeats before a value are laid out
    ],
)
def test_a_tiny_workbook_spanning_billions_of_cells_is_refused_not_read(name, corner):
    """Files of a few kilobytes whose one far value (or repeats) would make the reader lay out billions of
    cells: each used to kill the process or take gigabytes. Measured from the XML and refused."""
    assert (HOSTILE / name).stat().st_size < 10_000
    with pytest.raises(lm3.InputError, match=f"as far as {corner} ") as caught:
        lm3.ingest(HOSTILE / name)
    assert caught.value.code == "sheet-too-large"


@pytest.mark.parametrize("name", ["xlsx_far_formatting_only.xlsx", "ods_trailing_empty_repeats.ods"])
def test_far_formatting_and_trailing_empty_repeats_are_read_as_the_table_they_hold(name):
    """A far cell with formatting and no value, and LibreOffice's trailing repeats of empty rows and columns,
    cost the reader nothing: the two payments are read."""
    result = lm3.ingest(HOSTILE / name)
    assert (result.rows_accepted, result.total) == (2, 1250)


def test_a_line_with_no_end_and_a_quote_that_never_closes_are_refused_with_the_line():
    with pytest.raises(lm3.InputError, match="line 2 is 300,015 bytes long") as caught:
        lm3.ingest(HOSTILE / "csv_line_too_long.csv")
    assert caught.value.code == "line-too-long"
    # the quote opens on line 2: named, not the line where the value grew too long
    with pytest.raises(
        lm3.InputError, match=r"a quote \(\"\) on line 2 opens a value that never closes"
    ) as caught:
        lm3.ingest(HOSTILE / "csv_unclosed_quote.csv")
    assert caught.value.code == "value-too-long"


def test_one_stray_byte_does_not_re_decode_a_utf8_file(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "Supplier,Amount\nCafé Ltd,10.00\nZoë Shop,5.00\n".encode() + b"Bad \x96 Dash Ltd,3.00\n"
    )
    assert lm3.ingest(path).data["supplier"].tolist() == ["Café Ltd", "Zoë Shop", "Bad – Dash Ltd"]
    path.write_bytes("Supplier,Amount\nCafé Ltd,10.00\n".encode("cp1252"))  # cp1252 throughout
    assert lm3.ingest(path).data["supplier"].tolist() == ["Café Ltd"]


def test_a_short_row_is_split_only_into_a_name_and_money(tmp_path):
    path = _csv(
        tmp_path, "Supplier,Ref,Amount\nPrint Shop Ltd,A1,10.00\nAire Ltd,A2,20.00\n1234.56,A3\nShop,5.00\n"
    )
    result = lm3.ingest(path)
    assert result.total == 30_00 and result.rows_accepted == 2
    assert result.rejected["row"].tolist() == [4, 5]


def test_a_header_only_file_stops_calculate_with_a_message(tmp_path):
    pay = _csv(tmp_path, "Supplier,Amount\n", "pay.csv")
    reg = _csv(tmp_path, "Supplier,Postcode\nPrint Shop Ltd,BD1 1HY\n", "reg.csv")
    assert lm3.ingest(pay).rows_accepted == 0
    with pytest.raises(lm3.InputError, match="no payments to calculate from") as caught:
        lm3.calculate(payments=pay, suppliers=reg, area="Bradford")
    assert caught.value.code == "no-payments"


def test_a_project_names_a_year_of_payments_as_a_list_or_a_glob(tmp_path):
    april, may = _split_sample_payments(tmp_path)
    for payments in ('["2024-04.csv", "2024-05.csv"]', '"2024-*.csv"'):
        (tmp_path / "lm3.toml").write_text(
            f'area = "Bradford"\n[inputs]\npayments = {payments}\nsuppliers = "{(SAMPLE / "suppliers.xlsx").as_posix()}"\n',
            encoding="utf-8",
        )
        result = lm3.load_project(tmp_path).calculate()
        assert result.round1 == lm3.ingest(april).total + lm3.ingest(may).total
        assert [w.split(":")[0] for w in result.warnings if w.code == "payments-file"] == [
            "2024-04.csv",
            "2024-05.csv",
        ]


def test_a_registers_postcode_is_found_inside_its_address(tmp_path):
    pay = _csv(tmp_path, "Supplier,Amount\nPrint Shop Ltd,100.00\nFar Away Ltd,50.00\n", "pay.csv")
    reg = _csv(
        tmp_path,
        'Supplier,Address\nPrint Shop Ltd,"Unit 4, 12 Market St, Bradford BD1 1HY"\n'
        'Far Away Ltd,"1 Deansgate, Manchester M3 2BW"\n',
        "reg.csv",
    )
    located = lm3.locate(pay, reg, area="Bradford")
    assert located.local == 100_00 and located.placed == 150_00


def test_a_postcode_not_in_the_directory_is_placed_by_its_sector_and_listed(tmp_path):
    pay = _csv(tmp_path, "Supplier,Amount\nPrint Shop Ltd,100.00\nNew Build Ltd,50.00\n", "pay.csv")
    # BD1 1ZZ is not an ONS postcode; nearly all of sector BD1 1 is in Bradford
    reg = _csv(tmp_path, "Supplier,Postcode\nPrint Shop Ltd,BD1 1HY\nNew Build Ltd,BD1 1ZZ\n", "reg.csv")
    located = lm3.locate(pay, reg, area="Bradford")
    assert located.local == 150_00
    listed = [w for w in located.warnings if w.code == "postcodes-placed-by-area"]
    assert len(listed) == 1 and "New Build Ltd (BD1 1ZZ, by its sector: Bradford)" in listed[0]


def test_payee_names_are_matched_without_payment_method_and_account_text(tmp_path):
    """Finance systems write "X (DD)", "X - Direct Debit", "X BACS", "X A/C 123456": the same payee, keyed
    alike and listed among the merges; a name that is only such text keeps its key, and a leading method
    or a short number is part of a name."""
    rows = [
        ("BRITISH GAS (DD)", "10.00"),
        ("British Gas - Direct Debit", "20.00"),
        ("British Gas BACS", "30.00"),
        ("BRITISH GAS A/C 123456", "40.00"),
        ("British Gas", "50.00"),
        ("Bacs Payment Schemes Ltd", "1.00"),
        ("Unit 4 Ltd", "2.00"),
        ("Bright Care Ltd T/A Hill House", "3.00"),
        ("White Ash (Accrington) Ltd", "4.00"),
        ("DD", "5.00"),
    ]
    path = _csv(tmp_path, "Supplier,Amount\n" + "".join(f'"{n}",{a}\n' for n, a in rows))
    result = lm3.ingest(path)
    assert result.data["key"].tolist() == ["BRITISH GAS"] * 5 + [
        "BACS PAYMENT SCHEMES",
        "UNIT 4",
        "BRIGHT CARE",
        "WHITE ASH ACCRINGTON",
        "DD",
    ]
    assert result.data["supplier"].tolist() == [n for n, _ in rows]  # names as written, for the reader
    cleaned = result.merges[result.merges["why"] == "payment-text"]
    assert sorted(cleaned["names"].map(lambda n: n[0])) == sorted(
        [
            "BRITISH GAS (DD)",
            "British Gas - Direct Debit",
            "British Gas BACS",
            "BRITISH GAS A/C 123456",
            "Bright Care Ltd T/A Hill House",
        ]
    )
    assert set(cleaned.loc[cleaned["into"] == "BRITISH GAS", "names"].map(lambda n: n[1])) == {"British Gas"}
    assert any(w.code == "supplier-names-cleaned" for w in result.warnings)
    shown = result.to_dict()["merges"]
    assert {m["why"] for m in shown} == {"payment-text"}
    # what it is for: a register that names the payee once places all five payments
    reg = _csv(tmp_path, "Supplier,Postcode\nBritish Gas,BD1 1HY\n", "reg.csv")
    located = lm3.locate(path, reg, area="Bradford")
    assert located.local == 150_00


def test_a_register_is_read_by_its_content_whatever_its_headers(tmp_path):
    """Names beside postcodes (or addresses holding them) are the supplier and postcode, under any headers;
    a column headed as the head office's is not taken for the site."""
    pay = _csv(
        tmp_path, "Supplier,Amount\nPrint Shop Ltd,100.00\nFar Away Ltd,50.00\nBradford Builders,7.00\n"
    )
    registers = {
        "blank.csv": "Column 1,Column 2\nPrint Shop Ltd,BD1 1HY\nFar Away Ltd,M3 2BW\nBradford Builders,BD7 1AA\n",
        "ho.csv": "Head Office Postcode,Trader,Site\nM3 2BW,Print Shop Ltd,BD1 1HY\nM3 2BW,Far Away Ltd,M3 2BW\n"
        "LS1 4AP,Bradford Builders,BD7 1AA\n",
        "address.csv": 'Ref,Organisation,Addr\n1,Print Shop Ltd,"1 Market St, Bradford BD1 1HY"\n'
        '2,Far Away Ltd,"Deansgate, Manchester M3 2BW"\n3,Bradford Builders,"Great Horton Rd, BD7 1AA"\n',
    }
    for name, text in registers.items():
        located = lm3.locate(pay, _csv(tmp_path, text, name), area="Bradford")
        assert (located.local, located.placed) == (107_00, 157_00), name
    ho = lm3.read_registers(tmp_path / "ho.csv")
    assert (ho.columns["supplier"], ho.columns["postcode"], ho.columns["head_office_postcode"]) == (
        "Trader",
        "Site",
        "Head Office Postcode",
    )
    assert "head/office" in ho.chosen_by["postcode"]  # says why the other column lost
    said = [w for w in ho.warnings if w.code == "register-columns-by-content"]
    assert len(said) == 1 and "postcode 'Site'" in said[0]


def test_register_columns_set_by_hand_from_the_api_a_project_and_the_cli(tmp_path):
    """Two postcode columns that content cannot tell apart: the user says which is the supplier's."""
    pay = _csv(tmp_path, "Supplier,Amount\nPrint Shop Ltd,100.00\nFar Away Ltd,50.00\n", "pay.csv")
    _csv(
        tmp_path,
        "Supplier,Postcode A,Postcode B\nPrint Shop Ltd,M3 2BW,BD1 1HY\nFar Away Ltd,M3 2BW,M3 2BW\n",
        "reg.csv",
    )
    reg = tmp_path / "reg.csv"
    located = lm3.locate(pay, reg, area="Bradford", register_columns={"postcode": "Postcode B"})
    assert located.local == 100_00
    assert lm3.locate(pay, reg, area="Bradford", register_columns={"postcode": "Postcode A"}).local == 0
    with pytest.raises(lm3.InputError) as err:
        lm3.locate(pay, reg, area="Bradford", register_columns={"postcode": "Site"})
    assert err.value.code == "column-not-found" and err.value.params == ("register_columns",)
    assert "reg.csv" in str(err.value) and "Postcode A, Postcode B" in str(err.value)

    (tmp_path / "lm3.toml").write_text(
        'area = "Bradford"\n[register_columns]\npostcode = "Postcode B"\n'
        '[inputs]\npayments = "pay.csv"\nsuppliers = "reg.csv"\n',
        encoding="utf-8",
    )
    assert lm3.load_project(tmp_path).locate().local == 100_00

    runner = CliRunner()
    study = ["locate", "--payments", str(pay), "--suppliers", str(reg), "--area", "Bradford"]
    out = runner.invoke(cli, [*study, "--json", "--register-columns", 'postcode="Postcode B"'])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["local"] == "100.00"
    bad = runner.invoke(cli, [*study, "--register-columns", "postcode=Site"])
    assert bad.exit_code == 1 and "Try --register-columns" in bad.output and "Traceback" not in bad.output


def test_a_staff_home_postcode_not_in_the_directory_is_placed_by_its_sector_and_counted_not_named(tmp_path):
    """BT005's home BD7 2HR typed as BD7 2ZZ (not an ONS postcode; sector BD7 2 lies in Bradford): still in the
    area, so the figure stands, and the payroll row is listed, never the employee."""
    book = openpyxl.load_workbook(SAMPLE / "payroll.xlsx")
    sheet = book.worksheets[0]
    assert sheet["C6"].value == "BD7 2HR" and sheet["A6"].value == "BT005"
    sheet["C6"] = "BD7 2ZZ"
    book.save(tmp_path / "payroll.xlsx")
    result = lm3.load_project(SAMPLE).with_options(payroll=tmp_path / "payroll.xlsx").calculate()
    assert round(result.lm3, 2) == 2.52
    listed = [w for w in result.warnings if w.code == "postcodes-placed-by-area"]
    assert len(listed) == 1
    assert "payroll.xlsx: 1 home postcode(s)" in listed[0] and "(1 of them in the area): rows 6." in listed[0]
    assert "BT005" not in listed[0] and "BD7 2ZZ" not in listed[0]


def test_a_missing_file_among_several_is_named_not_a_bug(tmp_path):
    april, _ = _split_sample_payments(tmp_path)
    with pytest.raises(lm3.InputError, match=r"Payments file not found: .*2024-13\.csv"):
        lm3.ingest([april, tmp_path / "2024-13.csv"])
