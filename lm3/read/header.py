"""Finding the header and choosing a column for each field: by the header's words, else by what the
columns hold; a person's own choice (``columns``) first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd
from rapidfuzz import fuzz

from lm3.errors import InputError, Notice
from lm3.read.cells import HEADER_SEARCH_ROWS, blank_mask, header_key, is_blank, on_sheet, rows_text
from lm3.read.columns import SECOND_FIELDS, Choice, choose
from lm3.read.fields import Field
from lm3.read.header_row import find_header
from lm3.read.identifiers import IDENTIFIER_FIELDS, identifier_choices
from lm3.read.plan import Plan
from lm3.read.profiles import Profile, profile_columns
from lm3.read.sheet import Sheet
from lm3.read.words import header_words
from lm3.read.workbook import ExcelSheet
from lm3.values import ids
from lm3.values.dates import parse_dates
from lm3.values.money import parse_money

# the parameter that sets each table's columns by hand, for the messages that say so
COLUMNS_PARAM = {"payments": "columns", "supplier register": "register_columns"}


def plan_by_header(
    sheets: list[Sheet], fields: tuple[Field, ...], overrides: Mapping[str, str], *, label: str, what: str
) -> Plan:
    """The first sheet whose header names the fields, and every other sheet with the same header; the
    columns chosen by the header's words, checked against what they hold."""
    first: tuple[Sheet, int, list[str]] | None = None
    failure: InputError | None = None
    read: list[tuple[Sheet, int]] = []
    skipped: list[str] = []
    for s in sheets:
        head = s.head()
        holds = any(not is_blank(c) for r in head for c in r)
        if first is None:
            try:
                at = _find_header(head, fields, overrides, label=label, what=what, sheet=s.name)
            except InputError as err:
                failure = failure or err
                skipped += [str(s.name)] if holds else []
                continue
            first = (s, at, [header_key(c) for c in head[at]])
            read.append((s, at))
        elif (same := _same_header(head, first[2])) is not None:
            read.append((s, same))
        elif holds:
            skipped.append(str(s.name))
    if first is None:
        assert failure is not None
        raise failure
    header = header_text(first[0].head()[first[1]])
    notes: list[str] = []
    if skipped:
        notes.append(
            Notice(
                "sheets-skipped",
                f"{label}: sheets without the same header were not read: {', '.join(map(repr, skipped))}.",
            )
        )
    sample = read[0][0].sample(read[0][1], len(header))
    mapping, chosen_by = choose_columns(header, sample, fields, overrides, label=label, what=what)
    return Plan(read, header, mapping, sample, chosen_by, {}, notes)


def header_text(row: list[object]) -> list[str]:
    header = [("" if is_blank(c) else str(c).strip()) for c in row]
    while header and header[-1] == "":
        header.pop()
    return header


# sheets that hold something other than the payments: card spend, notes, summaries, pivots, lookups
_OTHER_SHEET = re.compile(
    r"(?i)(?:\b|_)(?:p ?-?cards?|gpc|purchas\w* cards?|procurement cards?|credit cards?|cards?|notes?|guidance|"
    r"read ?me|summary|summaries|pivot|contents|cover|about|definitions?|glossary|look ?ups?|key|info)(?:\b|_)"
)


@dataclass
class _Candidate:
    sheet: Sheet
    header_at: int
    data_at: int
    header: list[str]
    choices: dict[str, Choice]
    rows: int
    sample: pd.DataFrame  # the first rows under the header, every column (read once)
    profiles: list[Profile]  # each column of the sample profiled


def plan_table(
    sheets: list[Sheet],
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
    content_first: bool,
) -> Plan:
    """How to read the table: by content first (a spend file, a register: the supplier and its amount or
    postcode found by what the columns hold, the other columns beside them) when ``content_first``, else
    (or when no sheet has rows of data under a header) by the header's words."""
    second = next((f.name for f in fields if f.required and f.name in SECOND_FIELDS), None)
    plan = plan_by_content(sheets, overrides, label, what, second) if content_first and second else None
    if plan is None:
        return plan_by_header(sheets, fields, overrides, label=label, what=what)
    add_optional(plan.mapping, plan.header, plan.sample, fields, overrides, label=label, what=what)
    plan.warnings += check_identifiers(plan.mapping, plan.header, plan.sample, overrides, label)
    found = add_identifiers(plan.mapping, plan.header, plan.sample, fields, plan.profiles)
    plan.choices = {**plan.choices, **found}
    plan.chosen_by.update({name: f"by content ({', '.join(c.reasons)})" for name, c in found.items()})
    return plan


