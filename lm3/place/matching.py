"""Matching a spend file's suppliers to a register and typing them.

A supplier is matched by supplier id, then company number, then name key, then a near name (rapidfuzz,
listed for checking); ``locate_suppliers`` then places it. Types: VCSE, public body, individual or
redacted, SME, large, unknown, from the register's columns where given, else from the name.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from lm3.errors import Notice
from lm3.geo import Area, PostcodeDirectory, region_of
from lm3.place.locations import locate_suppliers
from lm3.values.frames import among, row_tuples
from lm3.values.names import BLANK, REDACTED_KEY, company_numbers, id_key
from lm3.values.near import candidate_pairs

DEFAULT_MATCH_THRESHOLD = 90.0
MATCH_MARGIN = 3.0  # a fuzzy match must beat the next register name by this much to be taken
INDIVIDUAL = "(individual)"  # shown in place of a person's name
TYPES = ("VCSE", "public body", "individual or redacted", "SME", "large", "unknown")

_PUBLIC = re.compile(
    r"\b(?:COUNCIL|NHS|HMRC|HM REVENUE|POLICE|CONSTABULARY|FIRE AND RESCUE|FIRE AUTHORITY|GOVERNMENT"
    r"|DEPARTMENT FOR|DEPARTMENT OF|MINISTRY OF|HOME OFFICE|CABINET OFFICE|ENVIRONMENT AGENCY|DVLA"
    r"|LAND REGISTRY|COMBINED AUTHORITY|PASSENGER TRANSPORT|TRANSPORT FOR|CROWN COMMERCIAL|NATIONAL HEALTH)\b"
)
_VCSE = re.compile(
    r"\b(?:CIC|CIO|C I C|C I O|COMMUNITY INTEREST|CHARITY|CHARITABLE|FOUNDATION|VOLUNTARY|HOSPICE"
    r"|ASSOCIATION|TRUST|SOCIETY|CLUB|CHURCH|MOSQUE|TEMPLE|SCOUTS?|GUIDES|YOUTH|COMMUNITY)\b"
)
_INDIVIDUAL = re.compile(r"^(?:MR|MRS|MS|MISS|DR|MX)\b")


def place_suppliers(
    payments: pd.DataFrame,
    register: pd.DataFrame,
    *,
    area: Area,
    branch_is_local: bool,
    match_threshold: float,
    directory: PostcodeDirectory,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Spend per supplier, matched to the register and placed: the trace (one row per supplier, see
    ``LocateResult.suppliers``) and the matches. Used by ``locate`` and ``lm3.calculate`` alike."""
    spend = spend_per_supplier(payments)
    matched = match_register(spend, register, threshold=match_threshold)
    trace = locate_suppliers(
        matched.rename(columns={"key": "payment_key", "register_key": "key"}).assign(
            key=lambda d: d["key"].fillna(_UNMATCHED)
        ),
        register,
        area=area,
        branch_is_local=branch_is_local,
        directory=directory,
    )
    trace = trace.rename(columns={"key": "register_key", "payment_key": "key"})
    trace["register_key"] = trace["register_key"].where(trace["register_key"] != _UNMATCHED, None)
    trace["payments_name"] = matched["supplier"].to_numpy()  # ``supplier``: as the register names it
    trace = _explain_unmatched(trace)
    trace["region"] = region_of(trace["lad"]).to_numpy()
    trace["head_office_lad"] = directory.place(trace["head_office_postcode"].fillna(""))["lad"].to_numpy()
    trace["type"] = supplier_types(trace, register)
    # Individuals' names are personal data: they never leave here (redacted ones are "(redacted)" already).
    person = (trace["type"] == "individual or redacted") & (trace["supplier_class"] == "named")
    trace.loc[person, ["supplier", "payments_name"]] = INDIVIDUAL
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


_UNMATCHED = "\0unmatched"  # no register key can equal it


