"""What a view needs before it runs, as decorators: a session (else "Nothing here"), a form from this site
with its token (else refused), a result (else back to where one is made). A view gets what its guard found:

    @with_form
    async def delete(request: Request, site: Site, session: Session, form: FormData) -> Response: ...
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3.web.security import checked_form
from lm3.web.site import Site, go, site_of
from lm3.web.store import Session

Endpoint = Callable[[Request], Awaitable[Response]]


def with_session(view: Callable[[Request, Site, Session], Awaitable[Response]]) -> Endpoint:
    """The view runs with the browser's session; without one, the "Nothing here" page (404)."""

    @wraps(view)
    async def guarded(request: Request) -> Response:
        site = site_of(request)
        session = site.current(request)
        if session is None:
            return site.nothing_here(request)
        return await view(request, site, session)

    return guarded


def with_form(view: Callable[[Request, Site, Session, FormData], Awaitable[Response]]) -> Endpoint:
    """The view runs with the form posted, once it came from this site's own page with this session's token
    for this action; otherwise the form is refused (403). The form's files are closed after the view."""

    @wraps(view)
    async def guarded(request: Request) -> Response:
        site = site_of(request)
        session = site.current(request)
        form = await checked_form(request, session)
        if form is None or session is None:
            return site.refused(request, session)
        try:
            return await view(request, site, session, form)
        finally:
            await form.close()

    return guarded


def _found(site: Site, request: Request) -> tuple[Session, lm3.LM3Result] | Response:
    session = site.current(request)
    if session is None:
        return site.nothing_here(request)
    result = session.result
    if result is None:
        return go("/area" if session.files("payments") else "/upload")
    return session, result


def with_result(view: Callable[[Request, Site, Session, lm3.LM3Result], Awaitable[Response]]) -> Endpoint:
    """The view runs with the session's result; without one, on to the page that makes one."""

    @wraps(view)
    async def guarded(request: Request) -> Response:
        site = site_of(request)
        found = _found(site, request)
        if isinstance(found, Response):
            return found
        return await view(request, site, *found)

    return guarded


def with_result_form(
    view: Callable[[Request, Site, Session, lm3.LM3Result, FormData], Awaitable[Response]],
) -> Endpoint:
    """A form posted from the result page: the view runs with the result and the checked form."""

    @wraps(view)
    async def guarded(request: Request) -> Response:
        site = site_of(request)
        found = _found(site, request)
        if isinstance(found, Response):
            return found
        session, result = found
        form = await checked_form(request, session)
        if form is None:
            return site.refused(request, session)
        try:
            return await view(request, site, session, result, form)
        finally:
            await form.close()

    return guarded
