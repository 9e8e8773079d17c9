"""The start page, the sample, and "Delete my data"."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3.web.guards import with_form
from lm3.web.security import forget
from lm3.web.site import Site, go, site_of
from lm3.web.store import Session

SAMPLE_KINDS = ("payments", "suppliers", "payroll", "supplier_survey", "staff_survey")


async def start(request: Request) -> Response:
    """The start page; a browser without a session is given one."""
    site = site_of(request)
    session = site.current(request) or site.store.new()
    return site.page(  # a page carries the session's cookie
        request,
        "start.html",
        session,
        deleted=request.query_params.get("deleted") == "1",
        sample=site.sample.is_dir(),
        minutes=int(site.store.idle_seconds // 60),
    )


@with_form
async def sample(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Load the bundled sample in place of any upload (and of the columns chosen for one)."""
    if not site.sample.is_dir():
        return site.error(request, session, "No sample here", "This install of lm3 has no sample.", 404)
    project = lm3.load_project(site.sample)
    session.clear()
    for kind in SAMPLE_KINDS:
        value = getattr(project, kind)
        for path in value if isinstance(value, tuple) else (value,) if value else ():
            session.add(kind, path.name, path.read_bytes(), path.suffix.lower())
    area = project.area if isinstance(project.area, str) else ", ".join(project.area or ())
    session.options = {"area": area, "name": project.name or ""}
    site.store.renew(session)  # files arrived: a new id, so an id planted before now sees none of them
    return go("/check", session)


@with_form
async def delete(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Delete the session and its files, and the cookie."""
    site.store.delete(session.id)
    return forget(go("/?deleted=1"), session)
