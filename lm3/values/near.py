"""Near names found without comparing every name with every other, so the work grows with the names, never
with their product. Used to match suppliers to a register (``lm3.place.matching``) and to merge a spend
file's typos (``lm3.inputs.ingest``).

A name is compared only with the choices that share a *block* with it:

- **one letter out**: the name with its spaces left out, and with any one character left out ("SCOT GROUP"
  and "SCOTT GROUP", "ASD SERVICES" and "AST SERVICES", "H JENKINSON" and "HJENKINSON" all share one). Every
  pair one typo apart (a letter changed, added or dropped) shares such a block, however common its words;
- **a word** and **a pair of words** (in any order: a word added, dropped or moved, "TRAVEL AB" and "AB
  TRAVELS LTD");
- **the first or last letters** (``PREFIX``, spaces left out): a typo in a one-word name or in one word
  of two.

Blocks are taken rarest first for each name, until ``BUDGET`` choices are in them: a block that holds half
the register ("SERVICES") says nothing, while the one-letter-out blocks and a rare word say nearly
everything. So each name is scored against at most about ``BUDGET`` choices (plus its one-letter-out
blocks, which hold only its near twins), whatever the register's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from lm3.errors import Notice
from lm3.values.arrow import ragged_ranges, text_hashes

Texts = Sequence[str] | np.ndarray  # texts as a list, or an object array (a store's choices)
BUDGET = 100  # choices a name is compared with through its word and letter blocks, rarest blocks first
PREFIX = 5  # letters a name shares with a choice at its start or end (spaces left out) to be compared
MAX_LETTERS = 64  # names longer than this (in bytes, spaces left out) get no one-letter-out blocks
STOP_WORDS = frozenset({"AND", "CO", "THE", "OF", "FOR", "T", "A"})  # in a key, these say nothing of who
_BASE = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_BASE_INVERSE = np.uint64(pow(int(_BASE), -1, 2**64))
_CONTENT = np.uint64(2**61 - 1)  # a block's content number; its kind in the three bits above
_WORD, _PAIR, _START, _FINISH = (np.uint64(kind << 61) for kind in range(1, 5))  # one letter out is kind 0


def _letters_out(packed: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(text position, hash) for each text of ``packed`` (spaces already left out) and for it with each
    one byte left out: two texts one typo apart share a hash. Hashes are polynomial in the bytes modulo
    2**64, computed for all texts at once from prefix sums (a collision only adds a pair to score)."""
    packed = pc.cast(packed, pa.binary())
    lengths = pc.binary_length(packed).to_numpy(zero_copy_only=False).astype(np.int64)
    fits = (lengths >= 2) & (lengths <= MAX_LETTERS)  # a one-letter name has no letters to leave out
    if not fits.any():
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    which = np.flatnonzero(fits)
    packed = packed.filter(pa.array(fits))
    lengths = lengths[which]
    width = int(lengths.max()) + 1
    data = packed.buffers()[2]
    flat = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
    offsets = np.frombuffer(packed.buffers()[1], dtype=np.int32)[
        packed.offset : packed.offset + len(packed) + 1
    ]
    grid = np.zeros((len(which), width), dtype=np.uint64)
    inside = np.arange(width) < lengths[:, None]
    grid[inside] = flat[offsets[0] : offsets[-1]].astype(np.uint64) + np.uint64(1)  # never 0: 0 is padding
    powers = np.cumprod(np.full(width, _BASE, dtype=np.uint64)) * _BASE_INVERSE  # _BASE ** column
    before = np.zeros((len(which), width + 1), dtype=np.uint64)
    np.cumsum(grid * powers, axis=1, out=before[:, 1:])  # before[:, i]: hash of the first i bytes
    after = before[:, -1:] - before  # after[:, i]: the bytes from i on, still at their own powers
    # leave byte i out: the bytes before it, then those after it one power lower
    dropped = before[:, :-1] + after[:, 1:] * _BASE_INVERSE
    whole = before[np.arange(len(which)), lengths]
    # a letter repeated ("SCOTT") gives the same text whichever of the two is left out: once is enough
    new = inside.copy()
    new[:, 1:] &= grid[:, 1:] != grid[:, :-1]
    rows = np.broadcast_to(which[:, None], new.shape)[new]
    return np.concatenate([rows, which]), np.concatenate([dropped[new], whole])


