"""Placing suppliers and staff: each supplier's register postcodes and each employee's home postcode, placed
with the ONS Postcode Directory, decide whether their round-1 money is round-2 (local) money.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from lm3.errors import Notice
from lm3.geo import Area, PostcodeDirectory, lad_names, postcode_keys
from lm3.values.frames import first_at, row_tuples

SUPPLIER_LOCATIONS = ("local", "local branch", "non-local", "unknown")


def locate_suppliers(
    spend: pd.DataFrame,
    register: pd.DataFrame,
    *,
    area: Area,
    branch_is_local: bool,
    directory: PostcodeDirectory,
) -> pd.DataFrame:
    """Place each supplier and decide whether its round-1 money is round-2 (local) money.

    - "local": a register postcode in the area, and no site or head office outside it;
    - "local branch": a site in the area, and a head office postcode (or another site) outside it: local
      when ``branch_is_local`` (CLES counts a supplier "based in, or with a branch in" the area);
    - "non-local": placed, with no site in the area;
    - "unknown": not in the register, or no postcode of it can be placed (never assumed local).

    A register may list a supplier several times with different postcodes (one per contract or site); the
    row shown is the first site in the area, else the first placed. Suppliers found in the register are
    named as the register names them. Adds ``register_row``, ``sites``, ``postcode``, ``lad``,
    ``lad_name``, ``head_office_postcode``, ``head_office_lad_name``, ``location``, ``local``, ``reason``
    and ``round2``.
    """
    columns = ["key", "supplier", "row", "postcode", "head_office_postcode"]
    columns += [c for c in ("lad", "source", "register_row") if c in register]
    reg = register[columns].reset_index(drop=True)
    here = _served(directory.place(reg["postcode"]), reg)
    office = directory.place(reg["head_office_postcode"])
    reg["status"] = here["status"]
    reg["placed_by"] = here["placed_by"]
    reg["postcode"] = here["postcode"]
    reg["lad"] = here["lad"]
    reg["lad_name"] = here["lad_name"]
    reg["head_office_postcode"] = office["postcode"].where(office["status"] != "missing", None)
    reg["head_office_lad_name"] = office["lad_name"]
    in_area_row = area.contains(here)
    placed_row = (here["status"] == "placed").to_numpy()
    site_outside = placed_row & ~in_area_row
    office_outside_row = (office["status"] == "placed").to_numpy() & ~area.contains(office)
    site = reg["postcode"].notna().to_numpy() | (reg["lad"].notna().to_numpy() if "lad" in reg else False)

    # each supplier is its position in ``spend`` (one row per key); a register row, the position of its key
    n = len(spend)
    at = pd.Index(spend["key"].astype("str")).get_indexer(pd.Index(reg["key"].astype("str")))
    ours = at >= 0  # a row of a supplier not paid counts for nothing
    row = reg["row"].to_numpy(dtype=np.int64)

    def anywhere(mask: np.ndarray) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[at[ours & mask]] = True
        return out

    # the row shown: the first in the area, else the first placed, else the first
    order = np.lexsort((row, ~placed_row, ~in_area_row))
    first = first_at(at, order[ours[order]], n)
    # the head office may be on another row than the site shown (registers combined: the council's gives the
    # site, Companies House the registered office): taken from the row that gives one, outside first
    given = reg["head_office_postcode"].notna().to_numpy()
    order = np.lexsort((row, ~office_outside_row))
    office_at = first_at(at, order[(ours & given)[order]], n)

    def shown(column: str, rows: np.ndarray = first) -> pd.Series:
        """A register column at each supplier's row (missing where it has none), taken as it is held."""
        if not len(reg):
            return pd.Series(None, index=spend.index, dtype="object")
        taken = reg[column].take(np.maximum(rows, 0)).set_axis(spend.index)
        return taken.where(pd.Series(rows >= 0, index=spend.index))

    registered = pd.Series(first >= 0, index=spend.index)  # a register (or the spend file) gives it a row
    trace = spend.copy()
    for column in ("postcode", "lad", "lad_name", "status", "placed_by"):
        trace[column] = shown(column)
    trace["register_row"] = shown("register_row" if "register_row" in reg else "row")
    trace["place_source"] = shown("source") if "source" in reg else None
    trace["head_office_postcode"] = shown("head_office_postcode", office_at)
    trace["head_office_lad_name"] = shown("head_office_lad_name", office_at)
    trace["sites"] = np.bincount(at[ours & site], minlength=n)
    trace["supplier"] = shown("supplier").where(registered, trace["supplier"])
    placed = registered & pd.Series(_flag_at(placed_row, first), index=spend.index)
    in_area = pd.Series(_flag_at(in_area_row, first), index=spend.index)
    other_site = pd.Series(anywhere(site_outside), index=spend.index)
    office_outside = pd.Series(anywhere(office_outside_row), index=spend.index)
    location = np.select(
        [~placed, in_area & (office_outside | other_site), in_area],
        ["unknown", "local branch", "local"],
        default="non-local",
    )
    local = (location == "local") | ((location == "local branch") & branch_is_local)

    sites = trace["sites"].fillna(1).astype("int64")
    reason = _reasons(trace, registered.to_numpy(), location, office_outside, other_site, branch_is_local)
    trace["sites"] = sites.where(registered, 0)
    trace["location"] = location
    trace["local"] = local
    trace["reason"] = pd.Series(reason, index=trace.index, dtype="object")
    trace["round2"] = trace["round1"].where(local, 0).astype("int64")
    trace["register_row"] = trace["register_row"].astype("Int64")
    keep = ["register_row", "sites", "postcode", "lad", "lad_name", "head_office_postcode"]
    keep += ["head_office_lad_name", "location", "local", "reason", "round2", "placed_by"]
    return trace[[*spend.columns, *keep]]


