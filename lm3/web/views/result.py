"""The result page: the figure, its rounds and coverage, charts, leakage, what-ifs, placing more suppliers,
and the downloads (report, workbook, JSON, survey forms, the suppliers to place)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

import lm3
from lm3 import charts
from lm3.web.forms import WhatIfForm, one_file
from lm3.web.guards import with_result, with_result_form
from lm3.web.jobs import placing, start_calculation
from lm3.web.site import Site, go, table_params
from lm3.web.store import SUFFIXES, Session
from lm3.web.views.files import download as send

REPORTS = ("report.xlsx", "report.html", "result.json")
SURVEYS = {"supplier-survey.xlsx": "suppliers", "staff-survey.xlsx": "staff"}


@with_result
async def show(request: Request, site: Site, session: Session, res: lm3.LM3Result) -> Response:
    categories = _categories(res)
    return site.page(
        request,
        "result.html",
        session,
        tiers=_tiers_table(session.tiers, res.share_kind),
        r=res,
        tables=_result_tables(res),
        charts=list(charts.CHARTS),
        what_if=_what_if_table(session.what_if),
        previous=_previous_table(compared := _previous(session, res)),
        not_comparable=compared.differences if isinstance(compared, lm3.types.Comparison) else (),
        categories=categories,
        category_items=[{"value": c, "text": c} for c in categories],
    )


@with_result
async def chart(request: Request, site: Site, session: Session, res: lm3.LM3Result) -> Response:
    """One chart as PNG, drawn and encoded off the event loop."""
    name = request.path_params["name"]
    if name not in charts.CHARTS:
        return site.error(
            request, session, "No such chart", "That chart does not exist.", 404, back="/result"
        )
    return Response(await asyncio.to_thread(_png, name, res), media_type="image/png")


@with_result_form
async def what_if(
    request: Request, site: Site, session: Session, res: lm3.LM3Result, form: FormData
) -> Response:
    asked: WhatIfForm = WhatIfForm.posted(form)
    try:
        session.what_if = res.scenarios([asked.shift()]).table.to_dict("records")
    except lm3.LM3Error as err:
        return site.error(
            request, session, "That what-if could not be worked out", str(err), 400, back="/result#what-if"
        )
    return go("/result#what-if")


@with_result_form
async def place_more(
    request: Request, site: Site, session: Session, res: lm3.LM3Result, form: FormData
) -> Response:
    """The filled-in list of suppliers to place, added to the registers; then calculate again."""
    item = one_file(form, "template")
    back = "/result#place-more"
    if item is None or item.filename is None:
        return site.error(
            request, session, "No file chosen", "Choose the filled-in template to upload.", 400, back=back
        )
    suffix = Path(item.filename).suffix.lower()
    if suffix not in SUFFIXES["suppliers"]:
        return site.error(
            request, session, "Not a spreadsheet", "Upload the template as .xlsx or .csv.", 400, back=back
        )
    session.add("suppliers", Path(item.filename).name, await item.read(), suffix)
    start_calculation(site, session)
    return go("/progress")


@with_result
async def download(request: Request, site: Site, session: Session, res: lm3.LM3Result) -> Response:
    name = request.path_params["name"]
    if name not in (*REPORTS, *SURVEYS, "suppliers-to-place.xlsx"):
        return site.error(
            request, session, "No such download", "That file does not exist.", 404, back="/result"
        )
    folder = session.folder / "out"
    folder.mkdir(exist_ok=True)
    try:
        path = await asyncio.to_thread(_make, site, session, res, name, folder)
    except lm3.LM3Error as err:
        return site.error(request, session, "The file could not be made", str(err), 400, back="/result")
    return send(path, name)


def _make(site: Site, session: Session, res: lm3.LM3Result, name: str, folder: Path) -> Path:
    """Write one download into ``folder``; its path."""
    if name in REPORTS:
        fmt = name.rsplit(".", 1)[1]
        files = lm3.write_report(res, folder, formats=fmt)
        made = {"xlsx": files.xlsx, "html": files.html, "json": files.json}[fmt]
        assert made is not None  # the format asked for is written
        return made
    path = folder / name
    if name in SURVEYS:
        lm3.write_survey_template(SURVEYS[name], path, area=res.area, name=res.name)
    else:
        lm3.write_supplier_template(placing(site, session), path)
    return path


def _png(name: str, res: lm3.LM3Result) -> bytes:
    buffer = io.BytesIO()
    charts.CHARTS[name](res).savefig(buffer, format="png")
    return buffer.getvalue()


def _previous(session: Session, res: lm3.LM3Result) -> lm3.types.Comparison | str | None:
    """This result beside a previous one uploaded, or what is wrong with that file."""
    if not session.files("previous"):
        return None
    try:
        return lm3.compare([str(session.files("previous")[0].path), res])
    except lm3.LM3Error as err:
        return session.as_shown(str(err))


def _result_tables(res: lm3.LM3Result) -> dict[str, Any]:
    """The result page's tables, each as govukTable's parameters (every cell text), and its lists."""
    unknown = res.suppliers["location"] == "unknown"
    # the same rows report.html and the workbook show: never a person or a redacted payee by name
    unplaced = lm3.frontend.suppliers_to_place(res).head(25)
    leak = lm3.frontend.leakage_for_people(res).head(15)
    rounds = [
        {"name": name, "amount": pence, "per_pound": pence / res.round1}
        for name, pence in (
            ("Round 1: spent", res.round1),
            ("Round 2: spent locally", res.round2),
            ("Round 3: re-spent locally", res.round3),
            *((("Not placed (location unknown)", res.not_placed),) if res.not_placed else ()),
        )
    ]
    responses = lm3.frontend.survey_table(res).to_dict("records")  # as report.html and the workbook say it
    sensitivity = [
        {**s, "moves": f"{s['lm3_low']:.2f} to {s['lm3_high']:.2f}"}
        for s in (res.sensitivity.to_dict("records") if res.sensitivity is not None else [])
    ]
    reasons = res.not_placed_by_reason().to_dict("records")
    return {
        "rounds": table_params(
            "LM3 = (round 1 + round 2 + round 3) / round 1",
            [("name", "Round", "text"), ("amount", "£", "gbp"), ("per_pound", "Per £1", "decimal")],
            rounds,
            first_is_header=True,
        ),
        "leakage": table_params(
            "Spend leaving the area, largest first",
            [
                ("supplier", "Supplier", "text"),
                ("place", "Where it goes", "text"),
                ("lost", "Leaving the area", "gbp"),
            ],
            leak.to_dict("records"),
        )
        if len(leak)
        else None,
        "by_source": table_params(
            "Spend by where its place came from",
            [
                ("source", "Placed by", "text"),
                ("suppliers", "Suppliers", "int"),
                ("amount", "£", "gbp"),
                ("share", "Of the spend", "pct"),
            ],
            res.by_source().to_dict("records"),
            first_is_header=True,
        ),
        "reasons": table_params(
            "Not placed, and why",
            [("why", "Why", "text"), ("suppliers", "Suppliers", "int"), ("amount", "£", "gbp")],
            reasons,
            first_is_header=True,
        )
        if reasons
        else None,
        "unplaced": table_params(
            "The largest",
            [("supplier", "Supplier", "text"), ("round1", "Spend", "gbp")],
            unplaced.to_dict("records"),
        ),
        "unplaced_count": int(unknown.sum()),
        "responses": table_params(
            "Survey answers by group",
            [
                ("Group", "Group", "text"),
                ("Respondents", "Answered", "int"),
                ("Members", "Of", "int"),
                ("Round 2 covered", "Of round 2 £", "pct"),
                ("Non-respondents take", "Those who did not answer take", "text"),
            ],
            responses,
            first_is_header=True,
        ),
        "assumptions": table_params(
            "What the figure assumes, and where each assumption comes from",
            [("name", "Assumption", "text"), ("value", "Value", "text"), ("source", "Source", "text")],
            [{"name": a.name, "value": a.value, "source": a.source} for a in res.assumptions],
        ),
        "sensitivity": table_params(
            "How LM3 moves as each assumption moves",
            [
                ("assumption", "Assumption", "text"),
                ("low", "From", "text"),
                ("high", "To", "text"),
                ("moves", "LM3", "number"),
            ],
            sensitivity,
        )
        if sensitivity
        else None,
        "warnings": [str(w) for w in res.warnings],
    }


def _what_if_table(rows: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    if not rows:
        return None
    return table_params(
        "The figure now, and with the change",
        [
            ("scenario", "Scenario", "text"),
            ("moved", "Moved", "gbp"),
            ("lm3", "LM3", "decimal"),
            ("kept_locally", "Kept locally", "gbp"),
        ],
        rows,
        first_is_header=True,
        attributes={"id": "what-if-result"},
    )


def _previous_table(compared: lm3.types.Comparison | str | None) -> Any:
    """The comparison with a previous result (a table), or what is wrong with that file (its text)."""
    if compared is None or isinstance(compared, str):
        return compared
    table = compared.table
    previous = table.astype("object").where(table.notna(), None).to_dict("records")
    rows = [
        {
            **p,
            "label": f"{'Previous' if i == 0 else 'This result'}: {p['result']}",
            "lm3": "none" if p["lm3"] is None else p["lm3"],
            "rule": p["rule"] or "not stated (written by an older lm3)",
        }
        for i, p in enumerate(previous)
    ]
    return table_params(
        "This result beside the previous one",
        [
            ("label", "Result", "text"),
            ("lm3", "LM3", "decimal"),
            ("round1", "Round 1", "gbp"),
            ("coverage", "Coverage", "pct"),
            ("rule", "Rule", "text"),
        ],
        rows,
        first_is_header=True,
    )


def _tiers_table(tiers: Any, share_kind: str) -> dict[str, Any] | None:
    if not tiers:
        return None
    return table_params(
        "Placed spend within each area, each including the ones before it",
        [("name", "Area", "text"), ("amount", "£", "gbp"), ("share", f"Share {share_kind}", "pct")],
        tiers,
        first_is_header=True,
    )


def _categories(res: lm3.LM3Result) -> list[str]:
    """The expense categories a what-if can move spend out of (those the payments name)."""
    if res.detail is None or "category" not in res.detail.categories.columns:
        return []
    return sorted({str(c) for c in res.detail.categories["category"].dropna() if str(c).strip()})
