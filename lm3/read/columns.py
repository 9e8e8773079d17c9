"""A spend file's columns chosen by their content first, with the words of their headers as evidence.

Each column's profile (``lm3.read.profiles``: filled, money, pence, ids, dates, names, codes, legal forms...)
is scored for each field from its content, and its header's words (``lm3.read.words``) add or take away.
The best consistent assignment wins; the ``Choice`` says why, how sure it is and the runner-up when it was
close. Gross, VAT and net are told apart by their words and by arithmetic on the rows (gross = net + VAT on
nearly every row; a column at most a quarter of another's, often zero, is VAT): net is preferred. A
supplier register is scored the same way, with the postcode in place of the amount.

The header row is found by ``lm3.read.header_row``, the identifiers beside the supplier by
``lm3.read.identifiers``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from lm3.read.profiles import Profile
from lm3.read.words import (
    AMOUNT_WORDS,
    GROSS,
    HEAD_OFFICE,
    NET,
    NOT_MONEY,
    NOT_NAME,
    PAYER_SIDE,
    POSTCODE_WORDS,
    SUPPLIER_WORDS,
    word_score,
)

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
            # a legal form counts in full; a word for a kind of organisation half (departments have them)
            content += 0.5 * p.legal_forms + 0.25 * (p.legal - p.legal_forms)
            reasons.append(f"{p.names:.0%} names")
            if p.codes >= 0.5:
                reasons.append(f"{p.codes:.0%} codes")
            if p.legal_forms >= 0.05:
                reasons.append(f"{p.legal_forms:.0%} with a legal form (Ltd, PLC...)")
            if p.legal - p.legal_forms >= 0.05:
                reasons.append(
                    f"{p.legal - p.legal_forms:.0%} with an organisation's word (Council, Trust...)"
                )
            reasons.append(f"{p.distinct} distinct in {round(p.filled * p.count)}")
            if narrative > 0:
                reasons.append("long descriptions")
        plus = word_score(p.words, SUPPLIER_WORDS)
        against = 0.3 * min(2, sum(1 for w in set(p.words) if w in NOT_NAME))
        against += 0.2 * any(w in PAYER_SIDE for w in p.words)
        minus = against if plus < 1 else 0.0
        if plus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in SUPPLIER_WORDS)}")
        if against:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in NOT_NAME)}")
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
        if p.filled == 0:
            out.append(Score(p.index, p.header, -1.0, ("empty",)))
            continue
        content, reasons = _money_content(p)
        role = _role_by_words(p, roles.get(p.index))
        change, why = _role_effect(role, lines.get(p.index))
        content += change
        reasons += why
        plus = word_score(p.words, AMOUNT_WORDS)
        minus = 0.5 if any(w in NOT_MONEY for w in p.words) else 0.0
        if plus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in AMOUNT_WORDS)}")
        if minus:
            reasons.append(f"header says {'/'.join(w for w in p.words if w in NOT_MONEY)}")
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


def _money_content(p: Profile) -> tuple[float, list[str]]:
    """How much a column's content looks like amounts paid, and why: money, with pence (or negatives), not
    whole numbers of one length (ids or codes), not dates."""
    reasons: list[str] = []
    idlike = p.integers >= 0.98 and (p.one_length >= 0.8 or p.distinct <= max(3, p.filled * p.count * 0.02))
    content = p.money * min(1.0, p.filled / 0.5)
    if p.money >= 0.5:
        reasons.append(f"{p.money:.0%} money")
        if p.pence >= 0.05 or p.negatives > 0:
            reasons.append(f"{p.pence:.0%} with pence")
        elif idlike:
            content *= 0.2
            reasons.append("whole numbers of one length (ids or codes)")
        else:
            content *= 0.7
            reasons.append("whole pounds")
    return content - p.dates * 0.5, reasons


def _role_by_words(p: Profile, role: str | None) -> str | None:
    """A money column's role from the rows (``role``), else from its header's words: VAT, or gross."""
    words = set(p.words)
    if "vat" in words and not words & NET and not words & {"amount", "value", "total"} - {"vat"}:
        role = role or "vat"
    if "vat" in words and words & {"amount"} and not words & (NET | GROSS | {"excl", "ex"}):
        role = role or "vat"
    if words & GROSS and not words & NET:
        role = role or "gross"
    return role


def _role_effect(role: str | None, line: tuple[Profile, int, int] | None) -> tuple[float, list[str]]:
    """What a money column's role does to its score as the amount paid, and why."""
    if role == "invoice":
        return -1.0, ["repeats an invoice's total on each of its lines"]
    if role == "line":
        assert line is not None  # a line column has its invoices' totals
        total, matched, runs = line
        return 0.3, [
            f"line amounts: on {matched} of {runs} invoices of several lines they sum to the invoice's total, "
            f"repeated on each line in {total.header.strip() or f'column {total.index + 1}'!r}"
        ]
    effects = {"vat": (-1.0, "is VAT"), "gross": (-0.3, "is gross (net preferred)"), "net": (0.2, "is net")}
    if role in effects:
        change, why = effects[role]
        return change, [why]
    return 0.0, []


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
        plus = word_score(p.words, POSTCODE_WORDS)
        other = sorted(set(p.words) & HEAD_OFFICE)
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
    if len(money) < 2:
        return {}
    both = np.ones(len(money[0].pounds), dtype=bool)
    for p in money:
        both &= p.money_mask
    if both.sum() < 5:
        return {}
    v = {p.index: p.pounds[both] for p in money}
    return _sum_roles(money, v) or _ratio_roles(money, v)


def _sum_roles(money: list[Profile], v: dict[int, np.ndarray]) -> dict[int, str]:
    """Gross, net and VAT where one column is the sum of two others on nearly every row."""
    roles: dict[int, str] = {}
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
    return roles


def _ratio_roles(money: list[Profile], v: dict[int, np.ndarray]) -> dict[int, str]:
    """Gross and net where one column is a little more than another on most rows; VAT where one is at most
    a quarter of another and often zero."""
    roles: dict[int, str] = {}
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
