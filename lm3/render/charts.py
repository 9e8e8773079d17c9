"""Charts of an LM3 result, for committee papers and notebooks (matplotlib, no pyplot state).

Each function takes the result and an optional ``ax`` (a matplotlib Axes to draw into) and returns the
Figure. Without ``ax`` a new Figure is made (``matplotlib.figure.Figure``, not pyplot: nothing global is
touched, so charts are safe in servers and threads). All share one fixed style (``STYLE``): greys with
hatching, so they read in greyscale print, £ on the axes, titles that say what is shown.

    from lm3 import charts
    fig = charts.rounds_waterfall(result)
    fig.savefig("rounds.png", dpi=150)

- ``rounds_waterfall``: £1 through round 2 and round 3, with what leaks at each step.
- ``leakage_chart``: the suppliers and places (head office, else the supplier's own place) the most £ leaves
  to (``leakage_table``: the figures).
- ``local_share_chart``: the local share of placed spend by supplier type or by expense category (the 12
  largest and "other"; ``share_table``: the figures).
- ``flow_chart``: the flow of £1 (Sankey-style): to local and non-local suppliers and staff, or not placed,
  then re-spent locally or leaking.
- ``map_chart``: £ by the local authority district where suppliers are, the area outlined (ONS boundaries).
- ``uncertainty_chart``: LM3 with its interval, and scenarios side by side.
- ``sensitivity_chart``: a tornado chart of LM3 as each assumption moves over its range.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn, not with lm3 (a third of its import time)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from lm3.render.chart_style import (
    DARK,
    LEAK_HATCH,
    LIGHT,
    MID,
    NOT_PLACED_HATCH,
    PALE,
    chart_axes,
    chart_figure_class,
    figure_of,
    gbp,
    hbars,
    label_text,
    load_matplotlib,
    money_axis,
    new_figure,
    result_title,
    set_title,
    styled,
    wrap,
)
from lm3.render.flow import flow_chart
from lm3.render.maps import map_chart
from lm3.study.tables import leakage_table, share_table
from lm3.values.frames import row_tuples


def __getattr__(name: str) -> Any:
    if name == "ChartFigure":
        return chart_figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def rounds_waterfall(result: Any, ax: Axes | None = None) -> Figure:
    """£1 of round 1 through round 2 and round 3: what stays (solid), what leaks (hatched) and what is not
    placed (dotted: location unknown, neither) at each step, and LM3 as their sum; when some spend is not
    placed, the bounds of LM3 beside it (as calculated, to all local)."""
    with styled():
        fig, ax = chart_axes(ax, (7, 4.4))
        r1 = result.round1
        leak = result.leakage
        per = [1.0, result.round2 / r1, result.round3 / r1]
        unplaced = leak["not_placed"] / r1
        leaks = [0.0, leak["round2"] / r1, leak["round3"] / r1]
        staff = len(result.staff) > 0
        labels = [
            "Round 1\nspent" if not result.income_given else "Round 1\nincome",
            "Round 2\nto local suppliers" + ("\nand staff" if staff else ""),
            "Round 3\nre-spent locally",
            "LM3",
        ]
        x = np.arange(4)
        colours = [DARK, MID, LIGHT]
        ax.bar(x[:3], per, color=colours, edgecolor=DARK, width=0.6, label="stays in the area")
        if unplaced:
            ax.bar(
                x[1],
                unplaced,
                bottom=per[1],
                color=PALE,
                edgecolor=DARK,
                hatch=NOT_PLACED_HATCH,
                width=0.6,
                label="not placed (location unknown)",
            )
        ax.bar(
            x[1:3],
            leaks[1:],
            bottom=[per[1] + unplaced, per[2]],
            color="white",
            edgecolor=DARK,
            hatch=LEAK_HATCH,
            width=0.6,
            label="leaks out of the area",
        )
        bottoms = [0.0, per[0], per[0] + per[1]]
        for i in range(3):  # the LM3 bar, stacked from the three rounds
            ax.bar(x[3], per[i], bottom=bottoms[i], color=colours[i], edgecolor=DARK, width=0.6)
        for i, value in enumerate(per):
            inside = value >= 0.08  # a short bar's value goes beside it
            ax.text(
                x[i] if inside else x[i] - 0.32,
                value / 2 if inside else max(value / 2, 0.03),
                f"£{value:.2f}",
                ha="center" if inside else "right",
                va="center",
                color="white" if inside and i < 2 else DARK,
                zorder=4,
            )
        top2 = per[1] + unplaced + leaks[1]
        notes = [f"leaks £{leaks[1]:.2f}"] if leaks[1] else []
        if unplaced:
            notes.append(f"not placed £{unplaced:.2f}")
        if notes:
            ax.text(x[1], top2 + 0.03, "\n".join(notes), ha="center", va="bottom")
        if leaks[2]:
            ax.text(x[2], per[2] + leaks[2] + 0.03, f"leaks £{leaks[2]:.2f}", ha="center", va="bottom")
        ax.text(x[3], sum(per) + 0.03, f"£{result.lm3:.2f}", ha="center", va="bottom", fontweight="bold")
        high = sum(per)
        bounds = getattr(result, "bounds", None)
        if unplaced and bounds is not None:
            high = bounds.all_local
            ax.plot([x[3] + 0.38] * 2, [result.lm3, high], color=DARK, linewidth=1, linestyle=":")
            ax.plot([x[3] + 0.33, x[3] + 0.43], [high, high], color=DARK, linewidth=1)
            ax.text(
                x[3] + 0.36,
                high + 0.03,
                f"up to £{high:.2f} if the\nnot-placed spend\nwere all local",
                ha="center",
                va="bottom",
                fontsize=7,
            )
        ax.set_xticks(x, labels)
        money_axis(ax.yaxis)
        ax.set_ylabel("per £1 of round 1")
        ax.set_ylim(0, max(high + 0.35, top2 + 0.3, 1.0) * 1.08)
        ax.set_xlim(-0.5, 3.9)
        set_title(ax, f"What £1 creates: {result_title(result)}")
        fig.legend(loc="outside lower center", ncols=3, frameon=False)
    return fig


def leakage_chart(result: Any, ax: Axes | None = None, *, top: int = 10) -> Figure:
    """The ``top`` suppliers by £ leaving the area in round 2 (placed outside it, and the head-office share
    of local branches), and beside them the places that £ goes to (head office, else the supplier's own
    place). Spend not placed is not leakage: its total is noted, never drawn as leaving. With ``ax``, only
    the suppliers are drawn."""
    with styled():
        lost = leakage_table(result)
        if ax is None:
            fig = new_figure((10, 4.8))
            left, right = fig.subplots(1, 2, width_ratios=[3, 2])
        else:
            fig, left, right = figure_of(ax), ax, None
        bars = lost.head(top)[::-1]
        hbars(left, bars["supplier"], bars["lost"] / 100, hatch=LEAK_HATCH)
        left.set_title(textwrap.fill(label_text(f"Spend leaving {result.area.name}: top suppliers"), 45))
        if right is not None:
            places = lost.groupby("place")["lost"].sum().sort_values(ascending=False).head(top)[::-1]
            hbars(right, places.index, places.to_numpy() / 100, hatch="xx")
            right.set_title("...and where it goes")
        if lost.empty:
            left.text(
                0.5,
                0.5,
                "No placed spend leaves the area",
                ha="center",
                va="center",
                transform=left.transAxes,
            )
        unplaced = int(result.suppliers["not_placed"].sum()) if "not_placed" in result.suppliers else 0
        if unplaced:
            fig.supxlabel(  # a figure label: the layout makes room for it
                f"Not shown: {gbp(unplaced / 100)} paid to suppliers not placed (location unknown), which is "
                "neither local nor leaving.",
                fontsize=7,
                color=MID,
            )
    return fig


def local_share_chart(result: Any, ax: Axes | None = None, *, by: str = "type") -> Figure:
    """The local share of placed spend (local / placed) by supplier ``by="type"`` (VCSE, SME, large, public
    body, unknown) or by expense ``by="category"``: the 12 largest by spend and "other", each with the £
    placed behind its bar and the £ not placed (location unknown) beside it."""
    load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    table = share_table(result, by=by)
    with styled():
        fig, ax = chart_axes(ax, (7.5, 1.6 + 0.42 * max(len(table), 1)))
        rows = table[::-1].reset_index(drop=True)
        y = np.arange(len(rows))
        share = rows["share"].fillna(0).astype(float).to_numpy()
        placed = rows["placed"].to_numpy() > 0
        ax.barh(y[placed], share[placed], color=MID, edgecolor=DARK, height=0.7, label="local")
        ax.barh(
            y[placed],
            1 - share[placed],
            left=share[placed],
            color="white",
            edgecolor=DARK,
            hatch=LEAK_HATCH,
            height=0.7,
            label="placed outside the area",
        )
        ax.set_yticks(y, [wrap(g) for g in rows[by]])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        for yi, r in enumerate(row_tuples(rows)):
            text = (f"{r.share:.0%} of {gbp(r.placed / 100)} placed" if r.placed > 0 else "none placed") + (
                f"; {gbp(r.not_placed / 100)} not placed" if r.not_placed else ""
            )
            ax.text(
                1.02, yi, text, va="center", fontsize=8, transform=ax.get_yaxis_transform(), clip_on=False
            )
        what = "supplier type" if by == "type" else "expense category"
        set_title(ax, f"Local share {result.share_kind} by {what}: {result.area.name}")
        ax.set_xlabel("local / placed spend")
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def uncertainty_chart(result: Any, ax: Axes | None = None, *, scenarios: Any = None) -> Figure:
    """LM3 with its interval (only where survey answers were resampled), and each scenario's
    (``result.scenarios(...)``) beside it; when some spend is not placed, the bounds it puts on LM3 (as
    calculated, to all local), drawn dotted: a range of what is unknown, not a sampling interval."""
    load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with styled():
        rows: list[tuple[str, float, float, float]]
        if scenarios is not None and not isinstance(scenarios, pd.DataFrame):
            scenarios = scenarios.table  # a Scenarios (result.scenarios(...))
        if scenarios is None:
            i = result.interval
            rows = [("as calculated", result.lm3, i.low if i else np.nan, i.high if i else np.nan)]
        else:
            rows = list(scenarios[["scenario", "lm3", "low", "high"]].itertuples(index=False, name=None))
        bounds = getattr(result, "bounds", None)
        show_bounds = bounds is not None and bounds.not_placed > 0
        fig, ax = chart_axes(ax, (7, 1.5 + 0.5 * (len(rows) + show_bounds)))
        n = len(rows) + show_bounds
        y = np.arange(n)[::-1]
        values: list[float] = []
        for yi, (_name, lm3, low, high) in zip(y, rows, strict=False):
            if low == low:
                ax.plot([low, high], [yi, yi], color=DARK, linewidth=2, solid_capstyle="butt")
                ax.plot([low, low], [yi - 0.15, yi + 0.15], color=DARK)
                ax.plot([high, high], [yi - 0.15, yi + 0.15], color=DARK)
                values += [low, high]
            ax.plot([lm3], [yi], marker="o", color="white", markeredgecolor=DARK, markersize=8)
            text = f"£{lm3:.2f}" + (f"  ({low:.2f}-{high:.2f})" if low == low else "")
            ax.annotate(text, (lm3, yi), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=8)
            values.append(lm3)
        labels = [wrap(r[0], 40) for r in rows]
        if show_bounds and bounds is not None:
            yb = y[-1]
            marks = [(bounds.not_local, "not local")]
            if bounds.like_placed is not None:
                marks.append((bounds.like_placed, "like placed"))
            marks.append((bounds.all_local, "all local"))
            ax.plot([bounds.not_local, bounds.all_local], [yb, yb], color=DARK, linewidth=1.5, linestyle=":")
            for k, (v, name) in enumerate(marks):
                ax.plot([v], [yb], marker="|", color=DARK, markersize=12)
                ax.annotate(
                    f"{name} £{v:.2f}",
                    (v, yb),
                    xytext=(0, 9 if k % 2 == 0 else -14),
                    textcoords="offset points",
                    ha="center",
                    fontsize=8,
                )
                values.append(v)
            labels.append("if the spend not placed were...")
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, n - 0.3)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:.2f}"))
        span = max(values) - min(values) if values else 0
        ax.set_xlim(min(values) - max(span * 0.2, 0.05), max(values) + max(span * 0.2, 0.05))
        what = f"{result.interval.level:.0%} interval" if result.interval is not None else ""
        if result.interval is None:
            what = "no interval: no survey answers to resample"
        ax.set_xlabel(f"LM3 (£ per £1); {what}")
        set_title(ax, f"LM3 and how sure it is: {result_title(result)}")
    return fig


def sensitivity_chart(result: Any, ax: Axes | None = None) -> Figure:
    """A tornado chart: LM3 as each assumption moves over its stated range (``result.sensitivity``),
    largest swing at the top, around the result's LM3 (the dashed line); each end says the setting."""
    load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with styled():
        table = result.sensitivity if result.sensitivity is not None else pd.DataFrame()
        fig, ax = chart_axes(ax, (9, 1.6 + 0.7 * max(len(table), 1)))
        y = np.arange(len(table))[::-1]
        ends: list[float] = [result.lm3]
        for yi, r in zip(y, row_tuples(table), strict=True):
            (lo_v, lo_t), (hi_v, hi_t) = sorted(
                [(r.lm3_low, r.low), (r.lm3_high, r.high)], key=lambda e: e[0]
            )
            ax.barh(yi, max(hi_v - lo_v, 1e-9), left=lo_v, color=LIGHT, edgecolor=DARK, height=0.55)
            ax.annotate(
                f"{lo_t}: {lo_v:.2f}",
                (lo_v, yi),
                xytext=(-4, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=7,
            )
            ax.annotate(
                f"{hi_t}: {hi_v:.2f}",
                (hi_v, yi),
                xytext=(4, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=7,
            )
            ends += [lo_v, hi_v]
        ax.axvline(result.lm3, color=DARK, linewidth=1.2, linestyle="--")
        names = [wrap(a, 34, 3) for a in table["assumption"]] if len(table) else []
        ax.set_yticks(y, names)
        span = max(ends) - min(ends)
        pad = max(span * 0.45, 0.05)
        ax.set_xlim(min(ends) - pad, max(ends) + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:.2f}"))
        ax.set_ylim(-0.7, max(len(table), 1) - 0.3)
        ax.set_xlabel(f"LM3; dashed line: £{result.lm3:.2f} as calculated")
        set_title(ax, f"What LM3 rests on: {result.area.name}")
        if not len(table):
            ax.text(0.5, 0.5, "No assumption to move", ha="center", va="center", transform=ax.transAxes)
    return fig


def ranking_chart(summary: pd.DataFrame, ax: Axes | None = None, *, top: int = 40) -> Figure:
    """Bodies (and years) ranked by local share of placed spend, highest first: a batch's summary
    (``lm3.batch``), columns body, period, local_share and coverage. Coverage is written beside each bar:
    a share over little placed spend says little."""
    with styled():
        return _ranking(summary, ax, top)


def _ranking(summary: pd.DataFrame, ax: Axes | None, top: int) -> Figure:
    rows = summary.dropna(subset=["local_share"]).sort_values("local_share", ascending=False).head(top)
    fig, ax = chart_axes(ax, (8, max(2.5, 0.32 * len(rows) + 1.2)))
    labels = [wrap(f"{b} {p}", 36, 1) for b, p in zip(rows["body"], rows["period"], strict=True)][::-1]
    shares = rows["local_share"].astype(float).to_numpy()[::-1]
    coverage = rows["coverage"].astype(float).to_numpy()[::-1]
    y = np.arange(len(rows))
    ax.barh(y, shares, color="#333333")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0%}")
    for yi, share, cover in zip(y, shares, coverage, strict=True):
        ax.text(
            min(share + 0.01, 0.8), float(yi), f"{share:.0%} (coverage {cover:.0%})", va="center", fontsize=8
        )
    ax.set_xlabel("local share of placed spend")
    set_title(ax, "Where each body stands: local share of placed spend")
    if not len(rows):
        ax.text(0.5, 0.5, "No body with placed spend", ha="center", va="center", transform=ax.transAxes)
    return fig


CHARTS = {
    "rounds": rounds_waterfall,
    "leakage": leakage_chart,
    "local-share-by-type": lambda r, ax=None: local_share_chart(r, ax, by="type"),
    "local-share-by-category": lambda r, ax=None: local_share_chart(r, ax, by="category"),
    "flow": flow_chart,
    "map": map_chart,
    "uncertainty": uncertainty_chart,
    "sensitivity": sensitivity_chart,
}


"""Every chart by the file name ``lm3 report`` gives it."""
