"""The web app in a real browser (Debian's Chromium through Playwright) against a real server on 127.0.0.1:
a finance officer's whole flow on the Bradford Trident files (upload, change a column, set the area, see
£2.52, a what-if, download report.xlsx and open it), then a real council month and register with its
coverage. Every page is scanned with axe-core: no accessibility violations.

Set LM3_SCREENSHOTS=docs to write a screenshot of each page there (tools/web_screenshots.sh)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import DATA, SAMPLE, served

import lm3

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python")
web = pytest.importorskip("lm3.web.app", reason="the web extra is not installed (pip install 'lm3[web]')")
uvicorn = pytest.importorskip("uvicorn")
from lm3.web import server as web_server  # noqa: E402

pytestmark = pytest.mark.slow  # a real browser

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
SPEND = DATA / "spend"
SHOTS = os.environ.get("LM3_SCREENSHOTS")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The app served by uvicorn on a free port of 127.0.0.1, as ``lm3 serve`` runs it."""
    with served(web.web_app(hosts=web_server.LOOPBACK)) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _look(page: object, name: str) -> None:
    """No axe-core violation on this page (WCAG 2.2 AA and best practice); a screenshot if asked for."""
    results = axe_playwright.Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"web-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_finance_officers_whole_flow_on_the_sample(server, browser, tmp_path):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/")
    assert "Measure how much of your spending stays local" in page.title()
    _look(page, "1-start")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/upload")
    _look(page, "2-upload")
    page.set_input_files("#payments", str(SAMPLE / "payments.xlsx"))
    page.set_input_files("#suppliers", str(SAMPLE / "suppliers.xlsx"))
    page.set_input_files("#payroll", str(SAMPLE / "payroll.xlsx"))
    page.set_input_files("#supplier_survey", str(SAMPLE / "supplier-survey.xlsx"))
    page.set_input_files("#staff_survey", str(SAMPLE / "staff-survey.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check")
    _look(page, "3-check")
    # change a column: the service area, which was not found (listed under "Columns not found"), read from
    # the expense type
    page.locator("#payments").get_by_text("Columns not found").click()
    page.select_option("#payments-service_area", "Expense Type")
    page.locator("#payments").get_by_role("button", name="Use these columns").click()
    page.wait_for_url("**/check#payments")
    assert "set by you" in page.locator("#payments").inner_text()
    page.get_by_role("button", name="Continue to the area").click()
    page.wait_for_url("**/area")
    _look(page, "4-area")
    assert page.locator("#area-names option").count() > 300  # suggestions as you type, without a script
    page.fill("#area", "Bradford")
    page.fill("#name", "Bradford Trident (illustrative sample)")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/result", timeout=60_000)
    assert "£2.52" in page.locator("h1").inner_text()
    _look(page, "5-result")
    page.fill("#share", "10%")
    page.get_by_role("button", name="Show the new figure").click()
    page.wait_for_url("**/result#what-if")
    expected = lm3.load_project(SAMPLE).calculate().scenarios(["share=10%"]).table
    assert f"{expected['lm3'].iloc[1]:.2f}" in page.locator("#what-if-result").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="report.xlsx").click()
    saved = tmp_path / "report.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename == "report.xlsx"
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(saved)["Summary"].iter_rows(values_only=True)}
    assert round(summary["LM3"], 2) == 2.52
    assert not errors, errors  # no script error, no asset the CSP refused
    page.get_by_role("button", name="Delete my data").click()
    page.wait_for_url("**/?deleted=1")
    assert "Your data has been deleted" in page.inner_text("body")
    context.close()


def test_a_real_council_month_with_coverage_and_an_error_page(server, browser):
    month = SPEND / "odileeds_salford_clean_2022-04.csv"
    register = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"
    expected = lm3.calculate(month, register, area="Salford")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(server + "/upload")
    assert page.url.endswith("/upload")
    page.goto(server + "/")
    page.goto(server + "/upload")
    page.set_input_files("#payments", str(month))
    page.set_input_files("#suppliers", str(register))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check")
    page.get_by_role("button", name="Continue to the area").click()
    page.fill("#area", "Salfrod")
    page.get_by_role("button", name="Calculate").click()
    assert "Did you mean" in page.locator(".govuk-error-summary").inner_text()
    _look(page, "6-area-error")
    page.fill("#area", "Salford")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/result", timeout=120_000)
    text = page.inner_text("main")
    assert f"£{expected.lm3:.2f}" in text
    assert expected.coverage_text() in text
    _look(page, "7-result-council")
    page.goto(server + "/no-such-page")
    assert "Page not found" in page.inner_text("main")
    _look(page, "9-not-found")
    context.close()


