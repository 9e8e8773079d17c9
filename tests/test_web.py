"""The web app in process (Starlette's test client, the real app and real files): every route, every error
page, the CSRF and origin checks, the upload limit, session isolation and deletion, and that no payroll id or
client file name ever becomes a page's text or a path."""

from __future__ import annotations

import io
import re
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import DATA, SAMPLE, served

import lm3
from lm3 import charts

web = pytest.importorskip("lm3.web.app", reason="the web extra is not installed (pip install 'lm3[web]')")
from starlette.testclient import TestClient  # noqa: E402

from lm3.web import forms as web_forms  # noqa: E402
from lm3.web import site as web_site  # noqa: E402
from lm3.web.store import Store  # noqa: E402

HOST = "http://testserver"
SAME_ORIGIN = {"origin": HOST}
SPEND = Path(__file__).resolve().parent / "data" / "spend"
MONTH = SPEND / "odileeds_salford_clean_2022-04.csv"  # a real council month, and its contracts register
REGISTER = SPEND / "odileeds_salford_clean_2022-07_CONTRACTS_REGISTER_with_supplier_postcodes.csv"


Tokens = Callable[[str], str]


def _form_tokens(text: str) -> dict[str, str]:
    """Each form's action and the token it carries, as the page has them."""
    found = re.findall(
        r'<form[^>]*action="([^"]+)"[^>]*>\s*<input type="hidden" name="csrf" value="([^"]+)"', text
    )
    return dict(found)


def _client(**options: object) -> TestClient:
    return TestClient(web.web_app(hosts=("testserver",), **options))  # type: ignore[arg-type]


def _start(client: TestClient) -> Tokens:
    """Open the start page (a session begins); the token each of this session's forms carries, as its
    pages give them (the start page's own form's token is checked against the page)."""
    page = client.get("/")
    assert page.status_code == 200
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    session = store.get(client.cookies["lm3_session"])
    assert session is not None
    assert _form_tokens(page.text)["/sample"] == web.form_token(session, "/sample")
    return lambda action: web.form_token(session, action)


def _wait_for_result(client: TestClient) -> str:
    for _ in range(240):
        step = client.get("/progress", follow_redirects=False)
        if step.status_code == 303:
            return step.headers["location"]
        if step.status_code != 200:
            return f"error {step.status_code}"  # the page that says why
        assert any(t in step.text for t in ("Calculating", "Reading your files", "Adding ", "Downloading "))
        time.sleep(0.25)
    raise AssertionError("the calculation did not finish")


def _upload(client: TestClient, csrf: Tokens, **files: Path) -> object:
    """Upload files by kind (payments=PATH, ...), as a browser sends them."""
    items = [(kind, (path.name, path.read_bytes())) for kind, path in files.items()]
    return client.post("/upload", data={"csrf": csrf("/upload")}, files=items, headers=SAME_ORIGIN)


def _upload_payments(client: TestClient, csrf: Tokens, name: str, content: bytes) -> Any:
    """One payments file uploaded, as the upload form sends it."""
    return client.post(
        "/upload", data={"csrf": csrf("/upload")}, files=[("payments", (name, content))], headers=SAME_ORIGIN
    )


def _upload_sample(client: TestClient, csrf: Tokens, **more: tuple[str, bytes]) -> object:
    files = [
        ("payments", ("payments.xlsx", (SAMPLE / "payments.xlsx").read_bytes())),
        ("suppliers", ("suppliers.xlsx", (SAMPLE / "suppliers.xlsx").read_bytes())),
        ("payroll", ("payroll.xlsx", (SAMPLE / "payroll.xlsx").read_bytes())),
        ("supplier_survey", ("supplier-survey.xlsx", (SAMPLE / "supplier-survey.xlsx").read_bytes())),
        ("staff_survey", ("staff-survey.xlsx", (SAMPLE / "staff-survey.xlsx").read_bytes())),
        *[(kind, item) for kind, item in more.items()],
    ]
    return client.post(
        "/upload", data={"csrf": csrf("/upload")}, files=files, headers=SAME_ORIGIN, follow_redirects=False
    )


