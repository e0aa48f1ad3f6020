"""Arguments of `blue realm ...` (standard library only: imported whenever the parser is built)."""

from __future__ import annotations

import argparse


def register(top: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the `realm` command group to `blue`'s parser."""
