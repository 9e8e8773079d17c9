"""Write lm3/data/authorities.csv: every UK council and combined authority as people name it, with the
local authority districts (ONS LAD25 codes) it covers.

    python tools/make_authorities.py [../shared/data/geo]

From mySociety's lookup of UK local authorities (mysociety/uk_local_authority_names_and_codes @
67ef8b118938678401a452f4f19f669a7221cc73 : data/uk_local_authorities.csv and lookup_name_to_registry.csv;
MIT licence, (c) 2021 mySociety). Current authorities:

- a district, unitary, metropolitan district, London borough, Scottish, Welsh or Northern Irish council
  covers its own district (its GSS code, recoded to LAD25 where ONS recoded it in 2025);
- a county council covers the districts whose ``county-la`` it is;
- a combined authority covers its members' districts (a member county, its districts);
- the Greater London Authority covers the London boroughs and the City of London.

The six metropolitan counties (no longer councils, still how people name an area: "Tyne and Wear") are
added from ONS's list of their districts (codes E11000001-E11000007), checked here against the lookup.

Former councils, as people still name areas by them ("Eden", "South Lakeland", "Cumbria"): each council the
lookup lists as replaced (``replaced-by``), kind "former district" or "former county", covering the districts
of the councils that replaced it today (a former county: exactly its old area; a former district: the wider
district it is now part of, which lm3 says when it uses one), with the date it ended (``ended``) and what it
is now (``now``, the successors' names). The counties abolished in 1996-98 (Avon, Berkshire, Cleveland,
Hereford and Worcester, Humberside; Berkshire remains a ceremonial county) are not in the lookup and are added
from the Local Government Changes for England orders that abolished them (``FORMER_COUNTIES``): each covers
exactly the unitary authorities and districts that took its place.

Each row: ``code`` (GSS), ``name`` (the council's official name), ``short`` (its name as people say it),
``kind`` (district, county, combined authority, metropolitan county, regional authority, former district,
former county), ``districts`` (LAD25 codes, ";"-separated), ``names`` (every spelling the lookup knows,
"|"-separated), ``ended`` and ``now`` (former councils only).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
RECODED = {"E08000016": "E08000038", "E08000019": "E08000039"}  # Barnsley, Sheffield (ONS, 2025)
KINDS = {
    "CTY": "county",
    "COMB": "combined authority",
    "SRA": "regional authority",
}
METROPOLITAN_COUNTIES = {
    ("E11000001", "Greater Manchester"): (
        "Bolton, Bury, Manchester, Oldham, Rochdale, Salford, Stockport, Tameside, Trafford, Wigan"
    ),
    ("E11000002", "Merseyside"): "Knowsley, Liverpool, Sefton, St. Helens, Wirral",
    ("E11000003", "South Yorkshire"): "Barnsley, Doncaster, Rotherham, Sheffield",
    (
        "E11000005",
        "West Midlands",
    ): "Birmingham, Coventry, Dudley, Sandwell, Solihull, Walsall, Wolverhampton",
    ("E11000006", "West Yorkshire"): "Bradford, Calderdale, Kirklees, Leeds, Wakefield",
    ("E11000007", "Tyne and Wear"): (
        "Gateshead, Newcastle upon Tyne, North Tyneside, South Tyneside, Sunderland"
    ),
}

# (name, the day it ended): the districts that replaced it, as ONS names them today
FORMER_COUNTIES = {
    (
        "Avon",
        "1996-04-01",
    ): "Bath and North East Somerset, City of Bristol, North Somerset, South Gloucestershire",
    ("Berkshire", "1998-04-01"): (
        "Bracknell Forest, Reading, Slough, West Berkshire, Windsor and Maidenhead, Wokingham"
    ),
    ("Cleveland", "1996-04-01"): "Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees",
    ("Hereford and Worcester", "1998-04-01"): (
        "Herefordshire, Bromsgrove, Malvern Hills, Redditch, Worcester, Wychavon, Wyre Forest"
    ),
    ("Humberside", "1996-04-01"): (
        "East Riding of Yorkshire, Kingston upon Hull, North East Lincolnshire, North Lincolnshire"
    ),
}


def former_councils(every: list[dict[str, str]], current: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Councils since replaced (``every``: the lookup's rows), each covering the districts of the councils
    that replaced it (``current``: the rows written, by the lookup's code)."""
    registry = {r["local-authority-code"]: r for r in every}

    def now(code: str) -> list[dict[str, str]]:  # replaced twice (Taunton Deane, 2019 and 2023): the last
        if code in current:
            return [current[code]]
        return [s for c in registry[code]["replaced-by"].split(",") if c for s in now(c)]

    out = []
    for r in every:
        if r["current-authority"] == "True" or not r["replaced-by"] or not r["gss-code"]:
            continue
        successors = list({s["code"]: s for c in r["replaced-by"].split(",") for s in now(c)}.values())
        assert successors, f"{r['official-name']}: replaced by no current council"
        names = {
            r["official-name"],
            r["nice-name"],
            *(a.strip() for a in r["alt-names"].split(",") if a.strip()),
        }
        out.append(
            {
                "code": r["gss-code"],
                "name": r["official-name"],
                "short": r["nice-name"],
                "kind": "former county" if r["local-authority-type"] == "CTY" else "former district",
                "districts": ";".join(sorted({d for s in successors for d in s["districts"].split(";")})),
                "names": "|".join(sorted(n for n in names if n)),
                "ended": r["end-date"],
                "now": ";".join(sorted(s["short"] for s in successors)),
            }
        )
    return out


