"""The ``lm3`` commands: each parses its options, makes one call to the public API (``lm3``), and formats
the result. The options are declared once, in ``lm3.cli.options``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

import lm3
from lm3 import charts, web
from lm3.cli.formatting import (
    format_batch,
    format_compare,
    format_ingest,
    format_locate,
    format_registers,
    format_result,
    format_scenarios,
    next_step,
)
from lm3.cli.options import (
    FILE,
    PATH,
    errors,
    json_option,
    method_options,
    parse_pairs,
    progress_bar,
    project_from,
    refuse_overwrite,
    run_options,
    study_files,
    study_inputs,
)
from lm3.cli.text import echo


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(lm3.__version__, prog_name="lm3")
def cli() -> None:
    """Measure how much of an organisation's spending stays in its local economy (LM3, NEF)."""


@cli.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path), default=Path("lm3-samples"))
def sample(folder: Path) -> None:
    """Copy the sample projects shipped with lm3 into FOLDER (default: lm3-samples), to run and to change:
    bradford-trident (every £1 creates £2.52) and no-surveys (the same without its surveys).

    \b
    Example:
      lm3 sample && lm3 calculate lm3-samples/bradford-trident
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise click.ClickException(f"{folder} already holds files: name an empty or new folder.")
    shutil.copytree(
        lm3.sample().parent, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"), dirs_exist_ok=True
    )
    echo(f"Copied the samples to {folder}. Run one: lm3 calculate {folder / 'bradford-trident'}")


@cli.command()
@study_inputs()
@method_options
@json_option()
@run_options
def calculate(project: Path | None, as_json: bool, quiet: bool, debug: bool, **options: Any) -> None:
    """Calculate LM3 from input files, or from PROJECT, a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 calculate lm3-samples/bradford-trident
      lm3 calculate --payments pay.csv --suppliers register.xlsx --area Bradford
    """
    with errors(debug):
        chosen = project_from(project, options)
        with progress_bar(quiet, "lm3 calculate") as progress:
            result = chosen.calculate(progress=progress)
    echo(lm3.to_json(result) if as_json else format_result(result) + next_step(result, chosen))


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--columns",
    multiple=True,
    help='Say which column is which, where detection is wrong: supplier="Vendor Name",amount=Net.',
)
@click.option("--sheet", help="Read only this sheet (default: every sheet with the same header).")
@click.option(
    "--merge-threshold",
    type=click.FloatRange(0, 100),
    default=lm3.DEFAULT_MERGE_THRESHOLD,
    show_default=True,
    help="Similarity (0-100) at which two supplier names are merged as one; 100 merges none.",
)
@click.option(
    "--out",
    type=FILE,
    help="Write the accepted payments to a .parquet or .csv file.",
)
@json_option()
@run_options
def ingest(
    files: tuple[str, ...],
    columns: tuple[str, ...],
    sheet: str | None,
    merge_threshold: float,
    as_json: bool,
    out: Path | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Read spend files (CSV, XLSX, XLS, ODS or a ZIP of one) and account for every row. Give several files,
    a folder or a quoted glob for a year of monthly files: each is read with its own detection.

    \b
    Example:
      lm3 ingest payments.csv
      lm3 ingest 'spend/2024-*.csv' --out year.parquet
      lm3 ingest ledger.xlsx --columns supplier="Vendor Name",amount=Net --out payments.parquet
    """
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise click.BadParameter("write .parquet or .csv", param_hint="--out")
    if out is not None:
        refuse_overwrite([out], {"FILES": files})
    name = Path(files[0]).name if len(files) == 1 else f"{len(files)} sources"
    with errors(debug), progress_bar(quiet, f"lm3 ingest {name}") as progress:
        result = lm3.ingest(
            files[0] if len(files) == 1 else list(files),
            columns=parse_pairs(columns, "--columns") or None,
            sheet=sheet,
            merge_threshold=None if merge_threshold >= 100 else merge_threshold,
            progress=progress,
        )
        if out is not None:
            result.to_file(out)
    if as_json:
        echo(lm3.to_json(result))
        return
    echo(format_ingest(result))
    if out is not None:
        echo(f"\nWrote {result.rows_accepted:,} payments to {out}")


