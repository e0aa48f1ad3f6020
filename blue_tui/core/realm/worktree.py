"""``blue realm worktree``: one branch (``rfc/NAME``) in every affected repo, each checked out
under ``$BLUE_HOME/worktrees/{realm}/{rfc}/{repo}``.

``create`` preflights every repo before touching any (:mod:`.worktree_plan`), journals each step
before doing it (:mod:`.journal`), and on a failure undoes only what this run created, newest
first (``keep_going``: carry on with the other repos instead). A run killed at any point is undone
by the next ``create``/``remove`` of that RFC, which then proceeds (``list`` shows it pending). ``remove`` uses
``git worktree remove``, refuses dirty or locked worktrees unless ``force``, and deletes only a
branch it created and that holds no commits beyond where it started.

What exists is recorded in ``{rfc}/.rfc.json`` (for ``list``, ``remove`` and ``realm pr``;
:mod:`.worktree_place`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.clone import checkouts
from blue_tui.core.realm.errors import GitError, InvalidInput, ItemNotFound
from blue_tui.core.realm.fsutil import locked
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.runs import Cancelled, RepoOutcome, RunReport, StepProgress, check_cancel, emit
from blue_tui.core.realm.worktree_place import RfcPlace, branch_for, recover, undo_worktree
from blue_tui.core.realm.worktree_plan import Plan, dirty_paths, list_worktrees, plan_repo, same_path

_ENV = {"GIT_OPTIONAL_LOCKS": "1"}


def _targets(realm: Realm, located: Located, repos: Sequence[str] | None) -> list[str]:
    if repos:
        unknown = [r for r in repos if r not in realm.repos]
        if unknown:
            raise InvalidInput(
                f"--repos names repos that are not in realm {realm.name!r}: {', '.join(unknown)}",
                hint=f"registered repos: {', '.join(sorted(realm.repos)) or 'none'}",
            )
        return list(dict.fromkeys(repos))
    me = located.member(realm.name)
    if me is None:
        raise InvalidInput(
            "which repos? outside a member repo, pass --repos A,B",
            hint="or run it inside a member repo: its domains' members are used",
        )
    linked = {me}
    for dom in realm.domains.values():
        if me in dom.members:
            linked |= set(dom.members)
    return sorted(linked & set(realm.repos)) or [me]


def create(
    settings: Settings,
    located: Located,
    rfc: str,
    *,
    repos: Sequence[str] | None = None,
    keep_going: bool = False,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
) -> RunReport:
    """Create the RFC's worktrees; a :class:`RunReport` with one row per repo (exit 1 if any failed)."""
    realm = load_realm(located.root)
    place = RfcPlace(settings, realm.name, rfc)
    branch = branch_for(rfc)
    targets = _targets(realm, located, repos)
    known = checkouts(settings, realm.name)
    report = RunReport("worktree-create", realm.name, rfc, details={"branch": branch, "dir": str(place.dir)})
    with locked(place.lock, what=f"RFC {rfc}'s worktrees"):
        report.warnings += recover(place)
        emit(progress, None, "preflight", 0, len(targets))
        with ThreadPoolExecutor(max_workers=min(4, len(targets) or 1)) as pool:
            plans: list[Plan] = list(
                pool.map(
                    lambda r: plan_repo(
                        r, known.get(r), place.path(r), branch, realm.repos[r].default_branch, realm.name
                    ),
                    targets,
                )
            )
        failed = [p for p in plans if p.action == "fail"]
        for p in failed:
            report.repos.append(
                RepoOutcome(
                    p.repo,
                    "failed",
                    p.reason,
                    str(p.path),
                    branch,
                    warnings=p.warnings,
                    extra={"hint": p.hint},
                )
            )
        if failed and not keep_going:
            for p in plans:
                if p.action != "fail":
                    report.repos.append(
                        RepoOutcome(
                            p.repo,
                            "skipped",
                            "not started: preflight failed for " + ", ".join(f.repo for f in failed),
                            str(p.path),
                            branch,
                        )
                    )
            report.repos.sort(key=lambda r: targets.index(r.repo))
            return report
        state = place.repos()
        place.journal.begin("create", rfc=rfc, repos=[p.repo for p in plans])
        created: list[Plan] = []
        todo = [p for p in plans if p.action != "fail"]
        try:
            for i, p in enumerate(todo, 1):
                check_cancel(cancel, "realm worktree create")
                if p.action == "exists":
                    report.repos.append(
                        RepoOutcome(
                            p.repo,
                            "exists",
                            "already there (reused)",
                            str(p.path),
                            branch,
                            warnings=p.warnings,
                        )
                    )
                    state.setdefault(p.repo, _entry(p, created_branch=False, created_worktree=False))
                    continue
                assert p.checkout is not None
                place.journal.intent(
                    p.repo,
                    "worktree",
                    checkout=str(p.checkout),
                    path=str(p.path),
                    branch=branch,
                    new_branch=p.new_branch,
                    start=p.start,
                )
                emit(progress, p.repo, "create", i, len(todo), str(p.path))
                try:
                    args = ["worktree", "add", "--quiet"]
                    args += (
                        ["-b", branch, str(p.path), str(p.start)] if p.new_branch else [str(p.path), branch]
                    )
                    git.run(args, p.checkout, env=_ENV)
                except GitError as exc:
                    undo_worktree(p.checkout, p.path, branch, p.start, p.new_branch)
                    report.repos.append(
                        RepoOutcome(p.repo, "failed", str(exc), str(p.path), branch, warnings=p.warnings)
                    )
                    if not keep_going:
                        raise
                    continue
                emit(progress, p.repo, "created", i, len(todo), str(p.path))
                place.journal.done(p.repo, "worktree")
                created.append(p)
                state[p.repo] = _entry(p, created_branch=p.new_branch, created_worktree=True)
                report.repos.append(
                    RepoOutcome(
                        p.repo,
                        "created",
                        f"on {branch} at {str(p.start)[:12]}",
                        str(p.path),
                        branch,
                        warnings=p.warnings,
                    )
                )
        except (GitError, Cancelled) as exc:
            report.cancelled = isinstance(exc, Cancelled)
            _rollback(created, branch, report, progress)
            for p in created:
                state.pop(p.repo, None)
            place.journal.end("rolled-back")
            place.write(state)
            place.journal.clear()
            _mark_rest(report, targets, "cancelled" if report.cancelled else "skipped", branch, place)
            return report
        place.write(state)
        place.journal.end("ok")
        place.journal.clear()
        emit(progress, None, "done", len(todo), len(todo))
    report.repos.sort(key=lambda r: targets.index(r.repo))
    return report


