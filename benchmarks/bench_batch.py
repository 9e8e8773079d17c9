"""lm3 batch against running lm3 calculate on each council-year one after another (issue 20).

    python benchmarks/bench_batch.py [--councils 6] [--rows 50000] [--ch-rows 5500000] [--dir DIR]

Generates (once, into DIR) ``--councils`` council-years with ``make_council.py`` (quirks of real files,
typos, credit notes, many suppliers) and a Companies House file of the real size with
``make_companies_house.py`` (5.5 million companies, about 2.5 GB), then prints, in one run:

- the Companies House index, built once (``lm3.index_companies_house``);
- **by hand**: each council-year in a fresh process as a person runs it without the batch: its suppliers
  the register does not place matched against the Companies House file (``lm3 suppliers companies-house``),
  then ``lm3 calculate`` with both registers; the sum over the councils;
- **the batch** (``lm3.batch`` with the index) on 1 worker and on 2: seconds, tasks per second, its ratio to
  by hand (goal: under 1 even on one worker, because the index is read once per worker, not the bulk file
  once per council), and the peak memory of the largest worker;
- the time to resume after an interruption (one task's part deleted, ``resume=True``).

Exit status 1 if the batch on one worker is not faster than by hand.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

BY_HAND = r"""
import sys, time, json
sys.path.insert(0, {root!r})
import lm3
start = time.perf_counter()
located = lm3.locate({payments!r}, {register!r}, area="Bradford")
wanted = lm3.suppliers_to_look_up(located, unplaced_only=True)
found = lm3.match_companies_house({ch!r}, wanted).register()
result = lm3.calculate({payments!r}, [{register!r}, found], area="Bradford")
print(json.dumps([time.perf_counter() - start, result.lm3]))
"""

BATCH = r"""
import sys, time, json, resource
sys.path.insert(0, {root!r})
import lm3
start = time.perf_counter()
result = lm3.batch({manifest!r}, suppliers={register!r}, companies_house={index!r}, out={out!r},
                   workers={workers}, resume={resume})
elapsed = time.perf_counter() - start
own = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps([elapsed, len(result.summary), len(result.problems), own, children, result.summary["lm3"].tolist()]))
"""


def run(code: str) -> list:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=6)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--ch-rows", type=int, default=5_500_000)
    parser.add_argument("--dir", type=Path, default=HERE / ".data" / "batch")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(HERE)]
    import make_companies_house
    import make_council
    import pandas as pd

    import lm3

    args.dir.mkdir(parents=True, exist_ok=True)
    councils = []
    for i in range(args.councils):
        folder = args.dir / f"council-{i}-{args.rows}"
        if not (folder / "payments.csv").exists():
            print(f"generating {folder} ...", flush=True)
            make_council.write(folder, args.rows, seed=2026 + i)
        councils.append(folder)
    register = str(councils[0] / "register.csv")  # one register for every council, as a region shares one
    ch = args.dir / f"companies-house-{args.ch_rows}.csv"
    if not ch.exists():
        print(f"generating {ch} ...", flush=True)
        make_companies_house.write(ch, args.ch_rows)
    manifest = args.dir / "manifest.csv"
    pd.DataFrame(
        {
            "file": [str(c / "payments.csv") for c in councils],
            "body": [f"Council {i}" for i in range(len(councils))],
            "area": "Bradford",
            "period": "2024-05",
        }
    ).to_csv(manifest, index=False)

    start = time.perf_counter()
    index = lm3.index_companies_house(ch, args.dir / "companies-house.parquet")
    print(f"Companies House index of {args.ch_rows:,} companies: {time.perf_counter() - start:.1f} s, "
          f"{index.stat().st_size / 2**20:,.0f} MB", flush=True)  # fmt: skip

    by_hand, hand_lm3 = 0.0, []
    for c in councils:
        elapsed, value = run(
            BY_HAND.format(root=str(ROOT), payments=str(c / "payments.csv"), register=register, ch=str(ch))
        )
        by_hand += elapsed
        hand_lm3.append(value)
    print(f"by hand, {len(councils)} council-years one after another: {by_hand:.1f} s", flush=True)

    def batch(out: Path, workers: int, resume: bool) -> list:
        """The batch in a fresh process: seconds, tasks done and failed, its own and its workers' peaks."""
        code = BATCH.format(root=str(ROOT), manifest=str(manifest), register=register, index=str(index),
                            out=str(out), workers=workers, resume=resume)  # fmt: skip
        return run(code)

    ok = True
    for workers in (1, 2):
        out = args.dir / f"out-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        elapsed, done, failed, own, children, values = batch(out, workers, resume=False)
        assert failed == 0 and done == len(councils)
        assert [round(v, 12) for v in values] == [round(v, 12) for v in hand_lm3], (
            "the batch gives what calculate gives"
        )
        worker_peak = own if workers == 1 else children
        print(f"batch, {workers} worker(s): {elapsed:.1f} s, {done / elapsed:.2f} tasks/s, ratio to by hand "
              f"{elapsed / by_hand:.2f} (goal < 1), peak memory per worker {worker_peak:,.0f} MB", flush=True)  # fmt: skip
        if workers == 1:
            ok &= elapsed < by_hand
    out = args.dir / "out-1"
    next(iter(sorted((out / "parts").glob("*.json")))).unlink()
    elapsed, *_ = batch(out, 1, resume=True)
    print(f"resume after an interruption (1 of {len(councils)} tasks left): {elapsed:.1f} s", flush=True)
    print("all goals met" if ok else "a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
