"""Every council, every year: ``lm3.batch`` runs many bodies' spend files at once and says where each stands.

A **manifest** names the files: a CSV with one row per spend file (columns ``file``, ``body``, ``area``,
``period``; a file's path relative to the manifest; an optional ``kind``, "suppliers", "payroll",
"supplier_survey" or "staff_survey", gives a body-year its own register, payroll and survey answers, blank
being payments), or a folder laid out ``BODY/PERIOD/*.csv|xlsx`` with a
CSV ``areas.csv`` beside the bodies (``body``, ``area``). The files of one body and one financial year
(April to March; a period "2023-05" is in "2023-24") are one **task**.

Each task reads its files with every rule of ``lm3.ingest``, places the suppliers through the registers
given, and computes for its body and year what ``lm3.calculate`` gives for those files alone (on the
published default shares, or the surveys when given; payroll and survey answers become aggregates inside
the task, and only the figures leave it): rows, total, placed, coverage, local spend and local share, LM3 with its bounds,
leakage by place, the SME and VCSE shares of placed spend, and the warnings. A task that fails is a row of
``problems``; the others go on.

Tasks run one after another (``workers=1``), on a process pool (``workers`` processes, the default engine),
or on Dask (``scheduler="local"`` starts a LocalCluster on 127.0.0.1; ``scheduler="tcp://HOST:8786"`` uses
a running cluster): every engine is a ``concurrent.futures`` executor running the same task function, so the
results are the same to the penny. With ``out``, each finished task is written to ``out/parts/`` at once, so
an interrupted run resumes where it stopped (``resume=True``), and the tables are written under ``out``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from hashlib import sha1
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lm3.errors import InputError, LM3Error
from lm3.inputs.companies_house import match_companies_house
from lm3.inputs.ingest import ingest
from lm3.inputs.store import RegisterStore, open_store
from lm3.progress import Progress, report
from lm3.render.charts import ranking_chart
from lm3.render.maps import local_share_map
from lm3.render.workbook import write_table
from lm3.study.calculate import calculate
from lm3.study.locate import locate, suppliers_to_look_up
from lm3.study.tables import leakage_table
from lm3.values import params
from lm3.values.cells import write_csv
from lm3.values.money import format_gbp, pence_to_decimal

SUMMARY_COLUMNS = [
    "body", "period", "area", "lads", "files", "rows", "total", "placed", "coverage", "local", "local_share", "lm3",
    "standing", "lm3_like_placed", "lm3_all_local", "sme_share", "vcse_share", "warnings", "rule",
]  # fmt: skip
MONEY = ("total", "placed", "local")
LEAKAGE_COLUMNS = ["body", "period", "place", "amount"]
PROBLEM_COLUMNS = ["body", "period", "files", "code", "problem"]
MANIFEST_COLUMNS = ("file", "body", "area", "period")
KINDS = ("payments", "suppliers", "payroll", "supplier_survey", "staff_survey")  # the manifest's kind column


@dataclass(frozen=True)
class Task:
    """One body's files for one financial year."""

    body: str
    period: str
    area: str
    files: tuple[str, ...]
    payroll: str | None = None
    supplier_survey: tuple[str, ...] = ()
    staff_survey: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()  # the body's own registers, beside the batch's

    @property
    def id(self) -> str:
        """A name for the task's part file: readable, and unique even when bodies' names collide."""
        named = (self.body, self.period, self.area, *self.files, self.payroll or "", *self.suppliers)
        digest = sha1("\n".join((*named, *self.supplier_survey, *self.staff_survey)).encode()).hexdigest()[
            :10
        ]
        return f"{re.sub(r'[^A-Za-z0-9]+', '-', self.body).strip('-')[:40]}_{self.period}_{digest}"