def _reasons(
    trace: pd.DataFrame,
    registered: np.ndarray,
    location: np.ndarray,
    office_outside: pd.Series,
    other_site: pd.Series,
    branch_is_local: bool,
) -> np.ndarray:
    """Each supplier's reason, in words: the first case that applies, each case's text made only for its
    rows (most suppliers are placed, or in no register)."""
    n = len(trace)
    reason = np.full(n, None, dtype=object)
    todo = np.ones(n, dtype=bool)
    status = trace["status"].to_numpy(dtype=object)
    served = trace["placed_by"].eq("area served").to_numpy()

    def text(column: str, rows: np.ndarray) -> pd.Series:
        held = trace[column][rows]  # text in Arrow: joined there, not in Python
        return (held if isinstance(held.dtype, pd.StringDtype) else held.astype("str")).fillna("")

    def row_text(rows: np.ndarray) -> pd.Series:
        """Where the row shown came from: your register's row, the spend file, a register of the store's."""
        number = trace["register_row"][rows].astype("Int64").astype("str")
        source = text("place_source", rows) if "place_source" in trace else pd.Series("", index=number.index)
        yours = (source == "") | source.str.startswith("your register")
        out = (" (register row " + number + ")").where(yours, " (" + source + ", row " + number + ")")
        return out.where(trace["register_row"][rows].notna(), " (in the spend file)").astype("str")

    def place_text(rows: np.ndarray) -> pd.Series:
        pc = "postcode " + text("postcode", rows) + " is in " + text("lad_name", rows)
        return pc.where(~served[rows], "serves " + text("lad_name", rows))

    def put(case: np.ndarray, make: Callable[[np.ndarray], pd.Series | str]) -> None:
        rows = case & todo
        if rows.any():
            made = make(rows)
            reason[rows] = made if isinstance(made, str) else made.to_numpy(dtype=object)
            todo[rows] = False

    def no_postcode(rows: np.ndarray) -> pd.Series:
        source = (
            text("place_source", rows) if "place_source" in trace else pd.Series("", index=trace.index[rows])
        )
        yours = (source == "") | source.str.startswith("your register")
        in_what = pd.Series("the supplier register", index=source.index).where(yours, source)
        in_what = in_what.where(trace["register_row"][rows].notna(), "the spend file")
        return "no postcode in " + in_what + row_text(rows).where(yours, "") + ": location unknown"

    def elsewhere(rows: np.ndarray) -> pd.Series:
        office = "; head office " + text("head_office_postcode", rows) + " is in "
        office = (office + text("head_office_lad_name", rows)).where(office_outside[rows], "")
        sites = trace["sites"][rows].fillna(1).astype("int64").astype("str")
        others = ("; other sites in the register lie outside the area (" + sites + " rows)").where(
            other_site[rows], ""
        )
        others = others.where(
            ~(other_site[rows] & served[rows]), "; other districts it serves lie outside the area"
        )
        verdict = (
            ": a local branch, counted as local"
            if branch_is_local
            else ": a local branch, not counted as local (branch_is_local is off)"
        )
        return place_text(rows) + office + others + verdict

    def postcode(rows: np.ndarray) -> pd.Series:
        return "postcode " + text("postcode", rows)

    put((trace["key"] == "").to_numpy(), lambda rows: "no supplier name in the payments: location unknown")
    put(~registered, lambda rows: "not in the supplier register: location unknown")
    put(status == "missing", no_postcode)
    put(
        status == "invalid",
        lambda rows: (
            "'" + text("postcode", rows) + "'" + row_text(rows) + " is not a UK postcode: location unknown"
        ),
    )
    put(
        status == "not found",
        lambda rows: (
            postcode(rows) + row_text(rows) + " is not in the ONS Postcode Directory: location unknown"
        ),
    )
    put(
        status == "no place",
        lambda rows: (
            postcode(rows)
            + row_text(rows)
            + " has no local authority in the ONS Postcode Directory: location unknown"
        ),
    )
    put(location == "local branch", elsewhere)
    put(todo, place_text)
    return reason


