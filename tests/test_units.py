"""The building blocks: money, shares, supplier keys, postcodes and areas (real ONS postcode data)."""

from __future__ import annotations

import subprocess
import sys
import types
from fractions import Fraction

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import BAD, ROOT, SAMPLE
from hypothesis import given
from rapidfuzz.distance import Levenshtein

import lm3
from lm3.geo import default_directory, resolve_area
from lm3.read.csvfile import decode_text
from lm3.values.arrow import take_rows
from lm3.values.frames import among
from lm3.values.money import (
    format_gbp,
    parse_money,
    parse_pounds,
    pence_to_decimal,
    round_pence,
    times_shares,
)
from lm3.values.names import id_key, supplier_key
from lm3.values.near import candidate_pairs
from lm3.values.shares import parse_shares


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("1,000.00", 100000),
        ("£1,000.00 ", 100000),
        ("161,413.00-", -16141300),
        ("(1,043.00)", -104300),
        ("-250", -25000),
        (4999.999999999999, 500000),
        (12, 1200),
        ("0.125", 13),  # half a penny rounds away from zero
        ("-0.125", -13),
        ("400.144", 40014),
        (".5", 50),
        ("1.5E+03", 150000),
        ("1\u00a0000.50", 100050),
    ],
)
def test_money_to_pence(text, pence):
    parsed, bad = parse_money(pd.Series([text], dtype="object"))
    assert (parsed.iloc[0], bad.iloc[0]) == (pence, False)


@pytest.mark.parametrize(
    "text", ["abc", "--5", "1.2.3", "(5)-", float("inf"), "(1,000", "1,0)00", "1-2", "£"]
)
def test_not_money_is_flagged(text):
    parsed, bad = parse_money(pd.Series([text], dtype="object"))
    assert bad.iloc[0] and pd.isna(parsed.iloc[0])


def test_blank_money_is_not_bad_but_missing():
    parsed, bad = parse_money(pd.Series(["", None, "  "], dtype="object"))
    assert not bad.any() and parsed.isna().all()


def test_pounds_and_formatting():
    assert parse_pounds("250,000") == 25_000_000
    assert format_gbp(-123456) == "-£1,234.56" and format_gbp(5, symbol=False) == "0.05"
    with pytest.raises(ValueError):
        parse_pounds("lots")


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (["60%", "45%"], [Fraction(3, 5), Fraction(9, 20)]),
        (["60", "45"], [Fraction(3, 5), Fraction(9, 20)]),
        (["0.6", "0.45", "1"], [Fraction(3, 5), Fraction(9, 20), Fraction(1)]),
        ([0.62, 0.7], [Fraction(31, 50), Fraction(7, 10)]),  # Excel percentage cells
        (["33.3%", "0.5%"], [Fraction(333, 1000), Fraction(1, 200)]),
        (["60", "0.5%"], [Fraction(3, 5), Fraction(1, 200)]),
        (["0", "0"], [Fraction(0), Fraction(0)]),
    ],
)
def test_share_rule(column, expected):
    shares, problems = parse_shares(pd.Series(column, dtype="object"))
    assert problems.isna().all()
    assert shares.tolist() == expected


@pytest.mark.parametrize(
    ("column", "bad_at", "starts"),
    [
        (["60", "0.5"], 1, "is ambiguous in a column of percentages"),
        (["1", "0"], 0, "is ambiguous (1 could be 1% or 100%)"),
        (["130%"], 0, "is outside 0-100%"),
        (["-5%"], 0, "is outside 0-100%"),
        (["150"], 0, "is outside 0-100%"),
        (["about half"], 0, "is not a share"),
    ],
)
def test_share_rule_rejects(column, bad_at, starts):
    shares, problems = parse_shares(pd.Series(column, dtype="object"))
    assert problems.iloc[bad_at].startswith(starts)
    assert shares.iloc[bad_at] is None


