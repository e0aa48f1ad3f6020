"""``blue realm worktree``: one branch (``rfc/NAME``) in every affected repo, each checked out
under ``$BLUE_HOME/worktrees/{realm}/{rfc}/{repo}``.

``create`` preflights every repo before touching any (:mod:`.worktree_plan`), journals each step
before doing it (:mod:`.journal`), and on a failure undoes only what this run created, newest
first (``keep_going``: carry on with the other repos instead). A run killed at any point is undone
by the next ``create``/``remove`` of that RFC, which then proceeds (``list`` shows it pending). ``remove`` uses
``git worktree remove``, refuses dirty or locked worktrees unless ``force``, and deletes only a
branch it created and that holds no commits beyond where it started.

What exists is recorded in ``{rfc}/.rfc.json`` (for ``list``, ``remove`` and ``realm pr``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.clone import checkouts
from blue_tui.core.realm.errors import GitError, InvalidInput, InvalidName, ItemNotFound
from blue_tui.core.realm.fsutil import locked, write_atomic
from blue_tui.core.realm.journal import Journal
from blue_tui.core.realm.loader import load_realm
from blue_tui.core.realm.locate import Located
from blue_tui.core.realm.model import Realm
from blue_tui.core.realm.names import check_name
from blue_tui.core.realm.runs import Cancelled, RepoOutcome, RunReport, StepProgress, check_cancel, emit
from blue_tui.core.realm.worktree_plan import Plan, dirty_paths, list_worktrees, plan_repo, same_path

STATE = ".rfc.json"
JOURNAL = ".journal.jsonl"
_ENV = {"GIT_OPTIONAL_LOCKS": "1"}


def branch_for(rfc: str) -> str:
    return f"rfc/{rfc}"


class RfcPlace:
    """Where one RFC's worktrees, state and journal live."""

    def __init__(self, settings: Settings, realm: str, rfc: str) -> None:
        check_name(rfc, "RFC")
        if rfc.endswith(".lock"):  # git refuses ref components ending in .lock
            raise InvalidName(f"RFC name {rfc!r} cannot end in .lock (git refuses it as a branch name)")
        self.realm = realm
        self.rfc = rfc
        self.dir = settings.worktrees_dir / realm / rfc
        self.journal = Journal(self.dir / JOURNAL)
        self.lock = settings.worktrees_dir / realm / f".{rfc}.lock"

    def path(self, repo: str) -> Path:
        return self.dir / repo

    def read(self) -> dict[str, Any]:
        try:
            data = json.loads((self.dir / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def repos(self) -> dict[str, dict[str, Any]]:
        raw = self.read().get("repos")
        return {k: v for k, v in raw.items() if isinstance(v, dict)} if isinstance(raw, dict) else {}

    def write(self, repos: dict[str, dict[str, Any]]) -> None:
        if not repos:
            with suppress(FileNotFoundError):
                (self.dir / STATE).unlink()
            return
        doc = {"realm": self.realm, "rfc": self.rfc, "branch": branch_for(self.rfc), "repos": repos}
        write_atomic(self.dir / STATE, json.dumps(doc, indent=2, sort_keys=True) + "\n")

    def tidy(self) -> None:
        """Drop the RFC folder once nothing is left in it."""
        if self.repos():
            return
        self.journal.clear()
        with suppress(OSError):
            self.dir.rmdir()


def _undo_worktree(checkout: Path, path: Path, branch: str, start: str | None, new_branch: bool) -> str:
    """Undo one created worktree (and its branch if new): the real state decides, and anything a
    person may have touched since (changes in the worktree, commits on the branch) is kept."""
    notes = []
    registered = [e for e in list_worktrees(checkout) if same_path(e.path, path)]
    if registered and path.exists():
        if dirty_paths(path):
            return f"kept {path}: it has changes made after the interrupted run"
        git.run(["worktree", "remove", "--force", str(path)], checkout, env=_ENV)
        notes.append("worktree removed")
    elif registered or path.exists():
        git.run(["worktree", "prune"], checkout, env=_ENV)
        if path.exists() and path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    if new_branch and start:
        ref = f"refs/heads/{branch}"
        tip = git.resolve(checkout, ref)
        if tip == start:
            git.run(["update-ref", "-d", ref, start], checkout, env=_ENV)
            notes.append(f"branch {branch} deleted")
        elif tip is not None:
            notes.append(f"kept branch {branch}: it has commits")
    return ", ".join(notes) or "nothing to undo"


def recover(place: RfcPlace) -> list[str]:
    """Undo the steps of a run that died (see :mod:`.journal`); notes on what was done."""
    found = place.journal.interrupted()
    if found is None:
        return []
    notes = []
    state = place.repos()
    if found.action == "create":
        for intent in found.intents:
            repo = str(intent.get("repo"))
            checkout = Path(str(intent.get("checkout")))
            if not git.is_repo(checkout):
                continue
            note = _undo_worktree(
                checkout,
                Path(str(intent["path"])),
                str(intent["branch"]),
                intent.get("start"),
                bool(intent.get("new_branch")),
            )
            if not note.startswith("kept "):
                state.pop(repo, None)
            notes.append(f"{repo}: undid the interrupted create ({note})")
    else:
        notes.append(f"an interrupted {found.action} was found; it is completed by running it again")
    place.write(state)
    place.journal.clear()
    return notes


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
                    _undo_worktree(p.checkout, p.path, branch, p.start, p.new_branch)
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
        note = _undo_worktree(p.checkout, p.path, branch, p.start, p.new_branch)
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
