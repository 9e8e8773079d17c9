"""The upload page: the payments (and any register, payroll, surveys or previous result)."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from lm3.web.forms import uploads
from lm3.web.guards import with_form, with_session
from lm3.web.jobs import start_reading
from lm3.web.site import Site, go
from lm3.web.store import KINDS, SEVERAL, Session


def _page(
    request: Request, site: Site, session: Session, errors: dict[str, str], status: int = 200
) -> Response:
    return site.page(request, "upload.html", session, status, kinds=KINDS, several=SEVERAL, errors=errors)


@with_session
async def show(request: Request, site: Site, session: Session) -> Response:
    return _page(request, site, session, {})


@with_form
async def receive(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Keep the files sent (each kind replacing the last of its kind) and read them, unless one cannot be
    taken or there are no payments."""
    received, errors = await uploads(form)
    if errors:
        return _page(request, site, session, errors, 400)
    try:
        session.replace(received)
    except OSError as err:  # the disk is full, mostly: said, never a bare 500
        return site.error(
            request,
            session,
            "The files could not be kept",
            f"The server could not store the files ({err.strerror or err}). Free some disk space on the "
            "computer running lm3 (its temporary folder), then upload them again.",
            507,
            back="/upload",
        )
    if received:
        site.store.renew(session)  # files arrived: a new id, so an id planted before now sees none of them
    if not session.files("payments"):
        errors["payments"] = "Choose the payments file (or files): the spend to measure."
        return _page(request, site, session, errors, 400)
    start_reading(site, session)
    return go("/progress", session)
