"""Text for the terminal: what came from input files is shown, never acted on (``lm3.frontend.visible_text``)."""

from __future__ import annotations

import click

import lm3


def terminal(text: str) -> str:
    """Text for a terminal: every control character or bidi override (from a supplier's name, a file's
    cell) shown as an escape, ``\\x1b``, never acted on."""
    return lm3.frontend.visible_text(text)


def echo(text: str) -> None:
    """Print a command's output, made safe for the terminal."""
    click.echo(lm3.frontend.visible_text(text))
