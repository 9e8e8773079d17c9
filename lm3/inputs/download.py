"""Fetching an open register's official bulk file from its publisher, checked, into the register store.

``download(name, store)`` takes the address of the register's current bulk file from ``CATALOGUE`` (or a
``url`` given, or a ``mirror`` holding the publishers' files under the same paths), and fetches it into the
store's ``downloads`` folder as ``<file>.part``:

- **resumed**: a ``.part`` left by an interrupted download is continued with an HTTP Range request where
  the server allows it (206), else fetched again from the start;
- **checked**: the bytes received must be as many as the server said (a connection that drops leaves the
  ``.part`` to resume, and says so); a SHA-256 given must match; a ZIP's members must pass their CRC-32
  checks (a corrupted archive is refused); the file must be the register's own layout (a web page or
  another register at the address is refused). A file that fails is deleted, and the store is left as it
  was;
- then added (``RegisterStore.add``), with its address as its source. The downloaded file is deleted once
  the store holds it, unless ``keep``.

Nothing is downloaded unless a user asks: lm3 never fetches anything on its own, and the tests serve
real-layout files from a local HTTP server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import urllib.parse
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lm3.errors import InputError
from lm3.inputs.recognise import recognise
from lm3.inputs.store import RegisterInfo, RegisterStore
from lm3.progress import Progress, report

CHUNK = 1 << 20
TIMEOUT = 60  # seconds without a byte before a download is given up (and can be resumed)


@dataclass(frozen=True)
class Official:
    """A register's official bulk file: where it is (``urls``, the newest first, tried in turn: a monthly
    or daily file may not be out yet), the page that describes it, its licence, and the layout it must
    have (``layout``: a store name of ``lm3.inputs.bulk``)."""

    name: str
    title: str
    page: str
    licence: str
    layout: str
    urls: Callable[[dt.date], list[str]] | None = None
    note: str = ""


def _monthly_companies_house(today: dt.date) -> list[str]:
    months = [today.replace(day=1), (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)]
    return [
        f"https://download.companieshouse.gov.uk/BasicCompanyDataAsOneFile-{m:%Y-%m}-01.zip" for m in months
    ]


def _daily_gias(today: dt.date) -> list[str]:
    days = [today - dt.timedelta(days=i) for i in range(3)]
    base = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata"
    return [f"{base}{d:%Y%m%d}.csv" for d in days]


def _fixed(url: str) -> Callable[[dt.date], list[str]]:
    return lambda today: [url]


OGL = "Open Government Licence v3.0"
ODS = "https://files.digital.nhs.uk/assets/ods/current"
CATALOGUE = {
    o.name: o
    for o in (
        Official(
            "companies-house",
            "Companies House BasicCompanyData (every live company, monthly, about 500 MB zipped)",
            "https://download.companieshouse.gov.uk/en_output.html",
            OGL,
            "companies-house",
            _monthly_companies_house,
        ),
        Official(
            "charity-commission",
            "Charity Commission for England and Wales: register extract (daily)",
            "https://register-of-charities.charitycommission.gov.uk/register/full-register-download",
            OGL,
            "charity-commission",
            _fixed(
                "https://ccewuksprdoneregsadata1.blob.core.windows.net/data/txt/publicextract.charity.zip"
            ),
        ),
        Official(
            "oscr",
            "OSCR: Scottish Charity Register",
            "https://www.oscr.org.uk/about-charities/search-the-register/register-download/",
            OGL,
            "oscr",
            _fixed("https://www.oscr.org.uk/umbraco/Surface/FormsSurface/CharityRegDownload"),
        ),
        Official(
            "ccni",
            "Charity Commission for Northern Ireland: register of charities",
            "https://www.charitycommissionni.org.uk/charity-search/",
            OGL,
            "ccni",
            _fixed(
                "https://www.charitycommissionni.org.uk/umbraco/api/charityApi/ExportSearchResultsToCsv/"
                "?include=Linked&include=Removed"
            ),
        ),
        Official(
            "gias",
            "Get Information about Schools: all establishments (daily)",
            "https://get-information-schools.service.gov.uk/Downloads",
            OGL,
            "gias",
            _daily_gias,
        ),
        Official(
            "ods-trusts",
            "NHS ODS: NHS trusts (etr)",
            "https://digital.nhs.uk/services/organisation-data-service",
            OGL,
            "ods",
            _fixed(f"{ODS}/etr.zip"),
        ),
        Official(
            "ods-trust-sites",
            "NHS ODS: NHS trust sites (ets)",
            "https://digital.nhs.uk/services/organisation-data-service",
            OGL,
            "ods",
            _fixed(f"{ODS}/ets.zip"),
        ),
        Official(
            "ods-gp-practices",
            "NHS ODS: GP practices (epraccur)",
            "https://digital.nhs.uk/services/organisation-data-service",
            OGL,
            "ods",
            _fixed(f"{ODS}/epraccur.zip"),
        ),
        Official(
            "cqc",
            "CQC care directory (monthly)",
            "https://www.cqc.org.uk/about-us/transparency/using-cqc-data",
            OGL,
            "cqc",
            note="its address changes each month: copy the CSV's link from the page",
        ),
        Official(
            "contracts",
            "Contracts Finder or Find a Tender: OCDS releases",
            "https://www.contractsfinder.service.gov.uk/apidocumentation/home",
            OGL,
            "contracts",
            note="give the address of an OCDS release package (JSON, JSON Lines or ZIP)",
        ),
        Official(
            "360giving",
            "360Giving: a publisher's grants",
            "https://www.threesixtygiving.org/data/data-registry/",
            "as the publisher states",
            "360giving",
            note="give the address of a publisher's file (JSON, CSV or XLSX) from the 360Giving registry",
        ),
    )
}


def catalogue() -> list[Official]:
    """The registers lm3 knows how to fetch, by name."""
    return list(CATALOGUE.values())


def _addresses(official: Official, url: str | None, mirror: str | None, today: dt.date) -> list[str]:
    if url:
        return [url]
    if official.urls is None:
        raise InputError(
            f"{official.name}: {official.note}, {official.page}, and give it as url.",
            code="register-url-needed",
            params=("url",),
        )
    urls = official.urls(today)
    if mirror:  # the same paths on another server (a mirror, a proxy, a test)
        base = mirror.rstrip("/")
        urls = [
            base + urllib.parse.urlsplit(u).path + (f"?{q}" if (q := urllib.parse.urlsplit(u).query) else "")
            for u in urls
        ]
    return urls


def download(
    name: str,
    store: RegisterStore,
    *,
    url: str | None = None,
    mirror: str | None = None,
    sha256: str | None = None,
    keep: bool = False,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> RegisterInfo:
    """Fetch register ``name`` (a key of ``CATALOGUE``) and add it to ``store``; see the module docstring.
    Raises InputError: an unknown name, a server that refuses or cannot be reached, a download cut short
    (run again to resume), a size, checksum or layout that is wrong."""
    official = CATALOGUE.get(name)
    if official is None:
        raise InputError(
            f"No register {name!r} to download. Registers: {', '.join(CATALOGUE)}.",
            code="no-such-register",
            params=("name",),
        )
    folder = store.folder.parent / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    tried: list[str] = []
    for address in _addresses(official, url, mirror, today or dt.date.today()):
        target = folder / _file_name(address, official)
        try:
            _fetch(address, target, progress)
        except _NotThere as err:
            tried.append(f"{address} ({err})")
            continue
        try:
            _check(target, official, sha256, address)
            name_it = None if official.layout in ("contracts", "360giving", "ods") else official.name
            return store.add(target, name=name_it, source=address, progress=progress)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        finally:
            if not keep:
                target.unlink(missing_ok=True)
    raise InputError(
        f"{official.name}: the bulk file is not at {'; '.join(tried)}. See {official.page} for its address "
        "now, and give it as url.",
        code="register-not-found",
        params=("url",),
    )


class _NotThere(Exception):
    """The server has no file at this address (404, 410): try the next."""


def _file_name(address: str, official: Official) -> str:
    tail = Path(urllib.parse.urlsplit(address).path).name
    return tail if "." in tail else f"{official.name}.download"


def _fetch(address: str, target: Path, progress: Progress | None) -> None:
    """Fetch ``address`` into ``target``, resuming a ``.part`` left before; the whole file, or an error."""
    import urllib.error  # the network stack (http, ssl) only when a register is downloaded
    import urllib.request

    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(address, headers={"User-Agent": "lm3 (register download)"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as err:
        if err.code in (404, 410):
            raise _NotThere(f"HTTP {err.code}") from err
        if err.code == 416 and have:  # asked beyond the end: the part may be whole already
            os.replace(part, target)
            return
        raise InputError(
            f"{address}: the server refused the download (HTTP {err.code} {err.reason}).",
            code="download-refused",
        ) from err
    except (urllib.error.URLError, OSError) as err:
        raise InputError(
            f"{address}: cannot reach the server ({getattr(err, 'reason', err)}). Check the machine is online, "
            "or download the file by hand and add it (lm3.registers.add).",
            code="download-unreachable",
        ) from err
    with response:
        if response.status == 206:
            span = response.headers.get("Content-Range", "")
            total = int(span.rsplit("/", 1)[-1]) if span.rsplit("/", 1)[-1].isdigit() else None
            mode = "ab"
        else:  # the whole file again (the server does not resume)
            have, mode = 0, "wb"
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        got = have
        try:
            with part.open(mode) as out:
                while block := response.read(CHUNK):
                    out.write(block)
                    got += len(block)
                    report(progress, f"downloading {target.name}", got, total or 0)
        except (OSError, TimeoutError) as err:
            raise InputError(
                f"{address}: the download stopped at {got:,} bytes ({err}). Run it again to resume.",
                code="download-incomplete",
            ) from err
    if total is not None and got != total:
        raise InputError(
            f"{address}: the download stopped at {got:,} of {total:,} bytes. Run it again to resume.",
            code="download-incomplete",
        )
    os.replace(part, target)


def _check(path: Path, official: Official, sha256: str | None, address: str) -> None:
    """A downloaded file's checks: its SHA-256 (when given), its ZIP members' CRCs, its layout."""
    if sha256:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(CHUNK):
                digest.update(block)
        if digest.hexdigest() != sha256.lower():
            raise InputError(
                f"{address}: the file's SHA-256 is {digest.hexdigest()}, not {sha256}: refused (corrupted, or "
                "not the file expected).",
                code="download-checksum",
                params=("sha256",),
            )
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                bad = archive.testzip()
        except (zipfile.BadZipFile, OSError, EOFError) as err:
            raise InputError(
                f"{address}: the ZIP is corrupted ({err}): refused.", code="download-corrupted"
            ) from err
        if bad is not None:
            raise InputError(
                f"{address}: {bad} in the ZIP fails its CRC check (corrupted): refused. Download it again.",
                code="download-corrupted",
            )
    elif path.suffix.lower() == ".zip":
        raise InputError(
            f"{address}: not a ZIP, though named one (corrupted or cut short): refused.",
            code="download-corrupted",
        )
    layout, _ = recognise(path)
    if layout.name != official.layout:
        raise InputError(
            f"{address}: this is not {official.title} (it reads as {layout.title}): refused. See {official.page}.",
            code="download-wrong-layout",
        )
