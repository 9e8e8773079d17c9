"""The open registers' bulk files, each in its publisher's own layout, read into one shape: the rows of the
register store (``lm3.inputs.store``).

A file is recognised by its content, never its name alone: the header row of a CSV, a workbook or a ZIP's
table (wherever the header sits), the structure of a JSON file, the shape of a headerless CSV. Known layouts
(``LAYOUTS``): Companies House BasicCompanyData (CSV or ZIP; streamed, never held whole), the Charity
Commission for England and Wales register extract (its text, CSV or JSON), OSCR's and CCNI's registers, the
CQC care directory and RQIA's register of services (each site beside its provider), GIAS (schools, with
their trust), NHS ODS files (headerless: code, name, address, postcode, open and close dates), HMRC's
community amateur sports clubs (and clubs matched to Companies House: the club's own postcode beside its
registered office), 360Giving grants (JSON, CSV or XLSX: recipients with org-ids) and OCDS releases or
records (Contracts Finder, Find a Tender: suppliers with identifiers and addresses; JSON, JSON Lines or a
ZIP of them). Any other table with names and postcodes is read as a supplier register is
(``lm3.inputs.readers.read_register``).

Every row becomes (``COLUMNS``): the organisation's ``name`` and ``key`` (``lm3.values.names.supplier_key``),
its ids (company and charity numbers, URN, ODS code, CQC id, org-id, all canonical: ``lm3.values.ids``),
``postcode`` and ``role`` (its "registered office", a "site" of a provider, a "contact address", or an
"address" as a register gives it), the ``parent`` it is a site of (name, key, company number), its ``kind``
(company, charity, care site, school, NHS trust, GP practice...), its ``status`` ("active" or "closed":
dissolved, removed, closed) and what it says of the supplier's type (``type``: VCSE, public body; ``sme``).
Personal data in a register (a manager's or a contact's name, a phone number) is never read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lm3.errors import InputError, Notice
from lm3.geo import format_postcodes, is_valid_postcode, postcode_keys
from lm3.inputs.companies_house import BLOCK_SIZE, SMALL_ACCOUNTS, VCSE_CATEGORIES, batches, csv_sources
from lm3.inputs.readers import read_register
from lm3.progress import Progress, report
from lm3.read.cells import SPREADSHEET_SUFFIXES, header_key
from lm3.read.fields import Field
from lm3.read.table import first_rows, read_table
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
PEEK_BYTES = 1 << 16


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


# -- recognising a file ------------------------------------------------------------------------------------


def _peek(path: Path) -> list[tuple[str | None, bytes]]:
    """The first bytes of a file, or of each member of a ZIP (name, bytes)."""
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                out: list[tuple[str | None, bytes]] = []
                for m in archive.infolist():
                    if m.is_dir() or "__MACOSX" in m.filename or Path(m.filename).name.startswith("."):
                        continue
                    with archive.open(m) as f:
                        out.append((m.filename, f.read(PEEK_BYTES)))
                return out
        except zipfile.BadZipFile as err:
            raise InputError(f"{path.name}: not a readable ZIP ({err}).", code="not-readable") from err
    with path.open("rb") as f:
        return [(None, f.read(PEEK_BYTES))]


def _text_of(start: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return start.decode(encoding)
        except UnicodeDecodeError as err:
            if err.start > len(start) - 4:  # a character cut at the end of the peek
                return start[: err.start].decode(encoding)
    return start.decode("latin-1")


def _first_rows(start: bytes, n: int = 12) -> list[list[str]]:
    text = _text_of(start)
    lines = text.splitlines()[:n]
    if not lines:
        return []
    sample = "\n".join(lines)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(sample), dialect)]


def _keys(row: Sequence[object]) -> list[str]:
    return [header_key(c).replace(" ", "") for c in row]


def layout_of_header(rows: Sequence[Sequence[object]]) -> tuple[Layout, int] | None:
    """The known layout whose required columns a row among ``rows`` names, and that row's index."""
    for i, row in enumerate(rows):
        keys = set(_keys(row))
        for layout in LAYOUTS:
            if all(any(_key(h) in keys for h in layout.columns[f]) for f in layout.required):
                return layout, i
    return None


def _key(text: str) -> str:
    return header_key(text).replace(" ", "")


def _is_companies_house(rows: list[list[str]]) -> bool:
    keys = {k.strip().casefold() for k in (rows[0] if rows else [])}
    return {"companyname", "companynumber", "regaddress.postcode"} <= {k.replace(" ", "") for k in keys}


