"""Identifiers beside the supplier, found by their content and header: postcodes (or addresses holding
one), company and charity numbers, URNs, ODS codes, VAT numbers, org-ids.
"""

from __future__ import annotations

import pandas as pd

from lm3.read.columns import Choice
from lm3.read.profiles import Profile
from lm3.read.words import HEAD_OFFICE
from lm3.values import ids

# -- identifiers beside the supplier: postcodes, addresses, company and charity numbers, URNs, ODS codes ----

# header words that say a column identifies the supplier in one register or another (evidence, not proof:
# the content decides), and words that say a postcode column is not the supplier's own site
ID_WORDS: dict[str, frozenset[str]] = {
    "postcode": frozenset({"postcode", "post", "postal", "zip", "pc"}),
    "company_number": frozenset(
        {"company", "comp", "companies", "crn", "coh", "incorporation", "incorporated"}
    ),
    "charity_number": frozenset({"charity", "charities", "charitable", "rcn", "ccew", "oscr", "ccni"}),
    "urn": frozenset({"urn", "dfe", "establishment", "school", "edubase", "gias"}),
    "ods_code": frozenset({"ods", "nacs"}),
}


IDENTIFIER_FIELDS = (
    "postcode",
    "head_office_postcode",
    "org_id",
    "company_number",
    "charity_number",
    "urn",
    "ods_code",
)


def _says(words: tuple[str, ...], field: str) -> bool:
    """Whether a header's words name ``field`` ("Comp. reg. no" says company: a word that starts one of the
    field's words, four letters or more, counts)."""
    wanted = ID_WORDS.get(field, frozenset())
    return any(w in wanted or (len(w) >= 4 and any(x.startswith(w) for x in wanted)) for w in words)


def identifier_choices(
    profiles: list[Profile], sample: pd.DataFrame, taken: set[int], wanted: tuple[str, ...]
) -> dict[str, Choice]:
    """Columns that identify the supplier, found by their content with their header's words as evidence,
    among the columns not ``taken``; only the fields in ``wanted``. A column is one field at most, each
    field one column (the one whose content fits best):

    - a postcode: most values a full UK postcode (content alone); an address with a postcode in it; an
      outward code or sector ("BD7", "SW1A", "BD7 1") when the header says post code too. A header saying
      head office, registered or billing makes it the head office's (``head_office_postcode``);
    - an org-id ("GB-COH-01234567", "GB-CHC-1123456"): content alone;
    - a company number: most values shaped as one, and the header says company ("Comp. reg. no", "CRN"), or
      some values carry a register's prefix (SC, NI, OC...);
    - a charity number, a URN, an ODS code: most values shaped as one, and the header says which.

    Values that are no identifier ("N/A", "0", "-", "TBC") count for nothing either way."""
    found: dict[str, tuple[float, Choice]] = {}
    for p in profiles:
        if p.index in taken or p.filled == 0 or p.constant or (p.money >= 0.9 and p.pence >= 0.05):
            continue
        values = sample[p.index] if p.index in sample.columns else pd.Series([], dtype="object")
        values = values[values.notna()]
        offered = _offer(p, values) if not values.empty else None
        if offered is None or offered[0] not in wanted:
            continue
        field, share, reasons = offered
        choice = Choice(
            field, p.index, p.header, round(share, 2), tuple(reasons), "high" if share >= 0.8 else "medium"
        )
        if field not in found or share > found[field][0]:
            found[field] = (share, choice)
    return {field: choice for field, (_, choice) in found.items()}


Offer = tuple[str, float, list[str]]  # the field a column may be, how well it fits (0-1), and why


def _offer(p: Profile, values: pd.Series) -> Offer | None:
    """What one column may identify, by its content first: a postcode (or the head office's), an org-id,
    a company or charity number, a URN or an ODS code."""
    heard = [
        f for f in ("postcode", "company_number", "charity_number", "urn", "ods_code") if _says(p.words, f)
    ]
    said = [f"header says {'/'.join(heard).replace('_', ' ')}"] if heard else []
    site = "head_office_postcode" if set(p.words) & HEAD_OFFICE - {"invoice"} else "postcode"
    if p.whole_postcodes >= 0.5:
        return site, p.whole_postcodes, [f"{p.whole_postcodes:.0%} postcodes", *said]
    if p.postcodes >= 0.5 and p.words_per_value >= 2:
        return site, p.postcodes * 0.9, [f"{p.postcodes:.0%} addresses with a postcode", *said]
    org = ids.id_shape_share(values, "org_id")
    if org >= 0.5:
        return "org_id", org, [f"{org:.0%} org-ids (GB-COH-..., GB-CHC-...)"]
    if "postcode" in heard:
        outward = ids.outward_share(values)
        if outward >= 0.8:
            return site, outward * 0.6, [f"{outward:.0%} postcode districts or sectors", *said]
    return _number_offer(values, heard, said)


def _number_offer(values: pd.Series, heard: list[str], said: list[str]) -> Offer | None:
    """A company or charity number, a URN or an ODS code: shaped as one, and the header says which (a
    company number may instead carry a register's prefix on some values)."""
    for kind in ("company_number", "charity_number", "urn", "ods_code"):
        share = ids.id_shape_share(values, kind)
        if share < (0.5 if kind in ("company_number", "charity_number") else 0.8):
            continue
        if kind in heard:
            return kind, share, [f"{share:.0%} {kind.replace('_', ' ')}s", *said]
        if kind == "company_number" and not heard:
            text = values.astype("str").str.upper().str.replace(r"\s", "", regex=True)
            prefixed = float(
                text.str.fullmatch(r"(?:SC|NI|OC|SO|NC|IP|SP|FC|LP|SL|CE|CS|RS|SE|GE)\d{6}").mean()
            )
            if prefixed >= 0.02:
                return (
                    kind,
                    share * 0.9,
                    [f"{share:.0%} company numbers, {prefixed:.0%} with a register's prefix"],
                )
    return None