def plan_by_content(
    sheets: list[Sheet], overrides: Mapping[str, str], label: str, what: str, second: str
) -> Plan | None:
    """A spend file (or a register: ``second`` is "amount" or "postcode") read by content: the sheets with
    the same header as the best one, the supplier and ``second`` columns, how they were chosen, and notes.
    None when no sheet has rows of data under a header (the header-word reader then says what is
    missing)."""
    candidates: list[_Candidate] = []
    skipped: list[str] = []
    for s in sheets:
        found = _candidate(s, overrides, label, what, second)
        if isinstance(found, _Candidate):
            candidates.append(found)
        elif found is not None:
            skipped.append(found)
    if not candidates:
        return None
    if any(not c.sheet.hidden for c in candidates):  # a hidden sheet (an old year, a lookup) is not the data
        skipped += [f"{c.sheet.name!r} (hidden)" for c in candidates if c.sheet.hidden]
        candidates = [c for c in candidates if not c.sheet.hidden]
    best = max(
        candidates,
        key=lambda c: (
            not _OTHER_SHEET.search(str(c.sheet.name or "")),
            c.rows,
            sum(x.score for x in c.choices.values()),
        ),
    )
    want = [header_key(x) for x in best.header]
    same = [c for c in candidates if [header_key(x) for x in c.header] == want]
    skipped += [
        f"{c.sheet.name!r} (another table: {', '.join(repr(x) for x in c.header if x)[:200]})"
        for c in candidates
        if c not in same
    ]
    notes = [note for c in same for note in _layout_notes(c, label)]
    if skipped:
        notes.append(Notice("sheets-skipped", f"{label}: sheets not read as {what}: {'; '.join(skipped)}."))
    choices = best.choices
    notes += _amount_notes(choices, label)
    chosen_by = {
        name: "set by you" if ch.reasons == ("set by you",) else str(ch.by_content)
        for name, ch in choices.items()
        if ch.by_content or ch.reasons == ("set by you",)
    }
    return Plan(
        read=[(c.sheet, c.data_at - 1) for c in same],
        header=best.header,
        mapping={name: ch.index for name, ch in choices.items()},
        sample=best.sample,
        chosen_by=chosen_by,
        choices=dict(choices),
        warnings=notes,
        profiles=best.profiles,
    )


def _candidate(
    s: Sheet, overrides: Mapping[str, str], label: str, what: str, second: str
) -> _Candidate | str | None:
    """One sheet as a candidate table (its header, rows and the columns its content chooses); else why it
    is skipped, or None for a sheet with nothing to say (empty, or one column)."""
    head = s.head()
    at = find_header(head, second)
    if at is None:
        holds = any(not is_blank(c) for r in head for c in r)
        return f"{s.name!r} (no rows of {what} under a header)" if holds else None
    h, d = at
    header = header_text(head[h])
    width = len(header)
    if width < 2:
        return None
    scoring = list(header)
    for j in range(h + 1, d):  # a row of fragments under the header continues it
        for i, c in enumerate(head[j][:width]):
            if not is_blank(c):
                scoring[i] = f"{scoring[i]} {str(c).strip()}".strip()
    fixed: dict[str, int] = {}
    for name, text in overrides.items():
        fixed[name] = _override_index(header, name, text, set(fixed.values()), label, what)
    sample = s.sample(d - 1, width)
    profiles = profile_columns(sample, scoring)
    choices = choose(profiles, taken=set(fixed.values()), second=second)
    fixed = {k: v for k, v in fixed.items() if k in ("supplier", second)}
    if choices is None and len(fixed) < 2:
        beside = "amounts" if second == "amount" else "postcodes"
        return f"{s.name!r} (no column of supplier names beside a column of {beside})"
    chosen = dict(choices or {})
    for name, i in fixed.items():
        chosen[name] = Choice(name, i, header[i], 0.0, ("set by you",), "high")
    rows = len(s.grid) - d if isinstance(s, ExcelSheet) else 0
    return _Candidate(s, h, d, header, chosen, rows, sample, profiles)


