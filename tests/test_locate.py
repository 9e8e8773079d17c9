"""lm3.locate and the places behind it: matching, placing, tiers, head offices, types; on crafted and real
files. Expected figures are worked by hand (crafted files, see tests/data/locate/README.md) or computed in
the test from the raw files with csv, Decimal and the ONS postcode data read directly."""

from __future__ import annotations

import csv
import json
import math
import re
from decimal import Decimal

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT

import lm3
from lm3.cli import cli
from lm3.geo import default_directory, lad_table, region_of, resolve_area, resolve_tiers
from lm3.study.locate import locate

LOCATE = DATA / "locate"
SPEND = DATA / "spend"
SALFORD = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"
MANCHESTER = SPEND / "odileeds_manchester_clean_2022-05.csv"
GREATER_MANCHESTER = [
    "E08000001",  # Bolton
    "E08000002",  # Bury
    "E08000003",  # Manchester
    "E08000004",  # Oldham
    "E08000005",  # Rochdale
    "E08000006",  # Salford
    "E08000007",  # Stockport
    "E08000008",  # Tameside
    "E08000009",  # Trafford
    "E08000010",  # Wigan
]


def test_crafted_register_matched_every_way_and_worked_by_hand():
    result = locate(LOCATE / "payments.csv", LOCATE / "register.csv", area="Bradford")
    s = result.suppliers.set_index("payments_name")
    assert s.loc["Aire Valley Catering Ltd", ["match", "supplier", "location"]].tolist() == [
        "supplier id",
        "AIRE VALLEY CATERERS",
        "local",
    ]
    # two spellings, one key; company number given as 1234567 and 01234567
    assert s.loc["Bradford Builders", ["match", "round1", "location"]].tolist() == [
        "company number",
        2_500_00,
        "local",
    ]
    assert s.loc["Leeds Electrical Services", ["match", "lad_name", "location"]].tolist() == [
        "name",
        "Leeds",
        "non-local",
    ]
    assert s.loc["National Widgets PLC", "location"] == "local branch"
    assert s.loc["Mystery Trading", "location"] == "unknown"
    assert s.loc["(redacted)", "reason"] == "redacted supplier name: location unknown"
    # the council is not in the register: lm3's public bodies place it, serving Bradford (E08000032)
    council = s.loc["City of Bradford Metropolitan District Council"]
    assert [council["source"], council["match"], council["location"]] == [
        "public bodies (lm3)",
        "name",
        "local",
    ]
    # by hand: total 11,100.00 (10 rows); unplaced: Mystery 700, redacted 150 = 850.00;
    # local: Aire 1,000 + Builders 2,500 + Print 300 + Food Bank 400 + Widgets (a local branch) 5,000
    # + the council 250 = 9,450.00
    assert (result.total, result.placed, result.local) == (11_100_00, 10_250_00, 9_450_00)
    assert result.coverage == pytest.approx(10_250 / 11_100)
    assert result.local_share == pytest.approx(9_450 / 10_250)
    assert result.unplaced()[["supplier", "amount"]].values.tolist() == [
        ["Mystery Trading", 700_00],
        ["(redacted)", 150_00],
    ]
    leak = result.head_office_leakage()
    assert leak[["supplier", "head_office", "head_office_lad_name", "amount"]].values.tolist() == [
        ["National Widgets", "SW1A 1AA", "Westminster", 5_000_00]
    ]
    assert result.leakage_by_place().values.tolist() == [["Westminster", "London", 1, 5_000_00]]
    assert result.leakage_by_place("region").values.tolist() == [["London", 1, 5_000_00]]
    types = result.by_type().set_index("type")
    assert types.loc["VCSE", "amount"] == 400_00  # Shipley Food Bank: a charity number
    assert types.loc["public body", "amount"] == 250_00  # the council, by its name
    assert types.loc["individual or redacted", "amount"] == 150_00
    assert types.loc["SME", "amount"] == 1_000_00 + 2_500_00 + 300_00 + 800_00  # the register's SME flag
    assert types.loc["large", "amount"] == 5_000_00
    assert types.loc["unknown", "amount"] == 700_00
    assert types["amount"].sum() == result.total

    not_branch = locate(
        LOCATE / "payments.csv", LOCATE / "register.csv", area="Bradford", branch_is_local=False
    )
    assert not_branch.local == result.local - 5_000_00


