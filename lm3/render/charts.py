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
- ``local_share_chart``: the local share of spend by supplier type or by expense category.
- ``flow_chart``: the flow of £1 (Sankey-style): to local and non-local suppliers and staff, then re-spent
  locally or leaking.
- ``map_chart``: £ by the local authority district where suppliers are, the area outlined (ONS boundaries).
- ``uncertainty_chart``: LM3 with its interval, and scenarios side by side.
- ``sensitivity_chart``: a tornado chart of LM3 as each assumption moves over its range.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch, Polygon
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

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
}
DARK, MID, LIGHT, PALE = "#222222", "#6b6b6b", "#a8a8a8", "#e3e3e3"
LEAK_HATCH = "////"


@contextmanager
def _style() -> Iterator[None]:
    with rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types rc keys as a Literal of every name
        yield


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


def _figure(size: tuple[float, float]) -> Figure:
    return ChartFigure(figsize=size, layout="constrained")


def _figure_of(ax: Axes) -> Figure:
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


def rounds_waterfall(result: Any, ax: Axes | None = None) -> Figure:
    """£1 of round 1 through round 2 and round 3: what stays (solid) and what leaks (hatched) at each
    step, and LM3 as their sum."""
    with _style():
        fig, ax = _axes(ax, (7, 4))
        r1, r2, r3 = result.round1, result.round2, result.round3
        per = [1.0, r2 / r1, r3 / r1]
        leaks = [0.0, (r1 - r2) / r1, (r2 - r3) / r1]
        labels = [
            "Round 1\nspent",
            "Round 2\nto local suppliers\nand staff",
            "Round 3\nre-spent locally",
            "LM3",
        ]
        x = np.arange(4)
        ax.bar(x[:3], per, color=[DARK, MID, LIGHT], edgecolor=DARK, width=0.6, label="stays in the area")
        ax.bar(
            x[1:3],
            leaks[1:],
            bottom=per[1:],
            color="white",
            edgecolor=DARK,
            hatch=LEAK_HATCH,
            width=0.6,
            label="leaks out of the area",
        )
        bottoms = [0.0, per[0], per[0] + per[1]]
        for i in range(3):  # the LM3 bar, stacked from the three rounds
            ax.bar(x[3], per[i], bottom=bottoms[i], color=[DARK, MID, LIGHT][i], edgecolor=DARK, width=0.6)
        for i, value in enumerate(per):
            ax.text(
                x[i], value / 2, f"£{value:.2f}", ha="center", va="center", color="white" if i < 2 else DARK
            )
            if leaks[i]:
                ax.text(x[i], value + leaks[i] + 0.03, f"leaks £{leaks[i]:.2f}", ha="center", va="bottom")
        ax.text(x[3], sum(per) + 0.03, f"£{result.lm3:.2f}", ha="center", va="bottom", fontweight="bold")
        ax.set_xticks(x, labels)
        ax.yaxis.set_major_formatter(FuncFormatter(_gbp))
        ax.set_ylabel("per £1 of round 1")
        ax.set_ylim(0, max(sum(per), 1.0) * 1.15)
        ax.set_title(f"What £1 creates: {_title(result)}")
        ax.legend(loc="upper left", frameon=False)
    return fig


def leakage_table(result: Any) -> pd.DataFrame:
    """£ lost to the area per supplier (pence, ``lost``) and where it goes (``place``): all of it for
    suppliers that are not local (placed elsewhere, or of unknown location); for local branches of a
    head office elsewhere, what they do not re-spend locally (round 2 - round 3), which goes to the head
    office's place. Largest first."""
    s = result.suppliers
    branch = s["local"] & s["head_office_lad_name"].notna() & (s["location"] == "local branch")
    lost = s[(~s["local"] & (s["round1"] > 0)) | branch].copy()
    lost["lost"] = np.where(lost["local"], lost["leakage_round3"], lost["round1"]).astype("int64")
    lost["place"] = lost["head_office_lad_name"].where(lost["head_office_lad_name"].notna(), lost["lad_name"])
    unknown = lost["location"] == "unknown"
    lost["place"] = lost["place"].where(~unknown, "location unknown").fillna("location unknown")
    lost = lost[lost["lost"] > 0]
    columns = ["supplier", "location", "lad_name", "head_office_lad_name", "place", "round1", "lost"]
    return lost.sort_values("lost", ascending=False, kind="stable")[columns].reset_index(drop=True)


