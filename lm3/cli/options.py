"""The CLI's options, declared once and shared by every command that takes them (as sqlite-utils'
``output_options``), and the translation between flags and the API's parameters.

- ``study_inputs``: where a study's inputs are (a project folder, or the files and the area) and how to read
  them; every command that reads a study takes these, with the same names.
- ``method_options``: the choices of the method; every command that computes a result takes these.
- ``run_options``: --quiet and --debug.

A flag's name is its API parameter with - for _ (``--pay-basis`` <-> ``pay_basis=``): ``flag(param)``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from lm3 import DEFAULT_MATCH_THRESHOLD, LM3Error, PostcodeDirectory, Project, load_project
from lm3.cli.text import terminal

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)
PATH = click.Path(path_type=Path)
_PAIR = re.compile(r"\s*(\w+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^,]*))\s*(?:,|$)")

# the options of study_inputs and method_options, as Project's fields; a test keeps the two in step
INPUT_PARAMS = (
    "payments",
    "suppliers",
    "payroll",
    "supplier_survey",
    "staff_survey",
    "area",
    "tiers",
    "name",
    "columns",
    "sheet",
    "register_columns",
    "branch_is_local",
    "match_threshold",
    "exclude",
    "registers",
)
METHOD_PARAMS = (
    "income",
    "pay_basis",
    "imputation",
    "min_category",
    "defaults",
    "count_non_local",
    "level",
    "seed",
)
_FLAGS = {"tiers": "--tier", "defaults": "--default"}


def flag(param: str) -> str:
    """The flag for an API parameter: ``pay_basis`` -> ``--pay-basis``."""
    return _FLAGS.get(param, "--" + param.replace("_", "-"))


def _apply(command: F, options: list[Callable[[Any], Any]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def study_inputs(*, project: str = "argument") -> Callable[[F], F]:
    """A study's inputs: PROJECT (a folder holding lm3.toml; ``project="option"`` makes it --project, for a
    command with arguments of its own) and the files, area, tiers and reading options, which override it."""
    where = (
        click.argument("project", required=False, type=PATH)
        if project == "argument"
        else click.option("--project", type=PATH, help="A project folder holding lm3.toml.")
    )
    options: list[Callable[[Any], Any]] = [
        where,
        click.option(
            "--payments",
            multiple=True,
            help="Spend file or payments ledger (anything `lm3 ingest` reads). Repeat, or give a folder or a "
            "quoted glob ('spend/2024-*.csv'), for a year of monthly files.",
        ),
        click.option(
            "--suppliers",
            type=FILE,
            multiple=True,
            help="Supplier register (optional): name, postcode, and any of head office postcode, supplier id, "
            "company number, charity number, VCSE flag, type, SME flag. Repeat to combine several (a filled-in "
            "`lm3 suppliers template`, `lm3 suppliers companies-house` matches). Without one, suppliers are "
            "placed from the spend file's own postcodes and numbers, the register store and lm3's public bodies.",
        ),
        click.option(
            "--payroll", type=FILE, help="Payroll: employee id, home postcode, gross pay[, net pay]."
        ),
        click.option(
            "--supplier-survey",
            type=PATH,
            multiple=True,
            help="Supplier survey answers: a filled-in `lm3 survey template suppliers`, or supplier and local "
            "spend share columns. Repeat, or give a folder, for one file per supplier.",
        ),
        click.option(
            "--staff-survey",
            type=PATH,
            multiple=True,
            help="Staff survey answers: a filled-in `lm3 survey template staff`, or employee id and local spend "
            "share columns. Repeat, or give a folder, for one file per person.",
        ),
        click.option(
            "--area",
            multiple=True,
            help="The local area: a district (Bradford, E08000032), a council ('Salford City Council'), a "
            "county (Lancashire), a combined authority or metropolitan county ('Greater Manchester', 'West "
            "Yorkshire', 'Tyne and Wear'), a region (North West), England or UK, postcode districts or sectors "
            "(BD7, 'BD7 1'), or '5km around BD1 1HY'. Repeat for several.",
        ),
        click.option(
            "--tier",
            "tiers",
            multiple=True,
            help="A tier to report, as Name=area ('Neighbourhood=3km around BD7 1AA', "
            "'West Yorkshire=Bradford,Leeds,Calderdale,Kirklees,Wakefield'); repeat, innermost first.",
        ),
        click.option("--name", help="The organisation's name, for the headline and the forms."),
        click.option(
            "--columns",
            multiple=True,
            help='The payments file\'s columns, where detection is wrong: supplier="Vendor Name",amount=Net.',
        ),
        click.option("--sheet", help="Read only this sheet of the payments workbook."),
        click.option(
            "--register-columns",
            multiple=True,
            help='The supplier register\'s columns, where detection is wrong: postcode="Site Postcode".',
        ),
        click.option(
            "--branch-is-local/--branch-is-not-local",
            default=None,
            help="Count a local branch of a non-local head office as local (default) or not.",
        ),
        click.option(
            "--exclude",
            multiple=True,
            help="Spend to leave out of the study, as FIELD=VALUE (repeatable): FIELD is expense_type, "
            "service_area, capital_revenue, supplier or supplier_type; VALUE whole, or a pattern with *. "
            "'supplier_type=public body' leaves out transfers to other public bodies.",
        ),
        click.option(
            "--registers",
            type=click.Path(file_okay=False, path_type=Path),
            help="The register store to place suppliers from (a folder): default, your own (lm3 registers).",
        ),
        click.option(
            "--match-threshold",
            type=click.FloatRange(0, 100),
            default=None,
            help=f"Similarity (0-100) for matching a supplier to the register by a near name [default: "
            f"{DEFAULT_MATCH_THRESHOLD:g}]; fuzzy matches are listed for checking.",
        ),
    ]
    return lambda command: _apply(command, options)


def method_options(command: F) -> F:
    """The choices of the method, for every command that computes a result."""
    return _apply(
        command,
        [
            click.option(
                "--income", help="Round 1 as the organisation's income (pounds) instead of its spending."
            ),
            click.option(
                "--pay-basis",
                type=click.Choice(["gross", "net"]),
                help="Count staff pay gross (default; NEF's staff form) or net of deductions.",
            ),
            click.option(
                "--imputation",
                type=click.Choice(["mean", "weighted"]),
                help="Non-respondents take the simple mean of respondents (default, NEF) or the "
                "round-2-weighted mean.",
            ),
            click.option(
                "--min-category",
                type=click.IntRange(1),
                help="Respondents a supplier type (VCSE, SME, large, public body) needs to use its own mean "
                "[default: 5].",
            ),
            click.option(
                "--default",
                "defaults",
                multiple=True,
                help="A round-3 share for a group with no respondents, replacing the published one: "
                "supplier_share=50%, staff_share=40%.",
            ),
            click.option(
                "--count-non-local/--no-count-non-local",
                default=None,
                help="Also count non-local suppliers' local re-spend (their survey answers, else the published "
                "36%), as its own line beside the rounds.",
            ),
            click.option(
                "--level", type=click.FloatRange(0.5, 0.999), help="The interval's level [default: 0.9]."
            ),
            click.option("--seed", type=int, help="Seed of the bootstrap's draws [default: 2002]."),
        ],
    )


def run_options(command: F) -> F:
    """--quiet and --debug."""
    return _apply(
        command,
        [
            click.option(
                "--quiet", is_flag=True, help="No progress bar (there is none when output is not a terminal)."
            ),
            click.option("--debug", is_flag=True, help="Show the full traceback of an error."),
        ],
    )


def json_option(what: str = "Print the result as one JSON object.") -> Callable[[F], F]:
    """--json, with what it prints."""
    return click.option("--json", "as_json", is_flag=True, help=what)


def parse_pairs(values: tuple[str, ...] | list[str], option: str) -> dict[str, str]:
    """``supplier="Vendor Name",amount=Net`` (one or more) as {"supplier": "Vendor Name", "amount": "Net"}."""
    mapping: dict[str, str] = {}
    for text in values:
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _PAIR.match(text, pos)
            if not m or m.end() == pos:
                raise click.BadParameter(
                    f"{text!r}: write name=value pairs separated by commas, like "
                    'supplier="Vendor Name",amount=Net',
                    param_hint=option,
                )
            value = next(g for g in m.groups()[1:] if g is not None).strip()
            mapping[m.group(1)] = value
            pos = m.end()
    return mapping


def _several(paths: tuple[Path, ...]) -> Path | tuple[Path, ...] | None:
    return None if not paths else paths[0] if len(paths) == 1 else paths


def project_from(project: Path | None, options: dict[str, Any]) -> Project:
    """The project folder's settings (or none), overridden by the study options given; takes the study's
    options out of ``options`` (what is left is the command's own)."""
    base = load_project(project) if project is not None else Project()
    given: dict[str, Any] = {}
    for param in (*INPUT_PARAMS, *METHOD_PARAMS):
        if param not in options:
            continue
        value = options.pop(param)
        if param in ("supplier_survey", "staff_survey"):
            value = _several(value)
        elif param == "payments":
            value = (value[0] if len(value) == 1 else tuple(value)) if value else None
        elif param in ("columns", "register_columns"):
            value = parse_pairs(value, flag(param)) or None
        elif param == "defaults":
            value = parse_pairs(value, "--default") or None
            if value and base.defaults:
                value = base.defaults | value
        elif isinstance(value, tuple):
            value = value or None
        given[param] = value
    return base.with_options(**given)


def _input_files(value: object) -> Iterator[Path]:
    """The files an input names: a file, the files of a folder, what a glob matches; lists of these."""
    if value is None:
        return
    if isinstance(value, list | tuple):
        for item in value:
            yield from _input_files(item)
        return
    path = Path(str(value))
    if path.is_dir():
        yield from (p for p in path.iterdir() if p.is_file())
    elif any(c in path.name for c in "*?["):
        yield from path.parent.glob(path.name)
    else:
        yield path


def refuse_overwrite(outputs: Iterable[Path], inputs: dict[str, object]) -> None:
    """Refuse (exit 2, before anything is read) to write a file this run reads: --out naming the payments,
    a register, a survey... ``inputs`` maps how the user gave each (``--payments``, ``FILES``) to it."""
    reading = {p.resolve(): name for name, value in inputs.items() for p in _input_files(value)}
    for out in outputs:
        if out.resolve() in reading:
            raise click.BadParameter(
                f"{out} is one of this run's inputs ({reading[out.resolve()]}): writing it would destroy "
                "it. Write somewhere else.",
                param_hint="'--out'",
            )


def study_files(project: Project) -> dict[str, object]:
    """A study's input files by their flag, for ``refuse_overwrite``."""
    names = ("payments", "suppliers", "payroll", "supplier_survey", "staff_survey")
    return {flag(name): getattr(project, name) for name in names}


@contextmanager
def errors(debug: bool) -> Iterator[None]:
    """Turn lm3's errors into a message, with the flags of the parameters it names (and anything else into
    a bug report hint), unless --debug."""
    try:
        yield
    except LM3Error as err:
        if debug:
            raise
        message = terminal(str(err))
        if err.params:
            message += f"\nTry {', '.join(flag(p) for p in err.params)}."
        raise click.ClickException(message) from err
    except click.ClickException:
        raise
    except Exception as err:
        if debug:
            raise
        raise click.ClickException(
            f"Unexpected {type(err).__name__}: {terminal(str(err))}. This is a bug in lm3: please report it with the output "
            "of the same command with --debug."
        ) from err


def index_notice() -> str | None:
    """What to say before a study whose first placing builds the postcode index (once per machine)."""
    if PostcodeDirectory().built:
        return None
    return "Building the postcode index (2.7 million postcodes; once, a few seconds)..."


@contextmanager
def progress_bar(quiet: bool, label: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress bar on stderr for a long step, as a ``progress(step, done, total)`` callback; None (no
    bar) with --quiet or when stderr is not a terminal (a pipe, a file, a test)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    notice = index_notice()
    if notice:
        click.echo(notice, err=True)
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
