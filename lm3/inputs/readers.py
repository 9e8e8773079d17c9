"""The five inputs of an LM3 study, read into canonical tables with every bad value collected.

Each reader returns a ``Table`` whose ``data`` has parsed, canonical columns. Rows with values that cannot
be used are collected (not raised one at a time) and raised together as ``RowErrors``; odd-but-usable
input becomes a warning on the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd

from lm3.errors import PROBLEM_COLUMNS, InputError, Notice, RowErrors, notice_code
from lm3.geo import format_postcodes, postcode_keys
from lm3.inputs.ingest import IngestResult, Sources, ingest
from lm3.inputs.surveys import read_survey
from lm3.read.cells import Source, blank_mask, rows_text
from lm3.read.fields import PAYROLL_FIELDS, REGISTER_FIELDS
from lm3.read.problems import RowProblems
from lm3.read.table import Table, read_table
from lm3.values import ids, params
from lm3.values.cells import visible_text
from lm3.values.frames import row_tuples
from lm3.values.money import format_gbp, parse_money
from lm3.values.names import id_key, supplier_key


def _text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype("str").str.replace("\u00a0", " ").str.strip()


NO_AMOUNT = (
    "amount-blank",
    "no-supplier-no-amount",
    "heading-or-note",
)  # rejected rows that hold no money at all


def _explained_by(rejected: pd.DataFrame, sheet: str | None, row: int) -> str:
    """The rows above a total that were set aside, which may hold the difference."""
    same = rejected["sheet"].isna() if sheet is None else rejected["sheet"] == sheet
    above = rejected.loc[same & (rejected["row"] < row), "row"]
    if not len(above):
        return ""
    return f"; set aside above it: row{'s' if len(above) > 1 else ''} {rows_text(above)}, which may hold the difference"


def read_payments(
    source: Sources | IngestResult,
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
    skip_rejected: bool = False,
) -> Table:
    """Payments for a calculation: ``lm3.ingest`` (every rule of which applies; one file or several), then
    strict. An ``IngestResult`` already read (``lm3.ingest``, or ``LocateResult.payments``) is used as it
    is, so a file read once serves ``locate`` and ``calculate`` (its ``sheet`` and ``columns`` were chosen
    when it was read).

    A calculation does not go ahead on part of a file: rows whose amount cannot be read, and a total row that
    does not reconcile with the payments above it, are raised together as ``RowErrors``. A row with no
    amount at all (blank, or only spaces: a heading, a note, a payment not filled in) holds no money: it is
    left out and listed in a warning, so one such row never stops a study. With ``skip_rejected``, rows whose
    amount cannot be read are left out too, each listed (``payment-rows-skipped``): a person chose to go on
    without them. Payments with a blank or redacted supplier name are kept (their place can only be unknown)
    and listed.
    """
    result = source if isinstance(source, IngestResult) else ingest(source, sheet=sheet, columns=columns)
    no_amount = result.rejected["code"].isin(NO_AMOUNT).to_numpy(dtype=bool)
    skipped = result.rejected[~no_amount] if skip_rejected else result.rejected.iloc[:0]
    stopping = result.rejected.iloc[:0] if skip_rejected else result.rejected[~no_amount]
    records = [
        {
            "file": getattr(r, "file", result.file),  # several files: each row's own
            "sheet": r.sheet,
            "row": int(r.row),
            "column": r.column,
            "value": r.value,
            "problem": r.reason,
            "code": r.code,
        }
        for r in row_tuples(stopping)
    ]
    for part in result.files or (result,):
        for total in part.totals:
            if total.reconciles:
                continue
            records.append(
                {
                    "file": part.file,
                    "sheet": total.sheet,
                    "row": total.row,
                    "column": result.columns["supplier"],
                    "value": total.label,
                    "problem": (
                        f"states a total of {format_gbp(total.value)} above the header, but the payments "
                        f"below it add up to {format_gbp(total.above)}: check the file is complete (rows "
                        "missing, or the total of another column), then correct or delete the stated total"
                    )
                    if total.above_header
                    else f"looks like a total row, but {format_gbp(total.value)} is not the sum of the "
                    f"payments above it ({format_gbp(total.above)}, {format_gbp(abs(total.value - total.above))} "
                    f"{'less' if total.value > total.above else 'more'})"
                    + _explained_by(part.rejected, total.sheet, total.row)
                    + ": correct or delete it",
                    "code": "total-row-does-not-reconcile",
                }
            )
    if records:
        raise RowErrors(pd.DataFrame(records, columns=PROBLEM_COLUMNS).sort_values("row", kind="stable"))
    data = result.data
    if len(data) == 0:
        raise InputError(
            f"{result.file}: no payments to calculate from: the file has its header but no rows of payments"
            + (f" ({result.blank_rows:,} blank rows)" if result.blank_rows else "")
            + ". Check it is the right file, and that the export finished.",
            code="no-payments",
            params=("payments",),
        )
    warnings = [w for w in result.warnings if notice_code(w) != "payments-without-supplier-name"]
    if len(skipped):
        shown = "; ".join(f"row {int(r.row)}: {r.value!r}" for r in row_tuples(skipped.head(10)))
        warnings.append(
            Notice(
                "payment-rows-skipped",
                f"{result.file}: {len(skipped):,} payment row(s) whose amount cannot be read left out, as asked "
                f"(skip_rejected): {shown}{'...' if len(skipped) > 10 else ''}. The figure leaves out what they "
                "paid, which is unknown.",
                file=result.file,
                rows=skipped["row"],
            )
        )
    if no_amount.any():
        left = result.rejected[no_amount]
        warnings.append(
            Notice(
                "rows-without-amount",
                f"{result.file}: {len(left):,} row(s) with no amount (rows {rows_text(left['row'])}): no money, "
                "so not payments; left out. If any is a payment, fill in its amount.",
                file=result.file,
                rows=left["row"],
            )
        )
    nameless = data["supplier_class"] == "blank"
    if nameless.any():
        warnings.append(
            Notice(
                "payments-without-supplier-name",
                f"{result.file}: {int(nameless.sum())} payment(s) with no supplier name (rows "
                f"{rows_text(data.loc[nameless, 'row'])}), {format_gbp(int(data.loc[nameless, 'amount'].sum()))}: "
                "counted in round 1, location unknown.",
                file=result.file,
                rows=data.loc[nameless, "row"],
                amount=int(data.loc[nameless, "amount"].sum()),
            )
        )
    columns_used = {k: result.columns.get(k) for k in ("supplier", "amount", "date")}
    return Table(
        label=result.file,
        sheet=result.sheets[0] if result.sheets else None,
        data=data,
        columns=columns_used,
        warnings=tuple(warnings),
        sheets=result.sheets,
    )


# a UK postcode's shape (outward code, space optional, inward code), the last one in a text
_LAST_POSTCODE = r"(?i)^.*\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b"


def postcode_in_text(values: pd.Series) -> pd.Series:
    """Postcodes as given, or found inside an address ("12 High St, Bradford BD1 1HY" -> "BD1 1HY"): the last
    text in a postcode's shape, so a house name or street number before it is passed over. A value with no
    postcode in it stays as it is, for the checks to report."""
    text = values.astype("str")
    found = text.str.extract(_LAST_POSTCODE, expand=False)
    return found.str.upper().where(found.notna(), text)


# what a postcode or an address may hold; anything else (an emoji, a control character, a stray symbol) is
# named, not quietly dropped from the key
_ODD_IN_POSTCODE = r"[^\w\s,.\-/'&()#:;]|_"


def odd_postcodes(
    text: pd.Series, read: pd.Series, rows: pd.Series, label: str, *, personal: bool = False, listed: int = 10
) -> list[Notice]:
    """A warning naming postcodes written with characters no postcode or address holds, and how each was
    read ("BD1 1AA😀" as BD1 1AA), so a person can check them; a ``personal`` one (a home) by its row only."""
    odd = text.str.contains(_ODD_IN_POSTCODE, regex=True, na=False).to_numpy()
    if not odd.any():
        return []
    shown = [
        f"row {int(r)}" if personal else f"{visible_text(str(t))!r} (row {int(r)}) as {visible_text(str(p))}"
        for t, p, r in zip(
            text[odd].head(listed), read[odd].head(listed), rows[odd].head(listed), strict=True
        )
    ]
    more = f" and {int(odd.sum()) - listed} more" if odd.sum() > listed else ""
    return [
        Notice(
            "postcode-with-other-characters",
            f"{label}: {int(odd.sum())} postcode(s) hold characters no postcode has, read without them: "
            f"{'; '.join(shown)}{more}. Check them.",
        )
    ]


def read_register(
    source: Source, *, sheet: str | None = None, columns: Mapping[str, str] | None = None
) -> Table:
    """Supplier register: supplier name, postcode, optional head office postcode.

    The supplier and postcode columns are found by their content first, as a spend file's are (names beside
    UK postcodes, or addresses with one in them; a column headed as the head office's is not the site's),
    with the header's words as evidence. ``columns`` maps fields to header texts where that is wrong
    (``{"postcode": "Site Postcode"}``); the fields are ``REGISTER_FIELDS``.

    A supplier may have several rows with different postcodes (one per contract or site): all are kept and
    reported; ``lm3.rounds.method.locate_suppliers`` decides from all of them. Repeats of the same supplier and
    postcode are dropped, and listed.
    """
    table = read_table(
        source, REGISTER_FIELDS, what="supplier register", sheet=sheet, columns=columns, content_first=True
    )
    data = table.data
    problems = RowProblems(table)
    problems.add(
        blank_mask(data["supplier"]),
        "supplier",
        "supplier name is blank: name the supplier or delete the row",
    )
    problems.raise_if_any()
    out = pd.DataFrame({"row": data["row"], "supplier": _text(data["supplier"])})
    out["key"] = supplier_key(out["supplier"])
    out["postcode"] = postcode_in_text(_text(data["postcode"]))
    odd = odd_postcodes(_text(data["postcode"]), out["postcode"], out["row"], table.label)
    out["head_office_postcode"] = (
        postcode_in_text(_text(data["head_office_postcode"])) if "head_office_postcode" in data else ""
    )
    for name in ("supplier_id", "vcse", "type", "sme"):
        out[name] = _text(data[name]).replace("", None) if name in data else None
    for name in ("company_number", "charity_number", "urn", "ods_code", "org_id"):
        given = data[name] if name in data else pd.Series(None, index=data.index, dtype="object")
        out[name] = pd.Series(ids.IDENTIFIERS[name](given).to_pylist(), index=out.index, dtype="object")
    parts = ids.org_id_parts(out["org_id"])  # an org-id fills its scheme's column where that is empty
    for name, values in parts.items():
        if name in out:
            out[name] = out[name].where(out[name].notna(), pd.Series(values, index=out.index, dtype="object"))
    out, checks = _register_checks(out, table.label)
    chosen = [
        f"{name} {table.columns[name]!r} ({why})"
        for name, why in table.chosen_by.items()
        if why != "set by you" and table.columns.get(name)
    ]
    if chosen:
        checks = (
            Notice(
                "register-columns-by-content",
                f"{table.label}: register columns found by their content, not their headers: "
                f"{'; '.join(chosen)}. Say which they are (register_columns) if that is wrong.",
            ),
            *checks,
        )
    return replace(table, data=out, warnings=tuple(table.warnings) + checks + tuple(odd))


def no_register() -> Table:
    """The register of a study given none: no rows, every column."""
    table = read_register(
        pd.DataFrame({"Supplier": pd.Series([], dtype="str"), "Postcode": pd.Series([], dtype="str")})
    )
    return replace(table, label="no register", warnings=())


def read_registers(
    sources: Source | Table | Sequence[Source | Table],
    *,
    sheet: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """One supplier register from one or several files (the council's vendor master file, a filled-in
    ``lm3 suppliers template``, a ``lm3 suppliers companies-house`` result...). Rows keep the file they
    came from (``file``); a supplier with rows in several files has all of its postcodes considered, and
    repeats of the same supplier and postcode across files are dropped (the first file's row is used).
    ``sheet`` and ``columns`` apply to every file, as in ``read_register``."""
    if not isinstance(sources, Table):
        params.source(several=True, optional=True)("suppliers", sources)
    items: list[Source | Table] = list(sources) if isinstance(sources, list | tuple) else [sources]  # type: ignore[list-item]  # a str or DataFrame is one source, not a sequence
    if not items:
        raise InputError(
            "No supplier register given: name at least one file (suppliers).",
            code="no-register",
            params=("suppliers",),
        )
    tables = [s if isinstance(s, Table) else read_register(s, sheet=sheet, columns=columns) for s in items]
    if len(tables) == 1:
        return tables[0]
    data = pd.concat([t.data.assign(file=t.label) for t in tables], ignore_index=True)
    repeated = pd.DataFrame({"k": data["key"], "p": postcode_keys(data["postcode"])}).duplicated()
    warnings = [w for t in tables for w in t.warnings]
    if repeated.any():
        warnings.append(
            Notice(
                "register-rows-repeated-across-files",
                f"{int(repeated.sum())} register row(s) repeat a supplier and postcode given in an earlier file "
                f"({', '.join(dict.fromkeys(data.loc[repeated, 'file']))}); the first file's row is used.",
            )
        )
    data = data[~repeated].reset_index(drop=True)
    label = " + ".join(t.label for t in tables)
    several = data.groupby("key")["file"].transform("nunique") > 1
    if several.any():
        warnings.append(
            Notice(
                "supplier-in-several-registers",
                f"{data.loc[several, 'key'].nunique()} supplier(s) appear in more than one register file; all of "
                "their postcodes are considered.",
            )
        )
    return replace(tables[0], label=label, data=data, warnings=tuple(warnings))


def _register_checks(out: pd.DataFrame, label: str) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The register without repeated rows (same supplier and postcode), and warnings about those and
    about suppliers with several postcodes."""
    warnings = []
    repeated = pd.DataFrame({"k": out["key"], "p": postcode_keys(out["postcode"])}).duplicated()
    if repeated.any():
        warnings.append(
            Notice(
                "register-rows-repeated",
                f"{label}: {int(repeated.sum())} repeated register row(s) for the same supplier and "
                f"postcode (rows {rows_text(out.loc[repeated, 'row'])}); the first of each is used.",
                file=label,
                rows=out.loc[repeated, "row"],
            )
        )
        out = out[~repeated].reset_index(drop=True)
    sites = out.groupby("key")["row"].transform("size")
    if (sites > 1).any():
        several = out[sites > 1].groupby("key", sort=False)
        listed = "; ".join(f"{g['supplier'].iloc[0]} (rows {rows_text(g['row'])})" for _, g in several)
        warnings.append(
            Notice(
                "supplier-has-several-postcodes",
                f"{label}: {several.ngroups} supplier(s) have several postcodes: {listed}. A supplier with "
                "a site in the area counts as local; with sites in and outside it, as a local branch.",
            )
        )
    return out, tuple(warnings)


def read_payroll(source: Source, *, pay_basis: str = "gross", sheet: str | None = None) -> Table:
    """Payroll: employee id, home postcode, gross pay and optional net pay (integer pence).

    Several rows for one employee (monthly payroll) are fine: they add up. Net pay is required when
    ``pay_basis`` is "net".
    """
    table = read_table(source, PAYROLL_FIELDS, what="payroll", sheet=sheet)
    if pay_basis == "net" and table.columns["net"] is None:
        found = ", ".join(c for c in table.columns.values() if c)
        raise InputError(
            f"{table.label}: pay basis 'net' needs a net pay column, and there is none.\n"
            f"  Columns used: {found}\n"
            f"  Add a column headed 'Net pay', or count pay gross (pay_basis='gross').",
            code="no-net-pay",
            params=("pay_basis",),
        )
    data = table.data
    problems = RowProblems(table)
    problems.add(
        blank_mask(data["employee"]), "employee", "employee id is blank: give every row an employee id"
    )
    gross, bad_gross = parse_money(data["gross"])
    problems.add(bad_gross, "gross", "is not an amount of money (write it like 24500.00)")
    problems.add(blank_mask(data["gross"]), "gross", "gross pay is blank: give the pay, or delete the row")
    out = pd.DataFrame({"row": data["row"], "employee": id_key(data["employee"])})
    out["postcode"] = _text(data["postcode"])
    out["gross"] = gross
    if "net" in data:
        net, bad_net = parse_money(data["net"])
        problems.add(bad_net, "net", "is not an amount of money (write it like 19800.00)")
        if pay_basis == "net":
            problems.add(
                blank_mask(data["net"]), "net", "net pay is blank, and the pay basis is net: give it"
            )
        out["net"] = net
    else:
        out["net"] = pd.Series(pd.NA, index=out.index, dtype="Int64")
    problems.raise_if_any()
    out["gross"] = out["gross"].astype("int64")
    read = format_postcodes(postcode_keys(out["postcode"]))
    odd = odd_postcodes(out["postcode"], read, out["row"], table.label, personal=True)  # homes: rows only
    return replace(table, data=out, warnings=tuple(table.warnings) + tuple(odd))


def read_supplier_survey(source: Source | Sequence[Source], *, sheet: str | None = None) -> Table:
    """Supplier survey answers: one file, several or a folder; a share column, or the two parts of the
    ``lm3 survey template`` form (see ``lm3.inputs.surveys``)."""
    return read_survey(source, "suppliers", sheet=sheet)


def read_staff_survey(source: Source | Sequence[Source], *, sheet: str | None = None) -> Table:
    """Staff survey answers: one file, several or a folder; a share column, or spending by category as in
    the ``lm3 survey template`` form (see ``lm3.inputs.surveys``)."""
    return read_survey(source, "staff", sheet=sheet)
