"""Ingest speed and memory against raw readers, measured in the same run (issue 3's targets).

    python benchmarks/bench_ingest.py [--dir DIR] [--rows 1000000] [--xlsx-rows 200000] [--repeat 5]

Generates (once, into DIR) a 1,000,000-row spend CSV and a 200,000-row XLSX with real files' quirks
(benchmarks/make_spend.py), then prints, as the median of ``--repeat`` runs, each timed call in a fresh
process (imports done and a small file read first, so import time is not counted), as a person running
``lm3 ingest`` on a file meets it:

- CSV: ``lm3.ingest`` time / pyarrow's raw read time (``pyarrow.csv.read_csv`` from the header row, type
  inference on, ragged rows skipped: the least a reader must do). Target: at most 3.
- XLSX: ``lm3.ingest`` time / python-calamine's raw read time (every sheet to Python values). Target: 1.5.
- Peak memory (its own high-water mark, VmHWM) of a fresh process that only ingests the CSV. Target: under
  1.5 GB.

It also times the CSV as whole processes (``lm3 ingest FILE`` against a process that only reads it with
pyarrow: start-up and imports counted, as a person meets them; target: at most 3). It checks the ingested
totals equal the generator's, to the penny, and prints the same ratios for
repeated calls within one process ("warm": Arrow's memory pool is already grown, which helps pyarrow's raw
read more than it helps lm3). Exit status 1 if a target is missed.
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


_CHILD = """
import sys, time, json
sys.path[:0] = {paths!r}
import bench_ingest as b, lm3, pyarrow.csv, python_calamine
lm3.ingest({warm!r}); b.raw_csv_any({warm!r})
start = time.perf_counter()
result = {call}
elapsed = time.perf_counter() - start
print(json.dumps([elapsed, getattr(result, "total", None)]))
"""


def fresh(call: str, repeat: int, warm: Path) -> tuple[list[float], int | None]:
    """Times of ``call`` (Python source) in ``repeat`` fresh processes; and its result's total."""
    times, total = [], None
    for _ in range(repeat):
        code = _CHILD.format(paths=[str(HERE.parent), str(HERE)], warm=str(warm), call=call)
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
        elapsed, total = json.loads(out.stdout.strip().splitlines()[-1])
        times.append(elapsed)
    return times, total


def _spread(times: list[float]) -> str:
    """Median, and the range when there is more than one run: "0.55 s (0.50-0.71)"."""
    median = f"{statistics.median(times):5.2f} s"
    return median if len(times) == 1 else f"{median} ({min(times):.2f}-{max(times):.2f})"


def raw_csv_any(path: str | Path) -> object:
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(invalid_row_handler=lambda row: "skip"))


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


_PEAK = """
import resource, sys, lm3
r = lm3.ingest(sys.argv[1])
try:  # this process's own high-water mark; ru_maxrss would report the parent's if that was larger
    print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024)
except OSError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_memory_mb(path: Path) -> float:
    """Peak resident memory of a fresh process that ingests ``path``, in MB.

    Read from /proc/self/status (VmHWM) where there is one: Linux carries ``ru_maxrss`` across exec, so a
    child started by this (large) benchmark process would report this process's size, not its own."""
    code = _PEAK
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], check=True, capture_output=True, text=True, cwd=HERE.parent
    )
    return float(out.stdout.strip())


def whole(args: list[str], repeat: int) -> float:
    """Median wall seconds of a whole process (start-up and imports included), as a person meets it."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, cwd=HERE.parent)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=HERE / ".data")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
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

    warm = args.dir / "warm-up.csv"
    warm.write_text("Supplier,Amount\nA,1.00\n")
    ok = True
    for label, path, raw_call, target in (
        ("CSV ", csv_path, f"b.raw_csv({str(csv_path)!r})", CSV_TARGET),
        ("XLSX", xlsx_path, f"b.raw_xlsx({str(xlsx_path)!r})", XLSX_TARGET),
    ):
        raw_times, _ = fresh(raw_call, args.repeat, warm)
        ingest_times, total = fresh(f"lm3.ingest({str(path)!r})", args.repeat, warm)
        exact = total == totals[path.name]
        ratio = statistics.median(ingest_times) / statistics.median(raw_times)
        ok &= ratio <= target and exact
        raw_name = "pyarrow" if label.strip() == "CSV" else "calamine"
        print(
            f"{label} {path.name}: {raw_name} raw read {_spread(raw_times)}, lm3.ingest {_spread(ingest_times)}, "
            f"ratio of the medians {ratio:4.2f} (target <= {target}); total exact to the penny: {exact}"
        )
        raw_fn = raw_csv if label.strip() == "CSV" else raw_xlsx
        raw_fn(path)
        lm3.ingest(path)
        warm_raw, _ = timed(lambda f=raw_fn, p=path: f(p), args.repeat)
        warm_ingest, _ = timed(lambda p=path: lm3.ingest(p), args.repeat)
        print(
            f"     warm, in one process: raw {warm_raw:5.2f} s, lm3.ingest {warm_ingest:5.2f} s, ratio {warm_ingest / warm_raw:4.2f}"
        )

    # as whole processes: `lm3 ingest FILE` against a process that only reads the CSV with pyarrow
    process = whole([sys.executable, "-m", "lm3", "ingest", str(csv_path)], args.repeat)
    raw_code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import bench_ingest as b; b.raw_csv({str(csv_path)!r})"
    raw_process = whole([sys.executable, "-c", raw_code], args.repeat)
    print(
        f"CSV  as whole processes: pyarrow's raw read {raw_process:5.2f} s, lm3 ingest {process:5.2f} s, "
        f"ratio {process / raw_process:4.2f} (target <= {CSV_TARGET})"
    )
    ok &= process / raw_process <= CSV_TARGET
    peak = peak_memory_mb(csv_path)
    ok &= peak < MEMORY_TARGET_MB
    print(f"CSV  peak memory of a process that ingests it: {peak:,.0f} MB (target < {MEMORY_TARGET_MB:,} MB)")
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