def test_supplier_keys_ignore_case_spacing_punctuation_and_legal_forms():
    names = [
        "AIRE VALLEY CATERING LTD",
        "Aire Valley Catering Limited",
        "aire  valley\u00a0catering ltd.",
        "The Aire Valley Catering Co. Ltd",
    ]
    assert set(supplier_key(pd.Series(names))) == {"AIRE VALLEY CATERING"}
    assert supplier_key(pd.Series(["Bradford Youth Arts C.I.C."])).iloc[0] == "BRADFORD YOUTH ARTS"
    assert supplier_key(pd.Series(["Smith & Sons LLP"])).iloc[0] == "SMITH AND SONS"
    assert (
        supplier_key(pd.Series(["Leeds Widgets"])).iloc[0]
        != supplier_key(pd.Series(["Leeds Gadgets"])).iloc[0]
    )


def test_employee_ids_from_excel_numbers():
    assert id_key(pd.Series([1001.0, " e7 ", "E7", None])).tolist() == ["1001", "E7", "E7", ""]


def test_postcodes_are_placed_with_ons_data():
    placed = default_directory().place(
        pd.Series(["bd1 1aa", "BD11 1AA", "BD23 1AA", "GY1 1AA", "ZZ9 9ZZ", "not a postcode", ""])
    )
    assert placed["postcode"].tolist()[:5] == ["BD1 1AA", "BD11 1AA", "BD23 1AA", "GY1 1AA", "ZZ9 9ZZ"]
    assert placed["lad_name"].tolist()[:4] == ["Bradford", "Leeds", "North Yorkshire", "Channel Islands"]
    assert placed["status"].tolist() == ["placed"] * 4 + ["not found", "invalid", "missing"]


def test_areas_by_name_code_and_recode():
    assert resolve_area("Bradford").codes == ("E08000032",)
    assert resolve_area("e08000032").names == ("Bradford",)
    assert resolve_area("City of Bristol").codes == ("E06000023",)
    assert resolve_area("bristol").codes == ("E06000023",)
    # Sheffield's old code resolves to its 2025 code, which the postcode data uses.
    assert resolve_area("E08000019").codes == ("E08000039",)
    assert resolve_area(["Leeds", "Bradford", "Leeds"]).name == "Leeds and Bradford"
    with pytest.raises(lm3.AreaError) as err:
        resolve_area("Calderdael")
    assert err.value.suggestions[0] == "Calderdale (E08000033)"


def test_encodings():
    assert decode_text("Amount (£)".encode("cp1252")) == "Amount (£)"
    assert decode_text(b"\xef\xbb\xbfSupplier") == "Supplier"
    assert decode_text((BAD / "bom_double_encoded.csv").read_bytes()).startswith("Supplier,Amount")


def test_tables_read_below_a_title_and_in_cp1252():
    from lm3.inputs.readers import read_payments

    table = read_payments(BAD / "preamble_payments.csv")
    assert table.data["row"].iloc[0] == 4  # title on row 1, blank row 2, header row 3
    assert table.columns == {"supplier": "Supplier", "amount": "Amount", "date": "Date"}
    cp = read_payments(BAD / "cp1252_pound_header.csv")
    assert cp.columns["amount"] == "Amount (£)"
    assert cp.data["amount"].sum() == 1_000_00 + 400_15


def test_public_api_is_complete_and_sorted():
    assert lm3.__all__ == sorted(lm3.__all__)
    public = {
        n for n in dir(lm3) if not n.startswith("_") and not isinstance(getattr(lm3, n), types.ModuleType)
    }
    assert public == set(lm3.__all__)
    for name in lm3.__all__:
        assert getattr(lm3, name).__doc__, f"lm3.{name} has no docstring"


def test_core_never_imports_click():
    code = "import sys, lm3; lm3.calculate; assert 'click' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_lint_and_format():
    subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], check=True, cwd=ROOT)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--quiet", "."], check=True, cwd=ROOT)


def test_workbook_sheets_with_the_same_header_are_all_read_and_others_named(tmp_path):
    import openpyxl

    from lm3.inputs.readers import read_payments

    wb = openpyxl.Workbook()
    wb.active.title = "April"
    wb.active.append(["Supplier", "Amount"])
    wb.active.append(["Print Shop", 400.15])
    may = wb.create_sheet("May")
    may.append(["Supplier", "Amount"])
    may.append(["Print Shop", 100])
    notes = wb.create_sheet("Notes")
    notes.append(["Published under the Local Government Transparency Code"])
    wb.create_sheet("Empty")
    wb.save(tmp_path / "months.xlsx")
    table = read_payments(tmp_path / "months.xlsx")
    assert table.sheets == ("April", "May")
    assert table.data[["sheet", "row", "amount"]].values.tolist() == [
        ["April", 2, 400_15],
        ["May", 2, 100_00],
    ]
    assert table.warnings == (
        "months.xlsx: sheets not read as payments: 'Notes' (no rows of payments under a header).",
    )


