"""Results side by side (two years, two organisations): ``lm3.compare``."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from lm3.errors import InputError
from lm3.study.project import load_project
from lm3.study.result import LM3Result
from lm3.study.rule import Rule
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.html import html_table
from lm3.values.jsontext import jsonable
from lm3.values.money import pence_to_decimal
from lm3.values.numbers import plain_number

COMPARE_COLUMNS = [
    "result",
    "area",
    "round1",
    "round2",
    "round3",
    "lm3",
    "standing",
    "low",
    "high",
    "round2_per_pound",
    "coverage",
    "local_share",
    "supplier_responses",
    "staff_responses",
    "rule",
    "differences",
]


@dataclass(frozen=True)
class Comparison:
    """Results side by side: ``table``, one row per result (``COMPARE_COLUMNS``; money in pence);
    ``records()`` and ``to_dict()`` the same as plain data (the JSON contract, docs/json.md). ``rules``: each
    result's declared rule (None for a result written before lm3 stated one); ``differences``: why the
    figures cannot be compared, a sentence each against the first result (none: comparable)."""

    table: pd.DataFrame
    rules: tuple[Rule | None, ...] = ()
    differences: tuple[str, ...] = ()

    @property
    def comparable(self) -> bool:
        """Whether every result was worked out by the same rule (area, location, scope, base, pay basis)."""
        return not self.differences

    def records(self) -> list[dict[str, Any]]:
        """One JSON-ready record a result: money as exact Decimal pounds, shares and LM3 as numbers."""
        return compare_records(self.table)

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": self.records(),
            "comparable": self.comparable,
            "differences": list(self.differences),
        }

    def _repr_html_(self) -> str:
        return html_table(self.table, money=("round1", "round2", "round3"))


def compare(results: Sequence[LM3Result | dict[str, Any] | str | Path]) -> Comparison:
    """Results side by side (two years, two organisations), as a ``Comparison``: one row each in its
    ``table`` (``COMPARE_COLUMNS``, money in pence; ``round2_per_pound`` = R2 / R1; ``coverage`` = placed / round-1 payments; ``local_share`` = local
    / placed payments; the last two NaN for a result written before lm3 reported them). Two results whose
    coverage differs differ by more than their local spend. Each may be an LM3Result, its ``to_dict()``, a JSON file written by
    ``lm3 calculate --json``, or a project folder (calculated here). Raises InputError for a file that is
    not a result."""
    if not isinstance(results, list | tuple):
        raise params.bad(
            "results",
            "a list of results (LM3Result, its to_dict(), a JSON file or a project folder)",
            results,
        )
    rows = []
    rules: list[Rule | None] = []
    label: str | None
    for item in results:
        if not isinstance(item, LM3Result | dict | str | PathLike):
            raise params.bad(
                "results",
                "a list of results (LM3Result, its to_dict(), a JSON file or a project folder)",
                item,
            )
        if isinstance(item, LM3Result):
            data, label = item.to_dict(), item.name or item.area.name
        elif isinstance(item, dict):
            data, label = item, item.get("name") or item.get("area")
        else:
            path = Path(item)
            if path.is_dir():
                computed = load_project(path).calculate()
                data, label = computed.to_dict(), computed.name or path.name
            else:
                data = _read_result(path)
                label = data.get("name") or path.stem
        where = str(item) if isinstance(item, str | PathLike) else "a result given"
        money = {k: _pence(data.get(k), k, where) for k in ("round1", "round2", "round3")}
        if money["round1"] <= 0:
            raise InputError(
                f"{where}: not an lm3 result (round1 is not a positive amount).", code="not-a-result"
            )
        lm3_value = _number(data.get("lm3"))
        standing = data.get("standing") if data.get("standing") in ("figure", "range", "none") else "figure"
        if lm3_value != lm3_value and standing != "none":  # no figure only when nothing was placed
            raise InputError(f"{where}: not an lm3 result (lm3 is not a number).", code="not-a-result")
        given = data.get("responses")
        responses: dict[str, dict[str, Any]] = (
            {k: v for k, v in given.items() if isinstance(v, dict)} if isinstance(given, dict) else {}
        )
        resampled = any(r.get("respondents") for r in responses.values())
        stated = data.get("interval")
        interval: dict[str, Any] = stated if resampled and isinstance(stated, dict) else {}
        stated_rule = data.get("rule")
        rule = Rule.from_dict(stated_rule) if isinstance(stated_rule, dict) else None
        rules.append(rule)
        rows.append(
            {
                "result": label if isinstance(label, str) else str(label),
                "area": data.get("area") if isinstance(data.get("area"), str) else None,
                "round1": money["round1"],
                "round2": money["round2"],
                "round3": money["round3"],
                "lm3": lm3_value,
                "standing": standing,
                "low": _number(interval.get("low")),
                "high": _number(interval.get("high")),
                "round2_per_pound": money["round2"] / money["round1"],
                "coverage": _number(data.get("coverage")),
                "local_share": _number(data.get("local_share")),
                "supplier_responses": _coverage(responses.get("local suppliers")),
                "staff_responses": _coverage(responses.get("local staff")),
                "rule": rule.text if rule is not None else None,
            }
        )
    each = _differences([str(r["result"]) for r in rows], rules)
    for row, said in zip(rows, each, strict=True):
        row["differences"] = tuple(said)
    return Comparison(
        pd.DataFrame(rows, columns=COMPARE_COLUMNS), tuple(rules), tuple(d for said in each for d in said)
    )


def _differences(names: list[str], rules: list[Rule | None]) -> list[list[str]]:
    """Why each result's figure cannot be compared with the first's (the first result: only when it
    states no rule), a sentence each naming the results."""
    if len(set(names)) < len(names):  # two results of one name: told apart by their place in the list
        names = [f"{name} (result {i + 1})" for i, name in enumerate(names)]
    out: list[list[str]] = [[] for _ in names]
    for i, (name, rule) in enumerate(zip(names, rules, strict=True)):
        if rule is None:
            out[i].append(
                f"{name} states no rule (written by an older lm3): what it counts cannot be checked."
            )
        elif i > 0 and rules[0] is not None:
            out[i] += [f"{name} against {names[0]}: {d}." for d in rules[0].differences(rule)]
    return out


def _number(value: Any) -> float:
    """A number from a result's JSON; NaN when it is not one (or not finite)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return np.nan
    number = float(value)
    return number if math.isfinite(number) else np.nan


