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

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from lm3.errors import InputError
from lm3.progress import Progress
from lm3.render import charts
from lm3.render.charts import leakage_table
from lm3.render.workbook import add_sheet, new_workbook, save
from lm3.study.result import LM3Result
from lm3.study.scenarios import scenario_records
from lm3.study.tables import (
    LEAKS,
    MONEY_COLUMNS,
    SHARE_COLUMNS,
    leak_text,
    responses_table,
    rounds_table,
    staff_table,
    supplier_table,
)
from lm3.values.html import escape, html_table
from lm3.values.jsontext import to_json
from lm3.values.money import format_gbp

FORMATS = ("html", "xlsx", "png", "svg", "json")
DEFAULT_FORMATS = ("html", "xlsx", "png", "svg", "json")
SHEETS = ("Summary", "Rounds", "Suppliers", "Leakage", "Staff", "Assumptions", "Data quality")


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
    items = [
        t.strip().lower() for part in ([text] if isinstance(text, str) else text) for t in part.split(",")
    ]
    items = [t for t in items if t]
    unknown = [t for t in items if t not in FORMATS]
    if unknown or not items:
        raise InputError(f"Report format {', '.join(unknown) or '(none)'}: choose from {', '.join(FORMATS)}.")
    return tuple(dict.fromkeys(items))


