"""A spend file alone, with no supplier register: its own postcodes and company numbers place its suppliers
(worked out here with csv, Decimal and the ONS data read directly), through calculate, the CLI and report;
and with nothing placeable, no LM3 figure at all, only what was read and the next step."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA

import lm3
from lm3.cli import cli

BARROW = DATA / "spend" / "barrow_bc_2023-04.csv"  # a corpus file: Barrow-in-Furness BC, April 2023
AREA = "Westmorland and Furness"  # Barrow's council since 2023 (E06000064)
CH_HEADER = (
    " CompanyNumber,CompanyName,RegAddress.PostCode,CompanyStatus,CompanyCategory,Accounts.AccountCategory"
)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "").strip())


@pytest.fixture(scope="module")
def study(tmp_path_factory, ons):
    """Barrow's April 2023 payments given two columns a council publishes: the supplier's postcode (three in
    Barrow, three elsewhere, in turn by supplier) on four suppliers in five, and a company number
    ("Comp. reg. no", "N/A" where none) on every fifth, whose registered office a Companies House file in
    the store gives. One supplier is paid at two postcodes: the one carrying most of its spend places it."""
    folder = tmp_path_factory.mktemp("barrow")
    with BARROW.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    barrow = sorted(ons.index[ons["laua"] == "E06000064"])[:3]
    elsewhere = ["LS14DY", "M11AE", "SW1A1AA"]
    postcodes = [barrow[0], elsewhere[0], barrow[1], elsewhere[1], barrow[2], elsewhere[2]]
    suppliers = sorted({r["Supplier"] for r in rows})
    given: dict[str, tuple[str, str]] = {}
    companies = []
    for i, name in enumerate(suppliers):
        if i % 5 == 4:
            number = f"{9000000 + i:08d}"
            office = postcodes[(i + 1) % len(postcodes)]
            companies.append((number, name.upper() + " HOLDINGS LIMITED", office))
            given[name] = ("N/A", number)
        else:
            given[name] = (postcodes[i % len(postcodes)], "N/A")
    # one supplier paid at two postcodes: its largest payment at one, the rest at another
    counts = pd.Series([r["Supplier"] for r in rows]).value_counts()
    split = next(n for n in counts.index if counts[n] >= 3 and given[n][0] != "N/A")
    largest = max((r for r in rows if r["Supplier"] == split), key=lambda r: _amount(r["Net Amount"]))
    other = barrow[0] if given[split][0] != barrow[0] else elsewhere[0]
    out = folder / "barrow_with_ids.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*rows[0].keys(), "Supplier Post Code", "Comp. reg. no"])
        for r in rows:
            pc, number = given[r["Supplier"]]
            if r is largest:
                pc = other
            writer.writerow([*r.values(), pc[:-3] + " " + pc[-3:] if pc != "N/A" else pc, number])
    ch = folder / "BasicCompanyDataAsOneFile-2025-11-01.csv"
    ch.write_text(
        CH_HEADER
        + "\n"
        + "".join(
            f'"{n}","{name}","{pc}","Active","Private Limited Company","SMALL"\n' for n, name, pc in companies
        ),
        encoding="utf-8",
    )
    store = lm3.RegisterStore(folder / "registers")
    lm3.registers.add(ch, registers=store)

    # by hand: each supplier's postcode by its spend at each (the largest sum wins), else its company's office
    spend: dict[str, Decimal] = {}
    at: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        pc, _ = given[r["Supplier"]]
        pc = other if r is largest else pc
        spend[r["Supplier"]] = spend.get(r["Supplier"], Decimal(0)) + _amount(r["Net Amount"])
        at.setdefault(r["Supplier"], {})
        at[r["Supplier"]][pc] = at[r["Supplier"]].get(pc, Decimal(0)) + _amount(r["Net Amount"])
    offices = {
        name: pc
        for (number, _, pc), name in zip(
            companies, [n for n in suppliers if given[n][1] != "N/A"], strict=True
        )
    }
    lad = {}
    for name in suppliers:
        if given[name][1] != "N/A":
            lad[name] = ons.loc[offices[name], "laua"]
        else:
            best = max(at[name].items(), key=lambda kv: abs(kv[1]))[0]
            lad[name] = ons.loc[best, "laua"]
    return {
        "path": out,
        "store": store,
        "spend": spend,
        "lad": lad,
        "given": given,
        "split": split,
        "total": sum(spend.values()),
    }


def test_the_spend_files_own_postcodes_and_company_numbers_place_its_suppliers(study):
    result = lm3.calculate(study["path"], area=AREA, registers=study["store"], name="Barrow-in-Furness BC")
    spend, lad, given = study["spend"], study["lad"], study["given"]
    assert Decimal(result.round1) / 100 == study["total"] == Decimal("1787544.17")  # the corpus's own total
    local = sum(v for n, v in spend.items() if lad[n] == "E06000064")
    assert Decimal(result.round2) / 100 == local
    assert result.coverage == 1.0 and result.standing == "figure"
    s = result.suppliers.set_index("supplier")
    by_postcode = [n for n in spend if given[n][1] == "N/A"]
    by_number = [n for n in spend if given[n][1] != "N/A"]
    assert set(s.loc[by_postcode, "source"]) == {"the spend file"}
    assert set(s.loc[by_postcode, "match"]) == {"its own postcode"}
    # a company paid by its number is named as Companies House names it
    numbered = result.suppliers[result.suppliers["match"] == "company number"]
    assert len(numbered) == len(by_number)
    assert set(numbered["source"]) == {"the register store: companies-house"}
    assert {n: lad[n] for n in by_postcode} == s.loc[by_postcode, "lad"].to_dict()
    assert sorted(numbered["lad"]) == sorted(lad[n] for n in by_number)
    warning = next(w for w in result.warnings if w.code == "payments-give-several-postcodes")
    assert study["split"] in warning
    by_source = result.by_source().set_index("source")
    assert Decimal(int(by_source.loc["the spend file", "amount"])) / 100 == sum(spend[n] for n in by_postcode)


def test_the_cli_and_the_report_on_a_spend_file_alone(study, tmp_path):
    runner = CliRunner()
    args = ["--payments", str(study["path"]), "--area", AREA, "--registers", str(study["store"].folder)]
    done = runner.invoke(cli, ["calculate", *args])
    assert done.exit_code == 0, done.output
    assert (
        "Placed by: the spend file £" in done.output and "the register store: companies-house" in done.output
    )
    data = json.loads(runner.invoke(cli, ["calculate", *args, "--json"]).output)
    assert data["standing"] == "figure" and data["coverage"] == 1.0
    assert {r["source"] for r in data["placed_by_source"]} >= {
        "the spend file",
        "the register store: companies-house",
    }
    report = runner.invoke(cli, ["report", *args, "--out", str(tmp_path / "out"), "--format", "html,xlsx"])
    assert report.exit_code == 0, report.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Placed by" in page and "the spend file" in page
    book = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")
    sources = {row[0] for row in book["Placed by source"].iter_rows(min_row=2, values_only=True)}
    assert {"the spend file", "the register store: companies-house"} <= sources


NOBODY = pd.DataFrame(
    {
        "Supplier": ["Nowhere Trading Ltd", "Mystery Services", "REDACTED PERSONAL DATA"],
        "Amount": ["500.00", "250.50", "99.50"],
    }
)


def test_with_nothing_placeable_there_is_no_figure_only_the_next_step(tmp_path):
    result = lm3.calculate(NOBODY, area="Bradford")
    assert (result.standing, result.figure, result.figure_range) == ("none", None, None)
    assert result.headline == (
        "No LM3 figure for Bradford: none of the £850.00 paid to 3 suppliers could be placed, so nothing yet says "
        "how much of it stays in Bradford. Next: say where the suppliers are: a supplier register with their "
        "postcodes, the list of suppliers to place filled in, or an open register added to the register store."
    )
    data = json.loads(lm3.to_json(result))
    assert data["lm3"] is None and data["standing"] == "none" and data["next_step"].startswith("Next:")
    reasons = {r["code"]: r["amount"] for r in data["not_placed_by_reason"]}
    assert reasons == {"name-not-found": "750.50", "individual": "99.50"}
    files = lm3.write_report(result, tmp_path, formats="html,xlsx,png")
    page = files.html.read_text(encoding="utf-8")
    assert (
        "£1.00" not in page
        and "<img" not in page
        and "No LM3 figure" in page
        and "Nowhere Trading Ltd" in page
    )
    assert files.charts == ()
    summary = dict(openpyxl.load_workbook(files.xlsx)["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["LM3"] is None and summary["Standing"] == "no figure: nothing placed"


def test_the_cli_gives_no_figure_and_the_commands_that_place_the_suppliers(tmp_path):
    payments = tmp_path / "spend.csv"
    NOBODY.to_csv(payments, index=False)
    done = CliRunner().invoke(cli, ["calculate", "--payments", str(payments), "--area", "Bradford"])
    assert done.exit_code == 0, done.output
    lm3_line = next(line for line in done.output.splitlines() if line.startswith("  LM3"))
    assert lm3_line.split()[-1] == "none"  # no LM3 of 1.00
    assert "creates £1.00" not in done.output
    assert f"lm3 suppliers template --payments {payments} --out suppliers-to-place.xlsx" in done.output
    assert "lm3 registers download companies-house" in done.output
    compared = CliRunner().invoke(cli, ["compare", str(_saved(tmp_path, payments))])
    assert compared.exit_code == 0 and "none" in compared.output


def _saved(tmp_path: Path, payments: Path) -> Path:
    out = tmp_path / "nothing.json"
    text = (
        CliRunner()
        .invoke(cli, ["calculate", "--payments", str(payments), "--area", "Bradford", "--json"])
        .output
    )
    out.write_text(text, encoding="utf-8")
    return out
