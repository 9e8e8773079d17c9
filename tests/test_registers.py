"""The register store: every real register extract in ../shared/data/registers added in its publisher's
layout and used to place suppliers, each count and each place worked out here by plain readers (csv,
openpyxl's cousin calamine, json) and the ONS Postcode Directory read directly; the cascade's sources,
sites, branches and ambiguity; near names that must not merge."""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

import lm3
from lm3.cli import cli
from lm3.values.names import supplier_key

REGISTERS = ROOT.parent / "shared" / "data" / "registers"
needs_shared = pytest.mark.skipif(
    not REGISTERS.is_dir(), reason="needs ../shared/data/registers (real register extracts)"
)
POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b")


def _key(name: str) -> str:
    """The test's own normalisation of a name (not lm3's): upper case, & as AND, no punctuation, no leading
    The or trailing legal form."""
    s = re.sub(r"[.'’]", "", name.upper().replace("&", " AND "))
    s = re.sub(r"[^A-Z0-9]+", " ", s).strip()
    s = re.sub(r"^THE ", "", s)
    return re.sub(r"( (LIMITED|LTD|PLC|LLP|CIC|CIO|CO|COMPANY))+$", "", s).strip()


def _last_postcode(text: str) -> str:
    found = POSTCODE.findall(" ".join(str(text).upper().split()))
    return found[-1].replace(" ", "") if found else ""


def _csv(
    path: Path, encoding: str = "utf-8-sig", header: bool = True
) -> list[dict[str, str]] | list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f)) if header else list(csv.reader(f))


# Each extract: how a plain reader finds its rows' names and postcodes, and which rows the register holds.
def _rows_ccew(p: Path) -> list[tuple[str, str]]:
    return [(r["charity_name"], r["charity_contact_postcode"]) for r in _csv(p) if r["charity_name"].strip()]


def _rows_ccni(p: Path) -> list[tuple[str, str]]:
    rows = _csv(p, encoding="cp1252")
    return [
        (r["Charity name"], _last_postcode(r["Public address"]))
        for r in rows
        if r["Sub charity number"] == "0"
    ]


def _rows_cqc(p: Path) -> list[tuple[str, str]]:
    return [(r["name"], r["postcode"]) for r in _csv(p)]


def _rows_rqia(p: Path) -> list[tuple[str, str]]:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
    at = {h: i for i, h in enumerate(rows[0])}
    return [
        (str(r[at["ServiceName"]]), str(r[at["Postcode"]]))
        for r in rows[1:]
        if str(r[at["ServiceName"]]).strip()
    ]


def _rows_gias(p: Path) -> list[tuple[str, str]]:
    return [(r["name"], r["postcode"]) for r in _csv(p)]


def _rows_ods(p: Path) -> list[tuple[str, str]]:
    return [(r[1], r[9]) for r in _csv(p, encoding="cp1252", header=False)]


def _rows_pharmacies(p: Path) -> list[tuple[str, str]]:
    return [(r["pharmacy_name"], r["postcode"]) for r in _csv(p)]


def _rows_companies(p: Path) -> list[tuple[str, str]]:
    return [(r["CompanyName"], r["RegAddress.PostCode"]) for r in _csv(p)]


def _rows_cascs(p: Path) -> list[tuple[str, str]]:
    return [(r["name"], r["postcode"]) for r in _csv(p)]


def _rows_cascs_ch(p: Path) -> list[tuple[str, str]]:
    rows = _csv(p)
    clubs = [(r["casc_name"], r["casc_postcode"]) for r in rows]
    offices = {(r["ch_name"], r["ch_postcode"], r["ch_number"]) for r in rows if r["ch_name"].strip()}
    return clubs + [(n, pc) for n, pc, _ in offices]


