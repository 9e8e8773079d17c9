"""The ``lm3`` command: a thin layer over the public API (parse options, one API call, format)."""

from lm3.cli.commands import cli, main

__all__ = ["cli", "main"]
