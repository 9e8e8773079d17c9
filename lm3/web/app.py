"""The web app: upload, check, see, download. Server-rendered pages on the public API only (``lm3``,
``lm3.charts``), one thing per page, real URLs; see the README's "The web app" section.

Every form carries the session's CSRF token and must come from this site's own pages (Origin, else
Referer); the Host header must be one the server was told to answer to (DNS rebinding); a request body over
the upload limit is refused with 413 before it is read. Results are never cached (``no-store``), and a strict
Content-Security-Policy lets a page run only this app's own script and load only its own assets.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import io
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import lm3
from lm3 import charts
from lm3.web.store import KINDS, SEVERAL, SUFFIXES, Job, Session, Store

HERE = Path(__file__).resolve().parent
COOKIE = "lm3_session"
SAMPLE = lm3.sample()  # shipped inside the package: the button works after any install
DEFAULT_MAX_UPLOAD_MB = 200
MAX_FILES = 40
MAX_ROWS = 5_000_000  # payment rows read from one upload
PREVIEW_ROWS = 5
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
KINDS_WITH_COLUMNS = ("payments", "suppliers")  # the uploads whose columns a person may change
NAMES = {
    "supplier": "Supplier name",
    "amount": "Amount paid",
    "vcse": "VCSE",
    "sme": "SME",
    "vat_number": "VAT number",
    "capital_revenue": "Capital or revenue",
}


def field_name(field: str) -> str:
    """A field as a page names it: "expense_type" -> "Expense type"."""
    return NAMES.get(field, field.replace("_", " ").capitalize())


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def environment() -> Environment:
    """Jinja with lm3's pages and GOV.UK Frontend's macros, autoescaping everything."""
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("lm3.web", "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        finalize=_inert,
    )
    env.filters["gbp"] = lambda pence: lm3.format_gbp(int(pence))
    env.filters["pct"] = lambda share: "" if share is None or share != share else f"{float(share) * 100:.1f}%"
    env.globals["field_name"] = field_name
    env.globals["errors_list"] = lambda errors: [
        {"text": text, "href": f"#{field}"} for field, text in errors.items()
    ]
    return env


def _inert(value: Any) -> Any:
    """Every value a page shows, made inert: text from an input file (a supplier's name) with its control
    characters and bidi overrides shown as escapes (``lm3.visible_text``), then escaped as HTML by Jinja;
    markup the templates' own macros made is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return lm3.visible_text(value)
    return value


class Guard:
    """Security headers on every response, and 413 for a body over the limit (counted as it arrives)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_bytes:
            await too_large(self.max_bytes)(scope, receive, send)
            return
        seen = 0
        started = False

        async def counted() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise TooLarge
            return message

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                if not scope["path"].startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, counted, with_headers)
        except TooLarge:
            if not started:
                await too_large(self.max_bytes)(scope, receive, with_headers)


class TooLarge(Exception):
    """A request body passed the upload limit."""


def too_large(max_bytes: int) -> Response:
    page = (
        environment()
        .get_template("error.html")
        .render(
            title="The files are too large",
            message=f"This server takes up to {max_bytes // 2**20:,} MB at once. Upload fewer files at a time, or "
            "start the app with a larger limit (lm3 serve --max-upload-mb).",
            session=None,
            shown=str,
            back="/upload",
        )
    )
    return HTMLResponse(page, status_code=413)


def create_app(
    *,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1"),
    idle_minutes: float = 60,
    max_rows: int = MAX_ROWS,
    store: Store | None = None,
    registers: str | Path | lm3.RegisterStore | None = None,
) -> Starlette:
    """The web app as an ASGI application. ``hosts``: the Host names it answers to; ``idle_minutes``: a
    session's files are deleted after this long without a request; ``registers``: the register store it
    places suppliers from and lists on its Registers page (default: the user's own)."""
    env = environment()
    store = store or Store(idle_minutes)
    held = lm3.registers.store(registers)
    area_names = lm3.area_names()

    def page(
        request: Request, template: str, session: Session | None, status: int = 200, **context: Any
    ) -> Response:
        html = env.get_template(template).render(
            session=session,
            csrf=(lambda action: form_token(session, action)) if session else (lambda action: ""),
            path=request.url.path,
            shown=session.as_shown if session else str,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def error_page(
        request: Request, session: Session | None, title: str, message: str, status: int, **more: Any
    ) -> Response:
        return page(request, "error.html", session, status, title=title, message=message, **more)

    def current(request: Request) -> Session | None:
        return store.get(request.cookies.get(COOKIE))

    def remember(response: Response, session: Session) -> Response:
        response.set_cookie(COOKIE, session.id, httponly=True, samesite="strict", path="/")
        return response

    def go(url: str, session: Session | None = None) -> Response:
        response = RedirectResponse(url, status_code=303)
        return remember(response, session) if session is not None else response

    async def checked_form(request: Request, session: Session | None) -> Any:
        """The form, once its origin and CSRF token are right; None (with the refusal) when not."""
        origin = request.headers.get("origin") or request.headers.get("referer")
        host = request.headers.get("host", "")
        if not origin or urlsplit(origin).netloc != host:
            return None
        form = await request.form(max_files=MAX_FILES, max_fields=200)
        token = form.get("csrf")
        expected = form_token(session, request.url.path) if session is not None else None
        if expected is None or not isinstance(token, str) or not hmac.compare_digest(token, expected):
            await form.close()
            return None
        return form

    def refused(request: Request, session: Session | None) -> Response:
        return error_page(
            request,
            session,
            "This form could not be accepted",
            "The form came from somewhere else, or from a page of an earlier visit. Go back, reload the page "
            "and try again.",
            403,
            back="/",
        )

    def needs_session(request: Request) -> Session | Response:
        session = current(request)
        if session is None:
            return error_page(
                request,
                None,
                "Nothing here",
                "There is no data for this browser: it was deleted, or it timed out. Start again.",
                404,
                back="/",
            )
        return session

    # -- start ----------------------------------------------------------------------------------------

    async def start(request: Request) -> Response:
        session = current(request) or store.new()
        response = page(
            request,
            "start.html",
            session,
            deleted=request.query_params.get("deleted") == "1",
            sample=SAMPLE.is_dir(),
            minutes=int(store.idle_seconds // 60),
        )
        return remember(response, session)

    async def sample(request: Request) -> Response:
        session = current(request)
        form = await checked_form(request, session)
        if form is None or session is None:
            return refused(request, session)
        if not SAMPLE.is_dir():
            return error_page(
                request,
                session,
                "No sample here",
                "The sample comes with a clone of lm3's repository.",
                404,
                back="/",
            )
        project = lm3.load_project(SAMPLE)
        session.uploads.clear()
        for kind in ("payments", "suppliers", "payroll", "supplier_survey", "staff_survey"):
            value = getattr(project, kind)
            for path in value if isinstance(value, tuple) else (value,) if value else ():
                session.add(kind, path.name, path.read_bytes(), path.suffix.lower())
        session.options = {"area": project.area, "name": project.name or ""}
        return go("/check", session)

    async def delete(request: Request) -> Response:
        session = current(request)
        form = await checked_form(request, session)
        if form is None or session is None:
            return refused(request, session)
        store.delete(session.id)
        response = go("/?deleted=1")
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- upload ---------------------------------------------------------------------------------------

    async def upload(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        if request.method == "GET":
            return page(request, "upload.html", session, kinds=KINDS, several=SEVERAL, errors={})
        form = await checked_form(request, session)
        if form is None:
            return refused(request, session)
        errors: dict[str, str] = {}
        received: list[tuple[str, str, bytes, str]] = []
        for kind in KINDS:
            for item in form.getlist(kind):
                if not isinstance(item, UploadFile) or not item.filename:
                    continue
                shown = Path(item.filename).name
                suffix = Path(shown).suffix.lower()
                if suffix not in SUFFIXES[kind]:
                    errors[kind] = (
                        f"{shown}: {KINDS[kind]} must be "
                        + ", ".join(SUFFIXES[kind])
                        + " (a CSV or Excel file, or a ZIP of them)."
                    )
                    continue
                received.append((kind, shown, await item.read(), suffix))
        await form.close()
        if errors:
            return page(request, "upload.html", session, 400, kinds=KINDS, several=SEVERAL, errors=errors)
        replacing = {kind for kind, *_ in received}
        for kind in replacing:
            session.remove(kind)
            session.columns.pop(kind, None)
        for kind, shown, data, suffix in received:
            session.add(kind, shown, data, suffix)
        if not session.files("payments"):
            errors["payments"] = "Choose the payments file (or files): the spend to measure."
            return page(request, "upload.html", session, 400, kinds=KINDS, several=SEVERAL, errors=errors)
        start_reading(session)
        return go("/progress", session)

    # -- check ----------------------------------------------------------------------------------------

    def read_payments(session: Session) -> lm3.IngestResult:
        columns = session.columns.get("payments") or None
        read: lm3.IngestResult = session.cached(
            "payments", columns, lambda: lm3.ingest(session.need("payments"), columns=columns)
        )
        rows = read.rows_accepted + read.rows_rejected
        if rows > max_rows:
            raise lm3.InputError(
                f"The payments hold {rows:,} rows: this server reads up to {max_rows:,} at once. Upload fewer "
                "months at a time, or run lm3 calculate on this computer.",
                code="too-many-rows",
            )
        return read

    def read_register(session: Session) -> Any:
        """The supplier registers uploaded, read once; None when there are none (the spend file, the register
        store and lm3's public bodies place the suppliers then)."""
        if not session.files("suppliers"):
            return None
        columns = session.columns.get("suppliers") or None
        return session.cached(
            "suppliers", columns, lambda: lm3.read_registers(session.need("suppliers"), columns=columns)
        )

    def placing(session: Session) -> lm3.LocateResult:
        """Where the suppliers are placed from, before any area is chosen (placing does not depend on it):
        for the check page, and the list of suppliers to place."""
        columns = session.columns.get("payments") or None
        area = session.options.get("area") or "UK"
        key = (
            columns,
            session.columns.get("suppliers"),
            area,
            [str(u.path) for u in session.uploads if u.kind in ("payments", "suppliers")],
            [(r.name, r.added) for r in held.registers()],  # a register added or replaced places anew
        )
        return session.cached(
            "placing",
            key,
            lambda: lm3.locate(read_payments(session), read_register(session), area=area, registers=held),
        )

    async def check(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        if not session.files("payments"):
            return go("/upload")
        if request.method == "POST":
            form = await checked_form(request, session)
            if form is None:
                return refused(request, session)
            for kind in KINDS_WITH_COLUMNS:
                chosen = {
                    key.split(".", 1)[1]: str(value)
                    for key, value in form.multi_items()
                    if key.startswith(f"{kind}.") and isinstance(value, str) and value
                }
                if chosen:
                    session.columns[kind] = {**session.columns.get(kind, {}), **chosen}
            session.result = None
            start_reading(session)
            assert session.job is not None
            session.job.next = "/check#" + ("suppliers" if form.get("kind") == "suppliers" else "payments")
            return go("/progress")
        sections = []
        payments: Any = None
        try:
            payments = await asyncio.to_thread(read_payments, session)
            sections.append(_payments_section(payments, session))
        except lm3.LM3Error as err:
            sections.append(_failed("payments", session, err))
        if session.files("suppliers"):
            try:
                register = await asyncio.to_thread(read_register, session)
                sections.append(_register_section(register, session))
            except lm3.LM3Error as err:
                sections.append(_failed("suppliers", session, err))
        placed = None
        if payments is not None:
            try:
                placed = _placing_section(await asyncio.to_thread(placing, session))
            except lm3.LM3Error:
                placed = None  # the register's own section says what is wrong with it
        others = [u for u in session.uploads if u.kind not in ("payments", "suppliers")]
        return page(
            request,
            "check.html",
            session,
            sections=sections,
            others=others,
            kinds=KINDS,
            placed=placed,
            registers=held.registers(),
        )

    async def check_template(request: Request) -> Response:
        """The suppliers not placed, as a spreadsheet to fill in, from the check page (no area needed)."""
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        if not session.files("payments"):
            return go("/upload")
        folder = session.folder / "out"
        folder.mkdir(exist_ok=True)
        path = folder / "suppliers-to-place.xlsx"
        try:
            located = await asyncio.to_thread(placing, session)
            await asyncio.to_thread(lm3.write_supplier_template, located, path)
        except lm3.LM3Error as err:
            return error_page(request, session, "The list could not be made", str(err), 400, back="/check")
        return download(path, path.name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    async def rejected_csv(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        try:
            payments = await asyncio.to_thread(read_payments, session)
        except lm3.LM3Error as err:
            return error_page(
                request, session, "The payments could not be read", str(err), 400, back="/check"
            )
        path = session.folder / "rejected-rows.csv"
        lm3.write_table(payments.rejected, path)
        return download(path, "rejected-rows.csv", "text/csv")

    # -- area and options -----------------------------------------------------------------------------

    async def area(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        if request.method == "GET":
            return page(request, "area.html", session, names=area_names, options=session.options, errors={})
        form = await checked_form(request, session)
        if form is None:
            return refused(request, session)
        options = {
            k: str(form.get(k, "")).strip()
            for k in (
                "area",
                "tiers",
                "exclude",
                "name",
                "income",
                "branch_is_local",
                "pay_basis",
                "imputation",
            )
        }
        errors: dict[str, str] = {}
        tiers = _lines(options.get("tiers", ""))
        if tiers and options["area"]:
            try:
                lm3.resolve_tiers(tiers, lm3.resolve_area(options["area"]))
            except lm3.LM3Error as err:
                errors["tiers"] = str(err)
        if not options["area"]:
            errors["area"] = (
                "Enter the local area: a council, a district, a county, a combined authority or a radius."
            )
        else:
            try:
                lm3.resolve_area(options["area"])
            except lm3.AreaError as err:
                errors["area"] = str(err)
        session.options = options
        if errors:
            return page(request, "area.html", session, 400, names=area_names, options=options, errors=errors)
        start_job(session)
        return go("/progress")

    def arguments(session: Session) -> dict[str, Any]:
        o = session.options
        args: dict[str, Any] = {
            "area": o["area"],
            "payroll": session.paths("payroll"),
            "supplier_survey": session.paths("supplier_survey"),
            "staff_survey": session.paths("staff_survey"),
            "columns": session.columns.get("payments") or None,
            "register_columns": session.columns.get("suppliers") or None,
            "name": o.get("name") or None,
            "income": o.get("income") or None,
            "branch_is_local": o.get("branch_is_local", "yes") != "no",
            "pay_basis": o.get("pay_basis") or "gross",
            "imputation": o.get("imputation") or "mean",
            "exclude": _lines(o.get("exclude") or "") or None,
            "registers": held,
        }
        return args

    def start_reading(session: Session) -> None:
        """Read the payments and the register on a thread, with a progress bar, then show the check page
        (which finds them read). A file that cannot be read is said on the check page itself."""
        job = Job(title="Reading your files", next="/check")
        session.job = job

        def run() -> None:
            try:
                columns = session.columns.get("payments") or None
                session.cached(
                    "payments",
                    columns,
                    lambda: lm3.ingest(session.need("payments"), columns=columns, progress=job.progress),
                )
                if session.files("suppliers"):
                    job.progress("reading the supplier register", job.total, job.total)
                    read_register(session)
            except lm3.LM3Error:
                pass  # the check page reads again, and says what is wrong, file by file
            finally:
                job.finished = True

        threading.Thread(target=run, daemon=True).start()

    def start_job(session: Session) -> None:
        job = Job()
        session.job = job
        session.result = None
        session.what_if = None
        args = arguments(session)
        uploads = session.counter  # files uploaded so far: a result of older files is never shown as new

        def run() -> None:
            try:
                # the files as the check page read them (read now if it was not shown): never read twice
                payments, register = read_payments(session), read_register(session)
                job.result = lm3.calculate(payments, register, progress=job.progress, **args)
                tiers = _lines(session.options.get("tiers") or "")
                by_tier = None
                if tiers:  # spend by tier: the same inputs, placed as lm3 locate places them
                    job.progress("spend by tier", job.total, job.total)
                    located = lm3.locate(
                        payments,
                        register,
                        area=args["area"],
                        tiers=tiers,
                        branch_is_local=args["branch_is_local"],
                        exclude=args["exclude"],
                        registers=held,
                    )
                    by_tier = located.tiers.to_dict("records")
                if session.job is job and session.counter == uploads:  # nothing new came in meanwhile
                    session.result, session.tiers = job.result, by_tier
            except lm3.LM3Error as err:
                job.error = err
            finally:
                job.finished = True

        threading.Thread(target=run, daemon=True).start()

    # -- progress ---------------------------------------------------------------------------------------

    async def progress(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        job = session.job
        if job is None:
            return go("/area")
        if job.finished:
            if job.error is not None:
                problems = getattr(job.error, "problems", None)
                rows = problems.head(200).to_dict("records") if isinstance(problems, pd.DataFrame) else []
                return error_page(
                    request,
                    session,
                    "The calculation could not go ahead",
                    str(job.error).split("\n")[0],
                    400,
                    back="/check",
                    problems=rows,
                )
            return go(job.next)
        return page(request, "progress.html", session, job=job)

    async def events(request: Request) -> Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        job = session.job

        async def stream() -> Any:
            while job is not None:
                data = {"step": job.step, "done": job.done, "total": job.total, "finished": job.finished}
                yield f"data: {json.dumps(data)}\n\n"
                if job.finished or await request.is_disconnected():
                    break
                await asyncio.sleep(0.3)

        return StreamingResponse(stream(), media_type="text/event-stream")

    # -- the result -----------------------------------------------------------------------------------

    def result_of(request: Request) -> tuple[Session, lm3.LM3Result] | Response:
        session = needs_session(request)
        if isinstance(session, Response):
            return session
        if session.result is None:
            return go("/area" if session.files("payments") else "/upload")
        return session, session.result

    async def result(request: Request) -> Response:
        found = result_of(request)
        if isinstance(found, Response):
            return found
        session, res = found
        previous: Any = None
        if session.files("previous"):
            try:
                table = lm3.compare([str(session.files("previous")[0].path), res])
                previous = table.astype("object").where(table.notna(), None).to_dict("records")
            except lm3.LM3Error as err:
                previous = str(err)
        return page(
            request,
            "result.html",
            session,
            tiers=session.tiers,
            r=res,
            tables=_result_tables(res),
            charts=list(charts.CHARTS),
            what_if=session.what_if,
            previous=previous,
            categories=_categories(res),
        )

    async def chart(request: Request) -> Response:
        found = result_of(request)
        if isinstance(found, Response):
            return found
        _, res = found
        name = request.path_params["name"]
        if name not in charts.CHARTS:
            return error_page(
                request, found[0], "No such chart", "That chart does not exist.", 404, back="/result"
            )
        fig = await asyncio.to_thread(charts.CHARTS[name], res)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return Response(buffer.getvalue(), media_type="image/png")

    async def result_form(request: Request) -> tuple[Session, lm3.LM3Result, Any] | Response:
        """A form posted from the result page: its session, the result and the checked form."""
        found = result_of(request)
        if isinstance(found, Response):
            return found
        session, res = found
        form = await checked_form(request, session)
        return refused(request, session) if form is None else (session, res, form)

    async def what_if(request: Request) -> Response:
        posted = await result_form(request)
        if isinstance(posted, Response):
            return posted
        session, res, form = posted
        share = str(form.get("share", "")).strip()
        category = str(form.get("category", "")).strip()
        shift = f"share={share}" + (f",category={category}" if category else "")
        try:
            session.what_if = res.scenarios([shift]).to_dict("records")
        except lm3.LM3Error as err:
            return error_page(
                request,
                session,
                "That what-if could not be worked out",
                str(err),
                400,
                back="/result#what-if",
            )
        return go("/result#what-if")

    async def place_more(request: Request) -> Response:
        posted = await result_form(request)
        if isinstance(posted, Response):
            return posted
        session, _, form = posted
        item = form.get("template")
        if not isinstance(item, UploadFile) or not item.filename:
            return error_page(
                request,
                session,
                "No file chosen",
                "Choose the filled-in template to upload.",
                400,
                back="/result#place-more",
            )
        suffix = Path(item.filename).suffix.lower()
        if suffix not in SUFFIXES["suppliers"]:
            return error_page(
                request,
                session,
                "Not a spreadsheet",
                "Upload the template as .xlsx or .csv.",
                400,
                back="/result#place-more",
            )
        session.add("suppliers", Path(item.filename).name, await item.read(), suffix)
        await form.close()
        start_job(session)
        return go("/progress")

    async def download_file(request: Request) -> Response:
        found = result_of(request)
        if isinstance(found, Response):
            return found
        session, res = found
        name = request.path_params["name"]
        folder = session.folder / "out"
        folder.mkdir(exist_ok=True)
        try:
            if name in ("report.xlsx", "report.html", "result.json"):
                fmt = name.split(".")[-1]
                files = await asyncio.to_thread(lm3.write_report, res, folder, formats=fmt)
                path = {"xlsx": files.xlsx, "html": files.html, "json": files.json}[fmt]
            elif name == "suppliers-to-place.xlsx":
                path = folder / name
                await asyncio.to_thread(supplier_template, session, path)
            elif name in ("supplier-survey.xlsx", "staff-survey.xlsx"):
                path = folder / name
                group = "suppliers" if name.startswith("supplier") else "staff"
                await asyncio.to_thread(lm3.write_survey_template, group, path, area=res.area, name=res.name)
            else:
                return error_page(
                    request, session, "No such download", "That file does not exist.", 404, back="/result"
                )
        except lm3.LM3Error as err:
            return error_page(request, session, "The file could not be made", str(err), 400, back="/result")
        assert path is not None
        kinds = {
            ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".html": "text/html",
            ".json": "application/json",
        }
        return download(path, name, kinds[path.suffix])

    def supplier_template(session: Session, path: Path) -> None:
        args = arguments(session)
        located = lm3.locate(
            read_payments(session),
            read_register(session),
            area=args["area"],
            branch_is_local=args["branch_is_local"],
            exclude=args["exclude"],
            registers=held,
        )
        lm3.write_supplier_template(located, path)

    # -- the register store --------------------------------------------------------------------------------

    async def registers_page(request: Request) -> Response:
        session = current(request) or store.new()
        response = page(
            request,
            "registers.html",
            session,
            registers=held.registers(),
            known=lm3.registers.known().to_dict("records"),
            errors={},
            max_mb=max_upload_mb,
        )
        return remember(response, session)

    def registers_job(
        session: Session, title: str, work: Callable[[Callable[[str, int, int], None]], Any]
    ) -> None:
        """Adding a register on a thread, with the progress page; then back to the Registers page."""
        job = Job(title=title, next="/registers")
        session.job = job

        def run() -> None:
            try:
                work(job.progress)
                session.read.pop("placing", None)  # what the store places has changed
            except lm3.LM3Error as err:
                job.error = err
            except OSError as err:  # the disk, mostly: said, never a page that waits for ever
                job.error = lm3.InputError(f"The register could not be added: {err.strerror or err}.")
            finally:
                job.finished = True

        threading.Thread(target=run, daemon=True).start()

    async def registers_add(request: Request) -> Response:
        session = current(request)
        form = await checked_form(request, session)
        if form is None or session is None:
            return refused(request, session)
        item = form.get("register")
        if not isinstance(item, UploadFile) or not item.filename:
            await form.close()
            return page(
                request,
                "registers.html",
                session,
                400,
                registers=held.registers(),
                known=lm3.registers.known().to_dict("records"),
                errors={"register": "Choose the register's bulk file (CSV, Excel, JSON or a ZIP of them)."},
                max_mb=max_upload_mb,
            )
        shown = Path(item.filename).name
        suffix = Path(shown).suffix.lower() or ".csv"
        saved = session.folder / f"register-upload{suffix}"
        saved.write_bytes(await item.read())
        await form.close()

        def work(progress: Callable[[str, int, int], None]) -> None:
            try:
                named = saved.with_name(_safe_name(shown))  # the name tells a register's date and kind
                saved.replace(named)
                lm3.registers.add(named, registers=held, progress=progress)
            finally:
                for leftover in session.folder.glob("register-upload*"):
                    leftover.unlink(missing_ok=True)

        registers_job(session, f"Adding {shown}", work)
        return go("/progress", session)

    async def registers_download(request: Request) -> Response:
        session = current(request)
        form = await checked_form(request, session)
        if form is None or session is None:
            return refused(request, session)
        name = str(form.get("name", "")).strip()
        url = str(form.get("url", "")).strip() or None
        await form.close()

        def work(progress: Callable[[str, int, int], None]) -> None:
            lm3.registers.download(name, registers=held, url=url, progress=progress)

        registers_job(session, f"Downloading {name}", work)
        return go("/progress", session)

    async def http_error(request: Request, exc: Exception) -> Response:
        """Any other refusal (too many files in one form, a method not allowed) as a page."""
        status = getattr(exc, "status_code", 400)
        detail = str(getattr(exc, "detail", "")) or "The request could not be handled."
        return error_page(request, current(request), "This could not be done", detail, status, back="/")

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_page(
            request, current(request), "Page not found", "There is no page at this address.", 404, back="/"
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        store.close()  # the server is stopping: every session's files go

    routes = [
        Route("/", start),
        Route("/sample", sample, methods=["POST"]),
        Route("/delete", delete, methods=["POST"]),
        Route("/upload", upload, methods=["GET", "POST"]),
        Route("/check", check, methods=["GET", "POST"]),
        Route("/check/rejected-rows.csv", rejected_csv),
        Route("/check/suppliers-to-place.xlsx", check_template),
        Route("/registers", registers_page, methods=["GET"]),
        Route("/registers/add", registers_add, methods=["POST"]),
        Route("/registers/download", registers_download, methods=["POST"]),
        Route("/area", area, methods=["GET", "POST"]),
        Route("/progress", progress),
        Route("/progress/events", events),
        Route("/result", result),
        Route("/result/charts/{name}.png", chart),
        Route("/result/what-if", what_if, methods=["POST"]),
        Route("/result/place-more", place_more, methods=["POST"]),
        Route("/download/{name}", download_file),
        Mount("/static", StaticFiles(packages=[("lm3.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)),
            Middleware(Guard, max_bytes=max_upload_mb * 2**20),
        ],
        exception_handlers={404: not_found, HTTPException: http_error},
        lifespan=lifespan,
    )
    app.state.store = store
    return app


def form_token(session: Session, action: str) -> str:
    """The token of one form of one session: an HMAC of the form's action under the session's secret, so a
    token taken from one form (or another browser) is refused by every other."""
    return hmac.new(session.secret.encode(), action.encode(), hashlib.sha256).hexdigest()


def download(path: Path, name: str, media: str) -> Response:
    """A file the server made, under the name the server gives it."""
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


# -- what the check and result pages show -----------------------------------------------------------------


def _choice_rows(table: Any, kind: str, session: Session) -> list[dict[str, Any]]:
    """Each field the reader knows: the column it read it from (or none), and why."""
    rows = []
    for f, header in table.columns.items():
        choice = table.choices.get(f)
        if f in session.columns.get(kind, {}):
            why = "set by you"
        elif choice is not None and getattr(choice, "reasons", None):
            why = "; ".join(str(r) for r in choice.reasons)
        elif f in table.chosen_by:
            why = table.chosen_by[f]
        elif header:
            why = "by its header"
        else:
            why = "no column found (optional)"
        rows.append(
            {"field": f, "name": field_name(f), "header": header, "why": why, "headers": table.headers}
        )
    return rows


def _payments_section(payments: lm3.IngestResult, session: Session) -> dict[str, Any]:
    data = payments.data
    shown = [c for c in ("row", "supplier", "amount", "date", "category") if c in data.columns]
    preview = data[shown].head(PREVIEW_ROWS).copy()
    if "supplier" in preview:  # a redacted payee stays redacted, and a person is never named
        hidden = lm3.names_of_people(preview["supplier"])
        if "supplier_class" in data.columns:
            hidden |= data["supplier_class"].head(PREVIEW_ROWS) != "named"
        preview["supplier"] = preview["supplier"].astype("object").where(~hidden, "(a person: not shown)")
    if "amount" in preview:
        preview["amount"] = preview["amount"].map(lambda p: lm3.format_gbp(int(p)))
    if "date" in preview and pd.api.types.is_datetime64_any_dtype(preview["date"]):
        preview["date"] = preview["date"].dt.strftime("%d %b %Y")
    files = payments.files or (payments,)
    return {
        "kind": "payments",
        "title": "Payments",
        "files": [u.shown for u in session.files("payments")],
        "columns": _choice_rows(payments, "payments", session),
        "preview": preview.astype("object").where(preview.notna(), "").to_dict("records"),
        "preview_columns": shown,
        "accepted": payments.rows_accepted,
        "rejected": payments.rows_rejected,
        "rejected_rows": payments.rejected.head(20)
        .astype("object")
        .where(payments.rejected.head(20).notna(), "")
        .to_dict("records"),
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


def _register_section(register: Any, session: Session) -> dict[str, Any]:
    data = register.data
    shown = [c for c in ("row", "supplier", "postcode", "head_office_postcode", "type") if c in data.columns]
    shown = [c for c in shown if c in ("row", "supplier", "postcode") or data[c].notna().any()]
    preview = data[shown].head(PREVIEW_ROWS).astype("object")
    if "supplier" in preview:  # a sole trader named as a person is never shown
        hidden = lm3.names_of_people(preview["supplier"])
        preview["supplier"] = preview["supplier"].where(~hidden, "(a person: not shown)")
    return {
        "kind": "suppliers",
        "title": "Supplier register",
        "files": [u.shown for u in session.files("suppliers")],
        "columns": _choice_rows(register, "suppliers", session),
        "preview": preview.where(preview.notna(), "").to_dict("records"),
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
        "problems": problems.head(50).astype("object").where(problems.head(50).notna(), "").to_dict("records")
        if isinstance(problems, pd.DataFrame)
        else [],
    }


def _safe_name(shown: str) -> str:
    """An uploaded register's name as the server keeps it: letters, digits, dots and dashes only (its date
    and kind stay readable: "BasicCompanyDataAsOneFile-2025-11-01.zip")."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", shown).strip(".-") or "register.csv"
    return "register-" + cleaned


def _placing_section(located: lm3.LocateResult) -> dict[str, Any]:
    """Where the suppliers are placed from, and why the rest are not, for the check page."""
    return {
        "suppliers": len(located.suppliers),
        "by_source": located.by_source().to_dict("records"),
        "reasons": located.not_placed_by_reason().to_dict("records"),
        "coverage": located.coverage,
    }


def _result_tables(res: lm3.LM3Result) -> dict[str, Any]:
    suppliers = res.suppliers
    person = suppliers["type"] == "individual or redacted"  # never named in a page: counted, not listed
    unplaced = suppliers[(suppliers["location"] == "unknown") & ~person]
    unplaced = unplaced.sort_values("round1", ascending=False).head(25)
    leak = charts.leakage_table(res)
    leak = leak[~leak["supplier"].isin(suppliers.loc[person, "supplier"])].head(15)
    return {
        "rounds": [
            ("Round 1: spent", res.round1),
            ("Round 2: spent locally", res.round2),
            ("Round 3: re-spent locally", res.round3),
        ],
        "leakage": leak.to_dict("records"),
        "unplaced": unplaced[["supplier", "round1"]].to_dict("records"),
        "unplaced_count": int((suppliers["location"] == "unknown").sum()),
        "by_source": res.by_source().to_dict("records"),
        "reasons": res.not_placed_by_reason().to_dict("records"),
        "responses": res.responses_table().to_dict("records"),
        "assumptions": [(a.name, a.value, a.source) for a in res.assumptions],
        "sensitivity": res.sensitivity.to_dict("records") if res.sensitivity is not None else [],
        "warnings": [str(w) for w in res.warnings],
    }


def _lines(text: str) -> list[str]:
    """The non-blank lines of a text box."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _categories(res: lm3.LM3Result) -> list[str]:
    """The expense categories a what-if can move spend out of (those the payments name)."""
    if res.detail is None or "category" not in res.detail.categories.columns:
        return []
    return sorted({str(c) for c in res.detail.categories["category"].dropna() if str(c).strip()})
