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

import json
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn, not with lm3 (a third of its import time)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from lm3.values.cells import visible_text
from lm3.values.frames import row_tuples

STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#222222",
    "xtick.color": "#222222",
    "ytick.color": "#222222",
    "hatch.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.hashsalt": "lm3",  # SVG output the same on every run
    "figure.facecolor": "white",
    "text.parse_math": False,  # a supplier called "$\\alpha_$ Ltd" is text, never mathtext
}
DARK, MID, LIGHT, PALE = "#222222", "#6b6b6b", "#a8a8a8", "#e3e3e3"
LEAK_HATCH = "////"
NOT_PLACED_HATCH = ".."  # money whose location is unknown: neither local nor leaving
TOP_GROUPS = 12  # bars of a share chart; the rest are one bar, "other"


_IMPORTING = threading.Lock()


def _load_matplotlib() -> None:
    """Import the parts of matplotlib the charts use, once, under a lock: two charts drawn at once on
    threads (the web app's) would otherwise each find matplotlib half imported."""
    with _IMPORTING:
        import matplotlib.collections
        import matplotlib.figure
        import matplotlib.patches
        import matplotlib.path
        import matplotlib.ticker  # noqa: F401


@contextmanager
def _style() -> Iterator[None]:
    _load_matplotlib()
    from matplotlib import rc_context

    with rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types rc keys as a Literal of every name
        yield


@lru_cache(maxsize=1)
def chart_figure_class() -> type[Figure]:
    """``ChartFigure``: made when first asked for, with matplotlib."""
    _load_matplotlib()
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        """A matplotlib Figure that saves in lm3's style too (fixed SVG ids, so output is the same every run)."""

        def savefig(self, *args: Any, **kwargs: Any) -> None:
            with _style():
                super().savefig(*args, **kwargs)

        def _repr_png_(self) -> bytes:
            """Shown as an image in Jupyter, whatever matplotlib backend is active (no pyplot needed)."""
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    ChartFigure.__module__, ChartFigure.__qualname__ = "lm3.charts", "ChartFigure"
    return ChartFigure


def __getattr__(name: str) -> Any:
    if name == "ChartFigure":
        return chart_figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _figure(size: tuple[float, float]) -> Figure:
    return chart_figure_class()(figsize=size, layout="constrained")


def _figure_of(ax: Axes) -> Figure:
    _load_matplotlib()
    from matplotlib.figure import Figure

    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure), "an Axes drawn into belongs to a Figure"
    return fig


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return _figure_of(ax), ax
    fig = _figure(size)
    return fig, fig.add_subplot()


def _gbp(value: float, _pos: object = None) -> str:
    """£ for an axis: £1.2m, £450k, £900, £0.87 (values in pounds)."""
    v = abs(value)
    sign = "-" if value < 0 else ""
    if v >= 1e6:
        return f"{sign}£{v / 1e6:.1f}m"
    if v >= 1e3:
        return f"{sign}£{v / 1e3:.0f}k"
    if v >= 10 or v == 0:
        return f"{sign}£{v:.0f}"
    return f"{sign}£{v:.2f}"


def _title(result: Any) -> str:
    return f"{result.name or 'LM3'}, {result.area.name}"


def _text(value: object) -> str:
    """Text from input files for a chart: control characters and bidi overrides shown as escapes (a font
    has no glyph for them; they must not act), never read as mathtext (``STYLE``)."""
    return visible_text(str(value))


def _set_title(ax: Axes, text: str) -> None:
    """A title wrapped to the width of its axes' figure, never cut off."""
    width = _figure_of(ax).get_figwidth()
    ax.set_title(textwrap.fill(_text(text), max(30, int(width * 8.5))))


def _wrap(label: object, width: int = 28, lines: int = 2) -> str:
    """A tick label on at most ``lines`` lines of ``width`` characters, cut with an ellipsis beyond."""
    parts = textwrap.wrap(_text(label), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def _money_axis(axis: Any) -> None:
    """£ on an axis, with few enough ticks that their labels never run together."""
    _load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=2))
    axis.set_major_formatter(FuncFormatter(_gbp))