EXTRACTS = {
    "charities/ccew_charities_operating_in_trafford_2023-04-04.csv": ("charity-commission", _rows_ccew),
    "charities/ccni_register_2020-06-30.csv": ("ccni", _rows_ccni),
    "care/cqc_trafford_care_homes_2026-02-25.csv": ("cqc", _rows_cqc),
    "care/rqia_ni_care_services_2025-12-07.xlsx": ("rqia", _rows_rqia),
    "schools/gias_trafford_schools_and_colleges_2024-09.csv": ("gias", _rows_gias),
    "nhs/ods_etr_trusts.csv": ("ods-trusts", _rows_ods),
    "nhs/ods_epraccur_gp_practices.csv": ("ods-gp-practices", _rows_ods),
    "nhs/gm_pharmacies_2025-06.csv": ("nhs-sites", _rows_pharmacies),
    "companies_house/BasicCompanyDataAsOneFile-2020-05-01_sample.csv": ("companies-house", _rows_companies),
    "companies_house/basic_raw_layout_sample.csv": ("companies-house", _rows_companies),
    "sports_clubs/hmrc_cascs_2026-08.csv": ("cascs", _rows_cascs),
    "sports_clubs/cascs_matched_to_companies_house.csv": ("cascs-companies-house", _rows_cascs_ch),
}


@needs_shared
@pytest.mark.parametrize("extract", sorted(EXTRACTS))
def test_each_register_is_added_and_places_its_own_organisations(extract, tmp_path, ons):
    """Added in its publisher's layout (recognised by content): as many rows as a plain reader counts. Then
    up to 25 of its organisations (names no other row of it shares, postcodes the ONS knows) paid as
    suppliers, with no supplier register: each is placed by this register, at its own postcode's district."""
    name, rows_of = EXTRACTS[extract]
    path = REGISTERS / extract
    store = lm3.RegisterStore(tmp_path / "registers")
    (info,) = lm3.registers.add(path, registers=store)
    rows = rows_of(path)
    assert (info.name, info.rows) == (name, len(rows))
    assert info.sha256 and info.size == path.stat().st_size and info.licence

    # the organisations and their places: a sports club's own ground and its company's registered office
    places: dict[str, set[str]] = {}
    owner = (
        rows
        if name != "cascs-companies-house"
        else [(r["casc_name"], r["casc_postcode"]) for r in _csv(path)]
    )
    names = pd.Series([_key(n) for n, _ in owner])
    unique = names.map(names.value_counts()) == 1
    for (supplier, postcode), ok in zip(owner, unique, strict=True):
        if ok:
            places[supplier] = {postcode.replace(" ", "").upper()}
    if name == "cascs-companies-house":
        for r in _csv(path):
            if r["casc_name"] in places:
                places[r["casc_name"]].add(r["ch_postcode"].replace(" ", "").upper())
    # a public body is placed by lm3's own register as well: the same organisation (by its ODS code)
    bodies = {_key(r["name"]) for r in _csv(ROOT / "lm3" / "data" / "public_bodies.csv")}
    people = lm3.frontend.names_of_people(pd.Series(list(places))).to_numpy()
    chosen = [
        (supplier, {ons.loc[pc, "laua"] for pc in pcs})
        for (supplier, pcs), person in zip(places.items(), people, strict=True)
        if not person and pcs and all(pc in ons.index for pc in pcs) and len(_key(supplier)) > 3
    ][:25]
    assert len(chosen) >= 20, "the extract has organisations to place"
    payments = pd.DataFrame({"Supplier": [s for s, _ in chosen], "Amount": ["100.00"] * len(chosen)})
    located = lm3.locate(payments, None, area="Leeds", registers=store)
    s = located.suppliers.set_index("payments_name")
    for supplier, lads in chosen:
        sources = {f"the register store: {name}"} | (
            {"public bodies (lm3)"} if _key(supplier) in bodies else set()
        )
        assert s.loc[supplier, "source"] in sources, supplier
        assert s.loc[supplier, "lad"] in lads, supplier


