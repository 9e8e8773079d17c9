"""Running the web app: uvicorn on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
import threading
import weakref
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from lm3.web.app import DEFAULT_MAX_UPLOAD_MB, web_app

try:  # not on Windows, whose limit on sockets is not this one
    import resource
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

# A host name of lm3's own for this computer. Browsers send 127.0.0.1's cookies to every port of it (another
# app on this computer would get the session's), but keep a ``*.localhost`` host's to that host; Chrome, Edge
# and Firefox know any ``*.localhost`` is this computer without asking a name server.
NAME = "lm3.localhost"
LOOPBACK = ("127.0.0.1", "localhost", "::1", NAME)
FIRST_REQUEST_SECONDS = 10.0  # a connection that sends no whole request within this is closed
MAX_WAITING = 256  # connections open at once that have not yet sent a request: the oldest is closed
# connections taken from the system's queue at a time: each lot is checked against MAX_WAITING before the
# next, so a flood of connections never holds more than MAX_WAITING + 2 * BACKLOG sockets
BACKLOG = 128
OPEN_FILES = 65_536  # the most open files (and so connections) lm3 serve asks the system for


# each server's connections that had sent no request when last looked at, oldest first
_WAITING: weakref.WeakKeyDictionary[ServerState, dict[TimelyH11, None]] = weakref.WeakKeyDictionary()


class TimelyH11(H11Protocol):
    """uvicorn's HTTP/1.1, closing a connection that has sent no whole request ``FIRST_REQUEST_SECONDS``
    after it opened, and the oldest such connection when more than ``MAX_WAITING`` are open: connections
    opened and left half-open (or sent a byte at a time) never pile up until the server runs out of sockets
    and real requests fail. Once a request is answered, uvicorn's keep-alive timeout applies."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._first = self.loop.call_later(FIRST_REQUEST_SECONDS, self._close_if_no_request)
        waiting = _WAITING.setdefault(self.server_state, {})
        waiting[self] = None
        while len(waiting) > MAX_WAITING:
            oldest = next(iter(waiting))
            del waiting[oldest]
            oldest._close_if_no_request()  # one that has sent a request since is only forgotten here

    def _close_if_no_request(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._first.cancel()
        _WAITING.get(self.server_state, {}).pop(self, None)
        super().connection_lost(exc)


def more_open_files() -> None:
    """Raise this process's limit on open files to what the system allows (up to ``OPEN_FILES``): the
    default on macOS is 256 and on Linux 1,024, which a few hundred connections would reach."""
    if resource is None:  # pragma: no cover
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, OPEN_FILES)
    # macOS refuses more than its own ceiling (OPEN_MAX, 10,240) even under an unlimited hard limit
    for limit in (wanted, min(wanted, 10_240)):
        if soft == resource.RLIM_INFINITY or soft >= limit:
            return
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
            return
        except (ValueError, OSError):
            continue  # as many as the system gives: the closing of silent connections does the rest


def server_config(
    app: Any, host: str, port: int, *, forwarded_allow_ips: str | None = None
) -> uvicorn.Config:
    """How ``lm3 serve`` runs the app: errors only in the log (no line per request or bad connection), the
    HTTP protocol above, and a 3-second wait for open connections when stopping. ``forwarded_allow_ips``:
    the proxies (addresses, comma-separated, or "*") whose X-Forwarded-Proto and -For are believed, so a
    request that came over HTTPS to a proxy in front gets a Secure cookie (default: 127.0.0.1 only)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="error",
        access_log=False,
        http=TimelyH11,
        timeout_graceful_shutdown=3,
        forwarded_allow_ips=forwarded_allow_ips,
        backlog=BACKLOG,
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def addresses(host: str, port: int) -> tuple[str, str | None]:
    """The address to open the app at, and another when the first is ``NAME`` (for a browser that does not
    know it)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    direct = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"
    if host in ("127.0.0.1", "localhost"):
        return f"http://{NAME}:{port}/", direct
    return direct, None


def _resolves_here(name: str) -> bool:
    """Whether this computer's own resolver finds ``name`` on this computer (so any browser will)."""
    try:
        return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(name, None))
    except (OSError, ValueError):
        return False


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    idle_minutes: float = 60,
    allowed_hosts: Sequence[str] = (),
    forwarded_allow_ips: str | None = None,
    registers: str | Path | None = None,
    started: Callable[[str, str | None], None] | None = None,
) -> None:
    """Serve the app until interrupted. ``allowed_hosts``: more Host names to answer to (a team server's
    name); ``forwarded_allow_ips``: see ``server_config``; ``registers``: the register store's folder
    (default: the user's own); ``started(url, other)`` is called with the addresses (``addresses``) once it
    is listening."""
    hosts = (*LOOPBACK, *allowed_hosts) + (() if host in ("0.0.0.0", "::") else (host,))
    app = web_app(
        max_upload_mb=max_upload_mb,
        hosts=tuple(dict.fromkeys(hosts)),
        idle_minutes=idle_minutes,
        registers=registers,
        # its own, by port and start: two servers on one computer never overwrite each other's, and a
        # cookie of an earlier run is never taken up
        cookie=f"lm3_session_{port}_{secrets.token_hex(3)}",
    )
    more_open_files()
    server = uvicorn.Server(server_config(app, host, port, forwarded_allow_ips=forwarded_allow_ips))
    url, other = addresses(host, port)

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        if started is not None:
            started(url, other)
        if open_browser:
            webbrowser.open(url if other is None or _resolves_here(NAME) else other)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
