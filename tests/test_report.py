"""Charts and the report: rendered for real (matplotlib), the workbook opened with openpyxl, the HTML read."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import GOLDEN, ROOT, SAMPLE
from matplotlib.figure import Figure

import lm3
from lm3 import charts
from lm3.cli import cli
from lm3.render.report import SHEETS, write_report


@pytest.fixture(scope="module")
def sample():
    return lm3.load_project(SAMPLE).calculate()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    done = CliRunner().invoke(
        cli,
        [
            "report",
            str(SAMPLE),
            "--out",
            str(out),
            "--format",
            "html,xlsx,png,svg,json",
            "--shift",
            "share=10%",
        ],
    )
    assert done.exit_code == 0, done.output
    return out


def _greys(fig):
    """Every filled colour in the figure is a grey (r = g = b), so it prints the same in greyscale."""
    colours = set()
    for ax in fig.axes:
        for patch in ax.patches:
            colours.add(tuple(round(c, 3) for c in patch.get_facecolor()[:3]))
        for collection in ax.collections:
            for c in collection.get_facecolors():
                colours.add(tuple(round(v, 3) for v in c[:3]))
    return colours


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_each_chart_renders_in_greys_with_a_title(sample, name):
    fig = charts.CHARTS[name](sample)
    assert isinstance(fig, Figure)
    png = io.BytesIO()
    fig.savefig(png, format="png")
    assert png.getvalue()[:8] == b"\x89PNG\r\n\x1a\n" and len(png.getvalue()) > 10_000
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles, name
    assert all(r == g == b for r, g, b in _greys(fig)), name
    # the same chart twice gives the same SVG (a fixed style, no dates or random ids)
    a, b = io.BytesIO(), io.BytesIO()
    charts.CHARTS[name](sample).savefig(a, format="svg", metadata={"Date": None})
    charts.CHARTS[name](sample).savefig(b, format="svg", metadata={"Date": None})
    assert a.getvalue() == b.getvalue()


def test_charts_draw_into_a_given_axes_and_show_the_figures(sample):
    fig = Figure()
    left, right = fig.subplots(1, 2)
    assert charts.rounds_waterfall(sample, ax=left) is fig
    assert charts.uncertainty_chart(sample, ax=right) is fig
    texts = [t.get_text() for t in left.texts]
    # per £1: round 2 is R2 / R1 and LM3 the sum, as computed from the result's integers
    assert f"£{sample.round2 / sample.round1:.2f}" in texts and f"£{sample.lm3:.2f}" in texts
    assert f"leaks £{(sample.round1 - sample.round2) / sample.round1:.2f}" in texts
    leak = charts.leakage_table(sample)
    # the sample's local branch (head office in the City of London) loses what it does not re-spend
    branch = sample.suppliers[sample.suppliers["location"] == "local branch"].iloc[0]
    row = leak[leak["supplier"] == branch["supplier"]].iloc[0]
    assert row["place"] == "City of London" and row["lost"] == branch["round2"] - branch["round3"]
    away = sample.suppliers[sample.suppliers["location"] == "non-local"]
    assert leak["lost"].sum() == away["round1"].sum() + row["lost"]
    labels = [t.get_text() for t in charts.map_chart(sample).axes[0].texts]
    assert any(t.startswith("Bradford\n") for t in labels)


def test_report_workbook_has_every_sheet_with_figures_and_formats(report_dir, sample):
    book = openpyxl.load_workbook(report_dir / "report.xlsx")
    assert book.sheetnames[: len(SHEETS)] == list(SHEETS) and "Scenarios" in book.sheetnames
    summary = {r[0].value: r[1] for r in book["Summary"].iter_rows(min_row=2)}
    assert summary["Round 1"].value == sample.round1 / 100 and "£" in summary["Round 1"].number_format
    assert summary["Headline"].value == sample.headline
    suppliers = book["Suppliers"]
    header = [c.value for c in suppliers[1]]
    assert suppliers.freeze_panes == "A2" and suppliers.auto_filter.ref
    r1 = header.index("Round 1") + 1
    # the sample's payments, summed straight from its workbook (title row, then a header, then payments)
    payments = openpyxl.load_workbook(SAMPLE / "payments.xlsx").active
    rows = [r for r in payments.iter_rows(values_only=True) if isinstance(r[-1], int | float)]
    paid = round(sum(r[-1] for r in rows), 2)
    listed = [suppliers.cell(i, r1).value for i in range(2, suppliers.max_row + 1)]
    assert round(sum(listed), 2) == paid and len(listed) == len(sample.suppliers)
    assert all("£" in suppliers.cell(i, r1).number_format for i in range(2, suppliers.max_row + 1))
    # staff appear in aggregate only: no employee id from the payroll is anywhere in the workbook
    payroll = openpyxl.load_workbook(SAMPLE / "payroll.xlsx").active
    ids = {str(r[0]) for r in payroll.iter_rows(min_row=2, values_only=True) if r[0]}
    cells = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None}
    assert ids and not ids & cells
    assert not any(c.data_type == "f" for ws in book for row in ws.iter_rows() for c in row)
    assert [c.value for c in book["Staff"]["A"][1:]] == ["in the area", "outside the area"]
    assumptions = book["Assumptions"]
    assert assumptions.max_row - 1 == len(sample.assumptions) and assumptions["C2"].value


def test_report_files_and_self_contained_html(report_dir, sample):
    for name in charts.CHARTS:
        assert (report_dir / "charts" / f"{name}.png").stat().st_size > 10_000
        assert (report_dir / "charts" / f"{name}.svg").read_text().startswith("<?xml")
    page = (report_dir / "report.html").read_text(encoding="utf-8")
    assert page.count('<img alt="') == len(charts.CHARTS) and "data:image/png;base64," in page
    assert "<script" not in page and not re.search(r"""(src|href)=["']https?:""", page)
    assert sample.headline.replace("&", "&amp;") in page and "What if we keep it local?" in page
    for a in sample.assumptions:
        assert a.source.replace("&", "&amp;").replace("'", "&#x27;") in page
    assert (report_dir / "result.json").read_text().startswith("{")


