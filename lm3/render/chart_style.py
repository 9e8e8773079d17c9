"""What every chart shares: lm3's style (greys and hatching, never colour alone), matplotlib imported
once when a chart is first drawn, ``ChartFigure``, and the axes, titles and labels of money.
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # matplotlib is imported when a chart is drawn, not with lm3 (a third of its import time)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from lm3.values.cells import visible_text

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


_IMPORTING = threading.Lock()


def load_matplotlib() -> None:
    """Import the parts of matplotlib the charts use, once, under a lock: two charts drawn at once on
    threads (the web app's) would otherwise each find matplotlib half imported."""
    with _IMPORTING:
        import matplotlib.collections
        import matplotlib.figure
        import matplotlib.patches
        import matplotlib.path
        import matplotlib.ticker  # noqa: F401


@contextmanager
def styled() -> Iterator[None]:
    load_matplotlib()
    from matplotlib import rc_context

    with rc_context(STYLE):  # type: ignore[arg-type]  # matplotlib types rc keys as a Literal of every name
        yield


@lru_cache(maxsize=1)
def chart_figure_class() -> type[Figure]:
    """``ChartFigure``: made when first asked for, with matplotlib."""
    load_matplotlib()
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        """A matplotlib Figure that saves in lm3's style too (fixed SVG ids, so output is the same every run)."""

        def savefig(self, *args: Any, **kwargs: Any) -> None:
            with styled():
                super().savefig(*args, **kwargs)

        def _repr_png_(self) -> bytes:
            """Shown as an image in Jupyter, whatever matplotlib backend is active (no pyplot needed)."""
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    ChartFigure.__module__, ChartFigure.__qualname__ = "lm3.charts", "ChartFigure"
    return ChartFigure


def new_figure(size: tuple[float, float]) -> Figure:
    return chart_figure_class()(figsize=size, layout="constrained")


def figure_of(ax: Axes) -> Figure:
    load_matplotlib()
    from matplotlib.figure import Figure

    fig = ax.get_figure(root=True)
    assert isinstance(fig, Figure), "an Axes drawn into belongs to a Figure"
    return fig


def chart_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return figure_of(ax), ax
    fig = new_figure(size)
    return fig, fig.add_subplot()


def gbp(value: float, _pos: object = None) -> str:
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


def result_title(result: Any) -> str:
    return f"{result.name or 'LM3'}, {result.area.name}"


def label_text(value: object) -> str:
    """Text from input files for a chart: control characters and bidi overrides shown as escapes (a font
    has no glyph for them; they must not act), never read as mathtext (``STYLE``)."""
    return visible_text(str(value))


def set_title(ax: Axes, text: str) -> None:
    """A title wrapped to the width of its axes' figure, never cut off."""
    width = figure_of(ax).get_figwidth()
    ax.set_title(textwrap.fill(label_text(text), max(30, int(width * 8.5))))


def wrap(label: object, width: int = 28, lines: int = 2) -> str:
    """A tick label on at most ``lines`` lines of ``width`` characters, cut with an ellipsis beyond."""
    parts = textwrap.wrap(label_text(label), width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


def money_axis(axis: Any) -> None:
    """£ on an axis, with few enough ticks that their labels never run together."""
    load_matplotlib()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=5, min_n_ticks=2))
    axis.set_major_formatter(FuncFormatter(gbp))


def hbars(ax: Axes, labels: pd.Series | pd.Index, values: Any, *, hatch: str | None = None) -> None:
    values = np.asarray(values, dtype=float)
    y = np.arange(len(values))
    ax.barh(y, values, color="white" if hatch else MID, edgecolor=DARK, hatch=hatch, height=0.7)
    ax.set_yticks(y, [wrap(label, 32) for label in labels])
    money_axis(ax.xaxis)
    top = values.max() if len(values) else 1.0
    for yi, v in zip(y, values, strict=True):
        ax.text(v + top * 0.01, float(yi), gbp(v), va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18 if top > 0 else 1)
