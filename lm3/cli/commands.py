"""The ``lm3`` commands: each parses its options, makes one call to the public API (``lm3``), and formats
the result. The options are declared once, in ``lm3.cli.options``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

import lm3
from lm3 import charts
from lm3.cli.formatting import (
    format_compare,
    format_ingest,
    format_locate,
    format_result,
    format_scenarios,
    next_step,
)
from lm3.cli.lists import companies_house_group, suppliers, survey
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
from lm3.cli.service import batch_command, registers, serve
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
    default=lm3.frontend.DEFAULT_MERGE_THRESHOLD,
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
        moved = lm3.scenarios(result, list(shifts), to=to_supplier or "local")
    if as_json:
        echo(lm3.to_json(moved.records()))
        return
    echo(format_scenarios(result, moved.table))


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
        compared = lm3.compare(list(results))
    echo(lm3.to_json(compared.records()) if as_json else format_compare(compared))


@cli.command()
@study_inputs()
@method_options
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write."
)
@click.option(
    "--format",
    "formats",
    default=",".join(lm3.frontend.REPORT_FORMATS),
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
        chosen_formats = lm3.frontend.parse_formats(formats)
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


for command in (suppliers, survey, companies_house_group, registers, batch_command, serve):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``lm3`` command, ``python -m lm3`` and ``python cli.py``."""
    cli(prog_name="lm3")
