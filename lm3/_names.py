"""Keys that make the same supplier (or employee) match across files however it was typed.

"AIRE VALLEY CATERING LTD", "Aire Valley Catering Limited" and "aire valley catering ltd." share the key
"AIRE VALLEY CATERING": case, accents, spacing (including non-breaking spaces), punctuation, "&"/"and",
dots and apostrophes ("C.I.C.", "Sainsbury's"), a leading "The" and trailing legal forms (Ltd/Limited,
PLC, LLP, LP, CIC, CIO, Inc, Co) are ignored.
"""

from __future__ import annotations

import pandas as pd

_LEGAL_FORMS = r"(?:\s+(?:LIMITED|LTD|PLC|LLP|LP|CIC|CIO|INC|CO|COMPANY))+$"


def supplier_key(names: pd.Series) -> pd.Series:
    """Normalised matching key for each supplier name (vectorised; empty string for a blank name)."""
    s = pd.Series(names, dtype="object").fillna("").astype("str")
    s = s.str.normalize("NFKD").str.encode("ascii", errors="ignore").str.decode("ascii")
    s = s.str.upper().str.replace("&", " AND ", regex=False)
    s = s.str.replace(r"[.'’]", "", regex=True)  # "C.I.C." -> "CIC", "Sainsbury's" -> "SAINSBURYS"
    s = s.str.replace(r"[^A-Z0-9]+", " ", regex=True).str.strip()
    s = s.str.replace(r"^THE\s+", "", regex=True)
    return s.str.replace(_LEGAL_FORMS, "", regex=True).str.strip()


def id_key(ids: pd.Series) -> pd.Series:
    """Normalised employee (or other) identifier: trimmed, upper case; Excel's 1001.0 reads as "1001"."""

    def one(value: object) -> str:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None or value != value else str(value).strip().upper()

    return pd.Series(ids, dtype="object").map(one).astype("str")
