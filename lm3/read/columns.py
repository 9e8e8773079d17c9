"""A spend file's columns found by their content first, with the words of their headers as evidence.

Every column of a sample of rows gets a profile: how much of it is filled, parses as money, has pence, holds
whole numbers of one length (ids, codes, periods), dates, names (letters in any script, several words,
repeats, many distinct values), codes, legal forms ("Ltd", "Council"), or the same value on every row (the
paying body). Each column is then scored for each field from its content, and its header's words add or take
away (camelCase, underscores, line breaks and run-together words split first). The best consistent
assignment wins; the choice says why, how sure it is and the runner-up when it was close.

Gross, VAT and net are told apart by their words and by arithmetic on the rows (gross = net + VAT on nearly
every row; a column at most a quarter of another's, often zero, is VAT): net is preferred.

The same scores find the header row (the best-scoring row of words above the first rows of data; a row of
fragments between it and the data is a continuation of it) and choose between a workbook's sheets.

A supplier register is read the same way, with the postcode in place of the amount: a column of UK postcodes
(or of addresses with a postcode in them), whose header does not say it is the head office's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from lm3.read.cells import is_blank
from lm3.values import ids
from lm3.values.dates import parse_dates
from lm3.values.money import parse_money

# -- header words ----------------------------------------------------------------------------------------------

SUPPLIER_WORDS = {
    "supplier": 1.0,
    "payee": 1.0,
    "beneficiary": 1.0,
    "vendor": 1.0,
    "creditor": 1.0,
    "merchant": 0.8,
    "recipient": 1.0,
    "contractor": 0.8,
    "provider": 0.6,
    "company": 0.5,
    "name": 0.4,
    "payable": 0.3,
    "trader": 0.6,
}
AMOUNT_WORDS = {
    "amount": 1.0,
    "amt": 0.9,
    "value": 0.8,
    "net": 0.6,
    "nett": 0.6,
    "paid": 0.6,
    "payment": 0.4,
    "sum": 0.5,
    "spend": 0.6,
    "expenditure": 0.4,
    "gbp": 0.6,
    "pounds": 0.6,
    "cost": 0.3,
    "total": 0.4,
    "gross": 0.3,
    "price": 0.4,
    "exclusive": 0.3,
}
POSTCODE_WORDS = {"postcode": 1.0, "postal": 0.6, "post": 0.5, "address": 0.6, "zip": 0.5, "location": 0.3}
# a postcode column's header that says it is not the supplier's own site
_HEAD_OFFICE = {"head", "registered", "parent", "ho", "office", "billing", "remittance", "invoice"}
# words that say a column is something else: ids, codes and references, dates, categories and the payer's side
_NOT_MONEY = {"id", "no", "number", "num", "ref", "reference", "code", "date", "year", "period", "account"}
_NOT_MONEY |= {"month", "week", "trans", "transaction", "voucher", "invoice", "document", "urn", "postcode"}
_NOT_NAME = {"id", "code", "number", "no", "ref", "reference", "date", "description", "narrative", "purpose"}
_NOT_NAME |= {"service", "expense", "expenses", "expenditure", "category", "directorate", "department"}
_NOT_NAME |= {"division", "area", "cost", "centre", "center", "unit", "type", "label", "body", "subjective"}
_NOT_NAME |= {"team", "section", "classification", "class", "merchant category", "portfolio", "group"}
_NET = {"net", "nett", "exclusive", "excl", "exc", "ex", "excluding", "before"}
_GROSS = {"gross", "inc", "incl", "including", "inclusive"}

_VOCABULARY = sorted(
    {
        *SUPPLIER_WORDS,
        *AMOUNT_WORDS,
        *_NOT_MONEY,
        *_NOT_NAME,
        *_NET,
        *_GROSS,
        "vat",
        "full",
        "registered",
        "local",
        "internal",
        "organisation",
        "organization",
        "pay",
        "vendor",
        "details",
        "detail",
        "line",
        "item",
        "ledger",
        "post",
        "posting",
        "of",
        "in",
        "address",
        "postal",
        "head",
        "office",
        "parent",
        "site",
        "location",
        "and",
        "to",
    },
    key=len,
    reverse=True,
)


@lru_cache(maxsize=4096)
def header_words(text: str) -> tuple[str, ...]:
    """A header's words, lower case: "BeneficiaryName" -> ("beneficiary", "name"), "Amount £ \\n(Ex VAT)" ->
    ("amount", "gbp", "ex", "vat"), "suppliername" -> ("supplier", "name"), "line_amount" -> ("line",
    "amount")."""
    s = str(text).replace("£", " gbp ").replace("%", " percent ")
    s = re.sub(
        r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", s
    )
    words: list[str] = []
    for token in re.split(r"[^0-9a-z]+", s.casefold()):
        if token:
            words += _split_run_together(token)
    return tuple(words)


def _split_run_together(token: str) -> list[str]:
    """A token split into known words when it is wholly made of them ("netamount"), else as it is."""
    if len(token) < 6 or token in _VOCABULARY:
        return [token]
    best: dict[int, list[str]] = {0: []}
    for start in range(len(token)):
        if start not in best:
            continue
        for word in _VOCABULARY:
            if len(word) >= 2 and token.startswith(word, start):
                end = start + len(word)
                if end not in best or len(best[end]) > len(best[start]) + 1:
                    best[end] = [*best[start], word]
    return best.get(len(token), [token])


# -- profiles of a column's content ---------------------------------------------------------------------------

_LETTERS = r"[^\W\d_]{2}"  # two letters in a row, in any script
_CODE = r"^[A-Z0-9][A-Z0-9\-/.]*\d[A-Z0-9\-/.]*$|^\d+$"  # one token holding a digit: "RC507575", "HC100001"
_POSTCODE = r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"  # a UK postcode's shape (upper case), anywhere
_LEGAL = (
    r"(?i)\b(?:ltd|limited|plc|llp|lp|cic|cio|inc|llc|gmbh|co|company|council|trust|services|group|association|"
    r"partnership|society|charity|university|college|school|academy|nhs|foundation|club|centre|solicitors|"
    r"consulting|consultants|church|housing|care|& sons|t/a)\b"
)
_PENCE = r"\.(?!0+\)?-?$)\d{1,2}\)?-?$"  # pence that are not nought: "12.50", not "12.00" or "12.0"


@dataclass(frozen=True)
class Profile:
    """What a sampled column holds, as fractions of its filled cells (``filled`` is of all the rows)."""

    index: int
    header: str
    words: tuple[str, ...]
    count: int  # rows sampled
    filled: float
    money: float
    pence: float  # has one or two decimals
    integers: float  # whole numbers written without decimals or separators
    one_length: float  # the commonest length's share (ids and codes have one)
    dates: float
    names: float  # two letters in a row and not a code
    codes: float
    legal: float
    distinct: int
    words_per_value: float
    mean_length: float
    negatives: float
    postcodes: float  # hold a UK postcode's shape (alone or in an address)
    whole_postcodes: float  # are a postcode and nothing else
    pounds: np.ndarray = field(repr=False, compare=False)  # parsed amounts in pence (0 where not money)
    money_mask: np.ndarray = field(repr=False, compare=False)

    @property
    def constant(self) -> bool:
        return self.distinct == 1 and self.filled * self.count >= 10


def profile_columns(sample: pd.DataFrame, headers: list[str]) -> list[Profile]:
    """A profile of each column of ``sample`` (columns 0..n-1), from at most its first 2,000 rows."""
    out = []
    for i in range(len(headers)):
        values = sample[i] if i in sample.columns else pd.Series([], dtype="object")
        out.append(_profile(i, headers[i], values))
    return out


def _profile(i: int, header: str, values: pd.Series) -> Profile:
    n = len(values)
    cells = values.astype("object")
    text = cells.map(_cell_text, na_action="ignore").astype("str").str.strip()
    filled_mask = text.notna() & (text != "")
    text = text[filled_mask]
    k = len(text)
    pence_values = np.zeros(n, dtype=np.int64)
    money_mask = np.zeros(n, dtype=bool)
    if k == 0:
        return Profile(
            i, header, header_words(header), n, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0,
            pence_values, money_mask,
        )  # fmt: skip
    parsed, bad = parse_money(cells[filled_mask])
    money_ok = (~bad.to_numpy(dtype=bool)) & parsed.notna().to_numpy()
    idx = np.flatnonzero(filled_mask.to_numpy())
    money_mask[idx[money_ok]] = True
    pence_values[idx[money_ok]] = parsed.to_numpy(dtype=np.int64, na_value=0)[money_ok]
    numeric_cells = cells[filled_mask].map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    pence = text.str.contains(_PENCE, regex=True) & ~text.str.contains(r"[/:]", regex=True)
    # a float cell from a workbook has pence when it is not a whole number
    whole_float = numeric_cells & cells[filled_mask].map(
        lambda v: isinstance(v, float) and float(v).is_integer()
    )
    pence = (pence & ~whole_float) | (numeric_cells & ~whole_float & money_ok)
    integers = text.str.fullmatch(r"-?\d+(?:\.0)?", na=False) | whole_float  # "3801325.0": a whole number
    lengths = text.str.len()
    dates = 0.0  # whole numbers are never taken for dates; text without a digit holds none
    if not integers.all() and text.str.contains(r"\d", regex=True).any():
        try:
            dates = float((~parse_dates(cells[filled_mask]).bad).mean())
        except Exception:  # a column no date reader understands holds no dates
            dates = 0.0
    letters = text.str.contains(_LETTERS, regex=True)
    codes = text.str.upper().str.fullmatch(_CODE, na=False) & ~text.str.contains(" ", regex=False)
    names = letters & ~codes
    upper = text.str.upper()
    postcodes = upper.str.contains(_POSTCODE, regex=True)
    whole_postcodes = upper.str.fullmatch(rf"\s*{_POSTCODE}\s*", na=False) if postcodes.any() else postcodes
    return Profile(
        index=i,
        header=header,
        words=header_words(header),
        count=n,
        filled=k / max(n, 1),
        money=float(money_ok.mean()),
        pence=float(pence.mean()),
        integers=float(integers.mean()),
        one_length=float(lengths.value_counts().iloc[0] / k),
        dates=dates,
        names=float(names.mean()),
        codes=float(codes.mean()),
        legal=float(text.str.contains(_LEGAL, regex=True).mean()),
        distinct=int(text.nunique()),
        words_per_value=float(text.str.count(r"\s+").mean() + 1),
        mean_length=float(lengths.mean()),
        negatives=float((pence_values[money_mask] < 0).mean()) if money_mask.any() else 0.0,
        postcodes=float(postcodes.mean()),
        whole_postcodes=float(whole_postcodes.mean()),
        pounds=pence_values,
        money_mask=money_mask,
    )


def _cell_text(v: object) -> str:
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return str(v)


# -- scores -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """A column's score for a field, and the reasons, in words."""

    index: int
    header: str
    value: float
    reasons: tuple[str, ...]
    words: float = 0.0  # the header's words alone: for, less against
    against: bool = False  # the header has words against the field ("ID", "Code", "VAT")
    role: str | None = None  # an amount's: "net", "gross" or "vat"


