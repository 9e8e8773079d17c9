"""Near names found without comparing every name with every other: blocks of names that share two words,
a rare word, or their first letters, so the work grows with the names and their blocks, never with their
product. Used to match suppliers to a register (``lm3.place.matching``) and to merge a spend file's typos
(``lm3.inputs.ingest``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

RARE_WORD = 20  # a word in at most this many register names is a block of its own
COMMON_PAIR = 5_000  # two words together in more register names than this block nothing
PREFIX = 5  # letters a name shares with a register name at its start or end (spaces left out) to be compared
AFFIX_BLOCK = 500  # first or last letters shared by more register names than this block nothing
STOP_WORDS = frozenset({"AND", "CO", "THE", "OF", "FOR", "T", "A"})  # in a key, these say nothing of who


def _words(texts: list[str], label: str) -> pd.DataFrame:
    """One row per (text, word), stop words left out: ``label`` is the text's position."""
    words = pd.DataFrame({label: np.arange(len(texts)), "word": pd.Series(texts, dtype="object").str.split()})
    words = words.explode("word").dropna()
    return words[~words["word"].isin(STOP_WORDS)]


def _word_pairs(words: pd.DataFrame, label: str) -> pd.DataFrame:
    """Each text's pairs of words (in order, "A B"): a block for texts sharing two words."""
    pairs = words.merge(words, on=label, suffixes=("", "_2"))
    pairs = pairs[pairs["word"] < pairs["word_2"]]
    return pd.DataFrame(
        {label: pairs[label].to_numpy(), "pair": (pairs["word"] + " " + pairs["word_2"]).to_numpy()}
    )


def _start(texts: list[str]) -> np.ndarray:
    return pd.Series(texts, dtype="object").str.replace(" ", "", regex=False).str[:PREFIX].to_numpy()


def _finish(texts: list[str]) -> np.ndarray:
    return pd.Series(texts, dtype="object").str.replace(" ", "", regex=False).str[-PREFIX:].to_numpy()


def candidate_pairs(names: list[str], choices: list[str]) -> pd.DataFrame:
    """Pairs (name, choice) worth scoring: those sharing two words (a pair of words in at most
    ``COMMON_PAIR`` register names), or one rare word (in at most ``RARE_WORD``), or their first or last
    ``PREFIX`` letters with the spaces left out (those shared by at most ``AFFIX_BLOCK``). A near name (a typo, a word added or dropped) keeps two of its words
    or a rare one; the work grows with the names and their blocks, never with names times register names."""
    reg = _words(choices, "choice")
    freq = reg["word"].value_counts()
    mine = _words(names, "name")
    reg_pairs = _word_pairs(reg, "choice")
    pair_freq = reg_pairs["pair"].value_counts()
    reg_pairs = reg_pairs[reg_pairs["pair"].map(pair_freq) <= COMMON_PAIR]
    rare = mine[mine["word"].map(freq).fillna(0).between(1, RARE_WORD)]
    found = [
        _word_pairs(mine, "name").merge(reg_pairs, on="pair")[["name", "choice"]],
        rare.merge(reg[reg["word"].map(freq) <= RARE_WORD], on="word")[["name", "choice"]],
    ]
    # the same first or last letters once spaces are gone: a one-word name, words run together or split
    # apart ("H JENKINSON" / "HJENKINSON"), a typo in one word of two ("CEL SOLICITORS" / "CELL SOLICITORS")
    for end in (_start, _finish):
        affix = pd.DataFrame({"choice": np.arange(len(choices)), "p": end(choices)})
        affix = affix[affix["p"].map(affix["p"].value_counts()) <= AFFIX_BLOCK]
        mine_affix = pd.DataFrame({"name": np.arange(len(names)), "p": end(names)})
        found.append(mine_affix.merge(affix, on="p")[["name", "choice"]])
    pairs = pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)
    # a token-sort ratio of 90 needs lengths within about a tenth of their sum: no need to score the rest
    name_len = pd.Series(names, dtype="object").str.len().to_numpy()[pairs["name"].to_numpy()]
    choice_len = pd.Series(choices, dtype="object").str.len().to_numpy()[pairs["choice"].to_numpy()]
    near = np.abs(name_len - choice_len) <= 0.25 * (name_len + choice_len)
    return pairs[near].reset_index(drop=True)
