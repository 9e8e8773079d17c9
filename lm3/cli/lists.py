"""The commands that make lists for people to fill in or check: suppliers to place, Companies House
matches (and its index), survey forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

import lm3
from lm3.cli.options import (
    FILE,
    errors,
    json_option,
    progress_bar,
    project_from,
    refuse_overwrite,
    run_options,
    study_files,
    study_inputs,
)
from lm3.cli.text import echo


@click.group()
def suppliers() -> None:
    """Help place suppliers: a template to fill in, Companies House bulk data."""


@suppliers.command()
@study_inputs()
@click.option(
    "--out", type=FILE, required=True, help="The workbook to write (.xlsx), e.g. unplaced-suppliers.xlsx."
)
@click.option("--limit", type=click.IntRange(1), help="List only the largest N unplaced suppliers.")
@run_options
def template(
    project: Path | None, out: Path, limit: int | None, quiet: bool, debug: bool, **options: Any
) -> None:
    """Write the suppliers that could not be placed, largest first, to an XLSX with columns to fill in
    (postcode, head office postcode, company and charity number, type, SME). The filled-in workbook is a
    register: give it back with a second --suppliers.

    \b
    Example:
      lm3 suppliers template --payments spend.csv --suppliers register.xlsx --out unplaced.xlsx
      lm3 locate --payments spend.csv --suppliers register.xlsx --suppliers unplaced.xlsx --area Bradford
    """
    with errors(debug):
        chosen = project_from(project, options)
        if not chosen.area:
            chosen = chosen.with_options(area="UK")  # which suppliers are unplaced does not depend on it
        refuse_overwrite([out], study_files(chosen))
        result = chosen.locate()
        summary = lm3.write_supplier_template(result, out, limit=limit)
    echo(
        f"Wrote {summary.suppliers} unplaced supplier(s) with {lm3.format_gbp(summary.amount)} of spend to "
        f"{out}, largest first. Fill in the yellow columns, then add it to the register: --suppliers "
        f"{out.name}."
    )
    if summary.left_out:
        echo(
            f"Left out: {summary.left_out} individual(s) or redacted payee(s) with "
            f"{lm3.format_gbp(summary.left_out_amount)} (not placeable; personal data)."
        )


@suppliers.command("companies-house")
@click.argument("files", nargs=-1, required=True, type=FILE)
@study_inputs(project="option")
@click.option(
    "--out", type=FILE, required=True, help="Where to write the matches, as a register (.csv or .xlsx)."
)
@click.option("--unplaced-only", is_flag=True, help="Look up only the suppliers the register does not place.")
@click.option(
    "--head-office-only",
    is_flag=True,
    help="Write the registered office as the head office postcode only, never as the supplier's site.",
)
@json_option("Print a summary as one JSON object.")
@run_options
def companies_house(
    files: tuple[Path, ...],
    project: Path | None,
    out: Path,
    unplaced_only: bool,
    head_office_only: bool,
    as_json: bool,
    quiet: bool,
    debug: bool,
    **options: Any,
) -> None:
    """Match the spend file's suppliers to Companies House bulk data (BasicCompanyData: FILES are the CSV or
    its ZIPs): by company number where the spend file or register gives one, else by name. Writes a register
    with each match's registered office postcode (the head office), SIC codes, category and status; give it
    to `lm3 locate` as a second --suppliers.

    \b
    Example:
      lm3 suppliers companies-house BasicCompanyDataAsOneFile-2025-11-01.zip \\
        --payments spend.csv --suppliers register.xlsx --out companies-house.xlsx
    """
    with errors(debug):
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise click.BadParameter("write the matches to a .csv or an .xlsx file", param_hint="--out")
        chosen = project_from(project, options)
        refuse_overwrite([out], study_files(chosen) | {"FILES": files})
        if not chosen.area:
            chosen = chosen.with_options(area="UK")
        located = chosen.locate()
        wanted = lm3.suppliers_to_look_up(located, unplaced_only=unplaced_only)
        with progress_bar(quiet, "Companies House") as progress:
            found = lm3.match_companies_house(files, wanted, progress=progress)
        lm3.write_table(found.register(head_office_only=head_office_only), out, sheet="Companies House")
    if as_json:
        echo(lm3.to_json(found.to_dict() | {"out": str(out)}))
        return
    counts = found.counts()
    echo(
        f"Read {found.rows_read:,} companies from {', '.join(found.files)}.\n"
        f"Looked up {len(wanted)} supplier(s): {counts['company number']} matched by company number, "
        f"{counts['name']} by name, {counts['ambiguous']} ambiguous (not matched), {counts['none']} not found.\n"
        f"Wrote {counts['company number'] + counts['name']} match(es) to {out}."
    )
    for warning in found.warnings:
        echo(f"Warning: {warning}")


@click.group()
def survey() -> None:
    """Round-3 surveys: forms to send to local suppliers and staff."""


@survey.command("template")
@click.argument("group", type=click.Choice(["suppliers", "staff"]))
@study_inputs(project="option")
@click.option(
    "--out", type=FILE, required=True, help="The workbook to write (.xlsx), e.g. supplier-survey.xlsx."
)
@click.option(
    "--rows", type=click.IntRange(0), default=200, show_default=True, help="Empty rows ready to fill in."
)
@click.option(
    "--list-local/--no-list-local",
    default=True,
    help="With a project's payments and register: list its local suppliers, largest first (default).",
)
@run_options
def survey_template(
    group: str,
    project: Path | None,
    out: Path,
    rows: int,
    list_local: bool,
    quiet: bool,
    debug: bool,
    **options: Any,
) -> None:
    """Write a survey form (.xlsx) for GROUP, suppliers or staff, naming the area: suppliers give the % of
    their costs spent with local suppliers and on local staff; staff give, for each kind of spending
    (housing, council tax, food, travel, leisure, savings, loans, income tax ...), the £ a month and the %
    spent in the area. Cells are checked as they are typed. Give the filled-in files back to
    `lm3 calculate --supplier-survey/--staff-survey` (one file, several, or a folder).

    \b
    Example:
      lm3 survey template suppliers --project lm3-samples/bradford-trident --out supplier-survey.xlsx
      lm3 survey template staff --area Bradford --name "Bradford Trident" --out staff-survey.xlsx
    """
    with errors(debug):
        chosen = project_from(project, options)
        refuse_overwrite([out], study_files(chosen))
        if not chosen.area:
            raise click.UsageError("Name the area the survey asks about: --area Bradford (or --project DIR).")
        listed: list[str] = []
        if group == "suppliers" and list_local and chosen.payments is not None and chosen.suppliers:
            listed = lm3.local_suppliers(chosen.locate())
        written = lm3.write_survey_template(
            group, out, area=lm3.resolve_area(chosen.area), name=chosen.name, respondents=listed, rows=rows
        )
    word = "supplier" if group == "suppliers" else "staff"
    listing = f", listing {written.listed} local supplier(s) largest first" if written.listed else ""
    echo(
        f"Wrote the {word} survey for {written.area} to {out}{listing}. Send it out; give the filled-in "
        f"files back with lm3 calculate --{word}-survey."
    )


@click.group("companies-house")
def companies_house_group() -> None:
    """Companies House's bulk data (BasicCompanyData), made ready for many runs."""


@companies_house_group.command("index")
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option("--out", type=FILE, required=True, help="The index to write (.parquet).")
@run_options
def companies_house_index(files: tuple[Path, ...], out: Path, quiet: bool, debug: bool) -> None:
    """Convert BasicCompanyData (FILES: the CSV, its ZIP or part ZIPs) into a compact Parquet index, once:
    `lm3 batch --companies-house` and `lm3 suppliers companies-house` then read it in seconds.

    \b
    Example:
      lm3 companies-house index BasicCompanyDataAsOneFile-2025-11-01.zip --out companies-house.parquet
    """
    with errors(debug):
        refuse_overwrite([out], {"FILES": files})
        with progress_bar(quiet, "Companies House index") as progress:
            written = lm3.index_companies_house(list(files), out, progress=progress)
    echo(f"Wrote the Companies House index {written} ({written.stat().st_size / 2**20:,.0f} MB).")
