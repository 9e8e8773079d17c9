"""A project folder: ``lm3.toml`` naming the inputs and options of a study, beside its files.

    name = "Bradford Trident (illustrative sample)"
    area = "Bradford"                  # or a list: ["Bradford", "Leeds"]; names or ONS codes
    # income = 1250000                 # round 1, when it should be income rather than spend
    pay_basis = "gross"                # or "net"
    branch_is_local = true
    # tiers = ["Neighbourhood=3km around BD7 1AA", "District=Bradford",
    #          "West Yorkshire=Bradford,Calderdale,Kirklees,Leeds,Wakefield", "UK=UK"]
    # match_threshold = 90            # fuzzy supplier-name matching to the register (0-100)
    # imputation = "mean"             # non-respondents: "mean" of respondents (NEF) or "weighted" by round 2
    # min_category = 5                # respondents a supplier type needs to use its own mean
    # level = 0.9                     # the bootstrap interval; seed = 2002 fixes its draws
    # count_non_local = true          # non-local suppliers' local re-spend as its own line (default 36%)
    # exclude = ["supplier_type=public body", "expense_type=Precepts"]   # spend the study leaves out
    # registers = "registers"         # a register store of the project's own (default: the user's)

    # [defaults]                      # round-3 shares for a group with no respondents (published ones ship)
    # supplier_share = "76%"
    # staff_share = "45.4%"
    # non_local_supplier_share = "36%"

    [columns]                          # optional: the payments file's columns, where detection is wrong
    supplier = "Vendor Name"
    amount = "Net"

    [register_columns]                 # optional: the register's columns, where detection is wrong
    postcode = "Site Postcode"

    [inputs]                           # paths relative to this file
    payments = "payments.xlsx"         # or a year of files: ["2024-04.csv", "2024-05.csv"], a folder, "spend/*.csv"
    suppliers = "suppliers.xlsx"       # optional: or several: ["register.xlsx", "unplaced-filled.xlsx"]
    payroll = "payroll.xlsx"
    supplier_survey = "supplier-survey.xlsx"
    staff_survey = "staff-survey.xlsx"  # or a list, or a folder of one form per person

The keys are the argument names of ``lm3.calculate`` (and the CLI's flags, with - for _).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from lm3.errors import InputError
from lm3.study.calculate import calculate
from lm3.study.locate import LocateResult, locate
from lm3.study.options import INPUTS, StudyOptions, relative_to
from lm3.study.result import LM3Result
from lm3.values import params

CONFIG_NAME = "lm3.toml"
TABLES = tuple(o.name for o in StudyOptions.declared() if o.kind == "pairs")  # [columns], [defaults]...
SETTINGS = tuple(o.name for o in StudyOptions.declared() if o.group != "inputs" and o.name not in TABLES)
LOCATE_OPTIONS = (
    "tiers",
    "branch_is_local",
    "match_threshold",
    "columns",
    "sheet",
    "register_columns",
    "scope",
    "top",
    "exclude",
    "registers",
)


@dataclass(frozen=True)
class Project(StudyOptions):
    """The inputs and options of one study (``StudyOptions``), from an lm3.toml or given; ``calculate()``
    and ``locate()`` run it."""

    def with_options(self, **overrides: Any) -> Project:
        """A copy with the options given (None means "not given": the project's value stays)."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def _check(self, required: tuple[str, ...] = ("payments", "area")) -> None:
        missing = [k for k in required if getattr(self, k) in (None, ())]
        if missing:
            raise InputError(
                f"Missing {', '.join(missing)}: give them, or a project folder whose {CONFIG_NAME} names them.",
                code="missing-inputs",
                params=tuple(missing),
            )

    def calculate(self, *, progress: Any = None) -> LM3Result:
        """Run ``lm3.calculate`` on this project (``progress`` as there)."""
        self._check()
        args = {f.name: getattr(self, f.name) for f in fields(self)}  # as given: inputs may be tables read
        return calculate(args.pop("payments"), args.pop("suppliers"), progress=progress, **args)

    def locate(self) -> LocateResult:
        """Run ``lm3.locate`` on this project (payments, suppliers if any, area, tiers, the reading and
        placing options, the register store)."""
        self._check()
        return locate(
            self.payments,
            self.suppliers,
            area=self.area,  # type: ignore[arg-type]  # _check made sure it is given
            **{k: getattr(self, k) for k in LOCATE_OPTIONS},
        )


SAMPLES = ("bradford-trident", "no-surveys")  # the sample projects shipped inside the package


def sample(name: str = "bradford-trident") -> Path:
    """The folder of a sample project shipped with lm3, wherever lm3 is installed: ``"bradford-trident"``
    (reproduces Locality's published figure for Bradford Trident: every £1 creates £2.52) or ``"no-surveys"``
    (the same files without the surveys). ``lm3.load_project(lm3.sample()).calculate()`` runs it; copy the
    folder to change its files."""
    if name not in SAMPLES:
        raise InputError(
            f"No sample named {name!r}: the samples are {', '.join(SAMPLES)}.",
            code="bad-parameter",
            params=("name",),
        )
    return Path(str(resources.files("lm3").joinpath("data", "samples", name)))


def load_project(directory: str | Path) -> Project:
    """Read ``lm3.toml`` from a project folder (or the file itself). Paths are relative to it."""
    params.path("directory", directory)
    config = _config_file(Path(directory))
    data = _toml(config)
    inputs = data.pop("inputs", {})
    if not isinstance(inputs, dict):
        raise InputError(
            f'{config}: [inputs] must be a table naming the files, like\n[inputs]\npayments = "payments.xlsx"',
            code="bad-setting",
        )
    tables = {name: data.pop(name) for name in TABLES if name in data}
    unknown = [k for k in data if k not in SETTINGS] + [f"inputs.{k}" for k in inputs if k not in INPUTS]
    if unknown:
        raise InputError(
            f"{config}: unknown setting {', '.join(map(repr, unknown))}. Settings: {', '.join(SETTINGS)}; "
            f"under [inputs]: {', '.join(INPUTS)}; [columns] for the payments file's columns, "
            "[register_columns] for the register's; [defaults] for round-3 default shares.",
            code="bad-setting",
        )
    _check_tables(config, tables)
    if isinstance(inputs.get("payroll"), list):
        raise InputError(
            f"{config}: [inputs] payroll names one file (payments, suppliers and the surveys may be lists).",
            code="bad-setting",
        )
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    if isinstance(values.get("income"), int | float) and not isinstance(values["income"], bool):
        values["income"] = str(values["income"])
    values |= {name: dict(table) for name, table in tables.items() if table}
    StudyOptions.check(values, where=f"{config}: setting ")
    return Project(**relative_to({**inputs, **values}, config.parent))


def _config_file(path: Path) -> Path:
    config = path / CONFIG_NAME if path.is_dir() else path
    if not config.is_file():
        where = f"{path} has no {CONFIG_NAME}" if path.is_dir() else f"{path} does not exist"
        raise InputError(
            f"Project folder not found: {where}. Give a folder holding {CONFIG_NAME}, or the input files "
            "themselves (payments, suppliers, area).",
            code="project-not-found",
            params=("payments", "suppliers", "area"),
        )
    if config.suffix.casefold() != ".toml":  # a spend file given where the project goes
        raise InputError(
            f"{path} is a file, not a project: a project is a folder holding {CONFIG_NAME} (or that file). To "
            "read this file as the payments, give it as the payments file (--payments).",
            code="project-not-found",
            params=("payments",),
        )
    return config


def _toml(config: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InputError(f"{config}: not valid TOML ({err}).", code="bad-setting") from err
    except UnicodeDecodeError as err:
        raise InputError(
            f"{config}: not UTF-8 text (byte {err.start:,}). Save it again as UTF-8.", code="bad-setting"
        ) from err


def _check_tables(config: Path, tables: dict[str, Any]) -> None:
    """[columns] and [register_columns] map a field to a header; [defaults] a default to a share."""
    for name, table in tables.items():
        if not isinstance(table, dict):
            ok = False
        elif name == "defaults":
            ok = True  # each share is checked with the options
        else:
            ok = all(isinstance(v, str) for v in table.values())
        if not ok:
            what = (
                'a default to a share, like staff_share = "40%"'
                if name == "defaults"
                else 'a column to its header, like supplier = "Vendor Name"'
            )
            raise InputError(f"{config}: [{name}] maps {what}.", code="bad-setting")