_ODS_CODE = re.compile(r"^[A-Z0-9]{3,6}$")
_POSTCODE_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def _is_ods(rows: list[list[str]]) -> bool:
    """A headerless ODS file: rows of at least 10 fields, a code first, a name, a postcode tenth."""
    rows = [r for r in rows if any(c.strip() for c in r)][:10]
    return bool(rows) and all(
        len(r) >= 12
        and _ODS_CODE.match(r[0].strip())
        and re.search("[A-Z]", r[0])
        and _POSTCODE_SHAPE.match(r[9].strip() or "X")
        for r in rows
    )


def _json_kind(start: bytes) -> Layout | None:
    """The layout of a JSON file (or JSON Lines): OCDS releases or records, 360Giving grants, or an array of
    flat objects whose keys are a known layout's columns (the Charity Commission's JSON extract)."""
    text = _text_of(start).lstrip()
    if not text.startswith(("{", "[")):
        return None
    if re.search(r'"(?:releases|records|ocid|parties)"\s*:', text):
        return OCDS
    if re.search(r'"(?:grants|recipientOrganization)"\s*:', text):
        return GRANTS_JSON
    keys = [_key(k) for k in re.findall(r'"([^"\\]{1,80})"\s*:', text[:20000])]
    found = layout_of_header([keys])
    return found[0] if found else None


def store_name(layout: Layout, path: Path) -> str:
    """The name a file is kept under in the store: its register's (a newer file replaces an older one); an
    ODS file's by what it lists (ods-trusts, ods-gp-practices...); a file of a register of many files
    (OCDS, 360Giving) or any other table by the file's own name."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if layout is ODS:
        words = re.sub(r"[^a-z]", " ", path.stem.lower())
        known = [k for k in ODS_FILES if re.search(rf"\b{k}\b", words)]
        return ODS_NAMES.get(known[0], f"ods-{known[0]}") if known else f"ods-{stem}"
    if layout.many:
        return f"{layout.name}-{stem}"
    if layout.name == "register":
        return stem or "register"
    return layout.name


def _is_workbook(path: Path) -> bool:
    with path.open("rb") as f:
        magic = f.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return True
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
    return "xl/workbook.xml" in names or ("mimetype" in names and "content.xml" in names)


def recognise(path: Path) -> tuple[Layout, str | None]:
    """The layout of a bulk file and, for a ZIP, the member to read first. Raises InputError for a file
    that is no register lm3 reads (naming what it looked for)."""
    peeks = _peek(path)
    if not peeks:
        raise InputError(f"{path.name}: the ZIP is empty.", code="no-table-in-zip")
    if path.suffix.lower() in SPREADSHEET_SUFFIXES or _is_workbook(path):
        for rows in first_rows(path, "register"):
            found = layout_of_header([[str(c) for c in r] for r in rows])
            if found is not None:
                return found[0], None
        return ANY, None
    for member, start in peeks:
        json_layout = _json_kind(start)
        if json_layout is not None:
            return json_layout, member
        text_rows = _first_rows(start)
        if _is_companies_house(text_rows):
            return COMPANIES_HOUSE, member
        if _is_ods(text_rows):
            return ODS, member
        if text_rows and (found := layout_of_header(text_rows)) is not None:
            return found[0], member
    return ANY, None


# -- reading each layout -------------------------------------------------------------------------------------


def read_bulk(path: str | Path, *, progress: Progress | None = None) -> Read:
    """A bulk register file read into store rows (``COLUMNS``), as Arrow tables, a block at a time for
    Companies House. Raises InputError for a file that is missing or cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file. Give the register's bulk file.", code="file-not-found")
    layout, _ = recognise(path)
    if layout is COMPANIES_HOUSE:
        return Read(layout, _companies_house(path, progress), [], path.name)
    if layout is ODS:
        return Read(layout, iter([_ods(path)]), [], path.name)
    if layout is OCDS:
        return Read(layout, iter([_ocds(path)]), [], path.name)
    if layout is GRANTS_JSON:
        return Read(layout, iter([_grants_json(path)]), [], path.name)
    if layout is ANY:
        return _any(path)
    if any(_json_kind(start) is not None for _, start in _peek(path)):
        return Read(layout, iter([_json_table(path, layout)]), [], path.name)
    frame, notes = _table(path, layout)
    return Read(layout, iter([frame]), notes, path.name)


