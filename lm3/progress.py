"""Progress of long steps, reported to whoever asks (the core never prints).

A long-running function takes ``progress=None`` or a callable ``progress(step, done, total)``: ``step`` names
what is under way, ``done`` counts what is finished, ``total`` is how many there will be (0 when not known,
as for rows streamed from a file). The CLI turns these calls into a progress bar on the terminal.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]


def report(progress: Progress | None, step: str, done: int, total: int) -> None:
    """Call ``progress`` if there is one."""
    if progress is not None:
        progress(step, done, total)
