"""Matching a spend file's suppliers to a register and typing them.

A supplier is matched by supplier id, then company number, then name key, then a near name (rapidfuzz,
listed for checking); ``locate_suppliers`` then places it. Types: VCSE, public body, individual or
redacted, SME, large, unknown, from the register's columns where given, else from the name.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lm3.errors import Notice
from lm3.geo import Area, PostcodeDirectory, region_of
from lm3.place.cascade import find_places
from lm3.place.locations import locate_suppliers
from lm3.place.offers import ID_WORDS, Registers
from lm3.values.arrow import factorize
from lm3.values.frames import among, row_tuples
from lm3.values.names import BLANK, REDACTED_KEY, id_key
from lm3.values.near import known_words, near_matches

DEFAULT_MATCH_THRESHOLD = 90.0
INDIVIDUAL = "(individual)"  # shown in place of a person's name
TYPES = ("VCSE", "public body", "individual or redacted", "SME", "large", "unknown")

# "GOVERNMENT" alone, not as a company names its market ("Sanderson Government and Defence", "Capita
# Government Services")
_PUBLIC = re.compile(
    r"\b(?:COUNCIL|NHS|HMRC|HM REVENUE|POLICE|CONSTABULARY|FIRE AND RESCUE|FIRE AUTHORITY"
    r"|GOVERNMENT(?! (?:AND|SERVICES|SOLUTIONS|DEFENCE|CONSULTING|PARTNERS|SYSTEMS|TECHNOLOG\w*|GROUP|SOFTWARE)\b)"
    r"|DEPARTMENT FOR|DEPARTMENT OF|MINISTRY OF|HOME OFFICE|CABINET OFFICE|ENVIRONMENT AGENCY|DVLA"
    r"|LAND REGISTRY|COMBINED AUTHORITY|PASSENGER TRANSPORT|TRANSPORT FOR|CROWN COMMERCIAL|NATIONAL HEALTH)\b"
)
_VCSE = re.compile(
    r"\b(?:CIC|CIO|C I C|C I O|COMMUNITY INTEREST|CHARITY|CHARITABLE|FOUNDATION|VOLUNTARY|HOSPICE"
    r"|ASSOCIATION|TRUST|SOCIETY|CLUB|CHURCH|MOSQUE|TEMPLE|SCOUTS?|GUIDES|YOUTH|COMMUNITY)\b"
)
# words no public body's name holds: with them a name that also holds a public body's word is a charity, a
# club or a staff association of it ("Police Sports Association", "NHS Charities Together", "Council for
# Voluntary Service", "Fire Fighters Charity")
_VCSE_ONLY = re.compile(
    r"\b(?:SPORTS?|CLUB|ATHLETIC|BENEVOLENT|FEDERATION|CHARITY|CHARITIES|CHARITABLE|VOLUNTARY|HOSPICE|CIC|CIO"
    r"|COMMUNITY INTEREST)\b"
)
# a title first, and no company's legal form ("MS Minibuses Ltd" is a company)
_INDIVIDUAL = re.compile(r"^(?:MR|MRS|MS|MISS|DR|MX)\b(?!.*\b(?:LIMITED|LTD|PLC|LLP|CIC|CIO|INC)\b)")


def place_suppliers(
    payments: pd.DataFrame,
    register: pd.DataFrame,
    *,
    area: Area,
    branch_is_local: bool,
    match_threshold: float,
    directory: PostcodeDirectory,
    registers: Registers | None = None,
    register_label: str = "your register",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spend per supplier, placed by the cascade (``lm3.place.cascade``: your registers, the spend file's own
    postcodes, the register store through ``registers``) and located in the area: the trace (one row per
    supplier, see ``LocateResult.suppliers``; ``source`` and ``match`` say where its place came from,
    ``unplaced`` why it has none) and the matches to your registers. Used by ``locate`` and
    ``lm3.calculate`` alike."""
    spend = spend_per_supplier(payments)
    spend["person"] = names_of_people(spend["supplier"]).to_numpy()
    vocabulary = registers.vocabulary() if registers is not None and len(register) else frozenset()
    matched = match_register(spend, register, threshold=match_threshold, vocabulary=vocabulary)
    places = find_places(
        spend,
        register,
        matched,
        register_label=register_label,
        registers=registers,
        directory=directory,
        threshold=match_threshold,
    )
    trace = locate_suppliers(
        spend.drop(columns=["postcode", "head_office_postcode"]),  # the places are in ``places.rows``
        places.rows,
        area=area,
        branch_is_local=branch_is_local,
        directory=directory,
    )
    found = places.suppliers.set_index("key")
    trace["register_key"] = matched["register_key"].to_numpy()
    trace["match"] = np.where(
        found["source"].reindex(trace["key"]).notna().to_numpy(),
        found["match"].reindex(trace["key"]).to_numpy(),
        matched["match"].to_numpy(),
    )
    trace["match"] = trace["match"].where(trace["match"] != "", "none")
    trace["source"] = found["source"].reindex(trace["key"]).to_numpy()
    trace["score"] = matched["score"].to_numpy()
    store_candidates = found["candidates"].reindex(trace["key"]).to_numpy()
    trace["candidates"] = [c or m for c, m in zip(store_candidates, matched["candidates"], strict=True)]
    trace["near_register_names"] = (matched["match"] == "ambiguous").to_numpy() & np.array(
        [not c for c in store_candidates], dtype=bool
    )
    trace["entity"] = found["entity"].reindex(trace["key"]).to_numpy()
    trace["not_held"] = found["not_held"].reindex(trace["key"]).to_numpy()
    trace["payments_name"] = spend["supplier"].to_numpy()  # ``supplier``: as its source names it
    trace["region"] = region_of(trace["lad"]).to_numpy()
    trace["head_office_lad"] = directory.place(trace["head_office_postcode"].fillna(""))["lad"].to_numpy()
    public_keys = registers.public_body_keys() if registers is not None else frozenset()
    trace["type"] = supplier_types(trace, register, found, public_keys)
    person = (trace["type"] == "individual or redacted") & (trace["supplier_class"] == "named")
    trace = _explain_unplaced(trace, person.to_numpy())
    # Individuals' names are personal data: they never leave here (redacted ones are "(redacted)" already).
    trace.loc[person, ["supplier", "payments_name"]] = INDIVIDUAL
    trace.loc[person, "entity"] = None
    matched["match"] = trace["match"].to_numpy()
    matched["candidates"] = trace["candidates"].to_numpy()
    return trace, matched


