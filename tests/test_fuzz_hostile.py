"""Hostile input that used to be misread silently or hang (issue 33): each now reads right with a warning, or is
refused with an error that says what to do."""

from __future__ import annotations

import json
import re

import hypothesis.strategies as st
import pandas as pd
import pytest
from conftest import bounded
from hypothesis import example, given, settings

import lm3


def test_a_carriage_return_inside_a_line_is_a_space_not_a_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"Supplier,Amount\nAcme\rWidgets Ltd,10.00\nBeta Ltd,20.00\n")
    result = lm3.ingest(path)
    assert result.data["supplier"].tolist() == ["Acme Widgets Ltd", "Beta Ltd"]
    assert result.total == 30_00 and result.rows_rejected == 0
    assert [w.code for w in result.warnings] == ["carriage-returns-in-lines"]


def test_windows_line_ends_are_line_ends(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"Supplier,Amount\r\nAcme Ltd,10.00\r\nBeta Ltd,20.00\r\n")
    result = lm3.ingest(path)
    assert result.total == 30_00 and not [w for w in result.warnings if w.code == "carriage-returns-in-lines"]


@pytest.mark.parametrize(
    "raw",
    [
        "Supplier,Amount\n株式会社テスト,10.00\n".encode("shift_jis"),  # another encoding throughout
        b"Supplier,Amount\n"
        + b"".join(b"Supplier %d Ltd,1.00\n" % i for i in range(3000))
        + b"Caf\xe9 Ltd,2.00\n",
    ],
    ids=["shift-jis", "one-late-latin-1-byte"],
)
def test_a_file_not_in_utf8_says_how_it_was_read(tmp_path, raw):
    path = tmp_path / "p.csv"
    path.write_bytes(raw)
    result = lm3.ingest(path)
    (note,) = [w for w in result.warnings if w.code == "encoding-not-utf8"]
    assert "Windows-1252" in note and "save it as CSV UTF-8" in note


@pytest.mark.parametrize("share", ["6_0%", "٦٠%", "６０%"])
def test_a_survey_share_not_written_with_0_to_9_is_refused(tmp_path, share):
    path = tmp_path / "survey.csv"
    path.write_text(f"Supplier,Local spend share\nAcme Ltd,{share}\nBeta Ltd,40%\n", encoding="utf-8")
    with pytest.raises(lm3.InputError) as err:
        lm3.read_survey(path, "suppliers")
    assert err.value.code == "rows-cannot-be-used" and "digits 0-9" in str(err.value)


def test_a_threshold_that_merges_anything_says_so(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount\nAlpha Widgets Ltd,10.00\nOmega Cleaning Ltd,20.00\n", encoding="utf-8")
    assert "threshold-low" in [w.code for w in lm3.ingest(path, merge_threshold=0).warnings]
    located = lm3.locate(path, None, area="Leeds", match_threshold=0)
    assert "threshold-low" in [w.code for w in located.warnings]
    assert "threshold-low" not in [w.code for w in lm3.locate(path, None, area="Leeds").warnings]


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"round1": "1e9000000", "round2": "1", "round3": "1", "lm3": 1.5}),
        '{"a":' * 50_000 + "1" + "}" * 50_000,
    ],
    ids=["huge-exponent", "deeply-nested"],
)
def test_a_previous_result_that_is_no_result_is_refused_at_once(tmp_path, text):
    path = tmp_path / "previous.json"
    path.write_text(text, encoding="utf-8")
    with (
        bounded(),
        pytest.raises(lm3.InputError) as err,
    ):  # it took 11 s for one exponent, a 500 for the nesting
        lm3.compare([str(path), str(path)])
    assert err.value.code == "not-a-result"


