"""Printing for the CLI: JSON when asked, rich in a terminal, plain text when piped."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def stdout_console() -> Console:
    from rich.console import Console

    # Off a terminal rich drops colour and styles by itself; give it room so that
    # piped tables keep one record per line.
    if sys.stdout.isatty():
        return Console(highlight=False, emoji=False)
    return Console(highlight=False, emoji=False, width=int(os.environ.get("COLUMNS") or 0) or 240)


def note(message: str) -> None:
    """Progress and side remarks go to stderr, so stdout stays data."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from rich import box
    from rich.table import Table

    grid = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", show_edge=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*("" if cell is None else str(cell) for cell in row))
    stdout_console().print(grid)


def ask_yes_no(question: str) -> bool:
    """Ask on the terminal; anything but y/yes is no. Callers check for a terminal first."""
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    return answer.strip().lower() in {"y", "yes"}


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()
