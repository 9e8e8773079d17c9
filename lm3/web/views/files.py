"""Files the server made, sent as downloads."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {".xlsx": XLSX, ".html": "text/html", ".json": "application/json", ".csv": "text/csv"}


def download(path: Path, name: str, media: str | None = None) -> Response:
    """A file the server made, under the name the server gives it."""
    return Response(
        path.read_bytes(),
        media_type=media or MEDIA[path.suffix],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
