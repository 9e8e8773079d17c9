"""Supplier names as ingest reads them: each name's class (named, redacted, blank) and key, payment
text left out of a name, and near-duplicate names merged (every merge listed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from lm3.inputs.ingest.result import CLEANED_NAME, MERGE_COLUMNS, NEAR_NAME
from lm3.inputs.ingest.totals import TOTAL_LABELLED
from lm3.values.arrow import as_numpy, factorize
from lm3.values.names import (
    BLANK,
    NAMED,
    NO_NAME,
    REDACTED,
    REDACTED_CLASS,
    REDACTED_KEY,
    arrow_supplier_key,
)
from lm3.values.near import candidate_pairs, word_swaps

# Matched against the supplier key (upper case, punctuation as spaces): the spellings councils use.
_REDACTED = re.compile(
    r"\bREDACTED\b|\bREDACTION\b|\bPERSONAL (?:DATA|INFORMATION|INFO|DETAILS)\b|\bTHIRD PARTY (?:SUPPLIER|PAYEE|PAYMENT)\b"
    r"|\bWITHHELD\b|\bNOT DISCLOSED\b|\bNON DISCLOSABLE\b|\bDATA PROTECTION\b|\bPRIVATE INDIVIDUAL\b"
    r"|\bCONFIDENTIAL\b|\bSENSITIVE\b|\bGDPR\b"
)


# Any run of spaces (Python's str.isspace() set, as RE2 reads it: its \s alone misses no-break spaces)
SPACES = r"[\s\v\x1c-\x1f\x85\p{Z}]+"


@dataclass(frozen=True)
class Names:
    """Supplier names per distinct value: row i has ``shown[idx[i]]``, ``keys[idx[i]]``, class
    ``klass[idx[i]]`` (an index into CLASSES) and whether it is a total label ("Total", "Grand Total").
    The last entry of each array stands for an empty cell."""

    idx: np.ndarray
    shown: np.ndarray
    keys: np.ndarray
    klass: np.ndarray
    total: np.ndarray
    cleaned: np.ndarray  # the name's key had payment-method or account text left out ("X (DD)")
    plain: np.ndarray  # the key with that text kept


def supplier_names(names: pd.Series) -> Names:
    """Display name, key, class and total label of each distinct supplier name, and each row's code."""
    codes, uniques = factorize(names)
    # per distinct name, in Arrow compute: spaces of any kind as one space, trimmed
    texts = pc.utf8_trim_whitespace(
        pc.replace_substring_regex(
            pa.array(uniques.astype("str").array, type=pa.string()),
            SPACES,
            " ",
        )
    )
    keys = arrow_supplier_key(texts)
    plain = arrow_supplier_key(texts, clean=False)
    # mis-encoded dashes and quotes ("REDACTED \x96 PERSONAL DATA") vanish in the key; the words remain
    redacted = as_numpy(pc.match_substring_regex(keys, _REDACTED.pattern))
    blank_key = as_numpy(pc.equal(keys, ""))
    klass = np.where(blank_key, BLANK, np.where(redacted, REDACTED_CLASS, NAMED)).astype(np.int8)
    shown = np.where(
        klass == BLANK,
        NO_NAME,
        np.where(klass == REDACTED_CLASS, REDACTED, np.asarray(texts.to_pylist(), dtype=object)),
    )
    total = as_numpy(pc.match_substring_regex(keys, TOTAL_LABELLED.pattern)) & (klass == NAMED)
    cleaned = as_numpy(pc.not_equal(keys, plain)) & (klass == NAMED)
    keys = np.where(klass == REDACTED_CLASS, REDACTED_KEY, np.asarray(keys.to_pylist(), dtype=object))
    return Names(
        idx=codes,
        shown=np.append(shown.astype(object), NO_NAME),
        keys=np.append(keys.astype(object), ""),
        klass=np.append(klass, np.int8(BLANK)),
        total=np.append(total, False),
        cleaned=np.append(cleaned, False),
        plain=np.append(np.asarray(plain.to_pylist(), dtype=object), ""),
    )


