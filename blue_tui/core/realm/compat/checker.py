"""``compare_schemas``: the entry point of the compatibility checker."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from blue_tui.core.realm.compat.context import Comparer
from blue_tui.core.realm.compat.counterexample import find_counterexample
from blue_tui.core.realm.compat.jsonvalue import key
from blue_tui.core.realm.compat.model import POLICIES, Change, CompatReport
from blue_tui.core.realm.compat.resolve import Doc, S, declares_draft, detect_draft

MAX_SEARCHES = 40


def plain(value: Any) -> Any:
    """A deep copy with every mapping a dict and every sequence a list (JSON shapes only)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def compare_schemas(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    policy: str = "strict",
    readers_apply_defaults: bool = False,
    counterexamples: bool = True,
) -> CompatReport:
    """Compare two JSON Schemas in both directions.

    backward: the new schema accepts every document the old one accepts (new reads old);
    forward: the old schema accepts every document the new one accepts (old reads new).
    ``policy``: ``strict`` (Confluent's default) or ``lenient`` (Confluent's LENIENT: writers emit
    only declared properties, readers ignore undeclared ones).
    ``readers_apply_defaults``: count "required, but with a default" as compatible (Confluent's
    reading); by default a validating reader is assumed, and such changes are marked disputed.
    ``counterexamples``: look for documents that show each break, and turn unknowns into
    incompatibles when one is found.
    """
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
    old_raw, new_raw = plain(old), plain(new)
    if old_raw == new_raw and key(old_raw) == key(new_raw):
        return CompatReport(backward=True, forward=True, changes=(), policy=policy)
    old_doc, new_doc = Doc.build(old_raw), Doc.build(new_raw)
    comparer = Comparer(policy=policy, readers_apply_defaults=readers_apply_defaults)
    changes: list[Change] = []
    if _draft(old_raw) != _draft(new_raw):
        changes.append(Change(
            "DRAFT_CHANGED", "#/$schema", True, True,
            f"$schema draft {_draft(old_raw)} -> {_draft(new_raw)}; keywords are compared by meaning",
            semantic=False,
        ))  # fmt: skip
    old_root, new_root = S.root(old_doc), S.root(new_doc)
    changes += comparer.diff(old_root, new_root, "#")
    changes = _dedupe(changes)
    if counterexamples:
        changes = _attach(comparer, old_root, new_root, changes)
    if not changes and key(old_raw) != key(new_raw):
        changes.append(Change(
            "NO_EFFECTIVE_CHANGE", "#", True, True,
            "the text differs, but not in any way that changes documents (unused definitions, $ref layout, order)",
            semantic=False,
        ))  # fmt: skip
    return CompatReport.of(changes, policy=policy)


def _draft(root: Any) -> str:
    return str(detect_draft(root)) if declares_draft(root) else "none (keywords of every draft)"


def _dedupe(changes: list[Change]) -> list[Change]:
    seen: set[tuple[str, str, object, object]] = set()
    out = []
    for change in changes:
        k = (change.rule, change.path, change.backward, change.forward)
        if k not in seen:
            seen.add(k)
            out.append(change)
    return out


def _attach(c: Comparer, old: S, new: S, changes: list[Change]) -> list[Change]:
    """Counterexamples for breaks; an unknown with a counterexample becomes incompatible."""
    out = []
    searches = 0
    for change in changes:
        found: dict[str, Any] = {}
        for direction, writer, reader in (("backward", old, new), ("forward", new, old)):
            if getattr(change, direction) is True or searches >= MAX_SEARCHES:
                continue
            searches += 1
            hints = c.hints.get((change.path, direction), ())
            ok, doc = find_counterexample(c.norm, writer, reader, change.path, lenient=c.lenient, hints=hints)
            if ok:
                found[direction] = doc
        if not found:
            out.append(change)
            continue
        updates: dict[str, Any] = {}
        notes = []
        for direction in found:
            if getattr(change, direction) is None:
                updates[direction] = False
                notes.append(direction)
        first = "backward" if "backward" in found else "forward"
        updates["counterexample"] = found[first]
        updates["counterexample_for"] = first
        if first == "backward" and "forward" in found:
            updates["forward_counterexample"] = found["forward"]
            updates["has_forward_counterexample"] = True
        message = change.message
        if notes:
            message += f"; counterexample found, so incompatible ({'/'.join(notes)})"
        out.append(dataclasses.replace(change, message=message, **updates))
    return out
