"""Where each supplier is, and where that came from: one cascade, shared by every command and front end.

Every source offers places for the suppliers paid, each at a rank; a supplier takes the first rank that
places it (a postcode the ONS directory knows, or a district a body serves), and says so (``source``,
``match``):

1. **your registers** (the supplier registers given: the council's vendor master file, a filled-in
   template), matched by supplier id, company or charity number, URN, ODS code, org-id, name key, then a near
   name (``lm3.place.matching.match_register``);
2. **the spend file's own postcode** (the one carrying most of the supplier's spend; conflicts are listed);
3. **an identifier in the store**: the supplier's company or charity number, URN, ODS code or org-id (the
   spend file's, else its register row's) in a register of the store (Companies House, the charity
   registers, GIAS, ODS...);
4. **its name key in the store** and in the public bodies lm3 ships. Rows sharing an identifier are one
   organisation, and so are a register's rows of one name without identifiers (a chain's pharmacies); the
   active ones are preferred to those closed (dissolved, removed). Two or more organisations left are
   **ambiguous**: listed with their candidates, never taken.

An organisation found brings its **sites**: the rows a register gives as its sites (a provider's care homes,
a trust's schools, a company's clubs: by company number, or by the provider's name), with its registered
office as their head office. A supplier placed by your register or the spend file gets its registered office
from the store as its head office when an identifier links them. Sites and offices feed the branch rule
(``lm3.place.locations``): a site in the area and an office elsewhere make a local branch.

A supplier no source places is not placed, for a reason (``UNPLACED``): an individual or a redacted payee;
an identifier no register held has; a name that fits several organisations; a name no register knows; a
postcode that cannot be placed.

5. **a near name** in the store and the public bodies, for suppliers no register names exactly: one typo in
   one word, never a word added, dropped or put for another (``lm3.values.near.one_typo``: these registers
   hold strangers: "Broadoak CP School" in Salford is not Trafford's "Broadoak School"); two near names too
   close to call are ambiguous.

The store is read through an object the study passes in (``Registers``): this layer reads no file.
Every step is a join or a group over the suppliers, never a loop over them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.geo import PostcodeDirectory
from lm3.values.frames import among, first_at, least_at, row_tuples
from lm3.values.money import pence_to_decimal
from lm3.values.names import remark_free_keys
from lm3.values.near import WordIndex, known_words, near_matches


class Registers(Protocol):
    """What the cascade reads the register store through (``lm3.inputs.store.RegisterStore``): the rows
    whose key or identifier is asked for, and the names near matching may choose from."""

    def lookup(
        self,
        keys: Iterable[str] = (),
        ids: Mapping[str, Iterable[str]] | None = None,
        *,
        skip: Mapping[str, Iterable[int]] | None = None,
    ) -> pd.DataFrame: ...

    def near_index(self) -> WordIndex: ...

    def vocabulary(self) -> frozenset[str]: ...


NEAR = 5  # the rank of a near name in the store or the public bodies

IDS = ("company_number", "charity_number", "urn", "ods_code", "org_id")
ID_WORDS = {
    "company_number": "company number",
    "charity_number": "charity number",
    "urn": "URN",
    "ods_code": "ODS code",
    "org_id": "org-id",
}
ENTITY_TAGS = (
    ("company_number", "COH"),
    ("charity_number", "CHC"),
    ("urn", "EDU"),
    ("ods_code", "NHS"),
    ("org_id", "ORG"),
)
PUBLIC_BODIES = "public-bodies"
# why a supplier is not placed: code -> the words people read
UNPLACED = {
    "individual": "individual or redacted",
    "id-not-held": "has an identifier no register held has",
    "ambiguous": "its name fits several organisations",
    "name-not-found": "its name is in no register held",
    "postcode-not-placed": "its postcode cannot be placed",
}
ROW_COLUMNS = ["key", "supplier", "postcode", "head_office_postcode", "lad", "source", "register_row"]
YOURS, FILE, BY_ID, BY_NAME = 1, 2, 3, 4


@dataclass(frozen=True)
class Places:
    """Where each supplier's places came from.

    ``rows``: the places, as a register gives them (``ROW_COLUMNS`` and ``row``: the supplier's payments
    ``key``, the name the source gives it, a ``postcode`` or a district served (``lad``), the
    ``head_office_postcode``, the ``source`` and, for a register, its row). ``suppliers``: one row per
    supplier key: ``source`` and ``match`` (how it was found: "company number", "name", "its own
    postcode"...), the ``candidates`` of an ambiguous name, ``not_held`` (an identifier no register holds),
    ``type`` and ``sme`` as the source says (a charity is VCSE, a council a public body), ``entity`` (the
    organisation's name in the store) and ``sites`` (how many of its sites a register lists)."""

    rows: pd.DataFrame
    suppliers: pd.DataFrame


def _placeable(postcodes: pd.Series, directory: PostcodeDirectory) -> np.ndarray:
    """Whether each postcode can be placed (a postcode, or a district or sector, the directory knows)."""
    if len(postcodes) == 0:
        return np.zeros(0, dtype=bool)
    # as given (a missing one too): the directory remembers them for the places shown later
    return (directory.place(postcodes)["status"] == "placed").to_numpy()


def identifiers(spend: pd.DataFrame, matched: pd.DataFrame, register_rows: pd.DataFrame) -> pd.DataFrame:
    """Each supplier's identifiers (``IDS``): the spend file's, else the first its register row gives."""
    out = pd.DataFrame(index=spend.index)
    reg = register_rows.drop_duplicates("key").set_index("key") if len(register_rows) else pd.DataFrame()
    for kind in IDS:
        mine = spend[kind] if kind in spend else pd.Series(None, index=spend.index, dtype="object")
        mine = mine.astype("object")
        if kind in reg:
            theirs = matched["register_key"].map(reg[kind]).astype("object")
            mine = mine.where(mine.notna(), theirs)
        out[kind] = mine.where(mine.notna(), None)
    return out


def entities(found: pd.DataFrame) -> pd.DataFrame:
    """Store rows with the organisation each is (``entity``) and the one it is a site of (``site_of``):
    rows sharing a company number (else a charity number, URN, ODS code, org-id) are one; a row without
    identifiers is one with its register's other rows of its name; a site is its parent's (by company
    number, else by the parent's name): a club and the company it is, a care home and its provider."""
    found = found.reset_index(drop=True)
    n = len(found)

    def tagged(column: str, tag: str, rows: np.ndarray) -> np.ndarray:  # "COH:01234567" for those rows
        return (tag + ":" + found[column][rows].astype("str")).to_numpy(dtype=object)

    # each row's first identifier, else its register and name key; worked only on the rows it names
    entity = np.full(n, None, dtype=object)
    todo = np.ones(n, dtype=bool)
    for kind, tag in ENTITY_TAGS:
        rows = todo & found[kind].notna().to_numpy()
        if rows.any():
            entity[rows] = tagged(kind, tag, rows)
            todo &= ~rows
    if todo.any():
        entity[todo] = (
            found["register"][todo].astype("str") + ":" + found["key"][todo].astype("str")
        ).to_numpy(dtype=object)
    site = (found["role"] == "site").to_numpy()
    by_number = site & found["parent_company_number"].notna().to_numpy()
    by_name = site & ~by_number & found["parent_key"].notna().to_numpy()
    site_of = np.full(n, None, dtype=object)
    if by_number.any():
        site_of[by_number] = tagged("parent_company_number", "COH", by_number)
    if by_name.any():
        site_of[by_name] = tagged("parent_key", "KEY", by_name)
    entity[by_number | by_name] = site_of[by_number | by_name]
    return found.assign(entity=entity, site_of=site_of)


def find_places(
    spend: pd.DataFrame,
    register_rows: pd.DataFrame,
    matched: pd.DataFrame,
    *,
    register_label: str,
    registers: Registers | None,
    directory: PostcodeDirectory,
    threshold: float = 90.0,
) -> Places:
    """The cascade (see the module docstring). ``spend``: one row per supplier (``spend_per_supplier``,
    with ``person``: a payee named as a person); ``register_rows``: your registers' rows (key, supplier,
    row, postcode, head_office_postcode, ids); ``matched``: ``spend`` matched to them (``match_register``)."""
    keys = spend["key"].astype("str").reset_index(drop=True)
    named = ((spend["supplier_class"] == "named") & ~spend["person"]).to_numpy()
    ident = identifiers(spend, matched, register_rows).reset_index(drop=True)
    offers = [_yours(keys, named, matched, register_rows, register_label), _from_file(spend, keys, named)]
    found = pd.DataFrame()
    near_candidates = pd.DataFrame(
        {"key": pd.Series(dtype="object"), "candidates": pd.Series(dtype="object")}
    )
    if registers is not None and named.any():
        # a name ending in a bracketed remark ("KENT COUNTY COUNCIL (UTILITY BILLS ONLY)") is looked up
        # without it too, when the whole name finds nothing
        remark = remark_free_keys(spend["supplier"]).reset_index(drop=True)
        # a supplier your register or the spend file places is looked up by its identifiers only (its
        # registered office, for its head office), never by name
        early = [o[_placeable(o["postcode"], directory)] for o in offers if len(o)]
        placed_early = among(keys, pd.concat([o["key"] for o in early]).astype("str")) if early else None
        by_name = named & (~placed_early.to_numpy() if placed_early is not None else True)
        found = _lookup(
            registers, pd.concat([keys[by_name], remark[by_name & (remark != "").to_numpy()]]), ident[named]
        )
        offers.append(_from_store(found, keys, named, ident, remark))
        offered_keys = pd.concat([o["key"].astype("str") for o in offers] + [pd.Series(dtype="str")])
        lonely = named & ~among(keys, offered_keys).to_numpy() & (keys != "").to_numpy()
        near, near_candidates = _near(registers, keys[lonely], threshold)
        if len(near):
            offers.append(near)
            found = (
                pd.concat([found, near.attrs["found"]], ignore_index=True)
                if len(found)
                else near.attrs["found"]
            )
    offers = [o for o in offers if len(o)]
    every = pd.concat(offers, ignore_index=True) if offers else _no_offers()
    # from here on a supplier is its position in ``keys`` (``at``): groups and joins are over integers
    n = len(keys)
    every["at"] = pd.Index(keys).get_indexer(pd.Index(every["key"].astype("str")))
    every["placeable"] = _placeable(every["postcode"], directory) | every["lad"].notna().to_numpy()

    # each supplier's rank: the first that places it; with none, the first that offers a place (its rows say
    # why they cannot be placed: a postcode not in the directory, none at all)
    at = every["at"].to_numpy(dtype=np.int64)
    rank = every["rank"].to_numpy(dtype=np.int64)
    placeable = every["placeable"].to_numpy(dtype=bool)
    chosen_rank = least_at(at[placeable], rank[placeable], n)
    chosen_rank = np.where(chosen_rank > 0, chosen_rank, least_at(at, rank, n))
    at_rank = every[rank == chosen_rank[at]]
    # at the name ranks, organisations are counted: one (the active one when some are closed) or ambiguous
    chosen, ambiguous = _one_organisation(at_rank, n)
    offered = chosen_rank > 0
    near_candidates = near_candidates[
        ~offered[pd.Index(keys).get_indexer(pd.Index(near_candidates["key"].astype("str")))]
    ]
    ambiguous = pd.concat([ambiguous, near_candidates], ignore_index=True)
    rows = _rows(chosen, every, chosen_rank)
    suppliers = _summary(keys, chosen, ambiguous, ident, found, offered)
    return Places(rows=rows, suppliers=suppliers)


def _no_offers() -> pd.DataFrame:
    columns = [*ROW_COLUMNS, "rank", "how", "entity", "site_of", "role", "status", "type", "sme", "direct"]
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _yours(
    keys: pd.Series, named: np.ndarray, matched: pd.DataFrame, register_rows: pd.DataFrame, label: str
) -> pd.DataFrame:
    """Rank 1: the rows of your register each supplier matched."""
    taken = matched["register_key"].notna().to_numpy() & named
    if not taken.any() or register_rows.empty:
        return _no_offers()
    asked = pd.DataFrame(
        {
            "register_key": matched["register_key"].to_numpy()[taken],
            "key": keys.to_numpy()[taken],
            "how": matched["match"].to_numpy()[taken],
        }
    )
    theirs = register_rows.rename(columns={"key": "register_key"}).merge(asked, on="register_key")
    return pd.DataFrame(
        {
            "key": theirs["key"],
            "supplier": theirs["supplier"],
            "postcode": theirs["postcode"],
            "head_office_postcode": theirs["head_office_postcode"],
            "lad": None,
            "source": f"your register ({label})",
            "register_row": theirs["row"],
            "rank": YOURS,
            "how": theirs["how"],
            "entity": "yours:" + theirs["register_key"].astype("str"),
            "site_of": None,
            "role": "site",
            "status": "active",
            "type": None,
            "sme": None,
            "direct": True,
        }
    )


def _from_file(spend: pd.DataFrame, keys: pd.Series, named: np.ndarray) -> pd.DataFrame:
    """Rank 2: the spend file's own postcode for each supplier (and a head office postcode, if it has one)."""
    if "postcode" not in spend:
        return _no_offers()
    own = spend["postcode"].astype("object").reset_index(drop=True)
    here = named & own.notna().to_numpy()
    if not here.any():
        return _no_offers()
    office = (
        spend["head_office_postcode"].astype("object").reset_index(drop=True)
        if "head_office_postcode" in spend
        else pd.Series(None, index=own.index, dtype="object")
    )
    return pd.DataFrame(
        {
            "key": keys[here].to_numpy(),
            "supplier": spend["supplier"].to_numpy()[here],
            "postcode": own[here].to_numpy(),
            "head_office_postcode": office[here].to_numpy(),
            "lad": None,
            "source": "the spend file",
            "register_row": None,
            "rank": FILE,
            "how": "its own postcode",
            "entity": "file:" + keys[here].to_numpy().astype(object),
            "site_of": None,
            "role": "site",
            "status": "active",
            "type": None,
            "sme": None,
            "direct": True,
        }
    )


def _lookup(registers: Registers, keys: pd.Series, ident: pd.DataFrame) -> pd.DataFrame:
    """The store rows for the suppliers' keys and identifiers, in two rounds: the second asks again by the
    company numbers the first found (a charity's company, the sites whose parent it is)."""
    asked_ids = {k: ident[k].dropna().astype("str") for k in IDS}
    found = registers.lookup(keys, asked_ids)
    number = found["company_number"].dropna().astype("str") if len(found) else pd.Series(dtype="str")
    numbers = number[~among(number, asked_ids["company_number"]).to_numpy()]
    if len(numbers):
        seen: dict[str, np.ndarray] = {
            str(name): group.to_numpy() for name, group in found.groupby("register")["register_row"]
        }
        again = registers.lookup([], {"company_number": numbers}, skip=seen)
        if len(again):
            found = pd.concat([found, again], ignore_index=True).drop_duplicates(["register", "register_row"])
    if found.empty:
        return found
    return entities(found)


def _from_store(
    found: pd.DataFrame, keys: pd.Series, named: np.ndarray, ident: pd.DataFrame, remark: pd.Series
) -> pd.DataFrame:
    """Ranks 3 and 4: store rows that are the supplier (by identifier, else by name key, else by its name
    without a bracketed remark at its end), and the rows that are its sites (by its company number, else
    by its name). Joined on narrow frames (a found row's number, a supplier's position), the rows taken
    gathered once at the end."""
    if found.empty:
        return _no_offers()
    found = found.reset_index(drop=True)
    supplier_keys = keys.to_numpy(dtype=object)
    entity = found["entity"].to_numpy(dtype=object)

    def pairs(column: str | np.ndarray, values: np.ndarray, mask: np.ndarray) -> pd.DataFrame:
        """(found row ``r``, supplier position ``at``) where the found row's ``column`` is ``values[at]``."""
        held = found[column] if isinstance(column, str) else pd.Series(column)
        left = pd.DataFrame({"v": held, "r": np.arange(len(found))})
        left = left[held.notna().to_numpy()]
        right = pd.DataFrame({"v": values[mask], "at": np.flatnonzero(mask)})
        return left.merge(right, on="v")[["r", "at"]]

    def part(found_pairs: pd.DataFrame, rank: int, how: str, direct: bool) -> pd.DataFrame:
        return found_pairs.assign(rank=rank, how=how, direct=direct)

    parts = []
    for kind in IDS:
        values = ident[kind].to_numpy(dtype=object)
        given = named & pd.notna(values)
        if given.any():
            parts.append(part(pairs(kind, values, given), BY_ID, ID_WORDS[kind], True))
    by_name = pairs("key", supplier_keys, named)
    parts.append(part(by_name, BY_NAME, "name", True))
    shorter = remark.to_numpy(dtype=object)
    without = named & (shorter != "")
    without[by_name["at"].to_numpy()] = False  # the whole name found the supplier
    if without.any():
        parts.append(part(pairs("key", shorter, without), BY_NAME, "name without its bracketed remark", True))
    direct = pd.concat(parts, ignore_index=True)
    # the sites of each organisation found, at its rank; and sites whose parent has the supplier's name
    direct["entity"] = entity[direct["r"].to_numpy()]
    organisations = direct.drop_duplicates(["at", "entity"])
    site_of = found["site_of"].to_numpy(dtype=object)
    at_site = pd.DataFrame({"site_of": site_of, "r": np.arange(len(found))})[pd.notna(site_of)]
    of_company = at_site.merge(
        organisations[["at", "entity", "rank", "how"]].rename(columns={"entity": "site_of"}), on="site_of"
    )
    named_as = ("KEY:" + keys.astype("str")).to_numpy(dtype=object)
    of_name = pairs(site_of, named_as, named)
    rows = pd.concat(
        [
            direct.drop(columns="entity"),
            of_company.drop(columns="site_of").assign(direct=False),
            part(of_name, BY_NAME, "its sites", False),
        ],
        ignore_index=True,
    )
    # each found row once per supplier, at its first rank
    order = np.lexsort((np.arange(len(rows)), rows["rank"].to_numpy(dtype=np.int64)))
    pair = rows["at"].to_numpy(dtype=np.int64)[order] * len(found) + rows["r"].to_numpy(dtype=np.int64)[order]
    _, first = np.unique(pair, return_index=True)
    rows = rows.iloc[order[np.sort(first)]]
    taken = found.iloc[rows["r"].to_numpy()].reset_index(drop=True)
    return _store_offers(
        taken.assign(
            supplier_key=supplier_keys[rows["at"].to_numpy()],
            rank=rows["rank"].to_numpy(),
            how=rows["how"].to_numpy(),
            direct=rows["direct"].to_numpy(dtype=bool),
        )
    )


def _store_offers(rows: pd.DataFrame) -> pd.DataFrame:
    """Store rows (with ``supplier_key``, ``rank``, ``how``, ``direct``, ``entity``, ``site_of``) as offers
    of a place, each saying which register it came from."""
    code, registers = pd.factorize(rows["register"].astype("str"))  # a few registers: each labelled once
    labels = ["public bodies (lm3)" if r == PUBLIC_BODIES else f"the register store: {r}" for r in registers]
    kept = ["supplier_key", "name", "postcode", "lad", "register_row", "rank", "how", "entity", "site_of"]
    out = rows[[*kept, "role", "status", "type", "sme"]].reset_index(
        drop=True
    )  # as they are: no copy to text
    out = out.rename(columns={"supplier_key": "key", "name": "supplier"})
    out.insert(3, "head_office_postcode", None)
    out.insert(
        5, "source", np.asarray(labels, dtype=object)[code] if len(rows) else np.empty(0, dtype=object)
    )
    out["direct"] = rows["direct"].to_numpy(dtype=bool)
    out["register"] = np.asarray(registers, dtype=object)[code] if len(rows) else np.empty(0, dtype=object)
    return out


def _near(registers: Registers, keys: pd.Series, threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank 5: suppliers no register names exactly, matched by a near name among the names of the store's
    registers (those small enough to search) and the public bodies: the rows of the one near name taken
    (never one that differs by a word), and the suppliers whose near names are too close to call, with
    them."""
    empty = pd.DataFrame({"key": pd.Series(dtype="object"), "candidates": pd.Series(dtype="object")})
    names = pc.unique(pa.array(keys.astype("str"), type=pa.string(), from_pandas=True)).sort().to_pylist()
    index = registers.near_index()
    choices = index.choices
    if not names or not len(choices):
        return _no_offers(), empty
    found = near_matches(
        names,
        choices,
        threshold=threshold,
        known=known_words(names, []) | registers.vocabulary(),
        typo_only=True,
        index=index,
    )
    if found.empty:
        return _no_offers(), empty
    names_arr, choices_arr = np.asarray(names, dtype=object), np.asarray(choices, dtype=object)
    ambiguous = found[found["ambiguous"].astype(bool)]
    unsure = pd.DataFrame(
        {
            "key": names_arr[ambiguous["name"].to_numpy(dtype=np.int64)],
            "candidates": [tuple(choices_arr[list(c)]) for c in ambiguous["close"]],
        }
    )
    taken = found[~found["ambiguous"].astype(bool)]
    if taken.empty:
        return _no_offers(), unsure
    pairs = pd.DataFrame(
        {
            "supplier_key": names_arr[taken["name"].to_numpy(dtype=np.int64)],
            "key": choices_arr[taken["choice"].to_numpy(dtype=np.int64)],
        }
    )
    rows = registers.lookup(sorted(set(pairs["key"])), {})
    if rows.empty:
        return _no_offers(), unsure
    rows = entities(rows)
    direct = rows.merge(pairs, on="key")  # the near name's own rows (not the sites named after it)
    offers = _store_offers(direct.assign(rank=NEAR, how="near name", direct=True))
    offers.attrs["found"] = rows
    return offers, unsure


def _one_organisation(at_rank: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """At each supplier's rank (``at``: its position, of ``n``), its one organisation's rows (with that
    organisation's sites), or, at the name rank with two or more active organisations, none: ambiguous
    (key, candidates)."""
    if at_rank.empty:
        return at_rank, pd.DataFrame(
            {"key": pd.Series(dtype="object"), "candidates": pd.Series(dtype="object")}
        )
    at = at_rank["at"].to_numpy(dtype=np.int64)
    entity_code, entity_names = pd.factorize(at_rank["entity"], use_na_sentinel=True)
    width = len(entity_names) + 1
    pair = at * width + entity_code  # a supplier with an organisation (a missing entity: -1, never equal)
    is_direct = at_rank["direct"].to_numpy(dtype=bool)
    active = (at_rank["status"] != "closed").to_numpy()
    has_active = np.zeros(n, dtype=bool)
    has_active[at[is_direct & active]] = True
    counted = is_direct & (active | ~has_active[at])
    rows = np.flatnonzero(counted)
    known = rows[entity_code[rows] >= 0]
    count = np.bincount(np.unique(pair[known]) // width, minlength=n)[at]
    # identifiers name one organisation (the first kind that found it); names may fit several
    rank = at_rank["rank"].to_numpy(dtype=np.int64)
    by_id = rank == BY_ID
    first_entity = np.full(n, -2, dtype=np.int64)
    first_row = first_at(at, rows[by_id[rows] & (entity_code[rows] >= 0)], n)
    first_entity[first_row >= 0] = entity_code[first_row[first_row >= 0]]
    by_name = np.isin(rank, [BY_NAME, NEAR])
    keep_direct = counted & ((count == 1) | ~by_name) & (~by_id | (entity_code == first_entity[at]))
    several = at_rank[counted & (count > 1) & by_name]
    label = (
        several["supplier"].astype("str")
        + " ("
        + several["source"].astype("str").str.replace("the register store: ", "", regex=False)
        + ")"
    )
    ambiguous = (
        label.groupby(several["key"].to_numpy(), sort=False)
        .agg(_first_few)
        .rename("candidates")
        .rename_axis("key")
        .reset_index()
    )
    # the organisation's own rows (closed ones too), and the sites of every supplier not ambiguous
    mine = is_direct & np.isin(pair, pair[keep_direct])
    unsure = np.zeros(n, dtype=bool)
    unsure[at[counted & (count > 1) & by_name]] = True
    sites = ~is_direct & ~unsure[at]
    return pd.concat([at_rank[mine], at_rank[sites]], ignore_index=True), ambiguous


def _first_few(labels: pd.Series) -> tuple[str, ...]:
    """An ambiguous name's candidates, each once, at most six."""
    return tuple(dict.fromkeys(str(x) for x in labels))[:6]


def _rows(chosen: pd.DataFrame, every: pd.DataFrame, chosen_rank: np.ndarray) -> pd.DataFrame:
    """The places, as register rows for ``lm3.place.locations.locate_suppliers``: each site with its
    organisation's office as its head office; an office alone as the supplier's place; districts served;
    and, for a supplier placed by your register or the spend file, its registered office from the store
    (linked by an identifier) as its head office. ``chosen_rank``: each supplier's rank, by position."""
    if chosen.empty:
        rows = pd.DataFrame({c: pd.Series(dtype="object") for c in ROW_COLUMNS})
    else:
        n = len(chosen_rank)
        at = chosen["at"].to_numpy(dtype=np.int64)
        role = chosen["role"].astype("object").to_numpy()
        postcode = chosen["postcode"].astype("object")
        office = (
            np.isin(role, ["registered office", "contact address", "address"]) & postcode.notna().to_numpy()
        )
        # each supplier's office: its registered office, else the first contact address or address
        order = np.lexsort((np.arange(len(chosen)), role != "registered office"))
        office_row = first_at(at, order[office[order]], n)
        office_of = np.full(n, None, dtype=object)
        office_of[office_row >= 0] = postcode.to_numpy(dtype=object)[office_row[office_row >= 0]]
        has_site = np.zeros(n, dtype=bool)
        has_site[at[role == "site"]] = True
        given = chosen["head_office_postcode"].astype("object")
        from_store = np.full(len(chosen), None, dtype=object)
        shown = has_site[at] & (role != "area served")
        from_store[shown] = office_of[at[shown]]
        rows = chosen.assign(
            head_office_postcode=given.where(given.notna(), pd.Series(from_store, index=chosen.index))
        )
    # registered offices for suppliers placed by your register or the spend file, linked by an identifier
    linked = every[(every["rank"] == BY_ID) & every["role"].isin(["registered office", "contact address"])]
    linked = linked[
        np.isin(chosen_rank[linked["at"].to_numpy(dtype=np.int64)], [YOURS, FILE])
        & linked["postcode"].notna().to_numpy()
    ]
    linked = linked.drop_duplicates("at")
    heads = linked.assign(head_office_postcode=linked["postcode"], postcode=None)
    out = pd.concat([rows, heads], ignore_index=True)[ROW_COLUMNS]
    return out.assign(row=np.arange(1, len(out) + 1))


def _summary(
    keys: pd.Series,
    chosen: pd.DataFrame,
    ambiguous: pd.DataFrame,
    ident: pd.DataFrame,
    found: pd.DataFrame,
    offered: np.ndarray,
) -> pd.DataFrame:
    """One row per supplier: where its place came from, how, and, when it has none, why. ``offered``: by
    position, whether any source offered it a place."""
    n = len(keys)
    suppliers = pd.Index(keys)  # one row per supplier: its key is unique
    at = chosen["at"].to_numpy(dtype=np.int64) if len(chosen) else np.empty(0, dtype=np.int64)
    rank = chosen["rank"].to_numpy(dtype=np.int64)
    by_rank = np.lexsort((np.arange(len(chosen)), rank))  # each supplier's rows, first rank first
    direct = chosen["direct"].to_numpy(dtype=bool)
    direct_first = np.lexsort((np.arange(len(chosen)), rank, ~direct))

    def first(column: str, order: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        """Each supplier's first value of ``column`` in ``order`` (among rows ``keep``), else None."""
        rows = order if keep is None else order[keep[order]]
        out = np.full(n, None, dtype=object)
        taken, where = np.unique(at[rows], return_index=True)
        out[taken] = chosen[column].to_numpy(dtype=object)[rows[where]]
        return out

    out = pd.DataFrame({"key": keys})
    out["source"] = first("source", direct_first)
    out["match"] = first("how", direct_first)
    out["type"] = first("type", by_rank, chosen["type"].notna().to_numpy())
    out["sme"] = first("sme", by_rank, chosen["sme"].notna().to_numpy())
    out["entity"] = first("supplier", by_rank, rank >= BY_ID)
    out["sites"] = np.bincount(at[(chosen["role"] == "site").to_numpy()], minlength=n).astype("int64")
    candidates = np.empty(n, dtype=object)
    candidates[:] = [()] * n
    if len(ambiguous):
        asked = suppliers.get_indexer(ambiguous["key"].astype("str"))
        given = pd.Series([c if isinstance(c, tuple) else () for c in ambiguous["candidates"]], dtype=object)
        asked, given = asked[asked >= 0], given.to_numpy()[asked >= 0]
        candidates[asked[::-1]] = given[::-1]  # a supplier listed twice keeps its first candidates
        out.loc[np.isin(np.arange(n), asked) & out["source"].isna().to_numpy(), "match"] = "ambiguous"
    out["candidates"] = candidates
    # an identifier that no register held: the first kind the supplier has that was not found
    not_held = np.full(n, None, dtype=object)
    unplaced = out["source"].isna().to_numpy()
    for kind in IDS:
        value = ident[kind]
        asked = np.flatnonzero(value.notna().to_numpy() & unplaced & pd.isna(not_held))
        if not len(asked):
            continue
        text = value.iloc[asked].astype("str")
        columns = [kind, "parent_company_number"] if kind == "company_number" else [kind]
        held = [found[c].dropna().astype("str") for c in columns if c in found]
        known = among(text, pd.concat(held)).to_numpy() if held else np.zeros(len(text), dtype=bool)
        not_held[asked[~known]] = (ID_WORDS[kind] + " " + text[~known]).to_numpy(dtype=object)
    out["not_held"] = not_held
    out["offered"] = offered
    return out


SOURCE_COLUMNS = ["source", "suppliers", "amount", "share"]
REASON_COLUMNS = ["unplaced", "why", "suppliers", "amount", "share"]


def by_source(trace: pd.DataFrame) -> pd.DataFrame:
    """Suppliers and spend placed by each source (your register, the spend file, a register of the store,
    lm3's public bodies), largest first, and the spend not placed as its last line: source, suppliers,
    amount (pence), share (of all the spend)."""
    total = int(trace["round1"].sum())
    placed = trace["location"] != "unknown"
    source = trace["source"].astype("object").where(placed & trace["source"].notna(), None)
    rows = (
        trace[placed]
        .assign(source=source[placed].fillna("(placed)"))
        .groupby("source")
        .agg(suppliers=("round1", "size"), amount=("round1", "sum"))
        .reset_index()
        .sort_values(["amount", "source"], ascending=[False, True], kind="stable")
    )
    unknown = trace[~placed]
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                [{"source": "not placed", "suppliers": len(unknown), "amount": int(unknown["round1"].sum())}]
            ),
        ],
        ignore_index=True,
    )
    rows["amount"] = rows["amount"].astype("int64")
    rows["suppliers"] = rows["suppliers"].astype("int64")
    rows["share"] = rows["amount"] / total if total else np.nan
    return rows[SOURCE_COLUMNS].reset_index(drop=True)


def not_placed_by_reason(trace: pd.DataFrame) -> pd.DataFrame:
    """The spend not placed, by why (``UNPLACED``), largest first: unplaced (the code), why (in words),
    suppliers, amount (pence), share (of all the spend)."""
    total = int(trace["round1"].sum())
    unknown = trace[trace["location"] == "unknown"]
    code = (
        unknown["unplaced"].fillna("name-not-found")
        if "unplaced" in unknown
        else pd.Series("name-not-found", index=unknown.index)
    )
    rows = (
        unknown.assign(unplaced=code)
        .groupby("unplaced")
        .agg(suppliers=("round1", "size"), amount=("round1", "sum"))
        .reset_index()
        .sort_values(["amount", "unplaced"], ascending=[False, True], kind="stable")
    )
    rows["why"] = rows["unplaced"].map(UNPLACED)
    rows["amount"] = rows["amount"].astype("int64")
    rows["share"] = rows["amount"] / total if total else np.nan
    return rows[REASON_COLUMNS].reset_index(drop=True)


def source_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """``by_source`` as plain records: source, suppliers, amount (Decimal pounds), share (None for NaN)."""
    return [
        {
            "source": r.source,
            "suppliers": int(r.suppliers),
            "amount": pence_to_decimal(int(r.amount)),
            "share": None if r.share != r.share else float(r.share),
        }
        for r in row_tuples(table)
    ]


def reason_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """``not_placed_by_reason`` as plain records: code, why, suppliers, amount (Decimal pounds), share."""
    return [
        {
            "code": r.unplaced,
            "why": r.why,
            "suppliers": int(r.suppliers),
            "amount": pence_to_decimal(int(r.amount)),
            "share": None if r.share != r.share else float(r.share),
        }
        for r in row_tuples(table)
    ]