def review_warnings(matched: pd.DataFrame, listed: int = 10) -> list[Notice]:
    """What a person should check: suppliers matched by a similar name, and those too close to call."""
    review = matched[matched["match"].isin(["fuzzy name", "ambiguous"])]
    if review.empty:
        return []
    review = review.sort_values("round1", ascending=False, kind="stable")
    fuzzy = review[review["match"] == "fuzzy name"]
    ambiguous = review[review["match"] == "ambiguous"]
    out = []
    if len(fuzzy):
        pairs = "; ".join(f"{r.supplier} -> {r.candidates[0]}" for r in row_tuples(fuzzy.head(listed)))
        more = f" and {len(fuzzy) - listed} more" if len(fuzzy) > listed else ""
        out.append(
            Notice(
                "fuzzy-name-matches",
                f"{len(fuzzy)} supplier(s) matched to the register by a similar name: {pairs}{more}. Check them; "
                "a wrong one can be fixed by spelling the name as the register does.",
            )
        )
    if len(ambiguous):
        names = "; ".join(
            f"{r.supplier} ({' / '.join(r.candidates)})" for r in row_tuples(ambiguous.head(listed))
        )
        out.append(
            Notice(
                "register-names-too-close",
                f"{len(ambiguous)} supplier(s) not matched: two register names are too close to call: {names}.",
            )
        )
    return out


