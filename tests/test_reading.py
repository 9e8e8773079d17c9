"""Spend files read by content first, and the values that used to be misread (issue 15)."""

from __future__ import annotations

import time

import numpy as np
import openpyxl
import pandas as pd

import lm3
from lm3.read.columns import header_words
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
