"""lm3 registers download, against a local HTTP server serving files in the publishers' layouts: the newest
file found, a download resumed where it stopped, a file cut short, corrupted, of the wrong layout or with
the wrong checksum refused, and the store left as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import lm3
from lm3.cli import cli

# Companies House BasicCompanyData's header, as the product writes it (leading spaces and all)
CH_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,"
    "RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,"
    "CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,"
    "Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory"
)
POSTCODES = ["BD1 1HY", "LS1 4DY", "M1 1AE", "SW1A 1AA", "BD7 1DP", "LS2 9JT"]


def companies_csv(n: int = 300) -> bytes:
    lines = [CH_HEADER]
    for i in range(n):
        pc = POSTCODES[i % len(POSTCODES)]
        lines.append(
            f'"COMPANY {i:04d} LIMITED","{10000000 + i}","","","{i} HIGH STREET","","TOWN","","ENGLAND","{pc}",'
            '"Private Limited Company","Active","United Kingdom","","01/01/2020","31","3","","","SMALL"'
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buffer.getvalue()


class Server:
    """A local publisher: ``files`` by path; ``mode`` per path: "drop-once" (the first request gets half
    the file, then the connection closes), "short" (always fewer bytes than it says); honours Range."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.mode: dict[str, str] = {}
        self.requests: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                server.requests.append((path, self.headers.get("Range")))
                data = server.files.get(path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if (asked := self.headers.get("Range")) and asked.startswith("bytes="):
                    start = int(asked[6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                mode = server.mode.get(path)
                if mode == "drop-once":
                    server.mode.pop(path)
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if mode == "short":
                    self.wfile.write(body[: len(body) - 100])
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


NOVEMBER = "/BasicCompanyDataAsOneFile-2026-11-01.zip"
TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def server():
    with Server() as s:
        yield s


def _held(store: lm3.RegisterStore) -> list[tuple[str, int]]:
    return [(r.name, r.rows) for r in store.registers()]


def test_the_newest_monthly_file_is_fetched_checked_and_added(server, tmp_path):
    """December's file is not out yet (404): November's is fetched, its CRCs checked, its layout recognised,
    and added with its address as its source; the download itself is not kept."""
    server.files[NOVEMBER] = zipped("BasicCompanyDataAsOneFile-2026-11-01.csv", companies_csv())
    store = lm3.RegisterStore(tmp_path / "data" / "registers")
    info = lm3.registers.download("companies-house", registers=store, mirror=server.url, today=TODAY)
    assert (info.name, info.rows, info.date) == ("companies-house", 300, "2026-11-01")
    assert info.source == server.url + NOVEMBER
    assert info.sha256 == hashlib.sha256(server.files[NOVEMBER]).hexdigest()
    assert [p for p, _ in server.requests] == ["/BasicCompanyDataAsOneFile-2026-12-01.zip", NOVEMBER]
    assert not any((tmp_path / "data" / "downloads").iterdir())
    placed = lm3.locate(
        __import__("pandas").DataFrame({"Supplier": ["Company 0001 Ltd"], "Amount": ["1.00"]}),
        None,
        area="Leeds",
        registers=store,
    )
    assert placed.suppliers.iloc[0][["source", "location"]].tolist() == [
        "the register store: companies-house",
        "local",  # LS1 4DY
    ]


def test_an_interrupted_download_resumes_where_it_stopped(server, tmp_path):
    data = zipped("x.csv", companies_csv(3000))
    server.files[NOVEMBER] = data
    server.mode[NOVEMBER] = "drop-once"
    store = lm3.RegisterStore(tmp_path / "registers")
    with pytest.raises(lm3.InputError) as cut:
        lm3.registers.download("companies-house", registers=store, url=server.url + NOVEMBER)
    assert cut.value.code == "download-incomplete" and "Run it again to resume" in str(cut.value)
    part = tmp_path / "downloads" / (NOVEMBER.lstrip("/") + ".part")
    assert part.stat().st_size == len(data) // 2
    assert _held(store) == [("public-bodies", _held(store)[0][1])]  # nothing added
    info = lm3.registers.download("companies-house", registers=store, url=server.url + NOVEMBER)
    assert info.rows == 3000 and info.sha256 == hashlib.sha256(data).hexdigest()
    assert server.requests[-1] == (NOVEMBER, f"bytes={len(data) // 2}-")
    assert not part.exists()


def test_a_file_cut_short_is_refused_and_the_store_left_as_it_was(server, tmp_path):
    store = lm3.RegisterStore(tmp_path / "registers")
    lm3.registers.add(_small_register(tmp_path), registers=store, name="companies-house", date="2020-01-01")
    before = _held(store)
    server.files[NOVEMBER] = zipped("x.csv", companies_csv())
    server.mode[NOVEMBER] = "short"
    with pytest.raises(lm3.InputError) as cut:
        lm3.registers.download("companies-house", registers=store, url=server.url + NOVEMBER)
    assert cut.value.code == "download-incomplete"
    assert _held(store) == before


def test_a_corrupted_zip_is_refused(server, tmp_path):
    good = zipped("x.csv", companies_csv(2000))
    bad = bytearray(good)
    bad[len(bad) // 3] ^= 0xFF  # one byte of the compressed data changed: its CRC-32 no longer holds
    server.files[NOVEMBER] = bytes(bad)
    store = lm3.RegisterStore(tmp_path / "registers")
    before = _held(store)
    with pytest.raises(lm3.InputError) as refused:
        lm3.registers.download("companies-house", registers=store, url=server.url + NOVEMBER)
    assert refused.value.code == "download-corrupted"
    assert _held(store) == before
    assert not any(p.name.endswith(".zip") for p in (tmp_path / "downloads").iterdir())


def test_a_page_in_place_of_the_file_and_a_wrong_checksum_are_refused(server, tmp_path):
    store = lm3.RegisterStore(tmp_path / "registers")
    server.files["/publicextract.charity.zip"] = zipped(
        "page.html", b"<html><body>Service unavailable</body></html>"
    )
    with pytest.raises(lm3.InputError) as page:
        lm3.registers.download(
            "charity-commission", registers=store, url=server.url + "/publicextract.charity.zip"
        )
    assert page.value.code == "download-wrong-layout"
    server.files[NOVEMBER] = zipped("x.csv", companies_csv())
    with pytest.raises(lm3.InputError) as checksum:
        lm3.registers.download("companies-house", registers=store, url=server.url + NOVEMBER, sha256="0" * 64)
    assert checksum.value.code == "download-checksum"
    assert [r.name for r in store.registers()] == ["public-bodies"]


def test_registers_that_need_an_address_and_unknown_names_say_so(tmp_path):
    store = lm3.RegisterStore(tmp_path / "registers")
    with pytest.raises(lm3.InputError) as cqc:
        lm3.registers.download("cqc", registers=store)
    assert cqc.value.code == "register-url-needed" and "cqc.org.uk" in str(cqc.value)
    with pytest.raises(lm3.InputError) as unknown:
        lm3.registers.download("everything", registers=store)
    assert unknown.value.code == "no-such-register" and "companies-house" in str(unknown.value)
    with pytest.raises(lm3.InputError) as offline:
        lm3.registers.download("companies-house", registers=store, url="http://127.0.0.1:9/none.zip")
    assert offline.value.code == "download-unreachable"


def test_cli_downloads_the_gias_file_of_the_day(server, tmp_path):
    """GIAS publishes a file a day: today's name, through a mirror of the publisher's paths."""
    header = '"URN","LA (code)","LA (name)","EstablishmentNumber","EstablishmentName","EstablishmentStatus (name)","Postcode"'
    rows = [header, '"100001","380","Bradford","2001","Bradford Primary School","Open","BD7 1DP"']
    rows.append('"100002","380","Bradford","2002","Shut Down School","Closed","BD1 1HY"')
    name = f"/edubase/downloads/public/edubasealldata{dt.date.today():%Y%m%d}.csv"
    server.files[name] = ("\n".join(rows) + "\n").encode("cp1252")
    out = CliRunner().invoke(
        cli,
        ["registers", "download", "gias", "--mirror", server.url, "--registers", str(tmp_path / "registers")],
    )
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Added gias: 2 rows of Get Information about Schools")
    held = lm3.RegisterStore(tmp_path / "registers").rows("gias")
    assert held.set_index("urn")["status"].to_dict() == {"100001": "active", "100002": "closed"}


def _small_register(tmp_path: Path) -> Path:
    path = tmp_path / "old.csv"
    path.write_text("Supplier,Postcode\nOld Company,BD1 1HY\n", encoding="utf-8")
    return path