def write_report(
    result: LM3Result,
    out: str | Path,
    *,
    formats: str | Sequence[str] = DEFAULT_FORMATS,
    scenarios: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> ReportFiles:
    """Write ``result`` to the folder ``out`` (made if need be) in ``formats`` (see the module docstring).
    ``scenarios`` (``result.scenarios(...)``) adds the scenarios to the report and its chart. ``progress``
    is called as ``progress(step, done, total)`` after each file or chart. Raises InputError when the
    folder cannot be written."""
    formats = parse_formats(formats)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InputError(f"Cannot make the report folder {out}: {err.strerror or err}.") from err
    figures = {name: fn(result) for name, fn in charts.CHARTS.items()}
    if scenarios is not None:
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

    written: list[Path] = []
    try:
        for kind in ("png", "svg"):
            if kind in formats:
                (out / "charts").mkdir(exist_ok=True)
                for name, fig in figures.items():
                    path = out / "charts" / f"{name}.{kind}"
                    fig.savefig(
                        path, format=kind, metadata={"Date": None} if kind == "svg" else {"Software": None}
                    )
                    written.append(path)
                    tick(f"chart {name}.{kind}")
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
            html_path.write_text(render_html(result, figures, scenarios=scenarios), encoding="utf-8")
            tick("report.html")
    except OSError as err:
        raise InputError(f"Cannot write the report in {out}: {err.strerror or err}.") from err
    return ReportFiles(
        out=out,
        html=html_path,
        xlsx=xlsx_path,
        json=json_path,
        charts=tuple(written),
    )


# -- tables shared by the HTML and the workbook ---------------------------------------------------------------


def _leakage(result: LM3Result) -> pd.DataFrame:
    t = leakage_table(result)
    return pd.DataFrame(
        {
            "Supplier": t["supplier"],
            "Location": t["location"],
            "Where it goes": t["place"],
            "Round 1": t["round1"],
            "Lost to the area": t["lost"],
        }
    )


# -- HTML -------------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}
.headline{font-size:1.35em;background:#f2f2f2;border-left:6px solid #222;padding:.6em 1em}
table{border-collapse:collapse;margin:.8em 0;font-family:Helvetica,Arial,sans-serif;font-size:.85em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#e6e6e6}td.n{text-align:right;white-space:nowrap}
img{max-width:100%;height:auto;display:block;margin:1em 0}
.note{color:#555;font-size:.9em}
"""


def _table(frame: pd.DataFrame) -> str:
    return html_table(frame, money=MONEY_COLUMNS, shares=SHARE_COLUMNS)


def _img(fig: Any, alt: str) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def render_html(result: LM3Result, figures: dict[str, Any], *, scenarios: pd.DataFrame | None = None) -> str:
    """The report as one HTML page (see the module docstring); ``figures`` by ``lm3.charts.CHARTS`` name."""
    title = f"Local Multiplier 3: {result.name or result.area.name}"
    rounds = rounds_table(result)
    rounds[LEAKS] = leak_text(rounds[LEAKS])
    interval = result.interval
    resampled = any(r.respondents for r in result.responses)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">Area: {escape(result.area.name)}. Written by lm3 on {date.today():%d %B %Y}.</p>',
        f'<p class="headline">{escape(result.headline)}</p>',
        "<h2>What this measures</h2>",
        "<p>The Local Multiplier 3 (LM3) of the New Economics Foundation follows money through three rounds of "
        f"spending in {escape(result.area.name)}. <b>Round 1</b> is what the organisation spent"
        + (" (its income)" if result.income_given else " (payments to suppliers and staff pay)")
        + ". <b>Round 2</b> is the part of it paid to suppliers based in the area and to staff who live there. "
        "<b>Round 3</b> is what those local suppliers and staff spend again in the area, from their survey "
        "answers. LM3 = (round 1 + round 2 + round 3) / round 1: how many pounds each £1 creates for the "
        "local economy, between £1 (nothing stays) and £3 (everything stays).</p>",
        _table(rounds),
        f"<p>LM3 = ({escape(format_gbp(result.round1))} + {escape(format_gbp(result.round2))} + "
        f"{escape(format_gbp(result.round3))}) / {escape(format_gbp(result.round1))} = <b>{result.lm3:.2f}</b>"
        + (
            f"; {interval.level:.0%} interval {interval.low:.2f} to {interval.high:.2f} (a bootstrap over the "
            "survey respondents)."
            if interval is not None and resampled
            else "."
        )
        + "</p>",
        _img(figures["rounds"], "Round 1 to round 3 per £1, with what leaks at each step"),
        _img(figures["flow"], "Where £1 goes"),
        "<h2>Where the money leaves the area</h2>",
        _img(figures["leakage"], "Top suppliers and places by £ lost to the area"),
        _table(_leakage(result).head(25)),
        "<h2>Local share</h2>",
        _img(figures["local-share-by-type"], "Local share of spend by supplier type"),
        _img(figures["local-share-by-category"], "Local share of spend by expense category"),
        _img(figures["map"], "Map of £ paid by district"),
        "<h2>How sure is it?</h2>",
        "<h3>Survey coverage</h3>",
        _table(responses_table(result)),
        _img(
            figures["uncertainty"],
            "LM3 with its interval" + (" and scenarios" if scenarios is not None else ""),
        ),
    ]
    if result.sensitivity is not None and len(result.sensitivity):
        sens = result.sensitivity.rename(
            columns={"assumption": "Assumption", "low": "Low", "high": "High", "range": "Range"}
        )
        sens["LM3 at low"] = [f"{v:.2f}" for v in sens.pop("lm3_low")]
        sens["LM3 at high"] = [f"{v:.2f}" for v in sens.pop("lm3_high")]
        sens = sens.drop(columns="swing")
        parts += [
            "<h3>Sensitivity: LM3 as each assumption moves</h3>",
            _img(figures["sensitivity"], "LM3 as each assumption moves over its range"),
            _table(sens),
        ]
    if scenarios is not None:
        parts += ["<h2>What if we keep it local?</h2>", _table(_scenario_frame(scenarios))]
    parts += [
        "<h2>Assumptions</h2>",
        _table(
            pd.DataFrame(
                [(a.name, a.value, a.source) for a in result.assumptions],
                columns=["Assumption", "Value", "Source"],
            )
        ),
        "<h2>Data quality</h2>",
        "<ul>" + "".join(f"<li>{escape(w)}</li>" for w in result.warnings) + "</ul>"
        if result.warnings
        else "<p>No warnings.</p>",
        '<p class="note">Rejected rows: none. lm3 calculate stops on any row it cannot use, naming the file, '
        "row and column, so a result always rests on every row of its files.</p>",
        "<h2>Suppliers</h2>",
        _table(supplier_table(result)),
        "<h2>Staff (in aggregate)</h2>",
        _table(staff_table(result)),
        '<p class="note">Method: NEF, <i>The Money Trail</i> (Sacks, 2002). Postcodes placed with the ONS '
        "Postcode Directory; boundaries ONS (Open Government Licence v3.0; contains OS data © Crown copyright "
        "and database right 2023).</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _scenario_frame(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Scenario": table["scenario"],
            "Moved": table["moved"],
            "Round 2": table["round2"],
            "Round 3": table["round3"],
            "LM3": [f"{v:.2f}" for v in table["lm3"]],
            "Interval": [
                "" if lo != lo else f"{lo:.2f}-{hi:.2f}"
                for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            "Kept locally": table["kept_locally"],
        }
    )


# -- the workbook -------------------------------------------------------------------------------------------------


def write_workbook(result: LM3Result, path: Path, *, scenarios: pd.DataFrame | None = None) -> Path:
    """report.xlsx, as the module docstring describes."""
    book = new_workbook()
    summary = [
        ("Organisation", result.name or ""),
        ("Area", result.area.name),
        ("Headline", result.headline),
        ("Round 1", result.round1),
        ("Round 2", result.round2),
        ("Round 3", result.round3),
        ("LM3", round(result.lm3, 4)),
    ]
    if result.interval is not None and any(r.respondents for r in result.responses):
        summary += [
            (f"LM3 {result.interval.level:.0%} interval, low", round(result.interval.low, 4)),
            (f"LM3 {result.interval.level:.0%} interval, high", round(result.interval.high, 4)),
        ]
    for r in result.responses:
        summary.append((f"Survey: {r.group}", f"{r.respondents} of {r.members} responded"))
    add_sheet(
        book,
        "Summary",
        pd.DataFrame(summary, columns=["Item", "Value"]),
        money_rows={"Round 1", "Round 2", "Round 3"},
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
    add_sheet(book, "Leakage", _leakage(result), money={"Round 1", "Lost to the area"})
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
            _scenario_frame(scenarios),
            money={"Moved", "Round 2", "Round 3", "Kept locally"},
        )
    return save(book, path)