def rounds_waterfall(result: Any, ax: Axes | None = None) -> Figure:
    """£1 of round 1 through round 2 and round 3: what stays (solid), what leaks (hatched) and what is not
    placed (dotted: location unknown, neither) at each step, and LM3 as their sum; when some spend is not
    placed, the bounds of LM3 beside it (as calculated, to all local)."""
    with _style():
        fig, ax = _axes(ax, (7, 4.4))
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
        _money_axis(ax.yaxis)
        ax.set_ylabel("per £1 of round 1")
        ax.set_ylim(0, max(high + 0.35, top2 + 0.3, 1.0) * 1.08)
        ax.set_xlim(-0.5, 3.9)
        _set_title(ax, f"What £1 creates: {_title(result)}")
        fig.legend(loc="outside lower center", ncols=3, frameon=False)
    return fig


def leakage_table(result: Any) -> pd.DataFrame:
    """£ lost to the area per supplier (pence, ``lost``) and where it goes (``place``): all of it for
    suppliers placed outside the area; for local branches of a head office elsewhere, what they do not
    re-spend locally (round 2 - round 3), which goes to the head office's place. Spend not placed (location
    unknown) is never leakage and is not here. Largest first."""
    s = result.suppliers
    branch = s["local"] & s["head_office_lad_name"].notna() & (s["location"] == "local branch")
    away = ~s["local"] & (s["location"] != "unknown") & (s["round1"] > 0)
    lost = s[away | branch].copy()
    lost["lost"] = np.where(lost["local"], lost["leakage_round3"], lost["round1"]).astype("int64")
    lost["place"] = lost["head_office_lad_name"].where(lost["head_office_lad_name"].notna(), lost["lad_name"])
    lost["place"] = lost["place"].fillna("(no district)")
    lost = lost[lost["lost"] > 0]
    columns = ["supplier", "location", "lad_name", "head_office_lad_name", "place", "round1", "lost"]
    return lost.sort_values("lost", ascending=False, kind="stable")[columns].reset_index(drop=True)


def leakage_chart(result: Any, ax: Axes | None = None, *, top: int = 10) -> Figure:
    """The ``top`` suppliers by £ leaving the area in round 2 (placed outside it, and the head-office share
    of local branches), and beside them the places that £ goes to (head office, else the supplier's own
    place). Spend not placed is not leakage: its total is noted, never drawn as leaving. With ``ax``, only
    the suppliers are drawn."""
    with _style():
        lost = leakage_table(result)
        if ax is None:
            fig = _figure((10, 4.8))
            left, right = fig.subplots(1, 2, width_ratios=[3, 2])
        else:
            fig, left, right = _figure_of(ax), ax, None
        bars = lost.head(top)[::-1]
        _hbars(left, bars["supplier"], bars["lost"] / 100, hatch=LEAK_HATCH)
        left.set_title(textwrap.fill(_text(f"Spend leaving {result.area.name}: top suppliers"), 45))
        if right is not None:
            places = lost.groupby("place")["lost"].sum().sort_values(ascending=False).head(top)[::-1]
            _hbars(right, places.index, places.to_numpy() / 100, hatch="xx")
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
                f"Not shown: {_gbp(unplaced / 100)} paid to suppliers not placed (location unknown), which is "
                "neither local nor leaving.",
                fontsize=7,
                color=MID,
            )
    return fig


def _hbars(ax: Axes, labels: pd.Series | pd.Index, values: Any, *, hatch: str | None = None) -> None:
    values = np.asarray(values, dtype=float)
    y = np.arange(len(values))
    ax.barh(y, values, color="white" if hatch else MID, edgecolor=DARK, hatch=hatch, height=0.7)
    ax.set_yticks(y, [_wrap(label, 32) for label in labels])
    _money_axis(ax.xaxis)
    top = values.max() if len(values) else 1.0
    for yi, v in zip(y, values, strict=True):
        ax.text(v + top * 0.01, float(yi), _gbp(v), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18 if top > 0 else 1)


