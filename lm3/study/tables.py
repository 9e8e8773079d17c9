"""A result's tables for people, shared by the report page, the workbook and Jupyter: the rounds, the
suppliers, the staff, survey coverage (money in pence, under the column names people read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lm3.values.html import escape, html_table
from lm3.values.money import format_gbp

if TYPE_CHECKING:
    from lm3.study.result import LM3Result


def rounds_table(result: LM3Result) -> pd.DataFrame:
    """Round, What, £ (pence), Per £1 (of round 1), and what leaks out of the area at that round (pence):
    round 1 money that is neither local nor not placed at round 2, round 2 money not re-spent locally at
    round 3. Money not placed is its own row, and never leaks."""
    table = result.summary().rename(
        columns={"round": "Round", "what": "What", "amount": "£", "per_pound": "Per £1"}
    )
    leaks = {"Round 2": result.leakage["round2"], "Round 3": result.leakage["round3"]}
    table[LEAKS] = [leaks.get(r, 0) for r in table["Round"]]
    return table


LEAKS = "Leaks out of the area"


def supplier_table(result: LM3Result) -> pd.DataFrame:
    """One row per supplier: where it is, its rounds, its share and where that came from, and why."""
    s = result.suppliers
    return pd.DataFrame(
        {
            "Supplier": s["supplier"],
            "Where": s["lad_name"].fillna(""),
            "Head office": s["head_office_lad_name"].fillna(""),
            "Location": s["location"].replace({"unknown": "not placed"}),
            "Placed by": s["source"].fillna("") if "source" in s else "",
            "How": s["match"].replace({"none": ""}).fillna("") if "match" in s else "",
            "Type": s["type"].fillna(""),
            "Round 1": s["round1"],
            "Round 2": s["round2"],
            "Share re-spent locally": s["share"],
            "Share from": s["share_source"],
            "Round 3": s["round3"],
            "Why": s["reason"],
        }
    )


def staff_table(result: LM3Result) -> pd.DataFrame:
    """Staff by home (in the area, outside, unknown): employees, rounds, respondents, share."""
    s = result.staff
    return pd.DataFrame(
        {
            "Home": s["home"],
            "Employees": s["employees"],
            "Round 1 (gross pay)": s["round1"],
            "Round 2": s["round2"],
            "Respondents": s["respondents"],
            "Share re-spent locally": s["share"],
            "Round 3": s["round3"],
        }
    )


def responses_table(result: LM3Result) -> pd.DataFrame:
    """Survey coverage per group, for people: respondents, members, rates, how non-respondents were filled."""
    return pd.DataFrame(
        [
            {
                "Group": r.group,
                "Respondents": r.respondents,
                "Members": r.members,
                "Response rate": r.rate,
                "Round 2 covered": r.round2_rate,
                "Non-respondents take": ("the simple mean" if r.imputation == "mean" else "the weighted mean")
                if r.default is None
                else f"the default {r.default.text}",
            }
            for r in result.responses
        ]
    )


MONEY_COLUMNS = {
    "Round 1",
    "Round 2",
    "Round 3",
    "Leaving the area",
    "Round 1 (gross pay)",
    "£",
    "Moved",
    "Kept locally",
}
SHARE_COLUMNS = {"Share re-spent locally", "Response rate", "Round 2 covered", "Per £1"}


def leakage_table(result: LM3Result) -> pd.DataFrame:
    """£ lost to the area per supplier (pence, ``lost``) and where it goes (``place``): all of it for
    suppliers placed outside the area; for local branches of a head office elsewhere, what they do not
    re-spend locally (round 2 - round 3), which goes to the head office's place. Spend not placed (location
    unknown) is never leakage and is not here. Largest first."""
    s = result.suppliers
    branch = s["local"] & s["head_office_lad_name"].notna() & (s["location"] == "local branch")
    away = ~s["local"] & (s["location"] != "unknown") & (s["round1"] > 0)
    lost = s[away | branch].copy()
    lost["lost"] = np.where(lost["local"], lost["leakage_round3"], lost["round1"]).astype("int64")
    lost["place"] = lost["head_office_lad_name"].where(lost["head_office_lad_name"].notna(), lost["lad_name"])
    lost["place"] = lost["place"].fillna("(no district)")
    lost = lost[lost["lost"] > 0]
    columns = ["supplier", "location", "lad_name", "head_office_lad_name", "place", "round1", "lost"]
    return lost.sort_values("lost", ascending=False, kind="stable")[columns].reset_index(drop=True)


TOP_GROUPS = 12  # rows of a share table (and bars of its chart); the rest are one row, "other"


def share_table(result: LM3Result, *, by: str = "type", top: int = TOP_GROUPS) -> pd.DataFrame:
    """Supplier spend by supplier ``by="type"`` or expense ``by="category"`` (pence): ``placed``, ``local``,
    ``not_placed``, and ``share`` = local / placed (None where nothing was placed); the ``top`` groups by
    spend, the rest summed as one "other" row. Largest spend first."""
    if by not in ("type", "category"):
        raise ValueError("by must be 'type' or 'category'")
    if by == "type":
        s = result.suppliers
        rows = pd.DataFrame(
            {
                "group": s["type"].fillna("unknown").to_numpy(),
                "round1": s["round1"].to_numpy(),
                "location": s["location"].to_numpy(),
                "local": s["local"].to_numpy(),
            }
        )
    else:
        detail = result.detail
        if detail is None:
            raise ValueError("This result has no spend by category: compute it with lm3.calculate.")
        where = detail.trace.drop_duplicates("key").set_index("key")
        c = detail.categories
        rows = pd.DataFrame(
            {
                "group": c["category"].fillna("(no category)").to_numpy(),
                "round1": c["round1"].to_numpy(),
                "location": c["key"].map(where["location"]).fillna("unknown").to_numpy(),
                "local": c["key"].map(where["local"]).fillna(False).astype(bool).to_numpy(),
            }
        )
    placed = rows["location"] != "unknown"
    table = (
        rows.assign(
            placed=rows["round1"].where(placed, 0),
            local=rows["round1"].where(rows["local"], 0),
            not_placed=rows["round1"].where(~placed, 0),
        )
        .groupby("group")[["round1", "placed", "local", "not_placed"]]
        .sum()
    )
    table = table[table["round1"] > 0].sort_values("round1", ascending=False, kind="stable")
    if len(table) > top:
        rest = table.iloc[top - 1 :]
        other = rest.sum().to_frame(f"other ({len(rest)} {'types' if by == 'type' else 'categories'})").T
        table = pd.concat([table.iloc[: top - 1], other])
    table["share"] = [
        local / placed if placed > 0 else None
        for local, placed in zip(table["local"], table["placed"], strict=True)
    ]
    return table.rename_axis(by).reset_index()


PERSON = "individual or redacted"  # a supplier type never named in what people see


def leakage_for_people(result: LM3Result) -> pd.DataFrame:
    """£ leaving the area per supplier, largest first, as every output shows it (report.html, the workbook,
    the web page): ``leakage_table``'s rows, never a person or a redacted payee by name."""
    lost = leakage_table(result)
    people = result.suppliers.loc[result.suppliers["type"] == PERSON, "supplier"]
    return lost[~lost["supplier"].isin(people)].reset_index(drop=True)


