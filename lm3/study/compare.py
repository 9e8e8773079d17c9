"""Results side by side (two years, two organisations): ``lm3.compare``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lm3.errors import InputError
from lm3.study.project import load_project
from lm3.study.result import LM3Result
from lm3.values import params
from lm3.values.frames import row_tuples
from lm3.values.jsontext import jsonable
from lm3.values.money import pence_to_decimal

COMPARE_COLUMNS = [
    "result",
    "area",
    "round1",
    "round2",
    "round3",
    "lm3",
    "low",
    "high",
    "round2_per_pound",
    "coverage",
    "local_share",
    "supplier_responses",
    "staff_responses",
]


def compare(results: Sequence[LM3Result | dict[str, Any] | str | Path]) -> pd.DataFrame:
    """Results side by side (two years, two organisations): one row each (``COMPARE_COLUMNS``, money in
    pence; ``round2_per_pound`` = R2 / R1; ``coverage`` = placed / round-1 payments; ``local_share`` = local
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
        responses = data.get("responses") or {}
        resampled = any(r.get("respondents") for r in responses.values())
        interval = (data.get("interval") or {}) if resampled else {}  # no one to resample: no interval
        rows.append(
            {
                "result": label,
                "area": data.get("area"),
                "round1": _pence(data["round1"]),
                "round2": _pence(data["round2"]),
                "round3": _pence(data["round3"]),
                "lm3": float(data["lm3"]),
                "low": interval.get("low", np.nan),
                "high": interval.get("high", np.nan),
                "round2_per_pound": _pence(data["round2"]) / _pence(data["round1"]),
                "coverage": _number(data.get("coverage")),
                "local_share": _number(data.get("local_share")),
                "supplier_responses": _coverage(responses.get("local suppliers")),
                "staff_responses": _coverage(responses.get("local staff")),
            }
        )
    return pd.DataFrame(rows, columns=COMPARE_COLUMNS)


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else np.nan


def _pence(pounds: float | int | str) -> int:
    return round(Fraction(str(pounds)) * 100)


def _coverage(r: dict[str, Any] | None) -> str | None:
    if not r:
        return None
    return f"{r['respondents']} of {r['group_size']}"


def _read_result(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(
            f"Result not found: {path}. Give a JSON file from `lm3 calculate --json` or a project."
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(
            f"{path}: not a JSON result ({err}). Write one with lm3 calculate --json > FILE."
        ) from err
    missing = [
        k for k in ("round1", "round2", "round3", "lm3") if not isinstance(data, dict) or k not in data
    ]
    if missing:
        raise InputError(
            f"{path}: not an lm3 result (no {', '.join(missing)}). Write one with lm3 calculate --json > FILE."
        )
    return data


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
                "lm3": float(r.lm3),
                "interval": None if pd.isna(r.low) else {"low": float(r.low), "high": float(r.high)},
                "round2_per_pound": float(r.round2_per_pound),
                "coverage": None if pd.isna(r.coverage) else float(r.coverage),
                "local_share": None if pd.isna(r.local_share) else float(r.local_share),
                "supplier_responses": r.supplier_responses,
                "staff_responses": r.staff_responses,
            }
        )
        for r in row_tuples(table)
    ]
