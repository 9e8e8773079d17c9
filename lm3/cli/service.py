"""The commands that serve or run many studies: the register store (lm3 registers), the batch runner,
and the web app (lm3 serve).
"""

from __future__ import annotations

from pathlib import Path

import click

import lm3
from lm3 import web
from lm3.cli.formatting import (
    format_batch,
    format_registers,
)
from lm3.cli.options import (
    FILE,
    PATH,
    errors,
    json_option,
    progress_bar,
    run_options,
)
from lm3.cli.text import echo

REGISTERS_OPTION = click.option(
    "--registers",
    type=click.Path(file_okay=False, path_type=Path),
    help="The register store (a folder): default, your own (LM3_DATA_DIR, else the platform's data folder).",
)


@click.group(invoke_without_command=True)
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


@click.command("batch")
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


@click.command()
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
@click.option(
    "--idle-minutes",
    default=60,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Minutes without use after which a browser's files are deleted.",
)
@click.option(
    "--forwarded-allow-ips",
    help="Proxies in front of the app (addresses, comma-separated) whose X-Forwarded-Proto is believed, so "
    "a session cookie sent over HTTPS is marked Secure.  [default: 127.0.0.1]",
)
@REGISTERS_OPTION
def serve(
    host: str,
    port: int,
    open_browser: bool,
    max_upload_mb: int,
    allowed_hosts: tuple[str, ...],
    idle_minutes: float,
    forwarded_allow_ips: str | None,
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
        idle_minutes=idle_minutes,
        forwarded_allow_ips=forwarded_allow_ips,
        registers=registers,
        started=_say_started,
    )


def _say_started(url: str, other: str | None) -> None:
    echo(f"lm3 is running at {url} (press Ctrl+C to stop)")
    if other is not None:
        echo(f"If your browser cannot open that address, use {other}")