def leakage_chart(result: Any, ax: Axes | None = None, *, top: int = 10) -> Figure:
    """The ``top`` suppliers by £ lost to the area in round 2 (not local: placed elsewhere, or unknown),
    and beside them the places that £ goes to (head office, else the supplier's own place). With ``ax``,
    only the suppliers are drawn."""
    with _style():
        lost = leakage_table(result)
        if ax is None:
            fig = _figure((10, 4.5))
            left, right = fig.subplots(1, 2, width_ratios=[3, 2])
        else:
            fig, left, right = _figure_of(ax), ax, None
        bars = lost.head(top)[::-1]
        _hbars(left, bars["supplier"].astype(str), bars["lost"] / 100, hatch=LEAK_HATCH)
        left.set_title(f"Spend leaving {result.area.name}: top suppliers")
        if right is not None:
            places = lost.groupby("place")["lost"].sum().sort_values(ascending=False).head(top)[::-1]
            _hbars(right, places.index.astype(str), places.to_numpy() / 100, hatch="xx")
            right.set_title("...and where it goes")
        if lost.empty:
            left.text(
                0.5, 0.5, "No spend leaves the area", ha="center", va="center", transform=left.transAxes
            )
    return fig


def _hbars(ax: Axes, labels: pd.Series | pd.Index, values: Any, *, hatch: str | None = None) -> None:
    values = np.asarray(values, dtype=float)
    y = np.arange(len(values))
    ax.barh(y, values, color="white" if hatch else MID, edgecolor=DARK, hatch=hatch, height=0.7)
    ax.set_yticks(y, [str(label)[:40] for label in labels])
    ax.xaxis.set_major_formatter(FuncFormatter(_gbp))
    top = values.max() if len(values) else 1.0
    for yi, v in zip(y, values, strict=True):
        ax.text(v + top * 0.01, float(yi), _gbp(v), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18 if top > 0 else 1)


def local_share_chart(result: Any, ax: Axes | None = None, *, by: str = "type") -> Figure:
    """The local share of spend (round 2 / round 1) by supplier ``by="type"`` (VCSE, SME, large, public
    body, unknown) or by expense ``by="category"``, with the £ behind each bar."""
    if by not in ("type", "category"):
        raise ValueError("by must be 'type' or 'category'")
    with _style():
        fig, ax = _axes(ax, (7, 4))
        if by == "type":
            s = result.suppliers
            table = s.groupby(s["type"].fillna("unknown"))[["round1", "round2"]].sum()
        else:
            detail = result.detail
            if detail is None:
                raise ValueError("This result has no spend by category: compute it with lm3.calculate.")
            local = dict(zip(detail.trace["key"], detail.trace["local"], strict=True))
            c = detail.categories.assign(
                category=detail.categories["category"].fillna("(no category)"),
                round2=lambda d: d["round1"].where(d["key"].map(local).fillna(False).astype(bool), 0),
            )
            table = c.groupby("category")[["round1", "round2"]].sum()
        table = table[table["round1"] > 0]
        table = table.assign(share=table["round2"] / table["round1"]).sort_values("share")
        y = np.arange(len(table))
        ax.barh(y, table["share"], color=MID, edgecolor=DARK, height=0.7, label="local")
        ax.barh(
            y,
            1 - table["share"],
            left=table["share"],
            color="white",
            edgecolor=DARK,
            hatch=LEAK_HATCH,
            height=0.7,
            label="not local",
        )
        ax.set_yticks(y, [str(i)[:30] for i in table.index])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
        ax.set_xlim(0, 1.32)
        for yi, (share, r1) in enumerate(zip(table["share"], table["round1"], strict=True)):
            ax.text(1.02, yi, f"{share:.0%} of {_gbp(r1 / 100)}", va="center", fontsize=8)
        what = "supplier type" if by == "type" else "expense category"
        ax.set_title(f"Local share of spend by {what}: {result.area.name}")
        ax.legend(loc="lower right", frameon=False)
    return fig


