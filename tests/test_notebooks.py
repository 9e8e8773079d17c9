"""The notebooks run, top to bottom, in a real Jupyter kernel (so they never rot)."""

from __future__ import annotations

import json
import sys

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

pytestmark = pytest.mark.slow  # each notebook run end to end

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """A kernel spec that runs this interpreter (the one lm3 is installed in), whatever is on PATH."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "lm3-tests"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "lm3", "language": "python"}))
    return root


def test_the_five_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01-quickstart.ipynb",
        "02-council-spend.ipynb",
        "03-uncertainty-and-scenarios.ipynb",
        "04-many-councils.ipynb",
        "05-published-figures.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, kernel, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(kernel))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's lm3, the one under test
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, kernel_name="lm3-tests", timeout=300, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # charts show as images, results as rich tables
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any("text/html" in o.get("data", {}) for o in outputs)
