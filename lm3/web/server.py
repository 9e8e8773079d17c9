"""Running the web app: uvicorn on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import ipaddress
import threading
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn

from lm3.web.app import DEFAULT_MAX_UPLOAD_MB, web_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


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
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="error", access_log=False, timeout_graceful_shutdown=3
        )
    )
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
