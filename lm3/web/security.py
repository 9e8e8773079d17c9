"""What keeps one browser's data its own and the pages inert: the session cookie, each form's token, the
origin check, the security headers and the upload limit.

- Every form carries a token made for that form and that session (``form_token``) and must come from this
  site's own pages (Origin, else Referer): ``checked_form`` returns the form only then.
- The Host header must be one the server was told to answer to (Starlette's ``TrustedHostMiddleware``, set
  up in ``lm3.web.app``): a page on another site that rebinds its name to 127.0.0.1 gets nothing.
- ``Guard`` adds the headers to every response (a strict Content-Security-Policy: only this app's own script
  and assets; results never cached) and refuses a body over the upload limit with 413 as it arrives.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from lm3.web.store import Session

COOKIE = "lm3_session"  # the session cookie's name where no port names it (lm3 serve: lm3_session_PORT)
MAX_FILES = 40  # files in one form
MAX_FIELDS = 200  # fields in one form
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def form_token(session: Session, action: str) -> str:
    """The token of one form of one session: an HMAC of the form's action under the session's secret, so a
    token taken from one form (or another browser) is refused by every other."""
    return hmac.new(session.secret.encode(), action.encode(), hashlib.sha256).hexdigest()


def same_origin(request: Request) -> bool:
    """Whether a form was posted from this site's own pages (its Origin, else its Referer, names this
    host)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host", "")


async def checked_form(request: Request, session: Session | None) -> FormData | None:
    """The form posted, once its origin and its token are right; None when not (the view refuses it)."""
    if session is None or not same_origin(request):
        return None
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    token = form.get("csrf")
    expected = form_token(session, request.url.path)
    if not isinstance(token, str) or not hmac.compare_digest(token, expected):
        await form.close()
        return None
    return form


def remember(response: Response, session: Session) -> Response:
    """The response, setting the session's cookie (HttpOnly, SameSite=Strict; Secure is added by ``Guard``
    when the request came over HTTPS, as behind a TLS proxy)."""
    response.set_cookie(session.cookie, session.id, httponly=True, samesite="strict", path="/")
    return response


def forget(response: Response, session: Session) -> Response:
    """The response, deleting the session's cookie."""
    response.delete_cookie(session.cookie, path="/")
    return response


class TooLarge(Exception):
    """A request body passed the upload limit."""


class Guard:
    """Security headers on every response, and ``refusal`` (a 413 page) for a body over the limit, counted
    as it arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int, refusal: Callable[[], Response]) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_bytes:
            await self.refusal()(scope, receive, send)
            return
        counted = _Counted(receive, self.max_bytes)
        headed = _Headed(
            send, cached=scope["path"].startswith("/static/"), secure=scope.get("scheme") == "https"
        )
        try:
            await self.app(scope, counted, headed)
        except TooLarge:
            if not headed.started:
                await self.refusal()(scope, receive, headed)


class _Counted:
    """A request's body, refused (``TooLarge``) once it passes the limit."""

    def __init__(self, receive: Receive, max_bytes: int) -> None:
        self.receive, self.max_bytes, self.seen = receive, max_bytes, 0

    async def __call__(self) -> MutableMapping[str, Any]:
        message = await self.receive()
        self.seen += len(message.get("body", b""))
        if self.seen > self.max_bytes:
            raise TooLarge
        return message


class _Headed:
    """A response, with the security headers (and ``no-store``, but for static assets) added to its start."""

    def __init__(self, send: Send, *, cached: bool, secure: bool = False) -> None:
        self.send, self.cached, self.secure, self.started = send, cached, secure, False

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            extra = HEADERS + ([] if self.cached else [(b"cache-control", b"no-store")])
            headers = list(message.get("headers", []))
            if self.secure:  # over HTTPS (a TLS proxy in front): the cookie never goes over plain HTTP
                headers = [(k, v + b"; Secure") if k.lower() == b"set-cookie" else (k, v) for k, v in headers]
            message["headers"] = headers + extra
        await self.send(message)
