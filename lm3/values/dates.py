"""Payment dates as finance systems export them, and accounting periods kept as periods.

Accepted: dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, two-digit years, with or without a time),
ISO (2022-05-03, 2022-05-03T00:00:00), "03-May-2022" / "3 May 2022", yyyymmdd (20240402, as text or a
number, when it is a real day of 1900-2099), Excel date-times, and Excel serial numbers from numeric cells. A column whose day/month order can only be month first (a value like 05/31/2022
and none like 31/05/2022) is read month first, and a warning says so. Period codes ("202205", "P13",
"Period 13", "2022/23 P13", "M01") are not dates: they are kept, as written, in a separate period column.

Parsing is done once per distinct value (a year of payments has a few hundred distinct dates), so a
million rows cost no more than their distinct values.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from lm3.values.arrow import factorize

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NAMED = re.compile(r"^(\d{1,2})[ \-]([A-Za-z]{3,9})[ \-,]*(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_PERIOD = re.compile(
    r"^(?:(?:19|20)\d{2}(?:0[1-9]|1[0-6])"  # 202205: year and month (or period 13-16)
    r"|(?:(?:19|20)\d{2}(?:[/\-]\d{2,4})?\s*)?(?:P|PERIOD|M|MONTH|WK|WEEK)\s*\d{1,2})$",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"^((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")  # 20240402
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Dates:
    """Parsed dates: ``date`` (datetime64, NaT where none), ``period`` (text or NA) and ``bad`` (neither)."""

    date: pd.Series
    period: pd.Series
    bad: pd.Series
    month_first: bool = False


def parse_dates(values: pd.Series) -> Dates:
    """Parse a column of payment dates; see the module docstring for the forms accepted."""
    values = pd.Series(values)
    coded = parse_dates_coded(values)
    idx = coded.codes
    return Dates(
        date=pd.Series(coded.dates[idx], index=values.index),
        period=pd.Series(coded.periods[idx], index=values.index, dtype="str"),
        bad=pd.Series(coded.bad[idx], index=values.index),
        month_first=coded.month_first,
    )


@dataclass(frozen=True)
class CodedDates:
    """Parsed dates per distinct value: row i has ``dates[codes[i]]`` (the last entry: an empty cell)."""

    codes: np.ndarray
    dates: np.ndarray
    periods: np.ndarray
    bad: np.ndarray
    month_first: bool

    def rows(self, take: np.ndarray | None = None) -> np.ndarray:
        """Index into the per-value arrays for each row (or for rows ``take``)."""
        return self.codes if take is None else self.codes[take]


def parse_dates_coded(values: pd.Series) -> CodedDates:
    """``parse_dates`` without expanding to rows: each distinct value parsed once, rows as codes."""
    codes, uniques = factorize(pd.Series(values))
    texts = [_as_text(u) for u in uniques]
    month_first = _month_first(texts)
    parsed = [_one(u, t, month_first) for u, t in zip(uniques, texts, strict=True)]
    dates = np.array(
        [p[0] if p[0] is not None else np.datetime64("NaT") for p in parsed] + [np.datetime64("NaT")],
        dtype="datetime64[s]",
    )
    periods = np.array([p[1] for p in parsed] + [None], dtype=object)
    bad = np.array(
        [p[0] is None and p[1] is None and t != "" for p, t in zip(parsed, texts, strict=True)] + [False]
    )
    return CodedDates(codes=codes, dates=dates, periods=periods, bad=bad, month_first=month_first)


def _as_text(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp | np.datetime64):
        return ""
    return str(value).strip()


def _month_first(texts: list[str]) -> bool:
    """True when slashed dates can only be month first: some second part over 12, no first part over 12."""
    firsts, seconds = [], []
    for t in texts:
        m = _DMY.match(t)
        if m:
            firsts.append(int(m.group(1)))
            seconds.append(int(m.group(2)))
    return bool(seconds) and max(seconds) > 12 and max(firsts) <= 12


def _one(value: object, text: str, month_first: bool) -> tuple[np.datetime64 | None, str | None]:
    """One cell as (day, period text): a date, a number (a period, a compact date or an Excel serial) or
    text."""
    if isinstance(value, dt.datetime | pd.Timestamp):  # a payment date is a day ("01:00" is a BST artefact)
        return np.datetime64(value.date(), "s"), None
    if isinstance(value, dt.date):
        return np.datetime64(value, "s"), None
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]").astype("datetime64[s]"), None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    if not text:
        return None, None
    if _PERIOD.match(text):
        return None, text
    parts = _parts(text, month_first)
    if parts is None:
        return None, None
    year, month, day = parts
    if year < 100:
        year += 2000 if year < 70 else 1900
    return _day(year, month, day), None


def _number(value: float) -> tuple[np.datetime64 | None, str | None]:
    """A number as a period (202404), a compact date (20240401) or an Excel serial number."""
    if float(value).is_integer() and _PERIOD.match(str(int(value))):
        return None, str(int(value))
    if float(value).is_integer() and (m := _COMPACT.match(str(int(value)))):
        return _day(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
    if 1 <= value < 2958466:  # an Excel serial number (1900-01-01 to 9999-12-31)
        return np.datetime64((_EXCEL_EPOCH + dt.timedelta(days=float(value))).date(), "s"), None
    return None, None


def _parts(text: str, month_first: bool) -> tuple[int, int, int] | None:
    """(year, month, day) of a date written as text: ISO, day/month/year (month first when the column's
    dates can only be), compact, or with the month's name; None for anything else."""
    if m := _ISO.match(text):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if m := _DMY.match(text):
        day, month = int(m.group(1)), int(m.group(2))
        return (int(m.group(3)), day, month) if month_first else (int(m.group(3)), month, day)
    if m := _COMPACT.match(text):
        return int(m.group(1)), int(m.group(2)), int(m.group(3))
    if (m := _NAMED.match(text)) and m.group(2)[:3].lower() in _MONTHS:
        return int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1))
    return None


def _day(year: int, month: int, day: int) -> np.datetime64 | None:
    try:
        return cast(
            "np.datetime64 | None", np.datetime64(dt.datetime(year, month, day)).astype("datetime64[s]")
        )
    except ValueError:
        return None