def _word_score(words: tuple[str, ...], table: dict[str, float]) -> float:
    return max((table[w] for w in words if w in table), default=0.0)


def supplier_scores(profiles: list[Profile]) -> list[Score]:
    """Each column's score as the supplier's name: names (not codes), many distinct values that repeat, legal
    forms, not the same value on every row; then the header's words."""
    namelike = [p for p in profiles if p.names >= 0.5 and not p.constant and p.words_per_value <= 6]
    most = max((p.distinct for p in namelike), default=1)
    out = []
    for p in profiles:
        reasons: list[str] = []
        if p.filled == 0:
            out.append(Score(p.index, p.header, -1.0, ("empty",)))
            continue
        if p.constant:
            content = 0.2  # a supplier only when its header says so and nothing else could be
            reasons.append("the same name on every row (the paying body?)")
        else:
            variety = min(1.0, p.distinct / max(most * 0.5, 1.0))
            narrative = max(0.0, min(1.0, (p.words_per_value - 5) / 4))
            content = (
                p.names
                * (1 - p.money)
                * (1 - p.postcodes)  # a name rarely holds a postcode; an address or a postcode column does
                * (0.3 + 0.7 * variety)
                * (1 - narrative)
                * min(1.0, p.filled / 0.5)
            )
            content += 0.5 * p.legal
            reasons.append(f"{p.names:.0%} names")
            if p.codes >= 0.5:
                reasons.append(f"{p.codes:.0%} codes")
            if p.legal >= 0.05:
                reasons.append(f"{p.legal:.0%} with a legal form (Ltd, Council...)")
            reasons.append(f"{p.distinct} distinct in {round(p.filled * p.count)}")
            if narrative > 0:
                reasons.append("long descriptions")
        plus = _word_score(p.words, SUPPLIER_WORDS)
        against = 0.3 * min(2, sum(1 for w in set(p.words) if w in _NOT_NAME))
        minus = against if plus < 1 else 0.0
        if plus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in SUPPLIER_WORDS)}")
        if against:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in _NOT_NAME)}")
        out.append(
            Score(
                p.index,
                p.header,
                content + 0.5 * plus - 0.5 * minus,
                tuple(reasons),
                plus - against,
                against > 0,
            )
        )
    return out


