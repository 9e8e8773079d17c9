"""Add ONS regions (RGN23) to lm3/data/lads.csv.

English LADs sit in one of nine regions (ONS "Local Authority District to Region (April 2023) Lookup in
England", codes E12000001-E12000009). Regions follow county boundaries, so the lookup is written here by
metropolitan county, shire county (E07 districts by the county they belong to) and unitary authority.
Wales, Scotland and Northern Ireland are regions in their own right in ONS statistics (W92000004,
S92000003, N92000002).

Run once after changing lads.csv:  python tools/add_regions.py
Checked by tests/test_locate.py against the ONS counts: 296 English LADs; NE 12, NW 35, YH 15, EM 35,
WM 30, EE 45, London 33, SE 64, SW 27.
"""

from __future__ import annotations

import csv
from pathlib import Path

REGIONS = {
    "E12000001": "North East",
    "E12000002": "North West",
    "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands",
    "E12000005": "West Midlands",
    "E12000006": "East of England",
    "E12000007": "London",
    "E12000008": "South East",
    "E12000009": "South West",
}
NATION_REGIONS = {
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
}


def _codes(prefix: str, numbers: str) -> list[str]:
    """'E07', '8-12,95' -> ['E07000008', ..., 'E07000012', 'E07000095']"""
    out = []
    for part in numbers.split(","):
        lo, _, hi = part.strip().partition("-")
        out += [f"{prefix}{n:06d}" for n in range(int(lo), int(hi or lo) + 1)]
    return out


MEMBERS = {
    # Unitaries, metropolitan districts (E08) and shire districts (E07), by region.
    "E12000001": _codes("E06", "1-5,47,57") + _codes("E08", "21-24,37"),
    "E12000002": _codes("E06", "6-9,49,50,63,64")
    + _codes("E07", "117-128")  # Lancashire
    + _codes("E08", "1-15"),  # Greater Manchester, Merseyside
    "E12000003": _codes("E06", "10-14,65")
    + _codes("E08", "16-19,32-36,38,39"),  # South and West Yorkshire (with the 2025 recodes)
    "E12000004": _codes("E06", "15-18,61,62")
    + _codes("E07", "32-39")  # Derbyshire
    + _codes("E07", "129-135")  # Leicestershire
    + _codes("E07", "136-142")  # Lincolnshire
    + _codes("E07", "170-176"),  # Nottinghamshire
    "E12000005": _codes("E06", "19-21,51")
    + _codes("E07", "192-199")  # Staffordshire
    + _codes("E07", "218-222")  # Warwickshire
    + _codes("E07", "234-239")  # Worcestershire
    + _codes("E08", "25-31"),  # West Midlands
    "E12000006": _codes("E06", "31-34,55,56")
    + _codes("E07", "8-12")  # Cambridgeshire
    + _codes("E07", "66-77")  # Essex
    + _codes("E07", "95,96,98,99,102,103,240-243")  # Hertfordshire
    + _codes("E07", "143-149")  # Norfolk
    + _codes("E07", "200,202,203,244,245"),  # Suffolk
    "E12000007": _codes("E09", "1-33"),
    "E12000008": _codes("E06", "35-46,60")
    + _codes("E07", "61-65")  # East Sussex
    + _codes("E07", "84-94")  # Hampshire
    + _codes("E07", "105-116")  # Kent
    + _codes("E07", "177-181")  # Oxfordshire
    + _codes("E07", "207-217")  # Surrey
    + _codes("E07", "223-229"),  # West Sussex
    "E12000009": _codes("E06", "22-27,30,52-54,58,59,66")
    + _codes("E07", "40-47")  # Devon
    + _codes("E07", "78-83"),  # Gloucestershire
}


def main() -> None:
    path = Path(__file__).resolve().parent.parent / "lm3" / "data" / "lads.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    region_of = {code: rgn for rgn, codes in MEMBERS.items() for code in codes}
    if len(region_of) != sum(len(codes) for codes in MEMBERS.values()):
        raise SystemExit("A LAD is listed in two regions.")
    for row in rows:
        code = row["code"]
        if code.startswith("E"):
            rgn = region_of[code]  # KeyError: an English LAD without a region
            row["region_code"], row["region"] = rgn, REGIONS[rgn]
        else:
            row["region_code"], row["region"] = NATION_REGIONS[code[0]]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, ["code", "name", "replaced_by", "region_code", "region"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
