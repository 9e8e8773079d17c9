"""Companies House bulk data: suppliers matched to the free "BasicCompanyData" product, streamed.

The product (download.companieshouse.gov.uk/en_output.html) is one CSV of about 5.5 million companies,
2.5 GB unzipped, sold free as one ZIP or several part ZIPs. Its header has leading spaces on some names
(" CompanyNumber", " RegAddress.AddressLine2", "SICCode.SicText_1"...). lm3 reads only the columns it
needs, block by block with pyarrow (never the whole file in memory), and keeps only the rows that match a
supplier:

1. by company number, where the spend file or the register gives one (numbers zero-padded to 8);
2. else by name: the company name's key (``lm3.values.names.supplier_key``: case, punctuation, "&"/"and",
   "The", Ltd/Limited/PLC... ignored) equal to the supplier's. When several companies share the key, an
   active one alone is taken; two or more active ones are "ambiguous" and listed, never taken.

Each match gives the registered office postcode (the head office), SIC codes, company category, status
and accounts category. ``CompaniesHouseMatches.register()`` is a supplier register (the registered office
as the head office postcode and, unless ``head_office_only``, as the supplier's postcode too, for
suppliers a register does not place): give it to ``lm3 locate`` beside the council's register.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from os import PathLike
from pathlib import Path
from typing import Any, BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lm3.errors import InputError, Notice
from lm3.geo import format_postcodes, is_valid_postcode, postcode_keys
from lm3.progress import Progress, report
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.jsontext import jsonable
from lm3.values.names import arrow_supplier_key, company_numbers, supplier_key

# field -> the header as Companies House writes it, compared without surrounding spaces
COLUMNS = {
    "company_name": "CompanyName",
    "company_number": "CompanyNumber",
    "town": "RegAddress.PostTown",
    "county": "RegAddress.County",
    "country": "RegAddress.Country",
    "postcode": "RegAddress.PostCode",
    "category": "CompanyCategory",
    "status": "CompanyStatus",
    "incorporated": "IncorporationDate",
    "accounts": "Accounts.AccountCategory",
    "sic1": "SICCode.SicText_1",
    "sic2": "SICCode.SicText_2",
    "sic3": "SICCode.SicText_3",
    "sic4": "SICCode.SicText_4",
}
REQUIRED = ("company_name", "company_number", "postcode", "status")
BLOCK_SIZE = 8 << 20  # bytes of CSV per block: 8 MB kept peak memory at 0.5 GB (32 MB: 1.4 GB), same speed
# Accounts categories only small companies may file: the company is an SME (medium ones file FULL too,
# so FULL says nothing either way).
SMALL_ACCOUNTS = {
    "MICRO ENTITY",
    "SMALL",
    "TOTAL EXEMPTION FULL",
    "TOTAL EXEMPTION SMALL",
    "UNAUDITED ABRIDGED",
}
SMALL_ACCOUNTS |= {"AUDITED ABRIDGED", "ABRIDGED", "FILING EXEMPTION SUBSIDIARY"}
VCSE_CATEGORIES = {
    "community interest company",
    "charitable incorporated organisation",
    "scottish charitable incorporated organisation",
    "registered society",
}


@dataclass(frozen=True)
class CompaniesHouseMatches:
    """Suppliers matched to Companies House.

    ``matches``: one row per supplier looked up: supplier, key, given_number (from the spend file or
    register), match ("company number", "name", "ambiguous", "none"), company_number, company_name,
    postcode (registered office), category, status, incorporated, accounts, sic (codes and texts joined
    by "; "), candidates (company numbers, for an ambiguous name). ``rows_read``: companies read.
    """

    files: tuple[str, ...]
    rows_read: int
    matches: pd.DataFrame
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """Suppliers by how they matched: company number, name, ambiguous, none."""
        found = self.matches["match"].value_counts()
        return {k: int(found.get(k, 0)) for k in ("company number", "name", "ambiguous", "none")}

    def register(self, *, head_office_only: bool = False) -> pd.DataFrame:
        """The matches as a supplier register lm3 reads back: Supplier, Postcode, Head office postcode,
        Company number, Type, SME, and Companies House's name, status, category, SIC codes and accounts
        category for a person to check. Only suppliers matched (by number or name) are listed."""
        m = self.matches[self.matches["match"].isin(["company number", "name"])]
        vcse = m["category"].fillna("").str.casefold().isin(VCSE_CATEGORIES)
        small = m["accounts"].fillna("").str.upper().isin(SMALL_ACCOUNTS)
        return pd.DataFrame(
            {
                "Supplier": m["supplier"],
                "Postcode": None if head_office_only else m["postcode"],
                "Head office postcode": m["postcode"],
                "Company number": m["company_number"],
                "Type": pd.Series("VCSE", index=m.index, dtype="object").where(np.asarray(vcse), None),
                "SME": pd.Series("Y", index=m.index, dtype="object").where(np.asarray(small), None),
                "Matched by": m["match"],
                "Companies House name": m["company_name"],
                "Company status": m["status"],
                "Company category": m["category"],
                "SIC codes": m["sic"],
                "Accounts category": m["accounts"],
                "Incorporated": m["incorporated"],
            }
        ).reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        m = self.matches
        ambiguous = m[m["match"] == "ambiguous"]
        return cast(
            "dict[str, Any]",
            jsonable(
                {
                    "files": list(self.files),
                    "rows_read": self.rows_read,
                    "suppliers": len(m),
                    "matched": self.counts(),
                    "ambiguous": [
                        {"supplier": r.supplier, "candidates": list(r.candidates)}
                        for r in row_tuples(ambiguous)
                    ],
                    "warnings": list(self.warnings),
                }
            ),
        )


def match_companies_house(
    files: str | Path | Sequence[str | Path],
    suppliers: pd.DataFrame,
    *,
    block_size: int = BLOCK_SIZE,
    progress: Progress | None = None,
) -> CompaniesHouseMatches:
    """Match ``suppliers`` (columns ``supplier`` and optional ``company_number``; ``key`` is computed
    when absent) to Companies House bulk files (CSV, or ZIPs of CSVs). See the module docstring.
    Raises InputError for a file that is missing, is not BasicCompanyData, or cannot be parsed (naming
    the file and the line). ``progress(step, rows_read, 0)`` is called after each block read."""
    if not isinstance(files, str | PathLike):
        texts_or_paths = isinstance(files, list | tuple) and all(isinstance(f, str | PathLike) for f in files)
        if not texts_or_paths:
            raise params.bad("files", "a Companies House file path, or a list of them", files)
    params.frame("suppliers", suppliers)
    if "supplier" not in suppliers:
        raise params.bad(
            "suppliers",
            "a table with a 'supplier' column (lm3.suppliers_to_look_up gives one)",
            list(suppliers.columns),
        )
    params.whole(1 << 10, 1 << 30)("block_size", block_size)
    params.callback("progress", progress)
    paths = [Path(files)] if isinstance(files, str | PathLike) else [Path(f) for f in files]
    if not paths:
        raise InputError(
            "No Companies House file given: download BasicCompanyData from Companies House.",
            code="missing-inputs",
        )
    wanted = suppliers.reset_index(drop=True).copy()
    if "key" not in wanted:
        wanted["key"] = supplier_key(wanted["supplier"])
    given = wanted["company_number"] if "company_number" in wanted else pd.Series(None, index=wanted.index)
    wanted["given_number"] = company_numbers(given.astype("object"))
    numbers = pa.array(sorted(set(wanted["given_number"].dropna())), type=pa.string())
    keys = pa.array(sorted(set(wanted["key"]) - {""}), type=pa.string())

    found: list[pd.DataFrame] = []
    rows_read = 0
    labels = []
    if len(paths) == 1 and paths[0].suffix.lower() == ".parquet":  # an index: its keys in memory once
        index, starts = _load_index(str(paths[0].resolve()))
        hit = pc.or_(
            pc.is_in(index["name_key"], value_set=keys), pc.is_in(index["company_number"], value_set=numbers)
        )
        at = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
        companies = _tidy(_index_rows(paths[0], at, starts).to_pandas())
        matches, warnings = _match(wanted, companies)
        return CompaniesHouseMatches(
            files=(paths[0].name,), rows_read=index.num_rows, matches=matches, warnings=warnings
        )
    for path in paths:
        for label, opener in csv_sources(path):
            labels.append(label)
            for batch, fields in batches(opener, label, block_size):
                rows_read += batch.num_rows
                report(progress, f"reading {label}", rows_read, 0)
                name_key = arrow_supplier_key(batch.column(fields["company_name"]))
                number = pc.utf8_trim_whitespace(batch.column(fields["company_number"]))
                hit = pc.or_(pc.is_in(name_key, value_set=keys), pc.is_in(number, value_set=numbers))
                if not pc.any(hit).as_py():
                    continue
                kept = batch.filter(hit)
                frame = pd.DataFrame(
                    {f: kept.column(i).to_pandas() for f, i in fields.items()}
                    | {"name_key": name_key.filter(hit).to_pandas()}
                )
                found.append(frame)
    companies = (
        pd.concat(found, ignore_index=True)
        if found
        else pd.DataFrame(columns=[*COLUMNS, "name_key"], dtype="object")
    )
    companies = _tidy(companies)
    matches, warnings = _match(wanted, companies)
    return CompaniesHouseMatches(files=tuple(labels), rows_read=rows_read, matches=matches, warnings=warnings)


def index_companies_house(
    files: str | Path | Sequence[str | Path], out: str | Path, *, progress: Progress | None = None
) -> Path:
    """Convert BasicCompanyData (the CSV, a ZIP, or its part ZIPs) into a compact Parquet index at ``out``:
    the columns lm3 uses and each name's key, written block by block (constant memory). Give the index to
    ``match_companies_house`` or ``lm3.batch``: it is read once per process, in a second or two, instead of
    streaming 2.5 GB for every match. Raises InputError as ``match_companies_house`` does."""
    paths = [Path(files)] if isinstance(files, str | PathLike) else [Path(f) for f in files]
    params.path("out", out)
    params.callback("progress", progress)
    if not paths:
        raise InputError("No Companies House file given.", code="missing-inputs")
    out = Path(out)
    if out.suffix.lower() != ".parquet":
        raise InputError(f"{out}: the index is a Parquet file; name it with .parquet.", code="wrong-suffix")
    schema = pa.schema([(f, pa.string()) for f in [*COLUMNS, "name_key"]])
    rows = 0
    try:
        with pq.ParquetWriter(out, schema, compression="zstd") as writer:
            for path in paths:
                for label, opener in csv_sources(path):
                    for batch, fields in batches(opener, label, BLOCK_SIZE):
                        rows += batch.num_rows
                        columns = {
                            f: batch.column(fields[f])
                            if f in fields
                            else pa.nulls(batch.num_rows, pa.string())
                            for f in COLUMNS
                        }
                        columns["company_number"] = pc.utf8_trim_whitespace(columns["company_number"])
                        columns["name_key"] = arrow_supplier_key(batch.column(fields["company_name"]))
                        writer.write_table(pa.table(columns, schema=schema))
                        report(progress, f"indexing {label}", rows, 0)
    except OSError as err:
        raise InputError(f"Cannot write {out}: {err.strerror or err}.", code="cannot-write") from err
    return out


@lru_cache(maxsize=2)
def _load_index(path: str) -> tuple[pa.Table, np.ndarray]:
    """A Companies House index's two keys (name key, company number) in memory, once per process (each
    batch worker loads them once: about 450 MB for 5.5 million companies), and where each row group
    starts, so the rows that match are read from their row groups alone."""
    try:
        sizes = [
            g.num_rows
            for g in (
                pq.ParquetFile(path).metadata.row_group(i) for i in range(pq.ParquetFile(path).num_row_groups)
            )
        ]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return pq.read_table(path, columns=["name_key", "company_number"]), starts
    except (OSError, pa.ArrowInvalid) as err:
        raise InputError(
            f"{path}: not a Companies House index ({err}). Make one with lm3.index_companies_house.",
            code="not-companies-house",
        ) from err


def _index_rows(path: Path, at: np.ndarray, starts: np.ndarray) -> pa.Table:
    """Rows ``at`` of an index, read from the row groups that hold them (a few, for a council's suppliers)."""
    reader = pq.ParquetFile(path)
    if not len(at):
        return reader.schema_arrow.empty_table()
    groups = np.searchsorted(starts, at, side="right") - 1
    parts = [  # a loop over the row groups holding matches, never over rows
        reader.read_row_group(int(g)).take(pa.array(at[groups == g] - starts[g], pa.int64()))
        for g in np.unique(groups)
    ]
    return pa.concat_tables(parts)


def csv_sources(path: Path) -> Iterator[tuple[str, Callable[[], BinaryIO]]]:
    """The CSVs in a file (itself, or each .csv member of a ZIP): a label and a way to open it."""
    if not path.is_file():
        raise InputError(
            f"{path}: no such file. Download BasicCompanyData (one CSV, or ZIPs) from "
            "https://download.companieshouse.gov.uk/en_output.html and give its path.",
            code="file-not-found",
        )
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if not members:
                raise InputError(
                    f"{path}: the ZIP holds no .csv file ({', '.join(archive.namelist()[:5])}).",
                    code="no-table-in-zip",
                )
            for member in members:
                yield f"{path.name}:{member}", partial(archive.open, member)  # type: ignore[misc]  # mypy cannot pick an overload through partial
    else:
        yield path.name, partial(path.open, "rb")  # type: ignore[misc]  # mypy cannot pick an overload through partial


def batches(
    opener: Callable[[], BinaryIO], label: str, block_size: int
) -> Iterator[tuple[pa.RecordBatch, dict[str, int]]]:
    """Record batches of the columns lm3 uses, and where each field is in them."""
    with opener() as stream:
        first = stream.readline(1 << 16)  # a header, not a file without line ends
    try:
        header = next(csv.reader([first.decode("utf-8-sig", errors="replace").rstrip("\r\n")]), [])
    except csv.Error:
        header = []  # not a CSV header at all: said below
    by_name = {h.strip().casefold(): h for h in header}
    present = {f: by_name[c.casefold()] for f, c in COLUMNS.items() if c.casefold() in by_name}
    missing = [COLUMNS[f] for f in REQUIRED if f not in present]
    if missing:
        shown = ", ".join(repr(h) for h in header[:6])
        raise InputError(
            f"{label}: not Companies House BasicCompanyData: no {', '.join(missing)} column (the header starts "
            f"{shown}). Give the CSV (or ZIP) from https://download.companieshouse.gov.uk/en_output.html.",
            code="not-companies-house",
        )
    include = list(dict.fromkeys(present.values()))
    with opener() as stream:
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(block_size=block_size, use_threads=True),
                convert_options=pacsv.ConvertOptions(
                    include_columns=include,
                    column_types={c: pa.string() for c in include},
                    strings_can_be_null=False,
                ),
            )
            names = reader.schema.names
            fields = {f: names.index(h) for f, h in present.items()}
            for batch in reader:
                yield batch, fields
        except (pa.ArrowInvalid, UnicodeDecodeError) as err:
            message = _arrow_message(err)
            line = _line_of(opener, message)
            where = f" (line {line:,})" if line else ""
            raise InputError(
                f"{label}: cannot read this Companies House file{where}: {message}. Download it again; "
                "if it was opened and saved in Excel, use the original CSV.",
                code="not-readable",
            ) from err