@needs_shared
def test_contracts_finder_ocds_suppliers_with_their_identifiers(tmp_path, ons):
    """The OCDS releases matched to identifiers: each supplier party once per name, org-id and postcode; a
    supplier paid by its GB-COH company number is placed at its postcode, whatever its name in the file."""
    folder = REGISTERS / "contracts_finder" / "ocds" / "json_1_1_supplier_ids_match"
    zipped = tmp_path / "ocds.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for f in sorted(folder.glob("*.json")):
            z.write(f, f.name)
    expected: set[tuple[str, str, str]] = set()
    with_number: dict[str, str] = {}
    for f in sorted(folder.glob("*.json")):
        for release in json.loads(f.read_text(encoding="utf-8"))["releases"]:
            for party in release.get("parties", []):
                if "supplier" not in party.get("roles", []):
                    continue
                address = party.get("address") or {}
                text = address.get("postalCode") or " ".join(
                    str(address.get(k) or "") for k in ("streetAddress", "locality", "region")
                )
                ident = party.get("identifier") or {}
                org = f"{ident.get('scheme')}-{ident.get('id')}".upper() if ident.get("id") else ""
                pc = _last_postcode(text)
                expected.add((party["name"], org, pc))
                if ident.get("scheme") == "GB-COH" and pc in ons.index:
                    with_number[ident["id"]] = pc
    store = lm3.RegisterStore(tmp_path / "registers")
    (info,) = lm3.registers.add(zipped, registers=store)
    assert info.name == "contracts-ocds" and info.rows == len(expected)
    numbers = sorted(with_number)[:20]
    payments = pd.DataFrame(
        {
            "Supplier": [f"Supplier {i}" for i in range(len(numbers))],
            "Amount": ["10.00"] * len(numbers),
            "Company number": numbers,
        }
    )
    located = lm3.locate(payments, None, area="Leeds", registers=store)
    s = located.suppliers.set_index("payments_name")
    for i, number in enumerate(numbers):
        row = s.loc[f"Supplier {i}"]
        assert (row["match"], row["lad"]) == ("company number", ons.loc[with_number[number], "laua"]), number


@needs_shared
def test_a_provider_is_local_through_its_care_homes(tmp_path, ons):
    """CQC lists each care home beside its provider. Paid by the provider's name (registered nowhere in the
    store), a provider whose homes are all in Trafford is placed by its sites: local to Trafford."""
    path = REGISTERS / "care" / "cqc_trafford_care_homes_2026-02-25.csv"
    homes = _csv(path)
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(path, registers=store)
    providers: dict[str, set[str]] = {}
    for r in homes:
        providers.setdefault(r["provider"], set()).add(ons.loc[r["postcode"].replace(" ", ""), "laua"])
    people = set(
        pd.Series(list(providers))[lm3.frontend.names_of_people(pd.Series(list(providers))).to_numpy()]
    )
    chosen = sorted(
        p for p, lads in providers.items() if lads == {"E08000009"} and p not in people and "Council" not in p
    )
    assert chosen
    payments = pd.DataFrame({"Supplier": chosen, "Amount": ["1000.00"] * len(chosen)})
    located = lm3.locate(payments, None, area="Trafford", registers=store)
    s = located.suppliers.set_index("payments_name")
    # by its sites, or (a home named after its provider, "Bange Nursing Homes Limited t/a Bradley House") its
    # name, or its name without a remark at its end ("Cedars Rest Home Limited(The)": "The Cedars Rest Home")
    matches = set(s.loc[chosen, "match"])
    assert matches <= {"its sites", "name", "name without its bracketed remark"} and "its sites" in matches
    assert set(s.loc[chosen, "source"]) == {"the register store: cqc"}
    assert set(s.loc[chosen, "location"]) == {"local"}
    sites = {p: sum(1 for h in homes if h["provider"] == p) for p in chosen}
    assert s.loc[chosen, "sites"].to_dict() == sites


@needs_shared
def test_a_club_with_its_registered_office_elsewhere_is_a_local_branch(tmp_path, ons):
    """HMRC's sports clubs matched to Companies House give each club's own postcode and its company's
    registered office. A club paid by name in its own district, whose office lies in another, is a local
    branch of a head office elsewhere; with the branch rule off, it is not local."""
    path = REGISTERS / "sports_clubs" / "cascs_matched_to_companies_house.csv"
    rows = _csv(path)
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(path, registers=store)
    names = pd.Series([_key(r["casc_name"]) for r in rows])
    counts = names.value_counts()
    chosen = []
    for r in rows:
        club, office = r["casc_postcode"].replace(" ", ""), r["ch_postcode"].replace(" ", "")
        known = club in ons.index and office in ons.index and counts[_key(r["casc_name"])] == 1
        if known and ons.loc[club, "laua"] != ons.loc[office, "laua"]:
            chosen.append((r["casc_name"], ons.loc[club, "laua"], r["ch_postcode"]))
    assert chosen
    supplier, lad, office = chosen[0]
    payments = pd.DataFrame({"Supplier": [supplier], "Amount": ["500.00"]})
    located = lm3.locate(payments, None, area=lad, registers=store)
    row = located.suppliers.iloc[0]
    assert (row["location"], row["local"]) == ("local branch", True)
    assert row["head_office_postcode"].replace(" ", "") == office.replace(" ", "")
    strict = lm3.locate(payments, None, area=lad, registers=store, branch_is_local=False)
    assert not strict.suppliers.iloc[0]["local"]


