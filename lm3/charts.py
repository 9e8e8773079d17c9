"""Charts of an LM3 result (matplotlib Figures, no pyplot state): ``lm3.charts.rounds_waterfall(result)``.

Every function takes a result (and an optional ``ax``) and returns the Figure; only the caller saves it.
"""

from lm3.render.charts import (
    CHARTS,
    ChartFigure,
    flow_chart,
    leakage_chart,
    leakage_table,
    local_share_chart,
    local_share_map,
    map_chart,
    ranking_chart,
    rounds_waterfall,
    sensitivity_chart,
    uncertainty_chart,
)

__all__ = [
    "CHARTS",
    "ChartFigure",
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