def flow_chart(result: Any, ax: Axes | None = None) -> Figure:
    """The flow of £1 (Sankey-style): round 1 to local suppliers, local staff, non-local suppliers (and
    those of unknown location), and staff pay that leaves (staff living elsewhere; deductions on a net pay
    basis); then what local suppliers and staff re-spend locally and what leaks. Band widths are £ per £1
    of round 1."""
    with _style():
        fig, ax = _axes(ax, (9, 5))
        s, staff = result.suppliers, result.staff
        r1 = result.round1
        local_sup = int(s.loc[s["local"], "round2"].sum())
        local_staff = int(staff.loc[staff["home"] == "in the area", "round2"].sum()) if len(staff) else 0
        suppliers_away = int(s["round1"].sum()) - local_sup  # non-local and unknown location
        staff_away = (int(staff["round1"].sum()) if len(staff) else 0) - local_staff  # elsewhere; deductions
        unspent = r1 - int(s["round1"].sum()) - (int(staff["round1"].sum()) if len(staff) else 0)
        respent = result.round3
        leak3 = local_sup + local_staff - respent
        middle = [
            ("local suppliers", local_sup, MID),
            ("local staff", local_staff, LIGHT),
            ("non-local suppliers", suppliers_away, "white"),
            ("staff pay leaving the area", staff_away, "white"),
        ]
        if unspent > 0:  # income given beyond the spending analysed
            middle.append(("income not in the spending analysed", unspent, "white"))
        middle = [m for m in middle if m[1] > 0 or m[0].startswith("local")]
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
        for (label, value, colour), (lo, hi) in zip(middle, mid_spans, strict=True):
            h = max(value, 0) / r1
            _band(
                ax,
                x0,
                (top - h, top),
                x1 - w,
                (lo, hi),
                colour,
                hatch=None if colour != "white" else LEAK_HATCH,
            )
            ax.add_patch(Polygon([(x1 - w, lo), (x1, lo), (x1, hi), (x1 - w, hi)], closed=True, color=DARK))
            ax.text(
                x1 + 0.03,
                (lo + hi) / 2,
                f"{label}\n£{h:.2f}",
                va="center",
                fontsize=8,
                zorder=5,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LIGHT},
            )
            top -= h
        # round 3: what local suppliers and staff received splits into re-spent locally and leaked; the bands
        # start from the two sources' spans taken together (top of suppliers to bottom of staff)
        seg_top = mid_spans[0][1]
        scale = (mid_spans[0][1] - mid_spans[1][0]) / max((local_sup + local_staff) / r1, 1e-9)
        for (label, value, colour), (lo, hi) in zip(right, right_spans, strict=True):
            h = max(value, 0) / r1
            start = (seg_top - h * scale, seg_top)
            hatch = None if colour != "white" else LEAK_HATCH
            _band(ax, x1, start, x2 - w, (lo, hi), colour, hatch=hatch)
            ax.add_patch(Polygon([(x2 - w, lo), (x2, lo), (x2, hi), (x2 - w, hi)], closed=True, color=DARK))
            ax.text(x2 + 0.02, (lo + hi) / 2, f"{label}\n£{h:.2f}", va="center", fontsize=8)
            seg_top -= h * scale
        ax.set_xlim(-0.45, 2.55)
        ax.set_ylim(-0.1, 1.15)
        ax.axis("off")
        ax.set_title(f"Where £1 goes: {_title(result)} (LM3 £{result.lm3:.2f})")
    return fig


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


