"""Registers published as JSON, read a value at a time (never the whole file): OCDS releases and
records (their parties) and 360Giving grants (their recipient organisations).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa

from lm3.errors import InputError
from lm3.inputs.layouts import COLUMNS, GRANTS_JSON, OCDS, Layout, member_bytes, normalise, row_status
from lm3.inputs.recognise import header_name_key

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
    for label, stream in member_bytes(path):
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


def ocds(path: Path) -> pa.Table:
    """Each supplier of the releases once: the same name, org-id and postcode in several releases is one row."""
    frame = _json_rows(path, ("releases", "records"), _ocds_parties)
    table = normalise(frame, OCDS, OCDS.kind, OCDS.role, None)
    table = table.set_column(
        COLUMNS.index("sme"), "sme", pa.array(frame["sme"].to_numpy(dtype=object), type=pa.string())
    )
    return distinct(table, ["name", "org_id", "postcode"])


def distinct(table: pa.Table, columns: list[str]) -> pa.Table:
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


def grants_json(path: Path) -> pa.Table:
    """Each recipient of the grants once (the same name, org-id and postcode in several grants is one row)."""
    frame = _json_rows(path, ("grants",), _grant_recipients)
    table = normalise(frame, GRANTS_JSON, GRANTS_JSON.kind, GRANTS_JSON.role, None)
    return distinct(table, ["name", "org_id", "postcode"])


def json_table(path: Path, layout: Layout) -> pa.Table:
    """An array of flat JSON objects in a known layout (the Charity Commission's JSON extract)."""
    fields = {name: {header_name_key(h) for h in headers} for name, headers in layout.columns.items()}

    def row(obj: dict[str, Any]) -> list[dict[str, Any]]:
        out: dict[str, Any] = {}
        for key, value in obj.items():
            k = header_name_key(key)
            for name, wanted in fields.items():
                if k in wanted and name not in out:
                    out[name] = None if value is None else str(value)
        return [out]

    frame = _json_rows(path, (), row, columns=list(layout.columns))
    data = frame.copy()

    def col(name: str) -> pd.Series:
        return data[name] if name in data else pd.Series(None, index=data.index, dtype="object")

    data["status"] = row_status(layout, data, col)
    keep = col("name").notna().to_numpy()
    if "linked" in data:
        keep &= col("linked").astype("str").str.strip().isin(["0", "", "None", "nan"]).to_numpy()
    return normalise(data[keep].reset_index(drop=True), layout, layout.kind, layout.role, layout.type)