def share_table(result: Any, *, by: str = "type", top: int = TOP_GROUPS) -> pd.DataFrame:
    """Supplier spend by supplier ``by="type"`` or expense ``by="category"`` (pence): ``placed``, ``local``,
    ``not_placed``, and ``share`` = local / placed (None where nothing was placed); the ``top`` groups by
    spend, the rest summed as one "other" row. Largest spend first."""
    if by not in ("type", "category"):
        raise ValueError("by must be 'type' or 'category'")
    if by == "type":
        s = result.suppliers
        rows = pd.DataFrame(
            {
                "group": s["type"].fillna("unknown").to_numpy(),
                "round1": s["round1"].to_numpy(),
                "location": s["location"].to_numpy(),
                "local": s["local"].to_numpy(),
            }
        )
    else:
        detail = result.detail
        if detail is None:
            raise ValueError("This result has no spend by category: compute it with lm3.calculate.")
        where = detail.trace.drop_duplicates("key").set_index("key")
        c = detail.categories
        rows = pd.DataFrame(
            {
                "group": c["category"].fillna("(no category)").to_numpy(),
                "round1": c["round1"].to_numpy(),
                "location": c["key"].map(where["location"]).fillna("unknown").to_numpy(),
                "local": c["key"].map(where["local"]).fillna(False).astype(bool).to_numpy(),
            }
        )
    placed = rows["location"] != "unknown"
    table = (
        rows.assign(
            placed=rows["round1"].where(placed, 0),
            local=rows["round1"].where(rows["local"], 0),
            not_placed=rows["round1"].where(~placed, 0),
        )
        .groupby("group")[["round1", "placed", "local", "not_placed"]]
        .sum()
    )
    table = table[table["round1"] > 0].sort_values("round1", ascending=False, kind="stable")
    if len(table) > top:
        rest = table.iloc[top - 1 :]
        other = rest.sum().to_frame(f"other ({len(rest)} {'types' if by == 'type' else 'categories'})").T
        table = pd.concat([table.iloc[: top - 1], other])
    table["share"] = [
        local / placed if placed > 0 else None
        for local, placed in zip(table["local"], table["placed"], strict=True)
    ]
    return table.rename_axis(by).reset_index()


def local_share_chart(result: Any, ax: Axes | None = None, *, by: str = "type") -> Figure:
    """The local share of placed spend (local / placed) by supplier ``by="type"`` (VCSE, SME, large, public
    body, unknown) or by expense ``by="category"``: the 12 largest by spend and "other", each with the £
    placed behind its bar and the £ not placed (location unknown) beside it."""
    _load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    table = share_table(result, by=by)
    with _style():
        fig, ax = _axes(ax, (7.5, 1.6 + 0.42 * max(len(table), 1)))
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
        ax.set_yticks(y, [_wrap(g) for g in rows[by]])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        for yi, r in enumerate(row_tuples(rows)):
            text = (f"{r.share:.0%} of {_gbp(r.placed / 100)} placed" if r.placed > 0 else "none placed") + (
                f"; {_gbp(r.not_placed / 100)} not placed" if r.not_placed else ""
            )
            ax.text(
                1.02, yi, text, va="center", fontsize=8, transform=ax.get_yaxis_transform(), clip_on=False
            )
        what = "supplier type" if by == "type" else "expense category"
        _set_title(ax, f"Local share of placed spend by {what}: {result.area.name}")
        ax.set_xlabel("local / placed spend")
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


