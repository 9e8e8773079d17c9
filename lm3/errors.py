"""The exceptions lm3 raises, all in one place.

    LM3Error                 anything lm3 refuses to do, with a message a person can act on, a code, params
     ├── InputError          a file (or DataFrame) cannot be used: missing, unreadable, a column absent
     │    └── RowErrors      rows with values that cannot be used; ``.problems`` lists every one
     ├── AreaError           the area named is not one lm3 knows; ``.suggestions`` holds close names
     └── MethodError         the inputs are readable but the method cannot proceed (e.g. no survey
                             respondents in a group)

Messages name the file, sheet, row and column, and say what would fix the problem, in the API's words
(parameters, never a command's flags). Every error has a stable ``code`` (``"area-unknown"``), and
``params``: the parameters that would fix it (a front end names them its own way: ``--area``). Code
branches on codes, never on wording.

Odd-but-usable input is never an exception: it becomes a ``Notice`` (a warning with a code) carried in the
result.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "problem", "code"]


class Notice(str):
    """A warning: its text for a person (a ``str``, so it reads and prints as one), a stable ``code``
    (``"total-row-does-not-reconcile"``, listed in ``lm3.codes``) that code and JSON use, and, where the
    warning is about them, the ``file`` and ``sheet``, the ``rows`` (as a person numbers them in the file)
    and the ``amount`` (pence) it concerns."""

    code: str
    file: str | None
    sheet: str | None
    rows: tuple[int, ...]
    amount: int | None

    def __new__(
        cls,
        code: str,
        text: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        rows: Iterable[int] = (),
        amount: int | None = None,
    ) -> Notice:
        notice = super().__new__(cls, text)
        notice.code, notice.file, notice.sheet = code, file, sheet
        notice.rows = tuple(int(r) for r in rows)
        notice.amount = None if amount is None else int(amount)
        return notice

    def to_dict(self) -> dict[str, object]:
        """The code and message, and the file, sheet, rows and amount (text with two decimals) when given."""
        out: dict[str, object] = {"code": self.code, "message": str(self)}
        if self.file is not None:
            out["file"] = self.file
        if self.sheet is not None:
            out["sheet"] = self.sheet
        if self.rows:
            out["rows"] = list(self.rows)
        if self.amount is not None:
            pounds, pence = divmod(abs(self.amount), 100)
            out["amount"] = f"{'-' if self.amount < 0 else ''}{pounds}.{pence:02d}"
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        fields = {"file": self.file, "sheet": self.sheet, "rows": self.rows, "amount": self.amount}
        return (_notice, (self.code, str(self), fields))


def _notice(code: str, text: str, fields: dict[str, Any]) -> Notice:
    """A Notice unpickled (from another process: the batch runner's workers)."""
    return Notice(code, text, **fields)


def notice_code(warning: str) -> str:
    """The code of a warning: a Notice's own, else "warning"."""
    return warning.code if isinstance(warning, Notice) else "warning"


class LM3Error(Exception):
    """Base class: anything lm3 refuses to do. ``str(err)`` is the whole message for a person; ``code`` is
    stable (each class has its own, a raise may be more specific); ``params`` are the parameters that would
    fix it."""

    code = "lm3-error"

    def __init__(self, message: str, *, code: str | None = None, params: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params = tuple(params)


class InputError(LM3Error):
    """A file or table cannot be used as given (missing, unreadable, a required column absent)."""

    code = "input-error"


class RowErrors(InputError):
    """Some rows hold values that cannot be used. Every problem is collected before raising.

    ``problems`` is a DataFrame with columns file, sheet, row, column, value, problem, code (stable, as
    ``"amount-not-money"``: code filters on it, never on the problem's wording); ``row`` is the
    row number as a person sees it in the spreadsheet (header and preamble rows counted). A problem reads
    after its value ("'abc' is not an amount of money"), or alone when the cell is blank.
    """

    code = "rows-cannot-be-used"

    def __init__(self, problems: pd.DataFrame, *, limit: int = 20) -> None:
        if "code" not in problems:
            problems = problems.assign(code="value-cannot-be-used")
        self.problems = problems.reset_index(drop=True)[PROBLEM_COLUMNS]
        super().__init__(_describe_problems(self.problems, limit))


class AreaError(LM3Error):
    """The area named is not a local authority district lm3 knows."""

    code = "area-unknown"

    def __init__(
        self,
        message: str,
        suggestions: tuple[str, ...] = (),
        *,
        code: str | None = None,
        params: tuple[str, ...] = ("area",),
    ) -> None:
        self.suggestions = suggestions
        super().__init__(message, code=code, params=params)


class MethodError(LM3Error):
    """The inputs were read, but the method cannot give a figure from them (says what is missing)."""

    code = "method-error"


def _describe_problems(problems: pd.DataFrame, limit: int) -> str:
    n = len(problems)
    files = problems["file"].unique()
    where = files[0] if len(files) == 1 else f"{len(files)} files"
    lines = [f"{where}: {n} row{'s' if n != 1 else ''} cannot be used:"]
    for p in problems.head(limit).to_dict("records"):
        place = f"{p['file']}" if len(files) > 1 else ""
        if isinstance(p["sheet"], str) and p["sheet"]:
            place += f"{' ' if place else ''}sheet {p['sheet']!r}"
        place += f"{', ' if place else ''}row {p['row']}"
        if isinstance(p["column"], str) and p["column"]:  # a problem with the whole row names no column
            place += f", column {p['column']!r}"
        value = "" if p["value"] is None or p["value"] != p["value"] else f" {p['value']!r}"
        lines.append(f"  {place}:{value} {p['problem']}")
    if n > limit:
        lines.append(f"  ... and {n - limit} more")
    return "\n".join(lines)
