"""``lm3 suppliers template``: the suppliers ``locate`` could not place, as a workbook a person fills in.

The workbook's first sheet lists the unplaced suppliers, largest spend first, with what is known of them
(spend, payments, why they could not be placed, any supplier id or company number the payments give) and
empty columns to fill in: postcode, head office postcode, company number, charity number, type, SME. It is
a supplier register: give it back to ``lm3 locate`` / ``lm3 calculate`` beside the council's own register
(``--suppliers register.csv --suppliers unplaced.xlsx``), and the rows filled in place those suppliers.

Individuals and redacted payees are left out (they cannot be placed, and individuals' names are personal
data); the instructions sheet gives their number and spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not with lm3
    from openpyxl.worksheet.worksheet import Worksheet

from lm3.errors import InputError
from lm3.render.workbook import FILL, GBP_FORMAT, bold, new_workbook, save, text_cell
from lm3.study.locate import LocateResult
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.money import format_gbp

SHEET = "Suppliers to place"
FILL_IN = ("Postcode", "Head office postcode", "Company number", "Charity number", "Type", "SME")
TYPE_CHOICES = ("VCSE", "public body", "SME", "large")


@dataclass(frozen=True)
class TemplateSummary:
    """What a template holds: the file, suppliers listed and their spend (pence), payees left out."""

    path: Path
    suppliers: int
    amount: int
    left_out: int
    left_out_amount: int


def template_rows(result: LocateResult, limit: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The suppliers to list (largest first: supplier, amount, payments, reason, supplier_id,
    company_number) and those left out (individuals and redacted payees)."""
    s = result.suppliers[result.suppliers["location"] == "unknown"]
    s = s.sort_values(["round1", "payments_name"], ascending=[False, True], kind="stable")
    personal = (s["type"] == "individual or redacted").to_numpy()
    listed = s[~personal]
    if limit is not None:
        listed = listed.head(limit)
    rows = pd.DataFrame(
        {
            "supplier": listed["payments_name"],
            "amount": listed["round1"],
            "payments": listed["payments"],
            "reason": listed["reason"],
            "supplier_id": listed["supplier_id"],
            "company_number": listed["company_number"],
        }
    ).reset_index(drop=True)
    return rows, s[personal]


def write_supplier_template(
    result: LocateResult, path: str | Path, *, limit: int | None = None
) -> TemplateSummary:
    """Write the unplaced suppliers of ``result`` to ``path`` (.xlsx) for a person to fill in; see the
    module docstring. ``limit``: list only the largest N. Raises InputError for a path that is not .xlsx
    or cannot be written."""
    from openpyxl.styles import Alignment, PatternFill

    params.instance("result", result, LocateResult, "a LocateResult (from lm3.locate)")
    params.path("path", path)
    params.whole(1, optional=True)("limit", limit)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(
            f"{path}: the supplier template is an Excel workbook; name it with .xlsx.", code="wrong-suffix"
        )
    rows, left_out = template_rows(result, limit)
    with_ids = rows["supplier_id"].notna().any()

    book = new_workbook()
    sheet = book.create_sheet(SHEET)
    headers = ["Supplier", "Spend", "Payments", "Why not placed"]
    headers += ["Supplier id"] if with_ids else []
    headers += list(FILL_IN)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = bold()
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    column_of = {h: i + 1 for i, h in enumerate(headers)}
    for i, r in enumerate(row_tuples(rows), start=2):
        text_cell(sheet.cell(i, column_of["Supplier"]), r.supplier)
        spend = sheet.cell(i, column_of["Spend"], r.amount / 100)
        spend.number_format = GBP_FORMAT
        sheet.cell(i, column_of["Payments"], int(r.payments))
        text_cell(sheet.cell(i, column_of["Why not placed"]), r.reason)
        if with_ids:
            text_cell(sheet.cell(i, column_of["Supplier id"]), r.supplier_id)
        text_cell(sheet.cell(i, column_of["Company number"]), r.company_number)
    last = max(len(rows) + 1, 2)
    fill = PatternFill("solid", start_color=FILL, end_color=FILL)
    for name in FILL_IN:
        for row in range(2, last + 1):
            sheet.cell(row, column_of[name]).fill = fill
    _validate(sheet, column_of, last)
    widths = {"Supplier": 45, "Spend": 15, "Payments": 10, "Why not placed": 50, "Supplier id": 14}
    for name, col in column_of.items():
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = widths.get(name, 18)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(1, len(headers)).column_letter}{last}"

    notes = book.create_sheet("Instructions")
    notes.column_dimensions["A"].width = 110
    for i, line in enumerate(_instructions(result, rows, left_out), start=1):
        text_cell(notes.cell(i, 1), line)
    save(book, path)
    return TemplateSummary(
        path=path,
        suppliers=len(rows),
        amount=int(rows["amount"].sum()),
        left_out=len(left_out),
        left_out_amount=int(left_out["round1"].sum()),
    )


