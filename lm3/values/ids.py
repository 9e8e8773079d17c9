"""Identifiers of organisations as spend files and registers write them, made canonical, and the values that
are no identifier at all.

A spend file's or register's id columns hold more than ids: "N/A", "0", "-", "TBC", "Not registered" on the
rows of suppliers that have none (one council's "Charity Number" column holds "N/A" on every row). Such a
value is **no identifier** (``no_value``): it never types a supplier as a charity, nor matches anything.

Each kind of id has one canonical form, the one its register writes, so the same organisation matches
however a file typed it:

- company number (Companies House): 8 characters, digits zero-padded ("2535986" -> "02535986"), prefixes
  upper case ("sc123456" -> "SC123456"); ``lm3.values.names.arrow_company_numbers``;
- charity number: England and Wales as digits, a subsidiary's "-1" dropped ("1123456-1" -> "1123456");
  Scotland "SC" and six digits ("SC12345" -> "SC012345"); Northern Ireland "NIC" and six digits
  ("NIC100002"; England and Wales numbers start at 200000, so a bare 100000-199999 is Northern Ireland's);
- school URN (DfE, GIAS): six digits;
- NHS ODS code: three to six letters and digits, at least one letter ("RXX", "A81001", "FM664");
- CQC location or provider id: "1-" and digits;
- org-id (360Giving, OCDS: "GB-COH-01234567", "GB-CHC-1123456", "GB-SC-SC012345", "GB-NIC-100002",
  "GB-EDU-100000", "GB-NHS-RXX"): the scheme upper case, and its id in the canonical form above where the
  scheme is one of these; ``org_id_parts`` splits one into the id columns it fills.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.values.names import arrow_company_numbers

ID_KINDS = ("company_number", "charity_number", "urn", "ods_code", "cqc_id", "org_id")

# values that say there is no identifier (matched on the whole cell, case ignored, after trimming)
NO_VALUE = (
    r"(?i)^\s*(?:n\s*[./]?\s*a\.?|#\s*n\s*/?\s*a|none|nil|null|nan|n\s*/\s*k|nk|not\s+known|unknown|"
    r"not\s+applicable|not\s+registered|not\s+available|not\s+provided|not\s+given|no\s+data|none\s+given|"
    r"tbc|tba|tbd|to\s+be\s+confirmed|pending|exempt|-+|–+|—+|_+|\.+|\?+|0+|x+|\*+)\s*$"
)
COMPANY_NUMBER = r"^(?:\d{8}|[A-Z]{2}\d{6}|R\d{7})$"
CHARITY_NUMBER = r"^(?:[2-9]\d{5}|1\d{6}|SC\d{6}|NIC\d{6})$"
URN = r"^[1-9]\d{5}$"
ODS_CODE = r"^[A-Z0-9]{3,6}$"  # with a letter in it
CQC_ID = r"^1-\d{5,12}$"
ORG_ID = r"^(?i:[A-Z]{2})-(?i:[A-Z]{2,6})-\S+$"
# org-id schemes (org-id.guide) whose ids lm3 reads, and the id column each fills
SCHEMES = {
    "GB-COH": "company_number",
    "GB-CHC": "charity_number",
    "GB-SC": "charity_number",
    "GB-NIC": "charity_number",
    "GB-EDU": "urn",
    "GB-NHS": "ods_code",
    "GB-CQC": "cqc_id",
}


def _text(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return pc.cast(values, pa.string()) if values.type != pa.string() else values
    series = pd.Series(values)
    present = series.notna().to_numpy()
    text = series.astype("object").where(present, None).map(_cell, na_action="ignore")
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _cell(value: object) -> str:
    """A cell as text: Excel's 2535986.0 is "2535986"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _nulled(text: pa.Array | pa.ChunkedArray, keep: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.if_else(pc.fill_null(keep, False), text, pa.scalar(None, pa.string()))


