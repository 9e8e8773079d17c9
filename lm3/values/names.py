"""Keys that make the same supplier (or employee) match across files however it was typed.

"AIRE VALLEY CATERING LTD", "Aire Valley Catering Limited" and "aire valley catering ltd." share the key
"AIRE VALLEY CATERING": case, accents, spacing (including non-breaking spaces), punctuation, "&"/"and",
dots and apostrophes ("C.I.C.", "Sainsbury's"), a leading "The" and trailing legal forms (Ltd/Limited,
PLC, LLP, LP, CIC, CIO, Inc, Co) are ignored.

Finance systems add payment-method and account noise to payee names; it is not part of the name and is left
out of the key: "BRITISH GAS (DD)", "British Gas - Direct Debit", "BRITISH GAS DD ONLY", "British Gas BACS",
"BRITISH GAS A/C 123456" and "British Gas 87654321" all key "BRITISH GAS". Only where it is plainly noise: in
brackets, or trailing the name (a leading "BACS" is a name: "Bacs Payment Schemes Ltd"); a trailing number
only when it has five or more digits ("UNIT 4", "3M", "2000 Ltd" keep theirs). "A T/A B" (trading as) keys
the legal name A. A name that would be left with nothing keeps its whole key.
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

# payment methods as finance systems append them (upper case, before punctuation is removed)
_METHODS = (
    r"DD ONLY|D/D|DD|DIRECT DEBIT|BY DIRECT DEBIT|BACS|BY BACS|VIA BACS|CHAPS|S/O|STANDING ORDER|CHQ|CHEQUE"
)
# an account, reference or registration word as a whole word ("ACC" is not the start of "ACCRINGTON")
_ACCOUNT = (
    r"(?:A/C|(?:ACC|ACCT|ACCOUNT|REF|REFERENCE|CUST|CUSTOMER|RCN|(?:REG(?:ISTERED)?\s+)?CHARITY)\b)"
    r"(?:\s*(?:NO|NUMBER|NUM)\b)?\.?\s*[:#]?"
)
# anything in brackets that is a method, an account or reference, or a short word and a long number
# ("(DD)", "[BACS]", "(A/C 1234)", "(07301836)", "(USE 3009018)")
_BRACKETED_NOISE = (
    rf"[(\[]\s*(?:(?:{_METHODS})|{_ACCOUNT}\s*[A-Z0-9/-]*|(?:[A-Z]{{1,8}}\s+)?\d[\d\s/-]{{4,}})\s*[)\]]"
)
# trailing the name, any number of times: a method, an account or reference number, a long bare number
_TRAILING_NOISE = (
    rf"(?:(?:\s+|\s*[-,/:]\s*)(?:(?:{_METHODS})|{_ACCOUNT}\s*[A-Z0-9/-]*\d[A-Z0-9/-]*|#?\d[\d/-]{{4,}})\.?)+$"
)
_TRADING_AS = r"\s+(?:T/AS?|T\.A\.?|TRADING\s+AS)\s+.*$"


def supplier_key(names: pd.Series) -> pd.Series:
    """Normalised matching key for each supplier name (vectorised; empty string for a blank name)."""
    names = pd.Series(names)
    text = names.astype("object").fillna("").astype("str")
    keys = arrow_supplier_key(pa.array(text.array, type=pa.string()))
    return pd.Series(pd.array(keys, dtype="str"), index=names.index)


_TRAILING_REMARK = r"\s*[(\[][^()\[\]]*[)\]]?\s*$"  # "(KCC UTILITY BILLS ONLY)", "(RADIUS ACCOUNT" at the end


def remark_free_keys(names: pd.Series) -> pd.Series:
    """Each name's key with a bracketed remark at its end left out ("KENT COUNTY COUNCIL (KCC UTILITY BILLS
    ONLY)": "KENT COUNTY COUNCIL"; "Plymouth City Council (Radius Account": "PLYMOUTH CITY COUNCIL"); ""
    where the name has none, or nothing is left. A bracket inside a name ("Smith (UK) Ltd") is its own."""
    text = pd.Series(names).astype("object").fillna("").astype("str")
    out = pd.Series("", index=text.index, dtype="str")
    # few names have a bracket (found in Arrow); only those are tried with the remark's pattern, and keyed
    has = text.str.contains("[([]", regex=True).to_numpy(dtype=bool, copy=True)
    has[has] = text[has].str.contains(_TRAILING_REMARK, regex=True).to_numpy(dtype=bool)
    if has.any():
        some = text[has]
        keys = supplier_key(some.str.replace(_TRAILING_REMARK, "", regex=True))
        out[has] = keys.where(keys != supplier_key(some), "").to_numpy()
    return out


def arrow_supplier_key(
    names: pa.Array | pa.ChunkedArray, *, clean: bool = True
) -> pa.Array | pa.ChunkedArray:
    """``supplier_key`` on an Arrow string array, in Arrow compute (millions of names at a time): accents
    decomposed and dropped (letters of every script kept: a Greek, Cyrillic or Chinese name has its own
    key), upper case, "&" as "AND", dots and apostrophes removed, any other run of non-alphanumerics a
    space, a leading "The" and trailing legal forms removed; with ``clean`` (the default), payment-method
    and account noise and a "trading as" name removed too (see the module's docstring)."""
    s = pc.fill_null(names, "")
    s = pc.utf8_normalize(s, form="NFKD")
    s = pc.replace_substring_regex(s, r"\p{Mn}", "")  # accents dropped; letters of every script kept
    s = pc.utf8_upper(s)
    if clean:
        whole = _key_of_upper(s)
        s = pc.replace_substring_regex(s, _TRADING_AS, "")
        s = pc.replace_substring_regex(s, _BRACKETED_NOISE, " ")
        s = pc.replace_substring_regex(s, _TRAILING_NOISE, "")
        s = _key_of_upper(s)
        s = pc.replace_substring_regex(s, _TRAILING_NOISE, "")  # noise before a legal form ("X DD LTD")
        s = pc.utf8_trim(s, " ")
        s = pc.replace_substring_regex(s, r"^THE$", "")  # only an article left ("The (DD)"): no name at all
        return pc.if_else(pc.equal(s, ""), whole, s)
    return _key_of_upper(s)


def _key_of_upper(s: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
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