def flow_chart(result: Any, ax: Axes | None = None) -> Figure:
    """The flow of £1 (Sankey-style): round 1 to local suppliers, local staff, non-local suppliers (and
    those of unknown location), and staff pay that leaves (staff living elsewhere; deductions on a net pay
    basis); then what local suppliers and staff re-spend locally and what leaks. Band widths are £ per £1
    of round 1."""
    _load_matplotlib()
    from matplotlib.patches import Polygon

    with _style():
        fig, ax = _axes(ax, (9, 5))
        s, staff = result.suppliers, result.staff
        r1 = result.round1
        has_staff = len(staff) > 0
        local_sup = int(s.loc[s["local"], "round2"].sum())
        local_staff = int(staff.loc[staff["home"] == "in the area", "round2"].sum()) if has_staff else 0
        unplaced = int(s["not_placed"].sum()) + (int(staff["not_placed"].sum()) if has_staff else 0)
        suppliers_away = int(s["leakage_round2"].sum())  # placed outside the area
        staff_away = int(staff["leakage_round2"].sum()) if has_staff else 0  # elsewhere; deductions
        unspent = r1 - int(s["round1"].sum()) - (int(staff["round1"].sum()) if has_staff else 0)
        respent = result.round3
        leak3 = local_sup + local_staff - respent
        middle = [
            ("local suppliers", local_sup, MID),
            ("local staff", local_staff, LIGHT),
            ("non-local suppliers", suppliers_away, "white"),
            ("not placed (location unknown)", unplaced, PALE),
            ("staff pay leaving the area", staff_away, "white"),
        ]
        if unspent > 0:  # income given beyond the spending analysed
            middle.append(("income not in the spending analysed", unspent, "white"))
        middle = [m for m in middle if m[1] > 0 or m[0] == "local suppliers"]
        right = [("re-spent locally", respent, LIGHT), ("leaks in round 3", leak3, "white")]
        gap = 0.04

        def stack(items: list[tuple[str, int, str]]) -> list[tuple[float, float]]:
            total = sum(max(v, 0) for _, v, _ in items) / r1 + gap * (len(items) - 1)
            top, spans = (1 + total) / 2, []
            for _, v, _ in items:
                h = max(v, 0) / r1
                spans.append((top - h, top))
                top -= h + gap
            return spans

        x0, x1, x2, w = 0.0, 1.0, 2.0, 0.08
        mid_spans = stack(middle)
        right_spans = stack(right)
        ax.add_patch(Polygon([(x0 - w, 0), (x0, 0), (x0, 1), (x0 - w, 1)], closed=True, color=DARK))
        ax.text(
            x0 - w - 0.02,
            0.5,
            f"£1.00\n{'income' if result.income_given else 'spent'}",
            ha="right",
            va="center",
        )
        top = 1.0
        hatches = {"white": LEAK_HATCH, PALE: NOT_PLACED_HATCH}
        label_at = _spread([(lo + hi) / 2 for lo, hi in mid_spans], gap=0.075)
        for (label, value, colour), (lo, hi), at in zip(middle, mid_spans, label_at, strict=True):
            h = max(value, 0) / r1
            _band(ax, x0, (top - h, top), x1 - w, (lo, hi), colour, hatch=hatches.get(colour))
            ax.add_patch(Polygon([(x1 - w, lo), (x1, lo), (x1, hi), (x1 - w, hi)], closed=True, color=DARK))
            if abs(at - (lo + hi) / 2) > 0.005:  # moved apart from a neighbour: a leader line to its band
                ax.plot([x1, x1 + 0.03], [(lo + hi) / 2, at], color=MID, linewidth=0.6)
            ax.text(
                x1 + 0.03,
                at,
                f"{label} £{h:.2f}",
                va="center",
                fontsize=8,
                zorder=5,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LIGHT},
            )
            top -= h
        # round 3: what local suppliers and staff received splits into re-spent locally and leaked; the bands
        # start from the two sources' spans taken together (top of suppliers to bottom of staff)
        local_spans = [
            span for (label, _, _), span in zip(middle, mid_spans, strict=True) if label.startswith("local")
        ]
        seg_top = local_spans[0][1]
        scale = (local_spans[0][1] - local_spans[-1][0]) / max((local_sup + local_staff) / r1, 1e-9)
        right_at = _spread([(lo + hi) / 2 for lo, hi in right_spans], gap=0.075)
        for (label, value, colour), (lo, hi), at in zip(right, right_spans, right_at, strict=True):
            h = max(value, 0) / r1
            start = (seg_top - h * scale, seg_top)
            hatch = None if colour != "white" else LEAK_HATCH
            _band(ax, x1, start, x2 - w, (lo, hi), colour, hatch=hatch)
            ax.add_patch(Polygon([(x2 - w, lo), (x2, lo), (x2, hi), (x2 - w, hi)], closed=True, color=DARK))
            ax.text(x2 + 0.02, at, f"{label} £{h:.2f}", va="center", fontsize=8)
            seg_top -= h * scale
        ax.set_xlim(-0.45, 2.75)
        ax.set_ylim(-0.1, 1.15)
        ax.axis("off")
        _set_title(ax, f"Where £1 goes: {_title(result)} (LM3 £{result.lm3:.2f})")
    return fig


