"""The header row: the best-scoring row of words above the first rows of data (a row of fragments
between it and the data continues it), scored by the same words that choose the columns.
"""

from __future__ import annotations

import re

from lm3.read.cells import is_blank
from lm3.read.profiles import POSTCODE
from lm3.read.words import AMOUNT_WORDS, POSTCODE_WORDS, SUPPLIER_WORDS, VOCABULARY, header_words, word_score

# -- the header row ---------------------------------------------------------------------------------------------


def header_row_score(cells: list[object], second: str = "amount") -> float:
    """How much a row's words name a spend file's supplier and amount columns (a register's supplier and
    postcode, with ``second="postcode"``)."""
    words = [header_words(str(c)) for c in cells if not is_blank(c)]
    table = AMOUNT_WORDS if second == "amount" else POSTCODE_WORDS
    return max((word_score(w, SUPPLIER_WORDS) for w in words), default=0.0) + max(
        (word_score(w, table) for w in words), default=0.0
    )


_HEADER_VOCABULARY = frozenset(VOCABULARY) | {"pounds", "gbp", "inc", "excl", "incl", "vat", "name", "date"}


def _is_fragment(c: object) -> bool:
    """A cell that could continue a header ("ID", "No.", "excl VAT", "(£)"): its words are header words (or
    a letter or two), so a supplier's name ("A Ltd", "Print Shop") never is."""
    words = header_words(str(c))
    return all(w in _HEADER_VOCABULARY or len(w) <= 2 for w in words)


def _is_wordy(c: object) -> bool:
    return (
        isinstance(c, str) and bool(re.search(r"[^\W\d_]", c)) and not re.fullmatch(r"\s*[-+£]?[\d,.]+\s*", c)
    )


def _is_moneyish(c: object) -> bool:
    if isinstance(c, bool):
        return False
    if isinstance(c, float | int):
        return True
    return isinstance(c, str) and bool(re.fullmatch(r"\s*[-+(]?\s*£?\s*-?[\d,]*\d(\.\d+)?\s*\)?-?\s*", c))


# a total's label in a row of its own: "Total", "Grand total", "Total spend for April 2024:", "Sub-total"
TOTAL_LABEL = re.compile(r"(?i)^\s*(?:grand |sub[ -]?|overall )?totals?\b[^0-9£$]{0,40}$")


def _is_postcodeish(c: object) -> bool:
    return isinstance(c, str) and bool(re.search(POSTCODE, c.upper()))


def find_header(head: list[list[object]], second: str = "amount") -> tuple[int, int] | None:
    """(header row, first data row) among the first rows of a sheet, as indices; None when no rows of data
    with words and numbers follow a row of words.

    Data rows hold at least one number and one word each (a payment of "-" for nothing may sit among them);
    a register's (``second="postcode"``), a postcode and another word.
    The header is the best-scoring row of words in the
    block of filled rows just above the first data rows (a technical row of field names above the human one
    loses to it; a row of fragments below it is its continuation)."""

    def filled(row: list[object]) -> int:
        return sum(1 for c in row if not is_blank(c))

    def data_like(row: list[object]) -> bool:
        if any(isinstance(c, str) and TOTAL_LABEL.match(c) for c in row):
            return False  # a total ("Total spend: £1,234.56"), above the header or below the rows
        if second == "postcode":
            at = [i for i, c in enumerate(row) if _is_postcodeish(c)]
            return bool(at) and any(_is_wordy(c) for i, c in enumerate(row) if i not in at)
        return filled(row) >= 2 and any(_is_moneyish(c) for c in row) and any(_is_wordy(c) for c in row)

    def wordy(row: list[object]) -> bool:
        cells = [c for c in row if not is_blank(c)]
        return len(cells) >= 2 and sum(_is_wordy(c) for c in cells) >= 0.6 * len(cells)

    for start in range(1, len(head)):
        window = [r for r in head[start : start + 4] if filled(r)][:3]
        if not data_like(head[start]) or sum(map(data_like, window)) * 3 < len(window) * 2:
            continue
        above = []
        j = start - 1
        while j >= 0 and not filled(head[j]) and start - j <= 3:  # blank rows under a header
            j -= 1
        while j >= 0 and filled(head[j]) and not data_like(head[j]):
            above.append(j)
            j -= 1
        candidates = [j for j in above if wordy(head[j])]
        if not candidates:
            continue
        widest = max(filled(head[j]) for j in candidates)
        full = [j for j in candidates if filled(head[j]) >= 0.6 * widest]
        best = max(full, key=lambda j: (header_row_score(head[j], second), j))
        score = header_row_score(head[best], second)
        named = [(header_row_score(head[j], second), j) for j in range(best) if wordy(head[j])]
        top = max(named, default=(0.0, -1))
        if (score == 0 and top[0] > 0) or (top[0] >= 1.5 and top[0] >= score + 1.0):
            # a row of odd data (amounts no one can read, "@SUM(1+1)") is more likely than a header a row that
            # names the columns far better further up: that is the header, and the rows between are data,
            # each accounted for (accepted or rejected with its reason)
            return top[1], top[1] + 1
        between = head[best + 1 : start]
        if not any(map(filled, between)) or any(
            filled(r) >= filled(head[best])
            or any(_is_moneyish(c) for c in r)
            or not all(_is_fragment(c) for c in r if not is_blank(c))
            for r in between
        ):
            return best, best + 1  # not fragments of a header: rows of data that look odd
        return best, start
    return None