@pytest.mark.slow
def test_the_sample_from_upload_to_download_gives_2_52():
    with _client() as client:
        csrf = _start(client)
        done = _upload_sample(client, csrf)
        assert done.status_code == 303 and done.headers["location"] == "/progress"  # the files are read
        assert _wait_for_result(client) == "/check"
        check = client.get("/check")
        assert check.status_code == 200
        assert "Supplier Name" in check.text and "Amount (£)" in check.text  # the columns chosen
        assert "payments accepted" in check.text and check.text.count("The first rows, as read") == 2
        assert "Aire Valley Catering Limited" in check.text  # the register's first row
        assert client.get("/area").status_code == 200
        sent = client.post(
            "/area",
            data={
                "csrf": csrf("/area"),
                "area": "Bradford",
                "name": "Bradford Trident (illustrative sample)",
            },
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/progress"
        assert _wait_for_result(client) == "/result"
        result = client.get("/result")
        assert result.status_code == 200
        expected = lm3.load_project(SAMPLE).calculate()
        assert f"£{expected.lm3:.2f}" == "£2.52" and "£2.52" in result.text
        assert "no-store" in result.headers["cache-control"]
        # every chart, and every download, named by the server
        for name in charts.CHARTS:
            chart = client.get(f"/result/charts/{name}.png")
            assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
        for name in (
            "report.xlsx",
            "report.html",
            "result.json",
            "suppliers-to-place.xlsx",
            "supplier-survey.xlsx",
            "staff-survey.xlsx",
        ):
            got = client.get(f"/download/{name}")
            assert got.status_code == 200, name
            assert got.headers["content-disposition"] == f'attachment; filename="{name}"'
        book = openpyxl.load_workbook(io.BytesIO(client.get("/download/report.xlsx").content))
        summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
        assert summary["LM3"] == pytest.approx(expected.lm3)
        assert client.get("/download/result.json").json()["lm3"] == pytest.approx(expected.lm3)
        # payroll ids never appear in a page
        for page in (check.text, result.text):
            assert "BT001" not in page and "BT002" not in page


def test_the_sample_button_what_if_and_a_previous_result():
    with _client() as client:
        csrf = _start(client)
        assert "Run the Bradford Trident sample" in client.get("/").text
        sent = client.post(
            "/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN, follow_redirects=False
        )
        assert sent.headers["location"] == "/check"
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        before = lm3.load_project(SAMPLE).calculate()
        moved = before.scenarios(["share=10%"]).table
        page = client.post(
            "/result/what-if",
            data={"csrf": csrf("/result/what-if"), "share": "10%"},
            headers=SAME_ORIGIN,
            follow_redirects=True,
        )
        assert "what-if-result" in page.text
        assert f"{moved['lm3'].iloc[0]:.2f}" in page.text and f"{moved['lm3'].iloc[1]:.2f}" in page.text
        bad = client.post(
            "/result/what-if", data={"csrf": csrf("/result/what-if"), "share": "lots"}, headers=SAME_ORIGIN
        )
        assert bad.status_code == 400 and "could not be worked out" in bad.text
        # a previous result to compare with
        previous = lm3.to_json(before)
        client.post(
            "/upload",
            data={"csrf": csrf("/upload")},
            files=[("previous", ("last-year.json", previous.encode()))],
            headers=SAME_ORIGIN,
        )
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        _wait_for_result(client)
        compared = client.get("/result").text
        assert "Compared with the previous result" in compared
        assert f"Previous: {before.name}" in compared and "This result: " in compared


def test_a_column_changed_on_the_check_page_is_used():
    with _client() as client:
        csrf = _start(client)
        _upload_sample(client, csrf)
        sent = client.post(
            "/check",
            data={"csrf": csrf("/check"), "kind": "payments", "payments.expense_type": "Supplier Name"},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sent.headers["location"] == "/progress" and _wait_for_result(client) == "/check#payments"
        changed = client.get("/check")
        assert changed.status_code == 200 and "set by you" in changed.text
        # the choice reaches the calculation: categories are now the supplier names
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        _wait_for_result(client)
        assert client.get("/result").status_code == 200


def test_a_real_council_month_shows_coverage_and_rejected_rows_download():
    month, register = MONTH, REGISTER
    expected = lm3.calculate(month, register, area="Salford")
    with _client() as client:
        csrf = _start(client)
        _upload(client, csrf, payments=month, suppliers=register)
        assert client.get("/check").status_code == 200
        rejected = client.get("/check/rejected-rows.csv")
        assert rejected.status_code == 200 and rejected.text.startswith("sheet,row,column,value,reason")
        client.post("/area", data={"csrf": csrf("/area"), "area": "Salford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert expected.coverage_text() is not None
        assert (expected.coverage_text() or "").replace("'", "&#39;") in page
        assert f"£{expected.lm3:.2f}" in page


def test_forms_without_the_token_or_from_another_site_are_refused():
    with _client() as client:
        csrf = _start(client)
        assert client.post("/sample", data={}, headers=SAME_ORIGIN).status_code == 403
        assert client.post("/sample", data={"csrf": "forged"}, headers=SAME_ORIGIN).status_code == 403
        assert (
            client.post(
                "/sample", data={"csrf": csrf("/sample")}, headers={"origin": "http://evil.example"}
            ).status_code
            == 403
        )
        assert (
            client.post("/sample", data={"csrf": csrf("/sample")}).status_code == 403
        )  # neither Origin nor Referer
        # a token is for one form of one session: another form's, or another browser's, is refused
        assert client.post("/sample", data={"csrf": csrf("/delete")}, headers=SAME_ORIGIN).status_code == 403
        with _client() as other:
            theirs = _start(other)
            assert (
                client.post("/sample", data={"csrf": theirs("/sample")}, headers=SAME_ORIGIN).status_code
                == 403
            )
        via_referer = client.post(
            "/sample", data={"csrf": csrf("/sample")}, headers={"referer": f"{HOST}/"}, follow_redirects=False
        )
        assert via_referer.status_code == 303
        # every form on every page carries its own action's token
        pages = [client.get(p).text for p in ("/", "/upload", "/check", "/area")]
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        pages.append(client.get("/result").text)
        seen = {}
        for text in pages:
            seen |= _form_tokens(text)
        assert set(seen) == {"/sample", "/delete", "/upload", "/check", "/area", "/result/what-if"}
        assert all(token == csrf(action) for action, token in seen.items())
        assert len(set(seen.values())) == len(seen)


def test_a_host_not_served_is_refused_against_dns_rebinding():
    with _client() as client:
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400


def test_an_upload_over_the_limit_is_413_with_a_page():
    with _client(max_upload_mb=1) as client:
        csrf = _start(client)
        big = _upload_payments(client, csrf, "big.csv", b"Supplier,Amount\n" + b"A,1\n" * 400_000)
        assert big.status_code == 413 and "too large" in big.text and "--max-upload-mb" in big.text


def test_wrong_files_and_areas_get_a_page_that_says_what_to_do():
    with _client() as client:
        csrf = _start(client)
        wrong = _upload_payments(client, csrf, "notes.pdf", b"%PDF")
        assert (
            wrong.status_code == 400
            and "There is a problem" in wrong.text
            and 'href="#payments"' in wrong.text
        )
        none = client.post("/upload", data={"csrf": csrf("/upload")}, headers=SAME_ORIGIN)
        assert none.status_code == 400 and "Choose the payments file" in none.text
        _upload_sample(client, csrf)
        unknown = client.post("/area", data={"csrf": csrf("/area"), "area": "Bradfrod"}, headers=SAME_ORIGIN)
        assert unknown.status_code == 400 and "Did you mean" in unknown.text and "Bradford" in unknown.text
        assert client.get("/no-such-page").status_code == 404
        assert client.get("/result/charts/nothing.png", follow_redirects=False).status_code in (303, 404)
        bad_rows = b"Supplier,Amount\nACME LTD,ten pounds\nBETA LTD,12.00\n"
        _upload_payments(client, csrf, "bad.csv", bad_rows)
        check = client.get("/check")
        assert (
            check.status_code == 200 and "ten pounds" not in check.text
        )  # values are not shown, reasons are
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "error 400"
        failed = client.get("/progress")
        assert failed.status_code == 400 and "could not go ahead" in failed.text and "bad.csv" in failed.text


def test_sessions_are_isolated_and_deleted():
    app = web.web_app(hosts=("testserver",))
    with TestClient(app) as alice, TestClient(app) as mallory:
        csrf = _start(alice)
        _upload_sample(alice, csrf)
        alice.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(alice) == "/result"
        # another browser of the same server: no cookie, or a made-up one, sees nothing of Alice's
        for path in ("/check", "/result", "/download/report.xlsx", "/check/rejected-rows.csv"):
            assert mallory.get(path).status_code == 404, path
        mallory.cookies.set("lm3_session", "made-up")
        assert mallory.get("/download/report.xlsx").status_code == 404
        # with a session of its own, it sees its own (empty) state, never Alice's result
        mallory.cookies.clear()
        _start(mallory)
        assert mallory.get("/result", follow_redirects=False).headers["location"] == "/upload"
        store: Store = app.state.store
        session = store.get(alice.cookies["lm3_session"])
        assert session is not None and len(store) == 2
        folder = session.folder
        assert {p.name for p in folder.iterdir()} >= {"payments-1.xlsx", "suppliers-2.xlsx", "payroll-3.xlsx"}
        gone = alice.post(
            "/delete", data={"csrf": csrf("/delete")}, headers=SAME_ORIGIN, follow_redirects=True
        )
        assert "Your data has been deleted" in gone.text
        assert not folder.exists() and store.get(session.id) is None
        assert alice.get("/result", follow_redirects=False).headers["location"] == "/upload"


def test_client_file_names_are_never_paths_or_markup():
    with _client() as client:
        csrf = _start(client)
        client.post(
            "/upload",
            data={"csrf": csrf("/upload")},
            files=[
                ("payments", ("<img src=x onerror=alert(1)>.csv", b"Supplier,Amount\nACME LTD,10.00\n")),
                ("suppliers", ("../../../etc/cron.d/evil.csv", b"Supplier,Postcode\nACME LTD,BD1 1HY\n")),
            ],
            headers=SAME_ORIGIN,
        )
        page = client.get("/upload").text
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.csv" in page
        assert "evil.csv" in page and "../" not in page
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        session = store.get(client.cookies["lm3_session"])
        assert session is not None
        assert [u.path.name for u in session.uploads] == ["payments-1.csv", "suppliers-2.csv"]
        assert all(u.path.parent == session.folder for u in session.uploads)


def test_sessions_time_out_and_their_files_go():
    now = [0.0]
    store = Store(idle_minutes=1, clock=lambda: now[0])
    session = store.new()
    session.add("payments", "p.csv", b"Supplier,Amount\nA,1\n", ".csv")
    now[0] = 59.0
    assert store.get(session.id) is session
    now[0] = 59.0 + 61
    assert store.get(session.id) is None and not session.folder.exists()


def test_security_headers_on_every_page():
    with _client() as client:
        for path in ("/", "/upload", "/static/lm3.css"):
            response = client.get(path)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "default-src 'none'" in csp
            assert response.headers["x-content-type-options"] == "nosniff"
        assert "no-store" in client.get("/").headers["cache-control"]
        assert "cache-control" not in client.get("/static/lm3.css").headers


def test_the_serve_command_without_the_extra_or_on_a_public_host_says_so():
    from click.testing import CliRunner

    from lm3.cli.commands import cli
    from lm3.web.server import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in (
        "--host",
        "--port",
        "--open",
        "--max-upload-mb",
        "--idle-minutes",
        "--forwarded-allow-ips",
    ):
        assert option in help_text


def test_tiers_show_the_spend_within_each_wider_area():
    tiers = ["West Yorkshire=West Yorkshire", "Yorkshire=Yorkshire and The Humber"]
    project = lm3.load_project(SAMPLE)
    expected = lm3.locate(project.payments, project.suppliers, area="Bradford", tiers=tiers).tiers
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        bad = client.post(
            "/area",
            data={"csrf": csrf("/area"), "area": "Bradford", "tiers": "Nowhere=Atlantis"},
            headers=SAME_ORIGIN,
        )
        assert bad.status_code == 400 and 'href="#tiers"' in bad.text
        client.post(
            "/area",
            data={"csrf": csrf("/area"), "area": "Bradford", "tiers": "\n".join(tiers)},
            headers=SAME_ORIGIN,
        )
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert "Spend by area" in page
        for row in expected.itertuples():
            assert row.name in page and lm3.format_gbp(int(row.amount)) in page


def test_limits_on_rows_and_files_get_a_page():
    with _client(max_rows=50) as client:
        csrf = _start(client)
        _upload_sample(client, csrf)  # 85 payment rows
        check = client.get("/check")
        assert "this server reads up to 50 at once" in check.text
        many = [("supplier_survey", (f"form-{i}.csv", b"Supplier,Share\nA,50%\n")) for i in range(45)]
        refused = client.post("/upload", data={"csrf": csrf("/upload")}, files=many, headers=SAME_ORIGIN)
        assert refused.status_code == 400 and "Too many files" in refused.text and "<html" in refused.text


def test_people_paid_are_never_named_in_a_page():
    payments = (
        b"Supplier Name,Amount\nMr John Smith,1200.00\nMRS JANE DOE,300.00\nACME SUPPLIES LTD,5000.00\n"
        b"REDACTED PERSONAL DATA,250.00\nBETA FOODS LTD,700.00\n"
    )
    register = b"Supplier,Postcode\nACME SUPPLIES LTD,BD1 1HY\nBETA FOODS LTD,LS1 4AP\n"
    with _client() as client:
        csrf = _start(client)
        client.post(
            "/upload",
            data={"csrf": csrf("/upload")},
            files=[("payments", ("p.csv", payments)), ("suppliers", ("r.csv", register))],
            headers=SAME_ORIGIN,
        )
        check = client.get("/check").text
        assert "ACME SUPPLIES LTD" in check and "a person: not shown" in check
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        result = client.get("/result").text
        for page in (check, result):
            assert "John Smith" not in page and "JOHN SMITH" not in page and "JANE DOE" not in page.upper()


@pytest.mark.slow
def test_place_more_suppliers_with_the_template_moves_the_figure():
    """Download the suppliers not placed, fill in a postcode for the largest, upload it back: the figure is
    worked out again with it placed (as lm3 calculate gives with the template beside the register)."""
    month, register = MONTH, REGISTER
    with _client() as client:
        csrf = _start(client)
        _upload(client, csrf, payments=month, suppliers=register)
        client.post("/area", data={"csrf": csrf("/area"), "area": "Salford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        events = client.get("/progress/events").text
        assert events.startswith("data: ") and '"finished": true' in events
        before = lm3.calculate(month, register, area="Salford")
        book = openpyxl.load_workbook(io.BytesIO(client.get("/download/suppliers-to-place.xlsx").content))
        sheet = book["Suppliers to place"]
        header = [c.value for c in sheet[1]]
        sheet.cell(2, header.index("Postcode") + 1, "M5 4WT")  # Salford's civic centre
        filled = io.BytesIO()
        book.save(filled)
        sent = client.post(
            "/result/place-more",
            data={"csrf": csrf("/result/place-more")},
            files=[("template", ("filled.xlsx", filled.getvalue()))],
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/progress"
        assert _wait_for_result(client) == "/result"
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        session = store.get(client.cookies["lm3_session"])
        assert session is not None
        filled_path = session.files("suppliers")[-1].path  # the template as the server kept it
        after = lm3.calculate(month, [register, filled_path], area="Salford")
        assert after.placed > before.placed and after.lm3 != before.lm3
        page = client.get("/result").text
        assert f"£{after.lm3:.2f}" in page and (after.coverage_text() or "").replace("'", "&#39;") in page
        empty = client.post(
            "/result/place-more", data={"csrf": csrf("/result/place-more")}, headers=SAME_ORIGIN
        )
        assert empty.status_code == 400 and "No file chosen" in empty.text


def test_when_the_server_stops_every_job_stops_at_its_next_step_a_register_half_added_too(tmp_path):
    from lm3.web.store import Job, Superseded

    store = Store()
    session = store.new()
    adding = Job(title="Adding a register", next="/registers", stoppable=False)
    session.start(adding)
    adding.superseded = True  # a newer job of the session does not stop a register half-added...
    adding.progress("adding", 1, 2)
    store.close()  # ...but the server stopping does (Ctrl+C is never held up by one)
    registers = lm3.RegisterStore(tmp_path / "registers")
    with pytest.raises(Superseded):
        lm3.registers.add(DATA / "companies_house" / "ch_basiccompanydata_2025-01-01_part1_first50.csv",
                          registers=registers, progress=adding.progress)  # fmt: skip
    assert [r.name for r in registers.registers() if not r.shipped] == []
    assert sorted(p.name for p in (tmp_path / "registers").iterdir() if p.name != "downloads") == []


def test_a_reading_still_running_when_new_files_arrive_never_stands_for_them():
    store = Store()
    session = store.new()
    session.add("payments", "april.csv", b"Supplier,Amount\nA,1\n", ".csv")

    def slow_read_of_april() -> str:
        session.add("payments", "may.csv", b"Supplier,Amount\nB,2\n", ".csv")  # uploaded meanwhile
        return "april, read"

    assert session.cached("payments", None, slow_read_of_april) == "april, read"
    assert session.cached("payments", None, lambda: "may, read") == "may, read"
    assert session.cached("payments", None, lambda: "read a third time") == "may, read"  # kept for may
    assert session.cached("payments", {"amount": "Net"}, lambda: "with other columns") == "with other columns"
    store.close()
    assert not session.folder.exists()


def test_a_result_of_files_replaced_meanwhile_is_never_shown(tmp_path):
    """Files uploaded while a calculation runs: when it ends, its figure (of the old files) is not the
    result; the new files wait for their own calculation."""
    lines = MONTH.read_text(encoding="utf-8").splitlines(keepends=True)
    big = tmp_path / "many-months.csv"
    big.write_text(lines[0] + "".join(lines[1:]) * 30, encoding="utf-8")  # a calculation of a second or two
    with _client() as client:
        csrf = _start(client)
        _upload(client, csrf, payments=big, suppliers=REGISTER)
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        session = store.get(client.cookies["lm3_session"])
        assert session is not None
        client.post("/area", data={"csrf": csrf("/area"), "area": "Salford"}, headers=SAME_ORIGIN)
        running = session.job
        assert running is not None and not running.finished, "the calculation is still running"
        _upload(client, csrf, payments=MONTH)  # new payments arrive meanwhile
        for _ in range(400):
            if running.finished:
                break
            time.sleep(0.05)
        # the new files' reading took its place: it stopped, and its figure (of the old files) is never shown
        assert running.finished and running.superseded and running.result is None
        assert session.result is None
        assert client.get("/result", follow_redirects=False).headers["location"] == "/area"


def test_control_characters_and_bidi_overrides_from_a_file_are_inert_in_pages():
    hostile = DATA / "hostile" / "names_with_control_characters.csv"
    with _client() as client:
        csrf = _start(client)
        _upload(client, csrf, payments=hostile, suppliers=REGISTER)
        page = client.get("/check").text
        assert "payments accepted" in page
        assert "\x1b" not in page and "\u202e" not in page and "\x07" not in page
        assert "Aire\\x1b[2J Ltd" in page  # shown, as an escape


BARROW = SPEND / "barrow_bc_2023-04.csv"  # a corpus file: its suppliers are in no register


def test_a_spend_file_alone_goes_through_with_no_register(tmp_path):
    """No register uploaded: the check page says where suppliers are placed from (lm3's public bodies place
    Barrow's payments to councils) and offers the list of suppliers to place; the area page does not ask
    for a register; the result leads with the range (under half placed), never a green panel of one
    figure, and says where each place came from."""
    store = lm3.RegisterStore(tmp_path / "registers")
    with _client(registers=store) as client:
        csrf = _start(client)
        _upload(client, csrf, payments=BARROW)
        assert _wait_for_result(client) == "/check"
        check = client.get("/check").text
        assert "Where the suppliers are placed from" in check and "public bodies (lm3)" in check
        assert 'href="/check/suppliers-to-place.xlsx"' in check
        listed = client.get("/check/suppliers-to-place.xlsx")
        assert listed.status_code == 200
        rows = list(
            openpyxl.load_workbook(io.BytesIO(listed.content)).active.iter_rows(min_row=2, values_only=True)
        )
        expected = lm3.locate(BARROW, None, area="UK", registers=store)
        assert len(rows) == int(
            (
                (expected.suppliers["location"] == "unknown")
                & (expected.suppliers["type"] != "individual or redacted")
            ).sum()
        )
        sent = client.post(
            "/area",
            data={"csrf": csrf("/area"), "area": "Westmorland and Furness"},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sent.status_code == 303
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        result = lm3.calculate(BARROW, area="Westmorland and Furness", registers=store)
        low, high = result.figure_range
        assert f"Between £{low:.2f} and £{high:.2f}" in page and "govuk-panel--confirmation" not in page
        assert "Where the places came from" in page and "its name is in no register held" in page


def test_with_nothing_placeable_the_result_page_gives_no_figure_and_the_next_step(tmp_path):
    payments = tmp_path / "spend.csv"
    payments.write_text(
        "Supplier,Amount\nNowhere Trading Ltd,500.00\nMystery Services,250.50\n", encoding="utf-8"
    )
    with _client(registers=lm3.RegisterStore(tmp_path / "registers")) as client:
        csrf = _start(client)
        _upload(client, csrf, payments=payments)
        _wait_for_result(client)
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert "No LM3 figure yet" in page and "£1.00" not in page and "<img" not in page
        assert "govuk-panel" not in page and 'href="/download/suppliers-to-place.xlsx"' in page
        assert 'href="/registers"' in page and "£750.50" in page
        assert client.get("/download/suppliers-to-place.xlsx").status_code == 200


def test_the_registers_page_lists_the_store_and_adds_an_uploaded_register(tmp_path):
    store = lm3.RegisterStore(tmp_path / "registers")
    register = tmp_path / "vendors.csv"
    register.write_text("Supplier,Postcode\nLocal Widgets Ltd,LA14 2LD\n", encoding="utf-8")
    with _client(registers=store) as client:
        csrf = _start(client)
        listed = client.get("/registers")
        assert (
            listed.status_code == 200
            and "Public bodies (lm3)" in listed.text
            and "companies-house" in listed.text
        )
        empty = client.post("/registers/add", data={"csrf": csrf("/registers/add")}, headers=SAME_ORIGIN)
        assert empty.status_code == 400 and "Choose the register" in empty.text
        sent = client.post(
            "/registers/add",
            data={"csrf": csrf("/registers/add")},
            files=[("register", (register.name, register.read_bytes()))],
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert sent.status_code == 303 and _wait_for_result(client) == "/registers"
        assert "register-vendors" in client.get("/registers").text
        assert [r.name for r in store.registers()] == ["public-bodies", "register-vendors"]
        refused = client.post("/registers/add", data={"csrf": "wrong"}, headers=SAME_ORIGIN)
        assert refused.status_code == 403
        offline = client.post(
            "/registers/download",
            data={
                "csrf": csrf("/registers/download"),
                "name": "companies-house",
                "url": "http://127.0.0.1:9/x.zip",
            },
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert offline.status_code == 303
        assert _wait_for_result(client) == "error 400"  # the page says why, in words
        assert "cannot reach the server" in client.get("/progress").text


def test_a_what_if_category_holding_a_comma_is_used_as_it_is(tmp_path):
    """The what-if's category is taken whole (a comma, an "=" inside it never splits it or overrides the
    share): the moved figure is the one the API gives for that category and share."""
    payments = tmp_path / "spend.csv"
    payments.write_text(
        "Supplier Name,Amount,Expense Type,Supplier Postcode\n"
        "Aire Valley Catering,1000.00,Catering,BD1 1HY\n"
        'Leeds Lettings Ltd,2000.00,"Rents, rates and leases",LS1 4AP\n'
        'Manchester Premises Ltd,3000.00,"Rents, rates and leases",M1 1AE\n'
        "York Foods Ltd,4000.00,Catering,YO1 7HH\n",
        encoding="utf-8",
    )
    store = lm3.RegisterStore(tmp_path / "registers")
    with _client(registers=store) as client:
        csrf = _start(client)
        _upload(client, csrf, payments=payments)
        _wait_for_result(client)
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        page = client.post(
            "/result/what-if",
            data={"csrf": csrf("/result/what-if"), "share": "50%", "category": "Rents, rates and leases"},
            headers=SAME_ORIGIN,
        )
        assert page.status_code == 200 and "what-if-result" in page.text
        result = lm3.calculate(payments, area="Bradford", registers=store)
        moved = result.scenarios([lm3.Shift(share=Fraction(1, 2), category="Rents, rates and leases")]).table
        assert int(moved["moved"].iloc[1]) == 250_000  # half of the £5,000 paid to non-local landlords
        assert lm3.format_gbp(250_000) in page.text
        assert f"{moved['lm3'].iloc[1]:.2f}" in page.text
        sneaky = client.post(
            "/result/what-if",
            data={"csrf": csrf("/result/what-if"), "share": "10%", "category": "x,share=90%"},
            headers=SAME_ORIGIN,
        )
        assert sneaky.status_code == 400 and "x,share=90%" in sneaky.text  # a category no payment has


def test_the_sample_after_an_upload_with_columns_chosen_runs():
    """Columns chosen for an upload belong to it: the sample loaded after it is read with its own."""
    with _client() as client:
        csrf = _start(client)
        _upload(client, csrf, payments=MONTH)
        _wait_for_result(client)
        client.post(
            "/check",
            data={"csrf": csrf("/check"), "kind": "payments", "payments.supplier": "Service Area"},
            headers=SAME_ORIGIN,
        )
        _wait_for_result(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        assert "£2.52" in client.get("/result").text


def test_downloads_before_any_upload_lead_to_the_upload_page():
    with _client() as client:
        _start(client)
        for path in ("/check/rejected-rows.csv", "/check/suppliers-to-place.xlsx", "/check", "/result"):
            got = client.get(path, follow_redirects=False)
            assert got.status_code == 303 and got.headers["location"] == "/upload", path


def test_jobs_run_on_the_apps_own_executor_and_stop_with_it():
    """Calculations started one after another wait their turn on the app's few workers (no thread each),
    and the app shuts its executor down when it stops."""
    app = web.web_app(hosts=("testserver",))
    with TestClient(app) as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        for _ in range(6):
            client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        workers = [t for t in threading.enumerate() if t.name.startswith("lm3-web-job")]
        assert 1 <= len(workers) <= web_site.JOBS
        assert _wait_for_result(client) == "/result"
    with pytest.raises(RuntimeError):
        app.state.site.run(lambda: None)  # shut down: nothing more runs


def test_every_option_on_the_area_page_reaches_the_calculation():
    """The area page offers each declared option it holds (a field with its id), and a fine point of the
    method set there (the interval's level, seed and draws) gives the figure the API gives."""
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        page = client.get("/area").text
        for f in web_forms.AreaForm.fields:
            assert f.option is not None, f.name
            assert f'name="{f.name}"' in page and f.option.label.replace("'", "&#39;") in page, f.name
        bad = client.post(
            "/area", data={"csrf": csrf("/area"), "area": "Bradford", "draws": "many"}, headers=SAME_ORIGIN
        )
        assert bad.status_code == 400 and 'href="#draws"' in bad.text and "whole number" in bad.text
        sent = {"area": "Bradford", "level": "0.5", "seed": "7", "draws": "300"}
        client.post("/area", data={"csrf": csrf("/area"), **sent}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        expected = lm3.load_project(SAMPLE).with_options(level=0.5, seed=7, draws=300).calculate()
        assert expected.interval is not None
        shown = client.get("/result").text
        assert f"£{expected.interval.low:.2f}" in shown and f"£{expected.interval.high:.2f}" in shown


def test_a_sheet_chosen_on_the_check_page_is_the_one_read():
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        assert 'id="sheet"' in client.get("/check").text
        client.post(
            "/check", data={"csrf": csrf("/check"), "kind": "payments", "sheet": "Nope"}, headers=SAME_ORIGIN
        )
        _wait_for_result(client)
        assert "Nope" in client.get("/check").text  # the error names the sheet asked for
        client.post(
            "/check",
            data={"csrf": csrf("/check"), "kind": "payments", "sheet": "Payments 2024-25"},
            headers=SAME_ORIGIN,
        )
        _wait_for_result(client)
        assert "payments accepted" in client.get("/check").text


def test_the_area_box_takes_a_list_as_its_hint_writes_it_and_says_what_a_former_council_is_now():
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        listed = client.post(
            "/area", data={"csrf": csrf("/area"), "area": "Bradford, Leeds"}, headers=SAME_ORIGIN
        )
        assert listed.status_code == 200, listed.text
        assert _wait_for_result(client) == "/result"
        assert "Bradford and Leeds" in client.get("/result").text
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford; Craven"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert "Craven was a district until 1 April 2023; it is now part of North Yorkshire" in page


def test_a_previous_result_by_another_rule_is_said_to_be_not_comparable():
    leeds = lm3.load_project(SAMPLE).with_options(area="Leeds").calculate()
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        client.post(
            "/upload",
            data={"csrf": csrf("/upload")},
            files=[("previous", ("leeds.json", lm3.to_json(leeds).encode()))],
            headers=SAME_ORIGIN,
        )
        client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert "Rule:</strong> area Bradford (E08000032) | local: a site or registered office" in page
        assert "These figures are not comparable: they count different things." in page
        assert "the area differs: Leeds (E08000035) / Bradford (E08000032)" in page


def test_the_scope_chosen_on_the_area_page_names_the_kind_of_every_share():
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        client.post(
            "/area",
            data={
                "csrf": csrf("/area"),
                "area": "Bradford",
                "scope": "procurement",
                "tiers": "WY=West Yorkshire",
            },
            headers=SAME_ORIGIN,
        )
        assert _wait_for_result(client) == "/result"
        page = client.get("/result").text
        assert "local share" in page and "% of placed procurement payments." in page
        assert "scope: procurement (no levies, precepts, pensions or refunds" in page
        assert "Share of placed procurement payments" in page  # the tiers' table


def test_a_planted_session_id_is_renewed_when_files_arrive_so_the_planter_sees_nothing():
    app = web.web_app(hosts=("testserver",))
    with TestClient(app) as mallory, TestClient(app) as victim:
        mallory.get("/")
        planted = mallory.cookies["lm3_session"]
        victim.cookies.set("lm3_session", planted, domain="testserver.local")  # planted from another port
        store: Store = app.state.store
        session = store.get(planted)
        assert session is not None
        _upload_sample(victim, lambda action: web.form_token(session, action))
        renewed = victim.cookies["lm3_session"]
        assert renewed != planted and store.get(renewed) is session
        assert store.get(planted) is None  # the planter's id now names no session
        seen = mallory.get("/check", follow_redirects=False)
        assert seen.status_code != 200 and "payments.xlsx" not in seen.text


def test_the_cookie_is_the_servers_own_and_secure_over_https():
    app = web.web_app(hosts=("testserver",), cookie="lm3_session_8123")
    with TestClient(app) as client:
        assert "lm3_session_8123" in client.get("/").headers["set-cookie"]
        for path in ("/", "/registers", "/upload"):  # once a page, not twice
            assert len(client.get(path).headers.get_list("set-cookie")) == 1, path
    with TestClient(app, base_url="https://testserver") as client:  # as behind a TLS proxy
        cookie = client.get("/").headers["set-cookie"]
        assert "lm3_session_8123=" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_an_ipv6_loopback_is_answered_at_the_address_a_browser_sends():
    with TestClient(web.web_app(hosts=("::1",)), base_url="http://[::1]:8000") as client:
        assert client.get("/").status_code == 200


def test_a_calculation_resubmitted_again_and_again_runs_once():
    with _client() as client:
        csrf = _start(client)
        client.post("/sample", data={"csrf": csrf("/sample")}, headers=SAME_ORIGIN)
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        session = store.get(client.cookies["lm3_session"])
        assert session is not None
        jobs = []
        for _ in range(10):
            client.post("/area", data={"csrf": csrf("/area"), "area": "Bradford"}, headers=SAME_ORIGIN)
            jobs.append(session.job)
        assert _wait_for_result(client) == "/result"
        for _ in range(200):  # the superseded ones stop at their next step
            if all(j is not None and j.finished for j in jobs):
                break
            time.sleep(0.05)
        assert all(j is not None and j.finished for j in jobs)
        assert all(j.superseded and j.result is None for j in jobs[:-1])  # none of them went to the end
        assert jobs[-1] is not None and jobs[-1].result is not None and session.result is jobs[-1].result


def test_what_a_killed_server_left_is_swept_and_idle_sessions_expire_without_requests(tmp_path, monkeypatch):
    import subprocess
    import sys

    from lm3.web import store as web_store

    monkeypatch.setattr(web_store.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    left = tmp_path / "lm3-web-killed"
    left.mkdir()
    (left / ".owner").write_text(dead.stdout.strip(), encoding="ascii")
    (left / "payroll-1.xlsx").write_bytes(b"pay")
    mine = web_store.Store(idle_minutes=60).new()  # this process's: kept
    (tmp_path / "lm3-web-vanished").symlink_to(tmp_path / "gone")  # as a folder deleted while a sweep looks
    assert web_store.sweep(tmp_path) == 1 and not left.exists() and mine.folder.exists()
    # the app's own timer, with no request arriving: a session idle for 60 ms goes within a few ticks
    import asyncio

    store = web_store.Store(idle_minutes=0.001)
    session = store.new()

    async def idle_server() -> None:
        ticking = asyncio.create_task(web._expire_every(store, 0.05))
        await asyncio.sleep(0.4)
        ticking.cancel()

    asyncio.run(idle_server())
    assert not session.folder.exists() and len(store) == 0


def test_a_full_disk_gets_a_page_not_a_500(monkeypatch):
    from lm3.web import store as web_store

    def full(self, data):
        raise OSError(28, "No space left on device")

    with _client() as client:
        csrf = _start(client)
        monkeypatch.setattr(web_store.Path, "write_bytes", full)
        page = _upload_sample(client, csrf)
    assert page.status_code == 507 and "No space left on device" in page.text  # type: ignore[attr-defined]


def test_when_no_amount_column_is_found_the_check_page_lets_a_person_choose_it():
    unknown = b"Ref,Payee,Paid\nV1,Acme Ltd,GBP 10.50\nV2,Beta Ltd,GBP 20.00\nV3,Gamma Ltd,GBP 1.00\n"
    fixed = b"Ref,Payee,Sum\nV1,Acme Ltd,10.50\nV2,Beta Ltd,20.00\nV3,Gamma Ltd,1.00\n"
    with _client() as client:
        csrf = _start(client)
        _upload_payments(client, csrf, "p.csv", unknown)
        page = client.get("/check").text
        assert "Say which columns to read" in page and 'name="payments.amount"' in page
        assert '<option value="Paid">Paid</option>' in page
        assert "Continue to the area" not in page  # the study cannot go ahead yet
        # a file whose amounts are plain, under a header lm3 does not know: chosen by hand, then read
        _upload_payments(client, csrf, "p.csv", fixed)
        client.post(
            "/check",
            data={
                "csrf": csrf("/check"),
                "kind": "payments",
                "payments.supplier": "Payee",
                "payments.amount": "Sum",
            },
            headers=SAME_ORIGIN,
        )
        _wait_for_result(client)
        page = client.get("/check").text
        assert "3 payments accepted, 0 rejected; total £31.50." in page and "Continue to the area" in page


def test_a_file_named_like_one_the_server_keeps_is_still_named_as_its_person_named_it():
    session = Store().new()
    session.add("payments", "payments-2.csv", b"x", ".csv")  # kept as payments-1.csv
    session.add("payments", "april.csv", b"y", ".csv")  # kept as payments-2.csv
    said = session.as_shown("payments-1.csv: 2 rows rejected; payments-2.csv: read; payments-12.csv")
    assert said == "payments-2.csv: 2 rows rejected; april.csv: read; payments-12.csv"
    kept = session.files("payments")[0].path
    assert session.as_shown(f"{kept}: not a result") == "payments-2.csv: not a result"  # no server path


def test_a_tls_proxys_scheme_is_believed_from_the_proxies_named_and_no_others():
    import urllib.request

    def cookie(**config: object) -> str:
        with served(web.web_app(cookie="lm3_session_1"), **config) as port:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.headers["set-cookie"]

    assert "Secure" in cookie()  # a proxy on this computer, as by default
    assert "Secure" in cookie(forwarded_allow_ips="127.0.0.1,10.0.0.2")
    assert "Secure" not in cookie(forwarded_allow_ips="10.0.0.2")  # a header anyone could send: not believed


def test_the_app_is_opened_at_a_host_of_its_own_whose_cookies_stay_its_own():
    from lm3.web import server as web_server

    assert web_server.addresses("127.0.0.1", 8000) == ("http://lm3.localhost:8000/", "http://127.0.0.1:8000/")
    assert web_server.addresses("::1", 8001) == ("http://[::1]:8001/", None)
    assert web_server.addresses("0.0.0.0", 8002) == ("http://127.0.0.1:8002/", None)
    with TestClient(web.web_app(hosts=web_server.LOOPBACK), base_url="http://lm3.localhost:8000") as client:
        assert client.get("/").status_code == 200
    with TestClient(web.web_app(hosts=web_server.LOOPBACK), base_url="http://evil.localhost:8000") as client:
        assert client.get("/").status_code == 400  # only its own name


@pytest.mark.slow
def test_lm3_serve_asks_for_as_many_open_files_as_the_system_allows():
    import resource
    import subprocess
    import sys

    def at_most(soft: int, hard: int) -> Callable[[], None]:
        return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    code = (
        "import resource; from lm3.web.server import more_open_files; more_open_files(); "
        "print(*resource.getrlimit(resource.RLIMIT_NOFILE))"
    )
    _, most = resource.getrlimit(resource.RLIMIT_NOFILE)  # this process's own hard limit: it may not rise
    high = 65_536 if most == resource.RLIM_INFINITY else min(most, 65_536)
    for (soft, hard), expected in (((256, 1024), "1024 1024"), ((256, most), f"{high} {most}")):
        ran = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=at_most(soft, hard)
        )
        assert ran.stdout.split() == expected.split(), ran.stderr


@pytest.mark.slow
def test_eleven_hundred_half_open_connections_never_stop_a_real_request(tmp_path):
    """A real ``lm3 serve`` allowed 1,024 open files (Linux's usual limit): 1,100 connections opened and left
    silent used to take every socket, so real requests failed and the log grew by megabytes a minute."""
    import os
    import resource
    import socket
    import subprocess
    import sys

    import httpx2 as httpx

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1_400:
        pytest.skip(f"this process may open only {hard} files; the test holds 1,100 connections")
    resource.setrlimit(
        resource.RLIMIT_NOFILE, (max(soft, 1_400) if hard == resource.RLIM_INFINITY else hard, hard)
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"

    def at_most_1024_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "lm3", "serve", "--port", str(port)],
            env={**os.environ, "PYTHONPATH": str(Path(lm3.__file__).parent.parent)},
            stdout=out,
            stderr=out,
            preexec_fn=at_most_1024_files,
        )
    base = f"http://127.0.0.1:{port}/"
    held: list[socket.socket] = []
    try:
        for _ in range(300):
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(1_100)]  # nothing sent on them
        time.sleep(0.5)
        started = time.monotonic()
        assert httpx.get(base, timeout=5).status_code == 200
        assert time.monotonic() - started < 2
        time.sleep(1)
        assert log.stat().st_size < 2_000, log.read_text(errors="replace")[
            :2_000
        ]  # nothing logged per socket
    finally:
        for conn in held:
            conn.close()
        process.terminate()
        process.wait(10)


def test_connections_left_half_open_are_closed_and_real_requests_still_answered(monkeypatch):

    from lm3.web import server as web_server

    monkeypatch.setattr(web_server, "FIRST_REQUEST_SECONDS", 0.5)
    with served(web.web_app()) as port:
        _half_open_are_closed(port)


def _half_open_are_closed(port: int) -> None:
    import socket
    import urllib.request

    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]  # nothing sent on them
    slow = socket.create_connection(("127.0.0.1", port))
    slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # a request never finished
    time.sleep(1.5)
    for conn in [*idle, slow]:
        conn.settimeout(2)
        assert conn.recv(1024) == b""  # closed by the server, with nothing sent
        conn.close()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
        assert answer.status == 200


def test_the_area_page_refuses_a_rule_it_cannot_read_at_once_and_offers_to_leave_rows_out():
    bad_rows = b"Supplier,Amount\nACME LTD,ten pounds\nBETA LTD,12.00\n"
    with _client() as client:
        csrf = _start(client)
        _upload_payments(client, csrf, "bad.csv", bad_rows)
        page = client.get("/area").text
        assert "Leave out payment rows whose amount cannot be read" in page
        refused = client.post(
            "/area",
            data={"csrf": csrf("/area"), "area": "Bradford", "exclude": "category=Precepts"},
            headers=SAME_ORIGIN,
        )
        assert refused.status_code == 400 and "is not FIELD=VALUE" in refused.text  # before any calculation
        client.post(
            "/area",
            data={"csrf": csrf("/area"), "area": "Bradford", "skip_rejected": "yes"},
            headers=SAME_ORIGIN,
        )
        assert _wait_for_result(client) == "/result"  # without it: "could not go ahead" (an earlier test)
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        session = store.get(client.cookies["lm3_session"])
        assert session is not None and session.result is not None
        assert [w.rows for w in session.result.warnings if w.code == "payment-rows-skipped"] == [(2,)]


def test_warnings_on_a_page_name_options_as_the_page_shows_them():
    titled = (
        b"Spend over 500,April 2024\nSome notes,more notes\nSupplier,Amount\nAcme Ltd,10.00\nBeta Ltd,20.00\n"
    )
    with _client() as client:
        csrf = _start(client)
        _upload_payments(client, csrf, "p.csv", titled)
        page = client.get("/check").text
    assert "say which columns to read (&#34;The payments file&#39;s columns&#34;, on the check page)." in page
    assert "(columns)" not in page


@pytest.mark.slow
def test_a_killed_servers_uploads_are_gone_after_the_next_start(tmp_path):
    """kill -9, then a restart: the payroll uploaded to the killed server does not stay in the temporary
    folder (a real ``lm3 serve`` process, its TMPDIR a folder of the test's own)."""
    import os
    import signal
    import socket
    import subprocess
    import sys

    import httpx2 as httpx

    def start() -> tuple[subprocess.Popen[bytes], str]:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path(lm3.__file__).parent.parent)}
        process = subprocess.Popen(
            [sys.executable, "-m", "lm3", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(base + "/", timeout=1)
                return process, base
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("lm3 serve did not start")

    first, base = start()
    try:
        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
            client.get("/")  # a session begins
            page = client.get("/upload").text
            token = _form_tokens(page)["/upload"]
            files = [
                ("payments", ("p.csv", b"Supplier,Amount\nAcme Ltd,10.00\n")),
                ("payroll", ("pay.csv", b"x")),
            ]
            client.post("/upload", data={"csrf": token}, files=files, headers={"origin": base})
        left = list(tmp_path.glob("lm3-web-*"))  # the probe's session and the client's
        assert any(p.name.startswith("payroll") for folder in left for p in folder.iterdir())
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    assert all(p.exists() for p in left)  # a killed process cleans nothing
    second, base = start()
    try:
        assert not any(p.exists() for p in left)  # swept as the server started
        with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
            client.get("/")
            token = _form_tokens(client.get("/upload").text)["/upload"]
            files = [("payments", ("p.csv", b"Supplier,Amount\nAcme Ltd,10.00\n"))]
            client.post("/upload", data={"csrf": token}, files=files, headers={"origin": base})
        assert list(tmp_path.glob("lm3-web-*"))
        second.send_signal(signal.SIGINT)  # Ctrl+C: prompt, and the uploads go with the server
        stopping = time.monotonic()
        second.wait(10)
        assert time.monotonic() - stopping < 5
        assert not list(tmp_path.glob("lm3-web-*"))
    finally:
        if second.poll() is None:
            second.terminate()
            second.wait(10)
