"""Hostile input, generated: every reader gets cells and files made to break it, and for every input the
result is a result or an ``lm3.LM3Error``, never another exception, never a hang, never memory out of
proportion to the data; totals equal an oracle written here; and no output lets input text act.

Bounded for CI (about a minute on 2 cores); ``LM3_FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py`` runs
longer. The crafted files of ``tests/data/hostile/`` (one quirk each) are read by ``test_reading.py`` and
``test_hostile_corpus`` below.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, GOLDEN, bounded
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import lm3
from lm3.cli import cli

EXAMPLES = int(os.environ.get("LM3_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    derandomize=os.environ.get("LM3_FUZZ_EXAMPLES") is None,  # CI: the same examples every run
)
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = DATA / "hostile"


TALLY: Counter[str] = Counter()  # outcomes by kind, written to $LM3_FUZZ_TALLY at the end (README numbers)


def answered(call, *args, **kwargs):
    """The call's result, or None when it raised an LM3Error; any other exception fails the test."""
    with bounded():
        try:
            result = call(*args, **kwargs)
        except lm3.LM3Error as err:
            TALLY[f"LM3Error {err.code}"] += 1
            return None
    TALLY["result"] += 1
    return result


@pytest.fixture(scope="module", autouse=True)
def _tally():
    yield
    if os.environ.get("LM3_FUZZ_TALLY"):
        Path(os.environ["LM3_FUZZ_TALLY"]).write_text(json.dumps(dict(TALLY.most_common()), indent=1))


# -- cells ----------------------------------------------------------------------------------------------------

SCRIPTS = st.sampled_from(
    [
        "Café Ltd",
        "Ωμέγα ΑΕ",
        "Завод Ltd",
        "北京公司",
        "شركة",
        "עברית בע״מ",
        "Ünïcödé & Söns",
        "Ｆｕｌｌ Ｗｉｄｔｈ",
    ]
)
FORMULAS = st.sampled_from(
    ['=HYPERLINK("http://evil.example","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "=1+1", "\t=1"]
)
ACTIVE_TEXT = st.sampled_from(
    [
        "Aire\x1b[2J\x1b]0;owned\x07 Ltd",
        "Bad\x00Name Ltd",
        "Right\u202eLeft Ltd",
        "Tab\tand\rcr Ltd",
        "\x9b31m Ltd",
    ]
)
MARKUP = st.sampled_from(["<script>alert(1)</script> Ltd", "Tom & Jerry's <b>Ltd</b>", '"Quoted, Comma" Ltd'])
MATH = st.sampled_from(["$\\alpha_$ Ltd", "100% $ Ltd", "a_b^c Ltd"])
PLAIN = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=30)
NAME = st.one_of(SCRIPTS, FORMULAS, ACTIVE_TEXT, MARKUP, MATH, PLAIN)

BAD_AMOUNTS = st.sampled_from(
    [
        "12,50",
        "1.234,56",
        "1,23,456",
        "1e999999999",
        "+-5",
        "--5",
        "1_000",
        "١٢٣",
        "１２３",
        "#N/A",
        "abc",
        "5+",
    ]
)


def _amount_forms(pence: int) -> st.SearchStrategy[str]:
    pounds = Decimal(pence) / 100
    a = abs(pounds)
    negative = pence < 0
    plain = f"{pounds:.2f}"
    grouped = f"{a:,.2f}"
    forms = [plain, f"£{grouped}" if not negative else f"-£{grouped}"]
    forms.append(f"({grouped})" if negative else grouped)
    forms.append(f"{grouped}-" if negative else f" {plain} ")
    return st.sampled_from(forms)


AMOUNT = st.integers(-(10**11), 10**11).flatmap(lambda p: st.tuples(st.just(p), _amount_forms(p)))


