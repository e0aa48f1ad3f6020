"""Finding the realm a command works on: ``--realm NAME|PATH``, else the current repo's
``.blue/config.yaml`` (via ``$BLUE_HOME/index.yaml``), else the realm repo the cwd is in."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import RealmNotFound
from blue_tui.core.realm.index import read_index
from blue_tui.core.realm.loader import is_realm
from blue_tui.core.realm.repo_config import Membership, read_membership


@dataclass(frozen=True)
class Located:
    root: Path
    #: How the realm was found: ``path``, ``index``, ``repo-config`` or ``cwd``.
    how: str
    #: The git repo around the current directory (None outside git).
    repo_root: Path | None
    #: That repo's realm membership, if it has one.
    membership: Membership | None

    def member(self, realm_name: str) -> str | None:
        """This repo's name in the realm ``realm_name``, if it is a member of that realm."""
        if self.membership is not None and self.membership.name == realm_name:
            return self.membership.repo
        return None


def looks_like_path(arg: str) -> bool:
    return arg.startswith((".", "/", "~")) or os.sep in arg or (os.altsep or "\0") in arg


def find_realm(settings: Settings, realm_arg: str | None = None, cwd: Path | None = None) -> Located:
    here = (cwd or Path.cwd()).resolve()
    repo_root = git.find_toplevel(here)
    membership = read_membership(repo_root) if repo_root is not None else None

    if realm_arg:
        candidate = Path(realm_arg).expanduser()
        if looks_like_path(realm_arg) or (candidate.is_dir() and is_realm(candidate)):
            path = candidate.resolve()
            if is_realm(path):
                return Located(path, "path", repo_root, membership)
            what = "does not exist" if not path.exists() else "has no realm.yaml"
            raise RealmNotFound(
                f"--realm {realm_arg}: {path} {what}",
                hint="pass a realm repo folder, or a realm name from `blue realm status --json`",
            )
        index = read_index(settings)
        entry = index.get(realm_arg)
        if entry is None:
            known = ", ".join(e.name for e in index.entries) or "none yet"
            raise RealmNotFound(
                f"no realm named {realm_arg!r} in {index.path} (known: {known})",
                hint="join it with `blue realm admin join URL|PATH`, or pass --realm PATH",
            )
        if not is_realm(entry.path):
            raise RealmNotFound(
                f"realm {realm_arg!r} is listed in {index.path} at {entry.path}, but there is no realm.yaml there",
                hint=f"clone it again: `blue realm admin join {entry.url or 'URL'}`",
            )
        return Located(entry.path.resolve(), "index", repo_root, membership)

    if membership is not None:
        index = read_index(settings)
        entry = index.get(membership.name)
        if entry is None or not is_realm(entry.path):
            where = f"{repo_root}/.blue/config.yaml"
            problem = "is not in" if entry is None else f"points at {entry.path}, which has no realm.yaml, in"
            raise RealmNotFound(
                f"this repo belongs to realm {membership.name!r} ({where}), but that realm {problem} {index.path}",
                hint=f"clone it with `blue realm admin join {membership.url or 'URL|PATH'}`",
            )
        return Located(entry.path.resolve(), "repo-config", repo_root, membership)

    if repo_root is not None and is_realm(repo_root):
        return Located(repo_root, "cwd", repo_root, None)

    where = (
        f"{repo_root} has no realm: block in .blue/config.yaml"
        if repo_root
        else f"{here} is not in a git repo"
    )
    raise RealmNotFound(
        f"no realm to work on: {where}",
        hint="pass --realm NAME|PATH, or join one from your repo: `blue realm admin join URL|PATH`",
    )