def _layout_notes(c: _Candidate, label: str) -> list[str]:
    """Rows above a sheet's header that hold several cells (titles), and rows under it that continue it."""
    notes: list[str] = []
    above = [
        i + 1 for i, r in enumerate(c.sheet.head()[: c.header_at]) if sum(not is_blank(x) for x in r) >= 2
    ]
    if above:
        notes.append(
            Notice(
                "rows-above-header",
                f"{label}{on_sheet(c.sheet.name)}: row(s) {rows_text(above)} above the header (row {c.header_at + 1}) "
                "hold several cells: read as titles, not payments. If they are payments, the header is "
                "wrong: say which columns to read (columns).",
                file=label,
                sheet=c.sheet.name,
                rows=above,
            )
        )
    if c.data_at - c.header_at > 1:
        notes.append(
            Notice(
                "header-continued",
                f"{label}{on_sheet(c.sheet.name)}: row(s) {rows_text(list(range(c.header_at + 2, c.data_at + 1)))} "
                "under the header continue it: read as part of the header, not as payments.",
                file=label,
                sheet=c.sheet.name,
                rows=range(c.header_at + 2, c.data_at + 1),
            )
        )
    return notes


def _amount_notes(choices: Mapping[str, Choice], label: str) -> list[str]:
    """The amount chosen, when it is gross (no net column) or a line amount summed."""
    amount = choices.get("amount")
    if amount is None:
        return []
    if amount.role == "gross":
        return [
            Notice(
                "amount-is-gross",
                f"{label}: the amounts are gross (VAT included): no net column was found, so "
                f"{amount.header!r} is used. Say which column holds net amounts (columns), if one does.",
            )
        ]
    if amount.role == "line":
        return [
            Notice(
                "amount-is-line",
                f"{label}: {amount.header.strip()!r} is summed: "
                f"{next(r for r in amount.reasons if r.startswith('line amounts'))}, which would count "
                "each invoice once for each of its lines. Say which column to sum (columns), if not this one.",
            )
        ]
    return []


def add_optional(
    mapping: dict[str, int],
    header: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
) -> None:
    """The optional columns (date, expense type, ids...) by their headers, beside columns already chosen."""
    rest = tuple(f for f in fields if f.name not in mapping)
    found, _ = choose_columns(
        header,
        sample,
        rest,
        {k: v for k, v in overrides.items() if k not in mapping},
        label=label,
        what=what,
        taken=set(mapping.values()),
    )
    mapping.update(found)


def check_identifiers(
    mapping: dict[str, int], header: list[str], sample: pd.DataFrame, overrides: Mapping[str, str], label: str
) -> list[Notice]:
    """Id columns named by their header whose values are not such ids (a "Unique reference number" of
    13-digit payment references is no school URN) are not read as them, and said; a column holding only
    values that are no identifier ("N/A" on every row) is read, and gives nothing."""
    notes: list[Notice] = []
    for name in ("company_number", "charity_number", "urn", "ods_code", "org_id"):
        if name not in mapping or name in overrides or mapping[name] not in sample.columns:
            continue
        values = sample[mapping[name]]
        values = values[values.notna()]
        present = values[~ids.no_value(values)] if len(values) else values
        if present.empty or ids.id_shape_share(present, name) >= 0.3:
            continue
        header_text = header[mapping[name]]
        del mapping[name]
        notes.append(
            Notice(
                "column-holds-no-ids",
                f"{label}: {header_text!r} is not read as the {name.replace('_', ' ')}: its values are not "
                f"{name.replace('_', ' ')}s (such as {str(present.iloc[0])!r}). Say which column it is "
                "(columns), if one is.",
            )
        )
    return notes


def add_identifiers(
    mapping: dict[str, int],
    header: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    profiled: list[Profile] | None = None,
) -> dict[str, Choice]:
    """The columns that identify the supplier (postcodes, addresses, company and charity numbers, URNs, ODS
    codes, org-ids) that no header named, found by their content (``lm3.read.columns.identifier_choices``).
    ``profiled``: the sample's columns already profiled (by position), which are not profiled again."""
    wanted = tuple(f.name for f in fields if f.name in IDENTIFIER_FIELDS and f.name not in mapping)
    if not wanted or not len(sample):
        return {}
    taken = set(mapping.values())
    free = [i for i in range(len(header)) if i not in taken and i in sample.columns]
    if not free:
        return {}
    if profiled and len(profiled) == len(header):  # the same sample's columns: only the header words differ
        profiles = [replace(profiled[i], header=header[i], words=header_words(header[i])) for i in free]
    else:
        profiles = profile_columns(sample[free].set_axis(range(len(free)), axis=1), [header[i] for i in free])
        profiles = [replace(p, index=free[p.index]) for p in profiles]
    found = identifier_choices(profiles, sample, taken, wanted)
    for name, choice in found.items():
        mapping[name] = choice.index
    return found


