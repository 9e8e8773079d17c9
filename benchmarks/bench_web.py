"""The web app from upload to result, against ``lm3 calculate`` on the same files, in the same run (issue 19).

    python benchmarks/bench_web.py [--rows 1000000] [--repeat 3]

Generates (once) the council-year of ``bench_pipeline.py`` (payments, register, payroll, both surveys),
serves the app with uvicorn on 127.0.0.1 as ``lm3 serve`` does, and times what a finance officer waits for
over real HTTP: the upload of every file, the check page (which reads the payments and the register), the
area form, the calculation's progress until the result, and the result page. The baseline is
``lm3.calculate`` on the same files in a process of its own. Each is the median of ``--repeat`` runs.
Goal: the web app within 1.3x of ``lm3 calculate``. Exit status 1 if missed.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL = 1.3
FILES = {
    "payments": "payments.csv",
    "suppliers": "register.csv",
    "payroll": "payroll.csv",
    "supplier_survey": "supplier-survey.csv",
    "staff_survey": "staff-survey.csv",
}
CALCULATE = """
import sys, time, tomllib
sys.path.insert(0, {root!r})
import lm3
from lm3.geo import default_directory
default_directory().index
folder = {folder!r}
project = lm3.load_project(folder)
start = time.perf_counter()
project.calculate()
print(time.perf_counter() - start)
"""


def token(page: str, action: str) -> str:
    """The token of the page's form for ``action`` ("" when the page has no such form)."""
    found = re.search(
        rf'action="{re.escape(action)}"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', page
    )
    return found.group(1) if found else ""


def serve(folder: Path, files: dict[str, str]) -> tuple[object, str]:
    """The app served by uvicorn on a free port of 127.0.0.1 as ``lm3 serve`` runs it, taking uploads as
    large as ``files`` in ``folder``: the server (``should_exit`` stops it) and its address."""
    import uvicorn

    from lm3.geo import default_directory
    from lm3.web.app import web_app
    from lm3.web.server import server_config

    _ = default_directory().index  # loaded once, as a running server has it
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    size = sum((folder / name).stat().st_size for name in files.values()) // 2**20 + 50
    server = uvicorn.Server(server_config(web_app(max_upload_mb=size), "127.0.0.1", port))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def through_the_web(base: str, folder: Path, area: str) -> float:
    import httpx2 as httpx  # the test extra's HTTP client

    with httpx.Client(base_url=base, timeout=600, follow_redirects=True) as client:
        start = time.perf_counter()
        client.get("/")  # a session begins
        csrf = token(client.get("/upload").text, "/upload")
        origin = {"origin": base}
        handles = {kind: (folder / name).open("rb") for kind, name in FILES.items()}
        try:
            files = [(kind, (FILES[kind], handle)) for kind, handle in handles.items()]
            sent = client.post("/upload", data={"csrf": csrf}, files=files, headers=origin)
        finally:
            for handle in handles.values():
                handle.close()
        while "Reading your files" in sent.text:  # the files are read, with a progress bar
            time.sleep(0.1)
            sent = client.get("/progress")
        assert sent.status_code == 200 and "Check how your files were read" in sent.text, sent.text[:2000]
        done = client.post(
            "/area",
            data={
                "csrf": token(sent.text, "/area") or token(client.get("/area").text, "/area"),
                "area": area,
            },
            headers=origin,
        )
        while "Calculating" in done.text:
            time.sleep(0.1)
            done = client.get("/progress")
        assert done.status_code == 200 and "govuk-panel__title" in done.text, done.text[:3000]
        elapsed = time.perf_counter() - start
        client.post("/delete", data={"csrf": token(done.text, "/delete")}, headers=origin)
        return elapsed


def council(where: Path, rows: int) -> tuple[Path, str]:
    """A generated council-year of ``rows`` payments in ``where`` (made once: make_council.py), and its area."""
    from make_council import write

    folder = where / f"council-{rows}"
    if not (folder / "lm3.toml").exists():
        print(f"generating {folder} ...", flush=True)
        write(folder, rows)
    return folder, tomllib.loads((folder / "lm3.toml").read_text())["area"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=HERE / ".data")
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT), str(HERE)]
    folder, area = council(args.dir, args.rows)
    server, base = serve(folder, FILES)
    web_times, cli_times = [], []
    for _ in range(args.repeat):
        web_times.append(through_the_web(base, folder, area))
        code = CALCULATE.format(root=str(ROOT), folder=str(folder))
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        cli_times.append(float(done.stdout.strip().splitlines()[-1]))
    server.should_exit = True  # type: ignore[attr-defined]
    web, cli = statistics.median(web_times), statistics.median(cli_times)
    print(
        f"{args.rows:,} payments: the web app, upload to result page {web:.2f} s; lm3 calculate {cli:.2f} s; "
        f"ratio {web / cli:.2f} (goal <= {GOAL})"
    )
    return 0 if web / cli <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