@needs_shared
def test_a_charity_paid_by_its_number_and_a_company_by_its_number(tmp_path, ons):
    """The spend file's own identifiers find their organisations in the store, whatever the names paid."""
    ccew = REGISTERS / "charities" / "ccew_charities_operating_in_trafford_2023-04-04.csv"
    ch = REGISTERS / "companies_house" / "BasicCompanyDataAsOneFile-2020-05-01_sample.csv"
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add([ccew, ch], registers=store)
    charity = next(r for r in _csv(ccew) if r["charity_contact_postcode"].replace(" ", "") in ons.index)
    company = next(r for r in _csv(ch) if r["RegAddress.PostCode"].replace(" ", "") in ons.index)
    payments = pd.DataFrame(
        {
            "Supplier": ["A Charity As The Council Names It", "A Company As The Council Names It"],
            "Amount": ["100.00", "200.00"],
            "Charity number": [charity["registered_charity_number"], "N/A"],
            "Company number": ["N/A", company["CompanyNumber"].lstrip("0")],
        }
    )
    located = lm3.locate(payments, None, area="Leeds", registers=store)
    s = located.suppliers.set_index("payments_name")
    assert s.loc["A Charity As The Council Names It", ["match", "lad"]].tolist() == [
        "charity number",
        ons.loc[charity["charity_contact_postcode"].replace(" ", ""), "laua"],
    ]
    assert s.loc["A Company As The Council Names It", ["match", "lad"]].tolist() == [
        "company number",
        ons.loc[company["RegAddress.PostCode"].replace(" ", ""), "laua"],
    ]
    assert s.loc["A Charity As The Council Names It", "type"] == "VCSE"


