"""The ``lm3`` command: a thin layer over the Python API (parse options, one API call, format)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from lm3 import __version__
from lm3._companies_house import match_companies_house, suppliers_to_look_up
from lm3._errors import LM3Error
from lm3._ingest import DEFAULT_MERGE_THRESHOLD, IngestResult
from lm3._ingest import ingest as api_ingest
from lm3._locate import DEFAULT_MATCH_THRESHOLD, LocateResult
from lm3._money import format_gbp
from lm3._project import Project, load_project
from lm3._result import LM3Result
from lm3._template import write_supplier_template, write_table

FILE = click.Path(dir_okay=False, path_type=Path)
_HOME = {
    "in the area": "living in the area",
    "outside the area": "living outside it",
    "unknown": "with home postcode unknown",
}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lm3")
def cli() -> None:
    """Measure how much of an organisation's spending stays in its local economy (LM3, NEF)."""


@cli.command()
@click.argument("project", required=False, type=click.Path(path_type=Path))
@click.option("--payments", type=FILE, help="Payments ledger (CSV or Excel): supplier, amount[, date].")
@click.option(
    "--suppliers",
    type=FILE,
    multiple=True,
    help="Supplier register: supplier, postcode[, head office postcode]. Repeat to combine several.",
)
@click.option("--payroll", type=FILE, help="Payroll: employee id, home postcode, gross pay[, net pay].")
@click.option(
    "--supplier-survey",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Supplier survey answers: a filled-in `lm3 survey template suppliers`, or supplier and local spend "
    "share columns. Repeat, or give a folder, for one file per supplier.",
)
@click.option(
    "--staff-survey",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Staff survey answers: a filled-in `lm3 survey template staff`, or employee id and local spend "
    "share columns. Repeat, or give a folder, for one file per person.",
)
@click.option(
    "--area",
    multiple=True,
    help="Local authority district by name or ONS code (Bradford, E08000032); repeat for several.",
)
@click.option("--income", help="Round 1 as the organisation's income (pounds) instead of its spending.")
@click.option(
    "--pay-basis",
    type=click.Choice(["gross", "net"]),
    help="Count staff pay gross (default; NEF's staff form) or net of deductions.",
)
@click.option(
    "--branch-is-local/--branch-is-not-local",
    default=None,
    help="Count a local branch of a non-local head office as local (default) or not.",
)
@click.option("--name", help="The organisation's name, for the headline.")
@click.option(
    "--imputation",
    type=click.Choice(["mean", "weighted"]),
    help="Non-respondents take the simple mean of respondents (default, NEF) or the round-2-weighted mean.",
)
@click.option(
    "--min-category",
    type=click.IntRange(1),
    help="Respondents a supplier type (VCSE, SME, large, public body) needs to use its own mean [default: 5].",
)
@click.option(
    "--default",
    "defaults",
    multiple=True,
    help="A round-3 share for a group with no respondents, replacing the published one: "
    "supplier_share=50%, staff_share=40%.",
)
@click.option(
    "--count-non-local/--no-count-non-local",
    default=None,
    help="Also count non-local suppliers' local re-spend (their survey answers, else the published 36%), "
    "as its own line beside the rounds.",
)
@click.option("--level", type=click.FloatRange(0.5, 0.999), help="The interval's level [default: 0.9].")
@click.option("--seed", type=int, help="Seed of the bootstrap's draws [default: 2002].")
@click.option(
    "--columns",
    "columns",
    multiple=True,
    help='The payments file\'s columns, where detection is wrong: supplier="Vendor Name",amount=Net.',
)
@click.option("--sheet", help="Read only this sheet of the payments workbook.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--quiet", is_flag=True, help="No progress bar (there is none when output is not a terminal).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def calculate(
    project: Path | None,
    as_json: bool,
    quiet: bool,
    debug: bool,
    area: tuple[str, ...],
    columns: tuple[str, ...],
    suppliers: tuple[Path, ...],
    defaults: tuple[str, ...],
    supplier_survey: tuple[Path, ...],
    staff_survey: tuple[Path, ...],
    **options: Any,
) -> None:
    """Calculate LM3 from input files, or from PROJECT, a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 calculate data/samples/bradford-trident
      lm3 calculate --payments pay.csv --suppliers register.xlsx --area Bradford
    """
    with _errors(debug):
        base = load_project(project) if project is not None else Project()
        mapping = parse_columns(columns) or None
        given = parse_columns(defaults) or None
        if given and base.defaults:
            given = base.defaults | given
        chosen = base.with_options(
            area=area or None,
            suppliers=suppliers or None,
            supplier_survey=_one_or_many(supplier_survey),
            staff_survey=_one_or_many(staff_survey),
            columns=mapping,
            defaults=given,
            **options,
        )
        with _progress(quiet, "lm3 calculate") as progress:
            result = chosen.calculate(progress=progress)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_result(result))


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--columns",
    multiple=True,
    help='Say which column is which, where detection is wrong: supplier="Vendor Name",amount=Net.',
)
@click.option("--sheet", help="Read only this sheet (default: every sheet with the same header).")
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0, 100),
    default=DEFAULT_MERGE_THRESHOLD,
    show_default=True,
    help="Similarity (0-100) at which two supplier names are merged as one; 100 merges none.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the accepted payments to a .parquet or .csv file.",
)
@click.option("--quiet", is_flag=True, help="No progress bar (there is none when output is not a terminal).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def ingest(
    file: Path,
    columns: tuple[str, ...],
    sheet: str | None,
    merge_threshold: float,
    as_json: bool,
    out: Path | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Read a spend file (CSV, XLSX, XLS, ODS or a ZIP of one) and account for every row.

    \b
    Example:
      lm3 ingest payments.csv
      lm3 ingest ledger.xlsx --columns supplier="Vendor Name",amount=Net --out payments.parquet
    """
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise click.BadParameter("write .parquet or .csv", param_hint="--out")
    with _errors(debug), _progress(quiet, f"lm3 ingest {file.name}") as progress:
        result = api_ingest(
            file,
            columns=parse_columns(columns) or None,
            sheet=sheet,
            merge_threshold=None if merge_threshold >= 100 else merge_threshold,
            progress=progress,
        )
        if out is not None:
            result.to_file(out)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_ingest(result))
        if out is not None:
            click.echo(f"\nWrote {result.rows_accepted:,} payments to {out}")


_PAIR = re.compile(r"\s*(\w+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^,]*))\s*(?:,|$)")


@contextmanager
def _progress(quiet: bool, label: str) -> Iterator[Any]:
    """A progress bar on stderr for a long step, as a ``progress(step, done, total)`` callback; None (no
    bar) with --quiet or when stderr is not a terminal (a pipe, a file, a test)."""
    import sys

    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(desc=label, file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(step: str, done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.set_postfix_str(step, refresh=False)
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def _one_or_many(paths: tuple[Path, ...]) -> Path | tuple[Path, ...] | None:
    return None if not paths else paths[0] if len(paths) == 1 else paths


def _locate_options(command: Any) -> Any:
    """The inputs and options of ``lm3 locate``, shared by the ``lm3 suppliers`` commands."""
    options = [
        click.argument("project", required=False, type=click.Path(path_type=Path)),
        click.option("--payments", type=FILE, help="Spend file (anything `lm3 ingest` reads)."),
        click.option(
            "--suppliers",
            type=FILE,
            multiple=True,
            help="Supplier register: name, postcode, and any of head office postcode, supplier id, company "
            "number, charity number, VCSE flag, type, SME flag. Repeat to combine several (a filled-in "
            "`lm3 suppliers template`, `lm3 suppliers companies-house` matches).",
        ),
        click.option(
            "--area",
            multiple=True,
            help="The local area: LADs (Bradford, E08000032), a region (North West), postcode districts "
            "(BD7), '5km around BD1 1HY', England, UK. Repeat for several LADs or districts.",
        ),
        click.option(
            "--tier",
            "tiers",
            multiple=True,
            help="A tier to report, as Name=area ('Neighbourhood=3km around BD7 1AA', "
            "'West Yorkshire=Bradford,Leeds,Calderdale,Kirklees,Wakefield'); repeat, innermost first.",
        ),
        click.option(
            "--branch-is-local/--branch-is-not-local",
            default=None,
            help="Count a local branch of a non-local head office as local (default) or not.",
        ),
        click.option(
            "--match-threshold",
            type=click.FloatRange(0, 100),
            default=None,
            help=f"Similarity (0-100) for matching a supplier to the register by a near name [default: "
            f"{DEFAULT_MATCH_THRESHOLD:g}]; fuzzy matches are listed for checking.",
        ),
        click.option(
            "--columns", multiple=True, help='The spend file\'s columns: supplier="Vendor Name",amount=Net.'
        ),
        click.option("--sheet", help="Read only this sheet of the spend workbook."),
        click.option("--debug", is_flag=True, help="Show the full traceback of an error."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _project(
    project: Path | None,
    *,
    area: tuple[str, ...],
    tiers: tuple[str, ...],
    suppliers: tuple[Path, ...],
    columns: tuple[str, ...],
    **options: Any,
) -> Project:
    """The project folder's settings (or none), overridden by the options given."""
    base = load_project(project) if project is not None else Project()
    return base.with_options(
        area=area or None,
        tiers=tiers or None,
        suppliers=suppliers or None,
        columns=parse_columns(columns) or None,
        **options,
    )


@cli.command()
@_locate_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def locate(project: Path | None, as_json: bool, debug: bool, **options: Any) -> None:
    """Where the money goes: suppliers matched to a register, placed, and reported by area, tier, type
    and head office. PROJECT is a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 locate --payments spend.csv --suppliers register.xlsx --area Manchester
      lm3 locate --payments spend.csv --suppliers register.xlsx --area Bradford \\
        --tier "Neighbourhood=3km around BD7 1AA" --tier District=Bradford --tier UK=UK
    """
    with _errors(debug):
        result = _project(project, **options).locate()
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_locate(result))