@cli.command()
@study_inputs()
@json_option()
@run_options
def locate(project: Path | None, as_json: bool, quiet: bool, debug: bool, **options: Any) -> None:
    """Where the money goes: suppliers matched to a register, placed, and reported by area, tier, type
    and head office. PROJECT is a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 locate --payments spend.csv --suppliers register.xlsx --area Manchester
      lm3 locate --payments spend.csv --suppliers register.xlsx --area Bradford \\
        --tier "Neighbourhood=3km around BD7 1AA" --tier District=Bradford --tier UK=UK
    """
    with errors(debug):
        result = project_from(project, options).locate()
    echo(lm3.to_json(result) if as_json else format_locate(result))


@cli.group()
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


@cli.command()
@study_inputs()
@method_options
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
@json_option("Print a JSON list, one object per scenario.")
@run_options
def scenario(
    project: Path | None,
    shifts: tuple[str, ...],
    to: str | None,
    to_supplier: str | None,
    as_json: bool,
    quiet: bool,
    debug: bool,
    **options: Any,
) -> None:
    """What if we keep it local? Move a share of the spend now with non-local suppliers (optionally in one
    expense category) to local suppliers, and see round 2, round 3, LM3, its interval and the £ kept in the
    area, beside the result as it is. PROJECT is a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 scenario lm3-samples/bradford-trident --shift "category=stationery,share=50%" --shift share=10%
      lm3 scenario lm3-samples/bradford-trident --shift share=100% --to-supplier "Shipley Office Supplies"
    """
    if to is not None and to_supplier is not None:
        raise click.UsageError("Give --to local or --to-supplier NAME, not both.")
    if to is not None and to.casefold() != "local":
        raise click.BadParameter(
            f"{to!r}: write --to local, or --to-supplier NAME for one supplier.", param_hint="--to"
        )
    with errors(debug):
        chosen = project_from(project, options)
        with progress_bar(quiet, "lm3 calculate") as progress:
            result = chosen.calculate(progress=progress)
        table = lm3.scenarios(result, list(shifts), to=to_supplier or "local")
    if as_json:
        echo(lm3.to_json(lm3.scenario_records(table)))
        return
    echo(format_scenarios(result, table))


@cli.command()
@click.argument("results", nargs=-1, required=True, type=PATH)
@json_option("Print a JSON list, one object per result.")
@run_options
def compare(results: tuple[Path, ...], as_json: bool, quiet: bool, debug: bool) -> None:
    """Set results side by side (two years, two organisations): each RESULT is a JSON file from
    `lm3 calculate --json` or a project folder.

    \b
    Example:
      lm3 calculate 2023-24 --json > 2023-24.json
      lm3 compare 2023-24.json 2024-25/
    """
    with errors(debug):
        table = lm3.compare(list(results))
    echo(lm3.to_json(lm3.compare_records(table)) if as_json else format_compare(table))