def amount_scores(profiles: list[Profile]) -> list[Score]:
    """Each column's score as the amount paid: money with pence or of many sizes, not ids, codes or dates; net
    over gross, VAT never; then the header's words."""
    roles = _money_roles(profiles)
    lines = _line_amounts(profiles)
    for line, (total, _, _) in lines.items():
        roles[line], roles[total.index] = "line", "invoice"
    out = []
    for p in profiles:
        reasons: list[str] = []
        if p.filled == 0:
            out.append(Score(p.index, p.header, -1.0, ("empty",)))
            continue
        idlike = p.integers >= 0.98 and (
            p.one_length >= 0.8 or p.distinct <= max(3, p.filled * p.count * 0.02)
        )
        content = p.money * min(1.0, p.filled / 0.5)
        if p.money >= 0.5:
            reasons.append(f"{p.money:.0%} money")
            if p.pence >= 0.05 or p.negatives > 0:
                content *= 1.0
                reasons.append(f"{p.pence:.0%} with pence")
            elif idlike:
                content *= 0.2
                reasons.append("whole numbers of one length (ids or codes)")
            else:
                content *= 0.7
                reasons.append("whole pounds")
        content -= p.dates * 0.5
        role = roles.get(p.index)
        words = set(p.words)
        if "vat" in words and not words & _NET and not words & {"amount", "value", "total"} - {"vat"}:
            role = role or "vat"
        if "vat" in words and words & {"amount"} and not words & (_NET | _GROSS | {"excl", "ex"}):
            role = role or "vat"
        if words & _GROSS and not words & _NET:
            role = role or "gross"
        if role == "invoice":
            content -= 1.0
            reasons.append("repeats an invoice's total on each of its lines")
        elif role == "line":
            total, matched, runs = lines[p.index]
            content += 0.3
            reasons.append(
                f"line amounts: on {matched} of {runs} invoices of several lines they sum to the invoice's total, "
                f"repeated on each line in {total.header.strip() or f'column {total.index + 1}'!r}"
            )
        elif role == "vat":
            content -= 1.0
            reasons.append("is VAT")
        elif role == "gross":
            content -= 0.3
            reasons.append("is gross (net preferred)")
        elif role == "net":
            content += 0.2
            reasons.append("is net")
        plus = _word_score(p.words, AMOUNT_WORDS)
        minus = 0.5 if any(w in _NOT_MONEY for w in p.words) else 0.0
        if plus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in AMOUNT_WORDS)}")
        if minus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in _NOT_MONEY)}")
        against = minus > 0 or role in ("vat", "gross")
        out.append(
            Score(
                p.index,
                p.header,
                content + 0.5 * plus - 0.5 * minus,
                tuple(reasons),
                plus - minus,
                against,
                role,
            )
        )
    return out