def spend_per_supplier(data: pd.DataFrame) -> pd.DataFrame:
    """Spend per supplier key: key, supplier (most used spelling), supplier_class, payments, round1, and
    the first supplier_id / company_number / charity_number / vcse the payments give it."""
    grouped = data.groupby("key", sort=False)
    out = grouped.agg(
        supplier_class=("supplier_class", "first"), payments=("amount", "size"), round1=("amount", "sum")
    )
    names = data.groupby(["key", "supplier"], sort=False).size().rename("n").reset_index()
    names = names.sort_values("n", ascending=False, kind="stable").drop_duplicates("key")
    out = out.join(names.set_index("key")["supplier"])
    for name in ("supplier_id", "company_number", "charity_number", "vcse"):
        out[name] = grouped[name].first() if name in data else None
    out = out.reset_index()
    out["round1"] = out["round1"].astype("int64")
    cols = ["key", "supplier", "supplier_class", "payments", "round1"]
    cols += ["supplier_id", "company_number", "charity_number", "vcse"]
    return out[cols].sort_values(["round1", "key"], ascending=[False, True], ignore_index=True)


def match_register(spend: pd.DataFrame, register: pd.DataFrame, *, threshold: float) -> pd.DataFrame:
    """Match each supplier to the register: adds ``register_key`` (None when unmatched), ``match``
    ("supplier id", "company number", "name", "fuzzy name", "ambiguous" or "none"), ``score`` and
    ``candidates`` (the register names considered, for a fuzzy or ambiguous match)."""
    out = spend.copy()
    out["register_key"] = None
    out["match"] = "none"
    out["score"] = np.nan
    out["candidates"] = [() for _ in range(len(out))]
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
    if out["company_number"].notna().any() and register["company_number"].notna().any():
        nums = register.dropna(subset=["company_number"])
        by_number = dict(zip(nums["company_number"], nums["key"], strict=True))
        take(company_numbers(out["company_number"]).map(by_number), "company number", 100.0)
    keys = set(register["key"])
    take(out["key"].where(among(out["key"], register["key"])), "name", 100.0)

    left = np.flatnonzero(matchable & out["register_key"].isna().to_numpy())
    choices = sorted(k for k in keys if k)
    if len(left) and choices:
        _near_names(out, left, choices, register, threshold)
    return out


def _near_names(
    out: pd.DataFrame, left: np.ndarray, choices: list[str], register: pd.DataFrame, threshold: float
) -> None:
    """Suppliers matched by a near name: the register name scoring at least ``threshold`` (rapidfuzz
    token-sort ratio) with the same digits, taken when clearly ahead of the next (by ``MATCH_MARGIN``),
    "ambiguous" when not. Scores only the pairs ``lm3.values.near.candidate_pairs`` finds."""
    names = out["key"].to_numpy()[left].tolist()
    pairs = candidate_pairs(names, choices)
    if pairs.empty:
        return
    name_text = np.asarray(names, dtype=object)[pairs["name"].to_numpy()]
    choice_text = np.asarray(choices, dtype=object)[pairs["choice"].to_numpy()]
    pairs["score"] = process.cpdist(
        name_text, choice_text, scorer=fuzz.token_sort_ratio, workers=-1, score_cutoff=threshold
    )
    digits_of = pd.Series(choices).str.replace(r"\D", "", regex=True).to_numpy(dtype=object)
    name_digits = pd.Series(names).str.replace(r"\D", "", regex=True).to_numpy(dtype=object)
    same = digits_of[pairs["choice"].to_numpy()] == name_digits[pairs["name"].to_numpy()]
    pairs = pairs[same & (pairs["score"].to_numpy() >= threshold)]
    if pairs.empty:
        return
    pairs = pairs.sort_values(["name", "score", "choice"], ascending=[True, False, True], kind="stable")
    top = pairs.groupby("name", sort=False).head(3)
    best = top.groupby("name", sort=False)["score"].transform("first")
    close = top[top["score"] >= best - MATCH_MARGIN]
    display = register.drop_duplicates("key").set_index("key")["supplier"]
    labels = close.assign(
        label=display.reindex(np.asarray(choices, dtype=object)[close["choice"].to_numpy()]).to_numpy()
    )
    grouped = labels.groupby("name", sort=False)
    first = grouped.first()
    second = top.groupby("name", sort=False)["score"].nth(1)
    second = pd.Series(second.to_numpy(), index=top.loc[second.index, "name"].to_numpy())
    at = out.index[left[first.index.to_numpy()]]
    out.loc[at, "score"] = first["score"].to_numpy()
    out.loc[at, "candidates"] = pd.Series(grouped["label"].agg(tuple).to_numpy(), index=at)
    runner_up = second.reindex(first.index).fillna(-np.inf).to_numpy()
    ambiguous = runner_up > first["score"].to_numpy() - MATCH_MARGIN  # too close to call: never taken
    out.loc[at[ambiguous], "match"] = "ambiguous"
    out.loc[at[~ambiguous], "register_key"] = np.asarray(choices, dtype=object)[
        first["choice"].to_numpy()[~ambiguous]
    ]
    out.loc[at[~ambiguous], "match"] = "fuzzy name"