@cli.command()
@study_inputs()
@method_options
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write."
)
@click.option(
    "--format",
    "formats",
    default=",".join(lm3.REPORT_FORMATS),
    show_default=True,
    help="Any of html, xlsx, png, svg, json, comma-separated.",
)
@click.option(
    "--shift",
    "shifts",
    multiple=True,
    help='A scenario to report beside the result, as for `lm3 scenario`: "category=Facilities,share=10%".',
)
@run_options
def report(
    project: Path | None,
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
      lm3 report lm3-samples/bradford-trident --out out/
      lm3 report --payments pay.csv --suppliers register.xlsx --area Bradford --out out/ --format html,xlsx
    """
    with errors(debug):
        chosen_formats = lm3.parse_formats(formats)
        chosen = project_from(project, options)
        written = [out / "report.html", out / "report.xlsx", out / "result.json"]
        written += [out / "charts" / f"{name}.{kind}" for name in charts.CHARTS for kind in ("png", "svg")]
        refuse_overwrite(written, study_files(chosen))
        with progress_bar(quiet, "lm3 calculate") as progress:
            result = chosen.calculate(progress=progress)
        table = result.scenarios(list(shifts)) if shifts else None
        with progress_bar(quiet, "lm3 report") as progress:
            files = lm3.write_report(result, out, formats=chosen_formats, scenarios=table, progress=progress)
    echo(result.headline)
    echo(f"Wrote {len(files.all())} file(s) to {out}:")
    for path in (files.html, files.xlsx, files.json):
        if path is not None:
            echo(f"  {path}")
    if files.charts:
        kinds = sorted({p.suffix.lstrip(".").upper() for p in files.charts})
        echo(f"  {len(files.charts)} charts ({', '.join(kinds)}) in {files.charts[0].parent}")


@cli.group()
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


@cli.group("companies-house")
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


REGISTERS_OPTION = click.option(
    "--registers",
    type=click.Path(file_okay=False, path_type=Path),
    help="The register store (a folder): default, your own (LM3_DATA_DIR, else the platform's data folder).",
)


@cli.group(invoke_without_command=True)
@REGISTERS_OPTION
@json_option("Print the registers held as a JSON list.")
@click.pass_context
def registers(ctx: click.Context, registers: Path | None, as_json: bool) -> None:
    """The register store: open registers on this machine that place suppliers (Companies House, the
    charity registers, CQC, GIAS, NHS ODS, Contracts Finder, 360Giving...). Every study reads it. With no
    command, lists what it holds.

    \b
    Example:
      lm3 registers add BasicCompanyDataAsOneFile-2025-11-01.zip
      lm3 registers download charity-commission
      lm3 registers
    """
    if ctx.invoked_subcommand is None:
        with errors(False):
            held = lm3.registers.table(registers)
        echo(
            lm3.to_json(held.to_dict("records")) if as_json else format_registers(held, lm3.registers.known())
        )


@registers.command("list")
@REGISTERS_OPTION
@json_option("Print the registers held as a JSON list.")
def registers_list(registers: Path | None, as_json: bool) -> None:
    """List the registers the store holds (name, date, rows, licence, where each came from)."""
    with errors(False):
        held = lm3.registers.table(registers)
    echo(lm3.to_json(held.to_dict("records")) if as_json else format_registers(held, lm3.registers.known()))


@registers.command("add")
@click.argument("files", nargs=-1, required=True, type=FILE)
@REGISTERS_OPTION
@click.option("--name", help="The name to keep it under (default: the register's own, or the file's).")
@click.option(
    "--date", help="The date of its data, YYYY-MM-DD (default: a date in the file's name, else its own)."
)
@run_options
def registers_add(
    files: tuple[Path, ...],
    registers: Path | None,
    name: str | None,
    date: str | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Add bulk register files to the store, each recognised by its content (Companies House CSV or ZIP,
    the Charity Commission extract, OSCR, CCNI, CQC, RQIA, GIAS, NHS ODS files, OCDS, 360Giving, or any
    table of names and postcodes). A newer file of a register held replaces it.

    \b
    Example:
      lm3 registers add BasicCompanyDataAsOneFile-2025-11-01.zip publicextract.charity.zip
    """
    with errors(debug), progress_bar(quiet, "lm3 registers add") as progress:
        added = lm3.registers.add(list(files), registers=registers, name=name, date=date, progress=progress)
    for info in added:
        echo(f"Added {info.name}: {info.rows:,} rows of {info.title} ({info.date}), from {info.file}.")


@registers.command("download")
@click.argument("name")
@REGISTERS_OPTION
@click.option(
    "--url",
    help="Fetch it from this address instead (a publisher's file moved, or a register that needs one).",
)
@click.option("--mirror", help="A server holding the publishers' files under the same paths.")
@click.option("--sha256", help="The checksum the file must have.")
@click.option("--keep", is_flag=True, help="Keep the downloaded file (beside the store) after adding it.")
@run_options
def registers_download(
    name: str,
    registers: Path | None,
    url: str | None,
    mirror: str | None,
    sha256: str | None,
    keep: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Fetch register NAME's official bulk file from its publisher (resuming an interrupted download),
    check it (size, checksum, a ZIP's CRCs, its layout) and add it. `lm3 registers` lists the names.

    \b
    Example:
      lm3 registers download companies-house
      lm3 registers download cqc --url https://www.cqc.org.uk/.../CQC_directory.csv
    """
    with errors(debug), progress_bar(quiet, f"lm3 registers download {name}") as progress:
        info = lm3.registers.download(
            name, registers=registers, url=url, mirror=mirror, sha256=sha256, keep=keep, progress=progress
        )
    echo(f"Added {info.name}: {info.rows:,} rows of {info.title} ({info.date}), from {info.source}.")


@registers.command("remove")
@click.argument("name")
@REGISTERS_OPTION
@run_options
def registers_remove(name: str, registers: Path | None, quiet: bool, debug: bool) -> None:
    """Drop register NAME from the store."""
    with errors(debug):
        info = lm3.registers.remove(name, registers=registers)
    echo(f"Removed {info.name} ({info.rows:,} rows, {info.date}).")


@cli.command("batch")
@click.argument("manifest", type=PATH)
@click.option("--out", type=PATH, required=True, help="The folder for summary, leakage, problems and parts.")
@click.option(
    "--suppliers",
    "suppliers",
    type=FILE,
    multiple=True,
    help="A supplier register every task places its suppliers with (repeat for several).",
)
@click.option(
    "--companies-house",
    "companies_house",
    type=FILE,
    help="A Companies House index (lm3 companies-house index) to place the suppliers registers do not "
    "(the register store places them too: lm3 registers add).",
)
@REGISTERS_OPTION
@click.option(
    "--scheduler",
    help="Run on Dask: 'local' (a LocalCluster on this machine) or a scheduler's address, tcp://HOST:8786.",
)
@click.option("--workers", type=click.IntRange(1), help="Processes (or Dask workers) [default: the cores].")
@click.option("--resume", is_flag=True, help="Keep the tasks an earlier run finished (out/parts/).")
@json_option("Print the summary as JSON.")
@run_options
def batch_command(
    manifest: Path,
    out: Path,
    suppliers: tuple[Path, ...],
    companies_house: Path | None,
    registers: Path | None,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Every body and year in MANIFEST: local share, coverage and LM3 for each, in one table.

    MANIFEST is a CSV (file, body, area, period) or a folder BODY/PERIOD/*.csv with areas.csv (body, area).
    A bad file lands in OUT/problems.csv; the others go on. No register is needed: each task places suppliers
    from the spend files' own postcodes and numbers, the register store and lm3's public bodies too.

    \b
    Example:
      lm3 batch manifest.csv --suppliers register.csv --out batch/
      lm3 batch spend/ --suppliers register.csv --out batch/ --scheduler local --workers 4
    """
    with errors(debug), progress_bar(quiet, "lm3 batch") as progress:
        result = lm3.batch(
            manifest,
            suppliers=list(suppliers),
            companies_house=companies_house,
            registers=registers,
            out=out,
            scheduler=scheduler,
            workers=workers,
            resume=resume,
            progress=progress,
        )
    if as_json:
        echo(lm3.to_json(result.to_dict()))
        return
    echo(format_batch(result, out))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the web browser.")
@click.option(
    "--max-upload-mb",
    default=200,
    show_default=True,
    type=click.IntRange(1),
    help="The largest upload at once, in MB.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="A host name the app answers to besides this computer's (a team server's name).",
)
@REGISTERS_OPTION
def serve(
    host: str,
    port: int,
    open_browser: bool,
    max_upload_mb: int,
    allowed_hosts: tuple[str, ...],
    registers: Path | None,
) -> None:
    """Run the web app: upload spreadsheets, check them, see LM3 and download the report, in a browser.

    \b
    Everything stays on this computer. Needs the web extra:
      pip install "lm3[web]"
      lm3 serve --open
    """
    if web.missing():
        raise click.ClickException(
            f"The web app needs the web extra ({', '.join(web.missing())} not installed): "
            'pip install "lm3[web]"'
        )
    if not web.server.is_loopback(host):
        click.echo(
            f"Warning: listening on {host}, so other computers can reach this app and the payroll and spend "
            "data uploaded to it. Put it behind your organisation's own login.",
            err=True,
        )
    web.serve(
        host=host,
        port=port,
        open_browser=open_browser,
        max_upload_mb=max_upload_mb,
        allowed_hosts=allowed_hosts,
        registers=registers,
        started=lambda url: echo(f"lm3 is running at {url} (press Ctrl+C to stop)"),
    )


def main() -> None:
    """Entry point of the ``lm3`` command, ``python -m lm3`` and ``python cli.py``."""
    cli(prog_name="lm3")
