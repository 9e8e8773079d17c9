"""The check page: what lm3 read from each file, the columns it chose (and a person's own choice), the rows
it set aside, and where the suppliers are placed from; with the rejected rows and the suppliers to place as
downloads."""

from __future__ import annotations

import asyncio
from typing import Any

import pandas as pd
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3.web.forms import columns_chosen, option_field
from lm3.web.guards import with_form, with_session
from lm3.web.jobs import placing, read_payments, read_register, start_reading
from lm3.web.site import Site, field_name, go
from lm3.web.store import KINDS, Session
from lm3.web.views.files import XLSX, download

PREVIEW_ROWS = 5
KINDS_WITH_COLUMNS = ("payments", "suppliers")  # the uploads whose columns a person may change
HIDDEN = "(a person: not shown)"


@with_session
async def show(request: Request, site: Site, session: Session) -> Response:
    if not session.files("payments"):
        return go("/upload")
    sections = []
    payments: lm3.IngestResult | None = None
    try:
        payments = await asyncio.to_thread(read_payments, site, session)
        sections.append(_payments_section(payments, session))
    except lm3.LM3Error as err:
        sections.append(_failed("payments", session, err))
        if err.code == "header-not-found":  # let a person say which columns hold the supplier and the amount
            first = session.files("payments")[0].path
            try:
                sections[-1]["headers"] = await asyncio.to_thread(
                    lm3.frontend.header_cells, str(first), "payments", session.sheet
                )
            except lm3.LM3Error:
                sections[-1]["headers"] = []
    if session.files("suppliers"):
        try:
            register = await asyncio.to_thread(read_register, session)
            assert register is not None  # the session has suppliers files
            sections.append(_register_section(register, session))
        except lm3.LM3Error as err:
            sections.append(_failed("suppliers", session, err))
    placed = None
    if payments is not None:
        try:
            placed = _placing_section(await asyncio.to_thread(placing, site, session))
        except lm3.LM3Error:
            placed = None  # the register's own section says what is wrong with it
    others = [u for u in session.uploads if u.kind not in KINDS_WITH_COLUMNS]
    blocked = any(s.get("error") and s["kind"] == "payments" for s in sections)
    return site.page(
        request,
        "check.html",
        session,
        sections=sections,
        others=others,
        kinds=KINDS,
        placed=placed,
        registers=site.registers.registers(),
        sheet_field=option_field(lm3.options.option("sheet")),
        blocked=blocked,
        needed=[
            ("supplier", "The supplier's name"),
            ("amount", "The amount paid"),
            ("date", "The date (optional)"),
        ],
    )


