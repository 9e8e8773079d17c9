"""Rows that do not fit the header: a row with fewer fields than the header, where an export dropped a
delimiter, split again where exactly one split fits the columns' shapes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from lm3.read.cells import blank_mask
from lm3.read.fields import Field
from lm3.values.arrow import take_rows
from lm3.values.dates import parse_dates
from lm3.values.money import parse_money

# -- rows that do not fit the header ------------------------------------------------------------------------

_STRICT_MONEY = re.compile(r"^[-+]?£?\(?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d{1,2})?\)?-?$")


_STRICT_DATE = re.compile(r"^(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2})$")


_DIGITS = re.compile(r"^\d+$")


def column_shapes(sample: pd.DataFrame, width: int) -> list[tuple[str, int | None]]:
    """For each column, what its values look like: ("money"|"date"|"digits"|"text", fixed length or None)."""
    shapes: list[tuple[str, int | None]] = []
    for i in range(width):
        if i not in sample.columns:
            shapes.append(("text", None))
            continue
        filled = sample[i][~blank_mask(sample[i])].astype("str").str.strip()
        if len(filled) == 0:
            shapes.append(("text", None))
            continue
        lengths = filled.str.len()
        # a fixed width is only believed from enough rows ("1/4/2025" alone says nothing about "11/4/2025")
        fixed = int(lengths.iloc[0]) if lengths.nunique() == 1 and len(filled) >= 20 else None
        for kind, pattern in (("date", _STRICT_DATE), ("digits", _DIGITS), ("money", _STRICT_MONEY)):
            if filled.str.match(pattern.pattern).mean() >= 0.95:
                shapes.append((kind, fixed if kind != "money" else None))
                break
        else:
            shapes.append(("text", None))
    return shapes


def _fits(value: str, shape: tuple[str, int | None]) -> bool:
    kind, fixed = shape
    value = value.strip()
    if fixed is not None and len(value) != fixed:
        return False
    if kind == "date":
        return bool(_STRICT_DATE.match(value))
    if kind == "digits":
        return bool(_DIGITS.match(value))
    if kind == "money":
        return bool(_STRICT_MONEY.match(value))
    # a text piece of a split holds a letter: "5." or "1234." is a number cut in two, never text
    return (
        bool(re.search(r"[^\W\d_]", value))
        and not _STRICT_MONEY.match(value)
        and not _STRICT_DATE.match(value)
    )


def _sound(candidate: list[str], mapping: dict[str, int], fields: tuple[Field, ...]) -> bool:
    """A split row puts a name (letters) in each required text column and money in each required money
    column; anything else ("1234." as a supplier) is no repair."""
    for f in fields:
        if not f.required or f.name not in mapping or mapping[f.name] >= len(candidate):
            continue
        value = candidate[mapping[f.name]].strip()
        if f.kind == "text" and not re.search(r"[^\W\d_]", value):
            return False
        if f.kind == "money" and not _STRICT_MONEY.match(value):
            return False
    return True


def recover_short(
    short: list[tuple[int, list[str]]],
    width: int,
    shapes: list[tuple[str, int | None]],
    mapping: dict[str, int],
    fields: tuple[Field, ...],
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str, str]]]:
    """Split rows that lost one delimiter where exactly one split fits the columns' shapes."""
    recovered: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str, str]] = []
    for row, fields_ in short:
        text = ",".join(fields_)
        if len(fields_) != width - 1:
            problems.append(
                (
                    row,
                    f"has {len(fields_)} field(s) where the header has {width}: fix the row in the file",
                    text,
                )
            )
            continue
        fits: list[list[str]] = []
        for j, value in enumerate(fields_):
            left, right = shapes[j], shapes[j + 1]
            if left[0] == "text" and right[0] == "text":
                continue  # two free-text neighbours can be split anywhere
            for cut in range(1, len(value)):
                a, b = value[:cut], value[cut:]
                if _fits(a, left) and _fits(b, right):
                    candidate = [*fields_[:j], a.strip(), b.strip(), *fields_[j + 1 :]]
                    if candidate not in fits and _sound(candidate, mapping, fields):
                        fits.append(candidate)  # "Shop" + " 1/4/2025" is "Shop " + "1/4/2025": once
        if len(fits) == 1:
            recovered.append((row, fits[0]))
        else:
            why = (
                "no split of one value fits the columns" if not fits else f"{len(fits)} different splits fit"
            )
            problems.append(
                (
                    row,
                    f"has {width - 1} fields where the header has {width}: a delimiter seems to be missing, "
                    f"and {why}; put the missing delimiter back",
                    text,
                )
            )
    return recovered, problems


def misaligned(part: pd.DataFrame, long: dict[int, list[str]], fields: tuple[Field, ...]) -> list[int]:
    """Rows with extra fields whose money or date columns do not hold money or dates."""
    at = np.flatnonzero(part["row"].isin(list(long)).to_numpy())
    bad = np.zeros(len(at), dtype=bool)
    for f in fields:
        if f.name not in part or f.kind not in ("money", "date"):
            continue
        values = take_rows(part[f.name], at)
        if f.kind == "money":
            bad |= parse_money(values)[1].to_numpy()
        else:
            bad |= parse_dates(values).bad.to_numpy()
    return [int(r) for r in part["row"].to_numpy()[at][bad]]
