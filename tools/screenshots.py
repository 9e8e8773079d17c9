"""Screenshots of report.html in headless Chromium, for docs/ (and for a person to look at).

    python tools/screenshots.py

Writes docs/report-sample.png (the bundled Bradford Trident sample) and docs/report-salford.png (two months
of Salford City Council's own spend with its contracts register, tests/data/spend): the first 1,800 pixels
of each page at 1,100 pixels wide, as a reader scrolls it. Needs Playwright and Debian's Chromium.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import lm3

ROOT = Path(__file__).resolve().parent.parent
SPEND = ROOT / "tests" / "data" / "spend"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def main() -> None:
    sample = lm3.load_project(lm3.sample()).calculate()
    salford = lm3.calculate(
        [SPEND / "odileeds_salford_clean_2022-04.csv", SPEND / "odileeds_salford_clean_2022-05.csv"],
        SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv",
        area="Salford City Council",
        name="Salford City Council",
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, result in (("sample", sample), ("salford", salford)):
            html = lm3.write_report(result, Path(tmp) / name, formats="html").html
            assert html is not None
            page = browser.new_page(viewport={"width": 1100, "height": 1800})
            page.goto(html.as_uri())
            out = ROOT / "docs" / f"report-{name}.png"
            page.screenshot(path=str(out))
            print(f"wrote {out}")
        browser.close()


if __name__ == "__main__":
    main()
