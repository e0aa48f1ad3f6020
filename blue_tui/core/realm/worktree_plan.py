"""Reading a checkout's worktrees, and planning ``realm worktree create`` for one repo without
touching anything (coordination.md 4.1: every failure git would hit mid-way, found up front).

Preflight per repo: the checkout is known and is a git repo with commits; the target path is free
(or already our worktree on the RFC branch: reused); the RFC branch is not checked out elsewhere;
no stale or locked registration sits at the target. Submodules and a dirty checkout are warnings:
the new worktree does not touch the checkout, and submodules only need ``--force`` on removal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blue_tui.core.realm import git
from blue_tui.core.realm.errors import GitError


@dataclass(frozen=True)
class WorktreeEntry:
    path: str
    head: str | None
    branch: str | None
    locked: str | None
    prunable: str | None
    bare: bool


def list_worktrees(checkout: Path) -> list[WorktreeEntry]:
    """``git worktree list --porcelain`` (a stable format; ``-z`` needs git 2.36) as entries."""
    out = git.run(["worktree", "list", "--porcelain"], checkout).stdout.decode("utf-8", "replace")
    entries: list[WorktreeEntry] = []
    fields: dict[str, str | None] = {}
    for item in [*out.split("\n"), ""]:
        if item == "":
            if "worktree" in fields:
                entries.append(
                    WorktreeEntry(
                        str(fields["worktree"]),
                        fields.get("HEAD"),
                        fields.get("branch"),
                        fields.get("locked"),
                        fields.get("prunable"),
                        "bare" in fields,
                    )
                )
            fields = {}
            continue
        key, _, value = item.partition(" ")
        fields[key] = value
    return entries


def same_path(a: str | Path, b: str | Path) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return str(a) == str(b)


def dirty_paths(worktree: Path, *, untracked: bool = True) -> list[str]:
    args = ["status", "--porcelain=v1", "-z", "--untracked-files=" + ("normal" if untracked else "no")]
    out = git.run(args, worktree).stdout.decode("utf-8", "replace")
    return [e[3:] for e in out.split("\0") if len(e) > 3]


@dataclass
class Plan:
    repo: str
    checkout: Path | None
    path: Path
    branch: str
    #: ``create`` | ``exists`` (our worktree from before: reused) | ``fail``
    action: str = "create"
    reason: str = ""
    hint: str = ""
    new_branch: bool = True
    start: str | None = None
    base: str | None = None
    warnings: list[str] = field(default_factory=list)


def plan_repo(
    repo: str, checkout: Path | None, path: Path, branch: str, default_branch: str | None, realm: str
) -> Plan:
    plan = Plan(repo, checkout, path, branch)

    def fail(reason: str, hint: str = "") -> Plan:
        plan.action, plan.reason, plan.hint = "fail", reason, hint
        return plan

    if checkout is None:
        return fail(
            f"no checkout of {repo} is known on this machine",
            f"run `blue realm admin join {realm}` in {repo}'s checkout",
        )
    if not git.is_repo(checkout):
        return fail(
            f"{checkout} is not a git checkout (moved or deleted?)",
            f"run `blue realm admin join {realm}` in {repo}'s checkout",
        )
    ref = f"refs/heads/{branch}"
    try:
        entries = list_worktrees(checkout)
        existing = git.resolve(checkout, ref)
    except GitError as exc:
        return fail(str(exc))
    for entry in entries:
        if same_path(entry.path, path):
            if entry.locked is not None:
                return fail(
                    f"a locked worktree is registered at {path} ({entry.locked or 'no reason given'})",
                    f"`git -C {checkout} worktree unlock {path}` if it is stale",
                )
            if entry.prunable is not None or not path.exists():
                return fail(
                    f"a stale worktree registration points at {path}", f"`git -C {checkout} worktree prune`"
                )
            if entry.branch == ref:
                plan.action, plan.new_branch, plan.start = "exists", False, entry.head
                return plan
            return fail(
                f"{path} is a worktree of {repo} on {entry.branch or 'a detached HEAD'}, not {branch}"
            )
        if entry.branch == ref:
            return fail(
                f"branch {branch} is already checked out at {entry.path}",
                "use that worktree, or switch it to another branch first",
            )
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        return fail(
            f"{path} already exists",
            "move it away, or remove the RFC: `blue realm worktree remove --rfc ...`",
        )
    if existing is not None:
        plan.new_branch, plan.start = False, existing
        plan.warnings.append(f"branch {branch} exists already: used as it is (and never deleted by blue)")
    else:
        for candidate in [default_branch, "main", "master"]:
            if candidate and git.resolve(checkout, f"refs/heads/{candidate}"):
                plan.base = candidate
                plan.start = git.resolve(checkout, f"refs/heads/{candidate}")
                break
        else:
            plan.start = git.head(checkout)
            plan.base = None
        if plan.start is None:
            return fail(f"{repo} at {checkout} has no commits to branch from")
    if (checkout / ".gitmodules").exists():
        plan.warnings.append(
            "has submodules: run `git submodule update --init` in the worktree; removing it will need --force"
        )
    try:
        dirty = dirty_paths(checkout, untracked=False)
    except GitError:
        dirty = []
    if dirty:
        plan.warnings.append(
            f"uncommitted changes in {checkout} stay there ({len(dirty)} file(s)); the worktree "
            f"starts from {plan.start[:12] if plan.start else '?'}"
        )
    return plan
