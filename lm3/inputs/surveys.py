"""Round-3 surveys: the answers read back from the forms ``lm3.render.survey_forms`` writes, or any table.

Two groups are surveyed (NEF, "The Money Trail"; Plugging the Leaks):

- **Local suppliers**: of their total costs, the share spent with suppliers based in the area and the share
  paid to staff who live in it. Their local re-spend share is the sum of the two (at most 100%).
- **Local staff**: for each spending category of NEF's staff form (housing, council tax, food, travel,
  leisure, savings, loans, income tax and National Insurance, ...), the £ a month and the % of it spent in
  the area. Their share is the £-weighted mean of the categories: sum(£ x %) / sum(£). Because income tax,
  savings and loans are categories, the share is of gross pay, as NEF's form intends.

A completed survey comes back as one file per respondent or as many rows in one sheet, in any mix:

- the ``Responses`` sheet (one row per respondent; the supplier template is only this), and
- for staff, the ``Your spending`` sheet: one person's form, a category per row, the employee id above it.

Older or home-made surveys with one share column ("Local spend share": 60%, 60 or 0.6) read as before (see
``lm3.values.shares`` for how a share is read); a row that gives both parts and a share uses the parts, with a
warning where they differ. The templates' "%" columns hold percentages: 60 is 60%, and 0.6 is rejected as
ambiguous (Excel turns "60%" typed into a plain cell into 0.6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.errors import PROBLEM_COLUMNS, InputError, Notice, RowErrors, notice_code
from lm3.read.cells import SPREADSHEET_SUFFIXES, TEXT_SUFFIXES, Source, header_key, is_blank
from lm3.read.fields import (
    AMOUNT_HEADER,
    EMPLOYEE,
    LOCAL_HEADER,
    STAFF_CATEGORIES,
    SUPPLIER_PARTS,
    survey_fields,
)
from lm3.read.problems import RowProblems
from lm3.read.table import Table, read_table
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.money import parse_money
from lm3.values.names import id_key, supplier_key
from lm3.values.shares import parse_shares

# how a reader reports a bad cell: RowProblems.add(mask, field, problem)
Problem = Callable[..., None]

GROUPS = ("suppliers", "staff")
RESPONSES_SHEET = "Responses"
FORM_SHEET = "Your spending"
INSTRUCTIONS_SHEET = "Instructions"

# -- reading the answers ------------------------------------------------------------------------------------


def survey_files(sources: Source | Sequence[Source]) -> list[Source]:
    """The survey files given: one file or table, several, or a folder (every CSV and workbook in it)."""
    items = [sources] if isinstance(sources, str | Path | pd.DataFrame) else list(sources)
    out: list[Source] = []
    for item in items:
        if isinstance(item, str | Path) and Path(item).is_dir():
            found = sorted(
                p
                for p in Path(item).iterdir()
                if p.suffix.lower() in SPREADSHEET_SUFFIXES | TEXT_SUFFIXES
                and not p.name.startswith(("~$", "."))
            )
            if not found:
                raise InputError(
                    f"{item}: a survey folder with no CSV or Excel files in it.", code="no-files"
                )
            out += found
        else:
            out.append(item)
    if not out:
        raise InputError("No survey files given.", code="missing-inputs")
    return out


def read_survey(sources: Source | Sequence[Source], group: str, *, sheet: str | None = None) -> Table:
    """Read survey answers for ``group`` ("suppliers" or "staff") from one file or table, several, or a
    folder of them; see the module docstring for the forms read.

    Returns a Table whose ``data`` has ``where`` (file and row, for messages), ``row``, ``key`` (supplier
    key or employee id key), ``share`` (an exact Fraction) and ``how`` ("share", "parts" or "categories"),
    plus ``supplier`` for suppliers. One answer per respondent: repeats with the same share are kept once
    (warned); different answers from the same respondent are an error. Raises RowErrors listing every bad
    cell of every file, or InputError.
    """
    if group not in GROUPS:
        raise InputError(f"Survey group {group!r}: choose suppliers or staff.", code="bad-parameter")
    params.source(several=True, optional=False)("sources", sources)
    params.text()("sheet", sheet)
    files = survey_files(sources)
    what = "supplier survey" if group == "suppliers" else "staff survey"
    parts: list[pd.DataFrame] = []
    problems: list[pd.DataFrame] = []
    warnings: list[str] = []
    labels: list[str] = []
    for source in files:
        try:
            found, notes, label = _read_file(source, group, what, sheet)
        except RowErrors as err:
            problems.append(err.problems)
            continue
        parts.append(found)
        warnings += notes
        labels.append(label)
    if problems:
        raise RowErrors(pd.concat(problems, ignore_index=True))
    several = len(files) > 1
    columns = ["where", "file", "sheet", "row", "key", "share", "how"] + (
        ["supplier"] if group == "suppliers" else []
    )
    data = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else pd.DataFrame(columns=columns)
    )
    data = data.reindex(columns=columns)
    if several:
        data["where"] = data["file"] + " row " + data["row"].astype("str")
    else:
        data["where"] = "row " + data["row"].astype("str")
    label = (
        labels[0]
        if not several
        else f"{len(files)} {what} files ({', '.join(labels[:3])}{', ...' if len(labels) > 3 else ''})"
    )

    answered = data["key"] != ""
    data = data[answered].reset_index(drop=True)
    # answers as exact pairs (numerator, denominator), so distinct answers per respondent are counted in C
    numerator = data["share"].map(lambda s: s.numerator).astype("int64")  # one call per answer: cheap
    denominator = data["share"].map(lambda s: s.denominator).astype("int64")
    pairs = pd.DataFrame({"key": data["key"], "n": numerator, "d": denominator}).drop_duplicates()
    distinct = data["key"].map(pairs.groupby("key").size())
    conflicting = distinct > 1
    if conflicting.any():
        records = [
            {
                "file": r.file,
                "sheet": r.sheet,
                "row": int(r.row),
                "column": None,
                "value": f"{float(r.share) * 100:g}%",
                "problem": f"is one of several different answers from the same {'supplier' if group == 'suppliers' else 'employee'}: keep one answer",
                "code": "survey-answers-conflict",
            }
            for r in row_tuples(data[conflicting])
        ]
        raise RowErrors(pd.DataFrame(records, columns=PROBLEM_COLUMNS))
    if data.empty:
        warnings.append(
            Notice(
                "survey-empty", f"{label}: no answers in it: the group is treated as having no respondents."
            )
        )
    repeated = data["key"].duplicated()
    if repeated.any():
        warnings.append(
            Notice(
                "survey-answers-repeated",
                f"{label}: {int(repeated.sum())} repeated answer(s), the same as an earlier one, counted once "
                f"({', '.join(data.loc[repeated, 'where'].head(12))}).",
            )
        )
    data = data[~repeated].reset_index(drop=True)
    return Table(
        label=label,
        sheet=None,
        data=data,
        columns={f.name: None for f in survey_fields(group)},
        warnings=tuple(warnings),
    )


def _read_file(
    source: Source, group: str, what: str, sheet: str | None
) -> tuple[pd.DataFrame, list[str], str]:
    """The answers in one file (every sheet of a workbook: forms and responses), its warnings and label."""
    fields = survey_fields(group)
    is_book = isinstance(source, str | Path) and Path(source).suffix.lower() in SPREADSHEET_SUFFIXES
    if not is_book:
        table = read_table(source, fields, what=what, sheet=sheet)
        frame, notes = _answers(table, group)
        return frame, [*table.warnings, *notes], table.label
    assert not isinstance(source, pd.DataFrame)  # a DataFrame is not a book: read as a table above
    path = Path(source)
    book, names = _open_book(path, what, sheet)
    gathered = _Gathered()
    for name in names:
        cells = cast(list[list[object]], book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        if any(str(c).strip() for r in cells for c in r if c is not None):
            gathered.sheet(path, name, cells, group, what)
    return gathered.answers(path, what)


def _open_book(path: Path, what: str, sheet: str | None) -> tuple[Any, list[str]]:
    """The workbook and the names of the sheets to read (``sheet`` alone when given)."""
    if not path.is_file():
        raise InputError(
            f"{what.capitalize()} file not found: {path}. Check the path.", code="file-not-found"
        )
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
    except (CalamineError, OSError, ValueError) as err:
        raise InputError(f"{path.name}: cannot be read as a workbook ({err}).", code="not-readable") from err
    if sheet is None:
        return book, names
    if sheet not in names:
        raise InputError(
            f"{path.name}: no sheet named {sheet!r}. Sheets: {', '.join(names)}.", code="no-such-sheet"
        )
    return book, [sheet]


@dataclass
class _Gathered:
    """The answers of a workbook's sheets so far, their warnings, the rows refused and the first error."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[pd.DataFrame] = field(default_factory=list)
    first_error: InputError | None = None

    def sheet(self, path: Path, name: str, cells: list[list[object]], group: str, what: str) -> None:
        """Read one sheet that holds something: a staff form, or a table of responses."""
        if group == "staff" and (form := _staff_form_answer(cells, path.name, name)) is not None:
            frame, bad = form
            if len(bad):
                self.problems.append(bad)
            self.frames.append(frame)
            return
        if name == INSTRUCTIONS_SHEET:
            return
        try:
            table = read_table(path, survey_fields(group), what=what, sheet=name)
        except RowErrors as err:
            self.problems.append(err.problems)
            return
        except InputError as err:
            self.first_error = self.first_error or err
            self.warnings.append(
                Notice(
                    "survey-sheet-skipped",
                    f"{path.name}: sheet {name!r} was not read: it holds no {what} header.",
                )
            )
            return
        try:
            frame, notes = _answers(table, group)
        except RowErrors as err:
            self.problems.append(err.problems)
            return
        self.frames.append(frame.assign(sheet=name))
        self.warnings += [w for w in table.warnings if notice_code(w) != "sheets-skipped"] + notes

    def answers(self, path: Path, what: str) -> tuple[pd.DataFrame, list[str], str]:
        if self.problems:
            raise RowErrors(pd.concat(self.problems, ignore_index=True))
        if not self.frames:
            if self.first_error is not None:
                raise self.first_error
            raise InputError(
                f"{path.name}: no {what} answers in it (every sheet is empty).", code="empty-file"
            )
        return pd.concat(self.frames, ignore_index=True), self.warnings, path.name


