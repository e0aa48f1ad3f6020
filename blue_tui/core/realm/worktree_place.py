"""Where one RFC's worktrees live (``$BLUE_HOME/worktrees/{realm}/{rfc}/``): the record of what
exists (``.rfc.json``), the journal, the lock, and undoing a run that died half-way."""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path
from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.errors import InvalidName
from blue_tui.core.realm.fsutil import write_atomic
from blue_tui.core.realm.journal import Journal
from blue_tui.core.realm.names import check_name
from blue_tui.core.realm.worktree_plan import dirty_paths, list_worktrees, same_path

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


def undo_worktree(checkout: Path, path: Path, branch: str, start: str | None, new_branch: bool) -> str:
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
            note = undo_worktree(
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