def _spread(centres: list[float], gap: float) -> list[float]:
    """Label heights near ``centres`` (top to bottom, descending) at least ``gap`` apart: each pushed down
    from the one above it as need be, then the whole column lifted back if it fell below the lowest."""
    out: list[float] = []
    for c in centres:
        out.append(min(c, out[-1] - gap) if out else c)
    if out and out[-1] < min(centres):
        lift = min(centres) - out[-1]
        out = [v + lift for v in out]
    return out


def _band(
    ax: Axes,
    xa: float,
    a: tuple[float, float],
    xb: float,
    b: tuple[float, float],
    colour: str,
    hatch: str | None,
) -> None:
    """A Sankey band from span ``a`` at ``xa`` to span ``b`` at ``xb``, edges as smooth cubic curves."""
    _load_matplotlib()
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    mx = (xa + xb) / 2
    verts = [
        (xa, a[1]),
        (mx, a[1]),
        (mx, b[1]),
        (xb, b[1]),
        (xb, b[0]),
        (mx, b[0]),
        (mx, a[0]),
        (xa, a[0]),
        (xa, a[1]),
    ]
    codes = [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4]
    codes += [MplPath.LINETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4, MplPath.CLOSEPOLY]
    ax.add_patch(
        PathPatch(
            MplPath(verts, codes), facecolor=colour, edgecolor=DARK, linewidth=0.5, hatch=hatch, alpha=0.9
        )
    )


@lru_cache(maxsize=1)
def _boundaries() -> dict[str, tuple[str, list[np.ndarray]]]:
    """LAD code -> (name, outer rings as lon/lat arrays), from the ONS May 2023 ultra-generalised boundaries
    shipped in lm3/data (OGL; contains OS data © Crown copyright and database right 2023). LAD25 codes
    that changed since (Barnsley, Sheffield) are added."""
    with resources.files("lm3").joinpath("data/lad_boundaries.geojson").open("rb") as f:
        data = json.load(f)
    out: dict[str, tuple[str, list[np.ndarray]]] = {}
    for feature in data["features"]:
        props, geom = feature["properties"], feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        out[props["LAD23CD"]] = (props["LAD23NM"], [np.asarray(p[0], dtype=float) for p in polygons])
    for old, new in (("E08000016", "E08000038"), ("E08000019", "E08000039")):
        if old in out:
            out[new] = out[old]
    return out


def _map_frame(ax: Axes, lo: np.ndarray, hi: np.ndarray, kx: float, title: str) -> None:
    """A map's frame: its extent (lon/lat) at the true scale for its latitude, no axes, the title and the
    boundaries' credit."""
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_aspect(1 / kx)
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    _set_title(ax, title)
    ax.text(0.0, -0.02, "ONS boundaries (OGL); contains OS data © Crown copyright 2023", transform=ax.transAxes,
            fontsize=6, color=MID, va="top")  # fmt: skip