def _find_header(
    head: list[list[object]],
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
    sheet: str | None,
) -> int:
    """Index of the header row: the first row naming every required column (or the override headers)."""
    best: tuple[int, int, dict[str, int]] | None = None
    for i, row in enumerate(head):
        keys = [header_key(c) if not is_blank(c) else "" for c in row]
        if sum(1 for k in keys if k) < 2 and len(fields) > 1 and len(row) > 1:
            continue
        mapping = _match_synonyms(keys, fields)
        for name, text in overrides.items():
            if header_key(text) in keys:
                mapping[name] = keys.index(header_key(text))
        if all(f.name in mapping for f in fields if f.required):
            return i
        found_required = sum(1 for f in fields if f.required and f.name in mapping)
        # a header naming some columns, where content may find the rest (a misleading header)
        if found_required and len(mapping) >= 2 and _content_may_complete(keys, fields, mapping):
            return i
        if best is None or len(mapping) > best[1]:
            best = (i, len(mapping), mapping)
    where = f"{label}" + (f" (sheet {sheet!r})" if sheet else "")
    if best is None:
        raise InputError(f"{where}: the {what} file is empty: nothing to read.", code="empty-file")
    i, _, mapping = best
    found = [str(c).strip() for c in head[i] if not is_blank(c)]
    missing = [f for f in fields if f.required and f.name not in mapping]
    lines = [
        f"{where}: no column for {' or '.join(f.label for f in missing)}"
        + (
            f" in the first {len(head)} rows, as far as the header is searched for (a header further down is "
            "not found: delete the rows above it)."
            if len(head) >= HEADER_SEARCH_ROWS
            else "."
        ),
        f"  Columns found (row {i + 1}): {', '.join(found)}",
    ]
    for f in missing:
        lines.append(f"  {f.label.capitalize()} may be headed: {', '.join(f.synonyms[:8])}")
    param = COLUMNS_PARAM.get(what)
    hint = f", or say which column it is ({param})" if param else ""
    lines.append(f"  Rename the column in the file to one of these names{hint}.")
    raise InputError("\n".join(lines), code="header-not-found", params=(param,) if param else ())


_SUPPLIERISH = re.compile(
    r"\b(supplier|vendor|payee|creditor|beneficiary|recipient|merchant|company|name|contractor)\b"
)


def _content_may_complete(keys: list[str], fields: tuple[Field, ...], mapping: dict[str, int]) -> bool:
    """A missing required text column can be found by content when another header names a supplier."""
    missing = [f for f in fields if f.required and f.name not in mapping]
    if any(f.kind != "text" for f in missing):
        return False
    required = {mapping[f.name] for f in fields if f.required and f.name in mapping}
    return any(_SUPPLIERISH.search(k) for j, k in enumerate(keys) if j not in required)


def _same_header(head: list[list[object]], keys: list[str]) -> int | None:
    want = [k for k in keys]
    while want and not want[-1]:
        want.pop()
    for i, row in enumerate(head):
        got = [header_key(c) if not is_blank(c) else "" for c in row]
        while got and not got[-1]:
            got.pop()
        if got == want:
            return i
    return None


def _match_synonyms(keys: list[str], fields: tuple[Field, ...]) -> dict[str, int]:
    """Map each field to the first unused column whose header is one of its synonyms (best first)."""
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for f in fields:
        for i in _candidates(keys, f, used):
            mapping[f.name] = i
            used.add(i)
            break
    return mapping


def _candidates(keys: list[str], f: Field, used: set[int]) -> list[int]:
    """Columns whose header names field ``f``, best first: exact synonyms in order, then near misses."""
    out: list[int] = []
    for synonym in f.synonyms:
        target = header_key(synonym)
        out += [i for i, k in enumerate(keys) if k == target and i not in used and i not in out]
    for synonym in f.synonyms:
        target = header_key(synonym)
        if len(target) < 6:
            continue
        out += [
            i
            for i, k in enumerate(keys)
            if k and i not in used and i not in out and len(k) >= 6 and fuzz.ratio(k, target) >= 92
        ]
    return out


def _content_ok(values: pd.Series, kind: str) -> bool:
    """Whether a column's sample holds what a field of this kind holds."""
    filled = values[~blank_mask(values)]
    if kind == "any" or len(filled) == 0:
        return kind == "any"
    if kind == "money":
        return float((~parse_money(filled)[1]).mean()) >= 0.9
    if kind == "date":
        return float((~parse_dates(filled).bad).mean()) >= 0.9
    if kind == "text":
        letters = filled.astype("str").str.contains(r"[A-Za-z]", regex=True)
        return float(letters.mean()) >= 0.5
    return True


