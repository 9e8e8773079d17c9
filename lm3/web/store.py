"""What the web app keeps for each browser: in memory, and in one temporary folder per session that is
deleted with it ("Delete my data", the idle timeout, or the server stopping). Nothing else is written.

A session is found by a random id in a cookie; another browser has another id and never sees these files.
Uploaded files are saved under names the server makes (``payments-1.csv``): the name a browser sent is only
shown, escaped, never used as a path.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lm3

# what each upload is, as the pages name it, and the suffixes lm3 reads for it
KINDS = {
    "payments": "Payments",
    "suppliers": "Supplier register",
    "payroll": "Payroll",
    "supplier_survey": "Supplier survey",
    "staff_survey": "Staff survey",
    "previous": "Previous result",
}
SEVERAL = {"payments", "suppliers", "supplier_survey", "staff_survey"}  # a year of files, or one form each
TABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods", ".zip")
SUFFIXES = {kind: TABLE_SUFFIXES for kind in KINDS} | {"previous": (".json",)}


@dataclass
class Upload:
    """A file a person sent: what it is, the name it had (shown only) and where the server keeps it."""

    kind: str
    shown: str
    path: Path
    size: int


@dataclass
class Job:
    """A long step running on a thread (reading the files, or the calculation): its progress (step, done,
    total), its end, and the page to go on to."""

    title: str = "Calculating"
    next: str = "/result"
    step: str = "starting"
    done: int = 0
    total: int = 1
    result: lm3.LM3Result | None = None
    error: lm3.LM3Error | None = None
    finished: bool = False
    superseded: bool = False  # a newer job of the session took its place: it stops at its next step
    stoppable: bool = True  # a register being added is not stopped by a newer job...
    stopping: bool = False  # ...but every job stops at its next step when the server does (a register's
    # download resumes from its .part next time; one half-added leaves nothing)

    def progress(self, step: str, done: int, total: int) -> None:
        if self.stopping or (self.superseded and self.stoppable):
            raise Superseded
        self.step, self.done, self.total = step, done, max(total, 1)


class Superseded(Exception):
    """A job's session started a newer one: this one stops (a person who resubmits thirty times gets one
    calculation, not thirty)."""


@dataclass
class Session:
    """One browser's files, choices and result. Its state is changed under ``lock``: by the pages (on the
    event loop) and by its jobs (on the app's executor) alike."""

    id: str
    secret: str  # the key of this session's form tokens (lm3.web.security.form_token)
    folder: Path
    cookie: str = "lm3_session"  # the name of the cookie that holds its id (its server's)
    uploads: list[Upload] = field(default_factory=list)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> field -> header
    sheet: str | None = None  # the payments workbook's one sheet to read, when a person chose it
    options: dict[str, Any] = field(default_factory=dict)
    job: Job | None = None
    result: lm3.LM3Result | None = None
    what_if: Any = None  # the last scenarios table
    tiers: Any = None  # spend by tier, when tiers were named
    touched: float = field(default_factory=time.monotonic)
    counter: int = 0
    read: dict[str, tuple[object, Any]] = field(default_factory=dict)  # kind -> (columns, what lm3 read)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def cached(self, kind: str, columns: object, reader: Callable[[], Any]) -> Any:
        """What lm3 read from this kind of upload with these columns: read once, for the check page and
        the calculation alike, and again only when the files or the columns change. It is kept under the
        files it was read from, so a reading still running when new files arrive never stands for them."""
        with self.lock:
            key = (repr(columns), tuple(str(u.path) for u in self.files(kind)))
            kept = self.read.get(kind)
        if kept is not None and kept[0] == key:
            return kept[1]
        value = reader()  # outside the lock: a long read never holds up a page
        with self.lock:
            if key == (repr(columns), tuple(str(u.path) for u in self.files(kind))):
                self.read[kind] = (key, value)  # kept only while these are still the files
        return value

    def forget(self, kind: str) -> None:
        """Drop what was read from a kind of upload (what it stands for has changed)."""
        with self.lock:
            self.read.pop(kind, None)

    def start(self, job: Job, *, keep_result: bool = True) -> None:
        """Make ``job`` the session's running job (without ``keep_result``, the result shown is dropped)."""
        with self.lock:
            if self.job is not None and not self.job.finished:
                self.job.superseded = True
            self.job = job
            if not keep_result:
                self.result, self.what_if = None, None

    def finish(self, job: Job, uploads: int, result: lm3.LM3Result, tiers: Any) -> bool:
        """Show ``result`` if ``job`` is still the session's job and no file came in since it started
        (``uploads``: the counter then); whether it is shown."""
        with self.lock:
            if self.job is not job or self.counter != uploads:
                return False
            self.result, self.tiers = result, tiers
            return True

    def set_sheet(self, sheet: str | None) -> None:
        """The one sheet of the payments workbook to read (None: every sheet that holds payments)."""
        with self.lock:
            if sheet != self.sheet:
                self.sheet, self.result = sheet, None

    def set_columns(self, kind: str, chosen: dict[str, str]) -> None:
        """Columns a person chose for a kind of upload, over those chosen before."""
        with self.lock:
            self.columns[kind] = {**self.columns.get(kind, {}), **chosen}
            self.result = None

    def files(self, kind: str) -> list[Upload]:
        return [u for u in self.uploads if u.kind == kind]

    def paths(self, kind: str) -> Path | list[Path] | None:
        """The files of one kind as lm3 takes them: one path, a list, or None."""
        found = [u.path for u in self.files(kind)]
        if not found:
            return None
        return found if kind in SEVERAL and len(found) > 1 else found[0]

    def as_shown(self, text: str) -> str:
        """Text from lm3 (a message, a warning, a file column) with each file named as the person named
        it, not as the server keeps it."""
        text = text.replace(f"{self.folder}{os.sep}", "")  # never the server's own folder
        names = {u.path.name: u.shown for u in self.uploads}
        if not names:
            return text
        # in one pass, each name whole: a file a person named like one the server keeps ("payments-2.csv")
        # is never renamed twice, and "payments-1.csv" is not found inside "payments-11.csv"
        pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.sub(rf"(?<![\w.-])(?:{pattern})(?![\w])", lambda m: names[m.group()], text)

    def need(self, kind: str) -> Path | list[Path]:
        """The files of a kind the page has made sure were uploaded."""
        found = self.paths(kind)
        if found is None:
            raise LookupError(f"no {kind} uploaded")
        return found

    def add(self, kind: str, shown: str, data: bytes, suffix: str) -> Upload:
        """Keep an uploaded file under a name the server makes."""
        with self.lock:
            self.counter += 1
            path = self.folder / f"{kind}-{self.counter}{suffix}"
            path.write_bytes(data)
            upload = Upload(kind, shown, path, len(data))
            self.read.pop(kind, None)
            if kind not in SEVERAL:
                self.remove(kind)
            self.uploads.append(upload)
            self.result = None
            return upload

    def remove(self, kind: str) -> None:
        """Delete the files of a kind of upload, and the columns chosen for it."""
        with self.lock:
            self.read.pop(kind, None)
            for upload in self.files(kind):
                upload.path.unlink(missing_ok=True)
            self.uploads = [u for u in self.uploads if u.kind != kind]

    def replace(self, received: list[tuple[str, str, bytes, str]]) -> None:
        """Files uploaded together: (kind, name shown, content, suffix). Each kind sent replaces the files
        of that kind, and the columns chosen for them."""
        with self.lock:
            for kind in {kind for kind, *_ in received}:
                self.remove(kind)
                self.columns.pop(kind, None)
                if kind == "payments":
                    self.sheet = None
            for kind, shown, data, suffix in received:
                self.add(kind, shown, data, suffix)

    def clear(self) -> None:
        """Delete every upload, and the choices made for them (before a sample is loaded)."""
        with self.lock:
            for upload in self.uploads:
                upload.path.unlink(missing_ok=True)
            self.uploads, self.read, self.columns, self.result, self.sheet = [], {}, {}, None, None


FOLDER_PREFIX = "lm3-web-"
OWNER = ".owner"  # a session folder's file naming the process that made it


def sweep(root: Path | None = None) -> int:
    """Delete the session folders a server left behind when it was killed (its process is gone): uploaded
    payments and payroll never stay on disk past a restart. Returns how many went."""
    gone = 0
    for folder in Path(root or tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            pid = int((folder / OWNER).read_text(encoding="ascii"))
        except (OSError, ValueError):
            # no owner named: an older lm3's folder (gone after a day), one being made (left alone), or one
            # its owner has just deleted
            try:
                pid = -1 if time.time() - folder.stat().st_mtime > 86_400 else os.getpid()
            except OSError:
                continue
        if pid != os.getpid() and (pid < 0 or not _alive(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


class Store:
    """Sessions by id, each dropped (and its folder deleted) after ``idle_minutes`` without a request."""

    def __init__(
        self,
        idle_minutes: float = 60,
        clock: Callable[[], float] = time.monotonic,
        cookie: str = "lm3_session",
    ) -> None:
        self.idle_seconds = idle_minutes * 60
        self.clock = clock
        self.cookie = cookie  # the session cookie's name: one a server (lm3 serve names it by its port)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self) -> Session:
        folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        (folder / OWNER).write_text(str(os.getpid()), encoding="ascii")  # whose it is, for ``sweep``
        session = Session(
            secrets.token_urlsafe(24),
            secrets.token_urlsafe(24),
            folder,
            cookie=self.cookie,
            touched=self.clock(),
        )
        with self._lock:
            self._sessions[session.id] = session
        return session

    def renew(self, session: Session) -> Session:
        """The session under a new id and form secret (its files and choices kept): done when files arrive,
        so an id planted in a browser before then (session fixation) never sees them."""
        with self._lock:
            if self._sessions.get(session.id) is session:
                del self._sessions[session.id]
            session.id, session.secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
            self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        self.expire()
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
        if session is not None:
            session.touched = self.clock()
        return session

    def delete(self, session_id: str) -> None:
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is not None:
            shutil.rmtree(session.folder, ignore_errors=True)

    def expire(self) -> None:
        now = self.clock()
        with self._lock:
            old = [k for k, s in self._sessions.items() if now - s.touched > self.idle_seconds]
        for k in old:
            self.delete(k)

    def close(self) -> None:
        """Delete every session's files (the server is stopping); a job still running stops at its next
        step."""
        with self._lock:
            ids = list(self._sessions)
            for session in self._sessions.values():
                if session.job is not None and not session.job.finished:
                    session.job.stopping = True
        for k in ids:
            self.delete(k)

    def __len__(self) -> int:
        return len(self._sessions)
