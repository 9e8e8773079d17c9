"""What the front ends (the CLI, the web app, a notebook's own form) need beside the public API, and a user
rarely does: the areas to suggest, how a shift or a list of report formats is read, the defaults they show,
and the helpers that keep what they show safe (a person's name never shown, text from a file made inert).
"""

from lm3.geo import area_names, resolve_tiers
from lm3.inputs.ingest import DEFAULT_MERGE_THRESHOLD
from lm3.place.matching import DEFAULT_MATCH_THRESHOLD, names_of_people
from lm3.read.table import header_cells
from lm3.render.report import FORMATS as REPORT_FORMATS
from lm3.render.report import parse_formats
from lm3.study.scenarios import parse_shift
from lm3.study.tables import leakage_for_people, suppliers_to_place
from lm3.study.tables import responses_table as survey_table
from lm3.values.cells import visible_text
from lm3.values.frames import row_tuples

__all__ = [
    "DEFAULT_MATCH_THRESHOLD",
    "DEFAULT_MERGE_THRESHOLD",
    "REPORT_FORMATS",
    "area_names",
    "header_cells",
    "leakage_for_people",
    "names_of_people",
    "parse_formats",
    "parse_shift",
    "resolve_tiers",
    "row_tuples",
    "suppliers_to_place",
    "survey_table",
    "visible_text",
]