@cli.group()
def suppliers() -> None:
    """Help place suppliers: a template to fill in, Companies House bulk data."""


@suppliers.command()
@_locate_options
@click.option(
    "--out", type=FILE, required=True, help="The workbook to write (.xlsx), e.g. unplaced-suppliers.xlsx."
)
@click.option("--limit", type=click.IntRange(1), help="List only the largest N unplaced suppliers.")
def template(project: Path | None, out: Path, limit: int | None, debug: bool, **options: Any) -> None:
    """Write the suppliers that could not be placed, largest first, to an XLSX with columns to fill in
    (postcode, head office postcode, company and charity number, type, SME). The filled-in workbook is a
    register: give it back with a second --suppliers.

    \b
    Example:
      lm3 suppliers template --payments spend.csv --suppliers register.xlsx --out unplaced.xlsx
      lm3 locate --payments spend.csv --suppliers register.xlsx --suppliers unplaced.xlsx --area Bradford
    """
    with _errors(debug):
        chosen = _project(project, **options)
        if not chosen.area:
            chosen = chosen.with_options(area="UK")  # which suppliers are unplaced does not depend on it
        result = chosen.locate(register_required=False)
        summary = write_supplier_template(result, out, limit=limit)
    click.echo(
        f"Wrote {summary.suppliers} unplaced supplier(s) with {format_gbp(summary.amount)} of spend to {out}, "
        "largest first. Fill in the yellow columns, then add it to the register: --suppliers "
        f"{out.name}."
    )
    if summary.left_out:
        click.echo(
            f"Left out: {summary.left_out} individual(s) or redacted payee(s) with "
            f"{format_gbp(summary.left_out_amount)} (not placeable; personal data)."
        )


