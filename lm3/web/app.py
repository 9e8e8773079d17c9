"""The web app: upload, check, see, download. Server-rendered pages on the public API only (``lm3``,
``lm3.charts``), one thing per page, real URLs; see the README's "The web app" section.

``web_app`` assembles it: the pages (``lm3.web.views``, each behind its guard in ``lm3.web.guards``), the
security around them (``lm3.web.security``: the Host check, headers, the upload limit, form tokens), and the
state they share (``lm3.web.site``: sessions, the register store, the executor the long jobs run on).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3.web.security import COOKIE, Guard, form_token
from lm3.web.site import DEFAULT_MAX_UPLOAD_MB, MAX_ROWS, SAMPLE, Site, site_of
from lm3.web.store import Store, sweep
from lm3.web.views import routes

__all__ = ["DEFAULT_MAX_UPLOAD_MB", "MAX_ROWS", "SAMPLE", "form_token", "web_app"]


EXPIRE_SECONDS = 60.0  # how often idle sessions are looked for, whether or not requests arrive


async def _expire_every(store: Store, seconds: float) -> None:
    """Delete idle sessions' files every ``seconds``, so payroll uploaded to an idle server does not stay."""
    while True:
        await asyncio.sleep(seconds)
        await asyncio.to_thread(store.expire)


def web_app(
    *,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1"),
    idle_minutes: float = 60,
    max_rows: int = MAX_ROWS,
    store: Store | None = None,
    registers: str | Path | lm3.RegisterStore | None = None,
    cookie: str = COOKIE,
) -> Starlette:
    """The web app as an ASGI application. ``hosts``: the Host names it answers to; ``idle_minutes``: a
    session's files are deleted after this long without a request; ``max_rows``: payment rows read from one
    upload; ``registers``: the register store it places suppliers from and lists on its Registers page
    (default: the user's own); ``cookie``: the session cookie's name (``lm3 serve`` names it by its port, so
    two servers on one computer keep their own). An IPv6 host is also answered to in brackets ("[::1]", as
    a browser sends it)."""
    hosts = tuple(dict.fromkeys(h for x in hosts for h in (x, f"[{x}]" if ":" in x and "[" not in x else x)))
    site = Site(
        store=store or Store(idle_minutes, cookie=cookie),
        registers=lm3.registers.store(registers),
        max_upload_mb=max_upload_mb,
        max_rows=max_rows,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await asyncio.to_thread(sweep)  # what a killed server left behind goes before anything comes in
        expiring = asyncio.create_task(_expire_every(site.store, EXPIRE_SECONDS))
        try:
            yield
        finally:
            expiring.cancel()
            site.close()  # the server is stopping: jobs waiting are cancelled, every session's files go

    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(hosts)),
            Middleware(Guard, max_bytes=max_upload_mb * 2**20, refusal=site.too_large),
        ],
        exception_handlers={404: _not_found, HTTPException: _refusal},
        lifespan=lifespan,
    )
    app.state.site = site
    app.state.store = site.store
    return app


async def _refusal(request: Request, exc: Exception) -> Response:
    """Any other refusal (too many files in one form, a method not allowed) as a page."""
    site = site_of(request)
    status = getattr(exc, "status_code", 400)
    detail = str(getattr(exc, "detail", "")) or "The request could not be handled."
    return site.error(request, site.current(request), "This could not be done", detail, status)


async def _not_found(request: Request, exc: Exception) -> Response:
    site = site_of(request)
    return site.error(
        request, site.current(request), "Page not found", "There is no page at this address.", 404
    )
