"""The spend file is a register too: its postcodes, addresses, company and charity numbers, URNs, ODS codes
and org-ids found by content, made canonical, and values that are no identifier ("N/A") read as none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

import lm3
from lm3.values import ids
from lm3.values.dates import parse_dates

SHARED = ROOT.parent / "shared" / "data"
CORPUS = SHARED / "spend" / "corpus"


@pytest.mark.parametrize(
    "value",
    ["N/A", "n/a", "NA", "#N/A", "N.A.", "0", "00000000", "-", "--", "—", "TBC", "tba", "None", "NULL",
     "Not registered", "not applicable", "Unknown", "?", "", "   ", "x"],
)  # fmt: skip
def test_values_that_are_no_identifier(value):
    assert ids.no_value(pd.Series([value])).tolist() == [True]
    for kind in ids.IDENTIFIERS:
        assert ids.IDENTIFIERS[kind](pd.Series([value])).to_pylist() == [None], kind


@pytest.mark.parametrize(
    ("kind", "written", "canonical"),
    [
        ("company_number", "2535986", "02535986"),
        ("company_number", 2535986.0, "02535986"),
        ("company_number", "sc 123456", "SC123456"),
        ("company_number", "OC301234", "OC301234"),
        ("company_number", "Acme Ltd", None),
        ("charity_number", "1123456-1", "1123456"),
        ("charity_number", "SC12345", "SC012345"),
        ("charity_number", "sc012345", "SC012345"),
        ("charity_number", "NIC100002", "NIC100002"),
        ("charity_number", "100002", "NIC100002"),  # England and Wales numbers start at 200000
        ("charity_number", "RCN 216401", "216401"),
        ("charity_number", "12345", None),
        ("urn", "100000", "100000"),
        ("urn", "3009202300001", None),
        ("ods_code", "rxx", "RXX"),
        ("ods_code", "A81001", "A81001"),
        ("ods_code", "123", None),
        ("org_id", "gb-coh-1234567", "GB-COH-01234567"),
        ("org_id", "GB-SC-SC12345", "GB-SC-SC012345"),
        ("org_id", "GB-NIC-100002", "GB-NIC-100002"),
        ("org_id", "GB-COH-Acme", None),
        ("org_id", "XI-FOO-bar", "XI-FOO-BAR"),
    ],
)
def test_identifiers_are_canonical(kind, written, canonical):
    assert ids.IDENTIFIERS[kind](pd.Series([written], dtype="object")).to_pylist() == [canonical]


def test_an_org_id_fills_the_id_column_of_its_scheme():
    parts = ids.org_id_parts(pd.Series(["GB-COH-01234567", "GB-CHC-1123456", "GB-EDU-105000", "GB-NHS-RXX"]))
    assert parts["company_number"].tolist() == ["01234567", None, None, None]
    assert parts["charity_number"].tolist() == [None, "1123456", None, None]
    assert parts["urn"].tolist() == [None, None, "105000", None]
    assert parts["ods_code"].tolist() == [None, None, None, "RXX"]


def test_addresses_give_their_last_postcode_and_outward_codes_stay():
    got = ids.postcodes_in_text(
        pd.Series(["12 High St, Bradford BD1 1HY", "bd7 1aa", "BD7", "Unit 4, M1 2AB, Manchester", "N/A"])
    ).to_pylist()
    assert got == ["BD1 1HY", "BD7 1AA", "BD7", "M1 2AB", None]


def test_dates_written_yyyymmdd_are_days():
    parsed = parse_dates(pd.Series(["20240402", 20240331, "20241301", "2024/04/02"], dtype="object"))
    assert parsed.date.iloc[0] == pd.Timestamp(2024, 4, 2)
    assert parsed.date.iloc[1] == pd.Timestamp(2024, 3, 31)
    assert parsed.bad.tolist() == [False, False, True, True]


def _spend(tmp_path: Path, columns: dict[str, list[object]]) -> Path:
    path = tmp_path / "spend.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    return path


SUPPLIERS = [
    "Acme Builders Ltd",
    "Bradford Food Bank",
    "Northern Care Ltd",
    "Leeds City Council",
    "Zed Ltd",
] * 5
AMOUNTS = [f"{1000 + 37 * i}.{i % 100:02d}" for i in range(25)]


def test_identifier_columns_are_found_by_content_whatever_their_headers(tmp_path):
    """A district's "Comp. reg. no", another's "Supplier Post Code (first 4 digits)", an address column, a
    column of org-ids headed "Ref", and a charity number column that holds "N/A" on every row."""
    path = _spend(
        tmp_path,
        {
            "Supplier": SUPPLIERS,
            "Amount": AMOUNTS,
            "Date": ["20240402"] * 25,
            "Comp. reg. no": ["1234567", "N/A", "SC123456", "-", "07654321"] * 5,
            "Supplier Post Code (first 4 digits)": ["BD7", "BD1", "LS1", "LS2", "M1"] * 5,
            "Address": [f"{i} High Street, Bradford BD1 1HY" for i in range(25)],
            "Ref": ["GB-COH-01234567", "GB-CHC-1123456", "GB-COH-SC123456", "GB-LAE-LDS", "GB-COH-07654321"]
            * 5,
            "Charity Number": ["N/A"] * 25,
        },
    )
    read = lm3.ingest(path)
    assert read.columns["company_number"] == "Comp. reg. no"
    assert read.columns["org_id"] == "Ref"
    assert read.columns["postcode"] == "Address"  # full postcodes beat outward codes
    numbers = read.data["company_number"]
    assert numbers.astype("object").where(numbers.notna(), None).tolist()[:5] == [
        "01234567",
        None,
        "SC123456",
        None,
        "07654321",
    ]
    assert read.data["charity_number"].isna().all()  # "N/A" on every row: no charity number anywhere
    assert read.data["date"].iloc[0] == pd.Timestamp(2024, 4, 2)
    assert not any(w.code == "dates-not-dates" for w in read.warnings)
    assert read.data["postcode"].iloc[0] == "BD1 1HY"


def test_outward_codes_are_read_when_the_header_says_postcode(tmp_path):
    path = _spend(
        tmp_path,
        {
            "Supplier": SUPPLIERS,
            "Amount": AMOUNTS,
            "Supplier Post Code (first 4 digits)": ["BD7", "BD1", "LS1", "LS2", "M1"] * 5,
            "Area code": ["BD7", "BD1", "LS1", "LS2", "M1"] * 5,  # codes, but the header says nothing of post
        },
    )
    read = lm3.ingest(path)
    assert read.columns["postcode"] == "Supplier Post Code (first 4 digits)"
    assert read.data["postcode"].tolist()[:3] == ["BD7", "BD1", "LS1"]


def test_a_header_that_misleads_is_not_read_as_ids(tmp_path):
    """A column headed as URNs that holds 13-digit payment references is not taken for school URNs."""
    path = _spend(
        tmp_path,
        {"Supplier": SUPPLIERS, "Amount": AMOUNTS, "URN": [f"30092023{i:05d}" for i in range(25)]},
    )
    read = lm3.ingest(path)
    assert read.columns.get("urn") is None
    assert "column-holds-no-ids" in [w.code for w in read.warnings]


def test_numbers_alone_are_not_taken_for_company_numbers(tmp_path):
    """Eight-digit numbers with nothing else to say so (a header of "Ref", no register's prefix) are ids of
    something, not company numbers."""
    path = _spend(
        tmp_path,
        {"Supplier": SUPPLIERS, "Amount": AMOUNTS, "Ref": [f"{10000000 + i * 7919}" for i in range(25)]},
    )
    assert lm3.ingest(path).columns.get("company_number") is None


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/data/spend/corpus (the real spend files)")
def test_the_ministry_of_defences_supplier_site_postcodes_are_read():
    """MoD's January 2024 file carries 'Supplier Site Post Code', a header no rule names: found by its
    content. Every row's postcode equals the cell as an independent reader (calamine and a regular
    expression, by hand) sees it: the postcode in the cell ("M15 5QJ??????????????" holds one), else the cell
    as written ("CANADA V6H4E4", "DN 19 7DZ": the placing step says they are no UK postcodes)."""
    import re

    from python_calamine import CalamineWorkbook

    path = CORPUS / "mod_2024-01.ods"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    at = rows[0].index("Supplier Site Post Code")

    def oracle(cell: object) -> str | None:
        text = " ".join(str(cell).upper().split())
        found = re.findall(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b", text)
        return found[-1] if found else text or None

    expected = [oracle(r[at]) for r in rows[1:] if any(str(c).strip() for c in r)]
    assert expected.count("M15 5QJ") > expected.count("M15 5QJ??????????????") == 0
    read = lm3.ingest(path)
    assert read.columns["postcode"] == "Supplier Site Post Code"
    got = read.data["postcode"].astype("object").where(read.data["postcode"].notna(), None).tolist()
    assert len(got) == len(expected)
    assert got == expected
    assert sum(p is not None for p in got) == 2360 - 1 - 120


def test_dates_as_yyyymmdd_in_a_file_are_kept(tmp_path):
    path = _spend(tmp_path, {"Supplier": SUPPLIERS, "Amount": AMOUNTS, "Payment Date": ["20240402"] * 25})
    read = lm3.ingest(path)
    assert (read.data["date"] == pd.Timestamp(dt.date(2024, 4, 2))).all()


def test_company_numbers_with_a_registers_prefix_are_found_without_a_header_saying_so(tmp_path):
    """A column headed "Ref" whose values include Scottish and LLP company numbers (SC..., OC...) and
    zero-padded English ones is a column of company numbers."""
    path = _spend(
        tmp_path,
        {
            "Supplier": SUPPLIERS,
            "Amount": AMOUNTS,
            "Ref": ["SC123456", "01234567", "OC301234", "07654321", "00012345"] * 5,
        },
    )
    read = lm3.ingest(path)
    assert read.columns["company_number"] == "Ref"
    assert read.data["company_number"].tolist()[:3] == ["SC123456", "01234567", "OC301234"]
