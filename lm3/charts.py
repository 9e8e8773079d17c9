"""Charts of an LM3 result (matplotlib Figures, no pyplot state): ``lm3.charts.rounds_waterfall(result)``.

Every function takes a result (and an optional ``ax``) and returns the Figure; only the caller saves it.
"""

from typing import Any

from lm3.render.chart_style import chart_figure_class
from lm3.render.charts import (
    CHARTS,
    leakage_chart,
    local_share_chart,
    ranking_chart,
    rounds_waterfall,
    sensitivity_chart,
    uncertainty_chart,
)
from lm3.render.flow import flow_chart
from lm3.render.maps import local_share_map, map_chart
from lm3.study.tables import leakage_table

__all__ = [
    "CHARTS",
    "ChartFigure",  # noqa: F822  (made by __getattr__ below, with matplotlib)
    "flow_chart",
    "leakage_chart",
    "leakage_table",
    "local_share_chart",
    "local_share_map",
    "map_chart",
    "ranking_chart",
    "rounds_waterfall",
    "sensitivity_chart",
    "uncertainty_chart",
]


def __getattr__(name: str) -> Any:
    """``ChartFigure`` (the Figure every chart returns) is made with matplotlib, when first asked for."""
    if name == "ChartFigure":
        return chart_figure_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
