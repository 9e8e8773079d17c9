"""What people see, in a real browser: report.html printed to A4 by Debian's Chromium through Playwright.

Skips, with the reason, where Chromium or Playwright is not installed (CI installs both: .ci/run)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import DATA, SAMPLE

import lm3

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
playwright = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
SPEND = DATA / "spend"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _pages(browser, html: Path) -> int:
    """The A4 pages Chromium prints the page on, with its print stylesheet."""
    page = browser.new_page()
    page.goto(html.as_uri())
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.fixture(scope="module")
def salford_report(tmp_path_factory):
    """Two months of Salford's spend with its contracts register: 920 suppliers."""
    months = [SPEND / "odileeds_salford_clean_2022-04.csv", SPEND / "odileeds_salford_clean_2022-05.csv"]
    register = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"
    result = lm3.calculate(months, register, area="Salford City Council", name="Salford City Council")
    assert len(result.suppliers) >= 600
    return lm3.write_report(result, tmp_path_factory.mktemp("salford"), formats="html").html, result


def test_a_councils_report_prints_on_at_most_twelve_a4_pages(browser, salford_report):
    assert 1 < _pages(browser, salford_report[0]) <= 12


def test_the_samples_report_prints_on_a_few_pages(browser, tmp_path):
    html = lm3.write_report(lm3.load_project(SAMPLE).calculate(), tmp_path, formats="html").html
    assert 1 < _pages(browser, html) <= 12


def test_the_first_screen_says_the_figure_its_coverage_and_its_bounds(browser, salford_report):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    html, result = salford_report
    page.goto(html.as_uri())
    first_screen = page.evaluate(
        "() => [...document.querySelectorAll('.headline, .glance p')]"
        ".filter(e => e.getBoundingClientRect().bottom <= window.innerHeight).map(e => e.innerText).join(' ')"
    )
    page.close()
    low, high = result.figure_range  # under half placed: the range leads, not one figure
    assert f"creates between £{low:.2f} and £{high:.2f} for Salford" in first_screen
    assert (
        f"({result.coverage:.1%})" in first_screen and f"if all of it were local, {high:.2f}" in first_screen
    )
    assert "no interval" in first_screen