def map_chart(result: Any, ax: Axes | None = None, *, margin_km: float = 25) -> Figure:
    """£ paid to suppliers by the local authority district where they are (darker: more £), around the
    area (outlined) and as far as ``margin_km`` beyond the districts with spend nearest it; spend further
    afield is listed beside the map. Drawn with matplotlib from ONS boundaries. Works for an
    ``lm3.locate`` result too (the £ placed)."""
    _load_matplotlib()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    with _style():
        fig, ax = _axes(ax, (7, 7))
        shapes = _boundaries()
        s = result.suppliers
        spend = s[s["round1"] > 0].groupby("lad")["round1"].sum() / 100
        area_codes = set(result.area.codes)
        area_rings = [r for c in area_codes if c in shapes for r in shapes[c][1]]
        if area_rings:
            pts = np.vstack(area_rings)
        else:  # an area not made of districts: frame the districts with spend
            pts = np.vstack(
                [r for c in spend.index if c in shapes for r in shapes[c][1]] or [np.zeros((1, 2))]
            )
        lat0 = float(pts[:, 1].mean())
        kx = np.cos(np.radians(lat0))
        pad_lon, pad_lat = margin_km / (111 * kx), margin_km / 111
        pad = np.array([pad_lon, pad_lat])
        lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
        top = float(spend.max()) if len(spend) else 1.0
        patches, colours, edges = [], [], []
        for code, (_name, rings) in shapes.items():
            for ring in rings:
                if (
                    (ring[:, 0].max() < lo[0])
                    or (ring[:, 0].min() > hi[0])
                    or (ring[:, 1].max() < lo[1])
                    or (ring[:, 1].min() > hi[1])
                ):
                    continue
                patches.append(Polygon(ring, closed=True))
                value = float(spend.get(code, 0.0))
                shade = 0.95 - 0.8 * (np.sqrt(value / top) if value > 0 else 0) if value > 0 else 1.0
                colours.append((shade, shade, shade))
                edges.append(LIGHT)
        ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors=edges, linewidths=0.4))
        for ring in area_rings:  # black under white dashes: visible on dark and pale districts alike
            ax.plot(ring[:, 0], ring[:, 1], color=DARK, linewidth=3.2)
            ax.plot(ring[:, 0], ring[:, 1], color="white", linewidth=1.2, linestyle=(0, (4, 2)))
        shown = set()
        for code, value in spend.sort_values(ascending=False).items():
            if code not in shapes:
                continue
            name, rings = shapes[code]
            centre = np.vstack(rings).mean(axis=0)
            if lo[0] <= centre[0] <= hi[0] and lo[1] <= centre[1] <= hi[1]:
                ax.annotate(
                    f"{name}\n{_gbp(value)}",
                    centre,
                    ha="center",
                    va="center",
                    fontsize=7,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LIGHT, "alpha": 0.85},
                )
                shown.add(code)
        elsewhere = spend[[c for c in spend.index if c not in shown]].sort_values(ascending=False)
        if len(elsewhere):
            names = [shapes[c][0] if c in shapes else str(c) for c in elsewhere.index]
            lines = [f"{n}: {_gbp(v)}" for n, v in zip(names, elsewhere.to_numpy(), strict=True)][:8]
            more = len(elsewhere) - len(lines)
            text = "Elsewhere:\n" + "\n".join(lines) + (f"\nand {more} more" if more > 0 else "")
            ax.text(
                1.0,
                0.0,
                text,
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=7,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": LIGHT},
            )
        outlined = f"{result.area.name} outlined" if area_rings else f"area: {result.area.name}"
        _map_frame(ax, lo, hi, kx, f"Where suppliers are: £ paid by district, {outlined}")
    return fig


def uncertainty_chart(
    result: Any, ax: Axes | None = None, *, scenarios: pd.DataFrame | None = None
) -> Figure:
    """LM3 with its interval (only where survey answers were resampled), and each scenario's
    (``result.scenarios(...)``) beside it; when some spend is not placed, the bounds it puts on LM3 (as
    calculated, to all local), drawn dotted: a range of what is unknown, not a sampling interval."""
    _load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with _style():
        rows: list[tuple[str, float, float, float]]
        if scenarios is None:
            i = result.interval
            rows = [("as calculated", result.lm3, i.low if i else np.nan, i.high if i else np.nan)]
        else:
            rows = list(scenarios[["scenario", "lm3", "low", "high"]].itertuples(index=False, name=None))
        bounds = getattr(result, "bounds", None)
        show_bounds = bounds is not None and bounds.not_placed > 0
        fig, ax = _axes(ax, (7, 1.5 + 0.5 * (len(rows) + show_bounds)))
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
        labels = [_wrap(r[0], 40) for r in rows]
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
        _set_title(ax, f"LM3 and how sure it is: {_title(result)}")
    return fig


