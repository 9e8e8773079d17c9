"""lm3.batch on real councils' files: each body-year gives what lm3.calculate gives for its files alone, on
every engine (one process, a process pool, a Dask LocalCluster, and a scheduler and workers started as
separate processes); a bad file is a problem and the others go on; an interrupted run resumes."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import DATA, ROOT

import lm3
from lm3 import charts
from lm3.cli.commands import cli

SPEND = DATA / "spend"
REAL = ROOT / "data" / "real"
REGISTER = REAL / "salford-contracts-register-2022-07.csv"
FILES = [
    (REAL / "manchester-spend-2022-05.csv", "Manchester City Council", "Manchester", "2022-05"),
    (SPEND / "odileeds_salford_clean_2022-04.csv", "Salford City Council", "Salford", "2022-04"),
    (SPEND / "odileeds_salford_clean_2022-05.csv", "Salford City Council", "Salford", "2022-05"),
    (SPEND / "odileeds_calderdale_clean_2022-08.csv", "Calderdale Council", "Calderdale", "2022-08"),
]
BROKEN = DATA / "hostile" / "csv_unclosed_quote.csv"


def _manifest(tmp_path: Path, rows: list[tuple[Path, str, str, str]] = FILES) -> Path:
    path = tmp_path / "manifest.csv"
    pd.DataFrame(rows, columns=["file", "body", "area", "period"]).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[lm3.BatchResult, Path]:
    """The batch run one task after another, and the folder its tables were written to."""
    folder = tmp_path_factory.mktemp("serial")
    return lm3.batch(_manifest(folder), suppliers=REGISTER, out=folder / "out", workers=1), folder / "out"


@pytest.fixture(scope="module")
def serial(serial_run: tuple[lm3.BatchResult, Path]) -> lm3.BatchResult:
    return serial_run[0]


def test_each_body_year_is_what_calculate_gives_for_its_files(serial):
    summary = serial.summary.set_index(["body", "period"])
    assert list(summary.index) == [
        ("Calderdale Council", "2022-23"),
        ("Manchester City Council", "2022-23"),
        ("Salford City Council", "2022-23"),
    ]
    for body, area in (("Manchester City Council", "Manchester"), ("Salford City Council", "Salford")):
        files = [f for f, b, _, _ in FILES if b == body]
        alone = lm3.calculate(files, REGISTER, area=area)
        row = summary.loc[(body, "2022-23")]
        assert row["files"] == len(files)
        assert (row["total"], row["placed"]) == (alone.payments, alone.placed)
        assert row["lm3"] == alone.lm3 and row["coverage"] == alone.coverage
        assert row["local_share"] == alone.local_share
        assert row["lm3_all_local"] == alone.bounds.all_local
        trace = alone.suppliers
        assert row["local"] == int(trace.loc[trace["local"].astype(bool), "round1"].sum())
        assert row["rows"] == lm3.ingest(files).rows_accepted
        leak = charts.leakage_table(alone).groupby("place")["lost"].sum()
        got = serial.leakage[serial.leakage["body"] == body].set_index("place")["amount"]
        assert got.to_dict() == {p: int(v) for p, v in leak.items() if v}


def test_the_tables_are_written_with_money_as_text(serial_run):
    serial, folder = serial_run
    text = pd.read_csv(folder / "summary.csv", dtype="str")
    manchester = text[text["body"] == "Manchester City Council"].iloc[0]
    pence = int(serial.summary.set_index("body").loc["Manchester City Council", "total"])
    assert manchester["total"] == f"{pence // 100}.{pence % 100:02d}"
    parquet = pd.read_parquet(folder / "summary.parquet")
    assert parquet["total"].tolist() == text["total"].tolist()  # money as text there too
    assert parquet["lm3"].tolist() == serial.summary["lm3"].tolist()
    assert set(pd.read_parquet(folder / "leakage.parquet").columns) == {"body", "period", "place", "amount"}
    assert (folder / "summary.xlsx").is_file()
    for chart in ("ranking.png", "map.png"):
        assert (folder / chart).read_bytes()[:4] == b"\x89PNG"
    assert serial.summary.set_index("body").loc["Salford City Council", "lads"] == "E08000006"
    assert len(list((folder / "parts").glob("*.json"))) == 3


@pytest.mark.slow
def test_a_bad_file_is_a_problem_and_the_others_go_on(tmp_path, serial):
    unusable = tmp_path / "unusable.csv"
    unusable.write_text("Supplier,Amount\nACME LTD,ten pounds\nBETA LTD,12.00\n", encoding="utf-8")
    rows = [*FILES, (BROKEN, "Broken Borough", "Leeds", "2023-01"), (unusable, "Unusable", "York", "2023-02")]
    result = lm3.batch(_manifest(tmp_path, rows), suppliers=REGISTER, out=tmp_path / "out", workers=1)
    assert result.summary.equals(serial.summary)
    problems = pd.read_csv(tmp_path / "out" / "problems.csv")
    assert problems[["body", "period", "code"]].values.tolist() == [
        ["Broken Borough", "2022-23", "value-too-long"],
        ["Unusable", "2022-23", "rows-cannot-be-used"],
    ]
    assert "csv_unclosed_quote.csv" in problems["problem"].iloc[0]
    # the rows a file cannot use are named, with the column and the reason
    assert (
        "unusable.csv: 1 row cannot be used; row 2, column 'Amount': 'ten pounds'"
        in problems["problem"].iloc[1]
    )


@pytest.mark.slow
def test_an_interrupted_run_resumes(tmp_path, serial):
    manifest = _manifest(tmp_path)
    out = tmp_path / "out"
    lm3.batch(manifest, suppliers=REGISTER, out=out, workers=1)
    parts = sorted((out / "parts").glob("*.json"))
    parts[0].unlink()  # as if stopped before the first task finished
    kept = {p: p.stat().st_mtime_ns for p in parts[1:]}
    again = lm3.batch(manifest, suppliers=REGISTER, out=out, workers=1, resume=True)
    assert again.resumed == 2 and again.summary.equals(serial.summary)
    assert all(p.stat().st_mtime_ns == t for p, t in kept.items())  # finished tasks were not run again
    assert parts[0].is_file()


def test_a_process_pool_gives_the_same_to_the_penny(tmp_path, serial):
    result = lm3.batch(_manifest(tmp_path), suppliers=REGISTER, workers=2)
    assert result.summary.equals(serial.summary) and result.leakage.equals(serial.leakage)


def test_a_manifest_folder_and_its_mistakes(tmp_path, serial):
    for file, body, _area, period in FILES:
        folder = tmp_path / "spend" / body / period
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, folder / file.name)
    pd.DataFrame(
        {"body": [b for _, b, _, _ in FILES], "area": [a for _, _, a, _ in FILES]}
    ).drop_duplicates().to_csv(tmp_path / "spend" / "areas.csv", index=False)
    result = lm3.batch(tmp_path / "spend", suppliers=REGISTER, workers=1)
    assert result.summary.drop(columns="files").equals(serial.summary.drop(columns="files"))
    with pytest.raises(lm3.InputError, match=r"areas\.csv") as err:
        lm3.batch(tmp_path / "spend" / "Salford City Council", suppliers=REGISTER)
    assert err.value.code == "bad-manifest"
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"file": ["a.csv"], "body": ["X"]}).to_csv(bad, index=False)
    with pytest.raises(lm3.InputError, match="area, period missing"):
        lm3.batch(bad)
    two = tmp_path / "two.csv"
    pd.DataFrame(
        {
            "file": ["a.csv", "b.csv"],
            "body": ["X", "X"],
            "area": ["Leeds", "York"],
            "period": ["2023-05", "2023-06"],
        }
    ).to_csv(two, index=False)
    with pytest.raises(lm3.InputError, match="two areas"):
        lm3.batch(two)


def test_financial_years():
    from lm3.batch import financial_year

    assert [financial_year(p) for p in ("2023-04", "2024-03", "2023-12-31", "2019-01", "2023-24", "Q1")] == [
        "2023-24",
        "2023-24",
        "2023-24",
        "2018-19",
        "2023-24",
        "Q1",
    ]


def test_the_command_prints_the_summary_and_writes_the_tables(tmp_path, serial):
    out = tmp_path / "out"
    done = CliRunner().invoke(
        cli,
        [
            "batch",
            str(_manifest(tmp_path)),
            "--suppliers",
            str(REGISTER),
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert done.exit_code == 0, done.output
    assert "Salford City Council 2022-23" in done.output and "3 body-year(s) calculated, 0 not" in done.output
    as_json = CliRunner().invoke(
        cli,
        [
            "batch",
            str(_manifest(tmp_path)),
            "--suppliers",
            str(REGISTER),
            "--out",
            str(out),
            "--resume",
            "--json",
        ],
    )
    data = json.loads(as_json.output)
    assert [r["body"] for r in data["summary"]] == list(serial.summary["body"])
    pence = serial.summary["total"].iloc[0]
    assert data["summary"][0]["total"] == f"{pence // 100}.{pence % 100:02d}" and data["resumed"] == 3


def test_without_the_dask_extra_the_message_says_what_to_install(tmp_path):
    code = (
        "import sys; sys.modules['distributed'] = None\n"  # as on a machine without the dask extra
        "import lm3\n"
        "try:\n"
        f"    lm3.batch({str(_manifest(tmp_path))!r}, scheduler='local')\n"
        "except lm3.InputError as err:\n"
        "    print(err.code, err)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("dask-missing") and 'pip install "lm3[dask]"' in done.stdout


distributed = pytest.importorskip(
    "distributed", reason="the dask extra is not installed (pip install 'lm3[dask]')"
)


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_to_the_penny(tmp_path, serial):
    result = lm3.batch(_manifest(tmp_path), suppliers=REGISTER, scheduler="local", workers=2)
    assert result.summary.equals(serial.summary) and result.leakage.equals(serial.leakage)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_scheduler_and_workers_started_apart_give_the_same(tmp_path, serial):
    """`dask scheduler` and two `dask worker`s as processes of their own on 127.0.0.1, torn down after."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bin_dir = Path(sys.executable).parent
    scheduler = subprocess.Popen(
        [
            str(bin_dir / "dask"),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dashboard-address",
            ":0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = [
        subprocess.Popen(
            [
                str(bin_dir / "dask"),
                "worker",
                address,
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    try:
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
        result = lm3.batch(_manifest(tmp_path), suppliers=REGISTER, scheduler=address)
        assert result.summary.equals(serial.summary) and result.leakage.equals(serial.leakage)
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        time.sleep(0.1)


@pytest.mark.slow
def test_a_companies_house_index_places_what_the_registers_do_not(tmp_path):
    """Suppliers no register places are looked up in a Companies House index: the body-year's figures are
    those of lm3.calculate with the matches as one more register (lm3 suppliers companies-house by hand)."""
    real = DATA / "companies_house" / "ch_basiccompanydata_2025-01-01_part1_first50.csv"
    with real.open(encoding="utf-8-sig") as f:
        header = next(csv.reader(f))  # Companies House's own header, spaces and all
    companies = [  # two of Manchester's suppliers the Salford register does not place, and one other
        {
            "CompanyName": "POST OFFICE LIMITED",
            " CompanyNumber": "02154540",
            "RegAddress.PostCode": "EC1V 9HQ",
        },
        {
            "CompanyName": "LAING O'ROURKE CONSTRUCTION LIMITED",
            " CompanyNumber": "01710524",
            "RegAddress.PostCode": "M1 1AD",
        },
        {
            "CompanyName": "UNRELATED WIDGETS LTD",
            " CompanyNumber": "09999999",
            "RegAddress.PostCode": "LS1 4AP",
        },
    ]
    ch = tmp_path / "BasicCompanyData.csv"
    with ch.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        for company in companies:
            writer.writerow({h: "" for h in header} | {"CompanyStatus": "Active"} | company)
    index = lm3.index_companies_house(ch, tmp_path / "ch.parquet")
    manchester = [FILES[0]]
    result = lm3.batch(_manifest(tmp_path, manchester), suppliers=REGISTER, companies_house=index, workers=1)
    wanted = lm3.suppliers_to_look_up(
        lm3.locate(FILES[0][0], REGISTER, area="Manchester"), unplaced_only=True
    )
    register = lm3.match_companies_house(ch, wanted).register()
    assert len(register) == 2
    by_hand = lm3.calculate(FILES[0][0], [REGISTER, register], area="Manchester")
    row = result.summary.iloc[0]
    assert (row["placed"], row["lm3"]) == (by_hand.placed, by_hand.lm3)
    without = lm3.calculate(FILES[0][0], REGISTER, area="Manchester")
    assert row["placed"] > without.placed
    with pytest.raises(lm3.InputError, match="not the bulk file") as err:
        lm3.batch(_manifest(tmp_path, manchester), suppliers=REGISTER, companies_house=ch)
    assert err.value.params == ("companies_house",)


def test_payroll_and_surveys_in_the_manifest_give_the_samples_2_52(tmp_path):
    """A body-year's payroll and survey answers named in the manifest (kind): the task uses them as
    lm3 calculate does, and only its figures leave it (no employee, no answer)."""
    sample = ROOT / "lm3" / "data" / "samples" / "bradford-trident"
    rows = pd.DataFrame(
        {
            "file": [
                str(sample / f)
                for f in ("payments.xlsx", "payroll.xlsx", "supplier-survey.xlsx", "staff-survey.xlsx")
            ],
            "body": "Bradford Trident",
            "area": "Bradford",
            "period": "2024-04",
            "kind": ["", "payroll", "supplier_survey", "staff_survey"],
        }
    )
    result = lm3.batch(rows, suppliers=sample / "suppliers.xlsx", workers=1)
    expected = lm3.load_project(sample).calculate()
    row = result.summary.iloc[0]
    assert row["lm3"] == expected.lm3 and f"{row['lm3']:.2f}" == "2.52"
    assert row["files"] == 1 and set(result.to_dict()["summary"][0]) == set(result.summary.columns)
    assert "BT001" not in json.dumps(result.to_dict(), default=str)
    own = pd.concat(  # the body's own register in the manifest instead of the batch's
        [
            rows,
            pd.DataFrame(
                {
                    "file": [str(sample / "suppliers.xlsx")],
                    "body": "Bradford Trident",
                    "area": "Bradford",
                    "period": "2024-06",
                    "kind": "suppliers",
                }
            ),
        ]
    )
    assert lm3.batch(own, workers=1).summary["lm3"].tolist() == [expected.lm3]
    bad = rows.assign(kind=["", "payroll", "payroll", "invoices"])
    with pytest.raises(lm3.InputError, match="'invoices' is not one lm3 reads"):
        lm3.batch(bad, suppliers=sample / "suppliers.xlsx")


def test_tasks_need_no_register_and_place_from_the_register_store(tmp_path):
    """No --suppliers: each task (in processes of its own) places suppliers from the spend file, lm3's public
    bodies and the register store given, and gives what lm3.calculate gives with that store."""
    barrow = DATA / "spend" / "barrow_bc_2023-04.csv"
    with barrow.open(encoding="utf-8", newline="") as f:
        names = sorted({r["Supplier"] for r in csv.DictReader(f)})[:40]
    vendors = tmp_path / "vendors.csv"
    pd.DataFrame({"Supplier": names, "Postcode": ["LA14 2LD", "LS1 4DY"] * 20}).to_csv(vendors, index=False)
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(vendors, registers=store)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        f"file,body,area,period\n{barrow},Barrow,Westmorland and Furness,2023-04\n", encoding="utf-8"
    )
    done = lm3.batch(manifest, registers=store.folder, out=tmp_path / "out", workers=2)
    assert done.problems.empty
    row = done.summary.iloc[0]
    expected = lm3.calculate(barrow, area="Westmorland and Furness", registers=store)
    assert (row["placed"], row["local"], row["standing"]) == (
        expected.placed,
        int(expected.suppliers.loc[expected.suppliers["local"], "round1"].sum()),
        expected.standing,
    )
    assert (
        row["lm3"] == expected.figure
        and expected.by_source().set_index("source").loc["the register store: vendors", "suppliers"] > 0
    )
