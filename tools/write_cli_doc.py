"""Write docs/cli.md, the command line's reference, from each command's own --help:
python tools/write_cli_doc.py (a test checks it is current)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lm3.cli import cli  # noqa: E402


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        out.append((*prefix, name))
        if isinstance(command, click.Group):
            out += _commands(command, (*prefix, name))
    return out


def document() -> str:
    runner = CliRunner()
    lines = [
        "# The command line",
        "",
        "Every `lm3` command with its `--help`, as the command prints it (written by `tools/write_cli_doc.py`).",
        "A study's options are the same in every command that takes them, and in `lm3.toml`.",
    ]
    for path in [(), *_commands(cli)]:
        shown = runner.invoke(cli, [*path, "--help"], terminal_width=100, env={"COLUMNS": "100"}).output
        lines += ["", f"## lm3 {' '.join(path)}".rstrip(), "", "```text", shown.rstrip(), "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    (ROOT / "docs" / "cli.md").write_text(document(), encoding="utf-8")
    print("wrote docs/cli.md")
