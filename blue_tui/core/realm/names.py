"""Names that become path components, and repo-relative paths from realm data.

Realm, repo, domain and contract names are joined into paths (``domains/{d}/contracts/{c}.yaml``),
so each must be one safe component: letters, digits, ``.``, ``_``, ``-``; starting with a letter
or digit; at most 100 characters; no ``..``. Paths written in bindings and hooks (source files,
binding files, hook scripts) are relative to the repo that runs the check and must stay inside it.

Every pattern here is matched with ``fullmatch``: ``re.match`` with ``$`` also accepts a trailing
newline, and ``"orders\n"`` once slipped through as a contract name.
"""

from __future__ import annotations

import re
from pathlib import Path

from blue_tui.core.realm.errors import InvalidName

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: Environment variable names a repo lets its hooks see (``realm.hooks.env`` in .blue/config.yaml).
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Longest path component most file systems allow.
MAX_COMPONENT = 255
#: Windows device names: a file called ``con.yaml`` cannot be checked out there.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)
NAME_RULE = "1-100 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, no '..'"


def name_problem(value: object) -> str | None:
    """Why ``value`` is not a safe name, or None when it is."""
    if not isinstance(value, str):
        return f"must be a string, not {type_name(value)}"
    if not NAME_RE.fullmatch(value):
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
    if "\\" in value or _CONTROL.search(value):
        return f"{value!r} must use '/' and contain no control characters (newline, CR, NUL)"
    if value.startswith("/") or re.match(r"[A-Za-z]:", value):
        return f"{value!r} must be relative to the repo root"
    for part in value.split("/"):
        if part == "..":
            return f"{value!r} must not contain '..'"
        if part.startswith("-"):
            return f"{value!r} has a component starting with '-' (it would read as an option)"
        if len(part) > MAX_COMPONENT:
            return f"{value!r} has a component longer than {MAX_COMPONENT} characters"
    return None


def env_name_problem(value: object) -> str | None:
    """Why ``value`` is not a plain environment variable name, or None."""
    if not isinstance(value, str):
        return f"must be a string, not {type_name(value)}"
    if not ENV_NAME_RE.fullmatch(value):
        return f"{value!r} is not an environment variable name (A-Z a-z 0-9 _, not starting with a digit)"
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
