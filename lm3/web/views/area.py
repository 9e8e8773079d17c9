"""The area page: the local area, the wider areas to compare, and the method's choices; then calculate."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from lm3.web.forms import AreaForm
from lm3.web.guards import with_form, with_session
from lm3.web.jobs import start_calculation
from lm3.web.site import Site, go
from lm3.web.store import Session


def _page(request: Request, site: Site, session: Session, form: AreaForm, status: int = 200) -> Response:
    return site.page(
        request,
        "area.html",
        session,
        status,
        names=site.area_names,
        fields=form.fields,
        options=form.values,
        errors=form.errors,
    )


@with_session
async def show(request: Request, site: Site, session: Session) -> Response:
    return _page(request, site, session, AreaForm(session.options))


@with_form
async def choose(request: Request, site: Site, session: Session, form: FormData) -> Response:
    """Keep the options and calculate when they are right; else the page again, as typed, saying what is
    wrong with each."""
    chosen: AreaForm = AreaForm.posted(form)
    if chosen.errors:
        return _page(request, site, session, chosen, 400)
    session.options = chosen.values
    if not session.files("payments"):
        return go("/upload")
    start_calculation(site, session)
    return go("/progress")
