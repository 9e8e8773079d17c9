"""Maps: where the money went, on ONS boundaries drawn with matplotlib (no tiles, no network), and a
ranking's local shares by area.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn, not with lm3 (a third of its import time)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from lm3.render.chart_style import DARK, LIGHT, MID, chart_axes, gbp, load_matplotlib, set_title, styled, wrap


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
    set_title(ax, title)
    ax.text(0.0, -0.02, "ONS boundaries (OGL); contains OS data © Crown copyright 2023", transform=ax.transAxes,
            fontsize=6, color=MID, va="top")  # fmt: skip


def map_chart(result: Any, ax: Axes | None = None, *, margin_km: float = 25) -> Figure:
    """£ paid to suppliers by the local authority district where they are (darker: more £), around the
    area (outlined) and as far as ``margin_km`` beyond the districts with spend nearest it; spend further
    afield is listed beside the map. Drawn with matplotlib from ONS boundaries. Works for an
    ``lm3.locate`` result too (the £ placed)."""
    load_matplotlib()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    with styled():
        fig, ax = chart_axes(ax, (7, 7))
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
                    f"{name}\n{gbp(value)}",
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
            lines = [f"{n}: {gbp(v)}" for n, v in zip(names, elsewhere.to_numpy(), strict=True)][:8]
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


def local_share_map(summary: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Each body's area (its districts, ``lads``: ONS codes joined by ";") shaded by its local share of
    placed spend, latest period of each body: a batch's summary (``lm3.batch``). Darker: a larger local
    share; districts of no body are left white."""
    load_matplotlib()
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Polygon

    with styled():
        fig, ax = chart_axes(ax, (7, 8))
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
                    f"{wrap(body, 22, 2)}\n{float(value):.0%}",
                    centre,
                    ha="center",
                    va="center",
                    fontsize=7,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": LIGHT, "alpha": 0.85},
                )
        _map_frame(ax, lo, hi, kx, "Local share of placed spend, by body (darker: more stays local)")
    return fig