def test_fuzzy_matches_are_listed_and_ambiguous_ones_never_taken():
    payments = pd.DataFrame(
        {
            "Supplier": ["Harrogate Plumbing Servics", "Wharfe Valley Cars", "Otley Bakery"],
            "Amount": ["100.00", "200.00", "300.00"],
        }
    )
    register = pd.DataFrame(
        {
            "Supplier": [
                "Harrogate Plumbing Services",
                "Harrogate Heating Services",
                "Wharfe Valley Cabs",
                "Wharfe Valley Carts",
            ],
            "Postcode": ["HG1 1AA", "HG1 1AB", "LS21 1AA", "LS21 1AB"],
        }
    )
    result = locate(payments, register, area="North Yorkshire")
    s = result.suppliers.set_index("payments_name")
    assert s.loc["Harrogate Plumbing Servics", ["match", "supplier"]].tolist() == [
        "fuzzy name",
        "Harrogate Plumbing Services",
    ]
    assert s.loc["Wharfe Valley Cars", ["match", "location"]].tolist() == ["ambiguous", "unknown"]
    assert "too close to call" in s.loc["Wharfe Valley Cars", "reason"]
    assert s.loc["Otley Bakery", "match"] == "none"
    assert result.review["supplier"].tolist() == ["Wharfe Valley Cars", "Harrogate Plumbing Servics"]
    assert any("Harrogate Plumbing Servics -> Harrogate Plumbing Services" in w for w in result.warnings)
    assert any("Wharfe Valley Cars (Wharfe Valley Carts / Wharfe Valley Cabs)" in w for w in result.warnings)
    strict = locate(payments, register, area="North Yorkshire", match_threshold=99)
    assert set(strict.suppliers["match"]) == {"none"}


def test_tiers_are_concentric_with_radius_districts_and_lads(ons):
    result = locate(
        LOCATE / "payments.csv",
        LOCATE / "register.csv",
        area="Bradford",
        tiers=[
            "Centre=2km around BD1 1AA",
            "Inner=BD4,BD7",
            "District=Bradford",
            "West Yorkshire=Bradford,Calderdale,Kirklees,Leeds,Wakefield",
            "UK=UK",
        ],
    )

    # distances from the ONS grid references, computed here
    def km(a: str, b: str) -> float:
        pa, pb = ons.loc[a], ons.loc[b]
        return math.hypot(pa.oseast1m - pb.oseast1m, pa.osnrth1m - pb.osnrth1m) / 1000

    sites = {"BD11AA": 1_000_00, "BD71AA": 2_500_00, "BD213LG": 300_00, "BD183QF": 400_00, "BD47TJ": 5_000_00}
    centre = sum(v for k, v in sites.items() if km("BD11AA", k) <= 2)
    inner = centre + sum(v for k, v in sites.items() if k[:3] in ("BD4", "BD7") and km("BD11AA", k) > 2)
    tiers = result.tiers.set_index("name")["amount"]
    assert tiers["Centre"] == centre and centre > 0
    assert tiers["Inner"] == inner
    assert tiers["District"] == 9_450_00  # the council (lm3's public bodies) serves Bradford
    assert tiers["West Yorkshire"] == 10_250_00  # Leeds Electrical joins at the county tier
    assert tiers["UK"] == result.placed
    assert result.tiers["share"].iloc[-1] == 1.0


def test_postcode_districts_are_placed_by_the_share_of_their_postcodes(ons):
    placed = default_directory().place(pd.Series(["LS29", "LS29 8", "BD7"]))
    in_ls29 = ons[ons.index.str.fullmatch(r"LS29\d[A-Z]{2}")]
    shares = in_ls29["laua"].value_counts(normalize=True)
    assert placed["lad"].tolist()[0] == shares.index[0]
    assert placed["confidence"].iloc[0] == pytest.approx(shares.iloc[0])
    assert 0.5 < placed["confidence"].iloc[0] < 1  # Ilkley and Burley: mostly Bradford, not all
    assert placed["kind"].tolist() == ["district", "sector", "district"]
    assert default_directory().shares("LS29")["share"].sum() == pytest.approx(1.0)