def suppliers_to_place(result: LM3Result) -> pd.DataFrame:
    """The suppliers not placed, largest first, as every output lists them to be placed: never a person or
    a redacted payee (supplier, round1 in pence, reason)."""
    s = result.suppliers
    to_place = s[(s["location"] == "unknown") & (s["type"] != PERSON)]
    return to_place.sort_values("round1", ascending=False, kind="stable")[
        ["supplier", "round1", "reason"]
    ].reset_index(drop=True)


def leak_text(leaks: pd.Series) -> list[str]:
    """The leaks column for people: £ text, blank for nothing."""
    return [format_gbp(int(v)) if v else "" for v in leaks]


def repr_html(result: LM3Result) -> str:
    """A result in a notebook: headline, rounds, survey coverage, the largest suppliers and the assumptions
    (every text escaped)."""
    rounds = rounds_table(result)
    rounds[LEAKS] = leak_text(rounds[LEAKS])
    assumptions = pd.DataFrame(
        [(a.name, a.value, a.source) for a in result.assumptions], columns=["Assumption", "Value", "Source"]
    )
    return (
        f"<div><p><b>{escape(result.headline)}</b></p>{_table(rounds)}"
        f"<p>LM3 = <b>{result.lm3:.2f}</b></p>{_table(responses_table(result))}"
        f"<details><summary>Largest suppliers (10 of {len(result.suppliers)})</summary>"
        f"{_table(supplier_table(result).head(10))}</details>"
        f"<details><summary>Assumptions ({len(assumptions)})</summary>{_table(assumptions)}</details></div>"
    )


def _table(frame: pd.DataFrame) -> str:
    return html_table(frame, money=MONEY_COLUMNS, shares=SHARE_COLUMNS)
