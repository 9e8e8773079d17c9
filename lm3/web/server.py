"""Running the web app: uvicorn on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from lm3.web.app import DEFAULT_MAX_UPLOAD_MB, web_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")
FIRST_REQUEST_SECONDS = 10.0  # a connection that sends no whole request within this is closed


class TimelyH11(H11Protocol):
    """uvicorn's HTTP/1.1, closing a connection that has sent no whole request ``FIRST_REQUEST_SECONDS``
    after it opened: connections opened and left half-open (or sent a byte at a time) never pile up until
    real requests fail. Once a request is answered, uvicorn's keep-alive timeout applies."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._first = self.loop.call_later(FIRST_REQUEST_SECONDS, self._close_if_no_request)

    def _close_if_no_request(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._first.cancel()
        super().connection_lost(exc)


def server_config(app: Any, host: str, port: int) -> uvicorn.Config:
    """How ``lm3 serve`` runs the app: errors only in the log (no line per request or bad connection), the
    HTTP protocol above, and a 3-second wait for open connections when stopping."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="error",
        access_log=False,
        http=TimelyH11,
        timeout_graceful_shutdown=3,
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    idle_minutes: float = 60,
    allowed_hosts: Sequence[str] = (),
    registers: str | Path | None = None,
    started: Callable[[str], None] | None = None,
) -> None:
    """Serve the app until interrupted. ``allowed_hosts``: more Host names to answer to (a team server's
    name); ``registers``: the register store's folder (default: the user's own); ``started(url)`` is called
    with the address once it is listening."""
    hosts = (*LOOPBACK, *allowed_hosts) + (() if host in ("0.0.0.0", "::") else (host,))
    app = web_app(
        max_upload_mb=max_upload_mb,
        hosts=tuple(dict.fromkeys(hosts)),
        idle_minutes=idle_minutes,
        registers=registers,
        cookie=f"lm3_session_{port}",  # its own: two servers on one computer never overwrite each other's
    )
    server = uvicorn.Server(server_config(app, host, port))
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}/"

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        if started is not None:
            started(url)
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