@pytest.fixture
def hostile(tmp_path):
    """The golden example with suppliers named like formulas and scripts."""
    names = {
        "Aire Valley Catering Ltd": "<script>alert(1)</script>",
        "Leeds Widgets Ltd": '=HYPERLINK("http://evil.example","click")',
        "Print Shop": "+cmd|' /C calc'!A0",
        "Mystery Co": "@SUM(1+1)",
        "Bradford Branch plc": "-2+3",
    }
    for name in ("payments.csv", "suppliers.csv"):
        text = (GOLDEN / name).read_text()
        for old, new in names.items():
            text = re.sub(re.escape(old), new.replace("\\", "\\\\"), text, flags=re.IGNORECASE)
            text = text.replace("AIRE VALLEY CATERING LIMITED", names["Aire Valley Catering Ltd"])
        text = text.replace(
            '=HYPERLINK("http://evil.example","click")', '"=HYPERLINK(""http://evil.example"",""click"")"'
        )
        (tmp_path / name).write_text(text)
    result = lm3.calculate(tmp_path / "payments.csv", tmp_path / "suppliers.csv", area="Bradford")
    assert set(names.values()) <= set(result.suppliers["supplier"])
    return result, names


def test_report_neutralises_formulas_and_escapes_html(hostile, tmp_path):
    result, names = hostile
    files = write_report(result, tmp_path / "out", formats="html,xlsx")
    book = openpyxl.load_workbook(files.xlsx)
    found = {}
    for ws in book:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f"
                if isinstance(c.value, str) and c.value in names.values():
                    found[c.value] = c
    for name in names.values():
        if name[0] in "=+-@":
            # text as it is (it reads back the same), a text cell, and Excel's quote prefix: never a formula
            assert found[name].data_type == "s" and found[name].quotePrefix, name
    page = files.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "<script>" not in result._repr_html_() and "&lt;script&gt;" in result._repr_html_()


@pytest.mark.slow
def test_progress_is_reported_and_the_cli_is_silent_when_not_a_terminal(sample, tmp_path):
    calls = []
    write_report(sample, tmp_path / "p", formats="html,png", progress=lambda *a: calls.append(a))
    assert [c[1] for c in calls] == list(range(1, len(calls) + 1)) and calls[-1][1] == calls[-1][2]
    steps = []
    lm3.load_project(SAMPLE).calculate(progress=lambda *a: steps.append(a))
    assert [s[1] for s in steps] == [1, 2, 3, 4, 5]
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "cli.py"),
            "report",
            str(SAMPLE),
            "--out",
            str(tmp_path / "q"),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr == "" and "Wrote 1 file(s)" in done.stdout