def sum_by(codes: np.ndarray, amounts: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums of ``amounts`` by ``codes`` (0..n-1), without a Python loop: by ``np.bincount``
    when no sum can pass 2**53 pence (float64 adds integers exactly below that), else sorted and summed
    between group boundaries."""
    if len(codes) == 0:
        return np.zeros(n, dtype=np.int64)
    if int(np.abs(amounts).sum()) < 2**53:  # every partial sum is exact in float64: count in one pass
        return np.bincount(codes, weights=amounts, minlength=n).astype(np.int64)
    order = np.argsort(codes, kind="stable")
    sums = np.add.reduceat(amounts[order], np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0]))
    out = np.zeros(n, dtype=np.int64)
    out[np.unique(codes)] = sums
    return out


def cleaned_names(names: Names, name_idx: np.ndarray, merged_keys: np.ndarray) -> pd.DataFrame:
    """The accepted rows' names whose key left out payment-method or account text: one merge each (the key
    as written, the key it joined, the name as written and the key's name as first written)."""
    n = len(names.keys)
    first_row = np.full(n, len(name_idx), dtype=np.int64)  # each name's first accepted row (n: none)
    np.minimum.at(first_row, name_idx, np.arange(len(name_idx), dtype=np.int64))
    used = first_row < len(name_idx)
    at = np.flatnonzero(used & names.cleaned)
    if len(at) == 0:
        return pd.DataFrame(columns=MERGE_COLUMNS)
    # each merged key's name as first written among the accepted rows, preferring one that was not cleaned:
    # the used names ordered by (key, cleaned, first row); the first of each key's run is its name
    key_code, _ = pd.factorize(pd.Series(merged_keys, dtype="object"))
    named = np.flatnonzero(used)
    ordered = named[np.lexsort((first_row[named], names.cleaned[named], key_code[named]))]
    starts = np.r_[True, key_code[ordered][1:] != key_code[ordered][:-1]]
    first_of_key = np.full(int(key_code.max()) + 1, -1, dtype=np.int64)
    first_of_key[key_code[ordered][starts]] = ordered[starts]
    first = first_of_key[key_code[at]]
    out = pd.DataFrame(
        {
            "key": names.plain[at],
            "into": merged_keys[at],
            "score": 100.0,
            "names": list(
                zip(names.shown[at], np.where(first != at, names.shown[first], merged_keys[at]), strict=True)
            ),
            "why": CLEANED_NAME,
        }
    )
    return out.sort_values("key", kind="stable").reset_index(drop=True)


def merge_near_duplicates(
    names: Names, name_idx: np.ndarray, amounts: np.ndarray, threshold: float | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Merge keys that differ by a typo into the key with more spend; the merges, and each distinct name's
    key after merging.

    Compared: named keys of 8 or more characters among the accepted rows (``name_idx``, their ``amounts``)
    with the same first letter and the same digits ("UNIT 4" and "UNIT 5" are different suppliers), by
    rapidfuzz ``ratio`` at or above ``threshold``, never two that differ by a word rather than a typo
    (``lm3.values.near.word_swaps``: two parish councils). Works on distinct keys, never on rows.
    """
    empty = pd.DataFrame(columns=MERGE_COLUMNS)
    if threshold is None or len(name_idx) == 0:
        return empty, names.keys
    key_of_name, key_values = pd.factorize(pd.Series(names.keys, dtype="object"))
    # spend per name, then per key: exact integer pence
    per_name = sum_by(name_idx, amounts, len(names.keys))
    total = np.zeros(len(key_values), dtype=np.int64)
    np.add.at(total, key_of_name, per_name)
    present = np.zeros(len(key_values), dtype=bool)
    present[key_of_name[np.bincount(name_idx, minlength=len(names.keys)) > 0]] = True
    named = np.zeros(len(key_values), dtype=bool)
    named[key_of_name[names.klass == NAMED]] = True
    long_enough = np.fromiter((len(k) >= 8 for k in key_values), dtype=bool, count=len(key_values))
    candidate = (named & present & long_enough).nonzero()[0]
    if len(candidate) < 2:
        return empty, names.keys
    cand = pa.array(np.asarray(key_values, dtype=object)[candidate], type=pa.string())
    block = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(cand, 0, 1), pc.replace_substring_regex(cand, r"\D+", ""), "|"
    ).to_numpy(zero_copy_only=False)
    codes, _ = pd.factorize(block)
    items = cand.to_pylist()
    # the pairs worth scoring (two shared words, a rare one, the same first letters), within a block
    pairs = candidate_pairs(items, items, codes, ordered=True)  # each pair once: name before choice
    a, b = pairs["name"].to_numpy(), pairs["choice"].to_numpy()
    keep = codes[a] == codes[b]
    a, b = a[keep], b[keep]
    into: dict[int, tuple[int, float]] = {}
    if len(a):
        texts = np.asarray(items, dtype=object)
        scores = process.cpdist(texts[a], texts[b], scorer=fuzz.ratio, score_cutoff=threshold, workers=-1)
        hit = scores >= threshold
        # never two names that differ by a word ("ASHTON PARISH COUNCIL", "ASTON PARISH COUNCIL"): a word
        # that two or more payees use is no typo
        words = pc.value_counts(pc.list_flatten(pc.split_pattern(cand, " ")))
        used = words.field("values").filter(pc.greater_equal(words.field("counts"), 2)).to_pylist()
        hit[hit] = ~word_swaps(items, items, a[hit], b[hit], known=set(used))
        for i in np.lexsort((b[hit], a[hit], codes[a[hit]])):  # block by block, in order, as always
            ka, kb = int(candidate[a[hit][i]]), int(candidate[b[hit][i]])
            big, small = (ka, kb) if (total[ka], key_values[ka]) >= (total[kb], key_values[kb]) else (kb, ka)
            if small not in into:
                into[small] = (big, float(scores[hit][i]))
    if not into:
        return empty, names.keys

    def root(k: int) -> int:
        seen = set()
        while k in into and k not in seen:
            seen.add(k)
            k = into[k][0]
        return k

    mapping = {k: root(k) for k in into}
    # each key's name as first written among the accepted rows
    involved = np.zeros(len(key_values), dtype=bool)
    involved[list(mapping)] = True
    involved[list(mapping.values())] = True
    row_key = key_of_name[name_idx]
    at = np.flatnonzero(involved[row_key] & (names.klass[name_idx] == NAMED))
    first = pd.Series(at).groupby(row_key[at]).first()
    shown = {int(cast(int, k)): names.shown[name_idx[i]] for k, i in first.items()}
    merges = pd.DataFrame(
        [
            {
                "key": key_values[k],
                "into": key_values[v],
                "score": into[k][1],
                "names": (shown[k], shown[v]),
                "why": NEAR_NAME,
            }
            for k, v in sorted(mapping.items(), key=lambda kv: key_values[kv[0]])
        ]
    )
    target = np.arange(len(key_values))
    for k, v in mapping.items():
        target[k] = v
    merged = np.asarray(key_values, dtype=object)[target[key_of_name]]
    return merges, merged
