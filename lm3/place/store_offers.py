"""The register store's offers for a study's suppliers: rows found by key and identifier, and near
names (listed for checking), one organisation per supplier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.place.offers import (
    BY_ID,
    BY_NAME,
    ID_WORDS,
    IDS,
    NEAR,
    PUBLIC_BODIES,
    Registers,
    entities,
    no_offers,
)
from lm3.values.frames import among, first_at
from lm3.values.near import known_words, near_matches


def lookup(registers: Registers, keys: pd.Series, ident: pd.DataFrame) -> pd.DataFrame:
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


def store_rows_offered(
    found: pd.DataFrame, keys: pd.Series, named: np.ndarray, ident: pd.DataFrame, remark: pd.Series
) -> pd.DataFrame:
    """Ranks 3 and 4: store rows that are the supplier (by identifier, else by name key, else by its name
    without a bracketed remark at its end), and the rows that are its sites (by its company number, else
    by its name). Joined on narrow frames (a found row's number, a supplier's position), the rows taken
    gathered once at the end."""
    if found.empty:
        return no_offers()
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


def near_names_offered(
    registers: Registers, keys: pd.Series, threshold: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rank 5: suppliers no register names exactly, matched by a near name among the names of the store's
    registers (those small enough to search) and the public bodies: the rows of the one near name taken
    (never one that differs by a word), and the suppliers whose near names are too close to call, with
    them."""
    empty = pd.DataFrame({"key": pd.Series(dtype="object"), "candidates": pd.Series(dtype="object")})
    names = pc.unique(pa.array(keys.astype("str"), type=pa.string(), from_pandas=True)).sort().to_pylist()
    index = registers.near_index()
    choices = index.choices
    if not names or not len(choices):
        return no_offers(), empty
    found = near_matches(
        names,
        choices,
        threshold=threshold,
        known=known_words(names, []) | registers.vocabulary(),
        typo_only=True,
        index=index,
    )
    if found.empty:
        return no_offers(), empty
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
        return no_offers(), unsure
    pairs = pd.DataFrame(
        {
            "supplier_key": names_arr[taken["name"].to_numpy(dtype=np.int64)],
            "key": choices_arr[taken["choice"].to_numpy(dtype=np.int64)],
        }
    )
    rows = registers.lookup(sorted(set(pairs["key"])), {})
    if rows.empty:
        return no_offers(), unsure
    rows = entities(rows)
    direct = rows.merge(pairs, on="key")  # the near name's own rows (not the sites named after it)
    offers = _store_offers(direct.assign(rank=NEAR, how="near name", direct=True))
    offers.attrs["found"] = rows
    return offers, unsure


def one_organisation(at_rank: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
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
