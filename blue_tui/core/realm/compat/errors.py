"""Errors of the schema compatibility checker."""

from __future__ import annotations

from blue_tui.core.errors import BlueError


class SchemaFileError(BlueError):
    """A schema or contract file that cannot be read as a JSON Schema. Names the file and line."""

    def __init__(self, source: str, reason: str, *, line: int | None = None, hint: str | None = None) -> None:
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}", hint=hint)
        self.source = source
        self.reason = reason
        self.line = line