IDENTIFIER_COLUMNS = ("company_number", "charity_number", "urn", "ods_code", "org_id")
FILE_COLUMNS = ("supplier_id", *IDENTIFIER_COLUMNS, "vcse", "postcode", "head_office_postcode")


def spend_per_supplier(data: pd.DataFrame) -> pd.DataFrame:
    """Spend per supplier key: key, supplier (most used spelling), supplier_class, payments, round1, and
    what the payments give it (supplier_id, company and charity numbers, URN, ODS code, org-id, VCSE flag,
    postcode, head office postcode): for each, the value carrying most of its spend; ``postcodes`` counts
    the different postcodes its payments give, and ``postcode_share`` the share of its spend at the one
    taken (a supplier paid at several postcodes is listed). Ties go to the value seen first.

    Worked on integer codes (each key and value hashed once), never by grouping on text."""
    key_code, keys, spelling_code = _codes(data)
    n = len(keys) + 1  # the last slot: no key
    amount = data["amount"].to_numpy(dtype=np.int64)
    payments = np.bincount(key_code, minlength=n)
    round1 = np.zeros(n, dtype=np.int64)
    np.add.at(round1, key_code, amount)  # exact: integer pence
    first_row = np.full(n, len(data), dtype=np.int64)
    np.minimum.at(first_row, key_code, np.arange(len(data)))
    present = np.flatnonzero(payments[:-1] > 0)  # a row with no key is no supplier's
    out = pd.DataFrame(
        {
            "key": keys.to_numpy(dtype=object)[present],
            "supplier_class": data["supplier_class"].iloc[first_row[present]].to_numpy(dtype=object),
            "payments": payments[present].astype("int64"),
            "round1": round1[present].astype("int64"),
        }
    )
    if spelling_code is None:
        spelling, _ = _top_per_key(data["supplier"], key_code, n, np.ones(len(data), dtype=np.int64))
    else:
        spelling = spelling_code
    out.insert(1, "supplier", spelling[present])
    share = np.full(n, np.nan)
    for name in FILE_COLUMNS:
        if name not in data:
            out[name] = None
            continue
        top, top_share = _top_per_key(data[name], key_code, n, amount)
        out[name] = top[present]
        if name == "postcode":
            share = top_share
    if "postcode" in data and data["postcode"].notna().any():
        code, distinct = factorize(data["postcode"])
        given = code < len(distinct)
        pairs = np.unique(key_code[given].astype(np.int64) * len(distinct) + code[given])
        out["postcodes"] = np.bincount(pairs // len(distinct), minlength=n)[present].astype("int64")
        out["postcode_share"] = share[present]
    else:
        out["postcodes"] = 0
        out["postcode_share"] = np.nan
    out["key"] = out["key"].astype("str")
    out["supplier"] = out["supplier"].astype("str")
    cols = [
        "key",
        "supplier",
        "supplier_class",
        "payments",
        "round1",
        *FILE_COLUMNS,
        "postcodes",
        "postcode_share",
    ]
    # largest first, then by key: sorted in Arrow (pandas compares the keys in Python)
    order = pc.sort_indices(
        pa.table({"round1": out["round1"].to_numpy(), "key": pa.array(out["key"], type=pa.string())}),
        sort_keys=[("round1", "descending"), ("key", "ascending")],
    )
    return out[cols].take(order.to_numpy()).reset_index(drop=True)


def _codes(data: pd.DataFrame) -> tuple[np.ndarray, pd.Series, np.ndarray | None]:
    """Each row's key code and the distinct keys (``factorize``); and, when each spelling of a supplier's
    name has one key (as ingest makes them), each key's most used spelling (ties: the first seen), found
    from the spellings' codes alone; else None (``_top_per_key`` finds them)."""
    name_code, names = factorize(data["supplier"])
    rows = len(data)
    first = np.full(len(names) + 1, rows, dtype=np.int64)  # each spelling's first row
    np.minimum.at(first, name_code, np.arange(rows))
    text = data["key"].astype("str")
    named = first[: len(names)]
    key_of_name = text.iloc[named].reset_index(drop=True) if len(named) else text.iloc[:0]
    same = rows > 0 and bool((name_code < len(names)).all())
    if same:  # compared in Arrow: a million rows
        expanded = pa.array(key_of_name, type=pa.string(), from_pandas=True).take(pa.array(name_code))
        same = bool(pc.all(pc.equal(expanded, pa.array(text, type=pa.string(), from_pandas=True))).as_py())
    if not same:
        key_code, keys = factorize(text)
        return key_code, keys, None
    code_of_name, keys = factorize(key_of_name)  # keys in order of first appearance, as over the rows
    key_code = code_of_name[name_code]
    n = len(keys) + 1
    uses = np.bincount(name_code, minlength=len(names))
    # per key, the spelling with most payments; ties: the one seen first
    order = np.lexsort((named, -uses, code_of_name))
    top = order[np.r_[True, code_of_name[order][1:] != code_of_name[order][:-1]]]
    spelling = np.full(n, None, dtype=object)
    spelling[code_of_name[top]] = names.to_numpy(dtype=object)[top]
    return key_code, keys, spelling


def _top_per_key(
    values: pd.Series, key_code: np.ndarray, n: int, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each key code (of ``n``), the value whose rows carry most ``weight`` (in absolute value; ties:
    the first seen), or None when its rows give none; and that value's share of the key's weight there."""
    code, distinct = factorize(values)
    given = code < len(distinct)
    if not given.any():
        return np.full(n, None, dtype=object), np.full(n, np.nan)
    width = len(distinct)
    pair = key_code[given].astype(np.int64) * width + code[given]
    summed = pd.Series(weight[given]).groupby(pair, sort=False).sum().abs()  # pairs in the order first seen
    frame = pd.DataFrame(
        {"key": summed.index // width, "value": summed.index % width, "w": summed.to_numpy()}
    )
    whole = frame.groupby("key")["w"].sum()
    top = frame.sort_values("w", ascending=False, kind="stable").drop_duplicates("key")
    chosen = np.full(n, None, dtype=object)
    chosen[top["key"].to_numpy()] = distinct.to_numpy(dtype=object)[top["value"].to_numpy()]
    share = np.full(n, np.nan)
    totals = whole.reindex(top["key"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share[top["key"].to_numpy()] = np.where(totals != 0, top["w"].to_numpy() / totals, np.nan)
    return chosen, share


def conflict_warnings(trace: pd.DataFrame, listed: int = 10) -> list[Notice]:
    """Suppliers whose payments give several postcodes: the one carrying most of the spend is used."""
    if "postcodes" not in trace:
        return []
    several = trace[(trace["postcodes"] > 1) & (trace["type"] != "individual or redacted")]
    if several.empty:
        return []
    several = several.sort_values("round1", ascending=False, kind="stable")
    shown = "; ".join(
        f"{r.payments_name} ({int(r.postcodes)} postcodes; {r.postcode_share:.0%} of its spend at the one used)"
        for r in row_tuples(several.head(listed))
    )
    more = f" and {len(several) - listed} more" if len(several) > listed else ""
    return [
        Notice(
            "payments-give-several-postcodes",
            f"{len(several)} supplier(s) are paid at several postcodes in the spend file; each is placed at the one "
            f"carrying most of its spend: {shown}{more}.",
        )
    ]


def match_register(
    spend: pd.DataFrame, register: pd.DataFrame, *, threshold: float, vocabulary: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Match each supplier to the register: adds ``register_key`` (None when unmatched), ``match``
    ("supplier id", "company number", "charity number", "URN", "ODS code", "org-id", "name", "fuzzy name",
    "ambiguous" or "none"), ``score`` and ``candidates`` (the register names considered, for a fuzzy or
    ambiguous match)."""
    out = spend.copy()
    out["register_key"] = None
    out["match"] = "none"
    out["score"] = np.nan
    out["candidates"] = [() for _ in range(len(out))]
    if register.empty:
        return out
    matchable = (out["supplier_class"] == "named").to_numpy() & (out["key"] != REDACTED_KEY).to_numpy()

    def take(found: pd.Series, how: str, score: float) -> None:
        hit = found.notna().to_numpy() & matchable & out["register_key"].isna().to_numpy()
        out.loc[hit, "register_key"] = found[hit]
        out.loc[hit, "match"] = how
        out.loc[hit, "score"] = score

    if out["supplier_id"].notna().any() and register["supplier_id"].notna().any():
        ids = register.dropna(subset=["supplier_id"])
        by_id = dict(zip(id_key(ids["supplier_id"]), ids["key"], strict=True))
        take(id_key(out["supplier_id"]).map(by_id), "supplier id", 100.0)
    for column in IDENTIFIER_COLUMNS:
        how = ID_WORDS[column]
        if column in register and out[column].notna().any() and register[column].notna().any():
            given = register.dropna(subset=[column]).drop_duplicates(column)
            by_number = dict(zip(given[column], given["key"], strict=True))
            take(out[column].map(by_number), how, 100.0)
    keys = set(register["key"])
    take(out["key"].where(among(out["key"], register["key"])), "name", 100.0)

    left = np.flatnonzero(matchable & out["register_key"].isna().to_numpy())
    choices = sorted(k for k in keys if k)
    if len(left) and choices:
        _near_names(out, left, choices, register, threshold, vocabulary)
    return out


def _near_names(
    out: pd.DataFrame,
    left: np.ndarray,
    choices: list[str],
    register: pd.DataFrame,
    threshold: float,
    vocabulary: frozenset[str],
) -> None:
    """Suppliers matched by a near name (``lm3.values.near.near_matches``): the register name scoring at
    least ``threshold`` with the same digits, never one that differs by a word; taken when clearly ahead of
    the next (by ``MATCH_MARGIN``), "ambiguous" when not."""
    names = out["key"].to_numpy()[left].tolist()
    known = known_words(out["key"].tolist(), choices) | vocabulary
    found = near_matches(names, choices, threshold=threshold, known=known)
    if found.empty:
        return
    display = register.drop_duplicates("key").set_index("key")["supplier"]
    choice_text = np.asarray(choices, dtype=object)
    at = out.index[left[found["name"].to_numpy(dtype=np.int64)]]
    out.loc[at, "score"] = found["score"].to_numpy()
    out.loc[at, "candidates"] = pd.Series(
        [tuple(display.reindex(choice_text[list(c)]).astype("str")) for c in found["close"]],
        index=at,
        dtype="object",
    )
    ambiguous = found["ambiguous"].to_numpy(dtype=bool)  # too close to call: never taken
    out.loc[at[ambiguous], "match"] = "ambiguous"
    out.loc[at[~ambiguous], "register_key"] = choice_text[
        found["choice"].to_numpy(dtype=np.int64)[~ambiguous]
    ]
    out.loc[at[~ambiguous], "match"] = "fuzzy name"


def named_after_public_body(keys: pd.Series, public_keys: frozenset[str]) -> np.ndarray:
    """Whether each supplier key begins with the whole key of a public body (``public_keys``: those lm3
    ships, ``lm3/data/public_bodies.csv``) and goes on with more words: "OFSTED INTERNET", "HMRC VAT" (a key
    that is the body's own is found by the store). Vectorised over the number of words, never the
    suppliers."""
    words = keys.fillna("").astype("str").str.split(" ")
    count = (
        np.asarray([len(w) for w in words.to_numpy()], dtype=np.int64)
        if len(words)
        else np.zeros(0, np.int64)
    )
    out = np.zeros(len(keys), dtype=bool)
    known = _saying_a_body(public_keys)
    for k in range(1, int(count.max(initial=0))):
        longer = count > k
        if not longer.any():
            break
        prefix = words[longer].str[:k].str.join(" ")
        out[np.flatnonzero(longer)] |= prefix.isin(known).to_numpy()
    return out


_BODY_WORDS = re.compile(
    r"\b(?:COUNCIL|AUTHORITY|AGENCY|OFFICE|DEPARTMENT|COMMISSIONER|SERVICE|REGISTRY|TRUST|BOARD|NHS|POLICE"
    r"|CONSTABULARY|FIRE|MBC|MDC|CC|DC|BC|ICB|CCG)\b"
)


@cache
def _saying_a_body(keys: frozenset[str]) -> frozenset[str]:
    """The public bodies' keys that say a body on their own: those naming one ("Kent County Council",
    "Cabinet Office") and one-word names (4 letters or more: "OFSTED", "HMRC"); never a place's name ("City
    of Liverpool" begins "City of Liverpool College")."""
    return frozenset(
        k for k in keys if k and len(k) >= 4 and (" " not in k or _BODY_WORDS.search(k) is not None)
    )


def names_of_people(names: pd.Series) -> pd.Series:
    """Whether each payee name is a person's ("Mr J Smith", "Dr A Khan"): the rule by which a supplier is
    typed "individual or redacted", for front ends that must not show such names."""
    upper = names.fillna("").astype("str").str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True)
    return upper.str.match(_INDIVIDUAL.pattern).astype(bool)


def supplier_types(
    trace: pd.DataFrame,
    register: pd.DataFrame,
    found: pd.DataFrame | None = None,
    public_keys: frozenset[str] = frozenset(),
) -> pd.Series:
    """Each supplier's type, first rule that applies:

    1. "individual or redacted": redacted names, blank names, "Mr/Mrs/Ms/Miss/Dr ..." names;
    2. the register's type column, when it names one of the types (VCSE, public, SME, large);
    3. what the register store says (``found``: a council or an NHS trust is a public body; a charity, a
       CIC or a sports club VCSE);
    4. "public body": councils, NHS, government departments and agencies, police, fire (by name), unless the
       name also says it is a charity, a club or a staff association ("Police Sports Association": VCSE);
       and a name that begins with a public body's whole name ("Ofsted Internet", "HMRC VAT");
    5. "VCSE": the spend file's or register's VCSE flag, a charity number, or a charitable or community
       name (CIC, CIO, charity, trust, foundation, association, society, club, church, community ...);
    6. "SME" or "large" from the register's SME flag, else the store's (accounts a small company files);
    7. "unknown".
    """
    reg = register.drop_duplicates("key").set_index("key") if len(register) else pd.DataFrame()
    rk = trace["register_key"]

    def words(names: pd.Series) -> pd.Series:
        return names.fillna("").astype("str").str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True)

    supplier, paid = (
        trace["supplier"].fillna("").astype("str"),
        trace["payments_name"].fillna("").astype("str"),
    )
    upper = words(supplier)
    other = (supplier != paid).to_numpy()  # the payments' name differs (the register's is shown): few
    upper_paid = upper.copy()
    if other.any():
        upper_paid[other] = words(paid[other]).to_numpy()

    def from_register(column: str) -> pd.Series:
        if column not in reg or reg[column].isna().all():
            return pd.Series(None, index=trace.index, dtype="object")
        return rk.map(reg[column]).astype("object")

    def from_store(column: str) -> pd.Series:
        if found is None or column not in found:
            return pd.Series(None, index=trace.index, dtype="object")
        return pd.Series(found[column].reindex(trace["key"]).to_numpy(), index=trace.index, dtype="object")

    reg_type = from_register("type").fillna("").astype("str").str.lower()
    store_type = from_store("type").fillna("").astype("str")
    yes = {"y", "yes", "true", "1", "vcse"}
    vcse_flag = trace["vcse"].fillna("").astype("str").str.lower().isin(yes) | from_register("vcse").fillna(
        ""
    ).astype("str").str.lower().isin(yes)
    charity = trace["charity_number"].notna() | from_register("charity_number").notna()
    sme = from_register("sme").fillna("").astype("str").str.lower()
    sme = sme.where(sme != "", from_store("sme").fillna("").astype("str").str.lower())
    public = upper.str.contains(_PUBLIC.pattern).to_numpy(dtype=bool, copy=True)
    public[other] |= upper_paid[other].str.contains(_PUBLIC.pattern).to_numpy(dtype=bool)
    individual = trace["supplier_class"].isin(["redacted", "blank"]) | upper_paid.str.match(
        _INDIVIDUAL.pattern
    )
    conditions = [
        individual.to_numpy(),
        reg_type.str.contains("vcse|voluntary|charit|social enterprise").to_numpy(),
        reg_type.str.contains("public|council|government|nhs").to_numpy(),
        reg_type.str.fullmatch("sme|small|medium|micro").to_numpy(),
        reg_type.str.fullmatch("large").to_numpy(),
        (store_type == "public body").to_numpy(),
        (store_type == "VCSE").to_numpy(),
        public & upper.str.contains(_VCSE_ONLY.pattern).to_numpy(dtype=bool),
        public | named_after_public_body(trace["key"], public_keys),
        (vcse_flag | charity | upper.str.contains(_VCSE.pattern)).to_numpy(),
        sme.isin(yes).to_numpy(),
        sme.isin({"n", "no", "false", "0"}).to_numpy(),
    ]
    choices = ["individual or redacted", "VCSE", "public body", "SME", "large", "public body", "VCSE"]
    choices += ["VCSE", "public body", "VCSE", "SME", "large"]
    return pd.Series(np.select(conditions, choices, default="unknown"), index=trace.index)


