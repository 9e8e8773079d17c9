"""Companies House bulk data: the real header and rows (tests/data/companies_house), files written in
that format here, ZIPs, streaming in small blocks, and the round trip into `lm3 locate`."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile

import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from conftest import DATA
from hypothesis import example, given, settings
from hypothesis import strategies as st

import lm3
from lm3.cli import cli
from lm3.errors import InputError
from lm3.inputs.companies_house import match_companies_house
from lm3.study.locate import locate
from lm3.values.names import arrow_supplier_key, supplier_key

REAL = DATA / "companies_house" / "ch_basiccompanydata_2025-01-01_part1_first50.csv"


def _real_rows() -> tuple[list[str], list[list[str]]]:
    with REAL.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *rows])
    return path


def _company(header, **values):
    """A row in the real format: every column blank but those given (by header name, spaces stripped)."""
    row = [""] * len(header)
    where = {h.strip(): i for i, h in enumerate(header)}
    for name, value in values.items():
        row[where[name.replace("__", ".")]] = value
    return row


# Latin text as suppliers are written: letters with accents, digits, punctuation, odd spaces
_NAME_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,'&-()/!\"’")
        + list("éèêëàâäôöûüçñÉÀÇØßæœ\u00a0\t")
    ),
    max_size=40,
)


def _reference_key(name: str) -> str:
    """The supplier key, one name at a time in plain Python: independent of the Arrow code it checks. Letters
    of every script are kept (a Greek or Chinese name has a key of its own); accents are dropped."""
    s = "".join(c for c in unicodedata.normalize("NFKD", name) if unicodedata.category(c) != "Mn")  # accents
    s = "".join("ẞ" if c == "ß" else c.upper() for c in s)  # letter by letter: ß has a capital of its own
    s = s.replace("&", " AND ")
    s = re.sub(r"[.'’]", "", s)
    s = re.sub(r"[\W_]+", " ", s).strip()  # letters and digits of any script stay
    s = re.sub(r"^THE\s+", "", s)
    return re.sub(r"(?:\s+(?:LIMITED|LTD|PLC|LLP|LP|CIC|CIO|INC|CO|COMPANY))+$", "", s).strip()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(_NAME_TEXT, st.sampled_from(["The Co Ltd", " LIMITED", "A & B LLP", "C.I.C."])), min_size=1
    )
)
def test_supplier_key_matches_a_plain_python_reference(names):
    expected = [_reference_key(n) for n in names]
    assert arrow_supplier_key(pa.array(names, type=pa.string()), clean=False).to_pylist() == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            _NAME_TEXT,
            st.tuples(
                _NAME_TEXT, st.sampled_from([" (DD)", " BACS", " A/C 123456", " 87654321", " T/A X"])
            ).map("".join),
        ),
        min_size=1,
    )
)
@example(
    names=["THE(DD)"]
)  # found by hypothesis: the cleaned key was "THE", not a word of the plain key "DD"
@pytest.mark.slow
def test_cleaning_payment_text_only_ever_leaves_words_out(names):
    """The cleaned key is the plain key with some words left out, never reordered or invented, and never
    empty when the plain key is not."""
    plain = arrow_supplier_key(pa.array(names, type=pa.string()), clean=False).to_pylist()
    cleaned = supplier_key(pd.Series(names)).tolist()
    for whole, kept in zip(plain, cleaned, strict=True):
        words = iter(whole.split())
        assert all(w in words for w in kept.split()), (whole, kept)  # a subsequence of the plain key's words
        assert bool(kept) == bool(whole)


def test_supplier_key_on_real_company_names():
    _, rows = _real_rows()
    names = [r[0] for r in rows] + [r[34] for r in rows if r[34]]  # names and previous names
    assert arrow_supplier_key(pa.array(names, type=pa.string()), clean=False).to_pylist() == [
        _reference_key(n) for n in names
    ]


def test_real_rows_matched_by_number_and_name():
    _, rows = _real_rows()
    by_number = {r[1]: r for r in rows}
    suppliers = pd.DataFrame(
        {
            "supplier": [
                "!Big Impact Graphics Ltd",
                "Council trading name",
                "!obac limited",
                '"20-20 Voice" Cancer',
                "Nobody",
            ],
            "company_number": [None, "sc 606050", None, None, None],
        }
    )
    found = match_companies_house(REAL, suppliers)
    assert found.rows_read == len(rows) == 50
    m = found.matches.set_index("supplier")
    assert m["match"].tolist() == ["name", "company number", "name", "name", "none"]

    big = by_number["11743365"]  # !BIG IMPACT GRAPHICS LIMITED, read straight from the file
    assert m.loc[
        "!Big Impact Graphics Ltd", ["company_number", "company_name", "postcode", "status"]
    ].tolist() == [
        "11743365",
        big[0],
        big[9],
        big[11],
    ]
    assert m.loc["!Big Impact Graphics Ltd", "sic"] == "; ".join(big[26:30])
    assert m.loc["Council trading name", "company_number"] == "SC606050"
    assert m.loc["Council trading name", "postcode"] == by_number["SC606050"][9] == "AB11 7SY"
    # a foreign company: Companies House put the postcode in the County column, and the postcode is blank
    obac = by_number["FC031362"]
    assert (obac[7], obac[9]) == ("GY1 4NA", "")
    assert m.loc["!obac limited", "postcode"] == "GY1 4NA"
    # a CIO with no address at all
    assert m.loc['"20-20 Voice" Cancer', "postcode"] is None

    register = found.register().set_index("Supplier")
    assert register.loc['"20-20 Voice" Cancer', "Type"] == "VCSE"  # Charitable Incorporated Organisation
    assert (
        register.loc["Council trading name", "SME"] == "Y"
    )  # TOTAL EXEMPTION FULL accounts: a small company
    assert (
        register.loc["!Big Impact Graphics Ltd", ["Postcode", "Head office postcode"]].tolist()
        == ["EC1V 9LT"] * 2
    )
    assert found.register(head_office_only=True)["Postcode"].isna().all()
    assert "Nobody" not in register.index


def test_written_file_zip_and_small_blocks_give_the_same_matches(tmp_path):
    header, real = _real_rows()
    rows = [
        *real,
        # two active companies with one key: too close to call
        _company(
            header,
            CompanyName="ACME WIDGETS LIMITED",
            CompanyNumber="00000001",
            CompanyStatus="Active",
            RegAddress__PostCode="BD1 1HY",
        ),
        _company(
            header,
            CompanyName="ACME WIDGETS LTD.",
            CompanyNumber="00000002",
            CompanyStatus="Active",
            RegAddress__PostCode="LS1 4GS",
        ),
        # one active and one in liquidation: the active one
        _company(
            header,
            CompanyName="THE KEIGHLEY PRINT SHOP LIMITED",
            CompanyNumber="00000003",
            CompanyStatus="Liquidation",
            RegAddress__PostCode="M1 1AE",
        ),
        _company(
            header,
            CompanyName="KEIGHLEY PRINT SHOP (2019) LTD",
            CompanyNumber="00000004",
            CompanyStatus="Active",
            RegAddress__PostCode="M1 1AE",
        ),
        _company(
            header,
            CompanyName="KEIGHLEY PRINT SHOP LTD",
            CompanyNumber="00000005",
            CompanyStatus="Active",
            RegAddress__PostCode="BD21 3LG",
        ),
        # a name with a comma and quotes, in a quoted field
        _company(
            header,
            CompanyName='SMITH, JONES & "PARTNERS" LLP',
            CompanyNumber="OC000006",
            CompanyStatus="Active",
            RegAddress__PostCode="bd7 1aa",
        ),
    ]
    path = _write(tmp_path / "BasicCompanyData.csv", header, rows)
    suppliers = pd.DataFrame(
        {
            "supplier": [
                "Acme Widgets",
                "Keighley Print Shop",
                "Smith Jones and Partners",
                "!Big Impact Graphics Ltd",
            ],
            "company_number": [None, None, None, None],
        }
    )
    whole = match_companies_house(path, suppliers)
    m = whole.matches.set_index("supplier")
    assert m.loc["Acme Widgets", "match"] == "ambiguous"
    assert m.loc["Acme Widgets", "candidates"] == (
        "ACME WIDGETS LIMITED (00000001)",
        "ACME WIDGETS LTD. (00000002)",
    )
    assert m.loc["Keighley Print Shop", ["company_number", "postcode"]].tolist() == ["00000005", "BD21 3LG"]
    assert m.loc["Smith Jones and Partners", ["company_number", "postcode"]].tolist() == [
        "OC000006",
        "BD7 1AA",
    ]
    assert any("Acme Widgets" in w for w in whole.warnings)

    archive = tmp_path / "BasicCompanyData-part1.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(path, "BasicCompanyData-2025-01-01-part1_7.csv")
    index = lm3.index_companies_house(archive, tmp_path / "companies-house.parquet")
    for found in (
        match_companies_house(archive, suppliers),
        match_companies_house(path, suppliers, block_size=4096),  # many blocks, rows cut across them
        match_companies_house(index, suppliers),  # the Parquet index: the same matches
    ):
        assert found.rows_read == len(rows)
        pd.testing.assert_frame_equal(found.matches, whole.matches)
    with pytest.raises(InputError, match=r"name it with \.parquet"):
        lm3.index_companies_house(archive, tmp_path / "index.csv")


def test_bad_files_are_named_with_what_to_do(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        match_companies_house(tmp_path / "missing.csv", pd.DataFrame({"supplier": ["A"]}))
    other = _write(tmp_path / "spend.csv", ["Supplier", "Amount"], [["A", "1"]])
    with pytest.raises(InputError, match=r"spend\.csv: not Companies House BasicCompanyData: no CompanyName"):
        match_companies_house(other, pd.DataFrame({"supplier": ["A"]}))
    empty_zip = tmp_path / "x.zip"
    with zipfile.ZipFile(empty_zip, "w") as z:
        z.writestr("readme.txt", "nothing")
    with pytest.raises(InputError, match=r"x\.zip: the ZIP holds no \.csv file"):
        match_companies_house(empty_zip, pd.DataFrame({"supplier": ["A"]}))
    header, rows = _real_rows()
    broken = tmp_path / "broken.csv"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows[:3]])
    broken.write_text(text.getvalue() + "TOO,FEW,FIELDS\n", encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"broken\.csv: cannot read this Companies House file \(line 5\): Expected 55 columns, got 3",
    ):
        match_companies_house(broken, pd.DataFrame({"supplier": ["A"]}))


def test_cli_companies_house_then_locate(tmp_path, ons):
    payments = tmp_path / "spend.csv"
    payments.write_text(
        "Supplier Name,Company Number,Amount\n"
        "!Big Impact Graphics Ltd,,1200.00\n"
        "Aire Valley Catering Ltd,,1000.00\n"
        "Grampian Trading,SC606050,300.00\n"
        "Mystery Trading,,700.00\n",
        encoding="utf-8",
    )
    register = DATA / "locate" / "register.csv"
    out = tmp_path / "companies-house.xlsx"
    done = CliRunner().invoke(
        cli,
        [
            "suppliers",
            "companies-house",
            str(REAL),
            "--payments",
            str(payments),
            "--suppliers",
            str(register),
            "--out",
            str(out),
            "--json",
        ],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert summary["rows_read"] == 50
    assert summary["matched"] == {"company number": 1, "name": 1, "ambiguous": 0, "none": 2}

    before = locate(payments, register, area="Bradford")
    after = locate(payments, [register, out], area="Bradford")
    s = after.suppliers.set_index("payments_name")
    assert ons.loc["EC1V9LT", "laua"] == s.loc["!Big Impact Graphics Ltd", "lad"] == "E09000012"  # Hackney
    assert ons.loc["AB117SY", "laua"] == s.loc["Grampian Trading", "lad"]
    assert after.placed == before.placed + 1200_00 + 300_00
    assert after.local == before.local  # both registered outside Bradford

    wrong = CliRunner().invoke(
        cli, ["suppliers", "companies-house", str(payments), "--payments", str(payments), "--out", str(out)]
    )
    assert wrong.exit_code != 0 and "not Companies House BasicCompanyData" in wrong.output
    assert "Traceback" not in wrong.output


def test_generated_file_in_the_real_format(tmp_path):
    """The benchmark's generator (the real header, values shaped like the real ones), at a small size: every
    supplier the generator placed in the file is found, by number or by name, and no other."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_companies_house as bench
    import make_companies_house as gen

    path = gen.write(tmp_path / "BasicCompanyData.csv", 30_000)
    with path.open(encoding="utf-8") as f:
        assert f.readline().rstrip("\n") == ",".join(_real_rows()[0])  # the header, leading spaces and all
    suppliers = bench.make_suppliers(30_000, 1_000)
    found = match_companies_house(path, suppliers[["supplier", "company_number"]], block_size=1 << 20)
    assert found.rows_read == 30_000
    assert found.counts() == {"company number": 150, "name": 600, "ambiguous": 0, "none": 250}
    got = found.matches["company_number"].fillna("").tolist()
    assert got == suppliers["expect"].tolist()