def names_of_people(names: pd.Series) -> pd.Series:
    """Whether each payee name is a person's ("Mr J Smith", "Dr A Khan"): the rule by which a supplier is
    typed "individual or redacted", for front ends that must not show such names."""
    upper = names.fillna("").astype("str").str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True)
    return upper.str.match(_INDIVIDUAL.pattern).astype(bool)


def supplier_types(trace: pd.DataFrame, register: pd.DataFrame) -> pd.Series:
    """Each supplier's type, first rule that applies:

    1. "individual or redacted": redacted names, blank names, "Mr/Mrs/Ms/Miss/Dr ..." names;
    2. the register's type column, when it names one of the types (VCSE, public, SME, large);
    3. "public body": councils, NHS, government departments and agencies, police, fire (by name);
    4. "VCSE": the spend file's or register's VCSE flag, a charity number, or a charitable or community
       name (CIC, CIO, charity, trust, foundation, association, society, club, church, community ...);
    5. "SME" or "large" from the register's SME flag;
    6. "unknown".
    """
    reg = register.drop_duplicates("key").set_index("key")
    rk = trace["register_key"]
    upper = trace["supplier"].fillna("").astype("str").str.upper().str.replace(r"[^A-Z0-9]+", " ", regex=True)

    def from_register(column: str) -> pd.Series:
        if column not in reg or reg[column].isna().all():
            return pd.Series(None, index=trace.index, dtype="object")
        return rk.map(reg[column]).astype("object")

    reg_type = from_register("type").fillna("").astype("str").str.lower()
    yes = {"y", "yes", "true", "1", "vcse"}
    vcse_flag = trace["vcse"].fillna("").astype("str").str.lower().isin(yes) | from_register("vcse").fillna(
        ""
    ).astype("str").str.lower().isin(yes)
    charity = trace["charity_number"].notna() | from_register("charity_number").notna()
    sme = from_register("sme").fillna("").astype("str").str.lower()
    individual = trace["supplier_class"].isin(["redacted", "blank"]) | upper.str.match(_INDIVIDUAL.pattern)
    conditions = [
        individual.to_numpy(),
        reg_type.str.contains("vcse|voluntary|charit|social enterprise").to_numpy(),
        reg_type.str.contains("public|council|government|nhs").to_numpy(),
        reg_type.str.fullmatch("sme|small|medium|micro").to_numpy(),
        reg_type.str.fullmatch("large").to_numpy(),
        upper.str.contains(_PUBLIC.pattern).to_numpy(),
        (vcse_flag | charity | upper.str.contains(_VCSE.pattern)).to_numpy(),
        sme.isin(yes).to_numpy(),
        sme.isin({"n", "no", "false", "0"}).to_numpy(),
    ]
    choices = ["individual or redacted", "VCSE", "public body", "SME", "large", "public body", "VCSE"]
    choices += ["SME", "large"]
    return pd.Series(np.select(conditions, choices, default="unknown"), index=trace.index)


def _explain_unmatched(trace: pd.DataFrame) -> pd.DataFrame:
    """Say why a supplier was not matched when the register had a near name (ambiguous) or none."""
    ambiguous = trace["match"] == "ambiguous"
    trace.loc[ambiguous, "reason"] = (
        "register names too close to call ("
        + trace.loc[ambiguous, "candidates"].map(lambda c: " / ".join(c))
        + "): not matched, location unknown"
    )
    redacted = trace["supplier_class"] == "redacted"
    trace.loc[redacted, "reason"] = "redacted supplier name: location unknown"
    blank = trace["supplier_class"] == ["named", "redacted", "blank"][BLANK]
    trace.loc[blank, "reason"] = "no supplier name in the payments: location unknown"
    return trace
