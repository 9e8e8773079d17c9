"""Write the crafted files in tests/data/hostile/ (one quirk each; see its README).

python tools/make_hostile.py

Each file is small and built by hand here, byte by byte where the quirk is in the bytes, so what it holds is
plain from this script. The tests read the checked-in files; this script is how they were made.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent.parent / "tests" / "data" / "hostile"

_ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Payments">'
)
_ODS_TAIL = "</table:table></office:spreadsheet></office:body></office:document-content>"
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _cell(value: str | float, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if isinstance(value, str):
        return (
            f'<table:table-cell{rep} office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        )
    return (
        f'<table:table-cell{rep} office:value-type="float" office:value="{value}">'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def _row(*cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


_EMPTY_ROWS = '<table:table-row table:number-rows-repeated="{n}"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'


def _ods(path: Path, rows: str) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", _ODS_HEAD + rows + _ODS_TAIL)


_PAYMENTS = [("Supplier", "Amount"), ("Print Shop Ltd", 10.0), ("Dales Bakery", 2.5)]


def _book(far: str | None = None, styled_far: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _PAYMENTS:
        sheet.append(row)
    if far:
        sheet[far] = "x"
    if styled_far:
        sheet[styled_far].font = Font(bold=True)  # formatting only: no value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_dimension(book: bytes, ref: str) -> bytes:
    """The workbook with its first sheet's ``<dimension>`` rewritten to claim ``ref``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for m in src.infolist():
            data = src.read(m)
            if m.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<dimension ref="') + len(b'<dimension ref="')
                data = data[:start] + ref.encode() + data[data.index(b'"', start) :]
            dst.writestr(m, data)
    return out.getvalue()


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    payments = "".join(_row(*(_cell(v) for v in r)) for r in _PAYMENTS)
    # LibreOffice ends every sheet with its empty rows and columns as repeats: read as the three rows they are
    _ods(HERE / "ods_trailing_empty_repeats.ods", payments + _EMPTY_ROWS.format(n=1048573))
    # one row of one value repeated 1,048,570 times across 16,384 columns: 17 billion cells from 1 KB
    _ods(HERE / "ods_repeated_cells_bomb.ods", payments + _row(_cell("x", 16384), repeat=1048570))
    # a million empty rows, then one value 16,000 columns across: the empty rows and columns before a value
    # are cells the reader lays out
    _ods(
        HERE / "ods_value_after_empty_repeats.ods",
        payments
        + _EMPTY_ROWS.format(n=1000000)
        + _row('<table:table-cell table:number-columns-repeated="16000"/>', _cell("x")),
    )
    (HERE / "xlsx_far_value.xlsx").write_bytes(_book(far="XFD1048576"))
    # the same far value, the sheet's <dimension> claiming only A1:B3
    (HERE / "xlsx_far_value_dimension_lies.xlsx").write_bytes(
        _with_dimension(_book(far="XFD1048576"), "A1:B3")
    )
    # a far cell with formatting and no value: the reader skips it, so must we
    (HERE / "xlsx_far_formatting_only.xlsx").write_bytes(_book(styled_far="XFD1048576"))
    with zipfile.ZipFile(HERE / "zip_of_far_value_workbook.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-04.xlsx", _book(far="XFD1048576"))
    # a CSV whose second line never ends: 300,000 bytes with no line end
    (HERE / "csv_line_too_long.csv").write_bytes(b"Supplier,Amount\nPrint Shop Ltd," + b"9" * 300_000)
    # a quote that opens and never closes: everything after it is one value
    (HERE / "csv_unclosed_quote.csv").write_bytes(
        b'Supplier,Amount\n"Print Shop Ltd,10.00\n' + b"Dales Bakery,2.50\n" * 20_000
    )
    _amounts()
    _encodings_and_formats()
    _names()
    _expected()


def _csv(name: str, rows: list[tuple[str, str]], header: str = "Supplier,Amount") -> None:
    out = io.StringIO()
    out.write(header + "\n")
    import csv

    csv.writer(out, lineterminator="\n").writerows(rows)
    (HERE / name).write_text(out.getvalue(), encoding="utf-8")


def _amounts() -> None:
    """Amounts that must never be read as money: each refused with its reason, the good row beside it kept."""
    good = ("Print Shop Ltd", "10.00")
    _csv("amount_decimal_commas.csv", [good, ("Dales Bakery", "12,50"), ("Aire Ltd", "1.234,56")])
    _csv("amount_two_signs.csv", [good, ("Dales Bakery", "+-5"), ("Aire Ltd", "--5")])
    _csv("amount_underscores.csv", [good, ("Dales Bakery", "1_000")])
    _csv("amount_other_digits.csv", [good, ("Dales Bakery", "١٢٣"), ("Aire Ltd", "１２３")])
    _csv("amount_huge_exponent.csv", [good, ("Dales Bakery", "1e999999999")])
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("Supplier", "Amount"),
        ("Print Shop Ltd", 10.0),
        ("Dales Bakery", "#N/A"),
        ("Aire Ltd", "#DIV/0!"),
    ):
        sheet.append(row)
    book.save(HERE / "excel_error_cells.xlsx")  # openpyxl writes "#N/A" as an error cell (t="e")