def choose_columns(
    header: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    overrides: Mapping[str, str],
    *,
    label: str,
    what: str,
    taken: set[int] | None = None,
) -> tuple[dict[str, int], dict[str, str]]:
    """Map fields to column indices: overrides, then headers checked against content, then content alone;
    never a column in ``taken``.

    Returns the mapping and, for each field not chosen by its header alone, how it was chosen.
    """
    keys = [header_key(h) for h in header]
    mapping: dict[str, int] = {}
    chosen_by: dict[str, str] = {}
    used: set[int] = set(taken or ())
    for name, text in overrides.items():
        mapping[name] = _override_index(header, name, text, used, label, what)
        used.add(mapping[name])
        chosen_by[name] = "set by you"
    # required fields first, by header then by content, so an optional field cannot take a column whose
    # header misleads ("Supplier ID" holding names)
    ordered = [f for f in fields if f.required] + [f for f in fields if not f.required]
    for f in ordered:
        if f.name in mapping:
            continue
        if not f.required and len(sample):  # the required fields' columns by content, before any optional
            _required_by_content(header, keys, sample, fields, mapping, used, chosen_by)
        candidates = _candidates(keys, f, used)
        misleading: list[int] = []
        for i in candidates:
            if f.kind == "any" or len(sample) == 0 or _content_ok(sample[i], f.kind):
                mapping[f.name] = i
                used.add(i)
                if misleading:
                    chosen_by[f.name] = (
                        f"by content: {', '.join(repr(header[j]) for j in misleading)} does not hold "
                        f"{'amounts' if f.kind == 'money' else f.kind + 's'}"
                    )
                break
            misleading.append(i)
        if f.name not in mapping and candidates:
            # no column with the right header holds the right content: keep the header's choice, and let the
            # rows that do not fit be reported one by one (a content search is for when no header names it)
            mapping[f.name] = candidates[0]
            used.add(candidates[0])
    if len(sample):
        _required_by_content(header, keys, sample, fields, mapping, used, chosen_by)
    missing = [f for f in fields if f.required and f.name not in mapping]
    if missing:
        f = missing[0]
        raise InputError(
            f"{label}: no column holds the {f.label} ({f.kind}). Columns: {', '.join(h for h in header if h)}.\n"
            f'  Say which column it is: {COLUMNS_PARAM.get(what, "columns")} {f.name}="Header".',
            code="no-column-for-field",
            params=(COLUMNS_PARAM.get(what, "columns"),),
        )
    return mapping, chosen_by


def _required_by_content(
    header: list[str],
    keys: list[str],
    sample: pd.DataFrame,
    fields: tuple[Field, ...],
    mapping: dict[str, int],
    used: set[int],
    chosen_by: dict[str, str],
) -> None:
    """The required fields no header named, each in the first free column whose content fits."""
    for g in fields:
        if g.required and g.name not in mapping:
            found = _by_content(keys, sample, g, used)
            if found is not None:
                mapping[g.name] = found
                used.add(found)
                chosen_by[g.name] = f"by content (its header {header[found]!r} does not say it)"


def _override_index(header: list[str], name: str, text: str, used: set[int], label: str, what: str) -> int:
    """The column a ``columns`` override names, or an error listing the columns there are."""
    hits = [i for i, h in enumerate(header) if header_key(h) == header_key(text) and i not in used]
    if not hits:
        param = COLUMNS_PARAM.get(what, "columns")
        raise InputError(
            f"{label}: {param} {name}={text!r}: no column headed {text!r}. "
            f"Columns: {', '.join(h for h in header if h)}.",
            code="column-not-found",
            params=(param,),
        )
    return hits[0]


def _by_content(keys: list[str], sample: pd.DataFrame, f: Field, used: set[int]) -> int | None:
    free = [i for i in range(len(keys)) if i not in used and i in sample.columns]
    if f.kind == "text":
        for i in free:
            if _SUPPLIERISH.search(keys[i]) and _content_ok(sample[i], "text") and _repeats(sample[i]):
                return i
        return None
    if f.kind == "money":
        idish = re.compile(r"\b(id|no|number|code|ref|reference|date|year|period|account)\b")
        for i in free:
            if idish.search(keys[i]):
                continue
            values = sample[i][~blank_mask(sample[i])]
            if (
                len(values)
                and _content_ok(values, "money")
                and values.astype("str").str.contains(r"\.\d", regex=True).mean() > 0.2
            ):
                return i
    return None


def _repeats(values: pd.Series) -> bool:
    filled = values[~blank_mask(values)].astype("str")
    return len(filled) > 0 and filled.nunique() < max(len(filled), 2)
