"""Ingest speed and memory against raw readers, measured in the same run (issue 3's targets).

    python benchmarks/bench_ingest.py [--dir DIR] [--rows 1000000] [--xlsx-rows 200000] [--repeat 3]

Generates (once, into DIR) a 1,000,000-row spend CSV and a 200,000-row XLSX with real files' quirks
(benchmarks/make_spend.py), then prints, as the median of ``--repeat`` runs:

- CSV: ``lm3.ingest`` time / pyarrow's raw read time (``pyarrow.csv.read_csv`` from the header row, type
  inference on, ragged rows skipped: the least a reader must do). Target: at most 3.
- XLSX: ``lm3.ingest`` time / python-calamine's raw read time (every sheet to Python values). Target: 1.5.
- Peak memory (max RSS) of a fresh process that only ingests the CSV. Target: under 1.5 GB.

It also checks the ingested totals equal the generator's, to the penny. Exit status 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

CSV_TARGET = 3.0
XLSX_TARGET = 1.5
MEMORY_TARGET_MB = 1536


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def raw_csv(path: Path) -> object:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(skip_rows=3),  # the title, parameter and blank lines above the header
        parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"),
    )


def raw_xlsx(path: Path) -> object:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]


def peak_memory_mb(path: Path) -> float:
    code = (
        "import resource, sys, lm3; r = lm3.ingest(sys.argv[1]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True, cwd=HERE.parent
    )
    return float(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE / ".data")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from make_spend import write_csv, write_xlsx

    import lm3

    args.dir.mkdir(parents=True, exist_ok=True)
    csv_path = args.dir / f"spend-{args.rows}.csv"
    xlsx_path = args.dir / f"spend-{args.xlsx_rows}.xlsx"
    totals_path = args.dir / "totals.json"
    totals = json.loads(totals_path.read_text()) if totals_path.exists() else {}
    if not csv_path.exists() or csv_path.name not in totals:
        print(f"generating {csv_path} ...", flush=True)
        totals[csv_path.name] = write_csv(csv_path, args.rows)
    if not xlsx_path.exists() or xlsx_path.name not in totals:
        print(f"generating {xlsx_path} ...", flush=True)
        totals[xlsx_path.name] = write_xlsx(xlsx_path, args.xlsx_rows)
    totals_path.write_text(json.dumps(totals))

    ok = True
    raw_t, _ = timed(lambda: raw_csv(csv_path), args.repeat)
    ingest_t, result = timed(lambda: lm3.ingest(csv_path), args.repeat)
    exact = result.total == totals[csv_path.name]
    ratio = ingest_t / raw_t
    ok &= ratio <= CSV_TARGET and exact
    print(
        f"CSV  {args.rows:>9,} rows  pyarrow raw {raw_t:6.2f} s  lm3.ingest {ingest_t:6.2f} s  "
        f"ratio {ratio:4.2f} (target <= {CSV_TARGET})  total exact: {exact}  "
        f"accepted {result.rows_accepted:,} rejected {result.rows_rejected:,}"
    )

    raw_t, _ = timed(lambda: raw_xlsx(xlsx_path), args.repeat)
    ingest_t, result = timed(lambda: lm3.ingest(xlsx_path), args.repeat)
    exact = result.total == totals[xlsx_path.name]
    ratio = ingest_t / raw_t
    ok &= ratio <= XLSX_TARGET and exact
    print(
        f"XLSX {args.xlsx_rows:>9,} rows  calamine raw {raw_t:5.2f} s  lm3.ingest {ingest_t:6.2f} s  "
        f"ratio {ratio:4.2f} (target <= {XLSX_TARGET})  total exact: {exact}  sheets {', '.join(result.sheets)}"
    )

    peak = peak_memory_mb(csv_path)
    ok &= peak < MEMORY_TARGET_MB
    print(f"CSV  peak memory of a process that ingests it: {peak:,.0f} MB (target < {MEMORY_TARGET_MB:,} MB)")
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
