"""The version-bump rule of coordination.md 2.4.

A break in a declared direction needs a major bump (a minor bump on ``0.y.z``, since npm's
``^0.2.3`` means ``>=0.2.3 <0.3.0``); a compatible change of the accepted documents needs a minor
bump (patch on ``0.y.z``, the same shift); a metadata-only change needs at least a patch bump.
An *unknown* verdict in a declared direction is treated as a possible break: the rule cannot prove
otherwise, and a too-small bump would let importers pick the change up silently.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from blue_tui.core.realm.compat.model import CompatReport

_RANK = {"patch": 1, "minor": 2, "major": 3}
DIRECTIONS = ("backward", "forward")


@dataclass(frozen=True)
class BumpVerdict:
    ok: bool
    required: str | None  # "major" | "minor" | "patch" | None (nothing changed)
    message: str


def _parse(version: str) -> tuple[int, int, int, tuple[str, ...]] | None:
    import nodesemver

    try:
        v = nodesemver.make_semver(version, loose=False)
    except (ValueError, TypeError):
        return None
    return int(v.major), int(v.minor), int(v.patch), tuple(str(p) for p in v.prerelease)


def _bump_of(old: tuple[int, int, int, tuple[str, ...]], new: tuple[int, int, int, tuple[str, ...]]) -> str:
    if new[0] != old[0]:
        return "major"
    if new[1] != old[1]:
        return "minor"
    return "patch"


def _shift(level: str, zero: bool) -> str:
    """On 0.y.z the minor number plays the major's role, and patch the minor's."""
    if not zero:
        return level
    return {"major": "minor", "minor": "patch", "patch": "patch"}[level]


def required_bump(
    report: CompatReport, *, directions: Collection[str], old_version: str, new_version: str
) -> BumpVerdict:
    """Is ``old_version -> new_version`` a big enough bump for ``report`` in ``directions``?

    ``directions`` holds ``"backward"`` and/or ``"forward"`` (the contract's ``compatibility``).
    """
    import nodesemver

    unknown_dirs = [d for d in directions if d not in DIRECTIONS]
    if unknown_dirs:
        raise ValueError(f"unknown direction(s) {unknown_dirs}; expected {DIRECTIONS}")
    old = _parse(old_version)
    new = _parse(new_version)
    if old is None or new is None:
        bad = old_version if old is None else new_version
        return BumpVerdict(False, None, f"{bad!r} is not a semantic version (X.Y.Z)")

    broken = [d for d in directions if getattr(report, d) is False]
    unsure = [d for d in directions if getattr(report, d) is None]
    if broken or unsure:
        level = "major"
        why = f"incompatible {'/'.join(broken)}" if broken else f"compatibility unknown {'/'.join(unsure)}"
    elif any(c.semantic for c in report.changes):
        level, why = "minor", "compatible change to the accepted documents"
    elif report.changes:
        level, why = "patch", "metadata-only change"
    else:
        level, why = "", "no schema change"

    if nodesemver.compare(new_version, old_version, False) <= 0:
        return BumpVerdict(
            False,
            _shift(level, old[0] == 0) if level else None,
            f"new version {new_version} is not greater than {old_version}",
        )
    if not level:
        return BumpVerdict(True, None, f"{why}; {old_version} -> {new_version} is fine")
    required = _shift(level, old[0] == 0)
    done = _bump_of(old, new)
    if _RANK[done] >= _RANK[required]:
        return BumpVerdict(
            True, required, f"{why}: needs a {required} bump, {old_version} -> {new_version} is one"
        )
    return BumpVerdict(
        False,
        required,
        f"{why}: needs a {required} bump, but {old_version} -> {new_version} is only a {done} bump",
    )