def test_the_progress_page_while_a_large_file_is_worked_on(server, browser, tmp_path):
    """A year-sized file: the progress page is shown (held there by holding back its events), is
    accessible, and moves on to the result by itself once the events flow."""
    month = SPEND / "odileeds_salford_clean_2022-04.csv"
    lines = month.read_text(encoding="utf-8").splitlines(keepends=True)
    big = tmp_path / "salford-many-months.csv"
    big.write_text(lines[0] + "".join(lines[1:]) * 80, encoding="utf-8")
    register = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(server + "/")
    page.goto(server + "/upload")
    page.set_input_files("#payments", str(big))
    page.set_input_files("#suppliers", str(register))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check", timeout=120_000)
    held: list[object] = []
    page.route("**/progress/events", lambda route: held.append(route))  # the events wait
    page.goto(server + "/area")
    page.fill("#area", "Salford")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/progress")
    assert page.locator("progress").count() == 1 and "Calculating" in page.inner_text("h1")
    _look(page, "8-progress")
    assert held, "the page asked for its events"
    page.unroute("**/progress/events")  # the held requests go on, and new ones are not held
    page.wait_for_url("**/result", timeout=120_000)
    assert "£" in page.locator("h1").inner_text()
    context.close()


def test_a_spend_file_alone_the_registers_page_and_no_figure(server, browser, tmp_path):
    """A corpus file with no register: the check page's sources, the range-led result; the registers page;
    and a file nothing places: no figure, the next step. Every page accessible."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(server + "/")
    page.goto(server + "/upload")
    page.set_input_files("#payments", str(SPEND / "barrow_bc_2023-04.csv"))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check")
    assert "public bodies (lm3)" in page.locator("#placing").inner_text()
    _look(page, "10-check-sources")
    page.get_by_role("button", name="Continue to the area").click()
    page.fill("#area", "Westmorland and Furness")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/result", timeout=120_000)
    assert page.locator("h1").inner_text().startswith("Between £")
    _look(page, "11-result-range")
    page.goto(server + "/registers")
    assert "Public bodies (lm3)" in page.inner_text("main")
    _look(page, "12-registers")
    nothing = tmp_path / "spend.csv"
    nothing.write_text(
        "Supplier,Amount\nNowhere Trading Ltd,500.00\nMystery Services,250.50\n", encoding="utf-8"
    )
    page.goto(server + "/upload")
    page.set_input_files("#payments", str(nothing))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check")
    page.get_by_role("button", name="Continue to the area").click()
    page.fill("#area", "Bradford")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/result", timeout=60_000)
    assert "No LM3 figure yet" in page.locator("h1").inner_text()
    _look(page, "13-result-no-figure")
    context.close()


def test_at_its_own_host_the_apps_cookie_never_reaches_another_app_on_this_computer(server, browser):
    """Browsers send 127.0.0.1's cookies to every port: another app on this computer would get lm3's session
    (and could plant one). At lm3.localhost, the address ``lm3 serve`` gives, neither happens."""
    import http.server

    seen: list[str] = []

    class Other(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/":  # not the browser's request for an icon, sent with the cookie planted
                seen.append(self.headers.get("Cookie") or "")
            self.send_response(200)
            self.send_header("Set-Cookie", "lm3_session=planted; Path=/")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Other)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    port = server.rsplit(":", 1)[1]
    try:
        for host, shared in (("lm3.localhost", False), ("127.0.0.1", True)):
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"http://{host}:{port}/")
            (mine,) = [c["value"] for c in context.cookies() if c["name"] == "lm3_session"]
            seen.clear()
            page.goto(f"http://127.0.0.1:{other.server_address[1]}/")  # the other app, which plants one
            assert (f"lm3_session={mine}" in seen[0]) == shared
            # what the browser would send lm3 next
            cookies = [c for c in context.cookies(f"http://{host}:{port}/") if c["name"] == "lm3_session"]
            assert ("planted" in [c["value"] for c in cookies]) == shared
            if not shared:  # and its forms work at its own host (each form's origin is checked)
                page.goto(f"http://{host}:{port}/")
                page.get_by_role("button", name="Run the Bradford Trident sample").click()
                page.wait_for_url("**/check")
            context.close()
    finally:
        other.shutdown()
        other.server_close()


def test_a_session_id_planted_in_the_browser_never_sees_its_uploads(server, browser):
    """Session fixation in Chromium: Mallory's id, set as a cookie for 127.0.0.1 (as a page on another
    port can), is replaced when the victim's files arrive; Mallory's id then shows nothing of them."""
    mallory = browser.new_context()
    mallory_page = mallory.new_page()
    mallory_page.goto(server + "/")
    (planted,) = [c for c in mallory.cookies() if c["name"] == "lm3_session"]
    victim = browser.new_context()
    victim.add_cookies([{**planted, "name": "lm3_session", "value": planted["value"]}])
    page = victim.new_page()
    page.goto(server + "/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/upload")
    page.set_input_files("#payments", str(SAMPLE / "payments.xlsx"))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/check")
    (now,) = [c for c in victim.cookies() if c["name"] == "lm3_session"]
    assert now["value"] != planted["value"]
    mallory_page.goto(server + "/check")
    assert "payments.xlsx" not in mallory_page.content()
    mallory.close()
    victim.close()