def map_chart(result: Any, ax: Axes | None = None, *, margin_km: float = 25) -> Figure:
    """£ paid to suppliers by the local authority district where they are (darker: more £), around the
    area (outlined) and as far as ``margin_km`` beyond the districts with spend nearest it; spend further
    afield is listed beside the map. Drawn with matplotlib from ONS boundaries. Works for an
    ``lm3.locate`` result too (the £ placed)."""
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
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_aspect(1 / kx)
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        outlined = f"{result.area.name} outlined" if area_rings else f"area: {result.area.name}"
        ax.set_title(f"Where suppliers are: £ paid by district, {outlined}")
        ax.text(
            0.0,
            -0.02,
            "ONS boundaries (OGL); contains OS data © Crown copyright 2023",
            transform=ax.transAxes,
            fontsize=6,
            color=MID,
            va="top",
        )
    return fig


def uncertainty_chart(
    result: Any, ax: Axes | None = None, *, scenarios: pd.DataFrame | None = None
) -> Figure:
    """LM3 with its interval, and each scenario's (``result.scenarios(...)``) beside it."""
    with _style():
        table = scenarios if scenarios is not None else None
        rows = []
        if table is None:
            i = result.interval
            rows.append(("as now", result.lm3, i.low if i else np.nan, i.high if i else np.nan))
        else:
            rows = list(table[["scenario", "lm3", "low", "high"]].itertuples(index=False, name=None))
        fig, ax = _axes(ax, (7, 1.2 + 0.5 * len(rows)))
        y = np.arange(len(rows))[::-1]
        for yi, (_name, lm3, low, high) in zip(y, rows, strict=True):
            if low == low:
                ax.plot([low, high], [yi, yi], color=DARK, linewidth=2, solid_capstyle="butt")
                ax.plot([low, low], [yi - 0.15, yi + 0.15], color=DARK)
                ax.plot([high, high], [yi - 0.15, yi + 0.15], color=DARK)
            ax.plot([lm3], [yi], marker="o", color="white", markeredgecolor=DARK, markersize=8)
            text = f"£{lm3:.2f}" + (f"  ({low:.2f}-{high:.2f})" if low == low else "")
            ax.annotate(text, (lm3, yi), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=8)
        ax.set_yticks(y, [str(r[0])[:45] for r in rows])
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:.2f}"))
        values = [v for r in rows for v in r[1:] if v == v]
        span = max(values) - min(values) if values else 0
        ax.set_xlim(min(values) - max(span * 0.25, 0.05), max(values) + max(span * 0.25, 0.05))
        level = f"{result.interval.level:.0%} " if result.interval is not None else ""
        ax.set_xlabel(f"LM3 (£ per £1), {level}interval")
        ax.set_title(f"LM3 and how sure it is: {_title(result)}")
    return fig


def sensitivity_chart(result: Any, ax: Axes | None = None) -> Figure:
    """A tornado chart: LM3 as each assumption moves over its stated range (``result.sensitivity``),
    largest swing at the top, around the result's LM3 (the dashed line); each end says the setting."""
    import textwrap

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
        names = ["\n".join(textwrap.wrap(str(a), 34)) for a in table["assumption"]] if len(table) else []
        ax.set_yticks(y, names)
        span = max(ends) - min(ends)
        pad = max(span * 0.45, 0.05)
        ax.set_xlim(min(ends) - pad, max(ends) + pad)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"£{v:.2f}"))
        ax.set_ylim(-0.7, max(len(table), 1) - 0.3)
        ax.set_xlabel(f"LM3; dashed line: £{result.lm3:.2f} as calculated")
        ax.set_title(f"What LM3 rests on: {result.area.name}")
        if not len(table):
            ax.text(0.5, 0.5, "No assumption to move", ha="center", va="center", transform=ax.transAxes)
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