def _table(path: Path, layout: Layout) -> tuple[pa.Table, list[Notice]]:
    """A CSV, workbook or ZIP in a known layout: its columns by header, the rows made store rows."""
    fields = tuple(
        Field(name, name.replace("_", " "), headers, required=name in layout.required)
        for name, headers in layout.columns.items()
    )
    table = read_table(path, fields, what=layout.title)
    data = table.data
    notes = [w for w in table.warnings if isinstance(w, Notice)]

    def col(name: str) -> pd.Series:
        if name in data:
            return data[name].astype("object").where(data[name].notna(), None)
        return pd.Series(None, index=data.index, dtype="object")

    name = col("name").map(lambda v: None if v is None else str(v).strip())
    postcode = col("postcode")
    if "address" in data:
        postcode = postcode.where(
            postcode.notna() & (postcode.astype("str").str.strip() != ""), col("address")
        )
    status = _status(layout, data, col)
    rows = {
        "name": name,
        "postcode": postcode,
        "company_number": col("company_number"),
        "charity_number": col("charity_number"),
        "urn": col("urn"),
        "ods_code": col("ods_code"),
        "cqc_id": col("cqc_id"),
        "org_id": col("org_id"),
        "parent_name": col("parent_name"),
        "parent_company_number": col("parent_company_number"),
        "status": status,
    }
    frame = pd.DataFrame(rows)
    keep = name.notna() & (name != "")
    if layout.name == "charity-commission" and "linked" in data:
        main = col("linked").astype("str").str.strip().isin(["0", "", "None", "nan"])
        keep &= main.to_numpy()  # a linked charity is part of its main charity: the main one's row places it
    if layout.name == "ccni" and "sub" in data:
        keep &= col("sub").astype("str").str.strip().isin(["0", "", "None", "nan"]).to_numpy()
    frame = frame[keep.to_numpy()].reset_index(drop=True)
    out = _normalise(frame, layout, layout.kind, layout.role, layout.type)
    if layout.name == "cascs-companies-house":
        offices = pd.DataFrame(
            {
                "name": col("parent_name")[keep.to_numpy()].to_numpy(),
                "postcode": col("parent_postcode")[keep.to_numpy()].to_numpy(),
                "company_number": col("parent_company_number")[keep.to_numpy()].to_numpy(),
            }
        )
        offices = offices[offices["name"].notna()].drop_duplicates()
        out = pa.concat_tables([out, _normalise(offices, layout, "company", "registered office", "VCSE")])
    if layout.many:  # a recipient of several grants is one row
        out = _distinct(out, ["name", "org_id", "postcode"])
    return out, notes


_CLOSED = re.compile(r"(?i)removed|dissolved|closed|ceased|inactive|wound|struck|liquidat|^false$")


def _status(layout: Layout, data: pd.DataFrame, col: Callable[[str], pd.Series]) -> pd.Series:
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


def _normalise(frame: pd.DataFrame, layout: Layout, kind: str, role: str, type_: str | None) -> pa.Table:
    """Store rows from a frame of raw fields (name, postcode and any ids, parent, status)."""
    n = len(frame)

    def raw(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="object")

    names = _strings(raw("name"))
    columns: dict[str, Any] = {"name": names, "key": arrow_supplier_key(names)}
    columns["role"] = pa.array([role] * n, type=pa.string())
    columns["postcode"] = _postcodes(raw("postcode"))
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


def _postcodes(values: pd.Series | pa.Array) -> pa.Array:
    """Postcodes as the ONS writes them ("BD1 1HY"), found in addresses too; null where there is none."""
    text = ids.postcodes_in_text(values)
    keys = postcode_keys(pd.Series(text.to_pylist(), dtype="object"))
    valid = is_valid_postcode(keys).to_numpy()
    formatted = format_postcodes(keys).astype("object").where(valid, None)
    return pa.array(formatted.to_numpy(dtype=object), type=pa.string())