@suppliers.command("companies-house")
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option("--project", type=click.Path(path_type=Path), help="A project folder holding lm3.toml.")
@click.option("--payments", type=FILE, help="Spend file (anything `lm3 ingest` reads).")
@click.option(
    "--suppliers",
    type=FILE,
    multiple=True,
    help="Supplier register(s): their company numbers are used, and with --unplaced-only only suppliers "
    "they do not place are looked up.",
)
@click.option(
    "--columns", multiple=True, help='The spend file\'s columns: supplier="Vendor Name",amount=Net.'
)
@click.option("--sheet", help="Read only this sheet of the spend workbook.")
@click.option(
    "--out", type=FILE, required=True, help="Where to write the matches, as a register (.csv or .xlsx)."
)
@click.option("--unplaced-only", is_flag=True, help="Look up only the suppliers the register does not place.")
@click.option(
    "--head-office-only",
    is_flag=True,
    help="Write the registered office as the head office postcode only, never as the supplier's site.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a summary as one JSON object.")
@click.option("--quiet", is_flag=True, help="No progress bar (there is none when output is not a terminal).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def companies_house(
    files: tuple[Path, ...],
    project: Path | None,
    suppliers: tuple[Path, ...],
    columns: tuple[str, ...],
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
    with _errors(debug):
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise LM3Error(f"{out}: write the matches to a .csv or an .xlsx file.")
        chosen = _project(project, area=(), tiers=(), suppliers=suppliers, columns=columns, **options)
        if not chosen.area:
            chosen = chosen.with_options(area="UK")
        located = chosen.locate(register_required=False)
        wanted = suppliers_to_look_up(located, unplaced_only=unplaced_only)
        with _progress(quiet, "Companies House") as progress:
            found = match_companies_house(files, wanted, progress=progress)
        write_table(found.register(head_office_only=head_office_only), out, sheet="Companies House")
    if as_json:
        click.echo(json.dumps(found.to_dict() | {"out": str(out)}, indent=2, ensure_ascii=False))
        return
    counts = found.counts()
    click.echo(
        f"Read {found.rows_read:,} companies from {', '.join(found.files)}.\n"
        f"Looked up {len(wanted)} supplier(s): {counts['company number']} matched by company number, "
        f"{counts['name']} by name, {counts['ambiguous']} ambiguous (not matched), {counts['none']} not found.\n"
        f"Wrote {counts['company number'] + counts['name']} match(es) to {out}."
    )
    for warning in found.warnings:
        click.echo(f"Warning: {warning}")


@cli.command()
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--shift",
    "shifts",
    multiple=True,
    required=True,
    help='A scenario: "share=10%" of all non-local spend, or "category=Facilities,share=10%"; optionally '
    '"to=<local supplier>" and "name=<label>". Repeat to compare several.',
)
@click.option(
    "--to", "to", help='Where moved spend goes: "local" (default: local suppliers at the survey mean).'
)
@click.option("--to-supplier", help="Move the spend to this local supplier, at its own re-spend share.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per scenario.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def scenario(
    project: Path,
    shifts: tuple[str, ...],
    to: str | None,
    to_supplier: str | None,
    as_json: bool,
    debug: bool,
) -> None:
    """What if we keep it local? Move a share of the spend now with non-local suppliers (optionally in one
    expense category) to local suppliers, and see round 2, round 3, LM3, its interval and the £ kept in the
    area, beside the result as it is. PROJECT is a folder holding lm3.toml.

    \b
    Example:
      lm3 scenario data/samples/bradford-trident --shift "category=stationery,share=50%" --shift share=10%
      lm3 scenario data/samples/bradford-trident --shift share=100% --to-supplier "Shipley Office Supplies"
    """
    from lm3._scenario import scenarios, scenarios_json

    with _errors(debug):
        if to is not None and to_supplier is not None:
            raise LM3Error("Give --to local or --to-supplier NAME, not both.")
        if to is not None and to.casefold() != "local":
            raise LM3Error(f"--to {to!r}: write --to local, or --to-supplier NAME for one supplier.")
        result = load_project(project).calculate()
        table = scenarios(result, list(shifts), to=to_supplier or "local")
    if as_json:
        click.echo(json.dumps(scenarios_json(table), indent=2, ensure_ascii=False))
        return
    click.echo(format_scenarios(result, table))


