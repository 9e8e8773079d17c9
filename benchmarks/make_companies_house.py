"""A generated Companies House "BasicCompanyData" file in the real format, for tests and the benchmark.

    python benchmarks/make_companies_house.py OUT.csv [--rows 5500000] [--seed 1]

The header is the product's own (55 columns, with its leading spaces: " CompanyNumber"...; see
../shared/data/companies_house); values are made up but shaped like the real ones: unique company names
(three words and a legal form), 8-character numbers (with SC, NI, OC, CE prefixes), addresses, postcodes,
categories and statuses in realistic proportions, SIC texts, dates, empty previous-name columns. About 450
bytes a row, as in the real file (2.5 GB for 5.5 million rows). Written in chunks with pyarrow, so memory
stays small; 5.5 million rows take about a minute.

``companies(n, seed)`` gives the first rows' values (name, number, postcode, status) without writing, for
tests that need to know what is in the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, "
    "RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,"
    "CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,"
    "Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,"
    "Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,"
    "SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,"
    "URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, PreviousName_2.CompanyName,"
    "PreviousName_3.CONDATE, PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,"
    "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,"
    "PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, PreviousName_8.CompanyName,"
    "PreviousName_9.CONDATE, PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,"
    "ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)
WORDS_A = [
    "ABBEY",
    "ACORN",
    "ACTIVE",
    "ADVANCED",
    "AIRE",
    "ALPHA",
    "AMBER",
    "APEX",
    "ARC",
    "ARROW",
    "ASHFORD",
    "ATLAS",
    "AURORA",
    "AVON",
    "AZURE",
    "BAY",
    "BEACON",
    "BEECH",
    "BIRCH",
    "BLUE",
    "BOLD",
    "BRIDGE",
    "BRIGHT",
    "BRITANNIA",
    "BROOK",
    "CALDER",
    "CAPITAL",
    "CASTLE",
    "CEDAR",
    "CENTRAL",
    "CHARTER",
    "CITY",
    "CLEAR",
    "COAST",
    "COBALT",
    "COMPASS",
    "CORNER",
    "COUNTY",
    "CREST",
    "CROWN",
    "CRYSTAL",
    "DALE",
    "DELTA",
    "DIAMOND",
    "DIRECT",
    "DOVE",
    "EAGLE",
    "EAST",
    "ECHO",
    "EDEN",
    "ELITE",
    "ELM",
    "EMERALD",
    "EPIC",
    "ESSENTIAL",
    "EVEREST",
    "FALCON",
    "FERN",
    "FIRST",
    "FOREST",
    "FORTH",
    "FOX",
    "GALAXY",
    "GARDEN",
    "GATEWAY",
    "GLOBAL",
    "GOLDEN",
    "GRANGE",
    "GRANITE",
    "GREEN",
    "HARBOUR",
    "HAWK",
    "HAZEL",
    "HERITAGE",
    "HIGHLAND",
    "HILL",
    "HOLLY",
    "HORIZON",
    "IMPERIAL",
    "INFINITY",
    "IRON",
    "IVY",
    "JADE",
    "JUBILEE",
    "KESTREL",
    "KING",
    "LAKE",
    "LANTERN",
    "LAUREL",
    "LEGACY",
    "LIBERTY",
    "LIME",
    "LINK",
    "LION",
    "LOTUS",
    "MAPLE",
    "MARBLE",
    "MEADOW",
    "MERCURY",
    "METRO",
    "MILL",
    "MODERN",
    "MOOR",
    "NATIONAL",
    "NEW",
    "NOBLE",
    "NORTH",
    "NOVA",
    "OAK",
    "OCEAN",
    "OLIVE",
    "OMEGA",
    "ORBIT",
    "ORCHARD",
    "PARK",
    "PEAK",
    "PEARL",
    "PENNINE",
    "PHOENIX",
    "PILOT",
    "PINE",
    "PIONEER",
    "PLATINUM",
    "PREMIER",
    "PRIME",
    "PRIORY",
    "QUAY",
    "QUEST",
    "RAPID",
    "RAVEN",
    "REGAL",
    "RIDGE",
    "RIVER",
    "ROBIN",
    "ROCK",
    "ROSE",
    "ROYAL",
    "RUBY",
    "SAFE",
    "SAPPHIRE",
    "SILVER",
    "SMART",
    "SOLAR",
    "SOUTH",
    "SOVEREIGN",
    "SPRING",
    "STAR",
    "STERLING",
    "STONE",
    "SUMMIT",
    "SUN",
    "SWALLOW",
    "SWIFT",
    "THAMES",
    "TIMBER",
    "TOWER",
    "TRINITY",
    "TRUE",
    "UNION",
    "UNITED",
    "VALE",
    "VALLEY",
    "VANGUARD",
    "VECTOR",
    "VICTORIA",
    "VISTA",
    "WATER",
    "WEST",
    "WHITE",
    "WILLOW",
    "WINDSOR",
    "WOOD",
    "YORK",
    "ZENITH",
]
WORDS_B = [
    "ACCOUNTANCY",
    "ARCHITECTS",
    "BAKERY",
    "BUILDERS",
    "CARE",
    "CATERING",
    "CLEANING",
    "CONSTRUCTION",
    "CONSULTANCY",
    "CONSULTING",
    "CONTRACTORS",
    "DESIGN",
    "DEVELOPMENTS",
    "DIGITAL",
    "ELECTRICAL",
    "ENGINEERING",
    "ENTERPRISES",
    "ESTATES",
    "EVENTS",
    "FACILITIES",
    "FINANCE",
    "FOODS",
    "FURNITURE",
    "GARAGE",
    "GROUNDWORKS",
    "HEALTHCARE",
    "HOLDINGS",
    "HOMES",
    "HOSPITALITY",
    "INSTALLATIONS",
    "INVESTMENTS",
    "JOINERY",
    "LANDSCAPES",
    "LEISURE",
    "LOGISTICS",
    "MAINTENANCE",
    "MANAGEMENT",
    "MARKETING",
    "MEDIA",
    "MEDICAL",
    "MOTORS",
    "NURSERY",
    "PLUMBING",
    "PRINT",
    "PROPERTIES",
    "PROPERTY",
    "RECRUITMENT",
    "RENTALS",
    "RESOURCES",
    "RETAIL",
    "ROOFING",
    "SCAFFOLDING",
    "SECURITY",
    "SERVICES",
    "SOLUTIONS",
    "STUDIOS",
    "SUPPLIES",
    "SYSTEMS",
    "TECHNOLOGIES",
    "TECHNOLOGY",
    "TRADING",
    "TRAINING",
    "TRANSPORT",
    "TRAVEL",
    "VENTURES",
    "WASTE",
    "WORKS",
]
WORDS_C = [
    "GROUP",
    "PARTNERS",
    "UK",
    "NORTHERN",
    "SOUTHERN",
    "ASSOCIATES",
    "COMPANY",
    "SONS",
    "BROTHERS",
    "INTERNATIONAL",
    "LOCAL",
    "REGIONAL",
    "SPECIALISTS",
    "EXPERTS",
    "NETWORK",
    "CENTRE",
    "HUB",
    "COLLECTIVE",
    "ALLIANCE",
]
FORMS = ["LIMITED", "LTD", "LIMITED", "LIMITED", "PLC", "LLP", "CIC", "LIMITED"]
CATEGORIES = [
    ("Private Limited Company", 0.90),
    ("PRI/LTD BY GUAR/NSC (Private, limited by guarantee, no share capital)", 0.04),
    ("Limited Liability Partnership", 0.02),
    ("Community Interest Company", 0.01),
    ("Public Limited Company", 0.005),
    ("Charitable Incorporated Organisation", 0.01),
    ("Other company type", 0.015),
]
STATUSES = [
    ("Active", 0.93),
    ("Active - Proposal to Strike off", 0.04),
    ("Liquidation", 0.02),
    ("In Administration", 0.01),
]
ACCOUNTS = [
    "MICRO ENTITY",
    "TOTAL EXEMPTION FULL",
    "DORMANT",
    "NO ACCOUNTS FILED",
    "FULL",
    "UNAUDITED ABRIDGED",
]
SIC = [
    "70229 - Management consultancy activities other than financial management",
    "68209 - Other letting and operating of own or leased real estate",
    "62020 - Information technology consultancy activities",
    "43390 - Other building completion and finishing",
    "56101 - Licensed restaurants",
    "41100 - Development of building projects",
    "82990 - Other business support service activities n.e.c.",
    "96090 - Other service activities n.e.c.",
    "47910 - Retail sale via mail order houses or via Internet",
    "86900 - Other human health activities",
    "",
    "",
]
TOWNS = [
    "LONDON",
    "BRADFORD",
    "LEEDS",
    "MANCHESTER",
    "BIRMINGHAM",
    "BRISTOL",
    "GLASGOW",
    "CARDIFF",
    "YORK",
    "HULL",
]
AREAS = ["E", "EC", "N", "SW", "BD", "LS", "M", "B", "BS", "G", "CF", "YO", "HU", "SE", "W", "NW"]
STREETS = [
    "HIGH STREET",
    "STATION ROAD",
    "CHURCH LANE",
    "MILL ROAD",
    "PARK AVENUE",
    "KING STREET",
    "MARKET PLACE",
]
LETTERS = list("ABDEFGHJLNPQRSTUWXYZ")
CHUNK = 500_000


def _pick(rng: np.random.Generator, choices: list, n: int, p: list[float] | None = None) -> pa.Array:
    """Random choices; "" is written as an empty field (the real file quotes only what needs it)."""
    vocab = pa.array([c or None for c in choices], type=pa.string())
    return vocab.take(pa.array(rng.choice(len(choices), n, p=p)))


def _join(*parts: pa.Array | str, sep: str = " ") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _names_and_numbers(rows: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's name without its legal form, and its company number: functions of the row alone.
    Names are unique: row i gets the i-th word triple of a fixed permutation (then a number, once every
    triple is used)."""
    total = len(WORDS_A) * len(WORDS_B) * len(WORDS_C)
    index = np.random.default_rng(seed).permutation(total)[rows % total]
    a, rest = np.divmod(index, len(WORDS_B) * len(WORDS_C))
    b, c = np.divmod(rest, len(WORDS_C))
    cycle = rows // total
    words = np.char.add(np.char.add(np.array(WORDS_A)[a], " "), np.char.add(np.array(WORDS_B)[b], " "))
    words = np.char.add(words, np.array(WORDS_C)[c])
    names = np.where(cycle == 0, words, np.char.add(np.char.add(words, " "), cycle.astype(str)))
    # 90% England and Wales (8 digits), then SC, NI, OC, CE (6 digits): unique, as real numbers are
    kind = rows % 100
    lows, highs = np.array([90, 95, 97, 99]), np.array([95, 97, 99, 100])
    which = np.searchsorted(highs, kind, side="right").clip(0, 3)
    prefix = np.where(kind < 90, "", np.array(["SC", "NI", "OC", "CE"])[which])
    within = (rows // 100) * (highs - lows)[which] + (kind - lows[which])
    digits = np.where(
        kind < 90,
        np.char.zfill((rows + 1_000_000).astype(str), 8),
        np.char.zfill(within.astype(str), 6),
    )
    return names, np.char.add(prefix, digits)


def companies_at(rows: np.ndarray, seed: int = 1) -> pd.DataFrame:
    """The name (without its legal form) and number of the given rows of the generated file."""
    names, numbers = _names_and_numbers(np.asarray(rows), seed)
    return pd.DataFrame({"name": names, "number": numbers})


def chunk(start: int, n: int, seed: int) -> pa.Table:
    """Rows ``start`` .. ``start + n`` of the generated file, as a table of the 55 columns (all text)."""
    rng = np.random.default_rng([seed, start])
    base, number = _names_and_numbers(np.arange(start, start + n), seed)
    form_idx = rng.integers(0, len(FORMS), n)
    name = _join(pa.array(base), pa.array(np.array(FORMS)[form_idx]))
    number = pa.array(number)
    area = _pick(rng, AREAS, n)
    postcode = _join(
        pc.binary_join_element_wise(area, pa.array(rng.integers(1, 30, n).astype(str)), ""),
        pc.binary_join_element_wise(
            pa.array(rng.integers(0, 10, n).astype(str)), _pick(rng, LETTERS, n), _pick(rng, LETTERS, n), ""
        ),
    )
    blank = pa.nulls(n, type=pa.string())

    def date() -> pa.Array:
        d = rng.integers(1, 29, n).astype(str)
        m = rng.integers(1, 13, n).astype(str)
        y = rng.integers(1990, 2025, n).astype(str)
        return _join(pa.array(np.char.zfill(d, 2)), pa.array(np.char.zfill(m, 2)), pa.array(y), sep="/")

    line1 = _join(pa.array(rng.integers(1, 400, n).astype(str)), _pick(rng, STREETS, n))
    cat_names, cat_p = zip(*CATEGORIES, strict=True)
    status_names, status_p = zip(*STATUSES, strict=True)
    p_cat = np.array(cat_p) / sum(cat_p)
    p_status = np.array(status_p) / sum(status_p)
    uri = pc.binary_join_element_wise("http://business.data.gov.uk/id/company/", number, "")
    columns = [
        name,
        number,
        blank,
        blank,
        line1,
        _pick(rng, ["", "FIRST FLOOR", "UNIT 4", "SUITE 2"], n),
        _pick(rng, TOWNS, n),
        _pick(rng, ["", "WEST YORKSHIRE", "GREATER MANCHESTER", ""], n),
        _pick(rng, ["ENGLAND", "UNITED KINGDOM", "", "SCOTLAND", "WALES"], n),
        postcode,
        _pick(rng, list(cat_names), n, list(p_cat)),
        _pick(rng, list(status_names), n, list(p_status)),
        _pick(rng, ["United Kingdom"], n),
        blank,
        date(),
        _pick(rng, ["31.0", "30.0", "28.0"], n),
        _pick(rng, [f"{m}.0" for m in range(1, 13)], n),
        date(),
        date(),
        _pick(rng, ACCOUNTS, n),
        date(),
        blank,
        *[_pick(rng, ["0", "0", "1", "2"], n) for _ in range(4)],
        _pick(rng, SIC[:-2], n),
        _pick(rng, SIC, n),
        _pick(rng, SIC[-4:], n),
        blank,
        _pick(rng, ["0"], n),
        _pick(rng, ["0"], n),
        uri,
        *[blank] * 20,
        date(),
        date(),
    ]
    names = [f"c{i}" for i in range(len(columns))]
    return pa.table(columns, names=names)


def companies(n: int, seed: int = 1) -> pa.Table:
    """The first ``n`` rows' name, number, postcode and status, as written."""
    t = chunk(0, n, seed)
    return pa.table({"name": t["c0"], "number": t["c1"], "postcode": t["c9"], "status": t["c11"]})


def write(path: Path, rows: int, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as sink:
        sink.write((HEADER + "\n").encode("utf-8"))
        for start in range(0, rows, CHUNK):
            table = chunk(start, min(CHUNK, rows - start), seed)
            pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=5_500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write(args.out, args.rows, args.seed)
    print(f"Wrote {args.rows:,} companies to {args.out} ({args.out.stat().st_size / 1e9:.2f} GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