def _companies_house(path: Path, progress: Progress | None) -> Iterator[pa.Table]:
    """BasicCompanyData a block at a time: each company's registered office (the postcode Companies House
    gives, or a foreign company's found in its county or country field), status, and what its category
    and accounts say of its type (CICs, CIOs and registered societies are VCSE; micro, small and abridged
    accounts make an SME)."""
    rows = 0
    for label, opener in csv_sources(path):
        for batch, fields in batches(opener, label, BLOCK_SIZE):
            rows += batch.num_rows
            report(progress, f"reading {label}", rows, 0)

            def column(name: str, batch: pa.RecordBatch = batch, fields: dict[str, int] = fields) -> pa.Array:
                if name not in fields:
                    return pa.array([""] * batch.num_rows, type=pa.string())
                return pc.utf8_trim_whitespace(batch.column(fields[name]))

            names = column("company_name")
            postcode = column("postcode")
            for other in ("county", "country", "town"):  # a foreign company's postcode where it was put
                shaped = pc.match_substring_regex(
                    pc.utf8_upper(column(other)), r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
                )
                postcode = pc.if_else(pc.and_(pc.equal(postcode, ""), shaped), column(other), postcode)
            category = pc.utf8_lower(column("category"))
            status = pc.utf8_lower(column("status"))
            n = batch.num_rows
            vcse = pc.is_in(category, value_set=pa.array(sorted(VCSE_CATEGORIES)))
            small = pc.is_in(pc.utf8_upper(column("accounts")), value_set=pa.array(sorted(SMALL_ACCOUNTS)))
            table = {
                "name": names,
                "key": arrow_supplier_key(names),
                "role": pa.array(["registered office"] * n, type=pa.string()),
                "postcode": _postcodes(postcode),
                "lad": pa.nulls(n, pa.string()),
                "company_number": ids.company_numbers(column("company_number")),
                "charity_number": pa.nulls(n, pa.string()),
                "urn": pa.nulls(n, pa.string()),
                "ods_code": pa.nulls(n, pa.string()),
                "cqc_id": pa.nulls(n, pa.string()),
                "org_id": pa.nulls(n, pa.string()),
                "parent_name": pa.nulls(n, pa.string()),
                "parent_key": pa.nulls(n, pa.string()),
                "parent_company_number": pa.nulls(n, pa.string()),
                "kind": pa.array(["company"] * n, type=pa.string()),
                "status": pc.if_else(pc.starts_with(status, "active"), "active", "closed"),
                "type": pc.if_else(vcse, pa.scalar("VCSE"), pa.scalar(None, pa.string())),
                "sme": pc.if_else(small, pa.scalar("Y"), pa.scalar(None, pa.string())),
            }
            yield pa.table(table, schema=SCHEMA)


def _member_bytes(path: Path) -> Iterator[tuple[str, BinaryIO]]:
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


def _ods(path: Path) -> pa.Table:
    """ODS's headerless files: code, name, ..., postcode (10th), open and close dates (11th, 12th); what the
    rows are comes from the file's name (etr: NHS trusts, epraccur: GP practices...)."""
    frames = []
    for label, f in _member_bytes(path):
        stem = re.sub(r"[^a-z]", " ", Path(label.split(":")[-1]).stem.lower())
        known = [k for k in ODS_FILES if re.search(rf"\b{k}\b", stem)]
        kind, role, type_ = ODS_FILES[known[0]] if known else ("NHS organisation", "site", None)
        table = pacsv.read_csv(
            f,
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, encoding="cp1252"),
            convert_options=pacsv.ConvertOptions(column_types={f"f{i}": pa.string() for i in range(40)}),
        )
        cols = table.column_names
        closed = pc.and_(
            pc.is_valid(table.column(cols[11])),
            pc.not_equal(pc.utf8_trim_whitespace(table.column(cols[11])), ""),
        )
        if len(cols) > 12:  # epraccur's status: A active, C closed, D dormant, P proposed
            code = pc.utf8_trim_whitespace(pc.fill_null(table.column(cols[12]), ""))
            closed = pc.or_(closed, pc.is_in(code, value_set=pa.array(["C", "D"])))
        frame = pd.DataFrame(
            {
                "name": table.column(cols[1]).to_pandas(),
                "ods_code": table.column(cols[0]).to_pandas(),
                "postcode": table.column(cols[9]).to_pandas(),
                "status": np.where(closed.to_numpy(zero_copy_only=False), "closed", "active"),
            }
        )
        frames.append(_normalise(frame, ODS, kind, role, type_))
    return pa.concat_tables(frames) if frames else SCHEMA.empty_table()


# -- JSON: OCDS and 360Giving ---------------------------------------------------------------------------------

_JSON_CHUNK = 1 << 20