def postcode_scores(profiles: list[Profile]) -> list[Score]:
    """Each column's score as the supplier's postcode: UK postcodes (an address with one in it a little less),
    not money; then the header's words, against when they say the head office's (or billing) address."""
    out = []
    for p in profiles:
        reasons: list[str] = []
        content = 0.0
        if p.filled:
            content = (p.whole_postcodes + 0.7 * (p.postcodes - p.whole_postcodes)) * min(1.0, p.filled / 0.5)
            if p.postcodes >= 0.05:
                reasons.append(f"{p.postcodes:.0%} postcodes")
                if p.postcodes - p.whole_postcodes >= 0.05:
                    reasons.append("in addresses")
        plus = _word_score(p.words, POSTCODE_WORDS)
        other = sorted(set(p.words) & _HEAD_OFFICE)
        minus = 0.6 if other else 0.0
        if plus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in POSTCODE_WORDS)}")
        if other:
            reasons.append(f"header says {'/'.join(other)} (not the supplier's own site)")
        if not reasons:
            reasons.append("no postcodes" if p.filled else "empty")
        out.append(
            Score(p.index, p.header, content + 0.5 * plus - minus, tuple(reasons), plus - minus, minus > 0)
        )
    return out


def _line_amounts(profiles: list[Profile]) -> dict[int, tuple[Profile, int, int]]:
    """Line amounts beside an invoice's total repeated on each of its lines: a run of rows where one money
    column holds the same value while another varies is an invoice of several lines when the varying values
    sum to the repeated one. When most such runs (at least 3) sum exactly, summing the repeated column would
    count each invoice once per line: the line column is the one to sum. Returns, for each line column, the
    column of totals, how many runs summed and how many there were."""
    money = [p for p in profiles if p.money >= 0.9 and p.filled >= 0.5]
    found: dict[int, tuple[Profile, int, int]] = {}
    for total in money:
        for line in money:
            if total.index == line.index:
                continue
            both = total.money_mask & line.money_mask
            t, v = total.pounds[both], line.pounds[both]
            if len(t) < 4:
                continue
            run = np.concatenate([[0], np.cumsum(t[1:] != t[:-1])])
            size = np.bincount(run)
            sums = np.bincount(run, weights=v)
            varies = np.bincount(
                run, weights=np.concatenate([[False], (v[1:] != v[:-1]) & (run[1:] == run[:-1])])
            )
            several = (size > 1) & (varies > 0)
            runs = int(several.sum())
            matched = int((several & (sums == t[np.searchsorted(run, np.arange(len(size)))])).sum())
            if (
                runs >= 3
                and matched >= 0.5 * runs
                and (line.index not in found or matched > found[line.index][1])
            ):
                found[line.index] = (total, matched, runs)
    return found


