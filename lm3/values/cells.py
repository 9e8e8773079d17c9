"""Text from input files made safe for the spreadsheets and CSV files lm3 writes.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) as
a formula, so a supplier called ``=HYPERLINK(...)`` in a spend file could become live in a report. The one
rule, used by every writer:

- **Workbooks** (``lm3.render.workbook``): text goes in as a text cell, never a formula, and a formula-like
  text also gets Excel's quote prefix, so that editing the cell keeps it text. The value is unchanged, so a
  workbook lm3 wrote reads back exactly.
- **Control characters**: a workbook cannot hold most C0 controls (openpyxl refuses the file): each is
  replaced by U+FFFD and the cells listed (``lm3.render.workbook``); a terminal shows them as escapes
  (``visible_text``).
- **CSV files** (OWASP, "CSV Injection"): a text field that starts with one of those characters gets a
  single quote in front (``'=HYPERLINK(...)``); the CSV writer quotes fields as needed. A field that is a
  plain number (``-12.50``) is left alone: it is a number, not a formula. Supplier names compare by their
  key, in which the quote is punctuation, so a register written this way still matches when read back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from lm3.errors import InputError

# what a terminal or viewer could act on: C0 controls but tab and line end, DEL, C1 controls (CSI...), and the
# bidi overrides and isolates that reorder the text around them
_ACTIVE = re.compile("[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]")
# what a workbook cannot hold (Excel's XML refuses C0 controls but tab and line ends), what a program reading
# a CSV could act on (DEL, C1 controls such as CSI), and the bidi overrides that reorder text as it is shown
_NOT_IN_A_WORKBOOK = re.compile(
    "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"
)
REPLACEMENT = "\ufffd"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$"


def visible_text(text: str) -> str:
    """Text with every control character and bidi override shown as an escape (``\\x1b``, ``\\u202e``),
    so that text from an input file can be printed to a terminal or listed without acting."""
    if not isinstance(text, str):
        raise InputError(f"visible_text takes text, not {text!r}.", code="bad-parameter", params=("text",))
    return _ACTIVE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def workbook_text(text: str) -> str:
    """Text a workbook can hold, and shows as written: each control character it cannot hold (NUL,
    escape...) and each bidi override replaced by U+FFFD."""
    return _NOT_IN_A_WORKBOOK.sub(REPLACEMENT, text)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take this text for a formula (a plain number is not)."""
    return text.startswith(FORMULA_START) and re.fullmatch(_PLAIN_NUMBER, text) is None


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text fields cannot be taken as formulas (see the module docstring)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_string_dtype(column) or column.dtype == object):
            continue
        text = column.where(column.map(lambda v: isinstance(v, str)))
        active = text.str.contains(_NOT_IN_A_WORKBOOK, regex=True, na=False)
        if active.any():  # control characters and bidi overrides: never passed on to the next program
            column = column.astype("object").where(
                ~active, text.str.replace(_NOT_IN_A_WORKBOOK, REPLACEMENT, regex=True)
            )
            text = column.where(column.map(lambda v: isinstance(v, str)))
            out[name] = column
        risky = text.str.contains(_FORMULA_START, regex=True, na=False) & ~text.str.fullmatch(
            _PLAIN_NUMBER, na=False
        )
        if risky.any():
            out[name] = column.astype("object").where(~risky, "'" + text.astype("str"))
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with every text field made safe. Raises InputError when the path cannot
    be written."""
    path = Path(path)
    try:
        csv_safe(frame).to_csv(path, index=False, encoding="utf-8")
    except OSError as err:
        raise InputError(f"Cannot write {path}: {err.strerror or err}.", code="cannot-write") from err
    return path
