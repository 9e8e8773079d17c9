"""Write the notebooks in notebooks/ (without outputs; the tests execute them).

python tools/make_notebooks.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent.parent / "notebooks"

QUICKSTART = [
    new_markdown_cell(
        "# LM3 quickstart: the Bradford Trident sample\n\n"
        "Locality says every £1 of Bradford Trident's income creates £2.52 for Bradford. The sample in "
        "`lm3.sample()`, shipped with lm3, is constructed to reproduce it (see its README). This notebook runs "
        "it through the Python API and draws the charts."
    ),
    new_code_cell(
        "import lm3\nfrom lm3 import charts\n\nresult = lm3.load_project(lm3.sample()).calculate()\nresult"
    ),
    new_markdown_cell("The headline, and the three rounds in pence (money is exact):"),
    new_code_cell(
        "print(result.headline)\nresult.round1, result.round2, result.round3, round(result.lm3, 4)"
    ),
    new_code_cell("result.summary()"),
    new_markdown_cell("## Where £1 goes"),
    new_code_cell("charts.rounds_waterfall(result)"),
    new_code_cell("charts.flow_chart(result)"),
    new_markdown_cell("## Who the money leaves with, and where it goes"),
    new_code_cell("charts.leakage_chart(result)"),
    new_code_cell("charts.leakage_table(result)"),
    new_code_cell('charts.local_share_chart(result, by="type")'),
    new_code_cell("charts.map_chart(result)"),
    new_markdown_cell("## Every figure traces to rows and assumptions"),
    new_code_cell(
        'result.suppliers[["supplier", "location", "reason", "round1", "round2", "share", "share_source", "round3"]]'
    ),
    new_code_cell("result.staff  # in aggregate by where staff live: never an employee id"),
    new_code_cell("import pandas as pd\npd.DataFrame(result.assumptions)"),
    new_code_cell(
        "# the trace reconciles to the penny\n"
        'assert result.suppliers["round2"].sum() + result.staff["round2"].sum() == result.round2\n'
        'assert result.suppliers["round3"].sum() + result.staff["round3"].sum() == result.round3\n'
        'assert f"{result.lm3:.2f}" == "2.52"'
    ),
]

COUNCIL = [
    new_markdown_cell(
        "# A real council's spend: Manchester, May 2022\n\n"
        "Manchester City Council's published \"spend over £500\" for May 2022 (ODI Leeds' cleaned copy), with "
        "Salford City Council's contracts register as the only supplier register to hand. See "
        "`data/real/README.md` for provenance (Open Government Licence v3.0)."
    ),
    new_code_cell(
        "import lm3\nfrom lm3 import charts\n\n"
        'SPEND = "../data/real/manchester-spend-2022-05.csv"\n'
        'REGISTER = "../data/real/salford-contracts-register-2022-07.csv"\n\n'
        "payments = lm3.ingest(SPEND)\n"
        'print(f"{payments.rows_accepted:,} payments accepted, {payments.rows_rejected} rejected")\n'
        "payments.columns"
    ),
    new_code_cell("payments.warnings[:5]"),
    new_markdown_cell(
        "Every row is accounted for: accepted plus rejected is every payment row, and the accepted total "
        "reconciles to the penny."
    ),
    new_code_cell(
        'total = int(payments.data["amount"].sum())\n'
        "assert total == payments.total\n"
        'f"£{total / 100:,.2f}", payments.rejected.head()'
    ),
    new_markdown_cell(
        "## Where does the money go?\n\nThe area is Manchester; tiers widen it to Greater Manchester, the North West and the UK."
    ),
    new_code_cell(
        "placed = lm3.locate(\n"
        "    payments,\n"
        "    REGISTER,\n"
        '    area="Manchester",\n'
        "    tiers=[\n"
        '        "Manchester=Manchester",\n'
        '        "Greater Manchester=Bolton,Bury,Manchester,Oldham,Rochdale,Salford,Stockport,Tameside,Trafford,Wigan",\n'
        '        "North West=North West",\n'
        '        "UK=UK",\n'
        "    ],\n"
        ")\n"
        'print(f"placed {placed.coverage:.1%} of spend; of that, {placed.local_share:.1%} is local")\n'
        "placed.tiers"
    ),
    new_code_cell("charts.map_chart(placed)  # £ placed, by the district the supplier is in"),
    new_code_cell("placed.by_type()"),
    new_code_cell('placed.leakage_by_place("region")'),
    new_markdown_cell(
        "A neighbour's register places only a sliver of the spend. The largest unplaced suppliers are where "
        "to start: `lm3 suppliers template` writes them to a workbook to fill in, and `lm3 suppliers "
        "companies-house` finds registered offices in Companies House's bulk data."
    ),
    new_code_cell("placed.unplaced(15)"),
    new_markdown_cell(
        "## LM3 on what is placed, and its bounds\n\nSpend whose supplier cannot be placed is neither local "
        "nor leaving: it is *not placed*. The headline says how much was placed, and the bounds say how far "
        "LM3 could move if that spend were local like the placed spend, or all local. With no surveys, "
        "round 3 rests on published default shares and there is no interval."
    ),
    new_code_cell(
        'result = lm3.calculate(SPEND, REGISTER, area="Manchester", name="Manchester City Council")\n'
        "print(result.headline)\n"
        "result.coverage, result.bounds, result.interval"
    ),
    new_code_cell("charts.flow_chart(result)  # the spend not placed is its own band, never leakage"),
    new_code_cell(
        "import tempfile, pathlib\n"
        'out = pathlib.Path(tempfile.mkdtemp()) / "unplaced.xlsx"\n'
        "summary = lm3.write_supplier_template(placed, out, limit=200)\n"
        "summary"
    ),
]

UNCERTAINTY = [
    new_markdown_cell(
        "# How sure is it, and what if we keep it local?\n\n"
        "Round 3 rests on survey answers. lm3 gives an interval (a bootstrap over respondents), the survey "
        "coverage, how LM3 moves with each assumption, and scenarios that move spend to local suppliers."
    ),
    new_code_cell(
        "import lm3\nfrom lm3 import charts\n\n"
        "result = lm3.load_project(lm3.sample()).calculate()\n"
        "print(result.headline)\nresult.interval"
    ),
    new_code_cell("result.responses_table()"),
    new_markdown_cell("## Sensitivity: what LM3 rests on"),
    new_code_cell("result.sensitivity"),
    new_code_cell("charts.sensitivity_chart(result)"),
    new_markdown_cell(
        "## With no surveys at all\n\nThe same files without surveys run on published default shares, "
        "flagged in the headline and listed with their sources; no interval is claimed."
    ),
    new_code_cell(
        'bare = lm3.load_project(lm3.sample("no-surveys")).calculate()\n'
        "print(bare.headline)\n"
        "assert bare.interval is None  # nothing to resample\n"
        '[a for a in bare.assumptions if a.name.startswith("default") or a.name == "interval"]'
    ),
    new_markdown_cell("## What if we keep it local?"),
    new_code_cell(
        "table = result.scenarios([\n"
        '    "category=stationery,share=50%",\n'
        '    "share=10%",\n'
        '    "share=100%,to=Shipley Office Supplies,name=all non-local spend to Shipley Office Supplies",\n'
        "])\n"
        "table"
    ),
    new_code_cell("charts.uncertainty_chart(result, scenarios=table)"),
    new_code_cell(
        "# moving spend to local suppliers never lowers round 2\n"
        'assert (table["round2"] >= result.round2).all()\n'
        "lm3.compare([result, bare])"
    ),
]


MANY = [
    new_markdown_cell(
        "# Every council, every year: where each stands\n\n"
        "`lm3.batch` runs many bodies' spend files at once: each body's financial year is one task, read with "
        "every rule of `lm3 ingest` and calculated as `lm3 calculate` would for those files alone. Here: four "
        "councils' real files in `data/real` (see its README for where each comes from), all placed through "
        "Salford's contracts register, the one register with postcodes among them. Salford's own suppliers "
        "are placed best; the others show how far a neighbour's register goes, which is what `coverage` says."
    ),
    new_code_cell(
        "from pathlib import Path\n\nimport pandas as pd\n\nimport lm3\nfrom lm3 import charts\n\n"
        'real = Path("../data/real")\n'
        "manifest = pd.DataFrame(\n"
        "    [\n"
        '        (real / "manchester-spend-2022-05.csv", "Manchester City Council", "Manchester", "2022-05"),\n'
        '        (real / "salford-spend-2022-04.csv", "Salford City Council", "Salford", "2022-04"),\n'
        '        (real / "salford-spend-2022-05.csv", "Salford City Council", "Salford", "2022-05"),\n'
        '        (real / "calderdale-spend-2022-08.csv", "Calderdale Council", "Calderdale", "2022-08"),\n'
        '        (real / "harrogate-spend-2022-08.csv", "Harrogate Borough Council", "Harrogate", "2022-08"),\n'
        "    ],\n"
        '    columns=["file", "body", "area", "period"],\n'
        ")\n"
        "manifest"
    ),
    new_markdown_cell(
        "Two processes run the four tasks (Salford's two months are one task, its financial year 2022-23). "
        'Give `scheduler="local"` to run them on a Dask cluster instead: the same figures to the penny.'
    ),
    new_code_cell(
        'result = lm3.batch(manifest, suppliers=real / "salford-contracts-register-2022-07.csv", workers=2)\n'
        'result.summary[["body", "period", "files", "rows", "coverage", "local_share", "lm3", "sme_share"]]'
    ),
    new_markdown_cell(
        "The local share is of the spend that could be placed: with little placed (`coverage`), it says "
        "little. The ranking writes coverage beside each bar for that reason."
    ),
    new_code_cell("charts.ranking_chart(result.summary)"),
    new_code_cell("charts.local_share_map(result.summary)"),
    new_markdown_cell("Where the placed money that leaves each area goes, largest first:"),
    new_code_cell(
        'result.leakage.sort_values("amount", ascending=False).groupby("body").head(3).assign(\n'
        '    amount=lambda t: t["amount"].map(lm3.format_gbp)\n'
        ")"
    ),
    new_markdown_cell(
        "Nothing failed here; a file that cannot be read would be a row of `result.problems`, and the other "
        "bodies would go on. From the command line: `lm3 batch manifest.csv --suppliers register.csv --out "
        "batch/` writes summary.csv, .parquet and .xlsx, leakage.parquet, problems.csv and both charts."
    ),
    new_code_cell("result.problems"),
]


PUBLISHED = [
    new_markdown_cell(
        "# Published figures beside lm3's\n\n"
        "Every published local-spend figure was worked out by a rule: an area, what counts as local, what "
        "spend was counted, where round 3 came from. lm3 states its rule with every figure (`result.rule`), so "
        "a figure can be set beside a published one only where the rules agree. This notebook runs lm3 on "
        "public files and published inputs and sets its figures beside the published ones, saying what still "
        "differs."
    ),
    new_code_cell(
        "import pathlib\nimport tempfile\n\nimport pandas as pd\n\nimport lm3\nfrom lm3 import charts\n\n"
        "work = pathlib.Path(tempfile.mkdtemp())"
    ),
    new_markdown_cell(
        "## Bradford Trident: £2.52 (Locality)\n\n"
        "Locality quoted that every £1 of Bradford Trident's income creates £2.52 for Bradford. **Its inputs are "
        "not published**: the sample shipped with lm3 is constructed to reproduce the figure (see "
        "`lm3.sample()`'s README). So this checks that lm3 works the method as published; it measures nothing "
        "about Bradford Trident."
    ),
    new_code_cell(
        "trident = lm3.load_project(lm3.sample()).calculate()\n"
        "print(trident.rule.text)\n"
        'print(f"lm3: {trident.lm3:.2f}; Locality: 2.52")\n'
        'assert f"{trident.lm3:.2f}" == "2.52"'
    ),
    new_code_cell("charts.rounds_waterfall(trident)"),
    new_markdown_cell(
        "## Withernsea Boat Compound: £1.17 (East Riding of Yorkshire Council)\n\n"
        "Published: round 1 £940k, round 2 £162k, and nothing re-spent locally in round 3: "
        "(940 + 162 + 0) / 940 = 1.17. Written here as the files a council would give lm3: £162k with a "
        "Withernsea firm, the rest with one outside the East Riding, and the local firm's survey answer (0%). "
        "The firms' names are placeholders; only the totals are published."
    ),
    new_code_cell(
        '(work / "withernsea.csv").write_text(\n'
        '    "Supplier,Postcode,Amount\\n"\n'
        '    "Withernsea Marine Works Ltd,HU19 2DL,162000.00\\n"\n'
        '    "Leeds Civils Ltd,LS1 4DY,778000.00\\n"\n'
        ")\n"
        '(work / "withernsea-survey.csv").write_text("Supplier,Local spend share\\nWithernsea Marine Works Ltd,0%\\n")\n'
        "withernsea = lm3.calculate(\n"
        '    work / "withernsea.csv",\n'
        '    area="East Riding of Yorkshire",\n'
        '    supplier_survey=work / "withernsea-survey.csv",\n'
        ")\n"
        'print(f"lm3: {withernsea.lm3:.2f}; published: 1.17")\n'
        'assert f"{withernsea.lm3:.2f}" == "1.17"'
    ),
    new_markdown_cell(
        "## Northumberland: £1.76 and 36p (NEF with Northumberland County Council, 2005)\n\n"
        '"£1 spent with a local supplier was worth £1.76 to the county, 36p with a non-local one." These are '
        "the published rates lm3 falls back on when nobody answered a survey (76% and 36%), so £100 with a firm "
        "in Hexham and £100 with one in Carlisle give them back:"
    ),
    new_code_cell(
        '(work / "northumberland.csv").write_text(\n'
        '    "Supplier,Postcode,Amount\\nHexham Joinery Ltd,NE46 1AA,100.00\\nCarlisle Paving Ltd,CA3 8JH,100.00\\n"\n'
        ")\n"
        'northumberland = lm3.calculate(work / "northumberland.csv", area="Northumberland", count_non_local=True)\n'
        "northumberland.value_of_a_pound()"
    ),
    new_markdown_cell(
        "## Published round-3 rates, with their bases\n\n"
        "Each is another place's measurement. lm3 uses the first of each group unless told otherwise "
        '(`defaults={"supplier_share": "manchester-2015"}`), converts a share of net pay to its gross '
        "basis, and moves a figure on defaults over the published rates in its sensitivity."
    ),
    new_code_cell(
        "pd.DataFrame(\n"
        "    [\n"
        '        {"default": name, "rate": r.key, "share used": r.text, "a share of": r.basis, "source": r.source}\n'
        "        for name, rates in lm3.published_rates().items()\n"
        "        for r in rates\n"
        "    ]\n"
        ")"
    ),
    new_markdown_cell(
        "## Manchester: 73.6% of its top 300 suppliers' procurement spend was local (CLES, 2015/16)\n\n"
        "CLES's base is procurement, the top 300 suppliers by spend, a supplier local when \"based in, or with a "
        "branch in\" the city. A council's payments are 1.5 to 2 times that base. lm3's `cles` scope counts "
        "the same way; here on one month of Manchester's payments (May 2022), with Salford's contracts "
        "register as the only register to hand:"
    ),
    new_code_cell(
        'SPEND = "../data/real/manchester-spend-2022-05.csv"\n'
        'REGISTER = "../data/real/salford-contracts-register-2022-07.csv"\n'
        "rows = []\n"
        'for scope in ("all", "procurement", "cles"):\n'
        '    located = lm3.locate(SPEND, REGISTER, area="Manchester", scope=scope)\n'
        "    rows.append(\n"
        "        {\n"
        '            "scope": scope,\n'
        '            "counted": lm3.format_gbp(located.total),\n'
        '            "placed": f"{located.coverage:.1%}",\n'
        '            "local share": "-" if located.local_share is None else f"{located.local_share:.1%}",\n'
        '            "a share": located.share_kind,\n'
        "        }\n"
        "    )\n"
        "pd.DataFrame(rows)"
    ),
    new_code_cell(
        'cles = lm3.locate(SPEND, REGISTER, area="Manchester", scope="cles")\n'
        "for e in cles.excluded:\n"
        "    print(e.describe())\n"
        "print(cles.rule.text)"
    ),
    new_markdown_cell(
        "What still differs, so the two figures are not yet comparable: one month against a year; 2022 against "
        "2015/16; and above all coverage: CLES placed each of the top 300 by hand, while here only the "
        "suppliers Salford's register holds are placed. Add the open registers (`lm3 registers download`) and "
        "a supplier template for the rest, then the local share of the top 300 can stand beside CLES's.\n\n"
        "Two figures by different rules are never compared silently:"
    ),
    new_code_cell(
        'whole = lm3.calculate(SPEND, REGISTER, area="Manchester")\n'
        'top = lm3.calculate(SPEND, REGISTER, area="Manchester", scope="cles")\n'
        "compared = lm3.compare([whole, top])\n"
        "print(compared.comparable)\n"
        "compared.differences"
    ),
    new_markdown_cell(
        '## Salford: "£230 million worth of goods and services every year"\n\n'
        "Salford's payments in 2021/22 came to £432.8m, against its own £230m of goods and services: 53%. On "
        "two months of its payments, the procurement scope keeps this share of what was paid:"
    ),
    new_code_cell(
        'SALFORD = ["../data/real/salford-spend-2022-04.csv", "../data/real/salford-spend-2022-05.csv"]\n'
        'paid = lm3.locate(SALFORD, None, area="Salford")\n'
        'procurement = lm3.locate(SALFORD, None, area="Salford", scope="procurement")\n'
        'print(f"procurement {lm3.format_gbp(procurement.total)} of {lm3.format_gbp(paid.total)} paid: "\n'
        '      f"{procurement.total / paid.total:.0%} (Salford\'s own: 230 / 432.8 = 53%)")\n'
        "assert 0.5 < procurement.total / paid.total < 0.6"
    ),
    new_markdown_cell(
        "On these two months the procurement scope keeps 55% of what was paid, beside Salford's own 53% for the "
        "year: the scope's general rules (expense words, public bodies, redacted payees) come close to the "
        "council's own base. What remains is what no payments file tells apart by itself: grants, capital "
        "works, a year against two months. Each rule the scope applied is listed with what it left out:"
    ),
    new_code_cell("[e.describe() for e in procurement.excluded]"),
    new_markdown_cell(
        "## Areas named as they were\n\n"
        "Harrogate Borough Council published spend until 2023; its district is now part of North Yorkshire. "
        "Named, it is studied as North Yorkshire, and lm3 says so:"
    ),
    new_code_cell('lm3.resolve_area("Harrogate").notes'),
]


def main() -> None:
    HERE.mkdir(exist_ok=True)
    for name, cells in (
        ("01-quickstart.ipynb", QUICKSTART),
        ("02-council-spend.ipynb", COUNCIL),
        ("03-uncertainty-and-scenarios.ipynb", UNCERTAINTY),
        ("04-many-councils.ipynb", MANY),
        ("05-published-figures.ipynb", PUBLISHED),
    ):
        nb = new_notebook(cells=cells)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.write(nb, HERE / name)
    # the notebooks are linted with the rest: lay them out as ruff does
    subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", str(HERE)], check=True)
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(HERE)], check=True)


if __name__ == "__main__":
    main()
