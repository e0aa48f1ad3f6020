"""One admin change to a realm repo: lock, refuse a dirty tree, write files, commit, or put them back.

Every ``blue realm admin`` change writes through a :class:`Txn`: files go through
:class:`~blue_tui.core.realm.safefs.RealmFiles` (no symlink below the realm root is followed, so a
committed ``repos -> /elsewhere`` cannot make a change write outside the realm), their old
contents are remembered, and a failure anywhere (a commit hook refusing, a full disk) puts them
back. Exactly the files written are committed, with a message saying what changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import RealmDirty, RealmError
from blue_tui.core.realm.fsutil import locked
from blue_tui.core.realm.loader import REALM_PATHSPECS
from blue_tui.core.realm.safefs import RealmFiles, SymlinkInRealm, refuse_symlinks


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class AdminResult:
    action: str
    realm: str
    realm_path: str
    summary: str
    changed: tuple[str, ...] = ()
    commit: str | None = None
    warnings: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "realm": self.realm,
            "realm_path": self.realm_path,
            "summary": self.summary,
            "changed": list(self.changed),
            "commit": self.commit,
            "warnings": list(self.warnings),
            **self.details,
        }


class Txn:
    """Files written in one admin change, with their old contents for rollback."""

    def __init__(self, root: Path, files: RealmFiles) -> None:
        self.root = root
        self.files = files
        self.old: dict[str, bytes | None] = {}

    def _remember(self, rel: str) -> None:
        if rel not in self.old:
            self.old[rel] = self.files.read_bytes(rel) if self.files.exists(rel) else None

    def write(self, rel: str, text: str) -> None:
        self._remember(rel)
        self.files.write_atomic(rel, text)

    def delete(self, rel: str) -> None:
        self._remember(rel)
        self.files.unlink(rel)

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(sorted(self.old))

    def rollback(self) -> None:
        for rel, content in self.old.items():
            try:
                if content is None:
                    self.files.unlink(rel)
                else:
                    self.files.write_atomic(rel, content)
            except (OSError, RealmError):
                continue

    def commit(self, settings: Settings, message: str) -> str | None:
        """Commit exactly the files written (None when nothing was); roll back if git refuses."""
        if not self.changed:
            return None
        try:
            config = git.identity_config(self.root, settings.user)
            return git.commit(self.root, self.changed, message, config=config)
        except BaseException:
            self.rollback()
            raise


def lock_path(root: Path) -> Path:
    """``.git/blue-admin.lock``, or ``.blue/admin.lock`` in a worktree whose ``.git`` is a file."""
    if (root / ".git").is_dir() and not (root / ".git").is_symlink():
        return root / ".git" / "blue-admin.lock"
    refuse_symlinks(root, ".blue/admin.lock")
    return root / ".blue" / "admin.lock"


@contextmanager
def transaction(root: Path) -> Iterator[Txn]:
    """Lock the realm, refuse a dirty tree, and roll back on any failure inside the block."""
    if not git.is_repo(root):
        raise RealmError(
            f"{root} is not a git repository; a realm is a git repo",
            hint=f"run `git init` in {root} (or create the realm with `blue realm admin init`)",
        )
    with locked(lock_path(root)):
        dirty = git.changed_paths(root, REALM_PATHSPECS)
        if dirty:
            raise RealmDirty(str(root), dirty)
        with RealmFiles(root) as files:
            txn = Txn(root, files)
            try:
                yield txn
            except BaseException:
                txn.rollback()
                raise


__all__ = ["AdminResult", "SymlinkInRealm", "Txn", "lock_path", "now", "transaction"]