def _explain_unplaced(trace: pd.DataFrame, person: np.ndarray) -> pd.DataFrame:
    """Why each supplier not placed is not (``unplaced``, a code of ``lm3.place.cascade.UNPLACED``), said in
    its ``reason``: an individual or a redacted payee; a name that fits several organisations (with them);
    an identifier no register held has; a name no register knows; a postcode that cannot be placed."""
    unknown = (trace["location"] == "unknown").to_numpy()
    individual = trace["supplier_class"].isin(["redacted", "blank"]).to_numpy() | person
    candidates = trace["candidates"].map(len).to_numpy() > 0
    ambiguous = unknown & ~individual & candidates & trace["source"].isna().to_numpy()
    not_held = unknown & ~individual & ~ambiguous & trace["not_held"].notna().to_numpy()
    offered = trace["register_row"].notna().to_numpy()
    postcode = unknown & ~individual & ~ambiguous & ~not_held & offered
    codes = np.select(
        [individual, ambiguous, not_held, postcode],
        ["individual", "ambiguous", "id-not-held", "postcode-not-placed"],
        default="name-not-found",
    )
    trace["unplaced"] = pd.Series(codes, index=trace.index, dtype="object").where(unknown, None)
    reason = trace["reason"].astype("object")
    listed = np.full(len(trace), "", dtype=object)
    listed[ambiguous] = [" / ".join(c) for c in trace["candidates"][ambiguous]]
    names = pd.Series(listed, index=trace.index, dtype="object")
    reason = reason.where(
        ~ambiguous, "its name fits several organisations (" + names + "): not placed, location unknown"
    )
    reason = reason.where(
        ~(ambiguous & trace["near_register_names"].to_numpy()),
        "register names too close to call (" + names + "): not matched, location unknown",
    )
    reason = reason.where(
        ~not_held,
        trace["not_held"].astype("str")
        + " is in no register held: add the register that holds it; location unknown",
    )
    reason = reason.where(
        ~(unknown & ~individual & ~ambiguous & ~not_held & ~offered),
        "not in any register held (your registers, the register store, the public bodies): location unknown",
    )
    reason = reason.where(~(unknown & person), "an individual, paid by name: not placed from a name")
    reason = reason.where(
        ~(trace["supplier_class"] == "redacted").to_numpy(), "redacted supplier name: location unknown"
    )
    blank = trace["supplier_class"] == ["named", "redacted", "blank"][BLANK]
    reason = reason.where(~blank.to_numpy(), "no supplier name in the payments: location unknown")
    trace["reason"] = reason
    return trace