def _answers(table: Table, group: str) -> tuple[pd.DataFrame, list[str]]:
    """One answer per row of a responses table: the share, from the parts, the categories or a share."""
    data = table.data
    who = "supplier" if group == "suppliers" else "employee"
    problems = RowProblems(table)  # every bad cell of the table, raised together
    problem = problems.add
    warnings: list[str] = []

    names = data[who].fillna("").astype("str").str.replace("\u00a0", " ").str.strip()
    keys = supplier_key(names) if who == "supplier" else id_key(data[who])
    direct = pd.Series([None] * len(data), index=data.index, dtype="object")
    if "share" in data:
        direct, bad = parse_shares(data["share"])
        problem(bad.notna(), "share", bad)

    if group == "suppliers":
        present = [name for name, _ in SUPPLIER_PARTS if name in data]
        notes: list[str] = []
        parts_value, parts_given = _supplier_parts(data, present, problem, notes)
        warnings += [Notice(notice_code(n), f"{table.label}: {n}.") for n in notes]
        how_parts = "parts"
    else:
        present = list(dict.fromkeys(c.rsplit("__", 1)[0] for c in data.columns if "__" in str(c)))
        parts_value, parts_given = _staff_categories(data, present, problem)
        how_parts = "categories"
    if "share" not in data and not present:
        expected = (
            ", ".join(repr(h) for _, h in SUPPLIER_PARTS)
            if group == "suppliers"
            else f"'<spending>: {AMOUNT_HEADER}' and '<spending>: {LOCAL_HEADER}' pairs"
        )
        raise InputError(
            f"{table.label}: no answer columns: give a 'Local spend share' column, or {expected} "
            "(write a form with lm3 survey template).",
            code="no-answer-columns",
        )
    answered = direct.notna() | parts_given
    problem(
        answered.to_numpy() & (keys == "").to_numpy(),
        who,
        f"{'supplier name' if who == 'supplier' else 'employee id'} is blank: say who answered, or delete the row",
    )
    problems.raise_if_any()

    both = parts_given & direct.notna() & (parts_value != direct)
    if both.any():
        warnings.append(
            Notice(
                "survey-share-and-parts-differ",
                f"{table.label}: rows {', '.join(map(str, data.loc[both, 'row']))} give a local spend share and the "
                f"{how_parts} it is made of, which differ: the {how_parts} are used.",
                file=table.label,
                rows=data.loc[both, "row"],
            )
        )
    share = parts_value.where(parts_given, direct)
    unanswered = ~answered & (keys != "")
    if unanswered.any():
        warnings.append(
            Notice(
                "survey-rows-unanswered",
                f"{table.label}: {int(unanswered.sum())} row(s) with no answer given (rows "
                f"{', '.join(map(str, data.loc[unanswered, 'row'].head(12)))}"
                f"{', ...' if unanswered.sum() > 12 else ''}) are treated as not responding.",
                file=table.label,
                rows=data.loc[unanswered, "row"],
            )
        )
    keep = answered.to_numpy()
    out = pd.DataFrame(
        {
            "file": table.label,
            "sheet": table.sheet,
            "row": data.loc[keep, "row"].astype("int64").to_numpy(),
            "key": keys[keep].to_numpy(),
            "share": share[keep].to_numpy(),
            "how": np.where(parts_given[keep], how_parts, "share"),
        }
    )
    if who == "supplier":
        out["supplier"] = names[keep].to_numpy()
    return out, warnings


