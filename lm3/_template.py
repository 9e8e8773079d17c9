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

import pandas as pd

from lm3._errors import InputError
from lm3._locate import LocateResult
from lm3._money import format_gbp

SHEET = "Suppliers to place"
FILL_IN = ("Postcode", "Head office postcode", "Company number", "Charity number", "Type", "SME")
TYPE_CHOICES = ("VCSE", "public body", "SME", "large")
_GBP = '"£"#,##0.00;-"£"#,##0.00'
_FILL = "FFF2CC"  # pale yellow: the cells to fill in


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{path}: the supplier template is an Excel workbook; name it with .xlsx.")
    rows, left_out = template_rows(result, limit)
    with_ids = rows["supplier_id"].notna().any()

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    headers = ["Supplier", "Spend", "Payments", "Why not placed"]
    headers += ["Supplier id"] if with_ids else []
    headers += list(FILL_IN)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    column_of = {h: i + 1 for i, h in enumerate(headers)}
    for i, r in enumerate(rows.itertuples(index=False), start=2):
        _text(sheet.cell(i, column_of["Supplier"]), r.supplier)
        spend = sheet.cell(i, column_of["Spend"], r.amount / 100)
        spend.number_format = _GBP
        sheet.cell(i, column_of["Payments"], int(r.payments))
        _text(sheet.cell(i, column_of["Why not placed"]), r.reason)
        if with_ids:
            _text(sheet.cell(i, column_of["Supplier id"]), r.supplier_id)
        _text(sheet.cell(i, column_of["Company number"]), r.company_number)
    last = max(len(rows) + 1, 2)
    fill = PatternFill("solid", start_color=_FILL, end_color=_FILL)
    for name in FILL_IN:
        for row in range(2, last + 1):
            sheet.cell(row, column_of[name]).fill = fill
    _validate(sheet, DataValidation, column_of, last)
    widths = {"Supplier": 45, "Spend": 15, "Payments": 10, "Why not placed": 50, "Supplier id": 14}
    for name, col in column_of.items():
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = widths.get(name, 18)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{sheet.cell(1, len(headers)).column_letter}{last}"

    notes = book.create_sheet("Instructions")
    notes.column_dimensions["A"].width = 110
    for i, line in enumerate(_instructions(result, rows, left_out), start=1):
        _text(notes.cell(i, 1), line)
    try:
        book.save(path)
    except OSError as err:
        raise InputError(f"Cannot write {path}: {err.strerror or err}.") from err
    return TemplateSummary(
        path=path,
        suppliers=len(rows),
        amount=int(rows["amount"].sum()),
        left_out=len(left_out),
        left_out_amount=int(left_out["round1"].sum()),
    )


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str = "Suppliers") -> Path:
    """Write a table for people and for lm3 to read back: .csv (UTF-8) or .xlsx (bold frozen header,
    filters, widths; text always text, never a formula). Raises InputError for another suffix or a path
    that cannot be written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError(f"{path}: write a .csv or an .xlsx file.")
    try:
        if suffix == ".csv":
            frame.to_csv(path, index=False, encoding="utf-8")
            return path
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        ws = book.active
        ws.title = sheet
        ws.append(list(frame.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            for j, value in enumerate(row, start=1):
                if isinstance(value, str):
                    _text(ws.cell(i, j), value)
                elif value is not None and value == value:
                    ws.cell(i, j, value)
        for j, name in enumerate(frame.columns, start=1):
            longest = max([len(str(name)), *(len(str(v)) for v in frame.iloc[:200, j - 1])])
            ws.column_dimensions[ws.cell(1, j).column_letter].width = min(max(longest + 2, 10), 60)
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = ws.dimensions
        book.save(path)
    except OSError as err:
        raise InputError(f"Cannot write {path}: {err.strerror or err}.") from err
    return path


def _text(cell: object, value: object) -> None:
    """Put text in a cell as text: never a formula, whatever it starts with ("=", "+", "-", "@")."""
    if value is None or (isinstance(value, float) and value != value):
        return
    cell.value = str(value)  # type: ignore[attr-defined]
    cell.data_type = "s"  # type: ignore[attr-defined]


def _validate(sheet: object, validation: type, column_of: dict[str, int], last: int) -> None:
    """Drop-down lists for type and SME, a length check on postcodes, on the rows listed."""

    def where(name: str) -> str:
        letter = sheet.cell(1, column_of[name]).column_letter  # type: ignore[attr-defined]
        return f"{letter}2:{letter}{last}"

    rules = [
        (
            validation(type="list", formula1=f'"{",".join(TYPE_CHOICES)}"', allow_blank=True),
            "Type",
            "Choose VCSE, public body, SME or large (or leave blank).",
        ),
        (
            validation(type="list", formula1='"Y,N"', allow_blank=True),
            "SME",
            "Y if the supplier is a small or medium enterprise, N if not.",
        ),
    ]
    for name in ("Postcode", "Head office postcode"):
        rules.append(
            (
                validation(
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
        sheet.add_data_validation(rule)  # type: ignore[attr-defined]


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
        "Then give this workbook back to lm3 beside your register:",
        "  lm3 locate --payments SPEND --suppliers REGISTER --suppliers THIS.xlsx --area "
        + (f'"{area}"' if " " in area else area),
    ]
    if len(left_out):
        lines += [
            "",
            f"Left out: {len(left_out)} individual(s) or redacted payee(s) with "
            f"{format_gbp(int(left_out['round1'].sum()))} of spend. They cannot be placed from a name, and "
            "individuals' names are personal data.",
        ]
    return lines
