"""The open registers lm3 knows, each a ``Layout``: its columns, publisher, licence and what its rows
are (registered offices, sites, areas served); the one schema every register is stored in, and rows
normalised into it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.errors import Notice
from lm3.geo import format_postcodes, is_valid_postcode, postcode_keys
from lm3.values import ids
from lm3.values.names import arrow_supplier_key

COLUMNS = (
    "name",
    "key",
    "role",
    "postcode",
    "lad",
    "company_number",
    "charity_number",
    "urn",
    "ods_code",
    "cqc_id",
    "org_id",
    "parent_name",
    "parent_key",
    "parent_company_number",
    "kind",
    "status",
    "type",
    "sme",
)


SCHEMA = pa.schema([(c, pa.string()) for c in COLUMNS])


ROLES = ("registered office", "site", "contact address", "address", "area served")


@dataclass(frozen=True)
class Layout:
    """A publisher's layout: the store name it goes by, what it is, and where each field is (header texts
    as ``header_key`` compares them; the first present is used)."""

    name: str
    title: str
    publisher: str
    licence: str
    kind: str
    role: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    type: str | None = None  # what every row says of the supplier's type ("VCSE" for a charity)
    many: bool = False  # a register of many files (OCDS, 360Giving): each file is kept under its own name


OGL3 = "Open Government Licence v3.0"


LAYOUTS = (
    Layout(
        "charity-commission",
        "Charity Commission for England and Wales: register of charities",
        "Charity Commission for England and Wales",
        OGL3,
        "charity",
        "contact address",
        {
            "name": ("charity_name",),
            "charity_number": ("registered_charity_number",),
            "postcode": ("charity_contact_postcode",),
            "company_number": ("charity_company_registration_number",),
            "status": ("charity_registration_status",),
            "closed_on": ("date_of_removal",),
            "linked": ("linked_charity_number",),
        },
        ("name", "charity_number"),
        type="VCSE",
    ),
    Layout(
        "oscr",
        "OSCR: Scottish Charity Register",
        "Office of the Scottish Charity Regulator",
        OGL3,
        "charity",
        "contact address",
        {
            "name": ("charity name",),
            "charity_number": ("charity number",),
            "postcode": ("postcode",),
            "address": ("principal office trustees address",),
            "status": ("charity status",),
        },
        ("name", "charity_number"),
        type="VCSE",
    ),
    Layout(
        "ccni",
        "Charity Commission for Northern Ireland: register of charities",
        "Charity Commission for Northern Ireland",
        OGL3,
        "charity",
        "contact address",
        {
            "name": ("charity name",),
            "charity_number": ("reg charity number",),
            "sub": ("sub charity number",),
            "address": ("public address",),
            "status": ("status",),
            "company_number": ("company number",),
        },
        ("name", "charity_number", "address"),
        type="VCSE",
    ),
    Layout(
        "cqc",
        "CQC care directory: registered care locations",
        "Care Quality Commission",
        OGL3,
        "care site",
        "site",
        {
            "name": ("name", "location name"),
            "postcode": ("postcode", "location postcode"),
            "parent_name": ("provider name", "provider"),
            "cqc_id": ("cqc location id for office use only", "cqc id", "location id"),
        },
        ("name", "postcode", "parent_name", "cqc_id"),
    ),
    Layout(
        "rqia",
        "RQIA: registered care services in Northern Ireland",
        "Regulation and Quality Improvement Authority",
        OGL3,
        "care site",
        "site",
        {
            "name": ("service name", "servicename"),
            "postcode": ("postcode",),
            "parent_name": ("provider name", "providername"),
        },
        ("name", "postcode", "parent_name"),
    ),
    Layout(
        "gias",
        "Get Information about Schools: establishments",
        "Department for Education",
        OGL3,
        "school",
        "site",
        {
            "urn": ("urn", "unique reference number"),
            "name": ("establishment name", "establishmentname", "name"),
            "postcode": ("postcode",),
            "status": ("establishment status name", "establishmentstatus name"),
            "parent_name": ("trusts name", "sponsoring trust", "school sponsors name"),
        },
        ("urn", "name", "postcode"),
    ),
    Layout(
        "cascs-companies-house",
        "HMRC community amateur sports clubs matched to Companies House",
        "HM Revenue and Customs; Companies House; 360Giving",
        OGL3,
        "sports club",
        "site",
        {
            "org_id": ("casc orgid",),
            "name": ("casc name",),
            "postcode": ("casc postcode",),
            "parent_company_number": ("ch number",),
            "parent_name": ("ch name",),
            "parent_postcode": ("ch postcode",),
        },
        ("name", "postcode", "parent_company_number", "parent_postcode"),
        type="VCSE",
    ),
    Layout(
        "cascs",
        "HMRC community amateur sports clubs",
        "HM Revenue and Customs",
        OGL3,
        "sports club",
        "address",
        {
            "org_id": ("id",),
            "name": ("name",),
            "postcode": ("postcode",),
            "address": ("address",),
            "active": ("active",),
        },
        ("org_id", "name", "postcode", "active"),
        type="VCSE",
    ),
    Layout(
        "360giving",
        "360Giving grants: recipient organisations",
        "360Giving publishers",
        "as each publisher states (most: Creative Commons Attribution 4.0 or OGL v3.0)",
        "grant recipient",
        "address",
        {
            "org_id": ("recipient org identifier",),
            "name": ("recipient org name",),
            "postcode": ("recipient org postal code",),
            "charity_number": ("recipient org charity number",),
            "company_number": ("recipient org company number",),
        },
        ("org_id", "name"),
        many=True,
    ),
    Layout(
        "nhs-sites",
        "NHS sites with ODS codes",
        "NHS England (Organisation Data Service)",
        OGL3,
        "NHS site",
        "site",
        {
            "name": ("pharmacy name", "organisation name", "name"),
            "ods_code": ("organisation data service code", "ods code", "organisation code"),
            "postcode": ("postcode",),
        },
        ("name", "ods_code", "postcode"),
    ),
)


COMPANIES_HOUSE = Layout(
    "companies-house",
    "Companies House: BasicCompanyData",
    "Companies House",
    OGL3,
    "company",
    "registered office",
    {},
    (),
)


ODS = Layout(
    "ods",
    "NHS ODS organisations",
    "NHS England (Organisation Data Service)",
    OGL3,
    "NHS body",
    "site",
    {},
    (),
)


OCDS = Layout(
    "contracts",
    "OCDS releases: contracted suppliers",
    "Contracts Finder / Find a Tender",
    OGL3,
    "contractor",
    "address",
    {},
    (),
    many=True,
)


GRANTS = next(x for x in LAYOUTS if x.name == "360giving")


GRANTS_JSON = Layout(  # the same register, as 360Giving's JSON (grants with recipient organisations)
    GRANTS.name, GRANTS.title, GRANTS.publisher, GRANTS.licence, GRANTS.kind, GRANTS.role, {}, (), many=True
)


ANY = Layout("register", "a supplier register", "the user", "the user's", "supplier", "address", {}, ())


ALL_LAYOUTS = (COMPANIES_HOUSE, *LAYOUTS, ODS, OCDS, ANY)


# ODS's headerless files: which file holds what (by its name), and the role of its rows
ODS_NAMES = {"etr": "ods-trusts", "ets": "ods-trust-sites", "epraccur": "ods-gp-practices"}


ODS_FILES = {
    "etr": ("NHS trust", "registered office", "public body"),
    "eccg": ("NHS commissioner", "registered office", "public body"),
    "eccgsite": ("NHS commissioner site", "site", "public body"),
    "ets": ("NHS trust site", "site", "public body"),
    "epraccur": ("GP practice", "site", None),
    "epharmacyhq": ("pharmacy head office", "registered office", None),
    "edispensary": ("dispensary", "site", None),
    "ebranchs": ("GP branch surgery", "site", None),
    "eauth": ("NHS body", "registered office", "public body"),
}


@dataclass(frozen=True)
class Read:
    """A bulk file read: its layout, the rows (``COLUMNS``) as Arrow batches, and what was noticed."""

    layout: Layout
    batches: Iterator[pa.Table]
    notes: list[Notice]
    label: str


_CLOSED = re.compile(r"(?i)removed|dissolved|closed|ceased|inactive|wound|struck|liquidat|^false$")


def row_status(layout: Layout, data: pd.DataFrame, col: Callable[[str], pd.Series]) -> pd.Series:
    """ "active" or "closed" for each row: a status that says removed, dissolved or closed, a removal
    date, an active flag of False."""
    closed = np.zeros(len(data), dtype=bool)
    for name in ("status", "active"):
        if name in data:
            closed |= col(name).astype("str").str.contains(_CLOSED, na=False).to_numpy()
    if "closed_on" in data:
        text = col("closed_on").astype("str").str.strip()
        closed |= (col("closed_on").notna() & ~text.isin(["", "None", "nan", "NA"])).to_numpy()
    return pd.Series(np.where(closed, "closed", "active"), index=data.index, dtype="object")


def normalise(frame: pd.DataFrame, layout: Layout, kind: str, role: str, type_: str | None) -> pa.Table:
    """Store rows from a frame of raw fields (name, postcode and any ids, parent, status)."""
    n = len(frame)

    def raw(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="object")

    names = _strings(raw("name"))
    columns: dict[str, Any] = {"name": names, "key": arrow_supplier_key(names)}
    columns["role"] = pa.array([role] * n, type=pa.string())
    columns["postcode"] = postcode_array(raw("postcode"))
    columns["lad"] = pa.nulls(n, pa.string())
    for name in ("company_number", "charity_number", "urn", "ods_code", "cqc_id", "org_id"):
        columns[name] = ids.IDENTIFIERS[name](raw(name))
    parts = ids.org_id_parts(raw("org_id"))
    for name, values in parts.items():  # an org-id fills its scheme's id column where that is empty
        columns[name] = pc.coalesce(columns[name], pa.array(values, type=pa.string()))
    parent_names = _strings(raw("parent_name"), blank_ids=True)  # "NA": no parent
    columns["parent_name"] = parent_names
    parent_key = arrow_supplier_key(parent_names)
    columns["parent_key"] = pc.if_else(pc.equal(parent_key, ""), pa.scalar(None, pa.string()), parent_key)
    columns["parent_company_number"] = ids.company_numbers(raw("parent_company_number"))
    columns["kind"] = pa.array([kind] * n, type=pa.string())
    status = raw("status")
    columns["status"] = pa.array(
        status.fillna("active").astype("str").to_numpy(dtype=object) if "status" in frame else ["active"] * n,
        type=pa.string(),
    )
    columns["type"] = pa.array([type_] * n, type=pa.string())
    columns["sme"] = pa.nulls(n, pa.string())
    return pa.table(columns, schema=SCHEMA)


def _strings(values: pd.Series, *, blank_ids: bool = False) -> pa.Array:
    """Text, trimmed; null for a missing or empty value (and, with ``blank_ids``, one that says there is
    none: "NA", "N/A")."""
    present = values.notna().to_numpy() if len(values) else np.zeros(0, dtype=bool)
    text = pd.Series(values).astype("object").where(present, "").astype("str").str.strip()
    empty = (text == "").to_numpy(copy=True)
    if blank_ids and len(text):
        empty |= ids.no_value(text)
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), mask=empty | ~present)


def postcode_array(values: pd.Series | pa.Array) -> pa.Array:
    """Postcodes as the ONS writes them ("BD1 1HY"), found in addresses too; null where there is none."""
    text = ids.postcodes_in_text(values)
    keys = postcode_keys(pd.Series(text.to_pylist(), dtype="object"))
    valid = is_valid_postcode(keys).to_numpy()
    formatted = format_postcodes(keys).astype("object").where(valid, None)
    return pa.array(formatted.to_numpy(dtype=object), type=pa.string())


def member_bytes(path: Path) -> Iterator[tuple[str, BinaryIO]]:
    """Each file to read, open: the file itself, or each member of a ZIP in turn."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for m in archive.infolist():
                if m.is_dir() or "__MACOSX" in m.filename or Path(m.filename).name.startswith("."):
                    continue
                with archive.open(m) as stream:
                    yield f"{path.name}:{m.filename}", stream  # type: ignore[misc]
    else:
        with path.open("rb") as stream:
            yield path.name, stream