def test_sums_by_code_are_exact_beyond_float_precision():
    from lm3.inputs.ingest.names import sum_by

    codes = np.array([0, 1, 0, 2, 1, 0])
    small = np.array([1, 2, 3, 4, 5, -6], dtype=np.int64)
    assert sum_by(codes, small, 4).tolist() == [-2, 7, 4, 0]
    big = np.array(
        [2**60, 1, 3, 2**60, -(2**60), 1], dtype=np.int64
    )  # sums past 2**53: float would lose them
    assert sum_by(codes, big, 4).tolist() == [2**60 + 4, 1 - 2**60, 2**60, 0]


@given(
    st.lists(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=5), min_size=1, max_size=4),
    st.data(),
)
def test_take_rows_of_a_chunked_text_column_is_iloc(chunks, data):
    values = pd.Series(pd.array(pa.chunked_array([pa.array(c, pa.string()) for c in chunks]), dtype="str"))
    at = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=8)) if len(values) else []
    got = take_rows(values, np.array(at, dtype=np.int64))
    expected = values.iloc[at]
    assert got.index.tolist() == expected.index.tolist()
    assert got.fillna("<NA>").tolist() == expected.fillna("<NA>").tolist()


def test_a_row_problem_without_a_column_names_no_column():
    problems = pd.DataFrame(
        [
            {
                "file": "a.csv",
                "sheet": None,
                "row": 3,
                "column": np.nan,
                "value": None,
                "problem": "is short.",
                "code": "x",
            },
            {
                "file": "a.csv",
                "sheet": None,
                "row": 4,
                "column": "Amount",
                "value": "ten",
                "problem": "is not money.",
                "code": "y",
            },
        ]
    )
    text = str(lm3.RowErrors(problems))
    assert "  row 3: is short." in text and "  row 4, column 'Amount': 'ten' is not money." in text
    assert "nan" not in text


@given(
    st.lists(st.integers(-(10**12), 10**12), max_size=30),
    st.lists(
        st.fractions(min_value=-2, max_value=2, max_denominator=10**18)
        | st.sampled_from([Fraction(1, 3), Fraction(1, 2), Fraction(-1, 2), Fraction(0), Fraction(1)]),
        min_size=1,
        max_size=30,
    ),
)
def test_times_shares_is_round_pence_of_each_product(amounts, shares):
    """Every amount times its share, to the penny, halves away from zero, whether the products fit in int64,
    need the corrected float product (denominators past 2**31), or Python's integers."""
    shares = [shares[i % len(shares)] for i in range(len(amounts))]
    expected = [round_pence(Fraction(a) * s) for a, s in zip(amounts, shares, strict=True)]
    assert times_shares(np.array(amounts, dtype=np.int64), shares).tolist() == expected
    if shares:
        one = [round_pence(Fraction(a) * shares[0]) for a in amounts]
        assert times_shares(np.array(amounts, dtype=np.int64), shares[0]).tolist() == one


def test_times_shares_of_a_weighted_mean_share():
    """A round-2-weighted mean share has terms near 10**15; the halves still round away from zero."""
    share = Fraction(123456789012345, 987654321098767)
    amounts = np.array([987654321098767 * 2, 7, -7, 10**12, -(10**12) + 1, 0], dtype=np.int64)
    expected = [round_pence(Fraction(int(a)) * share) for a in amounts]
    assert times_shares(amounts, share).tolist() == expected
    a, k, m = 10**11, 33_333_333_333, 10**6  # a x share is k + 1/2 - 1/2m: a float product says k + 1/2
    below_half = Fraction((2 * k + 1) * m - 1, 2 * a * m)
    assert times_shares(np.array([a, -a]), below_half).tolist() == [k, -k]
    q = 10**12 - 11  # q x (2q - 1) / 2q is q - 1/2 exactly, and q x (2q - 1) is far past int64
    assert times_shares(np.array([q, -q]), Fraction(2 * q - 1, 2 * q)).tolist() == [q, -q]


