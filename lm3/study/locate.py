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
company number, normalised name (``lm3.values.names.supplier_key``), then a fuzzy name (rapidfuzz) at or above
``match_threshold`` that is clearly better than the next candidate. Fuzzy matches are taken and listed for
a person to confirm; two candidates too close to call are never taken ("ambiguous"), and are listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pandas as pd

from lm3.errors import Notice
from lm3.geo import (
    Area,
    PostcodeDirectory,
    Tier,
    area_notes,
    default_directory,
    nation_of,
    region_of,
    resolve_area,
    resolve_tiers,
)
from lm3.inputs.ingest import IngestResult, Sources, ingest
from lm3.inputs.readers import no_register, read_registers
from lm3.inputs.store import RegisterStore, open_store
from lm3.place.matching import (
    DEFAULT_MATCH_THRESHOLD,
    INDIVIDUAL,
    TYPES,
)
from lm3.place.sources import by_source, not_placed_by_reason, reason_records, source_records
from lm3.read.cells import Source
from lm3.read.table import Table
from lm3.study.options import StudyOptions
from lm3.study.placing import place
from lm3.study.rule import SHARE_KIND, Rule, area_codes, location_rule
from lm3.study.scope import Excluded, study_scope
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.html import escape, html_table
from lm3.values.jsontext import jsonable
from lm3.values.money import format_gbp, pence_to_decimal