def _supplier_parts(
    data: pd.DataFrame, present: list[str], problem: Problem, warnings: list[str]
) -> tuple[pd.Series, pd.Series]:
    """A supplier's share from its two parts: % of costs with local suppliers + % paid to local staff."""
    total = pd.Series([Fraction(0)] * len(data), index=data.index, dtype="object")
    any_given = pd.Series(False, index=data.index)
    for name in present:
        shares, bad = parse_shares(data[name], percent=True)
        problem(bad.notna(), name, bad)
        ok = shares.notna()
        total = total.where(~ok, total + shares.where(ok, Fraction(0)))
        any_given |= ok
    if len(present) == 2:
        one = any_given & (data[present[0]].map(is_blank) | data[present[1]].map(is_blank))
        if one.any():
            warnings.append(
                Notice(
                    "survey-part-blank",
                    f"rows {', '.join(map(str, data.loc[one, 'row']))}: one of the two parts is blank, taken as 0%",
                )
            )
    over = any_given & total.map(lambda s: s > 1)
    if over.any():
        problem(
            over, present[-1], "makes the two parts add up to more than 100% of costs: check both answers"
        )
    return total, any_given


def _staff_categories(
    data: pd.DataFrame, present: list[str], problem: Problem
) -> tuple[pd.Series, pd.Series]:
    """A person's share of pay spent in the area: sum(£ x %) / sum(£) over the categories answered."""
    spent = pd.Series([0] * len(data), index=data.index, dtype="object")
    local = pd.Series([Fraction(0)] * len(data), index=data.index, dtype="object")
    for key in present:
        amount_col, local_col = f"{key}__amount", f"{key}__local"
        if amount_col in data:
            pence, bad_amount = parse_money(data[amount_col])
            problem(bad_amount, amount_col, "is not an amount of money: give the £ a month, like 450")
            negative = pence.fillna(0) < 0
            problem(negative, amount_col, "is negative: give the £ a month spent, 0 or more")
        else:
            pence = pd.Series(pd.NA, index=data.index, dtype="Int64")
        if local_col in data:
            shares, bad_share = parse_shares(data[local_col], percent=True)
            problem(bad_share.notna(), local_col, bad_share)
        else:
            shares = pd.Series([None] * len(data), index=data.index, dtype="object")
        has_amount = pence.notna() & (pence.fillna(0) > 0)
        has_share = shares.notna()
        if amount_col in data:
            problem(
                (has_amount & ~has_share).to_numpy(),
                amount_col,
                f"has no '{LOCAL_HEADER}' beside it: give the % of it spent in the area",
            )
        if local_col in data:
            problem(
                (has_share & pence.isna()).to_numpy(),
                local_col,
                f"has no '{AMOUNT_HEADER}' beside it: give the £ a month, or clear the %",
            )
        both = (has_amount & has_share).to_numpy()
        for idx in data.index[both]:
            amount = int(pence[idx])
            spent[idx] += amount
            local[idx] += amount * shares[idx]
    given = spent.map(lambda s: s > 0).astype(bool)
    share = pd.Series(
        [local[i] / spent[i] if given[i] else None for i in data.index], index=data.index, dtype="object"
    )
    return share, given


