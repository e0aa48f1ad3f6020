"""Names that become path components, and repo-relative paths from realm data.

Realm, repo, domain and contract names are joined into paths (``domains/{d}/contracts/{c}.yaml``),
so each must be one safe component: letters, digits, ``.``, ``_``, ``-``; starting with a letter
or digit; at most 100 characters; no ``..``. Paths written in bindings and hooks (source files,
binding files, hook scripts) are relative to the repo that runs the check and must stay inside it.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from blue_tui.core.realm.errors import InvalidName

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: Windows device names: a file called ``con.yaml`` cannot be checked out there.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
NAME_RULE = "1-100 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, no '..'"


def name_problem(value: object) -> str | None:
    """Why ``value`` is not a safe name, or None when it is."""
    if not isinstance(value, str):
        return f"must be a string, not {type_name(value)}"
    if not NAME_RE.match(value):
        return f"{value!r} is not a safe name ({NAME_RULE})"
    if ".." in value or value.endswith("."):
        return f"{value!r} is not a safe name (no '..', no trailing '.')"
    if value.split(".")[0].lower() in _RESERVED:
        return f"{value!r} is a reserved device name on Windows"
    return None


def is_safe_name(value: object) -> bool:
    return name_problem(value) is None


def check_name(value: str, what: str) -> str:
    """Return ``value`` or raise :class:`InvalidName` naming what it was for."""
    why = name_problem(value)
    if why:
        raise InvalidName(f"{what} name {why}", hint=f"use {NAME_RULE}")
    return value


def relpath_problem(value: object) -> str | None:
    """Why ``value`` is not a safe repo-relative POSIX path, or None."""
    if not isinstance(value, str):
        return f"must be a string, not {type_name(value)}"
    if not value or value.strip() != value:
        return "must be a non-empty path without surrounding spaces"
    if "\\" in value or "\x00" in value:
        return f"{value!r} must use '/' and contain no NUL"
    pure = PurePosixPath(value)
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", value):
        return f"{value!r} must be relative to the repo root"
    if any(part == ".." for part in pure.parts):
        return f"{value!r} must not contain '..'"
    return None


def resolve_inside(root: Path, rel: str) -> Path | None:
    """``root/rel`` if it stays inside ``root`` after resolving symlinks, else None."""
    if relpath_problem(rel):
        return None
    base = root.resolve()
    target = (base / rel).resolve()
    if target != base and base not in target.parents:
        return None
    return target


def type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)