@with_form
async def choose_columns(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """The columns a person chose: read the files again with them, then back to their section."""
    if not session.files("payments"):
        return go("/upload")
    for kind in KINDS_WITH_COLUMNS:
        chosen = columns_chosen(form, kind)
        if chosen:
            session.set_columns(kind, chosen)
    if "sheet" in form:
        session.set_sheet(str(form["sheet"]).strip() or None)
    section = "suppliers" if form.get("kind") == "suppliers" else "payments"
    start_reading(site, session, next_page=f"/check#{section}")
    return go("/progress")


@with_session
async def suppliers_to_place(request: Request, site: Site, session: Session) -> Response:
    """The suppliers not placed, as a spreadsheet to fill in (no area needed)."""
    if not session.files("payments"):
        return go("/upload")
    path = session.folder / "out" / "suppliers-to-place.xlsx"
    path.parent.mkdir(exist_ok=True)
    try:
        located = await asyncio.to_thread(placing, site, session)
        await asyncio.to_thread(lm3.write_supplier_template, located, path)
    except lm3.LM3Error as err:
        return site.error(request, session, "The list could not be made", str(err), 400, back="/check")
    return download(path, path.name, XLSX)


@with_session
async def rejected_rows(request: Request, site: Site, session: Session) -> Response:
    """The rows of the payments set aside, and why, as CSV."""
    if not session.files("payments"):
        return go("/upload")
    try:
        payments = await asyncio.to_thread(read_payments, site, session)
    except lm3.LM3Error as err:
        return site.error(request, session, "The payments could not be read", str(err), 400, back="/check")
    path = session.folder / "rejected-rows.csv"
    await asyncio.to_thread(lm3.write_table, payments.rejected, path)
    return download(path, "rejected-rows.csv", "text/csv")


# -- what the page shows ----------------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict[Any, Any]]:
    """A table's rows for a page, missing cells blank."""
    shown = frame.astype("object")
    return shown.where(shown.notna(), "").to_dict("records")


def _why(
    table: lm3.IngestResult | lm3.types.Table, kind: str, session: Session, field: str, header: str | None
) -> str:
    choice = table.choices.get(field)
    if field in session.columns.get(kind, {}):
        return "set by you"
    if choice is not None and getattr(choice, "reasons", None):
        return "; ".join(str(r) for r in choice.reasons)
    if field in table.chosen_by:
        return str(table.chosen_by[field])
    return "by its header" if header else "no column found (optional)"


def _choice_rows(
    table: lm3.IngestResult | lm3.types.Table, kind: str, session: Session
) -> list[dict[str, Any]]:
    """Each field the reader knows: the column it read it from (or none), and why."""
    return [
        {
            "field": f,
            "name": field_name(f),
            "header": header,
            "why": _why(table, kind, session, f, header),
            "headers": table.headers,
        }
        for f, header in table.columns.items()
    ]


def _payments_preview(data: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The first rows of the payments, a person or a redacted payee never named."""
    shown = [c for c in ("row", "supplier", "amount", "date", "category") if c in data.columns]
    preview = data[shown].head(PREVIEW_ROWS).copy()
    if "supplier" in preview:
        hidden = lm3.frontend.names_of_people(preview["supplier"])
        if "supplier_class" in data.columns:
            hidden |= data["supplier_class"].head(PREVIEW_ROWS) != "named"
        preview["supplier"] = preview["supplier"].astype("object").where(~hidden, HIDDEN)
    if "amount" in preview:
        preview["amount"] = preview["amount"].map(lambda p: lm3.format_gbp(int(p)))
    if "date" in preview and pd.api.types.is_datetime64_any_dtype(preview["date"]):
        preview["date"] = preview["date"].dt.strftime("%d %b %Y")
    return preview, shown


def _payments_section(payments: lm3.IngestResult, session: Session) -> dict[str, Any]:
    preview, shown = _payments_preview(payments.data)
    files = payments.files or (payments,)
    return {
        "kind": "payments",
        "title": "Payments",
        "files": [u.shown for u in session.files("payments")],
        "columns": _choice_rows(payments, "payments", session),
        "preview": _records(preview),
        "preview_columns": shown,
        "accepted": payments.rows_accepted,
        "rejected": payments.rows_rejected,
        "rejected_rows": _records(payments.rejected.head(20)),
        "total": payments.total,
        "totals": [
            {
                "file": part.file,
                "value": t.value,
                "above": t.above,
                "reconciles": t.reconciles,
                "label": t.label,
            }
            for part in files
            for t in part.totals
        ],
        "warnings": [str(w) for w in payments.warnings],
    }


def _register_section(register: lm3.types.Table, session: Session) -> dict[str, Any]:
    data = register.data
    shown = [c for c in ("row", "supplier", "postcode", "head_office_postcode", "type") if c in data.columns]
    shown = [c for c in shown if c in ("row", "supplier", "postcode") or data[c].notna().any()]
    preview = data[shown].head(PREVIEW_ROWS).astype("object")
    if "supplier" in preview:  # a sole trader named as a person is never shown
        preview["supplier"] = preview["supplier"].where(
            ~lm3.frontend.names_of_people(preview["supplier"]), HIDDEN
        )
    return {
        "kind": "suppliers",
        "title": "Supplier register",
        "files": [u.shown for u in session.files("suppliers")],
        "columns": _choice_rows(register, "suppliers", session),
        "preview": _records(preview),
        "preview_columns": shown,
        "rows": len(register.data),
        "warnings": [str(w) for w in register.warnings],
    }


def _failed(kind: str, session: Session, err: lm3.LM3Error) -> dict[str, Any]:
    problems = getattr(err, "problems", None)
    return {
        "kind": kind,
        "title": KINDS[kind],
        "files": [u.shown for u in session.files(kind)],
        "error": str(err).split("\n")[0],
        "problems": _records(problems.head(50)) if isinstance(problems, pd.DataFrame) else [],
    }


def _placing_section(located: lm3.LocateResult) -> dict[str, Any]:
    """Where the suppliers are placed from, and why the rest are not."""
    return {
        "suppliers": len(located.suppliers),
        "by_source": located.by_source().to_dict("records"),
        "reasons": located.not_placed_by_reason().to_dict("records"),
        "coverage": located.coverage,
    }