def main(source: Path) -> None:
    with (source / "uk_local_authorities.csv").open(encoding="utf-8") as f:
        every = list(csv.DictReader(f))
    rows = [r for r in every if r["current-authority"] == "True"]
    spellings: dict[str, set[str]] = defaultdict(set)
    with (source / "lookup_name_to_registry.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            spellings[r["local-authority-code"]].add(r["la-name"].strip())
    by_code = {r["local-authority-code"]: r for r in rows}

    def lad(r: dict[str, str]) -> str:
        return RECODED.get(r["gss-code"], r["gss-code"])

    def districts(r: dict[str, str]) -> list[str]:
        kind = r["local-authority-type"]
        if r["lower-or-unitary"] == "True":
            return [lad(r)]
        if kind == "CTY":
            return sorted(lad(d) for d in rows if d["county-la"] == r["local-authority-code"])
        if kind == "COMB":
            members = [d for d in rows if d["combined-authority"] == r["local-authority-code"]]
            return sorted({c for m in members for c in districts(m)})
        if kind == "SRA":
            return sorted(lad(d) for d in rows if d["region"] == "London" and d["lower-or-unitary"] == "True")
        raise ValueError(f"{r['official-name']}: an authority of kind {kind} lm3 does not place")

    out = []
    written: dict[str, dict[str, str]] = {}
    for r in rows:
        names = {r["official-name"], r["nice-name"], *spellings[r["local-authority-code"]]}
        names |= {a.strip() for a in r["alt-names"].split(",") if a.strip()}
        out.append(
            {
                "code": lad(r) if r["lower-or-unitary"] == "True" else r["gss-code"],
                "name": r["official-name"],
                "short": r["nice-name"],
                "kind": KINDS.get(r["local-authority-type"], "district"),
                "districts": ";".join(districts(r)),
                "names": "|".join(sorted(n for n in names if n)),
                "ended": "",
                "now": "",
            }
        )
        written[r["local-authority-code"]] = out[-1]
    by_short = {r["nice-name"].casefold(): r for r in rows if r["lower-or-unitary"] == "True"}
    for (code, name), members in METROPOLITAN_COUNTIES.items():
        found = [by_short[m.strip().casefold()] for m in members.split(",")]
        out.append(
            {
                "code": code,
                "name": name,
                "short": name,
                "kind": "metropolitan county",
                "districts": ";".join(sorted(lad(m) for m in found)),
                "names": "|".join(sorted({name, f"{name} metropolitan county", f"county of {name}"})),
                "ended": "",
                "now": "",
            }
        )
    out += former_councils(every, written)
    for (name, ended), members in FORMER_COUNTIES.items():
        found = [by_short[m.strip().casefold()] for m in members.split(",")]
        out.append(
            {
                "code": "",
                "name": f"{name} County Council",
                "short": name,
                "kind": "former county",
                "districts": ";".join(sorted(lad(m) for m in found)),
                "names": "|".join(sorted({name, f"{name} County Council", f"County of {name}"})),
                "ended": ended,
                "now": ";".join(sorted(m["nice-name"] for m in found)),
            }
        )
    assert all(r["districts"] for r in out), "every authority covers a district"
    del by_code
    path = HERE / "lm3" / "data" / "authorities.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(out[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(out, key=lambda r: (r["kind"], r["short"])))
    print(f"wrote {len(out)} authorities to {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "shared" / "data" / "geo")
