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

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lm3.errors import InputError, Notice
from lm3.inputs.bulk_json import distinct, grants_json, json_table, ocds
from lm3.inputs.companies_house import BLOCK_SIZE, SMALL_ACCOUNTS, VCSE_CATEGORIES, batches, csv_sources
from lm3.inputs.layouts import (
    ANY,
    COLUMNS,
    COMPANIES_HOUSE,
    GRANTS_JSON,
    OCDS,
    ODS,
    ODS_FILES,
    SCHEMA,
    Layout,
    Read,
    member_bytes,
    normalise,
    postcode_array,
    row_status,
)
from lm3.inputs.readers import read_register
from lm3.inputs.recognise import json_kind, peek_members, recognise
from lm3.progress import Progress, report
from lm3.read.fields import Field
from lm3.read.table import read_table
from lm3.values import ids
from lm3.values.names import arrow_supplier_key

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
        return Read(layout, iter([ocds(path)]), [], path.name)
    if layout is GRANTS_JSON:
        return Read(layout, iter([grants_json(path)]), [], path.name)
    if layout is ANY:
        return _any(path)
    if any(json_kind(start) is not None for _, start in peek_members(path)):
        return Read(layout, iter([json_table(path, layout)]), [], path.name)
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
    status = row_status(layout, data, col)
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
    out = normalise(frame, layout, layout.kind, layout.role, layout.type)
    if layout.name == "cascs-companies-house":
        offices = pd.DataFrame(
            {
                "name": col("parent_name")[keep.to_numpy()].to_numpy(),
                "postcode": col("parent_postcode")[keep.to_numpy()].to_numpy(),
                "company_number": col("parent_company_number")[keep.to_numpy()].to_numpy(),
            }
        )
        offices = offices[offices["name"].notna()].drop_duplicates()
        out = pa.concat_tables([out, normalise(offices, layout, "company", "registered office", "VCSE")])
    if layout.many:  # a recipient of several grants is one row
        out = distinct(out, ["name", "org_id", "postcode"])
    return out, notes


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
                "postcode": postcode_array(postcode),
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


def _ods(path: Path) -> pa.Table:
    """ODS's headerless files: code, name, ..., postcode (10th), open and close dates (11th, 12th); what the
    rows are comes from the file's name (etr: NHS trusts, epraccur: GP practices...)."""
    frames = []
    for label, f in member_bytes(path):
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
        frames.append(normalise(frame, ODS, kind, role, type_))
    return pa.concat_tables(frames) if frames else SCHEMA.empty_table()


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
    table = normalise(frame, ANY, ANY.kind, ANY.role, None)
    offices = data.get("head_office_postcode")
    if offices is not None and offices.fillna("").astype("str").str.strip().ne("").any():
        has = offices.fillna("").astype("str").str.strip().ne("").to_numpy()
        extra = frame[has].assign(postcode=offices[has].to_numpy())
        table = pa.concat_tables([table, normalise(extra, ANY, ANY.kind, "registered office", None)])
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
