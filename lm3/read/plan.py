"""``Plan``: how a table is to be read, as the header step (``lm3.read.header``) decides it and the row
step (``lm3.read.table``) follows it: the sheets and where each one's rows start, the header, the column of
each field and why, the sample the choice was made on, and what planning had to say."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from lm3.read.columns import Choice
from lm3.read.profiles import Profile
from lm3.read.sheet import Sheet


@dataclass
class Plan:
    """``read``: each sheet to read, with the index of the row before its first row of data (its header
    row, or the last row continuing it); ``header``: the header's texts; ``mapping``: each field's column;
    ``chosen_by``: how a field was chosen, where not by its header alone; ``choices``: the content choices,
    with their reasons; ``sample``: the first rows under the header; ``warnings``: what planning noticed;
    ``profiles``: the sample's columns profiled, when content chose (so they are profiled once)."""

    read: list[tuple[Sheet, int]]
    header: list[str]
    mapping: dict[str, int]
    sample: pd.DataFrame
    chosen_by: dict[str, str] = field(default_factory=dict)
    choices: dict[str, Choice] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)  # each column's profile on ``sample``, if made

    @property
    def width(self) -> int:
        return len(self.header)