@st.composite
def payments_file(draw) -> tuple[bytes, list[int], int]:
    """A spend CSV of "Supplier,Amount" rows with hostile names, good amounts in every form and bad ones;
    returns its bytes, the pence of the good rows (the oracle) and how many rows are bad."""
    rows = draw(st.lists(st.tuples(NAME, st.one_of(AMOUNT, BAD_AMOUNTS)), min_size=1, max_size=25))
    good, bad = [], 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(["Supplier", "Amount"])
    for name, amount in rows:
        assume(
            not re.match(r"(?i)\s*(grand |sub ?)?totals?\b", name)
        )  # a row labelled Total is not a payment
        assume(name.strip() and "\n" not in name and "\r" not in name)
        if isinstance(amount, tuple):
            good.append(amount[0])
            writer.writerow([name, amount[1]])
        else:
            bad += 1
            writer.writerow([name, amount])
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    return text.encode(encoding), good, bad


# -- readers --------------------------------------------------------------------------------------------------


@FUZZ
@given(payments_file())
def test_payments_total_equals_the_oracle_or_an_lm3_error(tmp_path_factory, generated):
    content, good, bad = generated
    path = tmp_path_factory.mktemp("p") / "spend.csv"
    path.write_bytes(content)
    result = answered(lm3.ingest, path)
    if result is None:
        return
    # every payment accounted for; the total is the oracle's, to the penny (good rows are never rejected)
    assert result.rows_accepted + result.rows_rejected == len(good) + bad
    assert result.rows_rejected == bad
    assert result.total == sum(good)


BYTES = st.binary(min_size=0, max_size=600)
LINES = st.lists(
    st.lists(
        st.one_of(NAME, BAD_AMOUNTS, st.just(""), st.sampled_from(["BD1 1AA", "bd1 1aa😀", "ZZ9 9ZZ"])),
        max_size=6,
    ),
    max_size=12,
)


@st.composite
def any_file(draw) -> tuple[str, bytes]:
    """Files of every shape: random bytes, ragged CSV in any delimiter, encodings, header-only, empty."""
    kind = draw(st.sampled_from(["bytes", "csv", "csv", "csv", "header-only", "empty", "cp1252", "utf16"]))
    if kind == "bytes":
        return ".csv", draw(BYTES)
    if kind == "empty":
        return ".csv", b""
    if kind == "header-only":
        return ".csv", b"Supplier,Amount,Postcode,Share\n"
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(
        draw(st.sampled_from([["Supplier", "Amount"], ["Supplier", "Postcode"], ["Name", "Share"], []]))
    )
    writer.writerows(draw(LINES))
    text = out.getvalue()
    if kind == "cp1252":
        return ".csv", text.encode("cp1252", errors="replace")
    if kind == "utf16":
        return ".csv", text.encode("utf-16")
    return ".csv", text.encode("utf-8", errors="surrogatepass")


@pytest.mark.slow
@FUZZ
@given(any_file())
def test_every_reader_answers_any_file(tmp_path_factory, generated):
    suffix, content = generated
    path = tmp_path_factory.mktemp("f") / f"input{suffix}"
    path.write_bytes(content)
    answered(lm3.ingest, path)
    answered(lm3.read_registers, path)
    answered(lm3.read_survey, path, "suppliers")
    answered(lm3.read_survey, path, "staff")
    answered(lm3.calculate, GOLDEN / "payments.csv", GOLDEN / "suppliers.csv", area="Bradford", payroll=path)
    answered(lm3.match_companies_house, path, pd.DataFrame({"supplier": ["Print Shop Ltd"]}))


TOML_VALUES = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=False).map(repr),
    st.text(max_size=20).map(json.dumps),
    st.sampled_from(["true", "false", "[1, 2]", '["a", 3]', "{ a = 1 }", "1979-05-27", "nan", "inf"]),
)
TOML_KEYS = st.sampled_from(
    ["area", "name", "level", "seed", "income", "pay_basis", "imputation", "min_category", "match_threshold",
     "branch_is_local", "count_non_local", "exclude", "tiers", "sheet", "inputs", "columns", "defaults", "bogus"]
)  # fmt: skip


