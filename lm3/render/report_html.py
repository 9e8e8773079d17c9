"""report.html: one self-contained page for a committee (charts inline, no script, no network), its
headline, the figure's basis, where places came from, and the tables.
"""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any

import pandas as pd

from lm3.study.result import LM3Result
from lm3.study.tables import (
    LEAKS,
    MONEY_COLUMNS,
    SHARE_COLUMNS,
    leak_text,
    leakage_for_people,
    responses_table,
    rounds_table,
    staff_table,
    supplier_table,
    suppliers_to_place,
)
from lm3.values.html import escape, html_table
from lm3.values.money import format_gbp

# -- tables shared by the HTML and the workbook ---------------------------------------------------------------


def leakage_rows(result: LM3Result) -> pd.DataFrame:
    t = leakage_for_people(result)
    return pd.DataFrame(
        {
            "Supplier": t["supplier"],
            "Location": t["location"],
            "Where it goes": t["place"],
            "Round 1": t["round1"],
            "Leaving the area": t["lost"],
        }
    )


# -- HTML -------------------------------------------------------------------------------------------------------

_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}
.headline{font-size:1.35em;background:#f2f2f2;border-left:6px solid #222;padding:.6em 1em}
.glance{border-left:6px solid #6b6b6b;padding:.2em 1em;margin:1em 0}
.glance p{margin:.35em 0}
table{border-collapse:collapse;margin:.8em 0;font-family:Helvetica,Arial,sans-serif;font-size:.85em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#e6e6e6}td.n{text-align:right;white-space:nowrap}
figure{margin:1em 0}img{max-width:100%;height:auto;display:block}
.note{color:#555;font-size:.9em}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.3}
h1{font-size:16pt}h2{font-size:12.5pt;margin-top:1.1em;break-after:avoid}h3{font-size:10.5pt;break-after:avoid}
.headline{font-size:12pt}
table{font-size:7.5pt;break-inside:auto}tr,figure,.glance{break-inside:avoid}thead{display:table-header-group}
figure img{max-height:88mm;width:auto;max-width:100%;margin:0 auto}
figure.tall img{max-height:120mm}
}
"""


TOP_ROWS = 25  # suppliers and leaks shown in the page; the workbook has every row


def _table(frame: pd.DataFrame) -> str:
    return html_table(frame, money=MONEY_COLUMNS, shares=SHARE_COLUMNS)


def png_bytes(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _img(fig: Any, alt: str, *, tall: bool = False) -> str:
    """A chart (a figure, or its PNG already drawn) inside the page."""
    data = base64.b64encode(fig if isinstance(fig, bytes) else png_bytes(fig)).decode("ascii")
    kind = ' class="tall"' if tall else ""
    return f'<figure{kind}><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def glance(result: LM3Result) -> list[str]:
    """The figures a reader needs on the first screen, as sentences: coverage, the bounds, what round 3
    rests on."""
    lines = []
    placed = result.coverage_text()
    if placed is not None:
        lines.append(placed)
    if result.bounds is not None and result.not_placed:
        b = result.bounds
        lines.append(
            f"Not placed: {format_gbp(result.not_placed)} of round 1 has no known location. It is neither local "
            f"nor leaving, and counted as not local. If it were local like the placed spend, LM3 would be "
            + (f"{b.like_placed:.2f}" if b.like_placed is not None else "unknown")
            + f"; if all of it were local, {b.all_local:.2f}."
        )
    if result.interval is not None:
        i = result.interval
        lines.append(
            f"How sure: {i.level:.0%} interval {i.low:.2f} to {i.high:.2f}, a bootstrap over the survey "
            "respondents."
        )
    else:
        lines.append(
            "How sure: no interval, as there were no survey answers to resample. Round 3 rests on published "
            "default shares; the sensitivity below shows how far they move the figure."
        )
    return lines


def _method_text(result: LM3Result) -> str:
    staff = result.has_payroll
    surveyed = result.resampled
    spent = (
        " (its income)"
        if result.income_given
        else (" (payments to suppliers and staff pay)" if staff else " (payments to suppliers)")
    )
    where = (
        "suppliers based in the area and to staff who live there" if staff else "suppliers based in the area"
    )
    how = (
        "from their survey answers (respondents' own shares, the mean of respondents for the others)"
        if surveyed
        else "at published default shares, since no survey answers were given"
    )
    return (
        "<p>The Local Multiplier 3 (LM3) of the New Economics Foundation follows money through three rounds of "
        f"spending in {escape(result.area.name)}. <b>Round 1</b> is what the organisation spent{spent}. "
        f"<b>Round 2</b> is the part of it paid to {where}. <b>Round 3</b> is what those local suppliers"
        + (" and staff" if staff else "")
        + f" spend again in the area, {how}. LM3 = (round 1 + round 2 + round 3) / round 1: how many pounds "
        "each £1 creates for the local economy, between £1 (nothing stays) and £3 (everything stays). Spend "
        "whose location is unknown is <b>not placed</b>: neither local nor leaving.</p>"
    )


def _sources_html(result: LM3Result) -> str:
    """Where the places came from and why the rest has none, as two small tables."""
    placed = result.by_source()
    reasons = result.not_placed_by_reason()
    return _table(
        pd.DataFrame(
            {
                "Placed by": placed["source"],
                "Suppliers": placed["suppliers"],
                "£": [format_gbp(int(a)) for a in placed["amount"]],
                "Share of the spend": [f"{s:.1%}" if s == s else "" for s in placed["share"]],
            }
        )
    ) + (
        _table(
            pd.DataFrame(
                {
                    "Not placed: why": reasons["why"],
                    "Suppliers": reasons["suppliers"],
                    "£": [format_gbp(int(a)) for a in reasons["amount"]],
                    "Share of the spend": [f"{s:.1%}" if s == s else "" for s in reasons["share"]],
                }
            )
        )
        if len(reasons)
        else ""
    )


def _nothing_placed_html(result: LM3Result, title: str) -> str:
    """The report when nothing was placed: no figure, no chart of one; what was read, why nothing could be
    placed, the next step, and the suppliers to place, largest first."""
    s = result.suppliers
    to_place = suppliers_to_place(result).head(TOP_ROWS)
    table = pd.DataFrame(
        {
            "Supplier": to_place["supplier"],
            "Paid": [format_gbp(int(a)) for a in to_place["round1"]],
            "Why not placed": to_place["reason"],
        }
    )
    parts = [
        *_page_head(result, title),
        "<h2>What was read</h2>",
        f"<p>{format_gbp(result.payments)} paid to {len(s)} suppliers"
        + (f", and {format_gbp(result.spend - result.payments)} of pay" if result.has_payroll else "")
        + ". None of it could be placed, so there is no LM3 figure: spend of unknown location is never counted "
        "as local, nor as leaving.</p>",
        _sources_html(result),
        "<h2>The suppliers to place, largest first</h2>",
        _table(table) if len(table) else "<p>None: every payee is an individual or redacted.</p>",
        _more(len(s[s["location"] == "unknown"]), "suppliers not placed", "Suppliers"),
        "<h2>Data quality</h2>",
        "<ul>" + "".join(f"<li>{escape(w)}</li>" for w in result.warnings) + "</ul>"
        if result.warnings
        else "<p>No warnings.</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _page_head(result: LM3Result, title: str) -> list[str]:
    """The start of a report page: its title, area, date and headline."""
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="note">Area: {escape(result.area.name)}. Written by lm3 on {date.today():%d %B %Y}.</p>',
        *([f'<p class="note rule">Rule: {escape(result.rule.text)}</p>'] if result.rule is not None else []),
        f'<p class="headline">{escape(result.headline)}</p>',
    ]


def render_html(result: LM3Result, figures: dict[str, Any], *, scenarios: pd.DataFrame | None = None) -> str:
    """The report as one HTML page (see the module docstring); ``figures`` by ``lm3.charts.CHARTS`` name.
    It prints on A4: the largest 25 suppliers and leaks are shown, and report.xlsx holds every row. With
    nothing placed, there is no figure and no chart of one: what was read, and what to do next."""
    title = f"Local Multiplier 3: {result.name or result.area.name}"
    if result.standing == "none":
        return _nothing_placed_html(result, title)
    rounds = rounds_table(result)
    rounds[LEAKS] = leak_text(rounds[LEAKS])
    interval = result.interval
    leakage = leakage_rows(result)
    suppliers = supplier_table(result).sort_values("Round 1", ascending=False, kind="stable")
    parts = [
        *_page_head(result, title),
        '<div class="glance">' + "".join(f"<p>{escape(line)}</p>" for line in glance(result)) + "</div>",
        _sources_html(result),
        "<h2>What this measures</h2>",
        _method_text(result),
        _table(rounds),
        f"<p>LM3{' as placed so far' if result.figure_range else ''} = ({escape(format_gbp(result.round1))} + "
        f"{escape(format_gbp(result.round2))} + {escape(format_gbp(result.round3))}) / "
        f"{escape(format_gbp(result.round1))} = <b>{result.lm3:.2f}</b>"
        + (
            f"; {interval.level:.0%} interval {interval.low:.2f} to {interval.high:.2f} (a bootstrap over the "
            "survey respondents)."
            if interval is not None
            else "."
        )
        + "</p>",
        _img(figures["rounds"], "Round 1 to round 3 per £1, with what leaks and what is not placed"),
        _img(figures["flow"], "Where £1 goes"),
        "<h2>Where the money leaves the area</h2>",
        _img(figures["leakage"], "Top suppliers and places by £ leaving the area"),
        _table(leakage.head(TOP_ROWS)) if len(leakage) else "<p>No placed spend leaves the area.</p>",
        _more(len(leakage), "suppliers with spend leaving the area", "Leakage"),
        "<h2>Local share</h2>",
        f"<p>The local share is local spend as a share {escape(result.share_kind)}: spend not placed counts on "
        "neither side. It is a share of payments made, not of the value of contracts awarded (the share some "
        "councils publish): payments cannot give that.</p>",
        _img(figures["local-share-by-type"], f"Local share {result.share_kind} by supplier type"),
        _img(figures["local-share-by-category"], f"Local share {result.share_kind} by expense category"),
        _img(figures["map"], "Map of £ paid by district", tall=True),
        "<h2>How sure is it?</h2>",
    ]
    if result.responses and any(r.members for r in result.responses):
        surveyed = any(r.default is None for r in result.responses)
        parts += [
            "<h3>Survey coverage</h3>",
            _table(responses_table(result))
            if surveyed
            else "<p>No survey answers were given: every group's round 3 rests on a published default share "
            "(see the assumptions).</p>",
        ]
    parts.append(
        _img(
            figures["uncertainty"],
            ("LM3 with its interval" if interval is not None else "LM3")
            + (" and the bounds of the spend not placed" if result.not_placed else "")
            + (" and scenarios" if scenarios is not None else ""),
        )
    )
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
        parts += ["<h2>What if we keep it local?</h2>", _table(scenario_frame(scenarios))]
    parts += [
        "<h2>Largest suppliers</h2>",
        _table(suppliers.head(TOP_ROWS)),
        _more(len(suppliers), "suppliers", "Suppliers"),
    ]
    if result.has_payroll:
        parts += ["<h2>Staff (in aggregate)</h2>", _table(staff_table(result))]
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
        '<p class="note">Method: NEF, <i>The Money Trail</i> (Sacks, 2002). Postcodes placed with the ONS '
        "Postcode Directory; boundaries ONS (Open Government Licence v3.0; contains OS data © Crown copyright "
        "and database right 2023).</p>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _more(total: int, what: str, sheet: str) -> str:
    if total <= TOP_ROWS:
        return ""
    return f'<p class="note">The largest {TOP_ROWS} of {total:,} {what}; every one is in report.xlsx ({sheet} sheet).</p>'


def scenario_frame(table: pd.DataFrame, *, numbers: bool = False) -> pd.DataFrame:
    """The scenarios for people: LM3 (and its interval, only where there is one) as text with two decimals,
    or as numbers for the workbook (``numbers``)."""
    frame = pd.DataFrame(
        {
            "Scenario": table["scenario"],
            "Moved": table["moved"],
            "Round 2": table["round2"],
            "Round 3": table["round3"],
            "LM3": table["lm3"] if numbers else [f"{v:.2f}" for v in table["lm3"]],
        }
    )
    if table["low"].notna().any():
        if numbers:
            frame["Interval low"], frame["Interval high"] = table["low"], table["high"]
        else:
            frame["Interval"] = [
                "" if lo != lo else f"{lo:.2f}-{hi:.2f}"
                for lo, hi in zip(table["low"], table["high"], strict=True)
            ]
    frame["Kept locally"] = table["kept_locally"]
    return frame