def _register(tmp_path: Path, name: str, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / name
    pd.DataFrame(rows, columns=["Supplier", "Postcode"]).to_csv(path, index=False)
    return path


def test_two_organisations_of_one_name_are_ambiguous_and_closed_ones_give_way(tmp_path):
    """Companies House in its real layout, written here: two active companies named ACME SERVICES (never
    taken: listed with both), one active and one dissolved BETA TRADING (the active one is taken)."""
    header = ("CompanyName, CompanyNumber,RegAddress.PostCode,CompanyStatus,CompanyCategory,"
              "Accounts.AccountCategory")  # fmt: skip
    lines = [
        header,
        "ACME SERVICES LIMITED,01000001,BD1 1HY,Active,Private Limited Company,SMALL",
        "ACME SERVICES LTD,01000002,LS1 4DY,Active,Private Limited Company,FULL",
        "BETA TRADING LIMITED,01000003,BD7 1DP,Active,Private Limited Company,MICRO ENTITY",
        "BETA TRADING LIMITED,01000004,M1 1AE,Dissolved,Private Limited Company,",
    ]
    path = tmp_path / "BasicCompanyDataAsOneFile-2025-11-01.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(path, registers=store)
    payments = pd.DataFrame({"Supplier": ["Acme Services", "Beta Trading Ltd"], "Amount": ["10.00", "20.00"]})
    s = lm3.locate(payments, None, area="Bradford", registers=store).suppliers.set_index("payments_name")
    assert (s.loc["Acme Services", "location"], s.loc["Acme Services", "unplaced"]) == (
        "unknown",
        "ambiguous",
    )
    assert (
        "ACME SERVICES LIMITED" in s.loc["Acme Services", "reason"]
        and "ACME SERVICES LTD" in s.loc["Acme Services", "reason"]
    )
    assert s.loc["Beta Trading Ltd", ["location", "lad", "type"]].tolist() == ["local", "E08000032", "SME"]


def test_near_names_never_take_one_word_for_another(tmp_path):
    """A register of universities and parish councils: "University of West London" is not the University
    of East London, "Ashton Parish Council" not Aston's; a typo ("Univeristy of East London", "Barwik")
    still finds its own; with only generic words shared, no near name is taken."""
    register = _register(
        tmp_path,
        "register.csv",
        [
            ("University of East London", "E16 2RD"),
            ("University of Bradford", "BD7 1DP"),
            ("University of Leeds", "LS2 9JT"),
            ("University of Salford", "M5 4WT"),
            ("University of Manchester", "M13 9PL"),
            ("Leeds Beckett University", "LS1 3HE"),
            ("Aston Parish Council", "S26 2AB"),
            ("Barwick in Elmet Parish Council", "LS15 4HW"),
            ("Bramham Parish Council", "LS23 6QA"),
            ("Boston Spa Parish Council", "LS23 6AA"),
            ("Scarcroft Parish Council", "LS14 3HJ"),
            ("Wetherby Town Council", "LS22 6NE"),
            ("Otley Town Council", "LS21 1HQ"),
            ("Brenntag UK Ltd", "LS1 4DY"),
        ],
    )
    payments = pd.DataFrame(
        {
            "Supplier": [
                "University of West London",
                "Univeristy of East London",
                "Ashton Parish Council",
                "Brentag UK Ltd",
            ],
            "Amount": ["100.00", "200.00", "300.00", "400.00"],
        }
    )
    s = lm3.locate(payments, register, area="Leeds").suppliers.set_index("payments_name")
    assert s.loc["University of West London", "location"] == "unknown"
    assert s.loc["Univeristy of East London", ["match", "supplier"]].tolist() == [
        "fuzzy name",
        "University of East London",
    ]
    assert s.loc["Ashton Parish Council", "location"] == "unknown"
    assert s.loc["Brentag UK Ltd", ["match", "supplier"]].tolist() == ["fuzzy name", "Brenntag UK Ltd"]


def test_a_spend_file_does_not_merge_two_parish_councils(tmp_path):
    """Within a spend file, a typo is merged into the same supplier; two parish councils one letter apart
    are two suppliers."""
    path = tmp_path / "spend.csv"
    rows = [("Ashton Parish Council", "100.00"), ("Aston Parish Council", "200.00")]
    rows += [(f"{p} Parish Council", "10.00") for p in ("Bramham", "Barwick", "Otley", "Ilkley", "Keighley")]
    rows += [("Brenntag UK Ltd", "300.00"), ("Brentag UK Ltd", "5.00")]
    pd.DataFrame(rows, columns=["Supplier", "Amount"]).to_csv(path, index=False)
    keys = set(lm3.ingest(path).data["key"])
    assert {"ASHTON PARISH COUNCIL", "ASTON PARISH COUNCIL", "BRENNTAG UK"} <= keys
    assert "BRENTAG UK" not in keys


def test_the_store_is_per_user_and_its_registers_are_replaced_and_removed(tmp_path, monkeypatch):
    """LM3_DATA_DIR names the user's folder; a newer file of a register replaces it, an older one is refused
    (the store left as it was), and remove drops one; the shipped public bodies stay."""
    monkeypatch.setenv("LM3_DATA_DIR", str(tmp_path / "data"))
    old = _register(tmp_path, "suppliers-2024-01-01.csv", [("Aire Valley Catering", "BD1 1HY")])
    new = _register(
        tmp_path, "suppliers-2025-01-01.csv", [("Aire Valley Catering", "LS1 4DY"), ("B Ltd", "M1 1AE")]
    )
    lm3.registers.add(old, name="vendors")
    assert lm3.registers.table().set_index("name").loc["vendors", "rows"] == 1
    folder = tmp_path / "data" / "registers"
    assert (folder / "vendors.arrow").is_file() and (folder / "vendors.index" / "meta.json").is_file()
    lm3.registers.add(new, name="vendors")
    assert lm3.registers.table().set_index("name").loc["vendors", ["rows", "date"]].tolist() == [
        2,
        "2025-01-01",
    ]
    with pytest.raises(lm3.InputError) as older:
        lm3.registers.add(old, name="vendors")
    assert older.value.code == "register-older"
    assert lm3.registers.table().set_index("name").loc["vendors", "rows"] == 2
    # an index lost (or left by another version) is built again from the rows
    shutil.rmtree(folder / "vendors.index")
    found = lm3.registers.store().lookup(["AIRE VALLEY CATERING"])
    assert found[["register", "postcode"]].values.tolist() == [["vendors", "LS1 4DY"]]
    assert (folder / "vendors.index" / "meta.json").is_file()
    lm3.registers.remove("vendors")
    assert list(lm3.registers.table()["name"]) == ["public-bodies"]
    assert [p.name for p in folder.iterdir() if "vendors" in p.name] == []
    with pytest.raises(lm3.InputError) as gone:
        lm3.registers.remove("vendors")
    assert gone.value.code == "no-such-register"


def test_cli_registers_add_list_remove(tmp_path):
    store = tmp_path / "store"
    path = _register(tmp_path, "vendors.csv", [("Aire Valley Catering", "BD1 1HY")])
    runner = CliRunner()
    added = runner.invoke(cli, ["registers", "add", str(path), "--registers", str(store)])
    assert added.exit_code == 0, added.output
    assert added.output.startswith("Added vendors: 1 rows of vendors.csv (a supplier register)")
    listed = runner.invoke(cli, ["registers", "--registers", str(store), "--json"])
    assert [r["name"] for r in json.loads(listed.output)] == ["public-bodies", "vendors"]
    missing = runner.invoke(cli, ["registers", "remove", "nothing", "--registers", str(store)])
    assert missing.exit_code == 1 and "holds no register 'nothing'" in missing.output
    bad = runner.invoke(cli, ["registers", "add", str(tmp_path / "none.csv"), "--registers", str(store)])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_public_bodies_are_placed_with_no_download():
    """Councils by their names (and as payees shorten them), NHS trusts at their headquarters, police forces
    and integrated care boards by the districts they serve, national bodies in no local area."""
    payments = pd.DataFrame(
        {
            "Supplier": [
                "Bradford MDC",
                "Leeds City Council",
                "BRADFORD TEACHING HOSPITALS NHS FOUNDATION TRUST",
                "West Yorkshire Police",
                "NHS West Yorkshire Integrated Care Board",
                "HM Revenue and Customs",
                "Lancashire County Council",
            ],
            "Amount": ["1.00"] * 7,
        }
    )
    s = lm3.locate(payments, None, area="Bradford").suppliers.set_index("payments_name")
    assert set(s["type"]) == {"public body"} and set(s["source"]) == {"public bodies (lm3)"}
    assert s["location"].to_dict() == {
        "Bradford MDC": "local",
        "Leeds City Council": "non-local",
        "BRADFORD TEACHING HOSPITALS NHS FOUNDATION TRUST": "local",  # BD9 6RJ
        "West Yorkshire Police": "local branch",  # serves Bradford and four districts beside it
        "NHS West Yorkshire Integrated Care Board": "local branch",
        "HM Revenue and Customs": "non-local",  # a national body: in no local area
        "Lancashire County Council": "non-local",
    }
    uk = lm3.locate(payments, None, area="UK").suppliers.set_index("payments_name")
    assert uk.loc["HM Revenue and Customs", "location"] == "local"


def test_public_bodies_under_their_statutory_names_and_with_a_remark():
    """A commissioner, a chief constable and a fire authority are paid under their corporations' names; a
    payee's name with a remark at its end ("(Utility Bills Only)", an unclosed "(Radius Account") is the body
    without it, and the trace says so; a bracket inside a name is part of it."""
    names = [
        "The Police and Crime Commissioner for Kent",
        "Chief Constable of Kent Police",
        "Kent Fire Authority",
        "KENT COUNTY COUNCIL (UTILITY BILLS ONLY)",
        "Leeds City Council (Radius Account",
        "Leeds (Yorkshire) City Council",
    ]
    payments = pd.DataFrame({"Supplier": names, "Amount": ["1.00"] * len(names)})
    s = lm3.locate(payments, None, area="Kent").suppliers.set_index("payments_name")
    assert s["location"].to_dict() == {
        "The Police and Crime Commissioner for Kent": "local branch",  # serves Kent and Medway
        "Chief Constable of Kent Police": "local branch",
        "Kent Fire Authority": "local branch",
        "KENT COUNTY COUNCIL (UTILITY BILLS ONLY)": "local",
        "Leeds City Council (Radius Account": "non-local",
        "Leeds (Yorkshire) City Council": "unknown",  # a bracket inside a name is part of it
    }
    assert s.loc["KENT COUNTY COUNCIL (UTILITY BILLS ONLY)", "match"] == "name without its bracketed remark"
    assert s.loc["The Police and Crime Commissioner for Kent", "match"] == "name"


@needs_shared
def test_a_service_paid_by_its_own_name_counts_each_site_of_its_provider_once(tmp_path):
    """RQIA lists each care service beside its provider. Two services of one provider, each paid by its own
    name, are each placed by their own row and have the other as a site of the same organisation: two sites
    each, every row counted once (a row that is both the organisation's and one of its sites was counted
    twice)."""
    path = REGISTERS / "care" / "rqia_ni_care_services_2025-12-07.xlsx"
    services = pd.read_excel(path, dtype=str, engine="calamine")
    key = supplier_key
    services = services.assign(service=key(services["ServiceName"]), provider=key(services["ProviderName"]))
    once = services.groupby("service")["service"].transform("size") == 1
    unlike = ~services["service"].isin(services["provider"])  # no service named like a provider
    per = services[once & unlike].groupby("provider")["ServiceName"].agg(list)
    pair = next(names[:2] for names in per if len(names) >= 3)
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(path, registers=store)
    payments = pd.DataFrame({"Supplier": pair, "Amount": ["100.00", "200.00"]})
    located = lm3.locate(payments, None, area="Belfast", registers=store)
    s = located.suppliers.set_index("payments_name")
    assert s.loc[pair, "match"].tolist() == ["name", "name"]
    assert s.loc[pair, "sites"].tolist() == [2, 2]


def test_a_register_is_written_in_full_blocks_and_every_row_is_found(tmp_path, monkeypatch):
    """The rows are kept in compressed blocks of ``BLOCK`` rows (a lookup decompresses only the blocks holding
    a match): whatever sizes the reader gives (Companies House streams), every block but the last is full,
    the rows keep their order, and a row in each block is found."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    import lm3.inputs.register_index as store_module

    monkeypatch.setattr(store_module, "BLOCK", 1000)

    def name(i: int) -> str:  # a name with no number: an account number at a name's end is not its own
        return "Supplier Z" + "".join(chr(65 + (i // 26**k) % 26) for k in range(3))

    def table(start: int, n: int) -> pa.Table:
        names = [name(i) + " Ltd" for i in range(start, start + n)]
        columns = {c: pa.nulls(n, pa.string()) for c in store_module.SCHEMA.names}
        columns.update(name=pa.array(names), postcode=pa.array(["BD1 1HY"] * n), role=pa.array(["site"] * n))
        return pa.table(columns, schema=store_module.SCHEMA)

    part, index = tmp_path / "vendors.arrow", tmp_path / "vendors.index"
    written = store_module.write_rows(
        part, [table(0, 700), table(700, 700), table(1400, 700)], index, lambda n: None
    )
    assert written == 2100
    meta = json.loads((index / "meta.json").read_text())
    assert meta["blocks"] == [1000, 1000, 100]
    with pa.OSFile(str(part)) as source:
        kept = ipc.open_file(source).read_all().column("name").to_pylist()
    assert kept == [name(i) + " Ltd" for i in range(2100)]
    # through the store: a row of each block found by its name
    path = _register(
        tmp_path, "suppliers-2025-01-01.csv", [(name(i) + " Ltd", "BD1 1HY") for i in range(2500)]
    )
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(path, name="vendors", registers=store)
    asked = [0, 999, 1000, 2499]
    found = store.lookup([name(i).upper() for i in asked])
    assert sorted(found["name"]) == sorted(name(i) + " Ltd" for i in asked)
