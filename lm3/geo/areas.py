"""The area being studied: a district, a council, a county, a combined authority, a region, a nation,
postcode districts or sectors, or a radius around a postcode; and tiers of wider areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from lm3.errors import AreaError, Notice
from lm3.geo.directory import PostcodeDirectory, default_directory
from lm3.geo.postcodes import NATIONS, lad_table
from lm3.values import params
from lm3.values.frames import row_tuples


@dataclass(frozen=True)
class Area:
    """The local area, in one of the forms people use:

    - local authority districts (``codes``, ONS LAD25, with their ``names``), e.g. "Bradford";
    - postcode districts and sectors (``postcode_areas``: "BD7", "BD7 1");
    - a radius (``radius_km``) around a postcode (``centre``, at ``centre_xy``: easting, northing, grid);
    - the whole UK (``uk``).

    ``label`` names it in reports (a tier's name, or a nation). ``contains`` says which placed rows of
    ``PostcodeDirectory.place`` lie in it.
    """

    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    postcode_areas: tuple[str, ...] = ()
    centre: str | None = None
    radius_km: float | None = None
    centre_xy: tuple[float, float, str] | None = None
    uk: bool = False
    label: str | None = None
    notes: tuple[Notice, ...] = ()  # what a person should know of how the area was read (a former council)

    @property
    def name(self) -> str:
        """The area as people say it: "Bradford", "Bradford and Leeds", "5 km around BD7 1AA"."""
        if self.label:
            return self.label
        if self.uk:
            return "the UK"
        if self.radius_km is not None:
            return f"{self.radius_km:g} km around {self.centre}"
        items = self.names or self.postcode_areas
        if len(items) <= 2:
            return " and ".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]

    def with_label(self, label: str) -> Area:
        return replace(self, label=label)

    def contains(self, places: pd.DataFrame) -> np.ndarray:
        """True where a row of ``PostcodeDirectory.place`` output is placed in the area."""
        placed = (places["status"] == "placed").to_numpy()
        if self.uk:  # every district of the four nations, and a national body (K02000001: the UK)
            lad = places["lad"].astype("str")
            return placed & (lad.str[0].isin(list(NATIONS)) | (lad == "K02000001")).to_numpy()
        if self.radius_km is not None:
            assert self.centre_xy is not None
            x, y, grid = self.centre_xy
            same_grid = (
                places["postcode"].astype("str").str.startswith("BT") == (grid == "irish")
            ).to_numpy()
            distance = np.hypot(places["easting"].to_numpy() - x, places["northing"].to_numpy() - y)
            with np.errstate(invalid="ignore"):
                return placed & same_grid & (distance <= self.radius_km * 1000)
        if self.postcode_areas:
            wanted = list(self.postcode_areas)
            return placed & (places["district"].isin(wanted) | places["sector"].isin(wanted)).to_numpy()
        return placed & places["lad"].isin(list(self.codes)).to_numpy()


_RADIUS = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(km|kilometres?|kilometers?|mi|miles?)\s+(?:around|of|from|round)\s+(.+?)\s*$",
    re.IGNORECASE,
)


_POSTCODE_AREA = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?: [0-9])?$")


_UK = {"uk", "the uk", "united kingdom", "gb uk"}


def resolve_area(area: str | Sequence[str] | Area, directory: PostcodeDirectory | None = None) -> Area:
    """Turn what a person typed into an Area.

    - LAD names or codes: "Bradford", "E08000032", ["Bradford", "Leeds"]. Names match ignoring case and
      punctuation ("Bristol" finds "Bristol, City of"); a code replaced in 2025 (Barnsley E08000016,
      Sheffield E08000019) resolves to its new code, which the postcode data uses.
    - A nation ("England", "Wales", "Scotland", "Northern Ireland") or the UK ("UK").
    - An English region ("Yorkshire and The Humber", "North West", "London", "East of England").
    - Postcode districts or sectors: "BD7", ["BD1", "BD2", "BD3 1"].
    - A radius: "5km around BD7 1AA", "3 miles of LS1 4DY".
    - A former council or county ("Eden", "South Lakeland", "Cumbria", "Berkshire"): the districts that
      cover it today, with a notice (``Area.notes``) saying what it is now; a former district is studied as
      the wider district it is now part of, as postcodes are placed in today's districts.

    Several areas may be written in one text, as people write them: "Bradford, Leeds", "BD1; BD7",
    "Bradford and Leeds" (a name that itself holds a comma or "and", "Bristol, City of", "Windsor and
    Maidenhead", is read whole).

    Raises AreaError (with close matches for an unknown name, or the postcode that cannot be placed).
    """
    if isinstance(area, Area):
        return area
    params.area("area", area)
    given = [area] if isinstance(area, str) else list(area)
    items = [i for a in given for i in written_items(re.sub(r"\s+", " ", str(a).strip())) if str(a).strip()]
    if not items:
        raise AreaError(
            'No area given: name a local authority district, e.g. area="Bradford".', code="no-area"
        )
    if len(items) == 1 and items[0].casefold().replace(".", "") in _UK:
        return Area(uk=True)
    if len(items) == 1 and (m := _RADIUS.match(items[0])):
        return _radius(float(m.group(1)), m.group(2), m.group(3), directory)
    shaped = [bool(_POSTCODE_AREA.match(i.upper())) for i in items]
    if all(shaped):
        return Area(postcode_areas=tuple(dict.fromkeys(i.upper() for i in items)))
    if len(items) > 1:
        _refuse_mixed(items, shaped)
    if len(items) == 1 and items[0].casefold() in {n.casefold() for n in NATIONS.values()}:
        nation = next(k for k, v in NATIONS.items() if v.casefold() == items[0].casefold())
        table = lad_table()
        current = table[(table["replaced_by"] == "") & table["code"].str.startswith(nation)]
        return Area(codes=tuple(current["code"]), names=tuple(current["name"]), label=NATIONS[nation])
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    if len(items) == 1 and (region := _region_named(items[0])):
        inside = current[current["region"] == region]
        return Area(codes=tuple(inside["code"]), names=tuple(inside["name"]), label=region)
    codes: list[str] = []
    labels: list[str] = []
    notes: list[Notice] = []
    for item in items:
        found = _find_area(item)
        if found is None:
            raise _unknown_area(item)
        labels.append(found.label)
        codes += [c for c in found.codes if c not in codes]
        if found.note is not None:
            notes.append(found.note)
    by_code, _ = _lad_lookups()
    names = tuple(by_code[c] for c in codes)
    groups = [lab for lab in labels if lab not in names]  # a council or county named, not a district
    return Area(codes=tuple(codes), names=names, label=_join(labels) if groups else None, notes=tuple(notes))


_SEPARATORS = re.compile(r"\s*[;,]\s*|\s+(?:and|&)\s+", re.IGNORECASE)


def written_items(text: str) -> list[str]:
    """The areas one text names, as people write a list: separated by commas or semicolons, or "and"
    ("Bradford, Leeds", "BD1; BD7", "Bradford and Leeds"), or postcode districts by spaces ("BD1 BD7"). A
    name that holds a separator itself ("Bristol, City of", "Windsor and Maidenhead", "Armagh City,
    Banbridge and Craigavon") is kept whole: from the left, the longest run of pieces that names an area is
    taken. A piece that names nothing is kept as it is, for ``resolve_area`` to say it is unknown."""
    if _names_an_area(text):
        return [text]
    if _OUTWARDS.match(text.upper()):
        return text.upper().split()
    if not _SEPARATORS.search(text):
        return [text]
    pieces = _SEPARATORS.split(text)
    glue = _SEPARATORS.findall(text)
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for j in range(len(pieces), i, -1):  # the longest name first
            joined = (
                pieces[i] + "".join(g + p for g, p in zip(glue[i : j - 1], pieces[i + 1 : j], strict=True))
            ).strip()
            if _names_an_area(joined):
                out.append(joined)
                i = j
                break
        else:
            out += written_items(pieces[i].strip()) if pieces[i].strip() else []
            i += 1
    return out


_OUTWARDS = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?: +[A-Z]{1,2}[0-9][A-Z0-9]?)+$")  # "BD1 BD7"


def _names_an_area(text: str) -> bool:
    """Whether one text names one area of any kind ``resolve_area`` takes."""
    if not text:
        return False
    folded = text.casefold().replace(".", "")
    if folded in _UK or _RADIUS.match(text) or _POSTCODE_AREA.match(text.upper()):
        return True
    if text.casefold() in {n.casefold() for n in NATIONS.values()} or _region_named(text):
        return True
    return _find_area(text) is not None


def _refuse_mixed(items: list[str], shaped: list[bool]) -> None:
    """Several items must be one kind of area: postcode districts and sectors together, or districts,
    councils, counties and combined authorities together; a radius, a region, a nation or the UK alone."""
    alone = [
        i
        for i in items
        if _RADIUS.match(i)
        or i.casefold().replace(".", "") in _UK
        or i.casefold() in {n.casefold() for n in NATIONS.values()}
        or _region_named(i)
    ]
    if any(shaped) or alone:
        mixed = ", ".join(repr(i) for i in items)
        raise AreaError(
            f"The area {mixed} mixes kinds of area that cannot go together. Postcode districts and sectors go "
            "together ('BD7', 'BD8 1'); districts, councils, counties and combined authorities go together "
            "('Bradford', 'Leeds', 'Lancashire'); a radius, a region, a nation or the UK stands alone. For "
            "concentric areas, give tiers.",
            code="area-kinds-mixed",
        )


@dataclass(frozen=True)
class _Named:
    """What a name means: the label a report gives it, its LAD codes, and a notice when it is a former
    council's (what it is now)."""

    label: str
    codes: tuple[str, ...]
    note: Notice | None = None


@cache
def _lad_lookups() -> tuple[dict[str, str], dict[str, str]]:
    """Each current LAD's name by its code, and each code's 2025 replacement ("" for none)."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    return (
        dict(zip(current["code"], current["name"], strict=True)),
        dict(zip(table["code"], table["replaced_by"], strict=True)),
    )


def _find_area(item: str) -> _Named | None:
    """What one typed item names. A LAD code or name first; then a council, county, combined authority,
    metropolitan county or former council by any name or code people use; then the same with "Council",
    "City of", "Borough of"... taken off."""
    by_code, replaced = _lad_lookups()
    by_name = _district_names()
    code = replaced.get(item.upper()) or item.upper()
    if code in by_code:
        return _Named(by_code[code], (code,))
    for key in dict.fromkeys([_name_key(item), _bare(item)]):
        if key in by_name:
            return _Named(by_code[by_name[key]], (by_name[key],))
        councils = _authority_names()  # read only when a district's name is not enough
        if key in councils:
            return councils[key]
    return None


def _former(r: Any, sharing: list[str]) -> _Named:
    """A former council or county as an area: the districts that cover it today, and what to say of it
    (``sharing``: the other former districts now in the same district)."""
    now = str(r.now).split(";")
    ended = pd.Timestamp(str(r.ended))
    when = f"{ended.day} {ended:%B %Y}"
    if r.kind == "former county":
        text = (
            f"{r.short}: its county council ended on {when}; its area is now {_join(now)}, which "
            f"{'are' if len(now) > 1 else 'is'} used."
        )
        return _Named(str(r.short), tuple(str(r.districts).split(";")), Notice("area-former", text))
    text = (
        f"{r.short} was a district until {when}; it is now part of {_join(now)}. Postcodes are placed in "
        f"today's districts, so {r.short} is studied as {_join(now)}, a wider area"
        + (f" that also covers what were {_join(sharing)}." if sharing else ".")
    )
    return _Named(_join(now), tuple(str(r.districts).split(";")), Notice("area-former", text))


_COUNCIL_WORDS = re.compile(
    r"^(?:the |city and county of |city of |county of |royal borough of |london borough of |borough of )|"
    r" (?:metropolitan borough|metropolitan district|city|county|borough|district|unitary|town)? ?"
    r"(?:council|authority)$|"
    r" (?:mdc|mbc|bc|dc|cc|cca|mca|ca|metropolitan borough|metropolitan district|district|borough|county)$"
)


def _bare(name: str) -> str:
    """A name's key without the words councils put around a place ("Salford City Council" -> "salford")."""
    key = _name_key(name)
    while (stripped := _COUNCIL_WORDS.sub("", key).strip()) != key and stripped:
        key = stripped
    return key


@cache
def _district_names() -> dict[str, str]:
    """Every spelling of each current LAD's name as a key, to its code."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    by_name: dict[str, str] = {}
    for code, name in zip(current["code"], current["name"], strict=True):
        for variant in _name_variants(name):
            by_name.setdefault(variant, code)
    return by_name


@cache
def authority_table() -> pd.DataFrame:
    """Every UK council and combined authority, and the metropolitan counties, with the LADs each covers
    (``lm3/data/authorities.csv``, from mySociety's lookup of UK local authorities, MIT licence): code,
    name, short, kind, districts (";"-separated LAD codes), names ("|"-separated spellings)."""
    with resources.files("lm3").joinpath("data/authorities.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype="str", keep_default_na=False)


@cache
def _authority_names() -> dict[str, _Named]:
    """Each spelling of a council's, county's, combined authority's or former council's name (and its
    code), bare of council words too, to what it names. A district's own council resolves to the district;
    a name two bodies share covering the same districts is one area; a name a current council and a former
    one share is the current one's."""
    out: dict[str, _Named] = {}
    table = authority_table()
    former = table["kind"].str.startswith("former")
    # the former districts now in each district, for what a former district's notice says
    sharing = table[table["kind"] == "former district"].groupby("districts")["short"].agg(sorted)
    for r in row_tuples(pd.concat([table[~former], table[former]])):
        if str(r.kind).startswith("former"):
            shared = sharing.get(r.districts, []) if r.kind == "former district" else []
            value = _former(r, [s for s in shared if s != r.short])
        else:
            value = _Named(str(r.short), tuple(str(r.districts).split(";")))
        for spelling in [*str(r.names).split("|"), str(r.name), str(r.short), str(r.code)]:
            for key in (_name_key(spelling), _bare(spelling)):
                if key:
                    out.setdefault(key, value)
    return out


def _join(items: Sequence[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _radius(size: float, unit: str, centre: str, directory: PostcodeDirectory | None) -> Area:
    km = size * (1.609344 if unit.lower().startswith("mi") else 1.0)
    placed = (directory or default_directory()).place(pd.Series([centre])).iloc[0]
    if placed["kind"] != "postcode" or placed["status"] != "placed" or np.isnan(placed["easting"]):
        raise AreaError(
            f"Cannot draw a radius around {centre!r}: give a full UK postcode that is in the ONS Postcode "
            "Directory, e.g. area='5km around BD1 1HY'.",
            code="radius-centre-not-placed",
        )
    grid = "irish" if str(placed["postcode"]).startswith("BT") else "british"
    return Area(
        centre=str(placed["postcode"]),
        radius_km=km,
        centre_xy=(float(placed["easting"]), float(placed["northing"]), grid),
    )


@dataclass(frozen=True)
class Tier:
    """One of the concentric areas a result is reported at (Locality's Bradford guidance)."""

    name: str
    area: Area


def resolve_tiers(
    tiers: Sequence[str | tuple[str, str | Sequence[str] | Area] | Tier]
    | Mapping[str, str | Sequence[str] | Area]
    | None,
    area: Area,
    directory: PostcodeDirectory | None = None,
) -> tuple[Tier, ...]:
    """Tiers from "Name=spec" strings ("Neighbourhood=3km around BD7 1AA", "West Yorkshire=Bradford,Leeds"),
    (name, spec) pairs or a mapping; specs as for ``resolve_area``, a list of LADs separated by commas or
    semicolons. Without tiers: the area, then the UK."""
    if tiers is not None and not isinstance(tiers, list | tuple | Mapping):
        raise params.bad(
            "tiers", "a list of 'Name=area' texts (or a mapping of name to area), or None", tiers
        )
    if not tiers:
        return (Tier(area.name, area), Tier("UK", Area(uk=True)))
    pairs: list[tuple[str, str | Sequence[str] | Area]] = []
    items = list(tiers.items()) if isinstance(tiers, Mapping) else list(tiers)
    for item in items:
        if isinstance(item, Tier):
            pairs.append((item.name, item.area))
        elif isinstance(item, str):
            name, sep, text = item.partition("=")
            if not sep or not name.strip() or not text.strip():
                raise AreaError(
                    f"Tier {item!r} is not 'Name=area', e.g. 'District=Bradford' or "
                    "'Neighbourhood=3km around BD7 1AA'.",
                    params=("tiers",),
                )
            pairs.append((name.strip(), text.strip()))
        else:
            label, given = item
            pairs.append((str(label), given))
    out = []
    for label, spec in pairs:
        try:
            out.append(Tier(label, resolve_area(spec, directory)))
        except AreaError as err:  # said as the tier's, so a person fixes the tier, not the area
            raise AreaError(
                f"Tier {label!r}: {err}", err.suggestions, code=err.code, params=("tiers",)
            ) from err
    return tuple(out)


def area_notes(area: Area, tiers: Sequence[Tier] = ()) -> list[Notice]:
    """What a study's area and tiers say of how they were read (a former council named), each once."""
    return list(dict.fromkeys([*area.notes, *(n for t in tiers for n in t.area.notes)]))


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.casefold().replace("&", " and ")).strip()


def _region_named(text: str) -> str | None:
    """The English region a name means ("yorkshire & the humber", "the north west"), or None."""
    key = _name_key(text).removeprefix("the ")
    regions = lad_table().loc[lambda t: t["code"].str.startswith("E"), "region"].unique()
    by_key = {_name_key(r): r for r in regions} | {"east": "East of England", "eastern": "East of England"}
    by_key |= {"yorkshire": "Yorkshire and The Humber", "greater london": "London"}
    return by_key.get(key)


def _name_variants(name: str) -> Iterable[str]:
    yield _name_key(name)
    place, _, kind = name.partition(", ")
    # ONS's "Bristol, City of" -> "bristol", "city of bristol"; never a list ("Bournemouth, Christchurch and
    # Poole" is not Bournemouth)
    if re.fullmatch(r"(?:city|county|city and county|borough|royal borough) of", kind, re.IGNORECASE):
        yield _name_key(place)
        yield _name_key(f"{kind} {place}")


AREA_KINDS = (
    "a local authority district by name or ONS code ('Bradford', 'E08000032'), a council by its name "
    "('Salford City Council'), a county ('Lancashire'), a combined authority or metropolitan county "
    "('Greater Manchester', 'West Yorkshire', 'Tyne and Wear'), an English region ('North West'), a nation "
    "('England', 'UK'), postcode districts or sectors ('BD7', 'BD7 1'), or a radius ('5km around BD1 1HY')"
)


def _unknown_area(item: str) -> AreaError:
    """An unknown area, with the closest districts, councils, counties and regions by name."""
    choices = _suggestion_choices()
    found = process.extract(
        _bare(item), choices, scorer=fuzz.WRatio, processor=None, limit=3, score_cutoff=75
    )
    suggestions = tuple(dict.fromkeys(label for _key, _score, label in found))
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return AreaError(f"Unknown area {item!r}: give {AREA_KINDS}.{hint}", suggestions, code="area-unknown")


@cache
def _suggestion_choices() -> dict[str, str]:
    """Display text ("Calderdale (E08000033)", "Lancashire (county)") -> the bare key it is matched on."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    out = {
        f"{name} ({code})": _bare(name) for code, name in zip(current["code"], current["name"], strict=True)
    }
    for r in row_tuples(authority_table()):
        if r.kind != "district":
            out.setdefault(f"{r.short} ({r.kind})", _bare(str(r.short)))
    for region in current.loc[current["code"].str.startswith("E"), "region"].unique():
        out.setdefault(f"{region} (region)", _bare(str(region)))
    return out


def area_names() -> list[str]:
    """Every name ``resolve_area`` takes for a whole area, sorted: current districts, counties, combined
    authorities and English regions (what an area field suggests as a person types)."""
    table = lad_table()
    current = table[table["replaced_by"] == ""]
    names = set(current["name"])
    names |= {str(r.short) for r in row_tuples(authority_table()) if r.kind != "district"}
    names |= {str(r) for r in current.loc[current["code"].str.startswith("E"), "region"].unique()}
    return sorted(names, key=str.casefold)
