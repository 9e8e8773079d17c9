"""The flow chart: round 1 to round 2 and 3, local and leaving, as bands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    load_matplotlib,
    result_title,
    set_title,
    styled,
)


def flow_chart(result: Any, ax: Axes | None = None) -> Figure:
    """The flow of £1 (Sankey-style): round 1 to local suppliers, local staff, non-local suppliers (and
    those of unknown location), and staff pay that leaves (staff living elsewhere; deductions on a net pay
    basis); then what local suppliers and staff re-spend locally and what leaks. Band widths are £ per £1
    of round 1."""
    load_matplotlib()
    from matplotlib.patches import Polygon

    with styled():
        fig, ax = chart_axes(ax, (9, 5))
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
        set_title(ax, f"Where £1 goes: {result_title(result)} (LM3 £{result.lm3:.2f})")
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
    load_matplotlib()
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