@dataclass(frozen=True)
class BatchResult:
    """``summary``: a row per body and year (``SUMMARY_COLUMNS``; money in pence); ``leakage``: body,
    period, place and pence leaving the area to it; ``problems``: the tasks that failed, and why."""

    summary: pd.DataFrame
    leakage: pd.DataFrame
    problems: pd.DataFrame
    resumed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``lm3.to_json``: money as exact Decimal pounds (text with two decimals in JSON),
        no NaN (None)."""

        def records(frame: pd.DataFrame, money: tuple[str, ...]) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for row in frame.astype("object").where(frame.notna(), None).to_dict("records"):
                plain = {str(k): v for k, v in row.items()}
                for column in money:
                    plain[column] = pence_to_decimal(int(plain[column]))
                out.append(plain)
            return out

        return {
            "summary": records(self.summary, MONEY),
            "leakage": records(self.leakage, ("amount",)),
            "problems": records(self.problems, ()),
            "resumed": self.resumed,
        }


def financial_year(period: str) -> str:
    """The UK financial year (April to March) of a period: "2023-05" and "2024-03" -> "2023-24"; a
    financial year or any other text is kept as it is."""
    text = str(period).strip()
    month = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", text)
    if month:
        year, m = int(month.group(1)), int(month.group(2))
        start = year if m >= 4 else year - 1
        return f"{start}-{(start + 1) % 100:02d}"
    return text


def read_manifest(manifest: str | Path | pd.DataFrame) -> list[Task]:
    """The tasks a manifest names (see the module docstring). Raises InputError naming what is wrong."""
    if isinstance(manifest, pd.DataFrame):
        rows, base = manifest, Path.cwd()
    else:
        path = Path(manifest)
        if path.is_dir():
            rows, base = _folder_rows(path), path
        elif path.is_file():
            try:
                rows = pd.read_csv(path, dtype="str", keep_default_na=False)
            except (ValueError, UnicodeDecodeError) as err:
                raise InputError(f"{path}: not a CSV manifest ({err}).", code="bad-manifest") from err
            base = path.parent
        else:
            raise InputError(f"Manifest not found: {path}.", code="bad-manifest", params=("manifest",))
    rows = rows.rename(columns=lambda c: str(c).strip().lower())
    missing = [c for c in MANIFEST_COLUMNS if c not in rows.columns]
    if missing:
        raise InputError(
            f"The manifest needs the columns {', '.join(MANIFEST_COLUMNS)}; {', '.join(missing)} missing.",
            code="bad-manifest",
            params=("manifest",),
        )
    for column in MANIFEST_COLUMNS:
        blank = rows[column].astype("str").str.strip() == ""
        if blank.any():
            raise InputError(
                f"The manifest's {column} is blank in row(s) {', '.join(str(i + 2) for i in np.flatnonzero(blank)[:10])}: "
                "give every file its body, area and period.",
                code="bad-manifest",
                params=("manifest",),
            )
    rows = rows.assign(
        file=[str((base / f).resolve()) if not Path(f).is_absolute() else f for f in rows["file"]],
        year=[financial_year(p) for p in rows["period"]],
    )
    kinds = rows["kind"].astype("str").str.strip().replace("", "payments") if "kind" in rows else "payments"
    rows = rows.assign(kind=kinds)
    unknown = sorted(set(rows["kind"]) - set(KINDS))
    if unknown:
        raise InputError(
            f"The manifest's kind {', '.join(map(repr, unknown))} is not one lm3 reads: give {', '.join(KINDS)} "
            "(blank means payments).",
            code="bad-manifest",
            params=("manifest",),
        )
    tasks = []
    for (body, year), group in rows.groupby(["body", "year"], sort=True):
        areas = group["area"].unique()
        if len(areas) > 1:
            raise InputError(
                f"The manifest gives {body} two areas in {year}: {', '.join(areas)}. One body, one area.",
                code="bad-manifest",
                params=("manifest",),
            )
        of = {kind: tuple(sorted(group.loc[group["kind"] == kind, "file"])) for kind in KINDS}
        if len(of["payroll"]) > 1:
            raise InputError(
                f"The manifest gives {body} {len(of['payroll'])} payrolls in {year}: one payroll a year.",
                code="bad-manifest",
                params=("manifest",),
            )
        if not of["payments"]:
            raise InputError(
                f"The manifest gives {body} no payments in {year}, only {', '.join(k for k in KINDS if of[k])}.",
                code="bad-manifest",
                params=("manifest",),
            )
        tasks.append(
            Task(
                str(body),
                str(year),
                str(areas[0]),
                of["payments"],
                payroll=of["payroll"][0] if of["payroll"] else None,
                supplier_survey=of["supplier_survey"],
                staff_survey=of["staff_survey"],
                suppliers=of["suppliers"],
            )
        )
    return tasks


def _folder_rows(folder: Path) -> pd.DataFrame:
    areas_file = folder / "areas.csv"
    if not areas_file.is_file():
        raise InputError(
            f"{folder}: a manifest folder needs areas.csv (body, area) beside the bodies' folders.",
            code="bad-manifest",
            params=("manifest",),
        )
    areas = pd.read_csv(areas_file, dtype="str", keep_default_na=False).rename(columns=str.lower)
    area_of = dict(zip(areas["body"].str.strip(), areas["area"].str.strip(), strict=True))
    rows = []
    for body_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for period_dir in sorted(p for p in body_dir.iterdir() if p.is_dir()):
            for file in sorted(period_dir.iterdir()):
                if file.suffix.lower() in (".csv", ".xlsx", ".xls", ".ods", ".zip"):
                    body = body_dir.name
                    rows.append(
                        {
                            "file": str(file),
                            "body": body,
                            "area": area_of.get(body, ""),
                            "period": period_dir.name,
                        }
                    )
    return pd.DataFrame(rows, columns=list(MANIFEST_COLUMNS))


# -- one task ---------------------------------------------------------------------------------------------------


def run_task(
    task: Task,
    registers: tuple[str, ...],
    companies_house: str | None = None,
    store: str | None = None,
) -> dict[str, Any]:
    """One body-year's figures (plain data, so it travels between processes and machines), or its problem.
    Only aggregates leave: no payment row, payee or employee. Suppliers are placed by the cascade of
    ``lm3.calculate``: the registers given, the spend files' own postcodes and numbers, the register store
    (``store``: its folder; each process holds its key columns once) and lm3's public bodies. With a
    Companies House index as well (``lm3.index_companies_house``), the suppliers those do not place are
    looked up in it and its matches read as one more register."""
    try:
        payments = ingest(list(task.files))
        sources: list[Any] = [*registers, *task.suppliers]
        held = RegisterStore(store) if store is not None else None
        if companies_house is not None:
            located = locate(payments, sources or None, area=task.area, registers=held)
            wanted = suppliers_to_look_up(located, unplaced_only=True)
            if len(wanted):
                matched = match_companies_house(companies_house, wanted).register()
                if len(matched):
                    sources.append(matched)
        result = calculate(
            payments,
            sources or None,
            area=task.area,
            payroll=task.payroll,
            supplier_survey=list(task.supplier_survey) or None,
            staff_survey=list(task.staff_survey) or None,
            registers=held,
        )
    except LM3Error as err:
        return {"task": task.id, "problem": {"code": err.code, "problem": _said(err)}}
    trace = result.suppliers
    placed = trace["location"] != "unknown"
    placed_total = int(trace.loc[placed, "round1"].sum())

    def share_of(kind: str) -> float | None:
        part = int(trace.loc[placed & (trace["type"] == kind), "round1"].sum())
        return part / placed_total if placed_total else None

    leak = leakage_table(result)
    by_place = leak.groupby("place", sort=True)["lost"].sum()
    b = result.bounds
    return {
        "task": task.id,
        "summary": {
            "area": result.area.name,
            "lads": ";".join(result.area.codes),
            "rows": int(trace["payments"].sum()),
            "total": int(result.payments),
            "placed": int(result.placed),
            "coverage": result.coverage,
            "local": int(trace.loc[trace["local"].astype(bool), "round1"].sum()),
            "local_share": result.local_share,
            "lm3": result.figure,
            "standing": result.standing,
            "lm3_like_placed": b.like_placed if b else None,
            "lm3_all_local": b.all_local if b else None,
            "sme_share": share_of("SME"),
            "vcse_share": share_of("VCSE"),
            "warnings": len(result.warnings),
            "rule": result.rule.text if result.rule is not None else None,
        },
        "leakage": [{"place": str(p), "amount": int(v)} for p, v in by_place.items() if v],
    }


def _said(err: LM3Error, lines: int = 6) -> str:
    """An error on one line of problems.csv: its first lines (the rows a file cannot use: file, row,
    column and why), and how many more there are."""
    said = [line.strip().rstrip(":") for line in str(err).splitlines() if line.strip()]
    more = len(said) - lines
    return "; ".join(said[:lines]) + (f"; and {more} more" if more > 0 else "")


# -- engines ----------------------------------------------------------------------------------------------------


@contextmanager
def executor_for(scheduler: str | None, workers: int | None) -> Iterator[Executor | None]:
    """The executor the tasks run on: None (one after another, in this process) for one worker without a
    scheduler; a process pool; or Dask's (``distributed``, the ``dask`` extra): a LocalCluster on
    127.0.0.1 for "local", a running cluster for "tcp://HOST:PORT"."""
    if scheduler is None:
        if workers == 1:
            yield None
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError as err:
        raise InputError(
            'Running on Dask needs the dask extra: pip install "lm3[dask]" (or leave out the scheduler to use '
            "this machine's processes).",
            code="dask-missing",
            params=("scheduler",),
        ) from err
    if scheduler == "local":
        with (
            LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client.get_executor()
        return
    if not scheduler.startswith(("tcp://", "tls://")):
        raise InputError(
            f"Scheduler {scheduler!r}: give 'local' or a Dask scheduler's address (tcp://HOST:8786).",
            code="bad-parameter",
            params=("scheduler",),
        )
    with Client(scheduler) as client:
        yield client.get_executor()


# -- the batch --------------------------------------------------------------------------------------------------


def batch(
    manifest: str | Path | pd.DataFrame,
    *,
    suppliers: str | Path | Sequence[str | Path] = (),
    companies_house: str | Path | None = None,
    registers: str | Path | None = None,
    out: str | Path | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> BatchResult:
    """Run every task of ``manifest`` (see the module docstring) with the supplier registers ``suppliers``,
    the register store (``registers``: its folder; None, the user's own: ``lm3.registers``) and, if given,
    a Companies House index (``lm3.index_companies_house``); write the tables under ``out`` when given. ``progress(step, done, total)`` after each task (``step``
    says how many failed so far). Raises InputError for a manifest or option that is wrong; a task that
    fails is a row of ``problems``, never an exception."""
    params.callback("progress", progress)
    tasks = read_manifest(manifest)
    params.store("registers", registers)
    store = str(open_store(registers).folder.resolve())  # the workers open it themselves
    supplier_files = (
        (str(suppliers),) if isinstance(suppliers, str | Path) else tuple(str(s) for s in suppliers)
    )
    index = None
    if companies_house is not None:
        index = str(Path(companies_house).resolve())
        if Path(index).suffix.lower() != ".parquet" or not Path(index).is_file():
            raise InputError(
                f"{companies_house}: give a Companies House index (a .parquet made once from the bulk file "
                "by lm3.index_companies_house), not the bulk file itself: every task would read all 2.5 GB "
                "again.",
                code="bad-parameter",
                params=("companies_house",),
            )
    parts_dir = Path(out) / "parts" if out is not None else None
    if parts_dir is not None:
        parts_dir.mkdir(parents=True, exist_ok=True)
    done: dict[str, dict[str, Any]] = {}
    if resume and parts_dir is not None:
        for task in tasks:
            part = parts_dir / f"{task.id}.json"
            if part.is_file():
                done[task.id] = json.loads(part.read_text(encoding="utf-8"))
    resumed = len(done)
    todo = [t for t in tasks if t.id not in done]
    failed = sum("problem" in p for p in done.values())

    def finish(task: Task, part: dict[str, Any]) -> None:
        nonlocal failed
        done[task.id] = part
        failed += "problem" in part
        if parts_dir is not None:
            (parts_dir / f"{task.id}.json").write_text(json.dumps(part), encoding="utf-8")
        report(progress, f"{failed} failed", len(done), len(tasks))

    with executor_for(scheduler, workers) as pool:
        if pool is None:
            for task in todo:
                finish(task, run_task(task, supplier_files, index, store))
        else:
            futures: dict[Future[dict[str, Any]], Task] = {
                pool.submit(run_task, t, supplier_files, index, store): t for t in todo
            }
            for future in as_completed(futures):
                task = futures[future]
                try:
                    answer = future.result()
                except Exception as err:  # a worker lost (killed, out of memory): the task's problem
                    answer = {
                        "task": task.id,
                        "problem": {"code": "task-failed", "problem": f"{type(err).__name__}: {err}"},
                    }
                finish(task, answer)
    result = _tables(tasks, done, resumed)
    if out is not None:
        write_outputs(result, Path(out))
    return result


def _tables(tasks: list[Task], done: dict[str, dict[str, Any]], resumed: int) -> BatchResult:
    summary, leakage, problems = [], [], []
    for task in tasks:
        part = done[task.id]
        head = {"body": task.body, "period": task.period}
        if "problem" in part:
            problems.append({**head, "files": len(task.files), **part["problem"]})
            continue
        summary.append({**head, "files": len(task.files), **part["summary"]})
        leakage += [{**head, **leak} for leak in part["leakage"]]
    return BatchResult(
        summary=pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
        leakage=pd.DataFrame(leakage, columns=LEAKAGE_COLUMNS),
        problems=pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
        resumed=resumed,
    )


def write_outputs(result: BatchResult, out: Path) -> list[Path]:
    """summary.csv, .parquet and .xlsx; leakage.parquet; problems.csv; ranking.png (bodies by local
    share) and map.png (each body's area shaded by it). Money in the CSV and Parquet as text with two
    decimals (as in the JSON); in the workbook as numbers in £."""
    out.mkdir(parents=True, exist_ok=True)
    text = result.summary.copy()
    for column in MONEY:
        text[column] = text[column].map(lambda p: format_gbp(int(p), symbol=False).replace(",", ""))
    shares = {"coverage", "local_share", "sme_share", "vcse_share"}
    written = [
        write_csv(text, out / "summary.csv"),
        write_table(result.summary, out / "summary.xlsx", sheet="Summary", money=set(MONEY), shares=shares),
        write_csv(result.problems, out / "problems.csv"),
    ]
    text.to_parquet(out / "summary.parquet", index=False)  # money as text, as in the CSV and the JSON
    result.leakage.to_parquet(out / "leakage.parquet", index=False)
    ranking, shares_map = out / "ranking.png", out / "map.png"
    ranking_chart(result.summary).savefig(ranking)
    local_share_map(result.summary).savefig(shares_map)
    return [*written, out / "summary.parquet", out / "leakage.parquet", ranking, shares_map]
