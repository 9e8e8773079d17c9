"""The optional columns of a spend file (expense type, identifiers, postcodes...) parsed once per
distinct value, and columns expanded from codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.inputs.ingest.names import SPACES
from lm3.inputs.ingest.result import REJECTED_COLUMNS
from lm3.read.table import Table
from lm3.values.arrow import bytes_present, factorize, one_chunk
from lm3.values.ids import IDENTIFIERS, postcodes_in_text
from lm3.values.money import as_text


def unreadable_rows(table: Table) -> pd.DataFrame:
    u = table.unreadable
    return pd.DataFrame(
        {
            "sheet": u["sheet"],
            "row": u["row"],
            "column": None,
            "value": u["value"],
            "reason": u["problem"],
            "code": "row-unreadable",
        },
        columns=REJECTED_COLUMNS,
    )


def expand(values: np.ndarray, idx: np.ndarray) -> pd.Series:
    """Per-row text from per-distinct-value text: row i is ``values[idx[i]]`` (None is missing). Built as a
    dictionary array cast to plain text (faster in Arrow than a take)."""
    dictionary = pa.array(values, type=pa.large_string())  # pandas' text type: no copy into the Series
    taken = pa.DictionaryArray.from_arrays(pa.array(idx), dictionary).cast(pa.large_string())
    return pd.Series(pd.array(taken, dtype="str"))


@dataclass(frozen=True)
class Column:
    """An optional column's canonical text: per row (``full``), or per distinct value (``values``, the last
    entry missing) with each row's index into them (``idx``)."""

    full: pa.Array | None = None
    idx: np.ndarray | None = None
    values: np.ndarray | None = None

    def rows(self, take: np.ndarray | None) -> pd.Series:
        if self.full is not None:
            full = self.full if take is None else self.full.take(pa.array(take, type=pa.int64()))
            return pd.Series(pd.array(full, dtype="str"))
        assert self.idx is not None and self.values is not None
        return expand(self.values, self.idx if take is None else self.idx[take])


def optional_column(name: str, values: pd.Series) -> Column:
    """Canonical text of an optional column: per distinct value when values repeat (categories, service
    areas), else vectorised over the column (ids and references, a value per row)."""
    head = values.iloc[:2000]
    if len(values) > 2000 and head.nunique() * 2 > len(head):  # ids: a value per row
        return Column(full=one_chunk(_clean_optional(name, as_text(values))))
    codes, uniques = factorize(values)
    if len(uniques) * 4 < len(values):
        clean = _clean_optional(name, as_text(uniques))
        return Column(
            idx=codes,
            values=np.asarray([*clean.to_pylist(), None], dtype=object),
        )
    return Column(full=one_chunk(_clean_optional(name, as_text(values))))


def _clean_optional(name: str, text: pa.Array) -> pa.Array:
    ids = name in (
        "supplier_id",
        "transaction_id",
        "vat_number",
        "charity_number",
        "postcode",
        "head_office_postcode",
        "company_number",
        "urn",
        "ods_code",
        "org_id",
    )
    # most columns need neither spaces nor case fixed. A count of the bytes rules it out for a column with no
    # whitespace, non-ASCII or (ids) lower case at all, such as a column of transaction numbers; else one
    # search finds whether any value needs it.
    spaces = "^\\s|\\s$|\\s\\s|[\t\r\n\u00a0]"
    present = bytes_present(text)
    may_need = (
        present[[9, 10, 11, 12, 13, 32]].any()
        or present[128:].any()
        or (ids and present[ord("a") : ord("z") + 1].any())
    )
    if may_need and pc.any(pc.match_substring_regex(text, spaces + ("|[a-z]" if ids else ""))).as_py():
        if pc.any(pc.match_substring_regex(text, spaces)).as_py():
            text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, SPACES, " "))
        if ids:
            text = pc.utf8_upper(text)
    if name == "vat_number":
        text = pc.replace_substring_regex(text, r"^GB|\s", "")
    if name in IDENTIFIERS:  # company and charity numbers, URNs, ODS codes, org-ids: canonical, or null
        text = IDENTIFIERS[name](text)
    if name in ("postcode", "head_office_postcode"):
        text = postcodes_in_text(text)
    if name == "vcse":
        upper = pc.utf8_upper(text)
        yes = pc.is_in(upper, pa.array(["Y", "YES", "TRUE", "1", "VCSE"]))
        no = pc.is_in(upper, pa.array(["N", "NO", "FALSE", "0"]))
        text = pc.if_else(yes, "yes", pc.if_else(no, "no", ""))
    if name == "capital_revenue":
        upper = pc.utf8_upper(text)
        text = pc.if_else(
            pc.starts_with(upper, "C"), "capital", pc.if_else(pc.starts_with(upper, "R"), "revenue", text)
        )
    if len(text) and pc.min(pc.binary_length(text)).as_py() == 0:
        text = pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)
    return text
