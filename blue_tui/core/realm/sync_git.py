"""The git mechanics of ``realm sync``: whether the clone is fit to sync, the change's patch id, squashing the local commits and
replaying them on the remote's tip, pushing the ``sync/`` branch under a free name, and deleting
a branch a failed attempt left behind."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from blue_tui.core.config import Settings
from blue_tui.core.realm import git, remote
from blue_tui.core.realm.clone import clone_refs
from blue_tui.core.realm.errors import GitError, RealmError

ENV = {"GIT_OPTIONAL_LOCKS": "1", "GIT_EDITOR": "true"}


def ready_clone(root: Path, realm_name: str) -> tuple[str, str]:
    """The realm clone's remote URL and base branch, once it is fit to sync: a git clone with a
    remote, in no half-done git operation, on its base branch."""
    if not git.is_repo(root):
        raise RealmError(
            f"realm {realm_name} at {root} is not a git clone",
            hint="clone it with `blue realm admin join URL`",
        )
    refs = clone_refs(root)
    if refs.url is None:
        raise remote.RemoteError(
            f"realm {realm_name} at {root} has no remote to sync with",
            hint=f"add one: `git -C {root} remote add origin URL && git -C {root} push -u origin HEAD`",
        )
    git_dir = remote.git_dir_of(root)
    busy = [
        n
        for n in ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD")
        if git_dir is not None and (git_dir / n).exists()
    ]
    if busy:
        raise RealmError(
            f"realm clone {root} is in the middle of a git operation ({busy[0]})",
            hint=f"finish it (`git -C {root} status`) or abort it, then run `blue realm sync` again",
        )
    if refs.branch != refs.base:
        raise RealmError(
            f"realm clone {root} is on {refs.branch or 'a detached HEAD'}, not on {refs.base}",
            hint=f"`git -C {root} switch {refs.base}`, then run `blue realm sync` again",
        )
    return refs.url, refs.base


def patch_id(root: Path, a: str, b: str) -> str | None:
    """A stable id of the change ``a..b`` (zero context lines: a neighbour's edit does not alter it)."""
    diff = git.run(["diff", "-U0", "--no-color", "--no-ext-diff", a, b, "--"], root).stdout
    if not diff.strip():
        return None
    out = git.run(["patch-id", "--stable"], root, input_bytes=diff).stdout.decode().split()
    return out[0] if out else None


def stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def replay_squashed(
    root: Path, work: Path, head: str, mb: str, tip: str, *, message: str, cfg: list[str], force: bool
) -> list[str] | None:
    """Squash ``mb..head`` into one commit and put it on ``tip`` in ``work``.

    None when it applied (and was committed, if it changed anything); otherwise the unmerged paths
    (possibly none), with ``work`` reset to ``tip``.
    """
    squash = (
        git.run(["commit-tree", f"{head}^{{tree}}", "-p", mb, "-m", message], root, config=cfg)
        .stdout.decode()
        .strip()
    )
    args = ["cherry-pick", "--no-commit"] + (["-X", "theirs"] if force else []) + [squash]
    proc = git.run(args, work, check=False, env=ENV, config=cfg)
    unmerged = git.run(["diff", "--name-only", "--diff-filter=U"], work).stdout.decode().split()
    if proc.returncode != 0 or unmerged:
        git.run(["cherry-pick", "--abort"], work, check=False, env=ENV)
        git.run(["reset", "-q", "--hard", tip], work, check=False, env=ENV)
        return unmerged
    if git.run(["diff", "--cached", "--quiet"], work, check=False).returncode != 0:
        git.run(["commit", "-q", "-m", message], work, env=ENV, config=cfg)
    return None


def push_branch(
    settings: Settings, root: Path, realm_name: str, branch: str, commit: str, previous: str | None
) -> str:
    """Push ``commit`` as ``branch`` (over ``previous``, or under the first free name); the name used."""
    if previous is not None:
        remote.push(
            settings,
            root,
            realm_name,
            [f"{commit}:refs/heads/{branch}"],
            leases=[f"refs/heads/{branch}:{previous}"],
        )
        return branch
    name = branch
    for n in range(2, 7):
        try:
            remote.push(settings, root, realm_name, [f"{commit}:refs/heads/{name}"])
            return name
        except remote.PushRejected as exc:
            if not exc.non_fast_forward:
                raise
            name = f"{branch}-{n}"  # the same second, same repo: another clone of ours
    raise remote.RemoteError(f"cannot find a free branch name near {branch}")


def delete_branch(settings: Settings, root: Path, realm_name: str, branch: str, sha: str) -> None:
    with suppress(remote.RemoteError, remote.PushRejected, GitError):
        remote.push(
            settings,
            root,
            realm_name,
            [f":refs/heads/{branch}"],
            leases=[f"refs/heads/{branch}:{sha}"],
        )
