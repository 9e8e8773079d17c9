"""The docs site builds with no warning (mkdocs --strict: every link and page found), and its generated pages
(the CLI reference from each command's --help, the codes from lm3.codes) are current."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import write_cli_doc
import write_codes_doc


def test_the_cli_reference_is_each_commands_help_as_it_is_now():
    written = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == write_cli_doc.document(), "run python tools/write_cli_doc.py"
    assert "## lm3 calculate" in written and "--pay-basis [gross|net]" in written


def test_the_codes_page_is_the_catalogue_as_it_is_now():
    written = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert written == write_codes_doc.document(), "run python tools/write_codes_doc.py"


def test_the_docs_site_builds_with_no_warning(tmp_path):
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install 'lm3[docs]')")
    mkdocs = shutil.which("mkdocs") or str(Path(sys.executable).parent / "mkdocs")
    built = subprocess.run(
        [mkdocs, "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr[-3000:]
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    assert "Calculate LM3 for an organisation" in api  # the reference is the docstrings
    for page in ("tutorials/council-officer", "tutorials/researcher", "guide", "cli", "codes", "json"):
        assert (tmp_path / "site" / page / "index.html").exists(), page