@FUZZ
@given(st.lists(st.tuples(TOML_KEYS, TOML_VALUES), max_size=6), BYTES)
def test_any_lm3_toml_is_a_project_or_an_lm3_error(tmp_path_factory, pairs, junk):
    folder = tmp_path_factory.mktemp("t")
    text = "".join(f"{k} = {v}\n" for k, v in pairs)
    (folder / "lm3.toml").write_bytes(text.encode() + (junk if len(pairs) % 3 == 0 else b""))
    project = answered(lm3.load_project, folder)
    if project is not None and project.payments is None:
        assert answered(project.calculate) is None  # nothing to calculate from: said, not crashed


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=10)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    st.one_of(
        JSON_VALUES.map(lambda v: json.dumps(v, allow_nan=True)),
        st.fixed_dictionaries(
            {"round1": JSON_VALUES, "round2": JSON_VALUES, "round3": JSON_VALUES, "lm3": JSON_VALUES},
            optional={"interval": JSON_VALUES, "responses": JSON_VALUES, "coverage": JSON_VALUES},
        ).map(lambda v: json.dumps(v, allow_nan=True)),
        BYTES.map(lambda b: b.decode("latin-1")),
    )
)
def test_compare_reads_any_json_or_says_why(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("j") / "result.json"
    path.write_text(text, encoding="utf-8")
    table = answered(lm3.compare, [path])
    if table is not None:
        json.loads(lm3.to_json(table.records()), parse_constant=_refuse)


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} in JSON")


# -- outputs: input text never acts -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_study(tmp_path_factory):
    """The golden example with every supplier renamed by hostile text (one of each kind)."""
    folder = tmp_path_factory.mktemp("hostile")
    names = {
        "Aire Valley Catering Ltd": '=HYPERLINK("http://evil.example","click")',
        "Leeds Widgets Ltd": "Leeds\x1b[2J\x00Widgets\u202e Ltd",
        "Print Shop": "<script>alert(1)</script>",
        "Mystery Co": "$\\alpha_$ \x9b31m Co",
        "Bradford Branch plc": "@SUM(1+1)",
    }
    for name in ("payments.csv", "suppliers.csv"):
        text = (GOLDEN / name).read_text().replace("AIRE VALLEY CATERING LIMITED", "Aire Valley Catering Ltd")
        rows = list(csv.reader(io.StringIO(text)))
        for row in rows:
            for i, cell in enumerate(row):
                for old, new in names.items():
                    if cell.casefold() == old.casefold():
                        row[i] = new
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        (folder / name).write_text(out.getvalue(), encoding="utf-8")
    return folder, names


def _inert_text(text: str) -> None:
    assert not ACTIVE.search(text), repr(ACTIVE.search(text).group())


def test_no_output_lets_input_text_act(hostile_study, tmp_path):
    folder, _names = hostile_study
    study = [
        "--payments",
        str(folder / "payments.csv"),
        "--suppliers",
        str(folder / "suppliers.csv"),
        "--area",
        "Bradford",
    ]
    runner = CliRunner()
    for args in (
        ["calculate", *study],
        ["calculate", *study, "--json"],
        ["locate", *study],
        ["ingest", str(folder / "payments.csv")],
    ):
        out = runner.invoke(cli, args)
        assert out.exit_code == 0, out.output
        _inert_text(out.output)  # terminal and JSON
    # CSV: no field a spreadsheet takes as a formula, nothing that acts
    out = runner.invoke(
        cli, ["ingest", str(folder / "payments.csv"), "--out", str(tmp_path / "payments.csv")]
    )
    assert out.exit_code == 0, out.output
    for row in csv.reader(io.StringIO((tmp_path / "payments.csv").read_text(encoding="utf-8"))):
        for field in row:
            _inert_text(field)
            assert not (
                field[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"-?[\d.]+", field)
            ), field
    # report.xlsx, report.html, charts (SVG), result.json
    result = lm3.calculate(folder / "payments.csv", folder / "suppliers.csv", area="Bradford")
    files = lm3.write_report(result, tmp_path / "report", formats="html,xlsx,svg,json")
    for ws in openpyxl.load_workbook(files.xlsx):
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    _inert_text(cell.value)
                    if cell.value[:1] in "=+-@" and not re.fullmatch(r"-?[\d.]+", cell.value):
                        assert cell.quotePrefix, cell.value
    page = files.html.read_text(encoding="utf-8")
    _inert_text(page)
    assert "<script" not in page and "&lt;script&gt;" in page
    for svg in files.charts:
        text = svg.read_text(encoding="utf-8")
        _inert_text(text)
        assert "<script" not in text
    _inert_text(files.json.read_text(encoding="utf-8"))
    json.loads(files.json.read_text(encoding="utf-8"), parse_constant=_refuse)