@cli.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per result.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def compare(results: tuple[Path, ...], as_json: bool, debug: bool) -> None:
    """Set results side by side (two years, two organisations): each RESULT is a JSON file from
    `lm3 calculate --json` or a project folder.

    \b
    Example:
      lm3 calculate 2023-24 --json > 2023-24.json
      lm3 compare 2023-24.json 2024-25/
    """
    from lm3._scenario import compare as api_compare

    with _errors(debug):
        table = api_compare(list(results))
    if as_json:
        records = []
        for r in table.itertuples(index=False):
            records.append(
                {
                    "result": r.result,
                    "area": r.area,
                    "round1": int(r.round1) / 100,
                    "round2": int(r.round2) / 100,
                    "round3": int(r.round3) / 100,
                    "lm3": float(r.lm3),
                    "interval": None if r.low != r.low else {"low": float(r.low), "high": float(r.high)},
                    "local_share": float(r.local_share),
                    "supplier_responses": r.supplier_responses,
                    "staff_responses": r.staff_responses,
                }
            )
        click.echo(json.dumps(records, indent=2, ensure_ascii=False))
        return
    click.echo(format_compare(table))


@cli.command()
@click.argument("project", required=False, type=click.Path(path_type=Path))
@click.option("--payments", type=FILE, help="Payments ledger (anything `lm3 ingest` reads).")
@click.option("--suppliers", type=FILE, multiple=True, help="Supplier register; repeat to combine several.")
@click.option("--payroll", type=FILE, help="Payroll: employee id, home postcode, gross pay[, net pay].")
@click.option(
    "--supplier-survey", type=click.Path(path_type=Path), multiple=True, help="Supplier survey answers."
)
@click.option("--staff-survey", type=click.Path(path_type=Path), multiple=True, help="Staff survey answers.")
@click.option("--area", multiple=True, help="The local area (Bradford, E08000032, ...); repeat for several.")
@click.option("--name", help="The organisation's name, for the headline.")
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write."
)
@click.option(
    "--format",
    "formats",
    default="html,xlsx,png,svg,json",
    show_default=True,
    help="Any of html, xlsx, png, svg, json, comma-separated.",
)
@click.option(
    "--shift",
    "shifts",
    multiple=True,
    help='A scenario to report beside the result, as for `lm3 scenario`: "category=Facilities,share=10%".',
)
@click.option("--quiet", is_flag=True, help="No progress bar (there is none when output is not a terminal).")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def report(
    project: Path | None,
    suppliers: tuple[Path, ...],
    supplier_survey: tuple[Path, ...],
    staff_survey: tuple[Path, ...],
    area: tuple[str, ...],
    out: Path,
    formats: str,
    shifts: tuple[str, ...],
    quiet: bool,
    debug: bool,
    **options: Any,
) -> None:
    """Write the report of a result to OUT: report.html (one self-contained page), report.xlsx (Summary,
    Rounds, Suppliers, Leakage, Staff, Assumptions, Data quality), the charts (png, svg) and result.json.
    PROJECT is a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 report data/samples/bradford-trident --out out/
      lm3 report --payments pay.csv --suppliers register.xlsx --area Bradford --out out/ --format html,xlsx
    """
    from lm3._report import parse_formats, write_report

    with _errors(debug):
        chosen_formats = parse_formats(formats)
        base = load_project(project) if project is not None else Project()
        chosen = base.with_options(
            area=area or None,
            suppliers=suppliers or None,
            supplier_survey=_one_or_many(supplier_survey),
            staff_survey=_one_or_many(staff_survey),
            **options,
        )
        with _progress(quiet, "lm3 calculate") as progress:
            result = chosen.calculate(progress=progress)
        table = result.scenarios(list(shifts)) if shifts else None
        with _progress(quiet, "lm3 report") as progress:
            files = write_report(result, out, formats=chosen_formats, scenarios=table, progress=progress)
    click.echo(result.headline)
    click.echo(f"Wrote {len(files.all())} file(s) to {out}:")
    for path in (files.html, files.xlsx, files.json):
        if path is not None:
            click.echo(f"  {path}")
    if files.charts:
        kinds = sorted({p.suffix.lstrip(".").upper() for p in files.charts})
        click.echo(f"  {len(files.charts)} charts ({', '.join(kinds)}) in {files.charts[0].parent}")


