"""Opening a source: a file (CSV or workbook, by its content as well as its name), a ZIP of them, or a
DataFrame, as the sheets that may hold the table.
"""

from __future__ import annotations

import hashlib
import mmap
import zipfile
from pathlib import Path

import pandas as pd

from lm3.errors import InputError, Notice
from lm3.read.bounds import check_archive, refuse_what_is_not_a_table
from lm3.read.cells import SPREADSHEET_SUFFIXES, TEXT_SUFFIXES, Source
from lm3.read.csvfile import CsvSheet, bom_length, refuse_other_encodings
from lm3.read.sheet import FrameSheet, Sheet
from lm3.read.workbook import book_sheets


def open_source(source: Source, what: str) -> tuple[str, list[Sheet], list[Notice]]:
    """The source's label, its sheets (candidate tables), and notes on how it was opened."""
    if isinstance(source, pd.DataFrame):
        return f"the {what} table", [FrameSheet(source)], []
    path = Path(source)
    if path.exists() and not path.is_file():
        raise InputError(
            f"{path}: not a regular file ({'a folder' if path.is_dir() else 'a device or pipe'}). Give the "
            f"{what} file itself.",
            code="not-a-file",
        )
    if not path.is_file():
        raise InputError(
            f"{what.capitalize()} file not found: {path}. Check the path.", code="file-not-found"
        )
    label = path.name
    with path.open("rb") as f:
        start = f.read(2048)
    magic = start[:8]
    suffix = path.suffix.lower()
    refuse_what_is_not_a_table(start[bom_length(start) :], label)
    errors = check_archive(path, label) if magic.startswith(b"PK\x03\x04") else {}
    if magic.startswith(b"PK\x03\x04") and suffix not in SPREADSHEET_SUFFIXES:
        if not _is_workbook_archive(path):
            sheets, notes = _zip_sheets(path, label)
            return label, sheets, notes
        note = Notice(
            "workbook-named-otherwise",
            f"{label}: this is an Excel workbook (or ODS spreadsheet) named {suffix or 'without a suffix'}: "
            "read as one. Rename it .xlsx so other tools open it too.",
        )
        return label, book_sheets(path, label, errors), [note]
    if (
        suffix in SPREADSHEET_SUFFIXES
        or magic.startswith(b"\xd0\xcf\x11\xe0")
        or magic.startswith(b"PK\x03\x04")
    ):
        return label, book_sheets(path, label, errors), []
    refuse_other_encodings(start, label)
    return label, [CsvSheet(_map(path), None, label)], []


def _is_workbook_archive(path: Path) -> bool:
    """Whether a ZIP is itself a workbook (XLSX or ODS), not a ZIP of spend files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    return "xl/workbook.xml" in names or ("mimetype" in names and "content.xml" in names)


def _map(path: Path) -> bytes | mmap.mmap:
    """A file's bytes; a large file is memory-mapped rather than copied into memory."""
    size = path.stat().st_size
    if size < (8 << 20):
        return path.read_bytes()
    with path.open("rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def _zip_sheets(path: Path, label: str) -> tuple[list[Sheet], list[Notice]]:
    """The tables a ZIP holds (its CSVs, and its workbooks' sheets); a member with the same bytes as one
    before it is read once, and said."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise InputError(f"{label}: not a readable ZIP or workbook ({err}).", code="not-readable") from err
    sheets: list[Sheet] = []
    seen: dict[str, str] = {}
    copies: list[str] = []
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and not Path(m.filename).name.startswith((".", "~$"))
            and "__MACOSX" not in m.filename
        ]
        for m in members:
            suffix = Path(m.filename).suffix.lower()
            if suffix not in TEXT_SUFFIXES | SPREADSHEET_SUFFIXES:
                continue
            content = archive.read(m)
            digest = hashlib.sha256(content).hexdigest()
            if digest in seen:
                copies.append(f"{m.filename} (the same bytes as {seen[digest]})")
                continue
            seen[digest] = m.filename
            if suffix in TEXT_SUFFIXES:
                sheets.append(CsvSheet(content, m.filename, label))
            else:
                book = content
                for s in book_sheets(book, label, check_archive(book, f"{label} ({m.filename})")):
                    s.name = f"{m.filename}:{s.name}"
                    sheets.append(s)
    if not sheets:
        names = ", ".join(m.filename for m in members) or "nothing"
        raise InputError(
            f"{label}: the ZIP holds no CSV or spreadsheet (it holds {names}).", code="no-table-in-zip"
        )
    notes = (
        [
            Notice(
                "zip-member-repeated",
                f"{label}: read once, as copies of another file in it: {'; '.join(copies)}.",
            )
        ]
        if copies
        else []
    )
    return sheets, notes