def _pence(pounds: Any, key: str, where: str) -> int:
    """Money from a result's JSON (text with two decimals, or a number of pounds from an older lm3)."""
    # a plain number within bounds (lm3.values.numbers: "1e9000000" is refused before it is expanded), and
    # no more pounds than any account holds
    plain = isinstance(pounds, str | int | float) and not isinstance(pounds, bool)
    number = plain_number(str(pounds)) if plain else None
    if number is not None and abs(number) < 10**15:
        return round(number * 100)
    raise InputError(
        f"{where}: not an lm3 result ({key} is {pounds!r}, not an amount). Write one with lm3 calculate --json.",
        code="not-a-result",
    )


def _coverage(r: dict[str, Any] | None) -> str | None:
    if not r or not isinstance(r.get("respondents"), int) or not isinstance(r.get("group_size"), int):
        return None
    return f"{r['respondents']} of {r['group_size']}"


def _read_result(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(
            f"Result not found: {path}. Give a JSON file from `lm3 calculate --json` or a project.",
            code="not-a-result",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as err:  # nested deeper than any result: never one lm3 wrote
        raise InputError(
            f"{path}: not an lm3 result (nested too deeply to be one). Write one with lm3 calculate --json > FILE.",
            code="not-a-result",
        ) from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(
            f"{path}: not a JSON result ({err}). Write one with lm3 calculate --json > FILE.",
            code="not-a-result",
        ) from err
    missing = [
        k for k in ("round1", "round2", "round3", "lm3") if not isinstance(data, dict) or k not in data
    ]
    if missing:
        raise InputError(
            f"{path}: not an lm3 result (no {', '.join(missing)}). Write one with lm3 calculate --json > FILE.",
            code="not-a-result",
        )
    return cast("dict[str, Any]", data)


def compare_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The compare table as plain records (the JSON contract, docs/json.md): money as exact Decimal pounds,
    LM3, its interval, round 2 per £1, coverage and the local share as numbers (null where a result did not
    report them); no interval where no one was resampled."""
    params.frame("table", table)
    return [
        jsonable(
            {
                "result": r.result,
                "area": r.area,
                "round1": pence_to_decimal(int(r.round1)),
                "round2": pence_to_decimal(int(r.round2)),
                "round3": pence_to_decimal(int(r.round3)),
                "lm3": None if pd.isna(r.lm3) else float(r.lm3),
                "standing": r.standing,
                "interval": None if pd.isna(r.low) else {"low": float(r.low), "high": float(r.high)},
                "round2_per_pound": float(r.round2_per_pound),
                "coverage": None if pd.isna(r.coverage) else float(r.coverage),
                "local_share": None if pd.isna(r.local_share) else float(r.local_share),
                "supplier_responses": r.supplier_responses,
                "staff_responses": r.staff_responses,
                "rule": rule if isinstance(rule := getattr(r, "rule", None), str) else None,
                "differences": list(getattr(r, "differences", ())),
            }
        )
        for r in row_tuples(table)
    ]
