"""Write lm3/data/public_bodies.csv (and public_bodies.json, its description): the public bodies lm3 places
and types with no download.

    python tools/make_public_bodies.py [../shared/data]

- **Councils and combined authorities**, current and former, from mySociety's lookup of UK local
  authorities (geo/uk_local_authorities.csv, lookup_name_to_registry.csv; MIT, (c) 2021 mySociety), as
  lm3/data/authorities.csv already holds the current ones: a row for each district a council serves
  (``role`` "area served", ``lad``), under each of its names that names a body ("Bradford Council", "City
  of Bradford Metropolitan District Council"; a bare place name, "Bradford", is not a payee's name). A
  former council (Craven, Harrogate, Cumbria...) serves the districts of the council that replaced it.
- **NHS trusts** from the ODS file etr (nhs/ods_etr_trusts.csv; OGL v3.0): the trust's headquarters
  postcode, its ODS code, and whether it is closed.
- **NHS integrated care boards, police forces and their commissioners, fire and rescue services**: the
  areas they serve, written below as lm3 resolves areas (``lm3.resolve_area``: a name it does not know
  stops this script). An ICB's boundary splits a few districts; each is given the districts it mostly
  covers.
- **National bodies** (government departments and agencies a council pays): one row each, ``lad``
  K02000001 (the UK): placed, but in no local area.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path

import lm3

HERE = Path(__file__).resolve().parent.parent
OUT = HERE / "lm3" / "data"
UK = "K02000001"
BODY_WORDS = re.compile(
    r"(?i)\b(?:council|authority|borough|corporation|county|district|city of|combined|mayor|assembly|"
    r"metropolitan|unitary|royal borough)\b"
)
RECODED = {"E08000016": "E08000038", "E08000019": "E08000039"}

# area -> police force, its commissioner, its fire and rescue service (as the bodies name themselves)
POLICE_AND_FIRE = {
    "Bristol, North Somerset, South Gloucestershire, Bath and North East Somerset, Somerset": (
        "Avon and Somerset Constabulary",
        "Avon and Somerset Police and Crime Commissioner",
        None,
    ),
    "Bristol, North Somerset, South Gloucestershire, Bath and North East Somerset": (
        None,
        None,
        "Avon Fire and Rescue Service",
    ),
    "Bedford, Central Bedfordshire, Luton": (
        "Bedfordshire Police",
        "Bedfordshire Police and Crime Commissioner",
        "Bedfordshire Fire and Rescue Service",
    ),
    "Cambridgeshire, Peterborough": (
        "Cambridgeshire Constabulary",
        "Cambridgeshire Police and Crime Commissioner",
        "Cambridgeshire Fire and Rescue Service",
    ),
    "Cheshire East, Cheshire West and Chester, Halton, Warrington": (
        "Cheshire Constabulary",
        "Cheshire Police and Crime Commissioner",
        "Cheshire Fire and Rescue Service",
    ),
    "City of London": ("City of London Police", None, None),
    "Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees": (
        "Cleveland Police",
        "Cleveland Police and Crime Commissioner",
        "Cleveland Fire Brigade",
    ),
    "Cumberland, Westmorland and Furness": (
        "Cumbria Constabulary",
        "Cumbria Police and Crime Commissioner",
        "Cumbria Fire and Rescue Service",
    ),
    "Derbyshire, Derby": (
        "Derbyshire Constabulary",
        "Derbyshire Police and Crime Commissioner",
        "Derbyshire Fire and Rescue Service",
    ),
    "Devon, Plymouth, Torbay, Cornwall, Isles of Scilly": (
        "Devon and Cornwall Police",
        "Devon and Cornwall Police and Crime Commissioner",
        None,
    ),
    "Devon, Plymouth, Torbay, Somerset": (None, None, "Devon and Somerset Fire and Rescue Service"),
    "Cornwall": (None, None, "Cornwall Fire and Rescue Service"),
    "Dorset, Bournemouth Christchurch and Poole": (
        "Dorset Police",
        "Dorset Police and Crime Commissioner",
        None,
    ),
    "Dorset, Bournemouth Christchurch and Poole, Wiltshire, Swindon": (
        None,
        None,
        "Dorset and Wiltshire Fire and Rescue Service",
    ),
    "County Durham, Darlington": (
        "Durham Constabulary",
        "Durham Police and Crime Commissioner",
        "County Durham and Darlington Fire and Rescue Service",
    ),
    "Carmarthenshire, Ceredigion, Pembrokeshire, Powys": (
        "Dyfed-Powys Police",
        "Dyfed-Powys Police and Crime Commissioner",
        None,
    ),
    "Essex, Southend-on-Sea, Thurrock": (
        "Essex Police",
        "Essex Police, Fire and Crime Commissioner",
        "Essex County Fire and Rescue Service",
    ),
    "Gloucestershire": (
        "Gloucestershire Constabulary",
        "Gloucestershire Police and Crime Commissioner",
        "Gloucestershire Fire and Rescue Service",
    ),
    "Greater Manchester": ("Greater Manchester Police", None, "Greater Manchester Fire and Rescue Service"),
    "Blaenau Gwent, Caerphilly, Monmouthshire, Newport, Torfaen": (
        "Gwent Police",
        "Gwent Police and Crime Commissioner",
        None,
    ),
    "Hampshire, Portsmouth, Southampton, Isle of Wight": (
        "Hampshire and Isle of Wight Constabulary",
        "Hampshire and Isle of Wight Police and Crime Commissioner",
        "Hampshire and Isle of Wight Fire and Rescue Service",
    ),
    "Hertfordshire": (
        "Hertfordshire Constabulary",
        "Hertfordshire Police and Crime Commissioner",
        "Hertfordshire Fire and Rescue Service",
    ),
    "East Riding of Yorkshire, Kingston upon Hull, North East Lincolnshire, North Lincolnshire": (
        "Humberside Police",
        "Humberside Police and Crime Commissioner",
        "Humberside Fire and Rescue Service",
    ),
    "Kent, Medway": ("Kent Police", "Kent Police and Crime Commissioner", "Kent Fire and Rescue Service"),
    "Lancashire, Blackburn with Darwen, Blackpool": (
        "Lancashire Constabulary",
        "Lancashire Police and Crime Commissioner",
        "Lancashire Fire and Rescue Service",
    ),
    "Leicestershire, Leicester, Rutland": (
        "Leicestershire Police",
        "Leicestershire Police and Crime Commissioner",
        "Leicestershire Fire and Rescue Service",
    ),
    "Lincolnshire": (
        "Lincolnshire Police",
        "Lincolnshire Police and Crime Commissioner",
        "Lincolnshire Fire and Rescue",
    ),
    "Merseyside": (
        "Merseyside Police",
        "Merseyside Police and Crime Commissioner",
        "Merseyside Fire and Rescue Service",
    ),
    "Norfolk": (
        "Norfolk Constabulary",
        "Norfolk Police and Crime Commissioner",
        "Norfolk Fire and Rescue Service",
    ),
    "Conwy, Denbighshire, Flintshire, Gwynedd, Isle of Anglesey, Wrexham": (
        "North Wales Police",
        "North Wales Police and Crime Commissioner",
        "North Wales Fire and Rescue Service",
    ),
    "North Yorkshire, York": (
        "North Yorkshire Police",
        "North Yorkshire Police, Fire and Crime Commissioner",
        "North Yorkshire Fire and Rescue Service",
    ),
    "North Northamptonshire, West Northamptonshire": (
        "Northamptonshire Police",
        "Northamptonshire Police, Fire and Crime Commissioner",
        "Northamptonshire Fire and Rescue Service",
    ),
    "Northumberland": (None, None, "Northumberland Fire and Rescue Service"),
    "Northumberland, Tyne and Wear": (
        "Northumbria Police",
        "Northumbria Police and Crime Commissioner",
        None,
    ),
    "Tyne and Wear": (None, None, "Tyne and Wear Fire and Rescue Service"),
    "Nottinghamshire, Nottingham": (
        "Nottinghamshire Police",
        "Nottinghamshire Police and Crime Commissioner",
        "Nottinghamshire Fire and Rescue Service",
    ),
    "Bridgend, Cardiff, Merthyr Tydfil, Neath Port Talbot, Rhondda Cynon Taf, Swansea, Vale of Glamorgan": (
        "South Wales Police",
        "South Wales Police and Crime Commissioner",
        None,
    ),
    "South Yorkshire": ("South Yorkshire Police", None, "South Yorkshire Fire and Rescue"),
    "Staffordshire, Stoke-on-Trent": (
        "Staffordshire Police",
        "Staffordshire Commissioner for Police, Fire and Rescue and Crime",
        "Staffordshire Fire and Rescue Service",
    ),
    "Suffolk": (
        "Suffolk Constabulary",
        "Suffolk Police and Crime Commissioner",
        "Suffolk Fire and Rescue Service",
    ),
    "Surrey": ("Surrey Police", "Surrey Police and Crime Commissioner", "Surrey Fire and Rescue Service"),
    "East Sussex, West Sussex, Brighton and Hove": (
        "Sussex Police",
        "Sussex Police and Crime Commissioner",
        None,
    ),
    "East Sussex, Brighton and Hove": (None, None, "East Sussex Fire and Rescue Service"),
    "West Sussex": (None, None, "West Sussex Fire and Rescue Service"),
    "Bracknell Forest, Reading, Slough, West Berkshire, Windsor and Maidenhead, Wokingham, Buckinghamshire, Milton Keynes, Oxfordshire": (
        "Thames Valley Police",
        "Thames Valley Police and Crime Commissioner",
        None,
    ),
    "Bracknell Forest, Reading, Slough, West Berkshire, Windsor and Maidenhead, Wokingham": (
        None,
        None,
        "Royal Berkshire Fire and Rescue Service",
    ),
    "Buckinghamshire, Milton Keynes": (None, None, "Buckinghamshire Fire and Rescue Service"),
    "Oxfordshire": (None, None, "Oxfordshire Fire and Rescue Service"),
    "Warwickshire": (
        "Warwickshire Police",
        "Warwickshire Police and Crime Commissioner",
        "Warwickshire Fire and Rescue Service",
    ),
    "Herefordshire, Shropshire, Telford and Wrekin, Worcestershire": (
        "West Mercia Police",
        "West Mercia Police and Crime Commissioner",
        None,
    ),
    "Herefordshire, Worcestershire": (None, None, "Hereford and Worcester Fire and Rescue Service"),
    "Shropshire, Telford and Wrekin": (None, None, "Shropshire Fire and Rescue Service"),
    "West Midlands Combined Authority": ("West Midlands Police", None, "West Midlands Fire Service"),
    "West Yorkshire": ("West Yorkshire Police", None, "West Yorkshire Fire and Rescue Service"),
    "Wiltshire, Swindon": ("Wiltshire Police", "Wiltshire Police and Crime Commissioner", None),
    "Carmarthenshire, Ceredigion, Pembrokeshire, Powys, Neath Port Talbot, Swansea": (
        None,
        None,
        "Mid and West Wales Fire and Rescue Service",
    ),
    "Blaenau Gwent, Caerphilly, Monmouthshire, Newport, Torfaen, Bridgend, Cardiff, Merthyr Tydfil, Rhondda Cynon Taf, Vale of Glamorgan": (
        None,
        None,
        "South Wales Fire and Rescue Service",
    ),
    "Scotland": ("Police Scotland", None, "Scottish Fire and Rescue Service"),
    "Northern Ireland": (
        "Police Service of Northern Ireland",
        None,
        "Northern Ireland Fire and Rescue Service",
    ),
}
ICBS = {
    "NHS Bath and North East Somerset, Swindon and Wiltshire Integrated Care Board": "Bath and North East Somerset, Swindon, Wiltshire",
    "NHS Bedfordshire, Luton and Milton Keynes Integrated Care Board": "Bedford, Central Bedfordshire, Luton, Milton Keynes",
    "NHS Birmingham and Solihull Integrated Care Board": "Birmingham, Solihull",
    "NHS Black Country Integrated Care Board": "Dudley, Sandwell, Walsall, Wolverhampton",
    "NHS Bristol, North Somerset and South Gloucestershire Integrated Care Board": "Bristol, North Somerset, South Gloucestershire",
    "NHS Buckinghamshire, Oxfordshire and Berkshire West Integrated Care Board": "Buckinghamshire, Oxfordshire, Reading, West Berkshire, Wokingham",
    "NHS Cambridgeshire and Peterborough Integrated Care Board": "Cambridgeshire, Peterborough",
    "NHS Cheshire and Merseyside Integrated Care Board": "Cheshire East, Cheshire West and Chester, Halton, Warrington, Merseyside",
    "NHS Cornwall and the Isles of Scilly Integrated Care Board": "Cornwall, Isles of Scilly",
    "NHS Coventry and Warwickshire Integrated Care Board": "Coventry, Warwickshire",
    "NHS Derby and Derbyshire Integrated Care Board": "Derby, Derbyshire",
    "NHS Devon Integrated Care Board": "Devon, Plymouth, Torbay",
    "NHS Dorset Integrated Care Board": "Dorset, Bournemouth Christchurch and Poole",
    "NHS Frimley Integrated Care Board": "Bracknell Forest, Slough, Windsor and Maidenhead, Surrey Heath, Hart, Rushmoor",
    "NHS Gloucestershire Integrated Care Board": "Gloucestershire",
    "NHS Greater Manchester Integrated Care Board": "Greater Manchester",
    "NHS Hampshire and Isle of Wight Integrated Care Board": "Basingstoke and Deane, East Hampshire, Eastleigh, Fareham, Gosport, Havant, New Forest, Test Valley, Winchester, Portsmouth, Southampton, Isle of Wight",
    "NHS Herefordshire and Worcestershire Integrated Care Board": "Herefordshire, Worcestershire",
    "NHS Hertfordshire and West Essex Integrated Care Board": "Hertfordshire, Epping Forest, Harlow, Uttlesford",
    "NHS Humber and North Yorkshire Integrated Care Board": "East Riding of Yorkshire, Kingston upon Hull, North East Lincolnshire, North Lincolnshire, North Yorkshire, York",
    "NHS Kent and Medway Integrated Care Board": "Kent, Medway",
    "NHS Lancashire and South Cumbria Integrated Care Board": "Lancashire, Blackburn with Darwen, Blackpool, Westmorland and Furness",
    "NHS Leicester, Leicestershire and Rutland Integrated Care Board": "Leicester, Leicestershire, Rutland",
    "NHS Lincolnshire Integrated Care Board": "Lincolnshire",
    "NHS Mid and South Essex Integrated Care Board": "Basildon, Braintree, Brentwood, Castle Point, Chelmsford, Maldon, Rochford, Southend-on-Sea, Thurrock",
    "NHS Norfolk and Waveney Integrated Care Board": "Norfolk",
    "NHS North Central London Integrated Care Board": "Barnet, Camden, Enfield, Haringey, Islington",
    "NHS North East and North Cumbria Integrated Care Board": "Northumberland, Tyne and Wear, County Durham, Darlington, Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees, Cumberland",
    "NHS North East London Integrated Care Board": "Barking and Dagenham, City of London, Hackney, Havering, Newham, Redbridge, Tower Hamlets, Waltham Forest",
    "NHS North West London Integrated Care Board": "Brent, Ealing, Hammersmith and Fulham, Harrow, Hillingdon, Hounslow, Kensington and Chelsea, Westminster",
    "NHS Northamptonshire Integrated Care Board": "North Northamptonshire, West Northamptonshire",
    "NHS Nottingham and Nottinghamshire Integrated Care Board": "Nottingham, Nottinghamshire",
    "NHS Shropshire, Telford and Wrekin Integrated Care Board": "Shropshire, Telford and Wrekin",
    "NHS Somerset Integrated Care Board": "Somerset",
    "NHS South East London Integrated Care Board": "Bexley, Bromley, Greenwich, Lambeth, Lewisham, Southwark",
    "NHS South West London Integrated Care Board": "Croydon, Kingston upon Thames, Merton, Richmond upon Thames, Sutton, Wandsworth",
    "NHS South Yorkshire Integrated Care Board": "South Yorkshire",
    "NHS Staffordshire and Stoke-on-Trent Integrated Care Board": "Staffordshire, Stoke-on-Trent",
    "NHS Suffolk and North East Essex Integrated Care Board": "Ipswich, Babergh, Mid Suffolk, West Suffolk, East Suffolk, Colchester, Tendring",
    "NHS Surrey Heartlands Integrated Care Board": "Elmbridge, Epsom and Ewell, Guildford, Mole Valley, Reigate and Banstead, Runnymede, Spelthorne, Tandridge, Waverley, Woking",
    "NHS Sussex Integrated Care Board": "East Sussex, West Sussex, Brighton and Hove",
    "NHS West Yorkshire Integrated Care Board": "West Yorkshire",
}
NATIONAL = (
    "HM Revenue and Customs",
    "HMRC",
    "Department for Work and Pensions",
    "Department for Education",
    "Department of Health and Social Care",
    "Department for Transport",
    "Department for Levelling Up, Housing and Communities",
    "Ministry of Housing, Communities and Local Government",
    "Department for Environment, Food and Rural Affairs",
    "Department for Culture, Media and Sport",
    "Home Office",
    "Ministry of Justice",
    "Ministry of Defence",
    "Cabinet Office",
    "HM Treasury",
    "HM Courts and Tribunals Service",
    "HM Prison and Probation Service",
    "HM Land Registry",
    "Land Registry",
    "Driver and Vehicle Licensing Agency",
    "DVLA",
    "Driver and Vehicle Standards Agency",
    "Environment Agency",
    "Natural England",
    "Historic England",
    "Homes England",
    "National Highways",
    "Highways England",
    "Arts Council England",
    "Sport England",
    "The National Lottery Community Fund",
    "Crown Commercial Service",
    "Ofsted",
    "Care Quality Commission",
    "Health and Safety Executive",
    "Information Commissioner's Office",
    "Valuation Office Agency",
    "The Insolvency Service",
    "Disclosure and Barring Service",
    "Student Loans Company",
    "NHS England",
    "NHS Business Services Authority",
    "NHS Pensions",
    "UK Health Security Agency",
    "Office for National Statistics",
    "Electoral Commission",
    "Local Government and Social Care Ombudsman",
    "Public Works Loan Board",
    "UK Debt Management Office",
    # departments as they were named before (payees keep paying "BEIS", "DCLG")
    "Department for Business, Energy and Industrial Strategy",
    "Department for Business and Trade",
    "Department for Energy Security and Net Zero",
    "Department for Science, Innovation and Technology",
    "Department for Communities and Local Government",
    "Department for Digital, Culture, Media and Sport",
    "Department for Business, Innovation and Skills",
    # agencies and services councils, police and fire authorities pay
    "Government Internal Audit Agency",
    "Government Legal Department",
    "Government Actuary's Department",
    "Crown Prosecution Service",
    "Legal Aid Agency",
    "Office of the Public Guardian",
    "Criminal Injuries Compensation Authority",
    "National Crime Agency",
    "Independent Office for Police Conduct",
    "College of Policing",
    "Police Digital Service",
    "Education and Skills Funding Agency",
    "Office for Students",
    "Planning Inspectorate",
    "Companies House",
    "Charity Commission",
    "Ordnance Survey",
    "Met Office",
    "Coal Authority",
    "Forestry Commission",
    "The Pensions Regulator",
    "Ofgem",
    "Ofwat",
    "Ofcom",
    "Welsh Government",
    "Scottish Government",
    "Natural Resources Wales",
)
# bodies that serve a region: name -> the areas served (as lm3 resolves them)
REGIONAL = {
    "Transport for London": "London",
    "Greater London Authority": "London",
    "Transport for the North": "North East, North West, Yorkshire and The Humber",
    "Transport for Greater Manchester": "Greater Manchester",
    "Transport for West Midlands": "West Midlands Combined Authority",
    "Merseytravel": "Liverpool City Region",
}


ABBREVIATIONS = {  # how payees shorten a council's title
    "Metropolitan Borough Council": "MBC",
    "Metropolitan District Council": "MDC",
    "Borough Council": "BC",
    "District Council": "DC",
    "County Council": "CC",
    "City Council": "City Council",
}


def variants(short: str, official: str) -> set[str]:
    """ "<place> Council" for every council, and its title shortened as payees write it ("Bradford MDC",
    "Lancashire CC")."""
    out = {f"{short} Council"}
    for title, short_title in ABBREVIATIONS.items():
        if title.lower() in official.lower():
            out.add(f"{short} {short_title}")
            out.add(f"{short} {title}")
    return out


def initials(name: str) -> str:
    """A combined authority as payees write it, by its initials: "Greater Manchester Combined Authority"
    -> "GMCA", "South Yorkshire Mayoral Combined Authority" -> "SYMCA" ("and" and "of" left out)."""
    return "".join(w[0].upper() for w in name.split() if w.lower() not in ("and", "of", "the"))


def statutory_names(name: str, kind: str) -> list[str]:
    """The names a police force, commissioner or fire service is paid under: its own, and its corporation
    sole's or authority's ("Kent Police": "Chief Constable of Kent Police"; "Kent Police and Crime
    Commissioner": "Police and Crime Commissioner for Kent"; "Kent Fire and Rescue Service": "Kent Fire and
    Rescue Authority", "Kent Fire Authority")."""
    out = [name]
    if kind == "police":
        out.append(f"Chief Constable of {name}")
    elif kind == "police and crime commissioner":
        m = re.fullmatch(r"(.+?) (Police(?:, Fire)? and Crime Commissioner)", name)
        if m:
            out += [f"{m.group(2)} for {m.group(1)}", f"Office of the {m.group(2)} for {m.group(1)}"]
    elif kind == "fire and rescue":
        place = re.sub(r" (?:County )?Fire (?:and Rescue )?(?:Service|Brigade|Authority)?$", "", name)
        if name.endswith("Service") or name.endswith("Rescue"):
            out.append(name.removesuffix(" Service") + " Authority")
        if place != name:
            out.append(f"{place} Fire Authority")
    return out


def resolve(text: str) -> list[str]:
    codes: list[str] = []
    for part in text.split(", "):
        codes += lm3.resolve_area(part).codes
    return sorted(set(codes))


class Bodies:
    """The rows of public_bodies.csv, as they are added."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []

    def add(
        self,
        name: str,
        kind: str,
        *,
        lads: list[str] | None = None,
        postcode: str = "",
        ods: str = "",
        status: str = "active",
        org: str = "",
    ) -> None:
        base = {
            "name": name,
            "kind": kind,
            "status": status,
            "type": "public body",
            "ods_code": ods,
            "org_id": org,
        }
        if lads:
            self.rows.extend({**base, "role": "area served", "lad": lad, "postcode": ""} for lad in lads)
        else:
            self.rows.append(
                {**base, "role": "registered office", "lad": "" if postcode else UK, "postcode": postcode}
            )


def councils(bodies: Bodies, geo: Path) -> None:
    """Councils: current (lm3/data/authorities.csv) and former (replaced by)."""
    with (OUT / "authorities.csv").open(encoding="utf-8") as f:
        current = [
            r
            for r in csv.DictReader(f)
            if r["kind"] != "metropolitan county" and not r["kind"].startswith("former")
        ]
    by_code = {r["code"]: r for r in current}
    with (geo / "uk_local_authorities.csv").open(encoding="utf-8") as f:
        every = list(csv.DictReader(f))
    registry = {r["local-authority-code"]: r for r in every}
    for r in current:
        lads = r["districts"].split(";")
        names = {n for n in r["names"].split("|") if BODY_WORDS.search(n)} | {r["name"]}
        if r["kind"] in ("district", "county"):
            names |= variants(r["short"], r["name"])
        if r["kind"] == "combined authority":
            names |= {initials(n) for n in names if n.endswith("Authority")}
        for name in sorted(names):
            bodies.add(
                name, "council" if r["kind"] != "combined authority" else "combined authority", lads=lads
            )
    for r in every:
        if r["current-authority"] == "True" or not r["replaced-by"]:
            continue
        successors = [registry[c] for c in r["replaced-by"].split(",") if c in registry]
        lads = sorted(
            {
                d
                for s in successors
                for d in by_code.get(RECODED.get(s["gss-code"], s["gss-code"]), {"districts": ""})[
                    "districts"
                ].split(";")
                if d
            }
        )
        if not lads:
            continue
        names = {r["official-name"], *(a.strip() for a in r["alt-names"].split(",") if BODY_WORDS.search(a))}
        for name in sorted(n for n in names if n):
            bodies.add(name, "council (former)", lads=lads, status="closed")


def health(bodies: Bodies, shared: Path) -> None:
    """NHS trusts (ODS etr, at their headquarters' postcode) and integrated care boards."""
    with (shared / "registers" / "nhs" / "ods_etr_trusts.csv").open(encoding="cp1252") as f:
        for r in csv.reader(f):
            closed = bool(r[11].strip())
            bodies.add(
                r[1].strip(),
                "NHS trust",
                postcode=r[9].strip(),
                ods=r[0].strip(),
                status="closed" if closed else "active",
            )
    for name, area in ICBS.items():
        lads = resolve(area)
        bodies.add(name, "NHS integrated care board", lads=lads)
        bodies.add(name.replace("Integrated Care Board", "ICB"), "NHS integrated care board", lads=lads)


def emergency_and_national(bodies: Bodies) -> None:
    """Police, commissioners, fire and rescue; national and regional bodies."""
    for area, (police, commissioner, fire) in POLICE_AND_FIRE.items():
        lads = resolve(area)
        for name, kind in (
            (police, "police"),
            (commissioner, "police and crime commissioner"),
            (fire, "fire and rescue"),
        ):
            if not name:
                continue
            for form in statutory_names(name, kind):
                bodies.add(form, kind, lads=lads)
    for name in NATIONAL:
        bodies.add(name, "national body")
    for name, area in REGIONAL.items():
        bodies.add(name, "regional body", lads=resolve(area))


def main(shared: Path) -> None:
    bodies = Bodies()
    councils(bodies, shared / "geo")
    health(bodies, shared)
    emergency_and_national(bodies)
    rows = bodies.rows
    columns = ["name", "role", "postcode", "lad", "ods_code", "org_id", "kind", "status", "type"]
    rows = [dict(t) for t in {tuple((c, r.get(c, "")) for c in columns) for r in rows}]
    rows.sort(key=lambda r: (r["kind"], r["name"], r["lad"]))
    with (OUT / "public_bodies.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    meta = {
        "name": "public-bodies",
        "title": "Public bodies (lm3): councils, NHS trusts and ICBs, police, fire, national bodies",
        "publisher": "lm3, from ONS, mySociety (MIT) and NHS ODS (OGL v3.0) data",
        "licence": "Open Government Licence v3.0; council names from mySociety (MIT licence, (c) 2021 mySociety)",
        "kind": "public body",
        "rows": len(rows),
        "date": dt.date.today().isoformat(),
        "added": dt.date.today().isoformat(),
        "source": "tools/make_public_bodies.py",
        "file": "public_bodies.csv",
        "size": (OUT / "public_bodies.csv").stat().st_size,
        "sha256": __import__("hashlib").sha256((OUT / "public_bodies.csv").read_bytes()).hexdigest(),
    }
    (OUT / "public_bodies.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} rows ({len({r['name'] for r in rows})} names) to {OUT / 'public_bodies.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "shared" / "data")
