"""Directional JSON Schema compatibility (coordination.md 2.3) and the version-bump rule (2.4).

The public names are stable; `blue realm check` and `blue contract diff` import them from here.
"""

from __future__ import annotations

from blue_tui.core.realm.compat.bump import BumpVerdict, required_bump
from blue_tui.core.realm.compat.checker import compare_schemas
from blue_tui.core.realm.compat.errors import SchemaFileError
from blue_tui.core.realm.compat.loading import load_schema_file
from blue_tui.core.realm.compat.model import POLICIES, Change, CompatReport, Verdict

__all__ = [
    "POLICIES",
    "BumpVerdict",
    "Change",
    "CompatReport",
    "SchemaFileError",
    "Verdict",
    "compare_schemas",
    "load_schema_file",
    "required_bump",
]
