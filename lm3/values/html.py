"""HTML from tables whose text came from input files: every text escaped, so nothing in a supplier's name
becomes markup. Used by the report page and by results shown in Jupyter."""

from __future__ import annotations

import html
from collections.abc import Collection

import pandas as pd

from lm3.values.cells import visible_text
from lm3.values.frames import row_tuples
from lm3.values.money import format_gbp


def escape(value: object) -> str:
    """Text for HTML: escaped, with None and NaN as nothing."""
    text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
    return html.escape(visible_text(text))  # control characters and bidi overrides shown, never acted on


def _cell(column: str, value: object, money: Collection[str], shares: Collection[str]) -> str:
    number = isinstance(value, int | float) and not isinstance(value, bool) and value == value
    if column in money and number and isinstance(value, int | float):
        return f'<td class="n">{escape(format_gbp(int(value)))}</td>'
    if column in shares and number:
        return f'<td class="n">{value:.1%}</td>' if column != "Per £1" else f'<td class="n">£{value:.2f}</td>'
    if number:
        return f'<td class="n">{escape(value)}</td>'
    return f"<td>{escape(value)}</td>"


def html_table(frame: pd.DataFrame, *, money: Collection[str] = (), shares: Collection[str] = ()) -> str:
    """A table: ``money`` columns (pence) as £, ``shares`` as percentages ("Per £1" as £0.00), other
    numbers right-aligned, text escaped."""
    head = "".join(f"<th>{escape(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>"
        + "".join(_cell(str(c), v, money, shares) for c, v in zip(frame.columns, row, strict=True))
        + "</tr>"
        for row in row_tuples(frame)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