def _entry(p: Plan, *, created_branch: bool, created_worktree: bool) -> dict[str, Any]:
    return {
        "checkout": str(p.checkout),
        "path": str(p.path),
        "branch": p.branch,
        "start": p.start,
        "base": p.base,
        "created_branch": created_branch,
        "created_worktree": created_worktree,
    }


def _rollback(created: list[Plan], branch: str, report: RunReport, progress: StepProgress | None) -> None:
    for p in reversed(created):
        assert p.checkout is not None
        emit(progress, p.repo, "rollback", detail=str(p.path))
        note = undo_worktree(p.checkout, p.path, branch, p.start, p.new_branch)
        row = report.row(p.repo)
        if row is not None:
            row.status, row.detail = "rolled-back", note


def _mark_rest(report: RunReport, targets: list[str], status: str, branch: str, place: RfcPlace) -> None:
    seen = {r.repo for r in report.repos}
    for repo in targets:
        if repo not in seen:
            report.repos.append(RepoOutcome(repo, status, "not started", str(place.path(repo)), branch))
    report.repos.sort(key=lambda r: targets.index(r.repo))


# ---- list / remove --------------------------------------------------------------------------------------


def _row(repo: str, entry: dict[str, Any]) -> RepoOutcome:
    path, checkout = Path(str(entry.get("path"))), Path(str(entry.get("checkout")))
    row = RepoOutcome(repo, "present", "", str(path), str(entry.get("branch")))
    if not path.exists():
        row.status, row.detail = "missing", f"{path} is gone (`git -C {checkout} worktree prune`)"
        return row
    try:
        reg = [e for e in list_worktrees(checkout) if same_path(e.path, path)]
        dirty = dirty_paths(path)
    except GitError as exc:
        row.status, row.detail = "error", str(exc)
        return row
    row.extra = {
        "dirty": len(dirty),
        "locked": reg[0].locked if reg else None,
        "created_branch": bool(entry.get("created_branch")),
        "checkout": str(checkout),
    }
    bits = [f"{len(dirty)} changed file(s)"] if dirty else []
    if reg and reg[0].locked is not None:
        bits.append(f"locked ({reg[0].locked or 'no reason'})")
    if (path / ".gitmodules").exists():
        bits.append("has submodules")
    row.detail = ", ".join(bits) or "clean"
    return row


def list_rfcs(settings: Settings, located: Located) -> list[RunReport]:
    """Every RFC with worktrees in this realm, one :class:`RunReport` each (rows: present/missing)."""
    realm_name = load_realm(located.root).name
    base = settings.worktrees_dir / realm_name
    out = []
    for folder in sorted(base.iterdir() if base.is_dir() else []):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        place = RfcPlace(settings, realm_name, folder.name)
        report = RunReport(
            "worktree-list",
            realm_name,
            folder.name,
            details={"branch": branch_for(folder.name), "dir": str(place.dir)},
        )
        if place.journal.interrupted() is not None:
            report.warnings.append("an interrupted run is pending: the next create/remove undoes it")
        report.repos = [_row(repo, entry) for repo, entry in sorted(place.repos().items())]
        out.append(report)
    return out


def remove(
    settings: Settings,
    located: Located,
    rfc: str,
    *,
    force: bool = False,
    progress: StepProgress | None = None,
    cancel: threading.Event | None = None,
) -> RunReport:
    from blue_tui.core.realm.worktree_remove import remove_all

    realm_name = load_realm(located.root).name
    place = RfcPlace(settings, realm_name, rfc)
    report = RunReport(
        "worktree-remove", realm_name, rfc, details={"branch": branch_for(rfc), "dir": str(place.dir)}
    )
    with locked(place.lock, what=f"RFC {rfc}'s worktrees"):
        report.warnings += recover(place)
        entries = place.repos()
        if not entries:
            if report.warnings:
                place.tidy()
                return report
            raise ItemNotFound(
                f"no worktrees for RFC {rfc!r} in realm {realm_name!r} ({place.dir})",
                hint="see `blue realm worktree list`",
            )
        remove_all(place, entries, report, force=force, progress=progress, cancel=cancel)
        place.tidy()
    return report