UNPLACED_LISTED = 20


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
    excluded: tuple[Excluded, ...] = ()
    rule: Rule | None = None  # what "local" meant and what was counted (no rounds: no pay basis, no round 3)

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

    @property
    def share_kind(self) -> str:
        """What the local share is a share of: the rule's ("of placed payments"...)."""
        return self.rule.share_kind if self.rule is not None else SHARE_KIND

    def _repr_html_(self) -> str:
        """In Jupyter: coverage and local share, the tiers and the spend by supplier type."""
        share = f"{self.local_share:.1%}" if self.local_share is not None else "none placed"
        coverage = f"{self.coverage:.1%}" if self.coverage is not None else "-"
        return (
            f"<div><p><b>{escape(self.file)}</b>, {escape(self.area.name)}: "
            f"{format_gbp(self.placed)} of {format_gbp(self.total)} placed ({coverage}); "
            f"local share {share} {escape(self.share_kind)}</p>"
            f"{html_table(self.tiers, money={'amount'}, shares={'share'})}{html_table(self.by_type(), money={'amount'}, shares={'share', 'local_share'})}</div>"
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

    def by_source(self) -> pd.DataFrame:
        """Suppliers and spend placed by each source, and the spend not placed (``lm3.place.cascade.by_source``)."""
        return by_source(self.suppliers)

    def not_placed_by_reason(self) -> pd.DataFrame:
        """The spend not placed, by why (``lm3.place.cascade.not_placed_by_reason``)."""
        return not_placed_by_reason(self.suppliers)

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

    def to_dict(self) -> dict[str, Any]:
        """Where the money goes as plain data, money as exact Decimal pounds (``lm3.to_json`` writes it: docs/json.md)."""

        def money(pence: int) -> Decimal:
            return pence_to_decimal(int(pence))

        def share(value: float | None) -> float | None:
            return None if value is None or value != value else float(value)  # NaN is not JSON

        return cast(
            "dict[str, Any]",
            jsonable(
                {
                    "file": self.file,
                    "rule": self.rule.to_dict() if self.rule is not None else None,
                    "area": self.area.name,
                    "total": money(self.total),
                    "placed": money(self.placed),
                    "local": money(self.local),
                    "local_share": share(self.local_share),
                    "local_share_kind": self.share_kind,
                    "coverage": share(self.coverage),
                    "suppliers": len(self.suppliers),
                    "suppliers_placed": int((self.suppliers["location"] != "unknown").sum()),
                    "excluded": [
                        {"rule": e.rule, "rows": e.rows, "suppliers": e.suppliers, "amount": money(e.amount)}
                        for e in self.excluded
                    ],
                    "unplaced": [
                        {"supplier": r.supplier, "amount": money(r.amount), "reason": r.reason}
                        for r in row_tuples(self.unplaced(None))
                    ],
                    "placed_by_source": source_records(self.by_source()),
                    "not_placed_by_reason": reason_records(self.not_placed_by_reason()),
                    "tiers": [
                        {"name": r.name, "amount": money(r.amount), "share": share(r.share)}
                        for r in row_tuples(self.tiers)
                    ],
                    "head_office_leakage": [
                        {
                            "supplier": r.supplier,
                            "head_office": r.head_office,
                            "head_office_place": r.head_office_lad_name,
                            "head_office_region": r.head_office_region,
                            "amount": money(r.amount),
                        }
                        for r in row_tuples(self.head_office_leakage())
                    ],
                    "types": [
                        {
                            "type": r.type,
                            "suppliers": r.suppliers,
                            "amount": money(r.amount),
                            "share": share(r.share),
                            "local_share": share(r.local_share),
                        }
                        for r in row_tuples(self.by_type())
                    ],
                    "review": [
                        {
                            "supplier": r.supplier,
                            "match": r.match,
                            "candidates": list(r.candidates),
                            "score": round(float(r.score), 1),
                        }
                        for r in row_tuples(self.review)
                    ],
                    "warnings": list(self.warnings),
                }
            ),
        )


def locate(
    payments: Sources | IngestResult,
    suppliers: Source | Table | Sequence[Source | Table] | None,
    *,
    area: str | Sequence[str] | Area,
    tiers: Sequence[str | tuple[str, str | Sequence[str] | Area] | Tier]
    | Mapping[str, str | Sequence[str] | Area]
    | None = None,
    branch_is_local: bool = True,
    match_threshold: float = DEFAULT_MATCH_THRESHOLD,
    columns: Mapping[str, str] | None = None,
    sheet: str | None = None,
    register_columns: Mapping[str, str] | None = None,
    scope: str = "all",
    top: int | None = None,
    exclude: str | Sequence[str] | None = None,
    registers: str | Path | RegisterStore | None = None,
    directory: PostcodeDirectory | None = None,
) -> LocateResult:
    """Match, place and report a spend file's suppliers; see the module docstring.

    ``payments``: a spend file (anything ``lm3.ingest`` reads) or an ``IngestResult``; ``suppliers``: the
    register (any file ``read_register`` reads), or a list of registers (the council's, a filled-in
    ``lm3 suppliers template``, ``lm3 suppliers companies-house`` matches) read as one by
    ``read_registers``; None for no register: suppliers are then placed by the spend file's own postcodes
    and identifiers, the register store and the public bodies lm3 ships (``lm3.place.cascade``).
    ``registers``: the register store (a folder, a ``RegisterStore``; None: the user's own, ``lm3.registers``).
    ``columns`` and ``sheet`` apply to the payments, ``register_columns`` to every register (the register's
    columns where detection is wrong: ``{"postcode": "Site Postcode"}``). ``scope``, ``top`` and ``exclude``: spend
    left out, as for ``lm3.calculate`` (``result.excluded`` says what). ``area`` and ``tiers`` as for ``resolve_area`` and ``resolve_tiers``. Rejected payment rows are left out (``lm3 ingest`` lists them) and counted in a
    warning. Raises InputError, AreaError.
    """
    StudyOptions.check({k: v for k, v in locals().items() if k != "payments"})
    params.area("area", area)
    params.source(several=True, optional=False)("payments", payments)
    directory = directory or default_directory()
    area = resolve_area(area, directory)
    tier_list = resolve_tiers(tiers, area, directory)
    ingested = (
        payments if isinstance(payments, IngestResult) else ingest(payments, columns=columns, sheet=sheet)
    )
    register = no_register() if suppliers is None else read_registers(suppliers, columns=register_columns)
    store = open_store(registers)
    warnings = [*area_notes(area, tier_list), *ingested.warnings, *register.warnings]
    if ingested.rows_rejected:
        warnings.append(
            Notice(
                "payment-rows-rejected",
                f"{ingested.file}: {ingested.rows_rejected} payment row(s) rejected and left out "
                "(see `lm3 ingest` for the reasons).",
                file=ingested.file,
                rows=ingested.rejected["row"],
            )
        )

    counted = study_scope(scope, exclude, top)
    placed = place(
        ingested.data,
        ingested.file,
        register,
        counted.rules,
        top=counted.top,
        area=area,
        tiers=tier_list,
        branch_is_local=branch_is_local,
        match_threshold=match_threshold,
        directory=directory,
        store=store,
    )
    trace, matched = placed.trace, placed.matched
    warnings += placed.warnings
    review = matched[matched["match"].isin(["fuzzy name", "ambiguous"])]
    review = review.sort_values("round1", ascending=False, kind="stable")[
        ["supplier", "match", "candidates", "score", "round1"]
    ].reset_index(drop=True)
    unknown = trace[trace["location"] == "unknown"]
    if len(unknown):
        warnings.append(
            Notice(
                "suppliers-not-placed",
                f"{len(unknown)} supplier(s) with {format_gbp(int(unknown['round1'].sum()))} of spend could not "
                "be placed: their location is unknown and they are not counted as local.",
                file=ingested.file,
                amount=int(unknown["round1"].sum()),
            )
        )
    return LocateResult(
        file=ingested.file,
        area=area,
        suppliers=trace.reset_index(drop=True),
        tiers=placed.tiers,
        review=review,
        payments=ingested,
        register=register,
        branch_is_local=branch_is_local,
        warnings=tuple(warnings),
        excluded=tuple(placed.excluded),
        rule=Rule(
            area=area.name,
            area_codes=area_codes(area),
            tiers=tuple(t.name for t in tier_list),
            location=location_rule(branch_is_local),
            scope=counted.texts,
            base=counted.base,
            share_kind=counted.share_kind,
            pay_basis="",
            round3=(),
        ),
    )


def suppliers_to_look_up(result: LocateResult, *, unplaced_only: bool = False) -> pd.DataFrame:
    """The suppliers of a ``locate`` result worth looking up: every named one (individuals and redacted
    payees never), or only those not placed. Columns: supplier (as the payments name it), key,
    company_number (the payments', else the register's)."""
    params.instance("result", result, LocateResult, "a LocateResult (from lm3.locate)")
    s = result.suppliers
    keep = s["type"] != "individual or redacted"
    if unplaced_only:
        keep &= s["location"] == "unknown"
    s = s[keep]
    register = result.register.data.dropna(subset=["company_number"]).drop_duplicates("key")
    from_register = s["register_key"].map(register.set_index("key")["company_number"])
    return pd.DataFrame(
        {
            "supplier": s["payments_name"],
            "key": s["key"],
            "company_number": s["company_number"]
            .astype("object")
            .where(s["company_number"].notna(), from_register.astype("object")),
        }
    ).reset_index(drop=True)


def local_suppliers(located: LocateResult) -> list[str]:
    """The local suppliers of a ``lm3.locate`` result, by round-2 spend, largest first (individuals and
    redacted payees left out): the suppliers a supplier survey goes to."""
    params.instance("located", located, LocateResult, "a LocateResult (from lm3.locate)")
    s = located.suppliers
    s = s[s["local"] & (s["type"] != "individual or redacted")]
    s = s.sort_values(["round1", "supplier"], ascending=[False, True], kind="stable")
    return list(dict.fromkeys(s["supplier"].astype("str")))