def _line_of(opener: Callable[[], BinaryIO], message: str) -> int | None:
    """The line a parse error's row is on, found by its text (Arrow's streaming reader does not say)."""
    m = re.search(r"got \d+: (.+)$", message)
    if not m or len(m.group(1)) < 4:
        return None
    wanted = m.group(1).encode("utf-8")
    lines, tail = 1, b""
    with opener() as stream:
        while block := stream.read(16 << 20):
            text = tail + block
            at = text.find(wanted)
            if at >= 0:
                return lines + text.count(b"\n", 0, at)
            keep = max(len(text) - len(wanted), 0)
            lines += text.count(b"\n", 0, keep)
            tail = text[keep:]
    return None


def _arrow_message(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return re.sub(r"^CSV parse error: ", "", text)


def _tidy(companies: pd.DataFrame) -> pd.DataFrame:
    """Trimmed values, numbers as written, one SIC text, and a postcode where a foreign company's address
    put it in another column."""
    for name in COLUMNS:
        if name not in companies:
            companies[name] = ""
        companies[name] = companies[name].astype("object").fillna("").astype("str").str.strip()
    companies["company_number"] = companies["company_number"].str.upper()
    postcode = companies["postcode"]
    for other in ("county", "country", "town"):
        shaped = is_valid_postcode(postcode_keys(companies[other]))
        postcode = postcode.where((postcode != "") | ~shaped.to_numpy(), companies[other])
    keys = postcode_keys(postcode)
    companies["postcode"] = np.where(
        is_valid_postcode(keys), format_postcodes(keys), postcode.replace("", None)
    )
    sic = companies[["sic1", "sic2", "sic3", "sic4"]].replace({"None Supplied": ""})
    joined = sic["sic1"] + "; " + sic["sic2"] + "; " + sic["sic3"] + "; " + sic["sic4"]
    companies["sic"] = joined.str.replace(r"(?:; )+", "; ", regex=True).str.strip("; ")
    companies["active"] = companies["status"].str.casefold().str.startswith("active")
    return companies


def _match(wanted: pd.DataFrame, companies: pd.DataFrame) -> tuple[pd.DataFrame, tuple[str, ...]]:
    out = wanted[["supplier", "key", "given_number"]].copy()
    out["match"] = "none"
    out["candidates"] = [() for _ in range(len(out))]
    columns = ["company_number", "company_name", "postcode", "category", "status"]
    columns += ["incorporated", "accounts", "sic"]
    for c in columns:
        out[c] = None
    by_number = companies.drop_duplicates("company_number").set_index("company_number")
    warnings = []

    numbered = out["given_number"].isin(by_number.index)
    for c in columns:
        out.loc[numbered, c] = out.loc[numbered, "given_number"].map(
            by_number[c] if c != "company_number" else pd.Series(by_number.index, by_number.index)
        )
    out.loc[numbered, "match"] = "company number"
    unknown_numbers = out["given_number"].notna() & ~numbered
    if unknown_numbers.any():
        listed = ", ".join(
            f"{s} ({n})" for s, n in out.loc[unknown_numbers, ["supplier", "given_number"]].head(10).values
        )
        warnings.append(
            Notice(
                "company-number-not-found",
                f"{int(unknown_numbers.sum())} supplier(s) give a company number not in the Companies House file "
                f"read (dissolved, mistyped, or in a part not given): {listed}. They were matched by name where possible.",
            )
        )

    # by name: per key, the active companies if there are any, else all; one is a match, more are ambiguous
    named = companies[companies["name_key"] != ""].drop_duplicates("company_number")
    has_active = named.groupby("name_key")["active"].transform("any")
    pool = named[named["active"] | ~has_active]
    size = pool.groupby("name_key")["company_number"].transform("size")
    single = pool[size == 1].set_index("name_key")
    several = pool[size > 1]
    candidates = (
        (several["company_name"] + " (" + several["company_number"] + ")")
        .groupby(several["name_key"], sort=False)
        .agg(tuple)
    )
    todo = (out["match"] == "none") & (out["key"] != "")
    hit = todo & out["key"].isin(single.index)
    for c in columns:
        out.loc[hit, c] = out.loc[hit, "key"].map(single[c])
    out.loc[hit, "match"] = "name"
    unsure = todo & out["key"].isin(candidates.index)
    out.loc[unsure, "match"] = "ambiguous"
    out.loc[unsure, "candidates"] = out.loc[unsure, "key"].map(candidates)
    ambiguous = out[out["match"] == "ambiguous"]
    if len(ambiguous):
        warnings.append(
            Notice(
                "company-name-ambiguous",
                f"{len(ambiguous)} supplier(s) share their name with several active companies and were not matched: "
                + "; ".join(
                    f"{r.supplier} ({' / '.join(r.candidates)})" for r in row_tuples(ambiguous.head(10))
                )
                + ". Give their company numbers in the register to match them.",
            )
        )
    inactive = out["match"].isin(["company number", "name"]) & ~out["status"].fillna(
        ""
    ).str.casefold().str.startswith("active")
    if inactive.any():
        warnings.append(
            Notice(
                "company-not-active",
                f"{int(inactive.sum())} matched compan(ies) are not active (in liquidation, administration...): "
                + ", ".join(
                    f"{s} ({st})" for s, st in out.loc[inactive, ["supplier", "status"]].head(10).values
                )
                + ".",
            )
        )
    out = out.astype("object").where(out.notna(), None)
    return out, tuple(warnings)
