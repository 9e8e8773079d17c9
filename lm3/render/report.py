"""``lm3 report``: an LM3 result as the files people use: report.html, report.xlsx, charts, JSON.

- **report.html**: one self-contained file (charts embedded as images, no scripts, nothing fetched): the
  headline, the method in plain words, the rounds, charts, survey coverage, sensitivity, scenarios,
  assumptions with sources, data quality, and tables of suppliers, leakage and staff. Every text that came
  from an input is HTML-escaped.
- **report.xlsx**: sheets Summary, Rounds, Suppliers, Leakage, Staff (aggregates only), Assumptions and
  Data quality; £ formats, frozen headers, filters, column widths; values, never formulas. Text that starts
  like a formula (=, +, -, @) is written as text with a leading apostrophe, so no input becomes a formula.
- **charts/** (png, svg): every chart of ``lm3.charts``.
- **result.json**: ``LM3Result.to_dict()``.

Staff appear only in aggregate (by where they live), never by identifier; individuals paid as suppliers
are already "(individual)" in the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from lm3.errors import InputError
from lm3.progress import Progress
from lm3.render import charts
from lm3.render.report_html import leakage_rows, png_bytes, render_html, scenario_frame
from lm3.render.workbook import add_sheet, new_workbook, save
from lm3.study.result import LM3Result
from lm3.study.scenarios import Scenarios, scenario_records
from lm3.study.tables import (
    LEAKS,
    rounds_table,
    staff_table,
    supplier_table,
)
from lm3.values import params
from lm3.values.jsontext import to_json

FORMATS = ("html", "xlsx", "png", "svg", "json")


DEFAULT_FORMATS = ("html", "xlsx", "png", "svg", "json")


SHEETS = (
    "Summary",
    "Placed by source",
    "Not placed",
    "Rounds",
    "Suppliers",
    "Leakage",
    "Staff",
    "Assumptions",
    "Data quality",
)


@dataclass(frozen=True)
class ReportFiles:
    """The files written, by kind: html, xlsx, json (one path each or None) and charts (paths)."""

    out: Path
    html: Path | None
    xlsx: Path | None
    json: Path | None
    charts: tuple[Path, ...]

    def all(self) -> list[Path]:
        return [p for p in (self.html, self.xlsx, self.json) if p is not None] + list(self.charts)


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    """ "html,xlsx" (or a list) as formats; InputError naming the ones allowed."""
    if not isinstance(text, str):
        params.texts_only("formats", text)
    items = [
        t.strip().lower() for part in ([text] if isinstance(text, str) else text) for t in part.split(",")
    ]
    items = [t for t in items if t]
    unknown = [t for t in items if t not in FORMATS]
    if unknown or not items:
        raise InputError(
            f"Report format {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}.",
            code="bad-parameter",
        )
    return tuple(dict.fromkeys(items))


def write_report(
    result: LM3Result,
    out: str | Path,
    *,
    formats: str | Sequence[str] = DEFAULT_FORMATS,
    scenarios: Scenarios | pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> ReportFiles:
    """Write ``result`` to the folder ``out`` (made if need be) in ``formats`` (see the module docstring).
    ``scenarios`` (``result.scenarios(...)``) adds the scenarios to the report and its chart. ``progress``
    is called as ``progress(step, done, total)`` after each file or chart. Raises InputError when the
    folder cannot be written."""
    params.instance("result", result, LM3Result, "an LM3Result (from lm3.calculate)")
    params.path("out", out)
    if isinstance(scenarios, Scenarios):
        scenarios = scenarios.table
    if scenarios is not None:
        params.frame("scenarios", scenarios)
    params.callback("progress", progress)
    formats = parse_formats(formats)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(
            f"Cannot make the report folder {out}: {err.strerror or err}.", code="cannot-write"
        ) from err
    # no LM3 figure (nothing placed): no chart of one either
    figures = {} if result.standing == "none" else {name: fn(result) for name, fn in charts.CHARTS.items()}
    if scenarios is not None and figures:
        figures["uncertainty"] = charts.uncertainty_chart(result, scenarios=scenarios)
    steps = len(figures) * (("png" in formats) + ("svg" in formats)) + sum(
        f in formats for f in ("html", "xlsx", "json")
    )
    done = 0

    def tick(step: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(step, done, steps)

    pngs: dict[str, bytes] = {}
    try:
        written = _write_charts(out, figures, formats, pngs, tick)
        html_path = xlsx_path = json_path = None
        if "json" in formats:
            json_path = out / "result.json"
            data = result.to_dict()
            if scenarios is not None:
                data["scenarios"] = scenario_records(scenarios)
            json_path.write_text(to_json(data), encoding="utf-8")
            tick("result.json")
        if "xlsx" in formats:
            xlsx_path = out / "report.xlsx"
            write_workbook(result, xlsx_path, scenarios=scenarios)
            tick("report.xlsx")
        if "html" in formats:
            html_path = out / "report.html"
            drawn = {name: pngs.get(name, fig) for name, fig in figures.items()}
            html_path.write_text(render_html(result, drawn, scenarios=scenarios), encoding="utf-8")
            tick("report.html")
    except OSError as err:
        raise InputError(
            f"Cannot write the report in {out}: {err.strerror or err}.", code="cannot-write"
        ) from err
    return ReportFiles(
        out=out,
        html=html_path,
        xlsx=xlsx_path,
        json=json_path,
        charts=tuple(written),
    )


def _write_charts(
    out: Path,
    figures: dict[str, Any],
    formats: tuple[str, ...],
    pngs: dict[str, bytes],
    tick: Callable[[str], None],
) -> list[Path]:
    """Each chart as PNG and SVG (as asked) in out/charts; each PNG kept in ``pngs`` for report.html."""
    written: list[Path] = []
    for kind in ("png", "svg"):
        if kind not in formats:
            continue
        (out / "charts").mkdir(exist_ok=True)
        for name, fig in figures.items():
            path = out / "charts" / f"{name}.{kind}"
            if kind == "png":  # drawn once: the same image goes in report.html
                pngs[name] = png_bytes(fig)
                path.write_bytes(pngs[name])
            else:
                fig.savefig(path, format=kind, metadata={"Date": None})
            written.append(path)
            tick(f"chart {name}.{kind}")
    return written


# -- the workbook -------------------------------------------------------------------------------------------------


def write_workbook(result: LM3Result, path: Path, *, scenarios: pd.DataFrame | None = None) -> Path:
    """report.xlsx, as the module docstring describes (streamed: constant memory however many suppliers)."""
    book = new_workbook(streaming=True)
    b = result.bounds
    summary: list[tuple[str, object]] = [
        ("Organisation", result.name or ""),
        ("Area", result.area.name),
        ("Rule", result.rule.text if result.rule is not None else "not stated"),
        ("Headline", result.headline),
        ("LM3", result.figure),
        (
            "Standing",
            {
                "figure": "one figure",
                "range": "a range: under half placed",
                "none": "no figure: nothing placed",
            }[result.standing],
        ),
        ("Placed share of round 1's spend", result.placed_share),
        ("Round 1", result.round1),
        ("Round 2", result.round2),
        ("Round 3", result.round3),
        ("Not placed", result.not_placed),
        ("Paid to suppliers", result.payments),
        ("Placed", result.placed),
        ("Coverage (placed / paid to suppliers)", result.coverage),
        ("Suppliers placed", f"{result.placed_suppliers} of {len(result.suppliers)}"),
        (f"Local share ({result.share_kind})", result.local_share),
        ("LM3 if the spend not placed were local like the placed", b.like_placed if b else None),
        ("LM3 if the spend not placed were all local", b.all_local if b else None),
    ]
    if result.interval is not None:
        summary += [
            (f"LM3 {result.interval.level:.0%} interval, low", result.interval.low),
            (f"LM3 {result.interval.level:.0%} interval, high", result.interval.high),
        ]
    else:
        summary.append(("LM3 interval", "none: no survey answers to resample"))
    for r in result.responses:
        summary.append(
            (
                f"Survey: {r.group}",
                f"{r.respondents} of {r.members} responded"
                if r.default is None
                else f"no survey: default share {r.default.text}",
            )
        )
    decimal_rows = {k for k, v in summary if k.startswith("LM3") and isinstance(v, float)}
    add_sheet(
        book,
        "Summary",
        pd.DataFrame(summary, columns=["Item", "Value"]),
        money_rows={"Round 1", "Round 2", "Round 3", "Not placed", "Paid to suppliers", "Placed"},
        share_rows={
            "Coverage (placed / paid to suppliers)",
            f"Local share ({result.share_kind})",
            "Placed share of round 1's spend",
        },
        decimal_rows=decimal_rows,
    )
    placed = result.by_source()
    add_sheet(
        book,
        "Placed by source",
        pd.DataFrame(
            {
                "Source": placed["source"],
                "Suppliers": placed["suppliers"],
                "£": placed["amount"],
                "Share of the spend": placed["share"],
            }
        ),
        money={"£"},
        shares={"Share of the spend"},
    )
    reasons = result.not_placed_by_reason()
    add_sheet(
        book,
        "Not placed",
        pd.DataFrame(
            {
                "Why": reasons["why"],
                "Code": reasons["unplaced"],
                "Suppliers": reasons["suppliers"],
                "£": reasons["amount"],
                "Share of the spend": reasons["share"],
            }
        ),
        money={"£"},
        shares={"Share of the spend"},
    )
    rounds = rounds_table(result)
    add_sheet(book, "Rounds", rounds, money={"£", LEAKS}, decimals={"Per £1"})
    add_sheet(
        book,
        "Suppliers",
        supplier_table(result),
        money={"Round 1", "Round 2", "Round 3"},
        shares={"Share re-spent locally"},
    )
    leakage = leakage_rows(result)
    if len(leakage):
        add_sheet(book, "Leakage", leakage, money={"Round 1", "Leaving the area"})
    if result.has_payroll:
        add_sheet(
            book,
            "Staff",
            staff_table(result),
            money={"Round 1 (gross pay)", "Round 2", "Round 3"},
            shares={"Share re-spent locally"},
        )
    add_sheet(
        book,
        "Assumptions",
        pd.DataFrame(
            [(a.name, a.value, a.source) for a in result.assumptions],
            columns=["Assumption", "Value", "Source"],
        ),
    )
    quality = pd.DataFrame({"Kind": ["warning"] * len(result.warnings), "Detail": list(result.warnings)})
    quality = pd.concat(
        [
            quality,
            pd.DataFrame(
                {
                    "Kind": ["rejected rows"],
                    "Detail": [
                        "none: lm3 calculate stops on any row it cannot use, naming file, row and column"
                    ],
                }
            ),
        ],
        ignore_index=True,
    )
    add_sheet(book, "Data quality", quality)
    if scenarios is not None:
        add_sheet(
            book,
            "Scenarios",
            scenario_frame(scenarios, numbers=True),
            money={"Moved", "Round 2", "Round 3", "Kept locally"},
            decimals={"LM3", "Interval low", "Interval high"},
        )
    return save(book, path)
