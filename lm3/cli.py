"""The ``lm3`` command: a thin layer over the Python API (parse options, one API call, format)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from lm3 import __version__
from lm3._errors import LM3Error
from lm3._money import format_gbp
from lm3._project import Project, load_project
from lm3._result import LM3Result

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
@click.option("--suppliers", type=FILE, help="Supplier register: supplier, postcode[, head office postcode].")
@click.option("--payroll", type=FILE, help="Payroll: employee id, home postcode, gross pay[, net pay].")
@click.option("--supplier-survey", type=FILE, help="Supplier survey: supplier, local spend share.")
@click.option("--staff-survey", type=FILE, help="Staff survey: employee id, local spend share.")
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
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
def calculate(
    project: Path | None,
    as_json: bool,
    debug: bool,
    area: tuple[str, ...],
    **options: Any,
) -> None:
    """Calculate LM3 from input files, or from PROJECT, a folder holding lm3.toml (options override it).

    \b
    Example:
      lm3 calculate data/samples/bradford-trident
      lm3 calculate --payments pay.csv --suppliers register.xlsx --area Bradford
    """
    try:
        base = load_project(project) if project is not None else Project()
        result = base.with_options(area=area or None, **options).calculate()
    except LM3Error as err:
        if debug:
            raise
        raise click.ClickException(str(err)) from err
    except Exception as err:
        if debug:
            raise
        raise click.ClickException(
            f"Unexpected {type(err).__name__}: {err}. This is a bug in lm3: please report it with the output "
            "of the same command with --debug."
        ) from err
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_result(result))


def format_result(result: LM3Result) -> str:
    """The plain-text report: the rounds as a table, the headline, where the money went, caveats."""
    title = f"LM3 for {result.area.name} ({', '.join(result.area.codes)})"
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
    local = s[s["local"]]
    answered = int((local["share_source"] == "survey").sum())
    survey = [f"{answered} of {len(local)} local suppliers"]
    if len(result.staff):
        staff = ", ".join(
            f"{int(r.employees)} {_HOME[r.home]} ({format_gbp(int(r.round1))})"
            for r in result.staff.itertuples(index=False)
        )
        lines.append(f"Staff: {staff}")
        here = result.staff[result.staff["home"] == "in the area"]
        if len(here):
            survey.append(
                f"{int(here['respondents'].iloc[0])} of {int(here['employees'].iloc[0])} local staff"
            )
    lines.append("Survey answers: " + "; ".join(survey))
    leaks = f"{format_gbp(result.round1 - result.round2)} in round 2, {format_gbp(result.round2 - result.round3)} in round 3"
    lines.append(f"Leakage: {leaks}")
    lines += ["", "Assumptions:"]
    lines += [f"  - {a.name}: {a.value}" for a in result.assumptions]
    if result.warnings:
        lines += ["", "Warnings:"]
        lines += [f"  - {w}" for w in result.warnings]
    return "\n".join(lines)


def main() -> None:
    """Entry point of the ``lm3`` command, ``python -m lm3`` and ``python cli.py``."""
    cli(prog_name="lm3")