@cli.group()
def survey() -> None:
    """Round-3 surveys: forms to send to local suppliers and staff."""


@survey.command("template")
@click.argument("group", type=click.Choice(["suppliers", "staff"]))
@click.option("--project", type=click.Path(path_type=Path), help="A project folder holding lm3.toml.")
@click.option("--area", multiple=True, help="The local area named in the form (default: the project's).")
@click.option("--name", help="The organisation sending the survey (default: the project's name).")
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
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def survey_template(
    group: str,
    project: Path | None,
    area: tuple[str, ...],
    name: str | None,
    out: Path,
    rows: int,
    list_local: bool,
    debug: bool,
) -> None:
    """Write a survey form (.xlsx) for GROUP, suppliers or staff, naming the area: suppliers give the % of
    their costs spent with local suppliers and on local staff; staff give, for each kind of spending
    (housing, council tax, food, travel, leisure, savings, loans, income tax ...), the £ a month and the %
    spent in the area. Cells are checked as they are typed. Give the filled-in files back to
    `lm3 calculate --supplier-survey/--staff-survey` (one file, several, or a folder).

    \b
    Example:
      lm3 survey template suppliers --project data/samples/bradford-trident --out supplier-survey.xlsx
      lm3 survey template staff --area Bradford --name "Bradford Trident" --out staff-survey.xlsx
    """
    from lm3._places import resolve_area
    from lm3._survey import local_suppliers, write_survey_template

    with _errors(debug):
        chosen = load_project(project) if project is not None else Project()
        chosen = chosen.with_options(area=area or None, name=name)
        if not chosen.area:
            raise LM3Error("Name the area the survey asks about: --area Bradford (or --project DIR).")
        listed: list[str] = []
        if group == "suppliers" and list_local and chosen.payments is not None and chosen.suppliers:
            listed = local_suppliers(chosen.locate())
        written = write_survey_template(
            group, out, area=resolve_area(chosen.area), name=chosen.name, respondents=listed, rows=rows
        )
    listing = f", listing {written.listed} local supplier(s) largest first" if written.listed else ""
    click.echo(
        f"Wrote the {'supplier' if group == 'suppliers' else 'staff'} survey for {written.area} to {out}{listing}. Send it out; give the filled-in "
        f"files back with lm3 calculate --{'supplier' if group == 'suppliers' else 'staff'}-survey."
    )