def sensitivity_chart(result: Any, ax: Axes | None = None) -> Figure:
    """A tornado chart: LM3 as each assumption moves over its stated range (``result.sensitivity``),
    largest swing at the top, around the result's LM3 (the dashed line); each end says the setting."""
    _load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    with _style():
        table = result.sensitivity if result.sensitivity is not None else pd.DataFrame()
        fig, ax = _axes(ax, (9, 1.6 + 0.7 * max(len(table), 1)))
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
        names = [_wrap(a, 34, 3) for a in table["assumption"]] if len(table) else []
        ax.set_yticks(y, names)
        span = max(ends) - min(ends)
        pad = max(span * 0.45, 0.05)
        ax.set_xlim(min(ends) - pad, max(ends) + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:.2f}"))
        ax.set_ylim(-0.7, max(len(table), 1) - 0.3)
        ax.set_xlabel(f"LM3; dashed line: £{result.lm3:.2f} as calculated")
        _set_title(ax, f"What LM3 rests on: {result.area.name}")
        if not len(table):
            ax.text(0.5, 0.5, "No assumption to move", ha="center", va="center", transform=ax.transAxes)
    return fig


def ranking_chart(summary: pd.DataFrame, ax: Axes | None = None, *, top: int = 40) -> Figure:
    """Bodies (and years) ranked by local share of placed spend, highest first: a batch's summary
    (``lm3.batch``), columns body, period, local_share and coverage. Coverage is written beside each bar:
    a share over little placed spend says little."""
    with _style():
        return _ranking(summary, ax, top)


def _ranking(summary: pd.DataFrame, ax: Axes | None, top: int) -> Figure:
    rows = summary.dropna(subset=["local_share"]).sort_values("local_share", ascending=False).head(top)
    fig, ax = _axes(ax, (8, max(2.5, 0.32 * len(rows) + 1.2)))
    labels = [_wrap(f"{b} {p}", 36, 1) for b, p in zip(rows["body"], rows["period"], strict=True)][::-1]
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
    _set_title(ax, "Where each body stands: local share of placed spend")
    if not len(rows):
        ax.text(0.5, 0.5, "No body with placed spend", ha="center", va="center", transform=ax.transAxes)
    return fig


def local_share_map(summary: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Each body's area (its districts, ``lads``: ONS codes joined by ";") shaded by its local share of
    placed spend, latest period of each body: a batch's summary (``lm3.batch``). Darker: a larger local
    share; districts of no body are left white."""
    _load_matplotlib()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    with _style():
        fig, ax = _axes(ax, (7, 8))
        shapes = _boundaries()
        latest = summary.dropna(subset=["local_share"]).sort_values("period").groupby("body").tail(1)
        share: dict[str, float] = {}
        for lads, value in zip(latest["lads"], latest["local_share"], strict=True):
            for code in str(lads).split(";"):
                if code:
                    share[code] = float(value)
        rings_in = [r for c in share if c in shapes for r in shapes[c][1]]
        pts = np.vstack(rings_in) if rings_in else np.vstack([r for _, rs in shapes.values() for r in rs])
        kx = np.cos(np.radians(float(pts[:, 1].mean())))
        pad = np.array([30 / (111 * kx), 30 / 111])
        lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
        patches, colours = [], []
        for code, (_name, rings) in shapes.items():
            for ring in rings:
                if (
                    ring[:, 0].max() < lo[0]
                    or ring[:, 0].min() > hi[0]
                    or ring[:, 1].max() < lo[1]
                    or ring[:, 1].min() > hi[1]
                ):
                    continue
                patches.append(Polygon(ring, closed=True))
                value = share.get(code)
                shade = 1.0 if value is None else 0.9 - 0.75 * min(max(value, 0.0), 1.0)
                colours.append((shade, shade, shade))
        ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors=LIGHT, linewidths=0.4))
        for body, lads, value in zip(latest["body"], latest["lads"], latest["local_share"], strict=True):
            rings = [r for c in str(lads).split(";") if c in shapes for r in shapes[c][1]]
            if rings:
                centre = np.vstack(rings).mean(axis=0)
                ax.annotate(
                    f"{_wrap(body, 22, 2)}\n{float(value):.0%}",
                    centre,
                    ha="center",
                    va="center",
                    fontsize=7,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LIGHT, "alpha": 0.85},
                )
        _map_frame(ax, lo, hi, kx, "Local share of placed spend, by body (darker: more stays local)")
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