def _money_roles(profiles: list[Profile]) -> dict[int, str]:
    """Gross, VAT and net told apart by the rows: gross = net + VAT on nearly every row; of two columns where
    one is at least the other and at most a quarter more, the larger is gross; a column at most a quarter
    of another's and often zero is VAT."""
    money = [
        p
        for p in profiles
        if p.money >= 0.9 and p.filled >= 0.5 and not (p.integers >= 0.98 and p.one_length >= 0.8)
    ]
    roles: dict[int, str] = {}
    if len(money) < 2:
        return roles
    both = np.ones(len(money[0].pounds), dtype=bool)
    for p in money:
        both &= p.money_mask
    if both.sum() < 5:
        return roles
    v = {p.index: p.pounds[both] for p in money}
    for g in money:
        for n in money:
            for t in money:
                if len({g.index, n.index, t.index}) < 3 or n.index > t.index:
                    continue
                if np.mean(np.abs(v[g.index] - v[n.index] - v[t.index]) <= 1) >= 0.9:
                    net, vat = (n, t) if np.abs(v[n.index]).sum() >= np.abs(v[t.index]).sum() else (t, n)
                    roles[g.index] = "gross"
                    roles[vat.index] = "vat"
                    roles.setdefault(net.index, "net")
    if roles:
        return roles
    for a in money:
        for b in money:
            if a.index == b.index:
                continue
            x, y = np.abs(v[a.index]), np.abs(v[b.index])
            differs = x != y
            if differs.mean() >= 0.2 and np.mean(x >= y) >= 0.95:
                ratio = x[differs & (y > 0)] / y[differs & (y > 0)]
                if len(ratio) and np.mean(ratio <= 1.25) >= 0.9:
                    roles[a.index] = "gross"
                    roles.setdefault(b.index, "net")
            if np.mean(y <= x * 0.25 + 1) >= 0.95 and np.mean(y == 0) >= 0.2 and x.sum() > 0:
                roles[b.index] = "vat"
    return roles


