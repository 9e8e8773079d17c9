"""The Registers page: the open registers in the store, and adding one (a bulk file uploaded, or
downloaded from its publisher)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3.web.forms import one_file
from lm3.web.guards import with_form
from lm3.web.jobs import start_register_job
from lm3.web.site import Site, go, site_of
from lm3.web.store import Session


def _page(
    request: Request, site: Site, session: Session, errors: dict[str, str], status: int = 200
) -> Response:
    held = [
        {
            "label": f"{r.title} ({r.name}{', comes with lm3' if r.shipped else ''})",
            "date": r.date,
            "rows": r.rows,
            "licence": r.licence,
        }
        for r in site.registers.registers()
    ]
    known = lm3.registers.known().to_dict("records")
    known_items = [
        {"value": k["name"], "text": k["title"] + (" (needs its address)" if k["needs_url"] else "")}
        for k in known
    ]
    return site.page(
        request,
        "registers.html",
        session,
        status,
        held=held,
        known=known,
        known_items=known_items,
        errors=errors,
        max_mb=site.max_upload_mb,
    )


async def show(request: Request) -> Response:
    """The page (a browser without a session is given one: adding a register needs its token)."""
    site = site_of(request)
    session = site.current(request) or site.store.new()
    return _page(request, site, session, {})  # a page: it carries the session's cookie


@with_form
async def add(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Add the bulk file uploaded to the store, with the progress page."""
    item = one_file(form, "register")
    if item is None or item.filename is None:
        errors = {"register": "Choose the register's bulk file (CSV, Excel, JSON or a ZIP of them)."}
        return _page(request, site, session, errors, 400)
    shown = Path(item.filename).name
    suffix = Path(shown).suffix.lower() or ".csv"
    saved = session.folder / f"register-upload{suffix}"
    saved.write_bytes(await item.read())

    def work(progress: Callable[[str, int, int], None]) -> None:
        try:
            named = saved.with_name(safe_name(shown))  # the name tells a register's date and kind
            saved.replace(named)
            lm3.registers.add(named, registers=site.registers, progress=progress)
        finally:
            for leftover in session.folder.glob("register-upload*"):
                leftover.unlink(missing_ok=True)

    start_register_job(site, session, f"Adding {shown}", work)
    return go("/progress", session)


@with_form
async def download(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Download a known register from its publisher (or the address given) into the store."""
    name = str(form.get("name", "")).strip()
    url = str(form.get("url", "")).strip() or None

    def work(progress: Callable[[str, int, int], None]) -> None:
        lm3.registers.download(name, registers=site.registers, url=url, progress=progress)

    start_register_job(site, session, f"Downloading {name}", work)
    return go("/progress", session)


def safe_name(shown: str) -> str:
    """An uploaded register's name as the server keeps it: letters, digits, dots and dashes only (its date
    and kind stay readable: "BasicCompanyDataAsOneFile-2025-11-01.zip")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", shown).strip(".-") or "register.csv"
    return "register-" + cleaned
