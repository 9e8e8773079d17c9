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


if __name__ == "__main__":
    main()