def test_areas_in_every_form():
    assert resolve_area("UK").uk and resolve_area("UK").name == "the UK"
    wales = resolve_area("Wales")
    assert wales.name == "Wales" and all(c.startswith("W06") for c in wales.codes) and len(wales.codes) == 22
    assert resolve_area(["bd7", "BD8 1"]).postcode_areas == ("BD7", "BD8 1")
    radius = resolve_area("3 miles around BD1 1AA")
    assert radius.radius_km == pytest.approx(3 * 1.609344)
    with pytest.raises(lm3.AreaError, match="Cannot draw a radius around 'ZZ9 9ZZ'"):
        resolve_area("5km around ZZ9 9ZZ")
    with pytest.raises(lm3.AreaError, match="is not 'Name=area'"):
        resolve_tiers(["Bradford"], resolve_area("Bradford"))


def _key(name: str) -> str:
    """The test's own normalisation (not lm3's): upper case, & as AND, no punctuation or legal form."""
    s = re.sub(r"[.'’]", "", name.upper().replace("&", " AND "))
    s = re.sub(r"[^A-Z0-9]+", " ", s).strip()
    s = re.sub(r"^THE ", "", s)
    return re.sub(r"( (LIMITED|LTD|PLC|LLP|CO|COMPANY))+$", "", s).strip()


