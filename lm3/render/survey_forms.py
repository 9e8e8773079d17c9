"""Round-3 survey forms to send out (``lm3 survey template``): one workbook per group, naming the area and
the organisation, every answer cell checked as it is typed. ``lm3.inputs.surveys`` reads the answers back
(the module docstring there says what the forms ask and how the answers count).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not with lm3
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

from lm3.errors import InputError
from lm3.geo import Area
from lm3.inputs.surveys import FORM_SHEET, GROUPS, INSTRUCTIONS_SHEET, RESPONSES_SHEET
from lm3.read.fields import AMOUNT_HEADER, LOCAL_HEADER, STAFF_CATEGORIES, SUPPLIER_PARTS
from lm3.render.workbook import FILL, bold, new_workbook, save, text_cell
from lm3.values import params

MAX_FORM_ROWS = 100_000  # a form to send out, not a database


@dataclass(frozen=True)
class SurveyTemplate:
    """A survey form written: the file, the group, the area named in it, and respondents listed in it."""

    path: Path
    group: str
    area: str
    listed: int
    rows: int


def write_survey_template(
    group: str,
    path: str | Path,
    *,
    area: Area | str,
    name: str | None = None,
    respondents: Sequence[str] = (),
    rows: int = 200,
) -> SurveyTemplate:
    """Write a survey form for ``group`` ("suppliers" or "staff") to ``path`` (.xlsx).

    The workbook names the area (``area``: an Area, or its name as people say it) and the organisation
    (``name``), explains each question, and checks each answer cell (percentages from 0 to 100, £ from 0).
    ``respondents`` pre-fills the respondent column (local suppliers' names, or employee ids), one row each;
    ``rows`` more rows are ready to fill. The staff workbook also has a one-person form (sheet
    "Your spending") to send to each member of staff. Read the answers back with ``lm3.read_survey`` or give
    the file to ``lm3 calculate --supplier-survey/--staff-survey``. Raises InputError for a path that is not
    .xlsx or cannot be written, or an unknown group.
    """
    if group not in GROUPS:
        raise InputError(f"Survey group {group!r}: choose suppliers or staff.", code="bad-parameter")
    params.path("path", path)
    if not isinstance(area, Area):
        params.area("area", area)
    params.text()("name", name)
    params.texts_only(
        "respondents", list(respondents) if isinstance(respondents, list | tuple) else respondents
    )
    params.whole(0, MAX_FORM_ROWS)("rows", rows)
    if len(respondents) + rows > MAX_FORM_ROWS:
        raise InputError(
            f"A survey form holds at most {MAX_FORM_ROWS:,} rows: {len(respondents):,} respondents and {rows:,} "
            "empty rows is more. Send several forms.",
            code="bad-parameter",
            params=("rows",),
        )
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(
            f"{path}: a survey form is an Excel workbook; name it with .xlsx.", code="wrong-suffix"
        )
    area_name = area.name if isinstance(area, Area) else str(area)
    who = name or "our organisation"
    listed = [str(r) for r in respondents if str(r).strip()]
    last = 1 + len(listed) + max(rows, 0)

    book = new_workbook()
    notes = book.create_sheet(INSTRUCTIONS_SHEET)
    sheet = book.create_sheet(RESPONSES_SHEET)
    if group == "suppliers":
        headers = ["Supplier name", *(h for _, h in SUPPLIER_PARTS)]
        _responses_sheet(sheet, headers, listed, last, [(2, 3, "percent")])
        lines = _supplier_instructions(area_name, who)
    else:
        headers = ["Employee ID"]
        for _, label, _ in STAFF_CATEGORIES:
            headers += [f"{label}: {AMOUNT_HEADER}", f"{label}: {LOCAL_HEADER}"]
        checks = [(2 + 2 * i, 2 + 2 * i, "amount") for i in range(len(STAFF_CATEGORIES))]
        checks += [(3 + 2 * i, 3 + 2 * i, "percent") for i in range(len(STAFF_CATEGORIES))]
        _responses_sheet(sheet, headers, listed, last, checks)
        _staff_form(book.create_sheet(FORM_SHEET, 1), area_name, who)
        lines = _staff_instructions(area_name, who)
    notes.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, start=1):
        text_cell(notes.cell(i, 1), line)
    notes.cell(1, 1).font = bold()
    save(book, path)
    return SurveyTemplate(path=path, group=group, area=area_name, listed=len(listed), rows=last - 1)


def _check(kind: str) -> DataValidation:
    """A cell check: a percentage from 0 to 100, or £ from 0."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if kind == "percent":
        rule = DataValidation(
            type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
        )
        rule.error = "A percentage from 0 to 100: type 60 for 60%."
    else:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        rule.error = "An amount in pounds, 0 or more: type 450 for £450."
    rule.prompt = rule.error
    rule.errorTitle = "Check the answer"
    rule.showErrorMessage = True
    rule.showInputMessage = True
    return rule


def _responses_sheet(
    sheet: Worksheet, headers: list[str], listed: list[str], last: int, checks: list[tuple[int, int, str]]
) -> None:
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = bold()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, who in enumerate(listed, start=2):
        text_cell(sheet.cell(i, 1), who)
    fill = PatternFill("solid", start_color=FILL, end_color=FILL)
    for col in range(2, len(headers) + 1):
        for row in range(2, last + 1):
            sheet.cell(row, col).fill = fill
    rules: dict[str, DataValidation] = {}  # one rule per kind of answer, over every column of that kind
    for first, end, kind in checks:
        rule = rules.setdefault(kind, _check(kind))
        for col in range(first, end + 1):
            letter = get_column_letter(col)
            rule.add(f"{letter}2:{letter}{last}")
    for rule in rules.values():
        sheet.add_data_validation(rule)
    sheet.column_dimensions["A"].width = 40
    for col in range(2, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.row_dimensions[1].height = 60
    sheet.freeze_panes = "B2"


def _staff_form(sheet: Worksheet, area: str, who: str) -> None:
    from openpyxl.styles import Alignment, PatternFill

    fill = PatternFill("solid", start_color=FILL, end_color=FILL)
    text_cell(sheet.cell(1, 1), f"Where your pay is spent: a survey for {who}")
    sheet.cell(1, 1).font = bold()
    text_cell(
        sheet.cell(2, 1),
        f"The area: {area}. For each kind of spending, give roughly what you spend in a month and what "
        "% of it is spent in the area. Leave a line blank if it does not apply.",
    )
    text_cell(sheet.cell(4, 1), "Employee ID")
    sheet.cell(4, 1).font = bold()
    sheet.cell(4, 2).fill = fill
    for col, text in enumerate(("Spending", AMOUNT_HEADER, LOCAL_HEADER, "What counts as in the area"), 1):
        text_cell(sheet.cell(6, col), text)
        sheet.cell(6, col).font = bold()
        sheet.cell(6, col).alignment = Alignment(wrap_text=True, vertical="top")
    for i, (_, label, hint) in enumerate(STAFF_CATEGORIES, start=7):
        text_cell(sheet.cell(i, 1), label)
        text_cell(sheet.cell(i, 4), hint)
        sheet.cell(i, 2).fill = fill
        sheet.cell(i, 3).fill = fill
    end = 6 + len(STAFF_CATEGORIES)
    for letter, kind in (("B", "amount"), ("C", "percent")):
        rule = _check(kind)
        rule.add(f"{letter}7:{letter}{end}")
        sheet.add_data_validation(rule)
    for letter, width in zip("ABCD", (40, 14, 16, 60), strict=True):
        sheet.column_dimensions[letter].width = width


def _supplier_instructions(area: str, who: str) -> list[str]:
    return [
        f"Local spending survey for suppliers of {who}, written {date.today():%d %B %Y}.",
        "",
        f"The area: {area}.",
        f"{who} wants to know how much of the money it pays you stays in {area}: it helps show what its "
        "spending does for the local economy (NEF's Local Multiplier 3).",
        "",
        f"In the sheet '{RESPONSES_SHEET}', one row per supplier (add your organisation's name if it is not "
        "listed), answer two questions about your total costs in your last financial year:",
        f"  1. What % of your costs was spent with suppliers based in {area}?",
        f"  2. What % of your costs was pay to staff who live in {area}?",
        "Type whole percentages from 0 to 100 (60 for 60%). The two together cannot pass 100. "
        "An estimate is fine: a rough answer is far better than none.",
        "Leave a row blank if you cannot answer; do not rename the columns.",
        "",
        "How the answers are used: the two percentages added together are the share of the money you are paid "
        f"that you spend again in {area}. Suppliers who do not answer are given the average of those who do.",
    ]


def _staff_instructions(area: str, who: str) -> list[str]:
    return [
        f"Where staff of {who} spend their pay: a survey, written {date.today():%d %B %Y}.",
        "",
        f"The area: {area}.",
        f"{who} wants to know how much of what it pays its staff is spent in {area}: it helps show what its "
        "spending does for the local economy (NEF's Local Multiplier 3). Answers are used only as an "
        "average; no one's answers are shown.",
        "",
        f"Each person fills in the sheet '{FORM_SHEET}' (one workbook each), or a row of '{RESPONSES_SHEET}' "
        "(many people in one workbook). For each kind of spending, give:",
        f"  {AMOUNT_HEADER}: roughly what you spend on it in a month (include tax, savings and loan repayments);",
        f"  {LOCAL_HEADER}: what % of that is spent in {area} (60 for 60%).",
        "Council tax is paid to your council: 100% if you live in the area. Income tax and National Insurance "
        "go to national government: 0%.",
        "",
        "How the answers are used: each person's share of pay spent in the area is the £-weighted average of "
        "their percentages, sum(£ x %) / sum(£). Staff who do not answer are given the average of those who do.",
    ]
