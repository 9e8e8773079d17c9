"""Vendor GOV.UK Frontend's compiled CSS into lm3/web/static (run again to update it).

    python tools/vendor_govuk.py [VERSION]

Fetches the govuk-frontend package from npm (``npm pack``), takes ``dist/govuk/govuk-frontend.min.css``,
and removes what lm3 must not use: the GDS Transport font (only for GOV.UK services; lm3 uses Arial) and the
Crown crest image. VERSION defaults to the one govuk-frontend-jinja supports.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.3.0"  # govuk-frontend-jinja 4.1 supports GOV.UK Frontend 6.3
OUT = Path(__file__).resolve().parent.parent / "lm3" / "web" / "static"


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else VERSION
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"govuk-frontend@{version}"], cwd=tmp, check=True, capture_output=True)
        with tarfile.open(next(Path(tmp).glob("govuk-frontend-*.tgz"))) as tar:
            css = tar.extractfile("package/dist/govuk/govuk-frontend.min.css").read().decode()  # type: ignore[union-attr]
            licence = tar.extractfile("package/package.json").read().decode()  # type: ignore[union-attr]
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    css = css.replace('"GDS Transport",', "").replace("GDS Transport,", "")
    css = re.sub(r"url\([^)]*govuk-crest[^)]*\)", "none", css)
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "govuk-frontend.min.css").write_text(
        f"/* GOV.UK Frontend {version} (MIT licence, (c) Crown copyright, https://github.com/alphagov/govuk-frontend);"
        " vendored by tools/vendor_govuk.py without the GDS Transport font and the crest */\n" + css,
        encoding="utf-8",
    )
    assert '"license": "MIT"' in licence, "GOV.UK Frontend's licence has changed: check it before vendoring"
    print(f"wrote {OUT / 'govuk-frontend.min.css'} ({len(css):,} bytes)")


if __name__ == "__main__":
    main()
