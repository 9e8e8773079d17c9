"""What every page of the web app shares: its settings, the sessions, the register store, the executor its
long jobs run on, and the way a page is drawn (Jinja with GOV.UK Frontend's macros, every value made
inert). The views reach it as ``request.app.state.site``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

import lm3
from lm3.web.security import form_token, remember
from lm3.web.store import Session, Store

SAMPLE = lm3.sample()  # shipped inside the package: the button works after any install
DEFAULT_MAX_UPLOAD_MB = 200
MAX_ROWS = 5_000_000  # payment rows read from one upload
JOBS = 2  # jobs (readings, calculations) running at once: the rest wait their turn
NAMES = {
    "supplier": "Supplier name",
    "amount": "Amount paid",
    "vcse": "VCSE",
    "sme": "SME",
    "vat_number": "VAT number",
    "capital_revenue": "Capital or revenue",
    "urn": "URN (schools)",
    "ods_code": "ODS code (NHS)",
    "org_id": "Org-id",
}


def field_name(field: str) -> str:
    """A field as a page names it: "expense_type" -> "Expense type"."""
    return NAMES.get(field, field.replace("_", " ").capitalize())


NUMERIC = {"int", "gbp", "pct", "number", "decimal"}


def table_params(
    caption: str,
    columns: list[tuple[str, str, str]],
    rows: list[Any],
    *,
    size: str = "s",
    first_is_header: bool = False,
    shown: Any = str,
    attributes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The parameters of GOV.UK Frontend's ``govukTable`` for rows of data: ``columns`` are (key, header,
    kind), kind one of "text", "file" (a file's name as the person gave it: ``shown``), "int", "gbp" (pence),
    "pct" (a share), "decimal" (two places), "number"; numbers right-aligned. Every cell is text (escaped by Jinja), never markup."""

    def cell(value: Any, kind: str) -> dict[str, Any]:
        if value is None or (isinstance(value, float) and value != value):
            text = ""
        elif kind == "int":
            text = f"{int(value):,}"
        elif kind == "gbp":
            text = lm3.format_gbp(int(value))
        elif kind == "pct":
            text = f"{float(value) * 100:.1f}%"
        elif kind == "decimal" and isinstance(value, int | float):
            text = f"{float(value):.2f}"
        elif kind == "file":
            text = shown(str(value))
        else:
            text = str(value)
        return {"text": text, **({"format": "numeric"} if kind in NUMERIC else {})}

    def get(row: Any, key: str) -> Any:
        return row[key] if isinstance(row, dict) else getattr(row, key)

    return {
        "caption": caption,
        "attributes": attributes or {},
        "captionClasses": f"govuk-table__caption--{size}",
        "firstCellIsHeader": first_is_header,
        "head": [
            {"text": header, **({"format": "numeric"} if kind in NUMERIC else {})}
            for _, header, kind in columns
        ],
        "rows": [[cell(get(row, key), kind) for key, _, kind in columns] for row in rows],
    }


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
    env.globals["table_params"] = table_params
    env.filters["preview_column"] = lambda c: (c, field_name(c), "text")
    env.filters["column_item"] = lambda header: {"value": header, "text": header}
    env.globals["column_items"] = lambda c: [
        {"value": "", "text": f"{c['header']} (as found)" if c["header"] else "(none)"},
        *({"value": h, "text": h} for h in c["headers"] if h != c["header"]),
    ]
    env.globals["radio_items"] = lambda f, value: [
        {"value": posted, "text": _choice_text(f, posted), "checked": posted == value}
        for posted, _ in f.choices
    ]
    env.globals["errors_list"] = lambda errors: [
        {"text": text, "href": f"#{field}"} for field, text in errors.items()
    ]
    return env