def test_report_by_default_writes_every_kind_of_file(tmp_path):
    done = CliRunner().invoke(cli, ["report", str(SAMPLE), "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    expected = {"report.html", "report.xlsx", "result.json"}
    expected |= {f"charts/{name}.{kind}" for name in charts.CHARTS for kind in ("png", "svg")}
    assert written == expected
    bad = CliRunner().invoke(cli, ["report", str(SAMPLE), "--out", str(tmp_path), "--format", "html,pdf"])
    assert bad.exit_code != 0 and "Report format pdf: choose from html, xlsx, png, svg, json" in bad.output


def test_ingest_and_locate_results_show_as_escaped_tables(tmp_path):
    spend = tmp_path / "spend.csv"
    spend.write_text("Supplier,Amount\n<script>alert(1)</script>,100.00\nAcme Ltd,50.00\n", encoding="utf-8")
    ingested = lm3.ingest(spend)
    page = ingested._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "£150.00" in page
    placed = lm3.locate(ingested, None, area="Bradford")
    assert "£0.00 of £150.00 placed" in placed._repr_html_()


def _on_a_terminal(args):
    """Run the CLI with stdout and stderr on a pseudo-terminal (120 columns); everything it wrote."""
    import fcntl
    import os
    import pty
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of a real size, then the CLI
        fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execv(sys.executable, [sys.executable, str(ROOT / "cli.py"), *args])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_progress_bars_show_on_a_terminal_unless_quiet(tmp_path):
    shown = _on_a_terminal(["report", str(SAMPLE), "--out", str(tmp_path / "a"), "--format", "json"])
    assert "lm3 calculate:" in shown and "lm3 report:" in shown and "%|" in shown
    assert "creates £2.52" in shown
    quiet = _on_a_terminal(
        ["report", str(SAMPLE), "--out", str(tmp_path / "b"), "--format", "json", "--quiet"]
    )
    assert "lm3 calculate:" not in quiet and "creates £2.52" in quiet


@pytest.fixture
def unruly(tmp_path):
    """The golden example with suppliers whose names hold a terminal escape, a NUL, a bidi override and
    mathtext: each used to crash a writer, or act on the terminal."""
    names = {
        "Aire Valley Catering Ltd": "Aire\x1b[2J\x1b]0;owned\x07 Catering",
        "Leeds Widgets Ltd": "Leeds\x00Widgets\x0b Ltd",
        "Print Shop": "$\\alpha_$ Ltd",
        "Bradford Branch plc": "Bradford \u202eBranch plc",
    }
    for name in ("payments.csv", "suppliers.csv"):
        text = (GOLDEN / name).read_text()
        text = text.replace("AIRE VALLEY CATERING LIMITED", "Aire Valley Catering Ltd")
        for old, new in names.items():
            text = re.sub(re.escape(old), lambda _m, new=new: f'"{new}"', text, flags=re.IGNORECASE)
        (tmp_path / name).write_text(text)
    return tmp_path, names


def test_names_with_control_characters_and_mathtext_never_crash_or_act(unruly):
    folder, names = unruly
    result = lm3.calculate(folder / "payments.csv", folder / "suppliers.csv", area="Bradford")
    files = write_report(result, folder / "out", formats="html,xlsx,png,svg,json")  # charts: no mathtext
    book = openpyxl.load_workbook(files.xlsx)
    assert "Text replaced" in book.sheetnames
    listed = [row[2] for row in book["Text replaced"].iter_rows(min_row=2, values_only=True)]
    assert any(text == "Leeds\\x00Widgets\\x0b Ltd" for text in listed)
    template = lm3.write_supplier_template(
        lm3.locate(folder / "payments.csv", None, area="Bradford"), folder / "template.xlsx"
    )
    assert template.suppliers >= 4
    survey = lm3.write_survey_template(
        "suppliers",
        folder / "survey.xlsx",
        area=lm3.resolve_area("Bradford"),
        respondents=list(names.values()),
    )
    assert survey.listed == 4
    listed_there = openpyxl.load_workbook(folder / "survey.xlsx")["Text replaced"]
    # the three names with characters a workbook must not hold: an escape, a NUL, a bidi override
    assert listed_there.max_row == 1 + 3
    out = CliRunner().invoke(
        cli,
        [
            "calculate",
            "--payments",
            str(folder / "payments.csv"),
            "--suppliers",
            str(folder / "suppliers.csv"),
            "--area",
            "Bradford",
        ],
    )
    assert out.exit_code == 0, out.output
    assert "\x1b" not in out.output and "\x00" not in out.output and "\u202e" not in out.output
    listed = CliRunner().invoke(cli, ["ingest", str(folder / "payments.csv")])  # names every top supplier
    assert listed.exit_code == 0, listed.output
    assert "\x1b" not in listed.output and "\x00" not in listed.output and "\u202e" not in listed.output
    assert "Aire\\x1b[2J\\x1b]0;owned\\x07 Catering" in listed.output
    assert "Bradford \\u202eBranch plc" in listed.output
    as_json = CliRunner().invoke(
        cli,
        [
            "calculate",
            "--payments",
            str(folder / "payments.csv"),
            "--suppliers",
            str(folder / "suppliers.csv"),
            "--area",
            "Bradford",
            "--json",
        ],
    )
    assert "\x1b" not in as_json.output and "\u202e" not in as_json.output
    assert names["Aire Valley Catering Ltd"] in {
        s["supplier"] for s in json.loads(as_json.output)["suppliers"]
    }
