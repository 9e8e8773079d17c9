"""The exceptions lm3 raises, all in one place.

    LM3Error                 anything lm3 refuses to do, with a message a person can act on
     ├── InputError          a file (or DataFrame) cannot be used: missing, unreadable, a column absent
     │    └── RowErrors      rows with values that cannot be used; ``.problems`` lists every one
     ├── AreaError           the area named is not one lm3 knows; ``.suggestions`` holds close names
     └── MethodError         the inputs are readable but the method cannot proceed (e.g. no survey
                             respondents in a group)

Messages name the file, sheet, row and column, and say what would fix the problem. Odd-but-usable
input is never an exception: it becomes a warning carried in the result.
"""

from __future__ import annotations

import pandas as pd

PROBLEM_COLUMNS = ["file", "sheet", "row", "column", "value", "problem"]


class LM3Error(Exception):
    """Base class: anything lm3 refuses to do. ``str(err)`` is the whole message for a person."""


class InputError(LM3Error):
    """A file or table cannot be used as given (missing, unreadable, a required column absent)."""


class RowErrors(InputError):
    """Some rows hold values that cannot be used. Every problem is collected before raising.

    ``problems`` is a DataFrame with columns file, sheet, row, column, value, problem; ``row`` is the
    row number as a person sees it in the spreadsheet (header and preamble rows counted). A problem reads
    after its value ("'abc' is not an amount of money"), or alone when the cell is blank.
    """

    def __init__(self, problems: pd.DataFrame, *, limit: int = 20) -> None:
        self.problems = problems.reset_index(drop=True)[PROBLEM_COLUMNS]
        super().__init__(_describe_problems(self.problems, limit))


class AreaError(LM3Error):
    """The area named is not a local authority district lm3 knows."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        self.suggestions = suggestions
        super().__init__(message)


class MethodError(LM3Error):
    """The inputs were read, but the method cannot give a figure from them (says what is missing)."""


def _describe_problems(problems: pd.DataFrame, limit: int) -> str:
    n = len(problems)
    files = problems["file"].unique()
    where = files[0] if len(files) == 1 else f"{len(files)} files"
    lines = [f"{where}: {n} row{'s' if n != 1 else ''} cannot be used:"]
    for p in problems.head(limit).itertuples(index=False):
        place = f"{p.file}" if len(files) > 1 else ""
        if p.sheet:
            place += f"{' ' if place else ''}sheet {p.sheet!r}"
        place += f"{', ' if place else ''}row {p.row}, column {p.column!r}"
        value = "" if pd.isna(p.value) else f" {p.value!r}"
        lines.append(f"  {place}:{value} {p.problem}")
    if n > limit:
        lines.append(f"  ... and {n - limit} more")
    return "\n".join(lines)