def no_value(values: pd.Series | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Whether each value says there is no identifier ("N/A", "#N/A", "0", "-", "TBC", "None", "Not
    registered", blank...)."""
    text = pc.fill_null(_text(values), "")
    return np.asarray(
        pc.match_substring_regex(text, NO_VALUE).to_numpy(zero_copy_only=False)
        | pc.equal(pc.utf8_trim_whitespace(text), "").to_numpy(zero_copy_only=False)
    )


def _squeezed(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Upper case, spaces left out, a trailing Excel ".0" dropped; a value that is no identifier null."""
    text = _text(values)
    text = _nulled(text, pc.invert(pa.array(no_value(text))))
    text = pc.utf8_upper(pc.replace_substring_regex(text, r"\s+", ""))
    return pc.replace_substring_regex(text, r"^(\d+)\.0+$", r"\1")


def company_numbers(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Canonical company numbers; null where a value is no company number."""
    text = arrow_company_numbers(_squeezed(values))
    return _nulled(text, pc.match_substring_regex(text, COMPANY_NUMBER))


def charity_numbers(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Canonical charity numbers (see the module docstring); null where a value is none."""
    s = _squeezed(values)
    s = pc.replace_substring_regex(s, r"^(?:RCN|CHARITY(?:NO|NUMBER)?|REGNO|REG)[:.#]?", "")
    s = pc.replace_substring_regex(s, r"^(\d{6,7})(?:[-/]\d{1,3})?$", r"\1")  # a subsidiary's "-1"
    s = pc.replace_substring_regex(s, r"^SC0*(\d{1,6})$", r"SC\1")
    s = pc.if_else(
        pc.fill_null(pc.match_substring_regex(s, r"^SC\d{1,5}$"), False),
        pc.binary_join_element_wise("SC", pc.utf8_lpad(pc.utf8_slice_codeunits(s, 2), 6, "0"), ""),
        s,
    )
    s = pc.replace_substring_regex(s, r"^NI(?:C)?(\d{6})$", r"NIC\1")
    s = pc.if_else(
        pc.fill_null(pc.match_substring_regex(s, r"^1\d{5}$"), False),
        pc.binary_join_element_wise("NIC", s, ""),
        s,
    )
    return _nulled(s, pc.match_substring_regex(s, CHARITY_NUMBER))


def urns(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """School URNs (six digits); null where a value is none."""
    s = _squeezed(values)
    return _nulled(s, pc.match_substring_regex(s, URN))


def ods_codes(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """NHS ODS codes; null where a value is none."""
    s = _squeezed(values)
    shaped = pc.and_(pc.match_substring_regex(s, ODS_CODE), pc.match_substring_regex(s, "[A-Z]"))
    return _nulled(s, shaped)


def cqc_ids(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """CQC location or provider ids ("1-123456789"); null where a value is none."""
    s = _squeezed(values)
    return _nulled(s, pc.match_substring_regex(s, CQC_ID))


CLEANERS: dict[str, Callable[[pd.Series | pa.Array | pa.ChunkedArray], pa.Array]] = {
    "company_number": company_numbers,
    "charity_number": charity_numbers,
    "urn": urns,
    "ods_code": ods_codes,
    "cqc_id": cqc_ids,
}

_LAST_POSTCODE = r"(?i)^.*\b(?P<postcode>[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b"


def postcodes_in_text(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """A postcode column's values: the last postcode in each text (an address holds one: "12 High St,
    Bradford BD1 1HY" -> "BD1 1HY"), else the text itself (an outward code "BD7", or something to report),
    upper case with single spaces; null where a value is no postcode ("N/A", "-", "0")."""
    text = _text(values)
    text = _nulled(text, pc.invert(pa.array(no_value(text))))
    text = pc.replace_substring_regex(text, r"\s+", " ")  # an address over several lines is one text
    found = pc.struct_field(pc.extract_regex(text, _LAST_POSTCODE), [0])
    text = pc.if_else(pc.is_valid(found), found, text)
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_upper(text), r"\s+", " "))


def org_ids(values: pd.Series | pa.Array | pa.ChunkedArray) -> pa.Array:
    """Canonical org-ids: "gb-coh-1234567" -> "GB-COH-01234567", the id of a known scheme canonical
    (``SCHEMES``), any other scheme's id as written; null where a value is no org-id."""
    s = _squeezed(values)
    s = _nulled(s, pc.match_substring_regex(s, ORG_ID))
    parts = org_id_parts(s)
    out = s
    for name, column in SCHEMES.items():
        prefix = name + "-"
        mine = pc.fill_null(pc.starts_with(s, prefix), False)
        if not pc.any(mine).as_py():
            continue
        ident = pa.array(parts[column], type=pa.string())
        if name == "GB-NIC":  # the scheme's ids are the bare number
            ident = pc.replace_substring_regex(ident, r"^NIC", "")
        canonical = pc.binary_join_element_wise(prefix, ident, "")
        out = pc.if_else(mine, canonical, out)
    return out


def org_id_parts(values: pd.Series | pa.Array | pa.ChunkedArray) -> dict[str, np.ndarray]:
    """The id columns an org-id fills ("GB-COH-01234567" -> company_number "01234567"), as object arrays
    (None where it fills none), keyed by the columns of ``SCHEMES``."""
    s = _squeezed(values)
    n = len(s)
    out = {column: np.full(n, None, dtype=object) for column in set(SCHEMES.values())}
    for name, column in SCHEMES.items():
        prefix = name + "-"
        mine = np.asarray(pc.fill_null(pc.starts_with(s, prefix), False).to_numpy(zero_copy_only=False))
        if not mine.any():
            continue
        rest = pc.utf8_slice_codeunits(s.filter(pa.array(mine)), len(prefix))
        if name == "GB-NIC":
            rest = pc.binary_join_element_wise("NIC", rest, "")
        clean = CLEANERS[column](rest).to_numpy(zero_copy_only=False)
        out[column][mine] = clean
    return out


IDENTIFIERS = {**CLEANERS, "org_id": org_ids}  # every id column's cleaner


def id_shape_share(values: pd.Series, kind: str) -> float:
    """The share of the values that are not "no identifier" holding an id of ``kind`` (a key of
    ``CLEANERS``, or "org_id"): how much a column's content says it is such a column."""
    text = _text(values)
    present = ~no_value(text)
    if not present.any():
        return 0.0
    clean = IDENTIFIERS[kind](text)
    return float(np.asarray(pc.is_valid(clean).to_numpy(zero_copy_only=False))[present].mean())


_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def outward_share(values: pd.Series) -> float:
    """The share of the values that are not "no identifier" written as a postcode's outward code ("BD7",
    "SW1A", "M1") or sector ("BD7 1"): a column of the first half of postcodes."""
    text = pd.Series(values).dropna().astype("str").str.upper().str.strip()
    text = text[~no_value(text)]
    if text.empty:
        return 0.0
    squeezed = text.str.replace(r"\s+", " ", regex=True)
    return float(squeezed.str.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?(?: \d)?").mean())
