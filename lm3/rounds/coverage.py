"""Spend whose place is unknown, and the bounds it puts on LM3.

A spend file rarely places every supplier. Spend of unknown location is neither local nor leaving: it is
not placed. lm3 counts it as not local (round 2 never assumes a place), and says how far that choice can
move the figure:

- **not local**: as calculated;
- **like the placed spend**: the not-placed spend is local in the same proportion as the placed spend of its
  kind (supplier payments, or staff pay), and re-spent locally at the same rate as the local members of its
  group (their R3 / R2);
- **all local**: every pound of it is local, re-spent at that rate.

Each bound adds to round 2 and round 3 only (round 1 is what was spent, placed or not), each addition
rounded to the penny once, halves away from zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from lm3.values.money import round_pence


@dataclass(frozen=True)
class NotPlaced:
    """Round-1 money of one kind (supplier payments, or staff pay), pence: placed, not placed, and of the
    placed, what is round 2; the round 2 a local member's £1 of round 1 makes (``basis``: 1 for a supplier,
    net / gross pay for staff on a net basis); and the local group's re-spend rate (R3 / R2)."""

    kind: str
    placed: int
    not_placed: int
    local: int
    rate: Fraction
    basis: Fraction = Fraction(1)


@dataclass(frozen=True)
class Bounds:
    """LM3 with the not-placed spend not local (as calculated), local like the placed spend, and all local;
    ``like_placed`` is None when nothing was placed to be like."""

    not_local: float
    like_placed: float | None
    all_local: float
    not_placed: int  # pence

    def text(self) -> str:
        like = f", {self.like_placed:.2f} if it is local like the placed spend" if self.like_placed else ""
        return f"LM3 {self.not_local:.2f} with it not local (as calculated){like}, {self.all_local:.2f} if all of it is local"


def bounds(*, round1: int, round2: int, round3: int, kinds: list[NotPlaced]) -> Bounds:
    """The three bounds of the module docstring, from the rounds and each kind's placed and not-placed £."""

    def lm3(r2: int, r3: int) -> float:
        return (round1 + r2 + r3) / round1

    like_r2 = all_r2 = round2
    like_r3 = all_r3 = round3
    like_known = True
    for k in kinds:
        if k.not_placed == 0:
            continue
        if k.placed == 0:
            like_known = False
        else:
            moved = round_pence(Fraction(k.not_placed) * Fraction(k.local, k.placed))
            like_r2 += moved
            like_r3 += round_pence(moved * k.rate)
        everything = round_pence(k.not_placed * k.basis)
        all_r2 += everything
        all_r3 += round_pence(everything * k.rate)
    return Bounds(
        not_local=lm3(round2, round3),
        like_placed=lm3(like_r2, like_r3) if like_known else None,
        all_local=lm3(all_r2, all_r3),
        not_placed=sum(k.not_placed for k in kinds),
    )