def _staff_form_answer(
    cells: list[list[object]], label: str, sheet: str
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """One person's form (sheet "Your spending"): the employee id beside "Employee ID", and a table of
    spending categories under a "£ a month" / "% in the area" header. None when the sheet is not a form."""
    head = cells[:40]
    header_at = next(
        (
            i
            for i, r in enumerate(head)
            if sum(
                header_key(c) in (header_key(AMOUNT_HEADER), header_key(LOCAL_HEADER), "percent in the area")
                for c in r
                if c is not None
            )
            == 2
        ),
        None,
    )
    id_at = next(
        (
            (i, j)
            for i, r in enumerate(head)
            for j, c in enumerate(r)
            if c is not None and header_key(c) in {header_key(s) for s in EMPLOYEE.synonyms}
        ),
        None,
    )
    if header_at is None or id_at is None:
        return None
    keys = [header_key(c) if c is not None else "" for c in cells[header_at]]
    amount_col = keys.index(header_key(AMOUNT_HEADER))
    local_col = next(j for j, k in enumerate(keys) if k.startswith("percent in the area"))
    i, j = id_at
    row = cells[i]
    employee = next((c for c in row[j + 1 :] if c is not None and str(c).strip() != ""), None)
    by_label = {header_key(label_): key for key, label_, _ in STAFF_CATEGORIES}
    lines: dict[str, object] = {"row": i + 1, "employee": employee}
    columns: dict[str, str | None] = {"employee": str(cells[i][j]).strip()}
    for k, r in enumerate(cells[header_at + 1 :], start=header_at + 2):
        name = r[0] if r else None
        if name is None or str(name).strip() == "":
            continue
        key = by_label.get(header_key(name))
        amount = r[amount_col] if amount_col < len(r) else None
        share = r[local_col] if local_col < len(r) else None
        if key is None:
            if any(v is not None and str(v).strip() != "" for v in (amount, share)):
                key = f"line{k}"  # a line the person added under a name of their own
            else:
                continue
        lines[f"{key}__amount"] = amount
        lines[f"{key}__local"] = share
        columns[f"{key}__amount"] = f"{name}: {AMOUNT_HEADER} (row {k})"
        columns[f"{key}__local"] = f"{name}: {LOCAL_HEADER} (row {k})"
    table = Table(label=label, sheet=sheet, data=pd.DataFrame([lines], dtype="object"), columns=columns)
    try:
        answers, _ = _answers(table, "staff")
    except RowErrors as err:
        return pd.DataFrame(), err.problems
    return answers.assign(sheet=sheet), pd.DataFrame(columns=PROBLEM_COLUMNS)