def test_one_row_without_an_amount_never_stops_a_study(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount\nAcme Ltd,10.00\nBeta Ltd, \nGamma Ltd,5.00\n", encoding="utf-8")
    result = lm3.calculate(path, area="Leeds")
    assert result.round1 == 15_00  # Beta's row holds no money
    (note,) = [w for w in result.warnings if w.code == "rows-without-amount"]
    assert note.rows == (3,) and "fill in its amount" in note
    assert lm3.ingest(path).rejected["code"].tolist() == ["amount-blank"]  # ingest still lists it


def test_a_hidden_sheet_is_not_read_when_visible_sheets_hold_the_payments(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    old = book.active
    old.title = "Old year"
    old.append(["Date", "Supplier", "Amount"])
    for i in range(50):  # more rows than the visible sheets: it used to win
        old.append(["01/04/2020", f"Old Supplier {i} Ltd", 0.0])
    old.sheet_state = "hidden"
    for month in ("April", "May"):
        sheet = book.create_sheet(month)
        sheet.append(["Date", "Supplier", "Amount"])
        for i in range(10):
            sheet.append([f"0{i + 1}/04/2024", f"Supplier {i} Ltd", 100.0 + i])
    book.save(tmp_path / "spend.xlsx")
    result = lm3.ingest(tmp_path / "spend.xlsx")
    assert result.sheets == ("April", "May")
    assert result.total == 2 * sum(10_000 + 100 * i for i in range(10))
    assert any(w.code == "sheets-skipped" and "'Old year' (hidden)" in w for w in result.warnings)
    assert lm3.ingest(tmp_path / "spend.xlsx", sheet="Old year").sheets == ("Old year",)  # named: read


def test_rows_one_field_longer_than_their_header_still_find_the_amount(tmp_path):
    rows = ["Date,Supplier,Total (excludes VAT)"]
    rows += [f"01/04/2024,Supplier {i} Ltd,{100 + i}.00,#N/A" for i in range(30)]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = lm3.ingest(tmp_path / "p.csv")
    assert result.columns["amount"] == "Total (excludes VAT)"
    assert result.total == sum(10_000 + 100 * i for i in range(30)) and result.rows_rejected == 0
    assert any(w.code == "rows-longer-than-header" for w in result.warnings)


def test_near_names_of_different_organisations_are_never_merged_and_a_typo_still_is(tmp_path):
    rows = ["Supplier,Amount"]
    rows += ["University of West London,100.00"] * 3 + ["University of East London,50.00"]
    rows += ["Blagdon Parish Council,100.00"] * 2 + ["Bleadon Parish Council,40.00"]
    rows += ["Brook House,100.00"] * 2 + ["Brooke House,30.00"]
    rows += ["Brentag UK Ltd,10.00", "Brenntag UK Ltd,100.00", "Brenntag UK Ltd,100.00"]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = lm3.ingest(tmp_path / "p.csv")
    assert result.merges[["key", "into"]].values.tolist() == [["BRENTAG UK", "BRENNTAG UK"]]
    assert result.data["key"].nunique() == 7


def test_names_in_other_scripts_match_their_own_register_rows_and_no_others(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Supplier,Amount\nΑλφα Ltd,700.00\nБета ООО,800.00\n中文公司,1500.00\nΓάμμα Ltd,200.00\n",
        encoding="utf-8",
    )
    (
        tmp_path / "r.csv"
    ).write_text(  # in Leeds: Бета and 中文公司 as written; Αλφα's near twin; 北京公司 another
        "Name,Postcode\nБета ООО,LS1 4DY\n中文公司,LS2 7EY\nΑλφη Ltd,LS6 2HF\n北京公司,LS7 3BH\n",
        encoding="utf-8",
    )
    result = lm3.calculate(tmp_path / "p.csv", tmp_path / "r.csv", area="Leeds")
    assert result.round2 == 800_00 + 1500_00  # the two written alike, and nothing near
    local = set(result.suppliers.loc[result.suppliers["local"].astype(bool), "supplier"])
    assert local == {"Бета ООО", "中文公司"}


def test_section_headings_and_notes_are_said_to_be_such_and_never_stop_a_study(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Date,Supplier,Amount,Type\n,CREDIT CARDS,,\n01/04/2024,Acme Ltd,10.00,Goods\n02/04/2024,Beta Ltd,20.00,Goods\n"
        "Note: figures exclude VAT,,,\n,PURCHASE ORDERS,,\n03/04/2024,Gamma Ltd,30.00,Goods\n",
        encoding="utf-8",
    )
    read = lm3.ingest(tmp_path / "p.csv")
    assert read.rejected[["row", "code"]].values.tolist() == [
        [2, "heading-or-note"],
        [5, "heading-or-note"],
        [6, "heading-or-note"],
    ]
    result = lm3.calculate(tmp_path / "p.csv", area="Leeds")
    assert result.round1 == 60_00
    assert [w.rows for w in result.warnings if w.code == "rows-without-amount"] == [(2, 5, 6)]


def test_a_total_row_named_with_junk_and_labelled_elsewhere_is_never_counted_as_a_payment(tmp_path):
    # the label "Total" sits in a column lm3 does not read; the supplier cell holds junk; a row above has no
    # amount. The last row equals every payment above it (10 + 30 + 5): the file's total, not a payment
    (tmp_path / "p.csv").write_text(
        "Date,Supplier,Amount,Dept\n01/04/2024,Acme Ltd,10.00,Finance\n02/04/2024,Beta Ltd,,Finance\n"
        "03/04/2024,Gamma Ltd,30.00,Finance\n04/04/2024,Delta Ltd,5.00,Finance\n,xx,45.00,Total\n",
        encoding="utf-8",
    )
    read = lm3.ingest(tmp_path / "p.csv")
    assert read.total == 45_00 and [t.row for t in read.totals] == [6]
    assert lm3.calculate(tmp_path / "p.csv", area="Leeds").round1 == 45_00  # never doubled


def test_a_last_payment_that_does_not_equal_all_above_is_a_payment(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Supplier,Amount\nAcme Ltd,10.00\nBeta Ltd,20.00\nGamma Ltd,30.00\nDelta Ltd,59.99\n",
        encoding="utf-8",
    )
    read = lm3.ingest(tmp_path / "p.csv")
    assert read.total == 119_99 and read.totals == ()


def test_rows_whose_amount_cannot_be_read_stop_a_study_unless_a_person_says_to_go_on(tmp_path):
    from click.testing import CliRunner

    from lm3.cli import cli

    path = tmp_path / "p.csv"
    path.write_text(
        "Supplier,Amount\nAire Valley Catering Ltd,1000.00\nPrint Shop,twelve pounds\nBeta Ltd,\n",
        encoding="utf-8",
    )
    with pytest.raises(lm3.RowErrors) as err:
        lm3.calculate(path, area="Bradford")
    assert err.value.problems["row"].tolist() == [3]
    result = lm3.calculate(path, area="Bradford", skip_rejected=True)
    assert result.round1 == 1000_00
    (skipped,) = [w for w in result.warnings if w.code == "payment-rows-skipped"]
    assert skipped.rows == (3,) and "'twelve pounds'" in skipped
    said = next(a for a in result.assumptions if a.name == "payment rows left out")
    assert said.param == "skip_rejected" and "row 3" in said.value
    printed = CliRunner().invoke(
        cli, ["calculate", "--payments", str(path), "--area", "Bradford", "--skip-rejected"]
    )
    assert printed.exit_code == 0, printed.output
    assert "1 payment row(s) whose amount cannot be read left out" in printed.output


def test_a_table_wider_than_any_spend_file_is_refused_before_any_work(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(f"C{i}" for i in range(20_000)) + "\n" + ",".join("1" for _ in range(20_000)) + "\n"
    )
    with bounded(), pytest.raises(lm3.InputError) as err:
        lm3.ingest(path)
    assert err.value.code == "too-many-columns" and "20,000 columns" in str(err.value)


def test_a_card_statements_merchants_are_the_suppliers_not_the_departments_that_paid(tmp_path):
    # departments' names have organisations' words (Services, Care, Housing) but never a legal form, and a
    # department column names who paid; the description beside it names the merchant
    departments = ["Adult Social Care", "Children's Services", "Housing Services", "Highways", "Libraries"]
    merchants = ["AMAZON MKTPLACE", "TESCO STORES 2341", "TRAINLINE", "PREMIER INN", "SCREWFIX DIRECT",
                 "ARGOS LTD", "WH SMITH", "ZOOM.US", "SAINSBURYS S/MKTS", "COSTA COFFEE", "CURRYS ONLINE",
                 "RYMAN", "POST OFFICE COUNTER", "TRAVELODGE", "EVANS CYCLES"]  # fmt: skip
    lines = ["Department,Date,Description,Amount"] + [
        f"{departments[i % 5]},{i % 28 + 1:02d}/05/2024,{merchants[(i * 7) % 15]},{(i * 37) % 400 + 5}.50"
        for i in range(80)
    ]
    path = tmp_path / "card.csv"
    path.write_text("\n".join(lines) + "\n")
    result = lm3.ingest(path)
    assert result.columns["supplier"] == "Description"
    assert set(result.data["supplier"]) == set(merchants)


def test_rows_of_sixty_thousand_cells_deep_in_a_file_cost_no_more_than_their_bytes(tmp_path):
    # cells per row are bounded by a line's length (128 KB): a hundred rows of 60,000 extra cells, after the
    # first rows a width is judged by, are read in bounded time and memory, their extra cells said unused
    rows = [f"S{i} Ltd,{i}.00" for i in range(3_000)]
    rows[2_000:2_000] = ["X Ltd,5.00" + ",1" * 60_000] * 100
    path = tmp_path / "p.csv"
    path.write_text("Supplier,Amount\n" + "\n".join(rows) + "\n")
    with bounded():
        result = lm3.ingest(path)
    assert result.rows_accepted == 3_100 and result.total == sum(range(3_000)) * 100 + 100 * 5_00
    assert [w.code for w in result.warnings] == ["rows-longer-than-header"]
    path.write_text("Supplier,Amount\n" + "\n".join(rows[:100]) + "\nX Ltd,5.00" + ",1" * 70_000 + "\n")
    with pytest.raises(lm3.InputError) as err:
        lm3.ingest(path)
    assert err.value.code == "line-too-long" and "line 102" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("60", "60"), ("0.6", "3/5"), ("1e-05", "1/100000"), (" -2.50 ", "-5/2"), ("0", "0")],
)
def test_one_rule_reads_a_plain_number(text, expected):
    from fractions import Fraction

    from lm3.values.numbers import plain_number

    assert plain_number(text) == Fraction(expected)