def parse_columns(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``supplier="Vendor Name",amount=Net`` (one or more) as {"supplier": "Vendor Name", "amount": "Net"}."""
    mapping: dict[str, str] = {}
    for text in values:
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _PAIR.match(text, pos)
            if not m or m.end() == pos:
                raise click.BadParameter(
                    f"{text!r}: write field=header pairs separated by commas, like "
                    'supplier="Vendor Name",amount=Net',
                    param_hint="--columns",
                )
            header = next(g for g in m.groups()[1:] if g is not None).strip()
            mapping[m.group(1)] = header
            pos = m.end()
    return mapping


@contextmanager
def _errors(debug: bool) -> Iterator[None]:
    """Turn lm3's errors into a message (and anything else into a bug report hint), unless --debug."""
    try:
        yield
    except LM3Error as err:
        if debug:
            raise
        raise click.ClickException(str(err)) from err
    except click.ClickException:
        raise
    except Exception as err:
        if debug:
            raise
        raise click.ClickException(
            f"Unexpected {type(err).__name__}: {err}. This is a bug in lm3: please report it with the output "
            "of the same command with --debug."
        ) from err


def format_ingest(result: IngestResult, top: int = 10) -> str:
    """The plain-text account of an ingest: columns chosen, rows, total, top suppliers, rejects, warnings."""
    where = f" (sheets: {', '.join(result.sheets)})" if result.sheets else ""
    lines = [f"Read {result.file}{where}", "", "Columns:"]
    found = {k: v for k, v in result.columns.items() if v is not None}
    width = max(len(k) for k in found)
    for name, header in found.items():
        how = f"  ({result.chosen_by[name]})" if name in result.chosen_by else ""
        lines.append(f"  {name:<{width}}  {header}{how}")
    missing = [k for k in ("date",) if result.columns.get(k) is None]
    if missing:
        lines.append(f"  (no {', '.join(missing)} column)")
    lines += [
        "",
        f"Rows: {result.rows_accepted:,} accepted, {result.rows_rejected:,} rejected"
        + (f"; {result.blank_rows:,} blank rows skipped" if result.blank_rows else ""),
        f"Total: {format_gbp(result.total)}",
    ]
    if result.file_total is not None:
        same = "reconciles" if all(t.reconciles for t in result.totals) else "does NOT reconcile"
        lines.append(f"File's own total: {format_gbp(result.file_total)} ({same})")
    if result.rows_accepted:
        lines += ["", f"Top {min(top, result.data['key'].nunique())} suppliers:"]
        tops = result.top_suppliers(top)
        amount_width = max(len(format_gbp(int(a))) for a in tops["amount"])
        for r in tops.itertuples(index=False):
            lines.append(
                f"  {format_gbp(int(r.amount)):>{amount_width}}  {r.supplier} ({r.payments:,} payment{'' if r.payments == 1 else 's'})"
            )
    if result.rows_rejected:
        lines += ["", "Rejected rows:"]
        for r in result.rejected.head(20).itertuples(index=False):
            sheet = f"sheet {r.sheet!r}, " if isinstance(r.sheet, str) else ""
            value = f" {r.value!r}" if isinstance(r.value, str) else ""
            lines.append(f"  {sheet}row {int(r.row)}:{value} {r.reason}")
        if result.rows_rejected > 20:
            lines.append(f"  ... and {result.rows_rejected - 20:,} more (see --json)")
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def format_locate(result: LocateResult, top: int = 10) -> str:
    """The plain-text report of ``lm3 locate``."""

    def pct(x: float | None) -> str:
        return "n/a" if x is None or x != x else f"{x:.1%}"

    cov = result.coverage_table()
    placed = cov.iloc[0]
    lines = [
        f"Where the money goes: {result.file}, area {result.area.name}",
        "",
        f"  Spend              {format_gbp(result.total):>16}  ({len(result.suppliers)} suppliers)",
        f"  Placed             {format_gbp(result.placed):>16}  {pct(result.coverage)} of spend, "
        f"{int(placed['suppliers'])} suppliers ({pct(float(placed['supplier_share']))})",
        f"  In the area        {format_gbp(result.local):>16}  {pct(result.local_share)} of placed spend",
        "",
        "Tiers (each includes the ones before it; share of placed spend):",
    ]
    for t in result.tiers.itertuples(index=False):
        lines.append(f"  {t.name:<28} {format_gbp(t.amount):>16}  {pct(t.share)}")
    leak = result.head_office_leakage()
    lines += ["", f"Local branches with a head office elsewhere: {len(leak)}"]
    for r in leak.head(top).itertuples(index=False):
        where = (
            f"{r.head_office_lad_name}, {r.head_office_region}"
            if isinstance(r.head_office_lad_name, str)
            else "not placed"
        )
        lines.append(f"  {r.supplier:<40} {format_gbp(r.amount):>14}  head office {r.head_office} ({where})")
    if len(leak):
        by_region = result.leakage_by_place("region")
        lines.append(
            "  By head-office region: "
            + "; ".join(f"{r.region} {format_gbp(r.amount)}" for r in by_region.itertuples(index=False))
        )
    lines += ["", "By supplier type:"]
    for r in result.by_type().itertuples(index=False):
        if r.suppliers:
            lines.append(
                f"  {r.type:<24} {r.suppliers:>5} suppliers {format_gbp(r.amount):>16}  {pct(r.share)} of spend, "
                f"{pct(r.local_share)} of it placed locally"
            )
    unplaced = result.unplaced(top)
    if len(unplaced):
        lines += [
            "",
            f"Largest suppliers not placed (of {int((result.suppliers['location'] == 'unknown').sum())}):",
        ]
        for r in unplaced.itertuples(index=False):
            lines.append(f"  {r.supplier:<40} {format_gbp(r.amount):>14}  {r.reason}")
    if result.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def format_result(result: LM3Result) -> str:
    """The plain-text report: the rounds as a table, the headline, where the money went, caveats."""
    codes = f" ({', '.join(result.area.codes)})" if result.area.codes and not result.area.label else ""
    title = f"LM3 for {result.area.name}{codes}"
    lines = [title + (f": {result.name}" if result.name else ""), ""]
    summary = result.summary()
    width = max(len(format_gbp(int(a), symbol=False)) for a in summary["amount"])
    lines.append(f"  {'Round':<9}{'':<46}{'£':>{width}}  {'per £1':>6}")
    for r in summary.itertuples(index=False):
        lines.append(
            f"  {r.round:<9}{r.what:<46}{format_gbp(int(r.amount), symbol=False):>{width}}  {r.per_pound:>6.2f}"
        )
    lines.append(f"  {'LM3':<9}{'(R1 + R2 + R3) / R1':<46}{'':>{width}}  {result.lm3:>6.2f}")
    lines += ["", result.headline, ""]

    s = result.suppliers
    parts = []
    for location in ("local", "local branch", "non-local", "unknown"):
        chosen = s[s["location"] == location]
        if len(chosen):
            label = "location unknown" if location == "unknown" else location
            parts.append(f"{len(chosen)} {label} ({format_gbp(int(chosen['round1'].sum()))})")
    lines.append("Suppliers: " + ", ".join(parts))
    if len(result.staff):
        staff = ", ".join(
            f"{int(r.employees)} {_HOME[r.home]} ({format_gbp(int(r.round1))})"
            for r in result.staff.itertuples(index=False)
        )
        lines.append(f"Staff: {staff}")
    survey = []
    for r in result.responses:
        covered = f", {r.round2_rate:.0%} of their round 2" if r.round2_rate is not None else ""
        filled = f"; default share {r.default.text}" if r.default else ""
        survey.append(f"{r.respondents} of {r.members} {r.group}{covered}{filled}")
    lines.append("Survey answers: " + "; ".join(survey))
    value = result.value_of_a_pound()
    if value["local_supplier"] is not None:
        text = f"£1 paid to a local supplier is worth £{value['local_supplier']:.2f} to {result.area.name}"
        if value["non_local_supplier"] is not None:
            text += f"; £1 paid to a non-local one brings back {value['non_local_supplier'] * 100:.0f}p"
        lines.append(text + " (LM3 Online's framing)")
    if result.non_local is not None:
        n = result.non_local
        how = (
            f"default share {n.responses.default.text}"
            if n.responses.default
            else f"{n.responses.respondents} of {n.responses.members} answered"
        )
        lines.append(
            f"Non-local suppliers re-spend {format_gbp(n.amount)} in the area ({how}): LM3 with it "
            f"{result.lm3_with_non_local:.2f} (not in the rounds above)"
        )
    resampled = any(r.respondents for r in result.responses)
    if result.interval is not None and not resampled:
        lines.append("Interval: none: no survey responses to resample (see the sensitivity to the defaults)")
    if result.interval is not None and resampled:
        i = result.interval
        lines.append(
            f"Interval: LM3 {i.low:.2f} to {i.high:.2f} ({i.level:.0%}, bootstrap over respondents, "
            f"{i.draws} draws, seed {i.seed}); round 3 {format_gbp(i.round3_low)} to {format_gbp(i.round3_high)}"
        )
    if result.sensitivity is not None and len(result.sensitivity):
        lines.append("Sensitivity (LM3 as each assumption moves over its range, largest first):")
        for r in result.sensitivity.itertuples(index=False):
            lines.append(
                f"  - {r.assumption}: {r.low} -> {r.lm3_low:.2f}, {r.high} -> {r.lm3_high:.2f} ({r.range})"
            )
    leaks = f"{format_gbp(result.round1 - result.round2)} in round 2, {format_gbp(result.round2 - result.round3)} in round 3"
    lines.append(f"Leakage: {leaks}")
    lines += ["", "Assumptions:"]
    for a in result.assumptions:
        lines.append(f"  - {a.name}: {a.value}")
        lines.append(f"      source: {a.source}")
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def main() -> None:
    """Entry point of the ``lm3`` command, ``python -m lm3`` and ``python cli.py``."""
    cli(prog_name="lm3")


def format_scenarios(result: LM3Result, table: Any) -> str:
    """The scenarios as a table: £ moved, R2, R3, LM3 with its interval, and £ kept in the area."""
    lines = [f"What if: {result.name or result.area.name}, {result.area.name}", ""]
    w = max(len("Scenario"), *(len(str(n)) for n in table["scenario"])) + 2
    header = f"  {'Scenario':<{w}}{'Moved':>14}{'Round 2':>16}{'Round 3':>16}  {'LM3':>4}  {'interval':<11}{'Kept locally':>15}"
    lines.append(header)
    for r in table.itertuples(index=False):
        interval = "" if r.low != r.low else f"{r.low:.2f}-{r.high:.2f}"
        lines.append(
            f"  {r.scenario:<{w}}{format_gbp(int(r.moved)):>14}{format_gbp(int(r.round2)):>16}"
            f"{format_gbp(int(r.round3)):>16}  {r.lm3:>4.2f}  {interval:<11}{format_gbp(int(r.kept_locally)):>15}"
        )
    lines.append("")
    lines.append(
        "Moved spend comes from suppliers placed outside the area (not those of unknown location) and is "
        "re-spent at the local suppliers' survey mean, or the named supplier's own share."
    )
    empty = table[(table["moved"] == 0) & (table["scenario"] != "as now")]
    for name in empty["scenario"]:
        lines.append(f"Note: {name}: nothing to move (no spend with non-local suppliers there).")
    return "\n".join(lines)


def format_compare(table: Any) -> str:
    """Results side by side: R1, R2, R3, LM3 with its interval, local share, survey coverage."""
    w = max(len("Result"), *(len(str(n)) for n in table["result"])) + 2
    lines = [
        f"  {'Result':<{w}}{'Round 1':>16}{'Round 2':>16}{'Round 3':>16}  {'LM3':>4}  {'interval':<11}"
        f"{'R2/R1':>6}  {'Surveys (suppliers; staff)'}"
    ]
    for r in table.itertuples(index=False):
        interval = "" if r.low != r.low else f"{r.low:.2f}-{r.high:.2f}"
        surveys = f"{r.supplier_responses or '-'}; {r.staff_responses or '-'}"
        lines.append(
            f"  {r.result!s:<{w}}{format_gbp(int(r.round1)):>16}{format_gbp(int(r.round2)):>16}"
            f"{format_gbp(int(r.round3)):>16}  {r.lm3:>4.2f}  {interval:<11}{r.local_share:>6.0%}  {surveys}"
        )
    return "\n".join(lines)
