"""Keys that make the same supplier (or employee) match across files however it was typed.

"AIRE VALLEY CATERING LTD", "Aire Valley Catering Limited" and "aire valley catering ltd." share the key
"AIRE VALLEY CATERING": case, accents, spacing (including non-breaking spaces), punctuation, "&"/"and",
dots and apostrophes ("C.I.C.", "Sainsbury's"), a leading "The" and trailing legal forms (Ltd/Limited,
PLC, LLP, LP, CIC, CIO, Inc, Co) are ignored.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# how ingest names a payee it cannot name: a redacted one and one with no name, and its supplier_class codes
REDACTED = "(redacted)"
REDACTED_KEY = "(REDACTED)"
NO_NAME = "(no supplier name)"
SUPPLIER_CLASSES = ("named", "redacted", "blank")  # supplier_class, by code
NAMED, REDACTED_CLASS, BLANK = 0, 1, 2

_LEGAL_FORMS = r"(?:\s+(?:LIMITED|LTD|PLC|LLP|LP|CIC|CIO|INC|CO|COMPANY))+$"


def supplier_key(names: pd.Series) -> pd.Series:
    """Normalised matching key for each supplier name (vectorised; empty string for a blank name)."""
    names = pd.Series(names)
    text = names.astype("object").fillna("").astype("str")
    keys = arrow_supplier_key(pa.array(text.array, type=pa.string()))
    return pd.Series(pd.array(keys, dtype="str"), index=names.index)


def arrow_supplier_key(names: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``supplier_key`` on an Arrow string array, in Arrow compute (millions of names at a time): accents
    decomposed and dropped (letters of every script kept: a Greek, Cyrillic or Chinese name has its own key), upper case, "&" as "AND", dots and apostrophes
    removed, any other run of non-alphanumerics a space, a leading "The" and trailing legal forms removed."""
    s = pc.fill_null(names, "")
    s = pc.utf8_normalize(s, form="NFKD")
    s = pc.replace_substring_regex(s, r"\p{Mn}", "")  # accents dropped; letters of every script kept
    s = pc.utf8_upper(s)
    s = pc.replace_substring(s, "&", " AND ")
    s = pc.replace_substring_regex(s, r"[.'’]", "")  # "C.I.C." -> "CIC", "Sainsbury's" -> "SAINSBURYS"
    s = pc.replace_substring_regex(s, r"[^\p{L}\p{N}]+", " ")
    s = pc.utf8_trim(s, " ")
    s = pc.replace_substring_regex(s, r"^THE\s+", "")
    s = pc.replace_substring_regex(s, _LEGAL_FORMS, "")
    return pc.utf8_trim(s, " ")


def id_key(ids: pd.Series) -> pd.Series:
    """Normalised employee (or other) identifier: trimmed, upper case; Excel's 1001.0 reads as "1001"."""

    def one(value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None or value != value else str(value).strip().upper()

    return pd.Series(ids, dtype="object").map(one).astype("str")


def arrow_company_numbers(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The one company-number rule, in Arrow compute: Companies House numbers as Companies House writes
    them, 8 characters, upper case, digits zero-padded (2535986 -> 02535986, sc123456 -> SC123456,
    Excel's 2535986.0 -> 02535986); null for blanks and for "N/A", "NA", "NONE", "NAN", "0", "-"."""
    s = pc.utf8_upper(pc.replace_substring_regex(text, r"\s", ""))
    s = pc.replace_substring_regex(s, r"^(\d{1,8})\.0+$", r"\1")
    s = pc.if_else(pc.match_substring_regex(s, r"^\d{1,7}$"), pc.utf8_lpad(s, 8, "0"), s)
    missing = pc.match_substring_regex(s, r"^(?:N/?A|NONE|NAN|0+|-|)$")
    return pc.if_else(pc.fill_null(missing, True), pa.scalar(None, s.type), s)


def company_numbers(values: pd.Series) -> pd.Series:
    """``arrow_company_numbers`` on any column (numbers from Excel, text, blanks): text, None where there
    is no number."""
    values = pd.Series(values)
    present = values.notna().to_numpy()
    text = values.astype("object").where(present, "").astype("str")
    clean = arrow_company_numbers(pa.array(text.array, type=pa.string()))
    out = pd.Series(clean.to_pylist(), index=values.index, dtype="object")
    return out.where(present, None)
