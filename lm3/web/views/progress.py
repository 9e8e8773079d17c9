"""The progress page of a running job, and its events (server-sent: step, done, total, finished)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pandas as pd
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from lm3.web.guards import with_session
from lm3.web.site import Site, go
from lm3.web.store import Job, Session

EVERY = 0.3  # seconds between events


@with_session
async def show(request: Request, site: Site, session: Session) -> Response:
    """The job's progress; when it is done, the page it leads to, or what stopped it."""
    job = session.job
    if job is None:
        return go("/area")
    if not job.finished:
        return site.page(request, "progress.html", session, job=job)
    if job.error is None:
        return go(job.next)
    problems = getattr(job.error, "problems", None)
    return site.error(
        request,
        session,
        "The calculation could not go ahead",
        str(job.error).split("\n")[0],
        400,
        back="/check",
        problems=problems.head(200).to_dict("records") if isinstance(problems, pd.DataFrame) else [],
    )


@with_session
async def events(request: Request, site: Site, session: Session) -> Response:
    return StreamingResponse(_stream(request, session.job), media_type="text/event-stream")


async def _stream(request: Request, job: Job | None) -> AsyncIterator[str]:
    while job is not None:
        data = {"step": job.step, "done": job.done, "total": job.total, "finished": job.finished}
        yield f"data: {json.dumps(data)}\n\n"
        if job.finished or await request.is_disconnected():
            break
        await asyncio.sleep(EVERY)
