"""Dependency rules (coordination.md 2.3 row 32): ``dependentRequired`` and ``dependentSchemas``,
and draft-07's ``dependencies``, which the normalizer splits into those two by form."""

from __future__ import annotations

from typing import TYPE_CHECKING

from blue_tui.core.realm.compat.jsonvalue import join
from blue_tui.core.realm.compat.model import Change
from blue_tui.core.realm.compat.normalize import Norm

if TYPE_CHECKING:
    from blue_tui.core.realm.compat.context import Comparer


def diff(c: Comparer, o: Norm, n: Norm, path: str) -> list[Change]:
    out = []
    dro, drn = o.kw.get("dependentRequired", {}), n.kw.get("dependentRequired", {})
    for name in dict.fromkeys([*dro, *drn]):
        before, after = dro.get(name, frozenset()), drn.get(name, frozenset())
        if before == after:
            continue
        where = join(
            path,
            n.words.get("dependentRequired") or o.words.get("dependentRequired", "dependentRequired"),
            name,
        )
        text = f"when {name!r} is present, required {sorted(before)} -> {sorted(after)}"
        if not before:
            out.append(Change("DEPENDENCY_ARRAY_ADDED", where, False, True, text))
        elif not after:
            out.append(Change("DEPENDENCY_ARRAY_REMOVED", where, True, False, text))
        elif after < before:
            out.append(Change("DEPENDENCY_ARRAY_NARROWED", where, True, False, text))
        elif before < after:
            out.append(Change("DEPENDENCY_ARRAY_EXTENDED", where, False, True, text))
        else:
            out.append(Change("DEPENDENCY_ARRAY_CHANGED", where, False, False, text))
    dso, dsn = o.kw.get("dependentSchemas", {}), n.kw.get("dependentSchemas", {})
    for name in dict.fromkeys([*dso, *dsn]):
        where = join(
            path, n.words.get("dependentSchemas") or o.words.get("dependentSchemas", "dependentSchemas"), name
        )
        if name in dso and name in dsn:
            out += c.diff(dso[name], dsn[name], where)
        elif name in dsn and not c.is_true(dsn[name]):
            out.append(
                Change("DEPENDENCY_SCHEMA_ADDED", where, False, True, f"schema dependency on {name!r} added")
            )
        elif name in dso and not c.is_true(dso[name]):
            out.append(
                Change(
                    "DEPENDENCY_SCHEMA_REMOVED", where, True, False, f"schema dependency on {name!r} removed"
                )
            )
    return out
