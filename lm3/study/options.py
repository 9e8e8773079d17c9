"""A study's options, declared once: ``StudyOptions``. Each field is one option, with its default, what it
accepts (the check), the words a person reads about it (its label and help) and its kind (a file, text,
a choice...). Everything else is derived from it:

- ``lm3.calculate`` and ``lm3.locate`` take these names and defaults as keywords (a test keeps their
  signatures in step) and check them here (``StudyOptions.check``);
- ``lm3.Project`` is a ``StudyOptions`` with methods; an ``lm3.toml`` sets any of them (``from_toml``);
- the CLI makes a flag of each (``lm3.options.declared()``), the web app a field of each.

A front end reads the declaration through ``lm3.options``; none lists the options itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from lm3.errors import InputError
from lm3.place.matching import DEFAULT_MATCH_THRESHOLD
from lm3.rounds.method import MIN_CATEGORY_RESPONDENTS
from lm3.rounds.uncertainty import DEFAULT_DRAWS, DEFAULT_LEVEL, DEFAULT_SEED
from lm3.study.scope import parse_exclusions
from lm3.values import params

GROUPS = {
    "inputs": "The files of the study",
    "reading": "How the files are read",
    "study": "The organisation and its area",
    "placing": "Which spend is local",
    "method": "The method's choices",
}


@dataclass(frozen=True)
class Option:
    """One option of a study as the front ends show it: ``name`` (the API's keyword, the lm3.toml key),
    ``default``, ``label`` (a few words), ``help`` (what it does and what to write), ``group`` (one of
    ``GROUPS``) and ``kind``:

    - ``"payments"``: a spend file, several, a folder or a glob; ``"files"``: one file or several (or a
      folder); ``"file"``: one file; ``"folder"``: a folder;
    - ``"text"``, ``"money"`` (pounds, as text); ``"texts"``: several texts (one a line on a page);
    - ``"pairs"``: name = value pairs (``supplier="Vendor Name"``, ``staff_share=40%``);
    - ``"choice"`` (one of ``choices``), ``"flag"`` (yes or no);
    - ``"number"`` (``low`` to ``high``), ``"whole"`` (``low`` up).
    """

    name: str
    default: Any
    label: str
    help: str
    group: str
    kind: str
    choices: tuple[str, ...] = ()
    choice_text: tuple[str, ...] = ()  # the words a person reads for each choice, where the choice is a code
    low: float | None = None
    high: float | None = None
    check: Callable[[str, object], object] = field(default=params.anything, repr=False, compare=False)


def _option(default: Any, label: str, help: str, group: str, kind: str, **more: Any) -> Any:
    return field(default=default, metadata={"option": (label, help, group, kind, more)})


@dataclass(frozen=True)
class StudyOptions:
    """Every option of a study (see the module docstring); ``declared()`` lists them as ``Option``."""

    # -- the files ----------------------------------------------------------------------------------------
    payments: Any = _option(
        None,
        "Payments",
        "The spend file or payments ledger (anything lm3 ingest reads): one file, several, a folder, or a "
        "quoted glob ('spend/2024-*.csv') for a year of monthly files.",
        "inputs",
        "payments",
        check=params.source(several=True, optional=True),
    )
    suppliers: Any = _option(
        None,
        "Supplier register",
        "Optional: name, postcode, and any of head office postcode, supplier id, company number, charity "
        "number, VCSE flag, type, SME flag; several are combined (a filled-in list of suppliers to place, "
        "Companies House matches). Without one, suppliers are placed from the spend file's own postcodes "
        "and numbers, the register store and lm3's public bodies.",
        "inputs",
        "files",
        check=params.source(several=True, optional=True),
    )
    payroll: Any = _option(
        None,
        "Payroll",
        "Optional: employee id, home postcode, gross pay[, net pay].",
        "inputs",
        "file",
        check=params.source(several=False, optional=True),
    )
    supplier_survey: Any = _option(
        None,
        "Supplier survey",
        "Optional: a filled-in supplier survey form, or supplier and local spend share columns; one file "
        "per supplier, several, or a folder of them.",
        "inputs",
        "files",
        check=params.source(several=True, optional=True),
    )
    staff_survey: Any = _option(
        None,
        "Staff survey",
        "Optional: a filled-in staff survey form, or employee id and local spend share columns; one file "
        "per person, several, or a folder of them.",
        "inputs",
        "files",
        check=params.source(several=True, optional=True),
    )
    # -- reading --------------------------------------------------------------------------------------------
    columns: dict[str, str] | None = _option(
        None,
        "The payments file's columns",
        'Where detection is wrong, the payments file\'s columns by field: supplier="Vendor Name", amount=Net.',
        "reading",
        "pairs",
        check=params.text_mapping,
    )
    sheet: str | None = _option(
        None,
        "Sheet",
        "Read only this sheet of the payments workbook.",
        "reading",
        "text",
        check=params.text(),
    )
    skip_rejected: bool = _option(
        False,
        "Leave out payment rows whose amount cannot be read",
        "Yes: go on without them, each listed with its row in the assumptions and the warnings (the figure "
        "leaves out what they paid, which is unknown). No (the default): stop with the list of them to fix. "
        "A row with no amount at all is always left out: it holds no money.",
        "method",
        "flag",
        check=params.flag,
    )
    register_columns: dict[str, str] | None = _option(
        None,
        "The supplier register's columns",
        'Where detection is wrong, the register\'s columns by field: postcode="Site Postcode".',
        "reading",
        "pairs",
        check=params.text_mapping,
    )
    # -- the study -------------------------------------------------------------------------------------------
    area: str | tuple[str, ...] | None = _option(
        None,
        "Area",
        "The local area: a district (Bradford, E08000032), a council ('Salford City Council'), a county "
        "(Lancashire), a combined authority or metropolitan county ('Greater Manchester', 'West Yorkshire'), "
        "a region (North West), England or UK, postcode districts or sectors (BD7, 'BD7 1'), or '5km around "
        "BD1 1HY'; several together.",
        "study",
        "texts",
        check=params.optional_area,
    )
    tiers: tuple[str, ...] | None = _option(
        None,
        "Wider areas to compare",
        "Tiers to report, each Name=area ('Neighbourhood=3km around BD7 1AA', 'West Yorkshire=Bradford,"
        "Leeds,Calderdale,Kirklees,Wakefield'), innermost first: the spend within each is shown.",
        "study",
        "texts",
        check=params.anything,  # resolve_tiers says what is wrong with a tier
    )
    name: str | None = _option(
        None,
        "Organisation",
        "The organisation's name, for the headline and the forms.",
        "study",
        "text",
        check=params.text(),
    )
    # -- which spend is local -------------------------------------------------------------------------------
    branch_is_local: bool = _option(
        True,
        "A local branch of a company whose head office is elsewhere",
        "Count a local branch of a non-local head office as local (CLES's rule: its staff and costs are "
        "here), or not.",
        "placing",
        "flag",
        check=params.flag,
    )
    match_threshold: float = _option(
        DEFAULT_MATCH_THRESHOLD,
        "Near-name similarity",
        "Similarity (0-100) for matching a supplier to the register by a near name; near matches are listed "
        "for checking.",
        "placing",
        "number",
        low=0,
        high=100,
        check=params.between(0, 100),
    )
    scope: str = _option(
        "all",
        "What spend to count",
        "all: every payment. procurement: no levies, precepts, pensions or refunds (by expense type), and no "
        "payments to public bodies, individuals or redacted payees, as councils' procurement figures count. "
        "cles: procurement, the top 300 suppliers by spend (CLES's spend analysis).",
        "placing",
        "choice",
        choices=("all", "procurement", "cles"),
        choice_text=(
            "Every payment",
            "Procurement",
            "CLES's base: procurement, the top 300 suppliers by spend",
        ),
        check=params.choice("all", "procurement", "cles"),
    )
    top: int | None = _option(
        None,
        "Top suppliers",
        "Count only the largest N suppliers by spend (after the scope and exclude); cles counts 300.",
        "placing",
        "whole",
        low=1,
        check=params.whole(1, optional=True),
    )
    exclude: tuple[str, ...] | None = _option(
        None,
        "Spend to leave out",
        "Rules FIELD=VALUE: FIELD is expense_type, service_area, capital_revenue, supplier or supplier_type; "
        "VALUE whole, or a pattern with *. 'supplier_type=public body' leaves out transfers to other public "
        "bodies.",
        "placing",
        "texts",
        check=lambda name, value: (params.texts(name, value), parse_exclusions(value))[0],  # refused at once
    )
    registers: Any = _option(
        None,
        "Register store",
        "The register store to place suppliers from (a folder); by default, your own (lm3 registers).",
        "placing",
        "folder",
        check=params.store,
    )
    # -- the method -----------------------------------------------------------------------------------------
    income: str | None = _option(
        None,
        "Income, £",
        "Round 1 as the organisation's income (pounds) instead of its spending (payments plus gross payroll).",
        "method",
        "money",
        check=params.money,
    )
    pay_basis: str = _option(
        "gross",
        "Staff pay",
        "Count staff pay gross (as NEF's staff form asks) or net of deductions.",
        "method",
        "choice",
        choices=("gross", "net"),
        check=params.choice("gross", "net"),
    )
    imputation: str = _option(
        "mean",
        "Suppliers and staff who did not answer the survey",
        "Non-respondents take the simple mean of those who answered (mean, NEF) or the mean weighted by "
        "their round 2 (weighted).",
        "method",
        "choice",
        choices=("mean", "weighted"),
        check=params.choice("mean", "weighted"),
    )
    min_category: int = _option(
        MIN_CATEGORY_RESPONDENTS,
        "Answers a supplier type needs",
        "Respondents a supplier type (VCSE, SME, large, public body) needs to use its own mean.",
        "method",
        "whole",
        low=1,
        high=1_000_000,
        check=params.whole(1, 1_000_000),
    )
    defaults: dict[str, object] | None = _option(
        None,
        "Default shares",
        "A round-3 share for a group with no respondents, replacing the published one: supplier_share=50%, "
        "staff_share=40%, non_local_supplier_share=36%.",
        "method",
        "pairs",
        check=params.shares_mapping,
    )
    count_non_local: bool = _option(
        False,
        "Non-local suppliers' local re-spend",
        "Also count non-local suppliers' local re-spend (their survey answers, else the published 36%), as "
        "its own line beside the rounds.",
        "method",
        "flag",
        check=params.flag,
    )
    level: float = _option(
        DEFAULT_LEVEL,
        "Interval level",
        "The level of the bootstrap interval (0.5 to 0.999).",
        "method",
        "number",
        low=0.5,
        high=0.999,
        check=params.between(0, 1, open_ends=True),
    )
    seed: int | None = _option(
        None,
        "Seed",
        f"The seed of the bootstrap's draws (by default {DEFAULT_SEED}: the same figure on every run).",
        "method",
        "whole",
        low=0,
        check=params.whole(0, optional=True),
    )
    draws: int = _option(
        DEFAULT_DRAWS,
        "Draws",
        "How many times the bootstrap redraws the survey answers.",
        "method",
        "whole",
        low=1,
        high=params.MAX_DRAWS,
        check=params.whole(1, params.MAX_DRAWS),
    )

    @classmethod
    def declared(cls) -> tuple[Option, ...]:
        """Every option, in the order a person meets them."""
        return _DECLARED

    @classmethod
    def check(cls, values: Mapping[str, Any], *, where: str = "") -> None:
        """Check each value given for an option (others are left alone); ``where`` prefixes the message
        ("lm3.toml: "). Raises InputError (``bad-parameter``, naming the option)."""
        for name, value in values.items():
            option = _BY_NAME.get(name)
            if option is None:
                continue
            try:
                option.check(name, value)
            except InputError as err:
                if not where:
                    raise
                raise InputError(f"{where}{err}", code=err.code, params=err.params) from err

    def given(self) -> dict[str, Any]:
        """The options set to something other than their default."""
        return {o.name: getattr(self, o.name) for o in _DECLARED if getattr(self, o.name) != o.default}


def _declare() -> tuple[Option, ...]:
    out = []
    for f in fields(StudyOptions):
        label, help, group, kind, more = f.metadata["option"]
        out.append(Option(f.name, f.default, label, help, group, kind, **more))
    return tuple(out)


_DECLARED = _declare()
_BY_NAME = {o.name: o for o in _DECLARED}
INPUTS = tuple(o.name for o in _DECLARED if o.group == "inputs")


def option(name: str) -> Option:
    """The option named ``name`` (KeyError when there is none)."""
    return _BY_NAME[name]


def relative_to(values: dict[str, Any], base: Path) -> dict[str, Any]:
    """A project's file and folder options, relative to its folder (``base``)."""
    out = dict(values)
    for o in _DECLARED:
        value = out.get(o.name)
        if o.kind in ("payments", "files", "file", "folder") and isinstance(value, str | Path):
            out[o.name] = base / str(value)
        elif o.kind in ("payments", "files") and isinstance(value, list | tuple):
            out[o.name] = tuple(base / str(v) for v in value)
    return out