@pytest.mark.parametrize("text", ["6_0", "٦٠", "1e9000000", "1e31", "nan", "inf", "0x10", "1,000", ""])
def test_one_rule_refuses_what_is_not_a_plain_number_within_bounds(text):
    from lm3.values.numbers import plain_number

    with bounded():
        assert plain_number(text) is None


_AMOUNT_TEXT = st.from_regex(r"\A[+-]?[0-9]{0,18}\.?[0-9]{0,34}(?:[eE][+-]?[0-9]{1,4})?\Z") | st.text(
    alphabet="0123456789.eE+-", max_size=12
)


def _pence_by_the_rule(text: str) -> int | None:
    """The rule for a number, written out here from its statement: digits 0-9, an optional sign, point and
    exponent of at most three digits; no bigger than 10**30 nor smaller than 10**-30 unless nought; and an
    amount of money under 10**15 pounds, rounded to the penny half away from zero."""
    from decimal import ROUND_HALF_UP, Decimal

    text = text.strip()
    if not re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?", text):
        return None
    number = Decimal(text)
    if number != 0 and not -30 <= number.adjusted() < 15:
        return None
    return int((number * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@settings(max_examples=300, deadline=None)
@given(st.lists(_AMOUNT_TEXT, min_size=1, max_size=8))
@example(["1e0002", "0.125", "-0.125", "1.2345", "1e-31", "0e99", "00000000000000001", "+.5", "1e15", "9e14"])
def test_amounts_in_a_spend_file_follow_the_one_rule_for_numbers(texts):
    # a column at a time, as a spend file's amounts are read: the fast path and the slow path agree
    from lm3.values.money import parse_money

    texts = [t for t in texts if t.strip() and not t.endswith("-")]  # a trailing minus is a ledger's sign
    pence, bad = parse_money(pd.Series(texts, dtype="object"))
    for text, got, refused in zip(texts, pence.tolist(), bad.tolist(), strict=True):
        expected = _pence_by_the_rule(text)
        if expected is None:
            assert refused, text
        else:
            assert (got, refused) == (expected, False), text


def test_a_total_that_does_not_reconcile_names_the_difference_and_the_rows_set_aside_above_it(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "Supplier,Amount\nA Ltd,10.00\nB Ltd,twelve\nC Ltd,20.00\nTotal,42.00\n", encoding="utf-8"
    )
    with pytest.raises(lm3.RowErrors) as err:
        lm3.calculate(path, area="Leeds")
    assert (
        "£42.00 is not the sum of the payments above it (£30.00, £12.00 less); set aside above it: row 3, which "
        "may hold the difference" in str(err.value)
    )


def test_ingest_names_a_supplier_as_locate_and_the_template_do(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(
        "Supplier,Amount\nEDF Energy PLC,10.00\nEDF Energy Limited,20.00\nEDF Energy Limited,30.00\n",
        encoding="utf-8",
    )
    shown = lm3.ingest(path).top_suppliers()["supplier"].tolist()
    placed = lm3.locate(path, None, area="Leeds").suppliers["payments_name"].tolist()
    assert shown == placed == ["EDF Energy Limited"]  # the spelling used most