@dataclass(frozen=True)
class Choice:
    """The column taken for a field: its index and header, why, how sure, and the runner-up when close."""

    field: str
    index: int
    header: str
    score: float
    reasons: tuple[str, ...]
    confidence: str  # "high", "medium" or "low"
    runner_up: str | None = None
    runner_up_score: float | None = None
    by_content: str | None = None  # when the header's words alone would not have chosen it: why content did
    role: str | None = None  # an amount's: "net", "gross" or "vat"

    def describe(self) -> str:
        text = f"{self.field}: {self.header or f'column {self.index + 1}'!r} ({self.confidence}: {', '.join(self.reasons)})"
        if self.runner_up is not None:
            text += f"; runner-up {self.runner_up!r}"
        return text


SECOND_FIELDS = ("amount", "postcode")  # what is read beside the supplier: a spend file's, a register's


def choose(
    profiles: list[Profile], taken: set[int] | None = None, *, second: str = "amount"
) -> dict[str, Choice] | None:
    """The best consistent supplier and ``second`` columns ("amount" for a spend file, "postcode" for a
    register; never the same column), or None when no column can be either."""
    taken = taken or set()
    scores = amount_scores if second == "amount" else postcode_scores
    sup = sorted((s for s in supplier_scores(profiles) if s.index not in taken), key=lambda s: -s.value)
    amt = sorted((s for s in scores(profiles) if s.index not in taken), key=lambda s: -s.value)
    best: tuple[float, Score, Score] | None = None
    for s in sup[:4]:
        for a in amt[:4]:
            if s.index == a.index:
                continue
            total = s.value + a.value
            if best is None or total > best[0]:
                best = (total, s, a)
    if best is None or best[1].value < 0.35 or best[2].value < 0.35:
        return None
    _, s, a = best
    few = max((p.count for p in profiles), default=0) < 20  # a handful of rows proves little: never "high"
    if few:
        return {
            name: replace(c, confidence="medium") if c.confidence == "high" else c
            for name, c in _choices(sup, amt, s, a, second).items()
        }
    return _choices(sup, amt, s, a, second)


def _choices(sup: list[Score], amt: list[Score], s: Score, a: Score, second: str) -> dict[str, Choice]:
    """The choices for a supplier column ``s`` and a ``second`` column ``a``, with their runners-up."""
    return {
        "supplier": _choice("supplier", s, [x for x in sup if x.index not in (s.index, a.index)], sup),
        second: _choice(second, a, [x for x in amt if x.index not in (s.index, a.index)], amt),
    }


def _choice(name: str, best: Score, rest: list[Score], every: list[Score]) -> Choice:
    second = rest[0] if rest else None
    margin = best.value - (second.value if second else 0.0)
    confidence = "high" if margin >= 0.5 and best.value >= 1.0 else "medium" if margin >= 0.2 else "low"
    close = second is not None and margin < 0.5 and second.value > 0.3
    return Choice(
        field=name,
        index=best.index,
        header=best.header,
        score=round(best.value, 2),
        reasons=best.reasons,
        confidence=confidence,
        runner_up=second.header or f"column {second.index + 1}" if close and second else None,
        runner_up_score=round(second.value, 2) if close and second else None,
        by_content=_by_content(best, every),
        role=best.role,
    )


def _by_content(best: Score, every: list[Score]) -> str | None:
    """Why content chose a column that its header's words alone would not have: its header says otherwise,
    or another column's header names the field as well or better."""
    rivals = [x for x in every if x.index != best.index and x.words > 0 and x.words >= best.words]
    if not rivals and not best.against and best.words > 0:
        return None
    why = f"by content ({', '.join(best.reasons)})"
    if rivals:
        r = rivals[0]
        why += f"; {r.header or f'column {r.index + 1}'!r} has {', '.join(r.reasons)}"
    return why


