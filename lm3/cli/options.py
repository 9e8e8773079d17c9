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

import lm3
from lm3 import LM3Error, PostcodeDirectory, Project, load_project
from lm3.cli.text import terminal

F = TypeVar("F", bound=Callable[..., Any])
FILE = click.Path(dir_okay=False, path_type=Path)
PATH = click.Path(path_type=Path)
_PAIR = re.compile(r"\s*(\w+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^,]*))\s*(?:,|$)")

# the flags a study takes, derived from its declared options (lm3.options): what is not the method's is an
# input of every command that reads a study
INPUT_PARAMS = tuple(o.name for o in lm3.options.declared() if o.group != "method")
METHOD_PARAMS = tuple(o.name for o in lm3.options.declared() if o.group == "method")
_FLAGS = {"tiers": "--tier", "defaults": "--default"}  # a repeated flag is named in the singular
_OFF = {"branch_is_local": "--branch-is-not-local"}  # a yes-or-no flag's "no", where not --no-<flag>
_MANY = ("payments", "files", "texts", "pairs")  # kinds given by repeating the flag


def flag(param: str) -> str:
    """The flag for an API parameter: ``pay_basis`` -> ``--pay-basis``."""
    return _FLAGS.get(param, "--" + param.replace("_", "-"))


def _apply(command: F, options: list[Callable[[Any], Any]]) -> F:
    for option in reversed(options):
        command = option(command)
    return command


def _type(option: lm3.options.Option) -> Any:
    """The click type of an option's kind."""
    if option.kind in ("files", "file", "folder"):
        return click.Path(dir_okay=option.kind != "file", file_okay=option.kind != "folder", path_type=Path)
    if option.kind == "choice":
        return click.Choice(option.choices)
    if option.kind == "number":
        return click.FloatRange(option.low, option.high)
    if option.kind == "whole":
        return click.IntRange(
            None if option.low is None else int(option.low), None if option.high is None else int(option.high)
        )
    return None


def _help(option: lm3.options.Option) -> str:
    """An option's help, with its default where it has one worth saying, and how to give several."""
    text = option.help
    if option.kind in ("payments", "files", "file", "folder"):
        text = f"{option.label}. {text}"  # what the file is, first
    if option.kind in _MANY and option.kind != "pairs":
        text += " Repeat for several."
    elif option.kind == "pairs":
        text += " Repeat, or separate pairs with commas."
    if option.kind in ("choice", "number", "whole") and option.default is not None:
        text += (
            f" [default: {option.default:g}]"
            if isinstance(option.default, float)
            else f" [default: {option.default}]"
        )
    elif option.kind == "flag":
        text += f" [default: {'yes' if option.default else 'no'}]"
    return text


def click_option(option: lm3.options.Option) -> Callable[[Any], Any]:
    """The flag of one declared option. Its default is None ("not given"), so a project's lm3.toml value
    stands unless the flag is given."""
    name = flag(option.name)
    if option.kind == "flag":
        off = _OFF.get(option.name, "--no-" + name.removeprefix("--"))
        return click.option(f"{name}/{off}", option.name, default=None, help=_help(option))
    return click.option(
        name,
        option.name,
        type=_type(option),
        multiple=option.kind in _MANY,
        default=None,
        help=_help(option),
    )


def study_inputs(*, project: str = "argument") -> Callable[[F], F]:
    """A study's inputs: PROJECT (a folder holding lm3.toml; ``project="option"`` makes it --project, for a
    command with arguments of its own) and the files, area, tiers, reading and placing options, which
    override it."""
    where = (
        click.argument("project", required=False, type=PATH)
        if project == "argument"
        else click.option("--project", type=PATH, help="A project folder holding lm3.toml.")
    )
    options = [click_option(lm3.options.option(name)) for name in INPUT_PARAMS]
    return lambda command: _apply(command, [where, *options])


def method_options(command: F) -> F:
    """The choices of the method, for every command that computes a result."""
    return _apply(command, [click_option(lm3.options.option(name)) for name in METHOD_PARAMS])


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
        kind = lm3.options.option(param).kind
        if kind in ("payments", "files"):
            value = _several(value)
        elif kind == "pairs":
            value = parse_pairs(value, flag(param)) or None
            if value and param == "defaults" and base.defaults:
                value = base.defaults | value  # a default given joins those of lm3.toml
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
