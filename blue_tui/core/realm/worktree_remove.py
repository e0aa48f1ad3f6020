"""``blue realm worktree remove``: preflight every worktree, then ``git worktree remove`` each.

Refused without ``force``: a worktree with changes (tracked or untracked), a locked one, one with
submodules (git cannot remove those without force). With ``force``: ``--force`` (twice for a
locked one, as git requires). The branch goes only if this tool created it and it holds no commit
beyond where it started or beyond its base branch; otherwise it is kept and the row says why.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm import git
from blue_tui.core.realm.errors import GitError
from blue_tui.core.realm.runs import Cancelled, RepoOutcome, RunReport, StepProgress, check_cancel, emit
from blue_tui.core.realm.worktree_plan import dirty_paths, list_worktrees, same_path

if TYPE_CHECKING:
    from blue_tui.core.realm.worktree_place import RfcPlace

_ENV = {"GIT_OPTIONAL_LOCKS": "1"}


def _preflight(repo: str, entry: dict[str, Any], force: bool) -> tuple[RepoOutcome, list[str]]:
    path, checkout = Path(str(entry.get("path"))), Path(str(entry.get("checkout")))
    row = RepoOutcome(repo, "ok", "", str(path), str(entry.get("branch")))
    if not git.is_repo(checkout):
        row.status, row.detail = "failed", f"the checkout {checkout} is gone"
        return row, []
    reg = [e for e in list_worktrees(checkout) if same_path(e.path, path)]
    if not reg or not path.exists():
        row.detail = "already gone; its registration is pruned"
        return row, ["prune"]
    problems = []
    locked = reg[0].locked is not None
    if locked:
        problems.append(f"locked ({reg[0].locked or 'no reason given'})")
    dirty = dirty_paths(path)
    if dirty:
        shown = ", ".join(dirty[:3]) + (f" (+{len(dirty) - 3})" if len(dirty) > 3 else "")
        problems.append(f"has uncommitted changes: {shown}")
    if (path / ".gitmodules").exists():
        problems.append("contains submodules")
    if problems and not force:
        row.status, row.detail = "refused", "; ".join(problems)
        row.extra["hint"] = "commit or stash inside it, or pass --force (its changes are lost)"
    elif problems:
        row.warnings.append("forced: " + "; ".join(problems))
    # git wants --force for changes or submodules, and --force twice for a locked worktree.
    return row, ["--force"] * (2 if locked else 1 if problems else 0)


def _delete_branch(checkout: Path, entry: dict[str, Any]) -> str:
    branch, start, base = str(entry.get("branch")), entry.get("start"), entry.get("base")
    ref = f"refs/heads/{branch}"
    tip = git.resolve(checkout, ref)
    if tip is None:
        return "branch already gone"
    if not entry.get("created_branch"):
        return f"kept branch {branch} (blue did not create it)"
    merged = (
        bool(base)
        and git.resolve(checkout, f"refs/heads/{base}") is not None
        and git.is_ancestor(checkout, tip, f"refs/heads/{base}")
    )
    if tip == start or merged:
        for e in list_worktrees(checkout):
            if e.branch == ref:
                return f"kept branch {branch} (checked out at {e.path})"
        git.run(["update-ref", "-d", ref, tip], checkout, env=_ENV)
        return f"deleted branch {branch}"
    ahead = git.run(["rev-list", "--count", f"{start}..{tip}"], checkout, check=False).stdout.decode().strip()
    return f"kept branch {branch}: {ahead or 'some'} commit(s) not merged into {base or 'its base'}"


def remove_all(
    place: RfcPlace,
    entries: dict[str, dict[str, Any]],
    report: RunReport,
    *,
    force: bool,
    progress: StepProgress | None,
    cancel: threading.Event | None,
) -> None:
    checks = {}
    for repo, entry in sorted(entries.items()):
        emit(progress, repo, "preflight")
        try:
            checks[repo] = _preflight(repo, entry, force)
        except GitError as exc:
            checks[repo] = (RepoOutcome(repo, "failed", str(exc), str(entry.get("path"))), [])
    bad = [row for row, _ in checks.values() if row.failed]
    if bad:
        for row, _ in checks.values():
            if not row.failed:
                row.status, row.detail = (
                    "skipped",
                    "not started: " + ", ".join(b.repo for b in bad) + " refused",
                )
            report.repos.append(row)
        return
    place.journal.begin("remove", repos=sorted(entries))
    try:
        for i, (repo, (row, flags)) in enumerate(sorted(checks.items()), 1):
            check_cancel(cancel, "realm worktree remove")
            entry = entries[repo]
            checkout, path = Path(str(entry["checkout"])), Path(str(entry["path"]))
            place.journal.intent(repo, "remove", path=str(path))
            emit(progress, repo, "remove", i, len(checks), str(path))
            try:
                if flags == ["prune"]:
                    git.run(["worktree", "prune"], checkout, env=_ENV)
                else:
                    git.run(["worktree", "remove", *flags, str(path)], checkout, env=_ENV)
                note = _delete_branch(checkout, entry)
            except GitError as exc:
                row.status, row.detail = "failed", str(exc)
                report.repos.append(row)
                continue
            place.journal.done(repo, "remove")
            row.status = "removed"
            row.detail = "; ".join(x for x in (row.detail, note) if x)
            report.repos.append(row)
            del entries[repo]
            place.write(entries)
    except Cancelled:
        report.cancelled = True
        for repo, (row, _) in sorted(checks.items()):
            if report.row(repo) is None:
                row.status, row.detail = "cancelled", "not started"
                report.repos.append(row)
    place.journal.end("ok" if not report.failed else "partial")
    place.journal.clear()