# -- the header row ---------------------------------------------------------------------------------------------


def header_row_score(cells: list[object], second: str = "amount") -> float:
    """How much a row's words name a spend file's supplier and amount columns (a register's supplier and
    postcode, with ``second="postcode"``)."""
    words = [header_words(str(c)) for c in cells if not is_blank(c)]
    table = AMOUNT_WORDS if second == "amount" else POSTCODE_WORDS
    return max((_word_score(w, SUPPLIER_WORDS) for w in words), default=0.0) + max(
        (_word_score(w, table) for w in words), default=0.0
    )


_HEADER_VOCABULARY = frozenset(_VOCABULARY) | {"pounds", "gbp", "inc", "excl", "incl", "vat", "name", "date"}


def _is_fragment(c: object) -> bool:
    """A cell that could continue a header ("ID", "No.", "excl VAT", "(£)"): its words are header words (or
    a letter or two), so a supplier's name ("A Ltd", "Print Shop") never is."""
    words = header_words(str(c))
    return all(w in _HEADER_VOCABULARY or len(w) <= 2 for w in words)


def _is_wordy(c: object) -> bool:
    return (
        isinstance(c, str) and bool(re.search(r"[^\W\d_]", c)) and not re.fullmatch(r"\s*[-+£]?[\d,.]+\s*", c)
    )


def _is_moneyish(c: object) -> bool:
    if isinstance(c, bool):
        return False
    if isinstance(c, float | int):
        return True
    return isinstance(c, str) and bool(re.fullmatch(r"\s*[-+(]?\s*£?\s*-?[\d,]*\d(\.\d+)?\s*\)?-?\s*", c))


# a total's label in a row of its own: "Total", "Grand total", "Total spend for April 2024:", "Sub-total"
TOTAL_LABEL = re.compile(r"(?i)^\s*(?:grand |sub[ -]?|overall )?totals?\b[^0-9£$]{0,40}$")


def _is_postcodeish(c: object) -> bool:
    return isinstance(c, str) and bool(re.search(_POSTCODE, c.upper()))


