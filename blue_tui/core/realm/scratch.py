"""Scratch worktrees: a detached checkout beside a repo, for work that must not touch the user's
own checkout (rebasing a sync onto the remote, merging a PR for the local forge).

They live under ``.git/blue-scratch/{pid}-{random}`` and are removed on exit; ones left by a
killed process (its pid no longer running) are removed by :func:`sweep` on the next run.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from blue_tui.core.processes import pid_alive
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import GitError
from blue_tui.core.realm.remote import git_dir_of

FOLDER = "blue-scratch"


def sweep(root: Path) -> int:
    """Remove scratch worktrees whose process is gone; how many were removed."""
    git_dir = git_dir_of(root)
    folder = git_dir / FOLDER if git_dir is not None else None
    if folder is None or not folder.is_dir():
        return 0
    removed = 0
    for entry in folder.iterdir():
        pid_text = entry.name.split("-", 1)[0]
        if pid_text.isdigit() and pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        if pid_text.isdigit() and int(pid_text) == os.getpid():
            continue
        _remove(root, entry)
        removed += 1
    if removed:
        git.run(["worktree", "prune"], root, check=False, env={"GIT_OPTIONAL_LOCKS": "1"})
    return removed


def _remove(root: Path, path: Path) -> None:
    git.run(
        ["worktree", "remove", "--force", "--force", str(path)],
        root,
        check=False,
        env={"GIT_OPTIONAL_LOCKS": "1"},
    )
    if path.exists():
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def scratch_worktree(root: Path, commitish: str) -> Iterator[Path]:
    """A detached worktree of ``root`` at ``commitish``, removed when the block ends."""
    git_dir = git_dir_of(root)
    if git_dir is None:
        raise GitError(["worktree", "add"], -1, f"{root} is not a git checkout", cwd=str(root))
    path = git_dir / FOLDER / f"{os.getpid()}-{secrets.token_hex(4)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    git.run(
        ["worktree", "add", "--quiet", "--detach", str(path), commitish],
        root,
        env={"GIT_OPTIONAL_LOCKS": "1"},
    )
    try:
        yield path
    finally:
        with suppress(GitError, OSError):
            _remove(root, path)
            git.run(["worktree", "prune"], root, check=False, env={"GIT_OPTIONAL_LOCKS": "1"})