def _json_objects(stream: BinaryIO, keys: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The objects of a JSON file one at a time, never the whole file: JSON Lines (an object a line), a
    top-level array, or a package whose array under one of ``keys`` ("releases", "records", "grants")
    holds them. A package's other fields are skipped."""
    reader = _JsonStream(stream)
    reader.fill()
    reader.buffer = reader.buffer.lstrip()
    if reader.buffer.startswith("{"):  # a package (find its array) or JSON Lines (one object per line)
        if not reader.skip_past(re.compile(r'"(' + "|".join(keys) + r')"\s*:\s*\[')):
            yield from reader.objects(in_array=False)  # JSON Lines, or one object
            return
    elif reader.buffer.startswith("["):
        reader.buffer = reader.buffer[1:]
    yield from reader.objects(in_array=True)


_MORE = object()  # the text so far ends inside a value: read more


class _JsonStream:
    """JSON text read a chunk at a time into ``buffer``, decoded a value at a time."""

    def __init__(self, stream: BinaryIO) -> None:
        self.decoder = json.JSONDecoder()
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace")
        self.buffer = ""

    def fill(self) -> bool:
        """Read the next chunk; False at the end of the file."""
        more = self.text.read(_JSON_CHUNK)
        self.buffer += more
        return bool(more)

    def skip_past(self, pattern: re.Pattern[str]) -> bool:
        """Drop the text up to the end of ``pattern``'s first match; False (nothing dropped) if none."""
        while True:
            m = pattern.search(self.buffer)
            if m is not None:
                self.buffer = self.buffer[m.end() :]
                return True
            if not self.fill():
                return False

    def objects(self, *, in_array: bool) -> Iterator[dict[str, Any]]:
        """The objects that follow, up to the end of the file (or of the array, ``in_array``: values
        separated by commas, ending at "]")."""
        while True:
            self._skip_space(in_array)
            if not self.buffer or (in_array and self.buffer.startswith("]")):
                return
            value = self._decode()
            if isinstance(value, dict):
                yield value

    def _skip_space(self, in_array: bool) -> None:
        def strip(text: str) -> str:
            return text.lstrip().lstrip(",").lstrip() if in_array else text.lstrip()

        self.buffer = strip(self.buffer)
        while not self.buffer and self.fill():
            self.buffer = strip(self.buffer)

    def _decode(self) -> object:
        """The next value, or ``_MORE`` when the text so far ends inside it (a chunk read); at the end of
        the file, the decoder's error."""
        try:
            value, end = self.decoder.raw_decode(self.buffer)
        except json.JSONDecodeError:
            if not self.fill():
                raise
            return _MORE
        self.buffer = self.buffer[end:]
        return value


def _json_rows(
    path: Path,
    keys: tuple[str, ...],
    rows_of: Callable[[dict[str, Any]], list[dict[str, Any]]],
    columns: list[str] | None = None,
) -> pd.DataFrame:
    out: list[dict[str, Any]] = []
    for label, stream in _member_bytes(path):
        if zipfile.is_zipfile(path) and not label.lower().endswith((".json", ".jsonl", ".ndjson")):
            continue
        try:
            for obj in _json_objects(stream, keys):
                out += rows_of(obj)
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise InputError(f"{label}: not readable JSON ({err}).", code="not-readable") from err
    return pd.DataFrame(
        out, columns=columns or ["name", "postcode", "org_id", "company_number", "charity_number", "sme"]
    )


def _ocds_parties(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The suppliers of an OCDS release (or of each release of a record): name, postcode (the address's,
    else one in its street address), identifiers as org-ids; never a contact person."""
    releases = [obj]
    if "releases" in obj and isinstance(obj["releases"], list):
        releases = [r for r in obj["releases"] if isinstance(r, dict)]
    if "compiledRelease" in obj and isinstance(obj["compiledRelease"], dict):
        releases = [obj["compiledRelease"]]
    rows = []
    for release in releases:
        for party in release.get("parties") or []:
            if not isinstance(party, dict) or "supplier" not in (party.get("roles") or []):
                continue
            address = party.get("address") or {}
            postcode = address.get("postalCode") or ""
            if not str(postcode).strip():
                postcode = " ".join(
                    str(address.get(k) or "") for k in ("streetAddress", "locality", "region")
                )
            identifiers = [party.get("identifier") or {}, *(party.get("additionalIdentifiers") or [])]
            org_ids = [
                f"{i.get('scheme')}-{i.get('id')}"
                for i in identifiers
                if isinstance(i, dict) and i.get("scheme") and str(i.get("id") or "").strip()
            ]
            company = next((o for o in org_ids if o.upper().startswith("GB-COH-")), None)
            rows.append(
                {
                    "name": party.get("name") or ((party.get("identifier") or {}).get("legalName")),
                    "postcode": postcode,
                    "org_id": company or (org_ids[0] if org_ids else None),
                    "company_number": None,
                    "charity_number": None,
                    "sme": "Y" if party.get("sme") is True else "N" if party.get("sme") is False else None,
                }
            )
    return rows


def _ocds(path: Path) -> pa.Table:
    """Each supplier of the releases once: the same name, org-id and postcode in several releases is one row."""
    frame = _json_rows(path, ("releases", "records"), _ocds_parties)
    table = _normalise(frame, OCDS, OCDS.kind, OCDS.role, None)
    table = table.set_column(
        COLUMNS.index("sme"), "sme", pa.array(frame["sme"].to_numpy(dtype=object), type=pa.string())
    )
    return _distinct(table, ["name", "org_id", "postcode"])


def _distinct(table: pa.Table, columns: list[str]) -> pa.Table:
    """The first row of each combination of ``columns`` (nulls equal), in order."""
    frame = table.select(columns).to_pandas().astype("object").fillna("\0")
    return table.take(pa.array(np.flatnonzero(~frame.duplicated().to_numpy()), type=pa.int64()))


def _grant_recipients(obj: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for org in obj.get("recipientOrganization") or []:
        if not isinstance(org, dict):
            continue
        rows.append(
            {
                "name": org.get("name"),
                "postcode": org.get("postalCode") or "",
                "org_id": org.get("id"),
                "company_number": org.get("companyNumber"),
                "charity_number": org.get("charityNumber"),
                "sme": None,
            }
        )
    return rows


def _grants_json(path: Path) -> pa.Table:
    """Each recipient of the grants once (the same name, org-id and postcode in several grants is one row)."""
    frame = _json_rows(path, ("grants",), _grant_recipients)
    table = _normalise(frame, GRANTS_JSON, GRANTS_JSON.kind, GRANTS_JSON.role, None)
    return _distinct(table, ["name", "org_id", "postcode"])


def _json_table(path: Path, layout: Layout) -> pa.Table:
    """An array of flat JSON objects in a known layout (the Charity Commission's JSON extract)."""
    fields = {name: {_key(h) for h in headers} for name, headers in layout.columns.items()}

    def row(obj: dict[str, Any]) -> list[dict[str, Any]]:
        out: dict[str, Any] = {}
        for key, value in obj.items():
            k = _key(key)
            for name, wanted in fields.items():
                if k in wanted and name not in out:
                    out[name] = None if value is None else str(value)
        return [out]

    frame = _json_rows(path, (), row, columns=list(layout.columns))
    data = frame.copy()

    def col(name: str) -> pd.Series:
        return data[name] if name in data else pd.Series(None, index=data.index, dtype="object")

    data["status"] = _status(layout, data, col)
    keep = col("name").notna().to_numpy()
    if "linked" in data:
        keep &= col("linked").astype("str").str.strip().isin(["0", "", "None", "nan"]).to_numpy()
    return _normalise(data[keep].reset_index(drop=True), layout, layout.kind, layout.role, layout.type)


# -- any other register -------------------------------------------------------------------------------------


def _any(path: Path) -> Read:
    """A table lm3 reads as a supplier register (names beside postcodes or addresses, any ids)."""
    register = read_register(path)
    data = register.data
    frame = pd.DataFrame(
        {
            "name": data["supplier"],
            "postcode": data["postcode"],
            **{
                c: data[c]
                for c in ("company_number", "charity_number", "urn", "ods_code", "org_id")
                if c in data
            },
        }
    )
    table = _normalise(frame, ANY, ANY.kind, ANY.role, None)
    offices = data.get("head_office_postcode")
    if offices is not None and offices.fillna("").astype("str").str.strip().ne("").any():
        has = offices.fillna("").astype("str").str.strip().ne("").to_numpy()
        extra = frame[has].assign(postcode=offices[has].to_numpy())
        table = pa.concat_tables([table, _normalise(extra, ANY, ANY.kind, "registered office", None)])
    if "type" in data:
        types = data["type"].fillna("").astype("str").str.lower()
        mapped = np.select(
            [
                types.str.contains("vcse|voluntary|charit|social enterprise").to_numpy(),
                types.str.contains("public|council|government|nhs").to_numpy(),
            ],
            [np.array("VCSE", dtype=object), np.array("public body", dtype=object)],
            default=np.array(None, dtype=object),
        )
        column = pa.array(list(mapped) + [None] * (table.num_rows - len(mapped)), type=pa.string())
        table = table.set_column(COLUMNS.index("type"), "type", column)
    notes = [w for w in register.warnings if isinstance(w, Notice)]
    return Read(ANY, iter([table]), notes, register.label)
