"""Recognising a register file by its first bytes and header (never by its name alone): Companies
House, NHS ODS, the charity registers, CQC, GIAS, OCDS, 360Giving, or any other register.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lm3.errors import InputError
from lm3.inputs.layouts import (
    ANY,
    COMPANIES_HOUSE,
    GRANTS_JSON,
    LAYOUTS,
    OCDS,
    ODS,
    ODS_FILES,
    ODS_NAMES,
    Layout,
)
from lm3.read.cells import SPREADSHEET_SUFFIXES, header_key
from lm3.read.table import first_rows

PEEK_BYTES = 1 << 16


# -- recognising a file ------------------------------------------------------------------------------------


def peek_members(path: Path) -> list[tuple[str | None, bytes]]:
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
            if all(any(header_name_key(h) in keys for h in layout.columns[f]) for f in layout.required):
                return layout, i
    return None


def header_name_key(text: str) -> str:
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


def json_kind(start: bytes) -> Layout | None:
    """The layout of a JSON file (or JSON Lines): OCDS releases or records, 360Giving grants, or an array of
    flat objects whose keys are a known layout's columns (the Charity Commission's JSON extract)."""
    text = _text_of(start).lstrip()
    if not text.startswith(("{", "[")):
        return None
    if re.search(r'"(?:releases|records|ocid|parties)"\s*:', text):
        return OCDS
    if re.search(r'"(?:grants|recipientOrganization)"\s*:', text):
        return GRANTS_JSON
    keys = [header_name_key(k) for k in re.findall(r'"([^"\\]{1,80})"\s*:', text[:20000])]
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
    peeks = peek_members(path)
    if not peeks:
        raise InputError(f"{path.name}: the ZIP is empty.", code="no-table-in-zip")
    if path.suffix.lower() in SPREADSHEET_SUFFIXES or _is_workbook(path):
        for rows in first_rows(path, "register"):
            found = layout_of_header([[str(c) for c in r] for r in rows])
            if found is not None:
                return found[0], None
        return ANY, None
    for member, start in peeks:
        json_layout = json_kind(start)
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