def test_among_is_isin_for_text_and_never_matches_a_blank():
    values = pd.Series(["A", None, "B", "C", ""], dtype="str")
    allowed = pd.Series(["C", None, "A", ""], dtype="str")
    assert among(values, allowed).tolist() == [True, False, False, True, True]
    assert among(values.astype(object), pd.Index(["B"])).tolist() == [False, False, True, False, False]
    assert among(pd.Series([1, 2, None]), pd.Series([2.0, None])).tolist() == [False, True, False]
    assert among(pd.Series([], dtype="str"), allowed).tolist() == []


@given(st.lists(st.text(alphabet="ABC D", min_size=1, max_size=9), min_size=1, max_size=25), st.data())
def test_candidate_pairs_hold_every_pair_one_typo_apart(names, data):
    """Whatever the names, every name and choice one typo apart (a letter changed, added or dropped, spaces
    left out) or with the same words in another order is a candidate, and a list compared with itself
    never pairs a name with itself."""
    choices = data.draw(st.lists(st.text(alphabet="ABC D", min_size=1, max_size=9), max_size=25))

    def near(a: str, b: str) -> bool:
        packed_a, packed_b = a.replace(" ", ""), b.replace(" ", "")
        one_typo = len(packed_a) >= 2 and len(packed_b) >= 2 and Levenshtein.distance(packed_a, packed_b) <= 1
        reordered = sorted(a.split()) == sorted(b.split()) and len(packed_a) >= 2
        return (one_typo or reordered) and abs(len(a) - len(b)) <= 0.25 * (len(a) + len(b))

    got = candidate_pairs(names, choices)
    found = set(zip(got["name"], got["choice"], strict=True))
    assert len(found) == len(got)  # each pair once
    for i, a in enumerate(names):
        for j, b in enumerate(choices):
            if near(a, b):
                assert (i, j) in found, (a, b)
    itself = candidate_pairs(names, names)
    pairs = set(zip(itself["name"], itself["choice"], strict=True))
    assert all(i != j for i, j in pairs)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if i != j and near(a, b):
                assert (i, j) in pairs, (a, b)


def test_candidate_pairs_of_nothing_and_of_real_typos():
    assert candidate_pairs([], []).empty and candidate_pairs(["ACME"], []).empty
    assert candidate_pairs([], ["ACME"]).empty
    names = ["SCOT GROUP", "H JENKINSON", "TRAVEL AB", "CEL SOLICITORS", "LOCTA"]
    choices = ["LOCATA", "CELL SOLICITORS", "AB TRAVELS", "HJENKINSON", "SCOTT GROUP", "UNRELATED NAME"]
    got = candidate_pairs(names, choices)
    assert set(zip(got["name"], got["choice"], strict=True)) >= {(0, 4), (1, 3), (2, 2), (3, 1), (4, 0)}
    assert 5 not in set(got["choice"])


def test_spend_per_supplier_takes_the_most_used_spelling_of_each_key():
    """Spend per supplier key with its most used spelling (ties: the first seen), whether each spelling has
    one key (as ingest makes them) or, in a frame built by hand, one spelling has two."""
    from lm3.place.matching import spend_per_supplier

    def frame(suppliers: list[str], keys: list[str], pence: list[int]) -> pd.DataFrame:
        return pd.DataFrame(
            {"supplier": suppliers, "key": keys, "amount": pence, "supplier_class": ["named"] * len(keys)}
        )

    one_key = frame(
        ["Acme Ltd", "ACME LIMITED", "ACME LIMITED", "Beta", "Beta Co", "Acme Ltd", "ACME LIMITED"],
        ["ACME", "ACME", "ACME", "BETA", "BETA", "ACME", "ACME"],
        [100, 200, 300, 50, 70, 1, 2],
    )
    out = spend_per_supplier(one_key).set_index("key")
    assert out.loc["ACME", ["supplier", "payments", "round1"]].tolist() == ["ACME LIMITED", 5, 603]
    assert out.loc["BETA", ["supplier", "payments", "round1"]].tolist() == ["Beta", 2, 120]  # a tie: first
    two_keys = frame(["Gamma", "Gamma", "Gamma Ltd"], ["GAMMA", "GAMMA 2", "GAMMA 2"], [10, 20, 30])
    out = spend_per_supplier(two_keys).set_index("key")
    assert out.loc["GAMMA", ["supplier", "round1"]].tolist() == ["Gamma", 10]
    assert out.loc["GAMMA 2", ["supplier", "payments", "round1"]].tolist() == ["Gamma", 2, 50]