def _validate(sheet: Worksheet, column_of: dict[str, int], last: int) -> None:
    """Drop-down lists for type and SME, a length check on postcodes, on the rows listed."""

    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    def where(name: str) -> str:
        letter = get_column_letter(column_of[name])
        return f"{letter}2:{letter}{last}"

    rules = [
        (
            DataValidation(type="list", formula1=f'"{",".join(TYPE_CHOICES)}"', allow_blank=True),
            "Type",
            "Choose VCSE, public body, SME or large (or leave blank).",
        ),
        (
            DataValidation(type="list", formula1='"Y,N"', allow_blank=True),
            "SME",
            "Y if the supplier is a small or medium enterprise, N if not.",
        ),
    ]
    for name in ("Postcode", "Head office postcode"):
        rules.append(
            (
                DataValidation(
                    type="textLength", operator="between", formula1="5", formula2="8", allow_blank=True
                ),
                name,
                "A full UK postcode, like BD1 1HY.",
            )
        )
    for rule, name, message in rules:
        rule.error = message
        rule.errorTitle = name
        rule.prompt = message
        rule.showErrorMessage = True
        rule.showInputMessage = True
        rule.add(where(name))
        sheet.add_data_validation(rule)


def _instructions(result: LocateResult, rows: pd.DataFrame, left_out: pd.DataFrame) -> list[str]:
    area = result.area.name
    lines = [
        f"Suppliers lm3 could not place: {result.file}, area {area}, written {date.today():%d %B %Y}.",
        "",
        f"The sheet '{SHEET}' lists {len(rows)} supplier(s) with {format_gbp(int(rows['amount'].sum()))} of "
        f"spend, largest first ({format_gbp(result.total)} in all; "
        f"{format_gbp(result.total - result.placed)} could not be placed).",
        "Fill in the yellow columns for as many as you can, starting at the top:",
        "  Postcode: where the supplier delivers from or is based (the site that serves you).",
        "  Head office postcode: where its head office is, when that is somewhere else.",
        "  Company number / Charity number: from Companies House or the Charity Commission, when known.",
        "  Type: VCSE, public body, SME or large.  SME: Y or N.",
        "Leave a row blank when you do not know; it stays 'location unknown' and is never counted as local.",
        "Do not rename the columns. Rows can be deleted.",
        "",
        "Then give this workbook back to lm3 as another supplier register, beside yours, and work the figure "
        "out again "
        + (
            "for the area your spending should stay in: name one, such as a council (Bradford), several "
            "(Bradford, Leeds), a postcode district (BD1) or a radius (10 miles of BD1 1HY)."
            if result.area.uk  # none named: in the UK as a whole, every UK supplier would be local
            else f"for {area}."
        ),
        "  On the web page: upload it with the supplier registers. On the command line or in Python: give it "
        "as a second supplier register.",
    ]
    if result.area.uk:
        lines[0] = f"Suppliers lm3 could not place: {result.file}, written {date.today():%d %B %Y}."
    if len(left_out):
        lines += [
            "",
            f"Left out: {len(left_out)} individual(s) or redacted payee(s) with "
            f"{format_gbp(int(left_out['round1'].sum()))} of spend. They cannot be placed from a name, and "
            "individuals' names are personal data.",
        ]
    return lines