def _flag_at(flags: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``flags`` of the rows ``rows`` (a row number per supplier, -1 for none: False)."""
    return np.where(rows >= 0, flags[np.maximum(rows, 0)], False) if len(flags) else np.zeros(len(rows), bool)


NATIONAL = "K02000001"  # a national body's "district": the UK, in no local area


def _served(here: pd.DataFrame, reg: pd.DataFrame) -> pd.DataFrame:
    """Places of the rows that give a district served (a council's, a police force's) instead of a postcode:
    placed in that district (``placed_by`` "area served"); a national body's (``NATIONAL``) in the UK."""
    if "lad" not in reg or not reg["lad"].notna().any():
        return here
    served = (reg["lad"].notna() & (here["status"] != "placed")).to_numpy()
    here = here.copy()
    lads = reg.loc[served, "lad"].astype("str")
    here.loc[served, "status"] = "placed"
    here.loc[served, "lad"] = lads.to_numpy()
    names = lad_names(lads)
    here.loc[served, "lad_name"] = np.where(lads == NATIONAL, "the UK (a national body)", names.to_numpy())
    here.loc[served, "placed_by"] = "area served"
    here.loc[served, "postcode"] = None
    return here


def trace_places(trace: pd.DataFrame, directory: PostcodeDirectory) -> pd.DataFrame:
    """Where each supplier of a trace is, as ``PostcodeDirectory.place`` gives it (for an area's
    ``contains``): its postcode, or the district it serves (a council, a police force)."""
    here = directory.place(trace["postcode"].fillna("").astype("str"))
    served = (
        trace["placed_by"].eq("area served") if "placed_by" in trace else pd.Series(False, index=trace.index)
    )
    lads = pd.DataFrame({"lad": trace["lad"].astype("object").where(served, None).to_numpy()})
    return _served(here.reset_index(drop=True), lads)


def estimated_warnings(trace: pd.DataFrame, listed: int = 10) -> list[Notice]:
    """Suppliers whose register postcode is not in the directory and was placed by its sector or district."""
    if "placed_by" not in trace:
        return []
    guessed = trace[trace["placed_by"].isin(["sector", "district"]).to_numpy()]
    if guessed.empty:
        return []
    names = "; ".join(
        f"{r.supplier} ({r.postcode}, by its {r.placed_by}: {r.lad_name})"
        for r in row_tuples(guessed.head(listed))
    )
    more = f" and {len(guessed) - listed} more" if len(guessed) > listed else ""
    return [
        Notice(
            "postcodes-placed-by-area",
            f"{len(guessed)} supplier(s) have a postcode that is not in the ONS directory (mistyped, new or "
            f"terminated), placed by its sector or district instead: {names}{more}. Check the postcodes.",
        )
    ]


def staff_estimated_warnings(staff: pd.DataFrame, label: str = "payroll", listed: int = 10) -> list[Notice]:
    """Home postcodes not in the directory, placed by their sector or district: counted and located by payroll
    row, never by name (payroll is personal data)."""
    guessed = staff[staff["placed_by"].isin(["sector", "district"]).to_numpy()]
    if guessed.empty:
        return []
    rows = sorted(int(r) for rows in guessed["rows"] for r in rows)
    shown = ", ".join(map(str, rows[:listed])) + (
        f" and {len(rows) - listed} more" if len(rows) > listed else ""
    )
    in_area = int((guessed["home"] == "in the area").sum())
    return [
        Notice(
            "postcodes-placed-by-area",
            f"{label}: {len(guessed)} home postcode(s) are not in the ONS directory (mistyped, new or terminated) "
            f"and were placed by their sector or district instead ({in_area} of them in the area): rows {shown}. "
            "Check the postcodes.",
            file=label,
            rows=rows,
        )
    ]


def locate_staff(
    payroll: pd.DataFrame, *, area: Area, pay_basis: str, directory: PostcodeDirectory
) -> pd.DataFrame:
    """Place each employee's home postcode and decide their round-2 pay.

    One row per employee and home postcode (payroll rows add up). ``round1`` is gross pay (what the
    organisation spent); ``round2`` is pay on ``pay_basis`` ("gross" or "net") for staff living in the area,
    else 0. ``home`` is "in the area", "outside the area" or "unknown" (postcode missing or not placed).
    """
    pay = payroll.assign(place_key=postcode_keys(payroll["postcode"]))
    grouped = pay.groupby(["employee", "place_key"], sort=False)
    staff = grouped.agg(postcode=("postcode", "first"), round1=("gross", "sum")).reset_index()
    staff["net"] = grouped["net"].sum(min_count=1).to_numpy()
    # each group's payroll rows (for messages that name rows, never employees), split once, not per group
    group = grouped.ngroup().to_numpy()
    order = np.argsort(group, kind="stable")
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    staff["rows"] = [list(r) for r in np.split(pay["row"].to_numpy()[order], bounds)] if len(pay) else []
    placed = directory.place(staff["postcode"])
    staff["status"] = placed["status"]
    staff["placed_by"] = placed["placed_by"]
    staff["lad"] = placed["lad"]
    staff["home"] = np.select(
        [placed["status"] != "placed", area.contains(placed)],
        ["unknown", "in the area"],
        default="outside the area",
    )
    basis = staff["round1"] if pay_basis == "gross" else staff["net"].astype("int64")
    staff["round2"] = basis.where(staff["home"] == "in the area", 0).astype("int64")
    return staff.drop(columns="place_key")