def test_a_postcode_placed_again_as_written_places_as_a_fresh_directory_does():
    """A directory remembers what it placed, the postcodes as written too ("BD1 1HY" for "bd11hy"): placing
    the written forms afterwards gives what a directory that never saw them gives."""
    from lm3.geo import PostcodeDirectory

    raw = pd.Series(["bd11hy", "ls1 4dy", "BD7", "not a postcode", None, "BD1 1HY"])
    seen = PostcodeDirectory()
    first = seen.place(raw)
    written = first["postcode"].where(first["postcode"] != "", None)
    again = seen.place(written).reset_index(drop=True)
    fresh = PostcodeDirectory().place(written).reset_index(drop=True)
    pd.testing.assert_frame_equal(again, fresh)
    assert again["lad"].tolist()[:3] == ["E08000032", "E08000035", "E08000032"]


def test_the_root_holds_what_users_use_and_every_result_type_is_exported():
    """At most 40 names in ``lm3``; what only front ends need is in ``lm3.frontend``; every type a result
    holds (a dataclass field's type, followed through the types it holds) is in ``lm3.types``."""
    import dataclasses
    import typing

    assert len(lm3.__all__) <= 40
    exported = {getattr(lm3.types, n) for n in lm3.types.__all__}
    roots = [lm3.LM3Result, lm3.LocateResult, lm3.IngestResult, lm3.BatchResult, lm3.types.Comparison]
    seen: set[type] = set()
    while roots:
        kind = roots.pop()
        if kind in seen or not dataclasses.is_dataclass(kind):
            continue
        seen.add(kind)
        hints = typing.get_type_hints(kind)
        for hint in hints.values():
            for arg in [
                hint,
                *typing.get_args(hint),
                *(a for h in typing.get_args(hint) for a in typing.get_args(h)),
            ]:
                if isinstance(arg, type) and arg.__module__.startswith("lm3"):
                    assert arg in exported, f"{kind.__name__} holds {arg.__name__}, not in lm3.types"
                    roots.append(arg)
    assert len(seen) >= 10


def test_compare_and_scenarios_are_results_with_their_records():
    result = lm3.load_project(SAMPLE).calculate()
    moved = result.scenarios(["share=10%"])
    assert list(moved.table["scenario"]) == ["as now", "10% of non-local spend to local suppliers"]
    assert moved.to_dict() == {"scenarios": moved.records()}
    assert moved.records()[1]["moved"] == str(
        pence_to_decimal(int(moved.table["moved"].iloc[1]))
    )  # JSON-ready
    compared = lm3.compare([result, result.to_dict()])
    assert len(compared.table) == 2
    assert compared.to_dict() == {"results": compared.records(), "comparable": True, "differences": []}
    assert compared.records()[0]["lm3"] == compared.records()[1]["lm3"] == result.lm3
    assert "<table" in moved._repr_html_() and "<table" in compared._repr_html_()


def test_calculate_gives_the_spend_by_tier_that_locate_gives():
    """The placing stage is one: calculate's spend by tier is locate's, and there is none unless tiers are
    named."""
    project = lm3.load_project(SAMPLE).with_options(tiers=("Near=10km around BD1 1HY", "WY=West Yorkshire"))
    by_tier = project.calculate().tiers
    assert by_tier is not None and list(by_tier["name"]) == ["Near", "WY"]
    pd.testing.assert_frame_equal(by_tier, project.locate().tiers)
    assert lm3.load_project(SAMPLE).calculate().tiers is None


@pytest.mark.parametrize("tier", ["junk", "Near=Bradfrod"])
def test_a_bad_tier_is_said_as_the_tiers_not_the_areas(tier):
    """A tier that is not Name=area, or names no area, is an error about the tiers (``params``), so the CLI
    says --tier and the web page marks the tiers' field, not the area's."""
    with pytest.raises(lm3.AreaError) as raised:
        lm3.frontend.resolve_tiers([tier], lm3.resolve_area("Bradford"))
    assert raised.value.params == ("tiers",) and "Tier" in str(raised.value)
