"""The web app (``lm3 serve``): a finance officer's way from a spreadsheet to a report without a terminal.
Upload, check the columns, name the area, see the result, download. It stands on the public API only,
like the CLI, and needs the ``web`` extra (``pip install "lm3[web]"``); ``missing()`` names what is not
installed.
"""

from __future__ import annotations

from importlib.util import find_spec

WEB_PACKAGES = {
    "starlette": "starlette",
    "jinja2": "Jinja2",
    "uvicorn": "uvicorn",
    "govuk_frontend_jinja": "govuk-frontend-jinja",
    "python_multipart": "python-multipart",
}


def missing() -> list[str]:
    """The web extra's packages that are not installed (their names on PyPI)."""
    return [name for module, name in WEB_PACKAGES.items() if find_spec(module) is None]


if not missing():
    from lm3.web.app import web_app
    from lm3.web.server import serve

    __all__ = ["missing", "serve", "web_app"]
