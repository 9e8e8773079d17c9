"""Write lm3/data/authorities.csv: every UK council and combined authority as people name it, with the
local authority districts (ONS LAD25 codes) it covers.

    python tools/make_authorities.py [../shared/data/geo]

From mySociety's lookup of UK local authorities (mysociety/uk_local_authority_names_and_codes @
67ef8b118938678401a452f4f19f669a7221cc73 : data/uk_local_authorities.csv and lookup_name_to_registry.csv;
MIT licence, (c) 2021 mySociety), current authorities only:

- a district, unitary, metropolitan district, London borough, Scottish, Welsh or Northern Irish council
  covers its own district (its GSS code, recoded to LAD25 where ONS recoded it in 2025);
- a county council covers the districts whose ``county-la`` it is;
- a combined authority covers its members' districts (a member county, its districts);
- the Greater London Authority covers the London boroughs and the City of London.

The six metropolitan counties (no longer councils, still how people name an area: "Tyne and Wear") are
added from ONS's list of their districts (codes E11000001-E11000007), checked here against the lookup.

Each row: ``code`` (GSS), ``name`` (the council's official name), ``short`` (its name as people say it),
``kind`` (district, county, combined authority, metropolitan county, regional authority), ``districts``
(LAD25 codes, ";"-separated) and ``names`` (every spelling the lookup knows, "|"-separated).
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


def main(source: Path) -> None:
    with (source / "uk_local_authorities.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["current-authority"] == "True"]
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
            }
        )
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