def _codes(values: pa.Array) -> np.ndarray:
    """Each value's number among the distinct values (the same value, the same number)."""
    return cast(
        "np.ndarray", pc.dictionary_encode(values).indices.to_numpy(zero_copy_only=False).astype(np.uint64)
    )


def _blocks(texts: list[str], groups: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text's blocks, sorted by block: the text's position, the block (its kind in the top bits, a
    number for its content below) and whether it is a one-letter-out block. A text is in a block once
    but for rare repeats (a word twice in a name), which only count a little more against the budget.
    With ``groups`` (a number per text), a block holds texts of one group only."""
    arrow = pa.array(texts, type=pa.string())
    split = pc.split_pattern(arrow, " ")
    words = pc.list_flatten(split)
    parent = pc.list_parent_indices(split).to_numpy().astype(np.int64)
    # the words in order (as ratio compares) and sorted (as token-sort ratio does), spaces left out
    order = np.lexsort((pc.rank(words, sort_keys="ascending", tiebreaker="first").to_numpy(), parent))
    sorted_words = pa.ListArray.from_arrays(split.offsets, words.take(pa.array(order)))
    in_order, in_sort = pc.binary_join(split, ""), pc.binary_join(sorted_words, "")
    moved = np.flatnonzero(pc.not_equal(in_order, in_sort).to_numpy(zero_copy_only=False))
    at, hashes = _letters_out(in_order)
    moved_at, moved_hashes = _letters_out(in_sort.take(pa.array(moved)))
    ats, blocks = [at, moved[moved_at]], [hashes & _CONTENT, moved_hashes & _CONTENT]
    letters = sum(len(a) for a in ats)
    # words and pairs of words (in either order), stop words left out
    keep = ~pc.is_in(words, pa.array(sorted(STOP_WORDS))).to_numpy(zero_copy_only=False)
    keep &= pc.not_equal(words, "").to_numpy(zero_copy_only=False)
    word_at, word = parent[keep], _codes(words.filter(pa.array(keep)))
    per = np.bincount(word_at, minlength=len(texts))
    start = np.cumsum(per) - per
    later = per[word_at] - (np.arange(len(word_at)) - start[word_at]) - 1  # words after it in its text
    first = np.repeat(np.arange(len(word_at)), later)
    second = ragged_ranges(np.arange(len(word_at)) + 1, later)
    distinct = np.uint64(word.max() + 1 if len(word) else 1)
    pair = np.minimum(word[first], word[second]) * distinct + np.maximum(word[first], word[second])
    spaceless = in_order
    everyone = np.arange(len(texts))
    for kind, at, content in (
        (_WORD, word_at, word),
        (_PAIR, word_at[first], pair),
        (_START, everyone, _codes(pc.utf8_slice_codeunits(spaceless, 0, PREFIX))),
        (_FINISH, everyone, _codes(pc.utf8_slice_codeunits(spaceless, -PREFIX, 2**31 - 1))),
    ):
        ats.append(at)
        blocks.append(content | kind)
    at, block = np.concatenate(ats), np.concatenate(blocks)
    if (
        groups is not None
    ):  # the group mixed into the content: a block per group (a collision only adds pairs)
        content = block & _CONTENT  # the same arithmetic, in place: these arrays hold every block
        content *= _BASE
        content += np.asarray(groups, dtype=np.uint64)[at]
        content &= _CONTENT
        block &= ~_CONTENT
        block |= content
        del content
    order = np.argsort(block)  # within a block, order does not count (``candidate_pairs``)
    return at[order], block[order], order < letters  # the first ``letters`` are one-letter-out blocks


def candidate_pairs(
    names: list[str], choices: list[str], groups: np.ndarray | None = None, *, ordered: bool = False
) -> pd.DataFrame:
    """Pairs (``name``, ``choice``: positions in the lists) worth scoring: those sharing a one-letter-out
    block, and those sharing a word, a pair of words or their first or last letters, taken for each name
    from its rarest blocks while no more than ``BUDGET`` choices are in them (see the module docstring).
    ``names`` may be ``choices`` (a list compared with itself: a name's pair with itself is left out); then
    ``groups`` (a number per name) pairs only names of the same group, each name's budget spent within its
    group, and ``ordered`` keeps only the pairs whose name comes before its choice in the list."""
    together = names is choices
    at, block, letter = _blocks(names if together else [*names, *choices], groups)
    mine = at < len(names)
    name = at[mine]
    choice, their_block = (at, block) if together else (at[~mine] - len(names), block[~mine])
    block, letter = block[mine], letter[mine]
    # the choices' blocks come sorted by block, so each block is a run: its start and size
    edge = (
        np.flatnonzero(np.r_[True, their_block[1:] != their_block[:-1]])
        if len(their_block)
        else np.empty(0, np.int64)
    )
    distinct, begin = their_block[edge], edge
    size = np.diff(np.r_[edge, len(their_block)])
    at = np.minimum(np.searchsorted(distinct, block), max(len(distinct) - 1, 0))
    shared = (distinct[at] == block) if len(distinct) else np.zeros(len(block), dtype=bool)
    # a block holding more than the budget is never taken (unless one letter out): left out before sorting.
    # Compared with itself, a name's blocks hold the name too: it is not counted, and a block of it alone
    # (most one-letter-out blocks) is left out at once
    others = size - 1 if together else size
    shared &= (others[at] <= BUDGET) | letter if len(distinct) else shared
    if together:
        shared &= others[at] > 0
    name, at, letter = name[shared], at[shared], letter[shared]
    # rarest blocks first, while the choices in the name's blocks so far are within the budget;
    # one-letter-out blocks always (they hold only near twins)
    order = np.lexsort((at, name.astype(np.int64) << 32 | others[at]))  # ties: by block, so always alike
    name, at, letter = name[order], at[order], letter[order]
    taken = np.cumsum(others[at])
    group_start = np.r_[True, name[1:] != name[:-1]] if len(name) else np.empty(0, bool)
    before = np.maximum.accumulate(np.where(group_start, taken - others[at], 0)) if len(name) else taken
    keep = (taken - before <= BUDGET) | letter
    name, at = name[keep], at[keep]
    pair_name = np.repeat(name, size[at])
    pair_choice = choice[ragged_ranges(begin[at], size[at])]
    width = max(len(choices), 1)
    code = np.sort(pair_name * width + pair_choice)
    code = code[np.r_[True, code[1:] != code[:-1]]] if len(code) else code  # each pair once
    name_at, choice_at = np.divmod(code, width)
    if together:
        other = name_at < choice_at if ordered else name_at != choice_at
        name_at, choice_at = name_at[other], choice_at[other]
    # a ratio of 90 needs lengths within about a tenth of their sum: no need to score the rest
    name_len = pc.utf8_length(pa.array(names, type=pa.string())).to_numpy(zero_copy_only=False)[name_at]
    choice_len = pc.utf8_length(pa.array(choices, type=pa.string())).to_numpy(zero_copy_only=False)[choice_at]
    near = np.abs(name_len - choice_len) <= 0.25 * (name_len + choice_len)
    return pd.DataFrame({"name": name_at[near], "choice": choice_at[near]})


# words for a kind of body or place: what a name shares with another through them alone tells nothing of
# who it is, so two names that share only these differ in what does ("Blagdon" / "Bleadon Parish Council")
KIND_WORDS = frozenset(
    [
        "PARISH",
        "TOWN",
        "CITY",
        "COUNCIL",
        "SCHOOL",
        "PRIMARY",
        "SECONDARY",
        "INFANT",
        "INFANTS",
        "JUNIOR",
        "NURSERY",
        "ACADEMY",
        "COLLEGE",
        "UNIVERSITY",
        "SURGERY",
        "PRACTICE",
        "MEDICAL",
        "HEALTH",
        "CENTRE",
        "CENTER",
        "HOUSE",
        "HALL",
        "LODGE",
        "COURT",
        "MANOR",
        "CHURCH",
        "CHAPEL",
        "CLUB",
        "VILLAGE",
        "HOSPICE",
        "HOSPITAL",
        "HOME",
        "HOMES",
        "CARE",
        "FARM",
        "PHARMACY",
        "DENTAL",
    ]
)
# words that qualify a place or a body: one put for another names another ("West London" / "East London")
QUALIFIERS = frozenset(
    [
        "EAST",
        "WEST",
        "NORTH",
        "SOUTH",
        "NORTHERN",
        "SOUTHERN",
        "EASTERN",
        "WESTERN",
        "CENTRAL",
        "MID",
        "UPPER",
        "LOWER",
        "GREAT",
        "LITTLE",
        "NEW",
        "OLD",
        "INNER",
        "OUTER",
    ]
)
LOW_THRESHOLD = 75.0  # below this rapidfuzz ratio, names that share little are taken as one


def low_threshold(name: str, value: float, default: float) -> Notice:
    """A warning that a near-name threshold this low takes different organisations for one."""
    return Notice(
        "threshold-low",
        f"{name} is {value:g}: names as far apart as that are taken as the same organisation (at 0, any two). "
        f"Check every near-name match, or keep the default, {default:g}.",
    )


def generic_words(choices: Texts) -> frozenset[str]:
    """The words many of the choices use ("PARISH", "COUNCIL", "SCHOOL"): in at least 5 of them, and 0.2% of
    them (cached for the same choices, a register's names)."""
    return _generic(tuple(choices) if not isinstance(choices, tuple) else choices)


@lru_cache(maxsize=8)
def _generic(choices: tuple[str, ...]) -> frozenset[str]:
    counts = pc.value_counts(
        pc.list_flatten(pc.utf8_split_whitespace(pa.array(list(choices), type=pa.string())))
    )
    words, n = pc.struct_field(counts, [0]), pc.struct_field(counts, [1])
    common = words.filter(pc.greater_equal(n, max(5, int(0.002 * len(choices)))))
    return frozenset(common.to_pylist()) | STOP_WORDS


def word_swaps(
    names: list[str],
    choices: Texts,
    name_at: np.ndarray,
    choice_at: np.ndarray,
    *,
    known: set[str] | frozenset[str],
) -> np.ndarray:
    """For pairs of a name and a near choice, whether they differ by a word, not a typo: they name different
    organisations ("UNIVERSITY OF WEST LONDON" and "UNIVERSITY OF EAST LONDON", "ASHTON PARISH COUNCIL" and
    "ASTON PARISH COUNCIL"), so a near match between them is never taken. Either:

    - every word of the name that the choice lacks, and every word of the choice that the name lacks, is a
      known word (``known``: words two names use, or of the places and bodies lm3 knows, so not a
      misspelling), and each side has such words, other than the same letters with a space put in or left
      out: one word put for another; or
    - the words they share are all generic (used by many of the choices, or words for a kind of body or
      place: "PARISH COUNCIL", "PRIMARY SCHOOL", "HOUSE"), so the words that tell them apart differ
      ("BLAGDON PARISH COUNCIL" and "BLEADON PARISH COUNCIL", "BROOK HOUSE" and "BROOKE HOUSE").

    Words that qualify a place ("EAST", "WEST", "NORTH", "UPPER", "GREAT", "NEW"...) are always known: one put
    for another is never a typo.

    A typo ("BRENTAG" for "BRENNTAG"), on either side, makes a word no other name uses: it is kept."""
    if len(name_at) == 0:
        return np.zeros(0, dtype=bool)
    pair = np.arange(len(name_at))
    generic = generic_words(choices) | KIND_WORDS
    known = set(known) | QUALIFIERS
    side_name = pd.DataFrame(
        {"pair": pair, "word": pd.Series(names, dtype=object).iloc[name_at].str.split(" ").to_numpy()}
    )
    side_choice = pd.DataFrame(
        {"pair": pair, "word": pd.Series(choices, dtype=object).iloc[choice_at].str.split(" ").to_numpy()}
    )
    side_name = side_name.explode("word").drop_duplicates()
    side_choice = side_choice.explode("word").drop_duplicates()
    shared = side_name.merge(side_choice, on=["pair", "word"])
    only_name = side_name.merge(shared, on=["pair", "word"], how="left", indicator=True)
    only_name = only_name[only_name["_merge"] == "left_only"]
    only_choice = side_choice.merge(shared, on=["pair", "word"], how="left", indicator=True)
    only_choice = only_choice[only_choice["_merge"] == "left_only"]
    name_left = np.bincount(only_name["pair"].to_numpy(dtype=np.int64), minlength=len(pair))
    name_known = np.bincount(
        only_name["pair"].to_numpy(dtype=np.int64),
        weights=_known(only_name["word"], known),
        minlength=len(pair),
    )
    choice_left = np.bincount(only_choice["pair"].to_numpy(dtype=np.int64), minlength=len(pair))
    choice_known = np.bincount(
        only_choice["pair"].to_numpy(dtype=np.int64),
        weights=_known(only_choice["word"], known),
        minlength=len(pair),
    )
    swapped = (name_left > 0) & (name_known == name_left) & (choice_left > 0) & (choice_known == choice_left)
    # a space put in or left out ("H JENKINSON", "HJENKINSON") is no word swap: the same letters, joined
    joined_name = only_name.groupby("pair")["word"].agg("".join).reindex(pair).fillna("").to_numpy()
    joined_choice = only_choice.groupby("pair")["word"].agg("".join).reindex(pair).fillna("").to_numpy()
    swapped &= joined_name != joined_choice
    meaningful = shared[~shared["word"].isin(STOP_WORDS)]  # "AND", "OF" share nothing
    shared_count = np.bincount(meaningful["pair"].to_numpy(dtype=np.int64), minlength=len(pair))
    shared_generic = np.bincount(
        meaningful["pair"].to_numpy(dtype=np.int64),
        weights=meaningful["word"].isin(generic).to_numpy(),
        minlength=len(pair),
    )
    only_generic = (shared_count > 0) & (shared_generic == shared_count) & (joined_name != joined_choice)
    return cast("np.ndarray", swapped | only_generic)


def one_typo(names: list[str], choices: Texts, name_at: np.ndarray, choice_at: np.ndarray) -> np.ndarray:
    """For pairs of a name and a near choice, whether they differ only by a typo in one word ("ALTRINCHAM
    GRAMMER SCHOOL", "ALTRINCHAM GRAMMAR SCHOOL"), a space ("H JENKINSON", "HJENKINSON") or words that say
    nothing ("THE", "AND"): the strict test for near names in registers of strangers, where a word added or
    dropped ("BROADOAK CP SCHOOL", "BROADOAK SCHOOL") may name another organisation. The word that differs
    has at least four letters and scores at least 75 (rapidfuzz ratio) against the other."""
    if len(name_at) == 0:
        return np.zeros(0, dtype=bool)
    pair = np.arange(len(name_at))
    side = {
        "name": pd.DataFrame(
            {"pair": pair, "word": pd.Series(names, dtype=object).iloc[name_at].str.split(" ").to_numpy()}
        ),
        "choice": pd.DataFrame(
            {"pair": pair, "word": pd.Series(choices, dtype=object).iloc[choice_at].str.split(" ").to_numpy()}
        ),
    }
    for k, frame in side.items():
        frame = frame.explode("word")
        side[k] = frame[~frame["word"].isin(STOP_WORDS) & (frame["word"] != "")].drop_duplicates()
    shared = side["name"].merge(side["choice"], on=["pair", "word"])
    only = {}
    for k, frame in side.items():
        left = frame.merge(shared, on=["pair", "word"], how="left", indicator=True)
        only[k] = left[left["_merge"] == "left_only"]
    count = {k: np.bincount(v["pair"].to_numpy(dtype=np.int64), minlength=len(pair)) for k, v in only.items()}
    joined = {
        k: v.groupby("pair")["word"].agg("".join).reindex(pair).fillna("").to_numpy() for k, v in only.items()
    }
    same_letters = joined["name"] == joined["choice"]  # nothing differs, or a space
    one_each = (count["name"] == 1) & (count["choice"] == 1)
    a, b = joined["name"][one_each], joined["choice"][one_each]
    typo = np.zeros(len(pair), dtype=bool)
    if one_each.any():
        close = process.cpdist(list(a), list(b), scorer=fuzz.ratio, workers=-1) >= 75
        long_enough = (pd.Series(a).str.len().to_numpy() >= 4) & (pd.Series(b).str.len().to_numpy() >= 4)
        typo[one_each] = close & long_enough
    return cast("np.ndarray", same_letters | typo)


def known_words(names: Sequence[str], choices: Texts) -> set[str]:
    """Words that are not misspellings: the words two or more of the names and choices use (each text
    counted once, however often it is given): a typo is made once."""
    texts = pa.array(sorted(set(names) | set(choices)), type=pa.string())
    split = pc.utf8_split_whitespace(texts)
    pairs = pa.table({"text": pc.list_parent_indices(split), "word": pc.list_flatten(split)})
    counts = pc.value_counts(pairs.group_by(["text", "word"]).aggregate([]).column("word"))  # once a text
    used = pc.struct_field(counts, [0]).filter(pc.greater_equal(pc.struct_field(counts, [1]), 2))
    return set(used.to_pylist())


def _digits(texts: Texts, at: np.ndarray) -> np.ndarray:
    """The digits of ``texts[at]``, each distinct text's found once."""
    distinct, inverse = np.unique(at, return_inverse=True)
    chosen = pa.array(np.asarray(texts, dtype=object)[distinct], type=pa.string())
    digits = pc.replace_substring_regex(chosen, r"\D", "").to_numpy(zero_copy_only=False)
    return np.asarray(digits, dtype=object)[inverse]


def _known(words: pd.Series, known: set[str] | frozenset[str]) -> np.ndarray:
    """Whether each word is among ``known`` (in Arrow: pandas would look each known word up in Python)."""
    if not len(words) or not known:
        return np.zeros(len(words), dtype=bool)
    hit = pc.is_in(pa.array(words.to_numpy(dtype=object), type=pa.string()), value_set=_known_set(known))
    return np.asarray(pc.fill_null(hit, False))


def _known_set(known: set[str] | frozenset[str]) -> pa.Array:
    return pa.array(list(known), type=pa.string())


def words_of(texts: Sequence[str]) -> set[str]:
    """Every distinct word of the texts."""
    words = pc.list_flatten(pc.utf8_split_whitespace(pa.array(list(texts), type=pa.string())))
    return set(pc.unique(words).to_pylist())


MATCH_MARGIN = 3.0  # a near match must beat the next choice by this much to be taken


def near_matches(
    names: list[str],
    choices: Texts,
    *,
    threshold: float,
    known: set[str] | frozenset[str] | None = None,
    typo_only: bool = False,
    index: WordIndex | None = None,
) -> pd.DataFrame:
    """Each name's near choice: the choices scoring at least ``threshold`` (rapidfuzz token-sort ratio) with
    the same digits, that do not differ from it by a word (``word_swaps``). One row per name that has any:
    ``name`` and ``choice`` (positions; the best), ``score``, ``close`` (the choices within
    ``MATCH_MARGIN`` of the best, best first) and ``ambiguous`` (the next is too close to call: never taken).
    With ``typo_only``, a pair must also differ by no more than one typo (``one_typo``): for registers of
    strangers. Scores only the pairs ``candidate_pairs`` finds, or with an ``index`` of the choices (a
    ``WordIndex``, built once), the pairs that differ in at most one word."""
    columns = ["name", "choice", "score", "close", "ambiguous"]
    if not len(names) or not len(choices):
        pairs = pd.DataFrame({"name": [], "choice": []})
    else:
        pairs = index.pairs(names) if index is not None else candidate_pairs(names, list(choices))
    if pairs.empty:
        return pd.DataFrame({c: [] for c in columns})
    name_at = pairs["name"].to_numpy(dtype=np.int64)
    choice_at = pairs["choice"].to_numpy(dtype=np.int64)
    name_text = np.asarray(names, dtype=object)[name_at]
    choice_text = np.asarray(choices, dtype=object)[choice_at]
    score = process.cpdist(
        name_text, choice_text, scorer=fuzz.token_sort_ratio, workers=-1, score_cutoff=threshold
    )
    keep = score >= threshold
    # the same digits ("UNIT 4" is not "UNIT 5"): compared on the pairs that scored, each text's digits
    # found once
    keep[keep] = _digits(names, name_at[keep]) == _digits(choices, choice_at[keep])
    name_at, choice_at, score = name_at[keep], choice_at[keep], score[keep]
    if len(name_at):
        words = known if known is not None else known_words(names, choices)
        refused = word_swaps(names, choices, name_at, choice_at, known=words)
        if typo_only:
            refused |= ~one_typo(names, choices, name_at, choice_at)
        name_at, choice_at, score = name_at[~refused], choice_at[~refused], score[~refused]
    if not len(name_at):
        return pd.DataFrame({c: [] for c in columns})
    found = pd.DataFrame({"name": name_at, "choice": choice_at, "score": score})
    found = found.sort_values(["name", "score", "choice"], ascending=[True, False, True], kind="stable")
    top = found.groupby("name", sort=False).head(3)
    best = top.groupby("name", sort=False)["score"].transform("first")
    close = top[top["score"] >= best - MATCH_MARGIN].groupby("name", sort=False)["choice"].agg(tuple)
    first = top.groupby("name", sort=False).first()
    second = top.groupby("name", sort=False)["score"].nth(1)
    runner_up = pd.Series(second.to_numpy(), index=top.loc[second.index, "name"].to_numpy())
    out = first.reset_index()
    out["close"] = close.reindex(out["name"]).to_numpy()
    out["ambiguous"] = (
        runner_up.reindex(out["name"]).fillna(-np.inf).to_numpy() > out["score"].to_numpy() - MATCH_MARGIN
    )
    return out[columns]


WORD_BLOCK = 200  # a one-word-out block holding more choices than this ("PARISH COUNCIL") says nothing


def _word_blocks(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(text position, block) for each text and each of its words left out: the sum of the hashes of its
    other words (stop words left out), so two texts that differ in one word, in any order, share a block;
    and the sum of all its words, for texts that differ only in stop words or word order."""
    split = pc.utf8_split_whitespace(texts)
    words = pc.list_flatten(split)
    parent = pc.list_parent_indices(split).to_numpy(zero_copy_only=False).astype(np.int64)
    keep = ~pc.is_in(words, pa.array(sorted(STOP_WORDS))).to_numpy(zero_copy_only=False)
    words, parent = words.filter(pa.array(keep)), parent[keep]
    if not len(words):
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    h = text_hashes(words)
    total = np.zeros(len(texts), dtype=np.uint64)
    np.add.at(total, parent, h)
    count = np.bincount(parent, minlength=len(texts))
    several = count[parent] >= 2  # a one-word name has no other word to share
    present = np.flatnonzero(count > 0)
    # the same letters with the spaces put in or left out ("H JENKINSON", "HJENKINSON")
    kept = pa.ListArray.from_arrays(pa.array(np.concatenate([[0], np.cumsum(count)]).astype(np.int32)), words)
    joined = text_hashes(pc.binary_join(kept, "").take(pa.array(present))) + np.uint64(0x27D4EB2F165667C5)
    at = np.concatenate([parent[several], present, present])
    block = np.concatenate(
        [total[parent[several]] - h[several], total[present] + np.uint64(0x5BD1E995), joined]
    )
    return at, block


class WordIndex:
    """Choices (a register's names) indexed by each of their names with one word left out: a name is
    compared only with the choices that differ from it in at most one word, whatever the register's size.
    Built once for the choices; ``pairs`` then costs only the names asked about. For registers of
    strangers, where a near name may only be one typo in one word (``one_typo``)."""

    def __init__(self, choices: Sequence[str], arrays: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """``arrays``: the index's (``at``, ``block``) as built before for the same choices (kept on disk)."""
        # one object array (never copied again: a store's choices are hundreds of thousands of names)
        self.choices: np.ndarray = (
            choices if isinstance(choices, np.ndarray) else np.asarray(list(choices), dtype=object)
        )
        if arrays is not None:
            self.at, self.block = arrays
            return
        at, block = _word_blocks(pa.array(self.choices.tolist(), type=pa.string()))
        order = np.argsort(block, kind="stable")
        self.at, self.block = at[order], block[order]

    def pairs(self, names: Sequence[str]) -> pd.DataFrame:
        """Pairs (``name``, ``choice``: positions) sharing a block; blocks of more than ``WORD_BLOCK``
        choices are left out."""
        name_at, name_block = _word_blocks(pa.array(list(names), type=pa.string()))
        lo = np.searchsorted(self.block, name_block, side="left")
        hi = np.searchsorted(self.block, name_block, side="right")
        size = hi - lo
        take = (size > 0) & (size <= WORD_BLOCK)
        name_at, lo, size = name_at[take], lo[take], size[take]
        choice_at = self.at[ragged_ranges(lo, size)]
        pair = pd.DataFrame({"name": np.repeat(name_at, size), "choice": choice_at}).drop_duplicates()
        return pair.reset_index(drop=True)