def _encodings_and_formats() -> None:
    text = "Supplier,Amount\nPrint Shop Ltd,10.00\nCafé Ltd,2.50\n"
    (HERE / "utf16_text.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode Text"
    (HERE / "ebcdic_text.csv").write_bytes(text.encode("cp500"))  # a mainframe's export
    (HERE / "stray_byte_in_utf8.csv").write_bytes(text.encode() + b"Bad \x96 Dash Ltd,3.00\n")
    (HERE / "workbook_named_csv.csv").write_bytes(_book())  # an XLSX saved with the wrong name
    (HERE / "pdf_named_csv.csv").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n")
    (HERE / "html_named_csv.csv").write_bytes(b"<!DOCTYPE html><html><body>Sign in</body></html>")
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "header_only.csv").write_bytes(b"Supplier,Amount\n")
    with zipfile.ZipFile(HERE / "zip_with_copies.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-04.csv", text)
        archive.writestr("copy of 2024-04.csv", text)
    _csv(
        "total_row_followed_by_junk.csv",
        [("Print Shop Ltd", "10.00"), ("Dales Bakery", "2.50"), ("Total", "12.50"), ("", ""), ("*", "")],
    )


def _names() -> None:
    """Names that must be kept as written and never act: every script, formulas, control characters."""
    _csv(
        "names_in_every_script.csv",
        [
            ("Ωμέγα ΑΕ", "1.00"),
            ("Завод Ltd", "2.00"),
            ("北京公司", "3.00"),
            ("شركة", "4.00"),
            ("עברית", "5.00"),
        ],
    )
    _csv(
        "names_like_formulas.csv",
        [
            ('=HYPERLINK("http://evil.example","click")', "1.00"),
            ("+cmd|' /C calc'!A0", "2.00"),
            ("@SUM(1+1)", "3.00"),
        ],
    )
    _csv(
        "names_with_control_characters.csv",
        [("Aire\x1b[2J Ltd", "1.00"), ("Right\u202eLeft Ltd", "2.00"), ("Bell\x07 Ltd", "3.00")],
    )
    _csv(
        "register_postcode_with_emoji.csv",
        [("Print Shop Ltd", "BD1 1AA😀"), ("Dales Bakery", "BD5 0JL")],
        "Supplier,Postcode",
    )


# The outcome each crafted file must have (tests/test_fuzz.py reads it): an error's code, or the total in
# pence, the codes of the rows rejected and of the warnings given.
EXPECTED: list[dict[str, object]] = [
    {"file": "xlsx_far_value.xlsx", "error": "sheet-too-large"},
    {"file": "xlsx_far_value_dimension_lies.xlsx", "error": "sheet-too-large"},
    {"file": "zip_of_far_value_workbook.zip", "error": "sheet-too-large"},
    {"file": "xlsx_far_formatting_only.xlsx", "total": 1250},
    {"file": "ods_repeated_cells_bomb.ods", "error": "sheet-too-large"},
    {"file": "ods_value_after_empty_repeats.ods", "error": "sheet-too-large"},
    {"file": "ods_trailing_empty_repeats.ods", "total": 1250},
    {"file": "csv_line_too_long.csv", "error": "line-too-long"},
    {"file": "csv_unclosed_quote.csv", "error": "value-too-long"},
    {"file": "amount_decimal_commas.csv", "total": 1000, "rejected": ["amount-decimal-comma"] * 2},
    {"file": "amount_two_signs.csv", "total": 1000, "rejected": ["amount-two-signs"] * 2},
    {"file": "amount_underscores.csv", "total": 1000, "rejected": ["amount-underscores"]},
    {"file": "amount_other_digits.csv", "total": 1000, "rejected": ["amount-other-digits"] * 2},
    {"file": "amount_huge_exponent.csv", "total": 1000, "rejected": ["amount-exponent"]},
    {"file": "excel_error_cells.xlsx", "total": 1000, "rejected": ["amount-excel-error"] * 2},
    {"file": "utf16_text.csv", "error": "not-utf8"},
    {"file": "ebcdic_text.csv", "error": "not-utf8"},
    {"file": "stray_byte_in_utf8.csv", "total": 1550},
    {"file": "workbook_named_csv.csv", "total": 1250, "warnings": ["workbook-named-otherwise"]},
    {"file": "pdf_named_csv.csv", "error": "not-a-table"},
    {"file": "html_named_csv.csv", "error": "not-a-table"},
    {"file": "empty.csv", "error": "empty-file"},
    {"file": "header_only.csv", "total": 0},
    {"file": "zip_with_copies.zip", "total": 1250, "warnings": ["zip-member-repeated"]},
    {"file": "total_row_followed_by_junk.csv", "total": 1250, "warnings": ["total-row-reconciles"]},
    {"file": "names_in_every_script.csv", "total": 1500},
    {"file": "names_like_formulas.csv", "total": 600},
    {"file": "names_with_control_characters.csv", "total": 600},
    {
        "file": "register_postcode_with_emoji.csv",
        "as": "register",
        "warnings": ["postcode-with-other-characters"],
    },
]


def _expected() -> None:
    import json

    (HERE / "expected.json").write_text(
        json.dumps(EXPECTED, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
