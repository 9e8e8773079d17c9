"""The words of a header, and what they say: a supplier's name, an amount (gross, VAT or net), a
postcode; camelCase, underscores, line breaks and run-together words split first.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
HEAD_OFFICE = {"head", "registered", "parent", "ho", "office", "billing", "remittance", "invoice"}


# words that say a column is something else: ids, codes and references, dates, categories and the payer's side
NOT_MONEY = {"id", "no", "number", "num", "ref", "reference", "code", "date", "year", "period", "account"}
NOT_MONEY |= {"month", "week", "trans", "transaction", "voucher", "invoice", "document", "urn", "postcode"}


NOT_NAME = {"id", "code", "number", "no", "ref", "reference", "date", "description", "narrative", "purpose"}
NOT_NAME |= {"service", "expense", "expenses", "expenditure", "category", "directorate", "department"}
NOT_NAME |= {"division", "area", "cost", "centre", "center", "unit", "type", "label", "body", "subjective"}
NOT_NAME |= {"team", "section", "classification", "class", "merchant category", "portfolio", "group"}
# of those, the words for the payer's own structure: such a column names who in the body paid, never whom
# (a description or narrative may name the payee: a card statement's merchant)
PAYER_SIDE = {"directorate", "department", "division", "service", "portfolio", "team", "section", "unit"}
PAYER_SIDE |= {"cost", "centre", "center", "body"}


NET = {"net", "nett", "exclusive", "excl", "exc", "ex", "excluding", "before"}


GROSS = {"gross", "inc", "incl", "including", "inclusive"}


VOCABULARY = sorted(
    {
        *SUPPLIER_WORDS,
        *AMOUNT_WORDS,
        *NOT_MONEY,
        *NOT_NAME,
        *NET,
        *GROSS,
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
    if len(token) < 6 or token in VOCABULARY:
        return [token]
    best: dict[int, list[str]] = {0: []}
    for start in range(len(token)):
        if start not in best:
            continue
        for word in VOCABULARY:
            if len(word) >= 2 and token.startswith(word, start):
                end = start + len(word)
                if end not in best or len(best[end]) > len(best[start]) + 1:
                    best[end] = [*best[start], word]
    return best.get(len(token), [token])


def word_score(words: tuple[str, ...], table: dict[str, float]) -> float:
    return max((table[w] for w in words if w in table), default=0.0)
