"""The register store at full size (issue 30): adding Companies House, and placing a council-year with it.

    python benchmarks/bench_registers.py [--ch-rows 5700000] [--charities 380000] [--payments 1000000]
                                         [--suppliers 40000] [--dir DIR]

Generates, once, into DIR:

- a Companies House BasicCompanyData file of the real size and layout (``make_companies_house.py``: 5.7
  million companies, about 2.6 GB);
- a Charity Commission register extract in the publisher's layout (380,000 charities: names, numbers,
  contact postcodes, some with their company's number);
- a council-year of payments (``--payments`` rows to ``--suppliers`` suppliers): half companies of the
  Companies House file (a fifth of them paid with their company number, the rest by name as councils write
  them: "Ltd", "Limited"), a sixth charities, a few public bodies, the rest no register knows; written as
  ``lm3.ingest`` reads it.

Then, in one run, each step in a fresh process (placing and DuckDB: the median of three):

- **adding** Companies House to a register store (``lm3.registers.add``): seconds and peak memory (goals:
  under 3 minutes, under 1.5 GB), then the charities; the store's size on disk (goal: under 400 MB);
- **placing** the council-year with no register of its own (``lm3.locate`` on the payments already read:
  the spend file, the store, the public bodies, with near names), against **DuckDB** joining the same
  payments' supplier keys and company numbers to the same registers' keys, numbers and postcodes (written
  from the store as Parquet, DuckDB's own way in, before the clock starts) and the public bodies (spend per
  supplier, joined by company number, then by name key, to each register): the ratio (goal: at most 3).

Prints the figures and "all goals met", or exits with status 1. DuckDB is not an lm3 dependency:
``pip install duckdb`` to run this.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHARITY_WORDS_A = ["FRIENDS", "TRUST", "FUND", "SOCIETY", "FOUNDATION", "ASSOCIATION", "APPEAL", "CENTRE"]
CHARITY_WORDS_B = ["OF ST", "FOR THE", "OF THE", "IN AID OF"]
PLACES = ["ABBEY", "ASHTON", "BARWICK", "BRAMHAM", "CALDER", "DALE", "EDEN", "FELL", "GARTH", "HOLME", "IRWELL",
          "KIRK", "LEA", "MARSH", "NESS", "OAKS", "PARK", "QUARRY", "RYDAL", "SHAW", "THORN", "ULLS", "VALE",
          "WOLD", "YORE", "ZION"]  # fmt: skip
POSTCODES = [
    "BD1 1HY",
    "BD7 1DP",
    "LS1 4DY",
    "LS2 9JT",
    "M1 1AE",
    "SW1A 1AA",
    "B1 1BB",
    "CF10 1EP",
    "EH1 1YZ",
]

ADD = r"""
import sys, time, json
sys.path.insert(0, {root!r})
import lm3
start = time.perf_counter()
info = lm3.registers.add({path!r}, registers={store!r})
elapsed = time.perf_counter() - start
peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
print(json.dumps([elapsed, peak, info[0].rows]))
"""

PLACE = r"""
import sys, time, json
sys.path.insert(0, {root!r})
import lm3
payments = lm3.ingest({payments!r})
start = time.perf_counter()
located = lm3.locate(payments, None, area="Bradford", registers={store!r})
elapsed = time.perf_counter() - start
peak = next(int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM')) / 1024
sources = located.by_source().set_index("source")["suppliers"].to_dict()
print(json.dumps([elapsed, peak, located.coverage, {{str(k): int(v) for k, v in sources.items()}}]))
"""

PARQUET = r"""
import sys
sys.path.insert(0, {root!r})
import pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq
from lm3.values.names import arrow_supplier_key
for name, out in {files!r}:
    with pa.OSFile(name) as source:
        rows = ipc.open_file(source).read_all().select(["name", "company_number", "postcode"])
    key = arrow_supplier_key(rows.column("name").combine_chunks())
    pq.write_table(pa.table({{"key": key, "company_number": rows.column("company_number"),
                              "postcode": rows.column("postcode")}}), out, compression="zstd")
print("[]")
"""

DUCKDB = r"""
import sys, time, json
sys.path.insert(0, {root!r})
import duckdb, lm3
payments = lm3.ingest({payments!r})
paid = payments.data[["key", "company_number", "amount"]]
bodies = lm3.registers.store({store!r}).rows("public-bodies")[["key", "lad", "postcode"]]
start = time.perf_counter()
con = duckdb.connect()
con.register("paid", paid)
con.register("bodies", bodies)
placed = con.execute('''
    with spend as (
        select key, any_value(company_number) as number, sum(amount) as amount from paid group by key),
    ch as (select key, company_number, postcode from read_parquet({ch!r})),
    charities as (select key, postcode from read_parquet({charities!r})),
    by_number as (select s.key, c.postcode from spend s join ch c on s.number = c.company_number),
    by_name as (select s.key, c.postcode from spend s join ch c on s.key = c.key),
    by_charity as (select s.key, c.postcode from spend s join charities c on s.key = c.key),
    by_body as (select s.key, coalesce(b.postcode, b.lad) as postcode from spend s join bodies b on s.key = b.key),
    every as (select * from by_number union all select * from by_name union all select * from by_charity
              union all select * from by_body)
    select count(distinct key) from every
''').fetchone()[0]
elapsed = time.perf_counter() - start
print(json.dumps([elapsed, placed]))
"""


def run(code: str) -> list:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_charities(path: Path, n: int, seed: int = 7) -> pd.DataFrame:
    """A Charity Commission register extract (its own column names), ``n`` charities with unique names."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    place = np.array(PLACES)[i % len(PLACES)]
    kind = np.array(CHARITY_WORDS_A)[(i // len(PLACES)) % len(CHARITY_WORDS_A)]
    link = np.array(CHARITY_WORDS_B)[(i // (len(PLACES) * len(CHARITY_WORDS_A))) % len(CHARITY_WORDS_B)]
    names = np.char.add(
        np.char.add(np.char.add(place, " "), kind),
        np.char.add(" " + np.char.zfill((i // 832).astype(str), 5), ""),
    )
    names = np.char.add(np.char.add(names, " "), link)
    frame = pd.DataFrame(
        {
            "registered_charity_number": (1_000_000 + i).astype(str),
            "linked_charity_number": "0",
            "charity_name": names,
            "charity_registration_status": np.where(rng.random(n) < 0.9, "Registered", "Removed"),
            "date_of_removal": "",
            "charity_contact_postcode": np.array(POSTCODES)[rng.integers(0, len(POSTCODES), n)],
            "charity_company_registration_number": "",
        }
    )
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)
    return frame


def write_payments(path: Path, rows: int, suppliers: int, charities: pd.DataFrame, ch_rows: int) -> None:
    """A council-year: spend.csv with supplier names (and a company number column), amounts and dates."""
    sys.path[:0] = [str(HERE)]
    import make_companies_house

    rng = np.random.default_rng(11)
    n_company, n_charity, n_body = suppliers // 2, suppliers // 6, 300
    picks = rng.choice(ch_rows, n_company, replace=False)
    companies = make_companies_house.companies_at(picks)
    company_names = companies["name"] + np.where(rng.random(n_company) < 0.5, " Ltd", " Limited")
    numbers = np.where(np.arange(n_company) % 5 == 0, companies["number"], "")
    charity_names = charities["charity_name"].sample(n_charity, random_state=3).str.title().to_numpy()
    bodies = pd.read_csv(ROOT / "lm3" / "data" / "public_bodies.csv")["name"].drop_duplicates()
    body_names = bodies.sample(min(n_body, len(bodies)), random_state=5).to_numpy()
    unknown = suppliers - n_company - n_charity - len(body_names)
    unknown_names = np.char.add("Unregistered Trader ", np.arange(unknown).astype(str))
    names = np.concatenate([company_names, charity_names, body_names, unknown_names])
    number_of = np.concatenate([numbers, [""] * (suppliers - n_company)])
    who = rng.integers(0, suppliers, rows)
    amounts = rng.lognormal(7, 1.5, rows).round(2)
    frame = pd.DataFrame(
        {
            "Supplier Name": names[who],
            "Comp. reg. no": np.where(number_of[who] == "", "N/A", number_of[who]),
            "Amount": amounts,
            "Payment Date": "15/05/2024",
        }
    )
    pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ch-rows", type=int, default=5_700_000)
    parser.add_argument("--charities", type=int, default=380_000)
    parser.add_argument("--payments", type=int, default=1_000_000)
    parser.add_argument("--suppliers", type=int, default=40_000)
    parser.add_argument("--dir", type=Path, default=HERE / ".data" / "registers")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(HERE)]
    import make_companies_house

    data = args.dir
    data.mkdir(parents=True, exist_ok=True)
    ch = data / f"BasicCompanyDataAsOneFile-2025-11-01-{args.ch_rows}.csv"
    if not ch.exists():
        t = time.perf_counter()
        make_companies_house.write(ch, args.ch_rows)
        print(f"generated {ch.name} ({ch.stat().st_size / 1e9:.2f} GB) in {time.perf_counter() - t:.0f} s")
    charities_file = data / f"publicextract.charity-{args.charities}.csv"
    charities = write_charities(charities_file, args.charities)
    spend = data / f"spend-{args.payments}-{args.suppliers}.csv"
    if not spend.exists():
        write_payments(spend, args.payments, args.suppliers, charities, args.ch_rows)
    store = data / "store"
    if store.exists():
        import shutil

        shutil.rmtree(store)

    add_s, add_mb, rows = run(ADD.format(root=str(ROOT), path=str(ch), store=str(store)))
    print(f"add Companies House: {rows:,} rows in {add_s:.1f} s, peak {add_mb:,.0f} MB")
    c_s, c_mb, c_rows = run(ADD.format(root=str(ROOT), path=str(charities_file), store=str(store)))
    print(f"add the charities: {c_rows:,} rows in {c_s:.1f} s, peak {c_mb:,.0f} MB")
    size = sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) / 2**20
    print(f"the store on disk: {size:,.0f} MB")

    # medians of three fresh processes each (this machine's timings vary by a tenth from run to run)
    os.sync()  # the store just written is on disk before anything is timed (no write-back during a run)
    places = [run(PLACE.format(root=str(ROOT), payments=str(spend), store=str(store))) for _ in range(3)]
    place_s = float(np.median([p[0] for p in places]))
    place_mb = max(p[1] for p in places)
    coverage, sources = places[0][2], places[0][3]
    print(f"place {args.payments:,} payments to {args.suppliers:,} suppliers: {place_s:.2f} s, peak {place_mb:,.0f} MB, "
          f"coverage {coverage:.1%}; by source: {sources}")  # fmt: skip
    goals = [add_s < 180, add_mb < 1536, size < 400]
    try:
        import duckdb  # noqa: F401
    except ImportError:
        print("DuckDB not installed (pip install duckdb): no ratio")
        return 0 if all(goals) else 1
    ch_parquet, charities_parquet = data / "duckdb-companies-house.parquet", data / "duckdb-charities.parquet"
    run(
        PARQUET.format(
            root=str(ROOT),
            files=[
                (str(store / "companies-house.arrow"), str(ch_parquet)),
                (str(store / "charity-commission.arrow"), str(charities_parquet)),
            ],
        )
    )
    os.sync()  # likewise the Parquet files
    ducks = [
        run(
            DUCKDB.format(
                root=str(ROOT),
                payments=str(spend),
                store=str(store),
                ch=str(ch_parquet),
                charities=str(charities_parquet),
            )
        )
        for _ in range(3)
    ]
    duck_s, duck_placed = float(np.median([d[0] for d in ducks])), ducks[0][1]
    ratio = place_s / duck_s
    print(
        f"DuckDB joining the same keys: {duck_s:.2f} s ({duck_placed:,} suppliers found); lm3 / DuckDB = {ratio:.2f} (goal 3)"
    )
    goals.append(ratio <= 3)
    print("all goals met" if all(goals) else "GOALS NOT MET")
    return 0 if all(goals) else 1


if __name__ == "__main__":
    sys.exit(main())