# -- the crafted corpus ---------------------------------------------------------------------------------------

CORPUS = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CORPUS, ids=[c["file"] for c in CORPUS])
def test_hostile_corpus(case):
    """Each crafted file gives the outcome written beside it in tests/data/hostile/expected.json: an
    LM3Error with a code, or a result with a total and warnings with codes."""
    path = HOSTILE / case["file"]
    reader = {"payments": lm3.ingest, "register": lm3.read_registers}[case.get("as", "payments")]
    with bounded():
        if "error" in case:
            with pytest.raises(lm3.LM3Error) as err:
                reader(path)
            assert err.value.code == case["error"], str(err.value)
            return
        result = reader(path)
    if "total" in case:
        assert result.total == case["total"]
    if "rejected" in case:
        assert sorted(result.rejected["code"]) == sorted(case["rejected"])
    for code in case.get("warnings", []):
        assert any(getattr(w, "code", None) == code for w in result.warnings), (code, result.warnings)


def test_the_corpus_lists_every_crafted_file():
    listed = {c["file"] for c in CORPUS}
    present = {p.name for p in HOSTILE.iterdir() if p.suffix not in (".md", ".json")}
    assert listed == present


def _round(text: str) -> int:
    # exactly: Decimal's default context keeps 28 digits, so 1.004999...9 (31 digits) times 100 would itself
    # round to 100.5 before the rounding to pence, and then to 101
    with localcontext(prec=100):
        return int((Decimal(text) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_thirty_decimals_are_rounded_once_exactly(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Supplier,Amount\nPrint Shop Ltd,1.004999999999999999999999999999\nAire Ltd,2.005000000000000000000000000001\n"
    )
    assert lm3.ingest(tmp_path / "p.csv").total == _round("1.004999999999999999999999999999") + _round(
        "2.005000000000000000000000000001"
    )  # 100 + 201: rounded once from the exact value, never twice


def test_a_zip_holding_the_same_file_twice_counts_it_once(tmp_path):
    with zipfile.ZipFile(tmp_path / "spend.zip", "w") as archive:
        archive.writestr("2024-04.csv", "Supplier,Amount\nPrint Shop Ltd,10.00\n")
        archive.writestr("again/2024-04.csv", "Supplier,Amount\nPrint Shop Ltd,10.00\n")
    result = lm3.ingest(tmp_path / "spend.zip")
    assert result.total == 10_00 and any(w.code == "zip-member-repeated" for w in result.warnings)


def test_resources_are_released_on_every_error_path():
    """A fresh interpreter in development mode (every ResourceWarning shown, and made an error) reads each
    crafted file, failing or not: no file or archive left open, no thread left running, no abort at exit."""
    import subprocess
    import sys

    script = (
        "import lm3, pathlib, threading\n"
        f"for path in sorted(pathlib.Path({str(HOSTILE)!r}).iterdir()):\n"
        "    if path.suffix in ('.md', '.json'): continue\n"
        "    for read in (lm3.ingest, lm3.read_registers):\n"
        "        try: read(path)\n"
        "        except lm3.LM3Error: pass\n"
        "import gc; gc.collect()\n"
        "assert threading.active_count() == 1, threading.enumerate()\n"
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (
        done.stdout.strip() == "done"
        and "ResourceWarning" not in done.stderr
        and "unclosed" not in done.stderr
    )
