"""The public API's parameters checked at the door: a wrong type or value is an ``InputError`` naming the
parameter and what it accepts (code ``bad-parameter``, ``params`` the parameter), never a TypeError from deep
inside. A study's options name their checks in ``lm3.study.options.StudyOptions``; the readers below it
use them directly.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from decimal import Decimal
from os import PathLike

import pandas as pd

from lm3.errors import InputError

MAX_DRAWS = 100_000  # a bootstrap of this many draws is more than any interval needs, and still bounded


def bad(name: str, accepts: str, value: object, *, where: str = "") -> InputError:
    """The error for a parameter that is not what it should be."""
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return InputError(f"{where}{name} must be {accepts}, not {shown}.", code="bad-parameter", params=(name,))


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def between(low: float, high: float, *, open_ends: bool = False) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        ok = _number(value) and math.isfinite(float(value))  # type: ignore[arg-type]  # a Real here
        if ok:
            v = float(value)  # type: ignore[arg-type]  # a Real here
            ok = low < v < high if open_ends else low <= v <= high
        if not ok:
            span = f"between {low:g} and {high:g}" + (" (not either end)" if open_ends else "")
            raise bad(name, f"a number {span}", value)
        return value

    return check


def whole(low: int, high: int | None = None, *, optional: bool = False) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value is None and optional:
            return value
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if ok and (int(value) < low or (high is not None and int(value) > high)):  # type: ignore[call-overload]  # an Integral here
            ok = False
        if not ok:
            span = f"from {low:,}" + (f" to {high:,}" if high is not None else " up")
            raise bad(name, f"a whole number {span}" + (", or None" if optional else ""), value)
        return value

    return check


def text(*, optional: bool = True) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value is None and optional:
            return value
        if not isinstance(value, str):
            raise bad(name, "text" + (", or None" if optional else ""), value)
        return value

    return check


def flag(name: str, value: object) -> object:
    if not isinstance(value, bool):
        raise bad(name, "True or False", value)
    return value


def choice(*choices: str) -> Callable[[str, object], object]:
    def check(name: str, value: object) -> object:
        if value not in choices:
            raise bad(name, " or ".join(repr(c) for c in choices), value)
        return value

    return check


def texts(name: str, value: object) -> object:
    """Text, or a list of texts (``area``, ``exclude``, ``tiers``), or None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return value
    raise bad(name, "text or a list of texts", value)


def text_mapping(name: str, value: object) -> object:
    """``{"supplier": "Vendor Name"}``: text to text, or None."""
    if value is None:
        return value
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise bad(name, 'a mapping of text to text, like {"supplier": "Vendor Name"}', value)
    return value


def shares_mapping(name: str, value: object) -> object:
    """``{"staff_share": "40%"}``: text to a share (text or number), or None."""
    if value is None:
        return value
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and (isinstance(v, str) or _number(v) or isinstance(v, Decimal))
        for k, v in value.items()
    ):
        raise bad(name, 'a mapping of names to shares, like {"staff_share": "40%"}', value)
    return value


def money(name: str, value: object) -> object:
    """An amount in pounds: text ("250,000.00"), a whole number or a Decimal, or None (a float is not exact)."""
    if (
        value is None
        or isinstance(value, str | Decimal)
        or (isinstance(value, numbers.Integral) and not isinstance(value, bool))
    ):
        return value
    raise bad(name, "an amount in pounds as text ('250000.00'), a whole number or a Decimal, or None", value)


def callback(name: str, value: object) -> object:
    if value is not None and not callable(value):
        raise bad(name, "a function (step, done, total), or None", value)
    return value


def is_source(value: object) -> bool:
    return isinstance(value, str | PathLike | pd.DataFrame) or hasattr(value, "data")


def source(*, several: bool, optional: bool) -> Callable[[str, object], object]:
    """A file (path), a DataFrame (or an already-read table), or a list of them when ``several``."""

    def check(name: str, value: object) -> object:
        if value is None and optional:
            return value
        if is_source(value):
            return value
        if several and isinstance(value, list | tuple) and value and all(is_source(v) for v in value):
            return value
        accepts = "a file path or a DataFrame" + (", or a list of them" if several else "")
        raise bad(name, accepts + (", or None" if optional else ""), value)

    return check


def anything(name: str, value: object) -> object:
    """Any value (a later step says what is wrong with it: ``resolve_tiers`` with a tier)."""
    return value


def optional_area(name: str, value: object) -> object:
    """An area, or None (not given yet: a project may name it later)."""
    return value if value is None else area(name, value)


def area(name: str, value: object) -> object:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return value
    if hasattr(value, "codes"):  # an Area already resolved
        return value
    raise bad(
        name,
        "an area as text ('Bradford', 'Greater Manchester', 'BD7', '5km around BD1 1HY'), or a list",
        value,
    )


def store(name: str, value: object) -> object:
    """The register store: its folder (text or a path), a ``RegisterStore``, or None (the user's own)."""
    if value is None or hasattr(value, "lookup"):
        return value
    if isinstance(value, str | PathLike) and str(value).strip():
        return value
    raise bad(name, "a folder of registers (text or a path), a RegisterStore, or None", value)


def path(name: str, value: object) -> object:
    """A file or folder path: text or a path."""
    if not isinstance(value, str | PathLike) or (isinstance(value, str) and not value.strip()):
        raise bad(name, "a file path (text or a pathlib.Path)", value)
    return value


def frame(name: str, value: object) -> object:
    if not isinstance(value, pd.DataFrame):
        raise bad(name, "a pandas DataFrame", value)
    return value


def instance(name: str, value: object, kinds: type | tuple[type, ...], what: str) -> object:
    """``value`` is one of ``kinds`` (what it must be, in words)."""
    if not isinstance(value, kinds):
        raise bad(name, what, value)
    return value


def texts_only(name: str, value: object) -> object:
    """A list (or tuple) of texts."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise bad(name, "a list of texts", value)
    return value
