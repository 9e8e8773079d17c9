"""What the sources of places offer the cascade: the store's protocol, the ranks of a near name and
of an identifier, the reasons a supplier is not placed, and the organisations an identifier names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

import numpy as np
import pandas as pd

from lm3.values.near import WordIndex


class Registers(Protocol):
    """What the cascade reads the register store through (``lm3.inputs.store.RegisterStore``): the rows
    whose key or identifier is asked for, the names near matching may choose from, and the keys of the
    public bodies lm3 ships."""

    def lookup(
        self,
        keys: Iterable[str] = (),
        ids: Mapping[str, Iterable[str]] | None = None,
        *,
        skip: Mapping[str, Iterable[int]] | None = None,
    ) -> pd.DataFrame: ...

    def near_index(self) -> WordIndex: ...

    def vocabulary(self) -> frozenset[str]: ...

    def public_body_keys(self) -> frozenset[str]: ...


NEAR = 5  # the rank of a near name in the store or the public bodies


IDS = ("company_number", "charity_number", "urn", "ods_code", "org_id")


ID_WORDS = {
    "company_number": "company number",
    "charity_number": "charity number",
    "urn": "URN",
    "ods_code": "ODS code",
    "org_id": "org-id",
}


ENTITY_TAGS = (
    ("company_number", "COH"),
    ("charity_number", "CHC"),
    ("urn", "EDU"),
    ("ods_code", "NHS"),
    ("org_id", "ORG"),
)


PUBLIC_BODIES = "public-bodies"


# why a supplier is not placed: code -> the words people read
UNPLACED = {
    "individual": "individual or redacted",
    "id-not-held": "has an identifier no register held has",
    "ambiguous": "its name fits several organisations",
    "name-not-found": "its name is in no register held",
    "postcode-not-placed": "its postcode cannot be placed",
}


ROW_COLUMNS = ["key", "supplier", "postcode", "head_office_postcode", "lad", "source", "register_row"]


YOURS, FILE, BY_ID, BY_NAME = 1, 2, 3, 4


def identifiers(spend: pd.DataFrame, matched: pd.DataFrame, register_rows: pd.DataFrame) -> pd.DataFrame:
    """Each supplier's identifiers (``IDS``): the spend file's, else the first its register row gives."""
    out = pd.DataFrame(index=spend.index)
    reg = register_rows.drop_duplicates("key").set_index("key") if len(register_rows) else pd.DataFrame()
    for kind in IDS:
        mine = spend[kind] if kind in spend else pd.Series(None, index=spend.index, dtype="object")
        mine = mine.astype("object")
        if kind in reg:
            theirs = matched["register_key"].map(reg[kind]).astype("object")
            mine = mine.where(mine.notna(), theirs)
        out[kind] = mine.where(mine.notna(), None)
    return out


def entities(found: pd.DataFrame) -> pd.DataFrame:
    """Store rows with the organisation each is (``entity``) and the one it is a site of (``site_of``):
    rows sharing a company number (else a charity number, URN, ODS code, org-id) are one; a row without
    identifiers is one with its register's other rows of its name; a site is its parent's (by company
    number, else by the parent's name): a club and the company it is, a care home and its provider."""
    found = found.reset_index(drop=True)
    n = len(found)

    def tagged(column: str, tag: str, rows: np.ndarray) -> np.ndarray:  # "COH:01234567" for those rows
        return (tag + ":" + found[column][rows].astype("str")).to_numpy(dtype=object)

    # each row's first identifier, else its register and name key; worked only on the rows it names
    entity = np.full(n, None, dtype=object)
    todo = np.ones(n, dtype=bool)
    for kind, tag in ENTITY_TAGS:
        rows = todo & found[kind].notna().to_numpy()
        if rows.any():
            entity[rows] = tagged(kind, tag, rows)
            todo &= ~rows
    if todo.any():
        entity[todo] = (
            found["register"][todo].astype("str") + ":" + found["key"][todo].astype("str")
        ).to_numpy(dtype=object)
    site = (found["role"] == "site").to_numpy()
    by_number = site & found["parent_company_number"].notna().to_numpy()
    by_name = site & ~by_number & found["parent_key"].notna().to_numpy()
    site_of = np.full(n, None, dtype=object)
    if by_number.any():
        site_of[by_number] = tagged("parent_company_number", "COH", by_number)
    if by_name.any():
        site_of[by_name] = tagged("parent_key", "KEY", by_name)
    entity[by_number | by_name] = site_of[by_number | by_name]
    return found.assign(entity=entity, site_of=site_of)


def no_offers() -> pd.DataFrame:
    columns = [*ROW_COLUMNS, "rank", "how", "entity", "site_of", "role", "status", "type", "sme", "direct"]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