def _inert(value: Any) -> Any:
    """Every value a page shows, made inert: text from an input file (a supplier's name) with its control
    characters and bidi overrides shown as escapes (``lm3.frontend.visible_text``), then escaped as HTML by Jinja;
    markup the templates' own macros made is left as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return lm3.frontend.visible_text(value)
    return value


@dataclass
class Site:
    """The web app's settings and shared state."""

    store: Store
    registers: lm3.RegisterStore
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB
    max_rows: int = MAX_ROWS
    sample: Path = SAMPLE
    env: Environment = field(default_factory=environment)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=JOBS, thread_name_prefix="lm3-web-job")
    )
    area_names: list[str] = field(default_factory=lambda: list(lm3.frontend.area_names()))

    def run(self, work: Callable[[], None]) -> Future[None]:
        """Run a job's work on the app's executor (shut down with the app)."""
        return self.executor.submit(work)

    def close(self) -> None:
        """The server is stopping: jobs not started are cancelled, and every session's files go."""
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.store.close()

    # -- sessions ----------------------------------------------------------------------------------------

    def current(self, request: Request) -> Session | None:
        return self.store.get(request.cookies.get(self.store.cookie))

    # -- pages -------------------------------------------------------------------------------------------

    def render(self, template: str, session: Session | None, path: str = "/", **context: Any) -> str:
        return self.env.get_template(template).render(
            session=session,
            csrf=(lambda action: form_token(session, action)) if session else (lambda action: ""),
            path=path,
            shown=(lambda text: web_words(session.as_shown(text))) if session else web_words,
            **context,
        )

    def page(
        self, request: Request, template: str, session: Session | None, status: int = 200, **context: Any
    ) -> Response:
        html = self.render(template, session, request.url.path, **context)
        response = HTMLResponse(html, status_code=status)
        # every page carries the session's cookie: its id is renewed when files arrive (session fixation)
        return remember(response, session) if session is not None else response

    def error(
        self, request: Request, session: Session | None, title: str, message: str, status: int, **more: Any
    ) -> Response:
        more.setdefault("back", "/")
        return self.page(request, "error.html", session, status, title=title, message=message, **more)

    def too_large(self) -> Response:
        """The page for a request over the upload limit."""
        html = self.render(
            "error.html",
            None,
            title="The files are too large",
            message=f"This server takes up to {self.max_upload_mb:,} MB at once. Upload fewer files at a time, "
            "or start the app with a larger limit (lm3 serve --max-upload-mb).",
            back="/upload",
        )
        return HTMLResponse(html, status_code=413)

    def refused(self, request: Request, session: Session | None) -> Response:
        return self.error(
            request,
            session,
            "This form could not be accepted",
            "The form came from somewhere else, or from a page of an earlier visit. Go back, reload the page "
            "and try again.",
            403,
        )

    def nothing_here(self, request: Request) -> Response:
        return self.error(
            request,
            None,
            "Nothing here",
            "There is no data for this browser: it was deleted, or it timed out. Start again.",
            404,
        )


def go(url: str, session: Session | None = None) -> Response:
    """A redirect to ``url`` (303: the browser GETs it), setting the session's cookie when given."""
    response = RedirectResponse(url, status_code=303)
    return remember(response, session) if session is not None else response


def site_of(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


_PAGES = {"inputs": "upload", "reading": "check", "study": "area", "placing": "area", "method": "area"}
_OPTION_NAMES = re.compile(
    r"\(("
    + "|".join(sorted((re.escape(o.name) for o in lm3.options.declared()), key=len, reverse=True))
    + r")([,)])"
)


def web_words(text: str) -> str:
    """lm3's words for a person at a terminal or in Python, as the web page says them: an option named in
    brackets ("say which columns to read (columns)") is named as the page shows it, and where."""

    def said(m: re.Match[str]) -> str:
        option = lm3.options.option(m.group(1))
        return f"({option.label!r}, on the {_PAGES.get(option.group, 'area')} page{m.group(2)}"

    return _OPTION_NAMES.sub(said, text)


def _choice_text(field: Any, posted: str) -> str:
    """A radio's words: the option's own words for the choice (``Option.choice_text``), else the choice."""
    option = getattr(field, "option", None)
    if option is not None and option.choice_text and posted in option.choices:
        return str(option.choice_text[option.choices.index(posted)])
    return posted.capitalize()
