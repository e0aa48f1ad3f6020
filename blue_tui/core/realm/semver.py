"""Semantic versions and npm-style ranges (node-semver behind a thin adapter).

Contract versions are strict SemVer 2.0.0 (``1.4.0``, ``2.0.0-rc.1``; no ``v`` prefix).
Import ranges follow npm (``^1.2``, ``~1.2.3``, ``1.x``, ``>=1.0.0 <2.0.0``, ``a || b``) and also
accept the comma spelling ``>=1.0.0, <2.0.0`` (Cargo-style, used in the realm design notes).
Prereleases follow npm's rule (a prerelease satisfies a range only when a comparator names the same
``major.minor.patch`` with a prerelease) and are allowed at all only when the contract opts in;
node-semver's ``include_prerelease`` is never used (it disagrees with npm, coordination.md 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import nodesemver

_NUM = r"0|[1-9]\d*"
_PRE_ID = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
#: Matched with ``fullmatch`` only: ``$`` would let a trailing newline through.
VERSION_RE = re.compile(
    rf"(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)
#: npm's own bound on a version string (and ours on a range).
MAX_LENGTH = 256
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COMMA = re.compile(r"\s*,\s*")
_RANGE_PRERELEASE = re.compile(r"\d+\.\d+\.\d+-")


def version_problem(value: object, *, allow_prerelease: bool = True) -> str | None:
    """Why ``value`` is not a strict semantic version, or None."""
    if not isinstance(value, str):
        kind = (
            "a number" if isinstance(value, int | float) and not isinstance(value, bool) else "not a string"
        )
        hint = ' (quote it, e.g. "1.0.0")' if kind == "a number" else ""
        return f"must be a version string like 1.0.0, got {kind}{hint}"
    if len(value) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    match = VERSION_RE.fullmatch(value)
    if not match:
        return f"{value!r} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0)"
    if match.group("pre") and not allow_prerelease:
        return f"{value!r} is a prerelease; set `prereleases: true` in the contract to allow them"
    return None


def is_version(value: object) -> bool:
    return version_problem(value) is None


def is_prerelease(version: str) -> bool:
    match = VERSION_RE.fullmatch(version)
    return bool(match and match.group("pre"))


def normalize_range(text: str) -> str:
    """``>=1.0.0, <2.0.0`` -> ``>=1.0.0 <2.0.0`` (each ``||`` alternative separately)."""
    return " || ".join(_COMMA.sub(" ", part.strip()).strip() for part in text.split("||"))


@lru_cache(maxsize=4096)
def _range(text: str) -> Any:
    if len(text) > MAX_LENGTH or _CONTROL.search(text):
        return None
    norm = normalize_range(text)
    if not norm or any(not part.strip() for part in norm.split("||")):
        return None  # npm reads an empty alternative as "*": refuse it rather than accept anything
    if nodesemver.valid_range(norm, False) is None:
        return None
    return nodesemver.make_range(norm, False)


def range_problem(value: object, *, allow_prerelease: bool = False) -> str | None:
    """Why ``value`` is not a usable npm-style range, or None."""
    if isinstance(value, str):
        return _range_problem(value, allow_prerelease)
    return f'must be a range string like ">=1.0.0 <2.0.0" or "^1.2", not {type(value).__name__}'


@lru_cache(maxsize=16384)
def _range_problem(value: str, allow_prerelease: bool) -> str | None:
    if not isinstance(value, str):
        return f'must be a range string like ">=1.0.0 <2.0.0" or "^1.2", not {type(value).__name__}'
    if not value.strip():
        return 'is empty; use "*" to accept any version'
    if len(value) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if _CONTROL.search(value):
        return f"{value!r} contains a control character (a newline, CR or NUL)"
    if any(not part.strip() for part in value.split("||")):
        return f"{value!r} has an empty alternative around '||'"
    try:
        parsed = _range(value)
    except (ValueError, TypeError, AttributeError, IndexError):
        parsed = None
    if parsed is None:
        return f'{value!r} is not a semver range (npm syntax, e.g. ">=1.0.0 <2.0.0", "^1.2", "~1.2.3", "1.x")'
    if not allow_prerelease and range_mentions_prerelease(value):
        return f"{value!r} names a prerelease; the contract must set `prereleases: true` first"
    return None


def range_mentions_prerelease(text: str) -> bool:
    return bool(_RANGE_PRERELEASE.search(text))


@lru_cache(maxsize=65536)
def satisfies(version: str, range_text: str) -> bool:
    """npm's ``satisfies`` (no include_prerelease). False for an invalid version or range."""
    try:
        parsed = _range(range_text)
        if parsed is None or not is_version(version):
            return False
        return bool(parsed.test(version))
    except (ValueError, TypeError, AttributeError, IndexError):
        return False


@lru_cache(maxsize=8192)
def key(version: str) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
    """A sort key in SemVer precedence (build metadata ignored). Raises ValueError if invalid."""
    match = VERSION_RE.fullmatch(version)
    if not match:
        raise ValueError(f"{version!r} is not a semantic version")
    pre = match.group("pre")
    ids: tuple[tuple[int, int | str], ...] = ()
    if pre:
        ids = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
    # A release sorts after all its prereleases: flag 1 for a release, 0 for a prerelease.
    return (
        int(match.group("major")),
        int(match.group("minor")),
        int(match.group("patch")),
        0 if pre else 1,
        ids,
    )


def compare(a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    return (ka > kb) - (ka < kb)


def sort_versions(versions: Iterable[str]) -> list[str]:
    return sorted((v for v in versions if is_version(v)), key=key)


def max_satisfying(versions: Iterable[str], range_text: str) -> str | None:
    best: str | None = None
    for version in versions:
        if satisfies(version, range_text) and (best is None or compare(version, best) > 0):
            best = version
    return best


def bump_kind(old: str, new: str) -> str:
    """``major``/``minor``/``patch``/``prerelease``/``none``/``downgrade`` from ``old`` to ``new``."""
    c = compare(new, old)
    if c == 0:
        return "none"
    if c < 0:
        return "downgrade"
    ko, kn = key(old), key(new)
    if kn[0] != ko[0]:
        return "major"
    if kn[1] != ko[1]:
        return "minor"
    if kn[2] != ko[2]:
        return "patch"
    return "prerelease"


def breaking_level(version: str) -> str:
    """The bump that may break importers: ``major``, or ``minor`` on 0.y.z (``^0.2`` = ``<0.3``)."""
    return "minor" if key(version)[0] == 0 else "major"


def is_breaking_bump(old: str, new: str) -> bool:
    """Would npm's caret range of ``old`` exclude ``new``? (a major bump, or a minor one on 0.y.z)."""
    ko, kn = key(old), key(new)
    if kn[:3] <= ko[:3]:
        return False
    if ko[0] == 0:
        return kn[0] != 0 or kn[1] != ko[1]
    return kn[0] != ko[0]
