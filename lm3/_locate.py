"""Where the money goes: suppliers matched to a register, placed, and reported by area, tier, type and
head office.

``locate`` takes a spend file (read by ``lm3.ingest``), a supplier register (the vendor master file a
council exports: name, postcode, and any of head office postcode, supplier id, company number, charity
number, VCSE flag, type, SME flag) and an area, and answers:

- how much of the spend can be placed at all (coverage, by value and by count), and which suppliers,
  largest first, could not;
- how much is spent in the area, and at each tier around it (concentric areas, each including the ones
  before it: neighbourhood, district, county, nation, UK);
- which local suppliers are branches of businesses whose head office is elsewhere (Locality's "scale
  fail": their surpluses leave the area), by supplier and by head-office place;
- the spend by supplier type: VCSE, public body, individual or redacted, SME, large, or unknown.

Matching a payment's supplier to the register goes, in order: supplier id (when both files have one),
company number, normalised name (``lm3._names.supplier_key``), then a fuzzy name (rapidfuzz) at or above
``match_threshold`` that is clearly better than the next candidate. Fuzzy matches are taken and listed for
a person to confirm; two candidates too close to call are never taken ("ambiguous"), and are listed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from lm3._ingest import BLANK, REDACTED_KEY, IngestResult, ingest
from lm3._inputs import company_numbers, read_register, read_registers
from lm3._method import locate_suppliers
from lm3._money import format_gbp, pence_to_decimal
from lm3._names import id_key
from lm3._places import (
    Area,
    PostcodeDirectory,
    Tier,
    default_directory,
    nation_of,
    region_of,
    resolve_area,
    resolve_tiers,
)
from lm3._read import Source, Table

DEFAULT_MATCH_THRESHOLD = 90.0
MATCH_MARGIN = 3.0  # a fuzzy match must beat the next register name by this much to be taken
UNPLACED_LISTED = 20
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


@dataclass(frozen=True)
class LocateResult:
    """Where a spend file's money goes. Amounts are integer pence.

    ``suppliers``: one row per supplier (payments' key) with its spend (``round1``), how it was matched
    (``match``, ``score``; ``supplier`` is the register's name when matched, ``payments_name`` the
    payments' most used spelling), where it is (``postcode``, ``lad``, ``lad_name``,
    ``location``: local / local branch / non-local / unknown, ``reason``), ``head_office_*``, ``type`` and,
    per tier, whether it lies in it. ``tiers``: name, amount, share (of placed spend), cumulative.
    ``review``: fuzzy and ambiguous matches for a person to confirm.
    """

    file: str
    area: Area
    suppliers: pd.DataFrame
    tiers: pd.DataFrame
    review: pd.DataFrame
    payments: IngestResult
    register: Table
    branch_is_local: bool = True
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total(self) -> int:
        return int(self.suppliers["round1"].sum())

    @property
    def placed(self) -> int:
        return int(self.suppliers.loc[self.suppliers["location"] != "unknown", "round1"].sum())

    @property
    def local(self) -> int:
        return int(self.suppliers.loc[self.suppliers["local"], "round1"].sum())

    @property
    def local_share(self) -> float | None:
        return self.local / self.placed if self.placed else None

    @property
    def coverage(self) -> float | None:
        return self.placed / self.total if self.total else None

    def _repr_html_(self) -> str:
        """In Jupyter: coverage and local share, the tiers and the spend by supplier type."""
        import html

        from lm3._money import format_gbp

        share = f"{self.local_share:.1%}" if self.local_share is not None else "none placed"
        coverage = f"{self.coverage:.1%}" if self.coverage is not None else "-"
        return (
            f"<div><p><b>{html.escape(self.file)}</b>, {html.escape(self.area.name)}: "
            f"{format_gbp(self.placed)} of {format_gbp(self.total)} placed ({coverage}); "
            f"local share of placed spend {share}</p>"
            f"{self.tiers.to_html(index=False)}{self.by_type().to_html(index=False)}</div>"
        )

    def coverage_table(self) -> pd.DataFrame:
        """Suppliers and spend placed and not placed: what, suppliers, share of suppliers, amount, share."""
        s = self.suppliers
        placed = s["location"] != "unknown"
        rows = []
        for label, mask in (("placed", placed), ("not placed", ~placed)):
            rows.append(
                {
                    "what": label,
                    "suppliers": int(mask.sum()),
                    "supplier_share": float(mask.mean()) if len(s) else 0.0,
                    "amount": int(s.loc[mask, "round1"].sum()),
                    "amount_share": int(s.loc[mask, "round1"].sum()) / self.total if self.total else 0.0,
                }
            )
        return pd.DataFrame(rows)

    def unplaced(self, n: int | None = UNPLACED_LISTED) -> pd.DataFrame:
        """Suppliers whose place is unknown, largest spend first: supplier, amount, payments, reason.
        Individuals are one line, "(individual)", with their number in the reason."""
        s = self.suppliers[self.suppliers["location"] == "unknown"]
        people = s["supplier"] == INDIVIDUAL
        if people.sum() > 1:
            one = s[people].iloc[[0]].copy()
            one["round1"] = int(s.loc[people, "round1"].sum())
            one["payments"] = int(s.loc[people, "payments"].sum())
            one["reason"] = f"{int(people.sum())} individuals paid by name: not placed from a name"
            s = pd.concat([s[~people], one])
        s = s.sort_values(["round1", "supplier"], ascending=[False, True], kind="stable")
        out = s[["supplier", "round1", "payments", "reason"]].rename(columns={"round1": "amount"})
        return (out if n is None else out.head(n)).reset_index(drop=True)

    def head_office_leakage(self) -> pd.DataFrame:
        """Local branches of businesses with a head office outside the area, largest spend first:
        supplier, head_office (postcode), head_office_lad, head_office_lad_name, head_office_region,
        head_office_nation, amount.
        """
        s = self.suppliers[self.suppliers["location"] == "local branch"]
        s = s.sort_values(["round1", "supplier"], ascending=[False, True], kind="stable")
        out = pd.DataFrame(
            {
                "supplier": s["supplier"],
                "head_office": s["head_office_postcode"],
                "head_office_lad": s["head_office_lad"],
                "head_office_lad_name": s["head_office_lad_name"],
                "head_office_region": region_of(s["head_office_lad"]).to_numpy(),
                "head_office_nation": nation_of(s["head_office_lad"]).to_numpy(),
                "amount": s["round1"],
            }
        )
        return out.reset_index(drop=True)

    def leakage_by_place(self, by: str = "lad") -> pd.DataFrame:
        """Head-office leakage by where the head offices are, largest first. ``by="lad"``:
        head_office_lad_name, region, suppliers, amount; ``by="region"``: region, suppliers, amount.
        Head offices whose postcode cannot be placed are one line, "(head office not placed)"."""
        if by not in ("lad", "region"):
            raise ValueError(f"by must be 'lad' or 'region', not {by!r}")
        leak = self.head_office_leakage().rename(columns={"head_office_region": "region"})
        unplaced = "(head office not placed)"
        leak["head_office_lad_name"] = leak["head_office_lad_name"].fillna(unplaced)
        leak["region"] = leak["region"].fillna(unplaced)
        key = "head_office_lad_name" if by == "lad" else "region"
        columns = [key, "region", "suppliers", "amount"] if by == "lad" else [key, "suppliers", "amount"]
        if leak.empty:
            return pd.DataFrame(columns=columns)
        sums = {"suppliers": ("supplier", "size"), "amount": ("amount", "sum")}
        if by == "lad":
            sums = {"region": ("region", "first")} | sums
        out = leak.groupby(key, sort=False).agg(**sums).reset_index()
        out = out.sort_values(["amount", key], ascending=[False, True], kind="stable").reset_index(drop=True)
        return out[columns]

    def by_type(self) -> pd.DataFrame:
        """Spend by supplier type: type, suppliers, amount, share (of all spend), local, local_share."""
        s = self.suppliers
        rows = []
        for t in TYPES:
            these = s["type"] == t
            amount = int(s.loc[these, "round1"].sum())
            local = int(s.loc[these & s["local"], "round1"].sum())
            placed = int(s.loc[these & (s["location"] != "unknown"), "round1"].sum())
            rows.append(
                {
                    "type": t,
                    "suppliers": int(these.sum()),
                    "amount": amount,
                    "share": amount / self.total if self.total else 0.0,
                    "local": local,
                    "local_share": local / placed if placed else None,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, object]:
        """The JSON contract of ``lm3 locate --json``: amounts as strings with two decimals."""

        def money(pence: int) -> str:
            return str(pence_to_decimal(int(pence)))

        def share(value: object) -> float | None:
            return None if value is None or value != value else float(value)  # NaN is not JSON

        return {
            "file": self.file,
            "area": self.area.name,
            "total": money(self.total),
            "placed": money(self.placed),
            "local": money(self.local),
            "local_share": share(self.local_share),
            "coverage": share(self.coverage),
            "suppliers": len(self.suppliers),
            "suppliers_placed": int((self.suppliers["location"] != "unknown").sum()),
            "unplaced": [
                {"supplier": r.supplier, "amount": money(r.amount), "reason": r.reason}
                for r in self.unplaced(None).itertuples(index=False)
            ],
            "tiers": [
                {"name": r.name, "amount": money(r.amount), "share": share(r.share)}
                for r in self.tiers.itertuples(index=False)
            ],
            "head_office_leakage": [
                {
                    "supplier": r.supplier,
                    "head_office": r.head_office,
                    "head_office_place": r.head_office_lad_name,
                    "head_office_region": r.head_office_region,
                    "amount": money(r.amount),
                }
                for r in self.head_office_leakage().itertuples(index=False)
            ],
            "types": [
                {
                    "type": r.type,
                    "suppliers": r.suppliers,
                    "amount": money(r.amount),
                    "share": share(r.share),
                    "local_share": share(r.local_share),
                }
                for r in self.by_type().itertuples(index=False)
            ],
            "review": [
                {
                    "supplier": r.supplier,
                    "match": r.match,
                    "candidates": list(r.candidates),
                    "score": round(float(r.score), 1),
                }
                for r in self.review.itertuples(index=False)
            ],
            "warnings": list(self.warnings),
        }


def locate(
    payments: Source | IngestResult,
    suppliers: Source | Table | Sequence[Source | Table] | None,
    *,
    area: str | Sequence[str] | Area,
    tiers: Sequence[str | tuple[str, object] | Tier] | Mapping[str, object] | None = None,
    branch_is_local: bool = True,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    directory: PostcodeDirectory | None = None,
) -> LocateResult:
    """Match, place and report a spend file's suppliers; see the module docstring.

    ``payments``: a spend file (anything ``lm3.ingest`` reads) or an ``IngestResult``; ``suppliers``: the
    register (any file ``read_register`` reads), or a list of registers (the council's, a filled-in
    ``lm3 suppliers template``, ``lm3 suppliers companies-house`` matches) read as one by
    ``read_registers``; None for no register (nothing is placed: the start of ``lm3 suppliers template``).
    ``area`` and ``tiers`` as for ``resolve_area`` and ``resolve_tiers``. Rejected payment rows are left out (``lm3 ingest`` lists them) and counted in a
    warning. Raises InputError, AreaError.
    """
    directory = directory or default_directory()
    area = resolve_area(area, directory)
    tier_list = resolve_tiers(tiers, area, directory)
    ingested = (
        payments if isinstance(payments, IngestResult) else ingest(payments, columns=columns, sheet=sheet)  # type: ignore[arg-type]
    )
    if suppliers is None:
        register = read_register(
            pd.DataFrame({"Supplier": pd.Series([], dtype="str"), "Postcode": pd.Series([], dtype="str")})
        )
        register = replace(register, label="(no register)")
        warnings_before = ["No supplier register given: no supplier can be placed."]
    else:
        register = read_registers(suppliers)
        warnings_before = []
    warnings = warnings_before + list(ingested.warnings) + list(register.warnings)
    if ingested.rows_rejected:
        warnings.append(
            f"{ingested.file}: {ingested.rows_rejected} payment row(s) rejected and left out "
            "(see `lm3 ingest` for the reasons)."
        )

    trace, matched = place_suppliers(
        ingested.data,
        register.data,
        area=area,
        branch_is_local=branch_is_local,
        match_threshold=match_threshold,
        directory=directory,
    )
    placed_sites = directory.place(trace["postcode"].fillna(""))
    for tier in tier_list:
        trace[f"in {tier.name}"] = tier.area.contains(placed_sites)

    tiers_table = _tiers(trace, tier_list)
    review = matched[matched["match"].isin(["fuzzy name", "ambiguous"])]
    review = review.sort_values("round1", ascending=False, kind="stable")[
        ["supplier", "match", "candidates", "score", "round1"]
    ].reset_index(drop=True)
    warnings += review_warnings(matched)
    unknown = trace[trace["location"] == "unknown"]
    if len(unknown):
        warnings.append(
            f"{len(unknown)} supplier(s) with {format_gbp(int(unknown['round1'].sum()))} of spend could not "
            "be placed: their location is unknown and they are not counted as local."
        )
    return LocateResult(
        file=ingested.file,
        area=area,
        suppliers=trace.reset_index(drop=True),
        tiers=tiers_table,
        review=review,
        payments=ingested,
        register=register,
        branch_is_local=branch_is_local,
        warnings=tuple(warnings),
    )


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


def review_warnings(matched: pd.DataFrame, listed: int = 10) -> list[str]:
    """What a person should check: suppliers matched by a similar name, and those too close to call."""
    review = matched[matched["match"].isin(["fuzzy name", "ambiguous"])]
    if review.empty:
        return []
    review = review.sort_values("round1", ascending=False, kind="stable")
    fuzzy = review[review["match"] == "fuzzy name"]
    ambiguous = review[review["match"] == "ambiguous"]
    out = []
    if len(fuzzy):
        pairs = "; ".join(f"{r.supplier} -> {r.candidates[0]}" for r in fuzzy.head(listed).itertuples())
        more = f" and {len(fuzzy) - listed} more" if len(fuzzy) > listed else ""
        out.append(
            f"{len(fuzzy)} supplier(s) matched to the register by a similar name: {pairs}{more}. Check them; "
            "a wrong one can be fixed by spelling the name as the register does."
        )
    if len(ambiguous):
        names = "; ".join(
            f"{r.supplier} ({' / '.join(r.candidates)})" for r in ambiguous.head(listed).itertuples()
        )
        out.append(
            f"{len(ambiguous)} supplier(s) not matched: two register names are too close to call: {names}."
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
    take(out["key"].where(out["key"].isin(keys)), "name", 100.0)

    left = np.flatnonzero(matchable & out["register_key"].isna().to_numpy())
    choices = sorted(k for k in keys if k)
    if len(left) and choices:
        names = out["key"].to_numpy()[left].tolist()
        scores = process.cdist(names, choices, scorer=fuzz.token_sort_ratio, workers=-1)
        digits = [re.sub(r"\D", "", c) for c in choices]
        display = register.drop_duplicates("key").set_index("key")["supplier"]
        for row, name, line in zip(left, names, scores, strict=True):
            line = np.where([d == re.sub(r"\D", "", name) for d in digits], line, 0)
            order = np.argsort(-line, kind="stable")
            best = float(line[order[0]])
            if best < threshold:
                continue
            second = float(line[order[1]]) if len(order) > 1 else 0.0
            close = [choices[i] for i in order[:3] if line[i] >= best - MATCH_MARGIN and line[i] >= threshold]
            out.at[out.index[row], "score"] = best
            out.at[out.index[row], "candidates"] = tuple(display[c] for c in close)
            if second > best - MATCH_MARGIN and second >= threshold:
                out.at[out.index[row], "match"] = "ambiguous"
            else:
                out.at[out.index[row], "register_key"] = choices[order[0]]
                out.at[out.index[row], "match"] = "fuzzy name"
    return out


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


def _tiers(trace: pd.DataFrame, tiers: Sequence[Tier]) -> pd.DataFrame:
    """Spend at each tier, each including the tiers before it (concentric); share of placed spend."""
    placed_total = int(trace.loc[trace["location"] != "unknown", "round1"].sum())
    inside = np.zeros(len(trace), dtype=bool)
    rows = []
    for tier in tiers:
        inside |= trace[f"in {tier.name}"].to_numpy(dtype=bool) & (trace["location"] != "unknown").to_numpy()
        amount = int(trace.loc[inside, "round1"].sum())
        rows.append(
            {
                "name": tier.name,
                "area": tier.area.name,
                "amount": amount,
                "share": amount / placed_total if placed_total else None,
            }
        )
    return pd.DataFrame(rows, columns=["name", "area", "amount", "share"])
