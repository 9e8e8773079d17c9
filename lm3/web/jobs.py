"""What the web app reads and works out for a session, and the long jobs that do it on the app's executor
(reading the files, the calculation, adding a register), each reporting its progress to the progress page.

What is read is kept in the session (``Session.cached``): the check page, the calculation and the
downloads use the same reading, and the placing is worked out once for the check page and the list of
suppliers to place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import lm3
from lm3.web.forms import AreaForm, study_arguments
from lm3.web.site import Site
from lm3.web.store import Job, Session, Superseded

Progress = Callable[[str, int, int], None]


def read_payments(site: Site, session: Session, progress: Progress | None = None) -> lm3.IngestResult:
    """The payments as lm3 reads them, with the columns the person chose; more rows than the server takes is
    an error saying what to do."""
    columns, sheet = session.columns.get("payments") or None, session.sheet
    read: lm3.IngestResult = session.cached(
        "payments",
        (columns, sheet),
        lambda: lm3.ingest(session.need("payments"), columns=columns, sheet=sheet, progress=progress),
    )
    rows = read.rows_accepted + read.rows_rejected
    if rows > site.max_rows:
        raise lm3.InputError(
            f"The payments hold {rows:,} rows: this server reads up to {site.max_rows:,} at once. Upload fewer "
            "months at a time, or run lm3 calculate on this computer.",
            code="too-many-rows",
        )
    return read


def read_register(session: Session) -> lm3.types.Table | None:
    """The supplier registers uploaded, read once; None when there are none (the spend file, the register
    store and lm3's public bodies place the suppliers then)."""
    if not session.files("suppliers"):
        return None
    columns = session.columns.get("suppliers") or None
    register: lm3.types.Table = session.cached(
        "suppliers", columns, lambda: lm3.read_registers(session.need("suppliers"), columns=columns)
    )
    return register


def placing(site: Site, session: Session) -> lm3.LocateResult:
    """Where the suppliers are placed from (placing does not depend on the area, so before one is chosen the
    UK stands in): for the check page, and the list of suppliers to place. Worked out once for these files,
    columns, options and registers."""
    args = AreaForm(session.options).arguments()
    area = args["area"] or "UK"
    key = (
        session.columns.get("payments"),
        session.sheet,
        session.columns.get("suppliers"),
        area,
        args["branch_is_local"],
        args["match_threshold"],
        args["exclude"],
        [str(u.path) for u in session.uploads if u.kind in ("payments", "suppliers")],
        [(r.name, r.added) for r in site.registers.registers()],  # a register added places anew
    )
    return cast(
        "lm3.LocateResult",
        session.cached(
            "placing",
            key,
            lambda: lm3.locate(
                read_payments(site, session),
                read_register(session),
                area=area,
                branch_is_local=args["branch_is_local"],
                match_threshold=args["match_threshold"],
                exclude=args["exclude"],
                registers=site.registers,
            ),
        ),
    )


def start_reading(site: Site, session: Session, next_page: str = "/check") -> None:
    """Read the payments and the register, with a progress bar, then show ``next_page`` (the check page,
    which finds them read). A file that cannot be read is said on the check page itself."""
    job = Job(title="Reading your files", next=next_page)
    session.start(job)

    def run() -> None:
        try:
            job.progress("starting", 0, 1)  # a job superseded before it started stops here
            read_payments(site, session, progress=job.progress)
            if session.files("suppliers"):
                job.progress("reading the supplier register", job.total, job.total)
                read_register(session)
        except (lm3.LM3Error, Superseded):
            pass  # the check page reads again, and says what is wrong, file by file
        finally:
            job.finished = True

    site.run(run)


def start_calculation(site: Site, session: Session) -> None:
    """Calculate the session's study (with its spend by tier, when tiers were named); the result is shown
    only if no file came in meanwhile."""
    job = Job()
    session.start(job, keep_result=False)
    args = study_arguments(session)
    uploads = session.counter  # files uploaded so far: a result of older files is never shown as new

    def run() -> None:
        try:
            job.progress("starting", 0, 1)  # a job superseded before it started stops here
            # the files as the check page read them (read now if it was not shown): never read twice
            payments, register = read_payments(site, session), read_register(session)
            result = lm3.calculate(
                payments, register, progress=job.progress, registers=site.registers, **args
            )
            job.result = result
            tiers = None if result.tiers is None else result.tiers.to_dict("records")
            session.finish(job, uploads, result, tiers)
        except lm3.LM3Error as err:
            job.error = err
        except Superseded:
            pass  # a newer calculation of the session took its place
        finally:
            job.finished = True

    site.run(run)


def start_register_job(site: Site, session: Session, title: str, work: Callable[[Progress], Any]) -> None:
    """Add a register to the store (``work``, given the progress), then go back to the Registers page."""
    job = Job(title=title, next="/registers", stoppable=False)
    session.start(job)

    def run() -> None:
        try:
            work(job.progress)
            session.forget("placing")  # what the store places has changed
        except lm3.LM3Error as err:
            job.error = err
        except OSError as err:  # the disk, mostly: said, never a page that waits for ever
            job.error = lm3.InputError(f"The register could not be added: {err.strerror or err}.")
        finally:
            job.finished = True

    site.run(run)
