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

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lm3.geo import PostcodeDirectory
from lm3.place.offers import BY_ID, FILE, ID_WORDS, IDS, ROW_COLUMNS, YOURS, Registers, identifiers, no_offers
from lm3.place.store_offers import lookup, near_names_offered, one_organisation, store_rows_offered
from lm3.values.frames import among, first_at, least_at
from lm3.values.names import remark_free_keys


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
        found = lookup(
            registers, pd.concat([keys[by_name], remark[by_name & (remark != "").to_numpy()]]), ident[named]
        )
        offers.append(store_rows_offered(found, keys, named, ident, remark))
        offered_keys = pd.concat([o["key"].astype("str") for o in offers] + [pd.Series(dtype="str")])
        lonely = named & ~among(keys, offered_keys).to_numpy() & (keys != "").to_numpy()
        near, near_candidates = near_names_offered(registers, keys[lonely], threshold)
        if len(near):
            offers.append(near)
            found = (
                pd.concat([found, near.attrs["found"]], ignore_index=True)
                if len(found)
                else near.attrs["found"]
            )
    offers = [o for o in offers if len(o)]
    every = pd.concat(offers, ignore_index=True) if offers else no_offers()
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
    chosen, ambiguous = one_organisation(at_rank, n)
    offered = chosen_rank > 0
    near_candidates = near_candidates[
        ~offered[pd.Index(keys).get_indexer(pd.Index(near_candidates["key"].astype("str")))]
    ]
    ambiguous = pd.concat([ambiguous, near_candidates], ignore_index=True)
    rows = _rows(chosen, every, chosen_rank)
    suppliers = _summary(keys, chosen, ambiguous, ident, found, offered)
    return Places(rows=rows, suppliers=suppliers)


def _yours(
    keys: pd.Series, named: np.ndarray, matched: pd.DataFrame, register_rows: pd.DataFrame, label: str
) -> pd.DataFrame:
    """Rank 1: the rows of your register each supplier matched."""
    taken = matched["register_key"].notna().to_numpy() & named
    if not taken.any() or register_rows.empty:
        return no_offers()
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
        return no_offers()
    own = spend["postcode"].astype("object").reset_index(drop=True)
    here = named & own.notna().to_numpy()
    if not here.any():
        return no_offers()
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