def test_real_manchester_spend_placed_with_salford_register(ons):
    result = locate(
        MANCHESTER,
        SALFORD,
        area="Manchester",
        tiers=["Manchester=Manchester", "Greater Manchester=" + ",".join(GREATER_MANCHESTER), "UK=UK"],
    )
    # independently: the spend per supplier with csv and Decimal; the register's postcodes placed with
    # the ONS data read directly; names matched by the test's own normalisation, plus the three near names
    # lm3 lists for checking (each checked by eye: the same businesses, spelled differently).
    with MANCHESTER.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    spend: dict[str, Decimal] = {}
    without_remark: dict[str, str] = {}  # a name ending in "(...)": its key without it
    for r in rows:
        spend[_key(r["Supplier Name"])] = spend.get(_key(r["Supplier Name"]), Decimal(0)) + Decimal(
            r["Net Amount"].replace(",", "")
        )
        shorter = re.sub(r"\s*\([^()]*\)?\s*$", "", r["Supplier Name"])
        if shorter != r["Supplier Name"] and _key(shorter) not in ("", _key(r["Supplier Name"])):
            without_remark[_key(r["Supplier Name"])] = _key(shorter)
    total = sum(spend.values())
    with SALFORD.open(encoding="utf-8-sig", newline="") as f:
        register = list(csv.DictReader(f))
    lads: dict[str, set[str]] = {}
    for r in register:
        pc = r["Supplier Postcode"].replace(" ", "").upper()
        if pc in ons.index:
            lads.setdefault(_key(r["Supplier Company Name"]), set()).add(ons.loc[pc, "laua"])
    near = {
        _key("H Jenkinson & Co Ltd."): _key("H.Jenkinson & Company Ltd"),
        _key("Civic Engineers"): _key("Civil Engineers Ltd"),
        _key("Capita Property & Infras'ture Ltd"): _key("Capita Property and Infrastructure Limited"),
    }
    placed = {k: lads[near.get(k, k)] for k in spend if near.get(k, k) in lads}
    # the public bodies lm3 ships (lm3/data/public_bodies.csv, data read here directly): a council, police
    # force or ICB serves its districts; an NHS trust is at its headquarters' postcode; a national body is in
    # the UK (K02000001), in no local area. They place the payees the register does not.
    bodies: dict[str, set[str]] = {}
    with (ROOT / "lm3" / "data" / "public_bodies.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            pc = r["postcode"].replace(" ", "").upper()
            where = r["lad"] or (ons.loc[pc, "laua"] if pc in ons.index else "")
            if where:
                bodies.setdefault(_key(r["name"]), set()).add(where)
    placed |= {k: bodies[k] for k in spend if k not in placed and k in bodies}
    # a public body paid under its name and a remark ("... Council (Rates)"): placed by its name alone
    placed |= {k: bodies[s] for k, s in without_remark.items() if k not in placed and s in bodies}
    expect_placed = sum(spend[k] for k in placed)
    expect_local = sum(spend[k] for k, where in placed.items() if "E08000003" in where)
    expect_gm = sum(spend[k] for k, where in placed.items() if where & set(GREATER_MANCHESTER))

    assert Decimal(result.total) / 100 == total
    assert Decimal(result.placed) / 100 == expect_placed
    assert Decimal(result.local) / 100 == expect_local
    assert result.coverage == pytest.approx(float(expect_placed / total))
    assert result.local_share == pytest.approx(float(expect_local / expect_placed))
    tiers = result.tiers.set_index("name")["amount"]
    assert Decimal(int(tiers["Greater Manchester"])) / 100 == expect_gm
    assert sorted(result.review["supplier"]) == sorted(
        ["H Jenkinson & Co Ltd.", "Civic Engineers", "Capita Property & Infras'ture Ltd"]
    )
    largest_unplaced = max((k for k in spend if k not in placed and k), key=lambda k: spend[k])
    assert _key(result.unplaced()["supplier"].iloc[0]) == largest_unplaced


def test_cli_locate_json_contract():
    args = ["locate", "--payments", str(LOCATE / "payments.csv"), "--suppliers", str(LOCATE / "register.csv")]
    out = CliRunner().invoke(cli, [*args, "--area", "Bradford", "--tier", "District=Bradford", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    # as worked by hand in test_crafted_register_matched_every_way_and_worked_by_hand
    assert {k: data[k] for k in ("total", "placed", "local")} == {
        "total": "11100.00",
        "placed": "10250.00",
        "local": "9450.00",
    }
    assert data["local_share"] == pytest.approx(9450 / 10250) and data["coverage"] == pytest.approx(
        10250 / 11100
    )
    assert data["unplaced"][0] == {
        "supplier": "Mystery Trading",
        "amount": "700.00",
        "reason": "not in any register held (your registers, the register store, the public bodies): location unknown",
    }
    assert data["tiers"] == [{"name": "District", "amount": "9450.00", "share": pytest.approx(9450 / 10250)}]
    assert data["head_office_leakage"] == [
        {
            "supplier": "National Widgets",
            "head_office": "SW1A 1AA",
            "head_office_place": "Westminster",
            "head_office_region": "London",
            "amount": "5000.00",
        }
    ]
    assert isinstance(data["warnings"], list)
    plain = CliRunner().invoke(cli, [*args, "--area", "Bradford"])
    assert plain.exit_code == 0 and "In the area" in plain.output and "National Widgets" in plain.output
    missing = CliRunner().invoke(cli, ["locate", "--payments", str(LOCATE / "payments.csv")])
    assert (
        missing.exit_code != 0
        and "Missing area" in missing.output  # a register is not needed
        and "Try --area." in missing.output
    )


def test_project_tiers_and_threshold_in_lm3_toml(tmp_path):
    (tmp_path / "lm3.toml").write_text(
        'area = "Bradford"\ntiers = ["District=Bradford", "UK=UK"]\nmatch_threshold = 95\n'
        f'[inputs]\npayments = "{(LOCATE / "payments.csv").as_posix()}"\n'
        f'suppliers = "{(LOCATE / "register.csv").as_posix()}"\n'
    )
    out = CliRunner().invoke(cli, ["locate", str(tmp_path), "--json"])
    assert out.exit_code == 0, out.output
    assert [t["name"] for t in json.loads(out.output)["tiers"]] == ["District", "UK"]


def test_regions_follow_the_ons_counts_and_resolve_as_areas():
    # ONS, Local Authority District to Region (April 2023) Lookup in England: 296 LADs in nine regions
    table = lad_table()
    english = table[table["code"].str.startswith("E") & (table["replaced_by"] == "")]
    assert len(english) == 296
    assert english.groupby("region").size().to_dict() == {
        "North East": 12,
        "North West": 35,
        "Yorkshire and The Humber": 15,
        "East Midlands": 35,
        "West Midlands": 30,
        "East of England": 45,
        "London": 33,
        "South East": 64,
        "South West": 27,
    }
    assert region_of(
        pd.Series(["E08000032", "E06000042", "E07000037", "W06000015", "L99999999"])
    ).tolist() == [
        "Yorkshire and The Humber",  # Bradford
        "South East",  # Milton Keynes
        "East Midlands",  # High Peak (Derbyshire)
        "Wales",
        None,  # Channel Islands
    ]
    yorkshire = resolve_area("Yorkshire & the Humber")
    assert yorkshire.name == "Yorkshire and The Humber" and len(yorkshire.codes) == 15
    assert "E08000039" in yorkshire.codes  # Sheffield under its 2025 code, as the postcode data has it
    assert resolve_area("London").codes == tuple(f"E09{n:06d}" for n in range(1, 34))
    assert resolve_area("City of London").codes == ("E09000001",)


GEO = DATA.parents[2] / "shared" / "data" / "geo"


def _lookup_districts(field: str, value: str) -> set[str]:
    """LAD codes from mySociety's lookup itself (not lm3's copy): current authorities whose ``field`` is
    ``value``, with ONS's 2025 recodes of Barnsley and Sheffield."""
    recoded = {"E08000016": "E08000038", "E08000019": "E08000039"}
    with (GEO / "uk_local_authorities.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["current-authority"] == "True"]
    return {recoded.get(r["gss-code"], r["gss-code"]) for r in rows if r[field] == value}


@pytest.mark.skipif(not GEO.is_dir(), reason=f"the geo lookup is not beside this checkout ({GEO})")
def test_areas_as_councils_name_them_resolve_to_the_lookups_districts():
    assert set(resolve_area("Greater Manchester").codes) == _lookup_districts("combined-authority", "GMCA")
    assert set(resolve_area("West Yorkshire").codes) == _lookup_districts("combined-authority", "WYCA")
    assert set(resolve_area("Lancashire").codes) == _lookup_districts("county-la", "LAN")
    assert set(resolve_area("Salford City Council").codes) == _lookup_districts(
        "official-name", "Salford City Council"
    )


def test_areas_as_councils_name_them_stand_alone():
    """The same, against district names written out here (ONS): a fresh clone has no lookup beside it."""
    greater_manchester = "Bolton Bury Manchester Oldham Rochdale Salford Stockport Tameside Trafford Wigan"
    assert sorted(resolve_area("Greater Manchester").names) == greater_manchester.split()
    assert sorted(resolve_area("West Yorkshire").names) == [
        "Bradford",
        "Calderdale",
        "Kirklees",
        "Leeds",
        "Wakefield",
    ]
    assert sorted(resolve_area("Tyne and Wear").names) == sorted(
        ["Gateshead", "Newcastle upon Tyne", "North Tyneside", "South Tyneside", "Sunderland"]
    )
    lancashire = resolve_area("Lancashire County Council")
    assert len(lancashire.codes) == 12 and "Blackpool" not in lancashire.names  # a unitary, not the county's
    assert resolve_area("Salford City Council").codes == ("E08000006",)
    assert resolve_area("City of Bradford Metropolitan District Council").codes == ("E08000032",)
    assert resolve_area(["Salford", "Greater Manchester"]).codes[0] == "E08000006"  # no district twice
    assert len(resolve_area(["Salford", "Greater Manchester"]).codes) == 10
    with pytest.raises(lm3.AreaError) as err:
        resolve_area("Greater Manchster")
    assert err.value.suggestions[0] == "Greater Manchester (combined authority)"
    with pytest.raises(lm3.AreaError) as err:
        resolve_area("Lancshire")
    assert err.value.suggestions[0] == "Lancashire (county)"


def test_a_head_office_from_a_second_register_is_kept_and_named(tmp_path):
    """The council's register gives National Widgets' site in Bradford, Companies House its registered
    office in Westminster: combined, it is a local branch whose head office is named, never "nan" or blank."""
    (tmp_path / "pay.csv").write_text(
        "Supplier,Amount\nNational Widgets Ltd,5000.00\nPrint Shop Ltd,100.00\n"
    )
    (tmp_path / "council.csv").write_text(
        "Supplier,Postcode\nNational Widgets Ltd,BD1 1HY\nPrint Shop Ltd,BD5 0JL\n"
    )
    (tmp_path / "ch.csv").write_text(
        "Supplier,Postcode,Head office postcode\nNational Widgets Ltd,SW1A 1AA,SW1A 1AA\n"
    )
    result = locate(tmp_path / "pay.csv", [tmp_path / "council.csv", tmp_path / "ch.csv"], area="Bradford")
    widgets = result.suppliers.set_index("supplier").loc["National Widgets Ltd"]
    assert widgets["location"] == "local branch" and widgets["head_office_postcode"] == "SW1A 1AA"
    assert "head office SW1A 1AA is in Westminster" in widgets["reason"]
    out = CliRunner().invoke(
        cli,
        [
            "locate",
            "--payments",
            str(tmp_path / "pay.csv"),
            "--suppliers",
            str(tmp_path / "council.csv"),
            "--suppliers",
            str(tmp_path / "ch.csv"),
            "--area",
            "Bradford",
        ],
    )
    assert "head office SW1A 1AA (Westminster, London)" in out.output
    assert "nan" not in out.output and "head office  is in" not in out.output