def find_header(head: list[list[object]], second: str = "amount") -> tuple[int, int] | None:
    """(header row, first data row) among the first rows of a sheet, as indices; None when no rows of data
    with words and numbers follow a row of words.

    Data rows hold at least one number and one word each (a payment of "-" for nothing may sit among them);
    a register's (``second="postcode"``), a postcode and another word.
    The header is the best-scoring row of words in the
    block of filled rows just above the first data rows (a technical row of field names above the human one
    loses to it; a row of fragments below it is its continuation)."""

    def filled(row: list[object]) -> int:
        return sum(1 for c in row if not is_blank(c))

    def data_like(row: list[object]) -> bool:
        if any(isinstance(c, str) and TOTAL_LABEL.match(c) for c in row):
            return False  # a total ("Total spend: £1,234.56"), above the header or below the rows
        if second == "postcode":
            at = [i for i, c in enumerate(row) if _is_postcodeish(c)]
            return bool(at) and any(_is_wordy(c) for i, c in enumerate(row) if i not in at)
        return filled(row) >= 2 and any(_is_moneyish(c) for c in row) and any(_is_wordy(c) for c in row)

    def wordy(row: list[object]) -> bool:
        cells = [c for c in row if not is_blank(c)]
        return len(cells) >= 2 and sum(_is_wordy(c) for c in cells) >= 0.6 * len(cells)

    for start in range(1, len(head)):
        window = [r for r in head[start : start + 4] if filled(r)][:3]
        if not data_like(head[start]) or sum(map(data_like, window)) * 3 < len(window) * 2:
            continue
        above = []
        j = start - 1
        while j >= 0 and not filled(head[j]) and start - j <= 3:  # blank rows under a header
            j -= 1
        while j >= 0 and filled(head[j]) and not data_like(head[j]):
            above.append(j)
            j -= 1
        candidates = [j for j in above if wordy(head[j])]
        if not candidates:
            continue
        widest = max(filled(head[j]) for j in candidates)
        full = [j for j in candidates if filled(head[j]) >= 0.6 * widest]
        best = max(full, key=lambda j: (header_row_score(head[j], second), j))
        score = header_row_score(head[best], second)
        named = [(header_row_score(head[j], second), j) for j in range(best) if wordy(head[j])]
        top = max(named, default=(0.0, -1))
        if (score == 0 and top[0] > 0) or (top[0] >= 1.5 and top[0] >= score + 1.0):
            # a row of odd data (amounts no one can read, "@SUM(1+1)") is more likely than a header a row that
            # names the columns far better further up: that is the header, and the rows between are data,
            # each accounted for (accepted or rejected with its reason)
            return top[1], top[1] + 1
        between = head[best + 1 : start]
        if not any(map(filled, between)) or any(
            filled(r) >= filled(head[best])
            or any(_is_moneyish(c) for c in r)
            or not all(_is_fragment(c) for c in r if not is_blank(c))
            for r in between
        ):
            return best, best + 1  # not fragments of a header: rows of data that look odd
        return best, start
    return None


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

    def offer(field: str, p: Profile, share: float, reasons: list[str]) -> None:
        if field not in wanted:
            return
        choice = Choice(
            field, p.index, p.header, round(share, 2), tuple(reasons), "high" if share >= 0.8 else "medium"
        )
        if field not in found or share > found[field][0]:
            found[field] = (share, choice)

    for p in profiles:
        if p.index in taken or p.filled == 0 or p.constant or (p.money >= 0.9 and p.pence >= 0.05):
            continue
        values = sample[p.index] if p.index in sample.columns else pd.Series([], dtype="object")
        values = values[values.notna()]
        if values.empty:
            continue
        heard = [
            f
            for f in ("postcode", "company_number", "charity_number", "urn", "ods_code")
            if _says(p.words, f)
        ]
        said = f"header says {'/'.join(heard).replace('_', ' ')}" if heard else None
        other_site = bool(set(p.words) & _HEAD_OFFICE - {"invoice"})
        site = "head_office_postcode" if other_site else "postcode"
        if p.whole_postcodes >= 0.5:
            offer(
                site, p, p.whole_postcodes, [f"{p.whole_postcodes:.0%} postcodes", *([said] if said else [])]
            )
            continue
        if p.postcodes >= 0.5 and p.words_per_value >= 2:
            offer(
                site,
                p,
                p.postcodes * 0.9,
                [f"{p.postcodes:.0%} addresses with a postcode", *([said] if said else [])],
            )
            continue
        org = ids.id_shape_share(values, "org_id")
        if org >= 0.5:
            offer("org_id", p, org, [f"{org:.0%} org-ids (GB-COH-..., GB-CHC-...)"])
            continue
        if "postcode" in heard:
            outward = ids.outward_share(values)
            if outward >= 0.8:
                offer(
                    site,
                    p,
                    outward * 0.6,
                    [f"{outward:.0%} postcode districts or sectors", *([said] if said else [])],
                )
                continue
        for kind in ("company_number", "charity_number", "urn", "ods_code"):
            share = ids.id_shape_share(values, kind)
            if share < (0.5 if kind in ("company_number", "charity_number") else 0.8):
                continue
            if kind in heard:
                offer(kind, p, share, [f"{share:.0%} {kind.replace('_', ' ')}s", *([said] if said else [])])
                break
            if kind == "company_number":
                text = values.astype("str").str.upper().str.replace(r"\s", "", regex=True)
                prefixed = float(
                    text.str.fullmatch(r"(?:SC|NI|OC|SO|NC|IP|SP|FC|LP|SL|CE|CS|RS|SE|GE)\d{6}").mean()
                )
                if prefixed >= 0.02 and not heard:
                    offer(
                        kind,
                        p,
                        share * 0.9,
                        [f"{share:.0%} company numbers, {prefixed:.0%} with a register's prefix"],
                    )
                    break
    return {field: choice for field, (_, choice) in found.items()}
