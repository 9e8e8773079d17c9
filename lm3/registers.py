"""The register store on this machine: open registers that place suppliers, added by the user.

    >>> import lm3
    >>> lm3.registers.add("BasicCompanyDataAsOneFile-2025-11-01.zip")      # a file downloaded by hand
    >>> lm3.registers.download("charity-commission")                        # or fetched, checked, added
    >>> lm3.registers.table()                                               # what the store holds
    >>> lm3.calculate("spend.csv", area="Bradford")                         # every study reads it

The store lives in a folder per user (``$LM3_DATA_DIR``, else the platform's data folder: see
``lm3.inputs.store.data_dir``); ``registers=`` names another (a folder, or a ``RegisterStore``), here and
in ``lm3.calculate``, ``lm3.locate`` and ``lm3.batch``. It always holds lm3's own register of public bodies.
Registers are recognised by their content (``lm3.inputs.bulk``); ``download`` fetches the official file
from its publisher (``lm3.inputs.download``), resuming and checking it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lm3.errors import InputError
from lm3.inputs.download import CATALOGUE, Official, catalogue
from lm3.inputs.download import download as _download
from lm3.inputs.store import RegisterInfo, RegisterStore, data_dir, open_store
from lm3.progress import Progress
from lm3.values import params

__all__ = [
    "CATALOGUE",
    "Official",
    "RegisterInfo",
    "RegisterStore",
    "add",
    "catalogue",
    "data_dir",
    "download",
    "known",
    "remove",
    "store",
    "table",
]


def store(registers: str | Path | RegisterStore | None = None) -> RegisterStore:
    """The register store: the user's own (None), or the folder or store given."""
    params.store("registers", registers)
    return open_store(registers)


def add(
    files: str | Path | Sequence[str | Path],
    *,
    registers: str | Path | RegisterStore | None = None,
    name: str | None = None,
    date: str | None = None,
    progress: Progress | None = None,
) -> list[RegisterInfo]:
    """Add bulk register files to the store (each recognised by its content: see ``lm3.inputs.bulk``); a
    newer file of a register held replaces it. ``name`` and ``date`` apply to one file. Raises InputError."""
    items = [files] if isinstance(files, str | Path) else list(files)
    if not items or not all(isinstance(f, str | Path) for f in items):
        raise params.bad("files", "a register file's path, or a list of them", files)
    if name is not None and len(items) > 1:
        raise InputError(
            "name names one register: add the files one at a time.", code="bad-parameter", params=("name",)
        )
    params.text()("name", name)
    params.text()("date", date)
    params.callback("progress", progress)
    held = store(registers)
    return [held.add(f, name=name, date=date, progress=progress) for f in items]


def download(
    name: str,
    *,
    registers: str | Path | RegisterStore | None = None,
    url: str | None = None,
    mirror: str | None = None,
    sha256: str | None = None,
    keep: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> RegisterInfo:
    """Fetch register ``name`` (``known()``) from its publisher, check it and add it (see
    ``lm3.inputs.download``). ``url``: another address for it; ``mirror``: a server with the publishers'
    paths; ``sha256``: the checksum it must have; ``keep``: keep the file downloaded. Raises InputError."""
    params.text(optional=False)("name", name)
    for option, value in (("url", url), ("mirror", mirror), ("sha256", sha256)):
        params.text()(option, value)
    params.flag("keep", keep)
    params.callback("progress", progress)
    return _download(
        name,
        store(registers),
        url=url,
        mirror=mirror,
        sha256=sha256,
        keep=keep,
        today=today,
        progress=progress,
    )


def remove(name: str, *, registers: str | Path | RegisterStore | None = None) -> RegisterInfo:
    """Drop a register from the store. Raises InputError for one it does not hold."""
    params.text(optional=False)("name", name)
    return store(registers).remove(name)


def table(registers: str | Path | RegisterStore | None = None) -> pd.DataFrame:
    """What the store holds: name, title, date, rows, licence, source, added, shipped."""
    return store(registers).table()


def known() -> pd.DataFrame:
    """The registers ``download`` fetches: name, title, page, licence, and whether it needs a url."""
    return pd.DataFrame(
        [
            {
                "name": o.name,
                "title": o.title,
                "page": o.page,
                "licence": o.licence,
                "needs_url": o.urls is None,
            }
            for o in catalogue()
        ]
    )


def folder() -> Path:
    """The user's own store's folder."""
    return data_dir() / "registers"
