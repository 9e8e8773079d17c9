"""Write docs/codes.md from lm3's catalogue of codes (lm3/codes.py): python tools/write_codes_doc.py"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lm3.codes import CODES  # noqa: E402

KINDS = {
    "warning": (
        "Warnings",
        'A warning (`lm3.Notice`, `"code"` in the JSON\'s `warnings`): the study goes on.',
    ),
    "error": (
        "Errors",
        "An error (`lm3.LM3Error` and its kinds, `err.code`): the study cannot go on as asked.",
    ),
    "row": ("Rows set aside", "A row's code in the rejected rows (`lm3 ingest`) or in `RowErrors.problems`."),
}


def document() -> str:
    lines = [
        "# Codes",
        "",
        "Every code lm3 gives, with what it means. Branch on codes, never on a message's words: the words may",
        "improve, the codes stay. Written from `lm3/codes.py` by `tools/write_codes_doc.py`.",
    ]
    for kind, (title, intro) in KINDS.items():
        lines += ["", f"## {title}", "", intro, "", "| Code | Meaning |", "|---|---|"]
        lines += [f"| `{code}` | {c.meaning} |" for code, c in sorted(CODES.items()) if c.kind == kind]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "codes.md").write_text(document(), encoding="utf-8")
    print(f"wrote docs/codes.md ({len(CODES)} codes)")
