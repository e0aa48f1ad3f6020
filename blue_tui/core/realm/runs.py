"""What the multi-repo commands (sync, worktree, pr) share: per-repo progress events, a cancel
token, and results as values with one row per repo.

Each long operation takes ``progress`` (called from the working thread with a :class:`Step`) and
``cancel`` (a :class:`threading.Event` the caller may set from any thread; it is checked between
steps, and a cancelled run rolls back what it created). The result's ``exit_code`` follows the
multi-repo rule of coordination.md 4.3: 1 whenever any repo failed, never 0 on a partial failure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from blue_tui.core.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK
from blue_tui.core.realm.errors import RealmError


@dataclass(frozen=True)
class Step:
    """One progress event: ``repo`` (None for the whole run), the step's name, and a position."""

    repo: str | None
    step: str
    index: int = 0
    total: int = 0
    detail: str = ""


StepProgress = Callable[[Step], None]


class Cancelled(RealmError):
    exit_code = EXIT_INTERRUPTED


def check_cancel(cancel: threading.Event | None, what: str) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled(f"{what} was cancelled", hint="run it again when ready")


def emit(
    progress: StepProgress | None,
    repo: str | None,
    step: str,
    index: int = 0,
    total: int = 0,
    detail: str = "",
) -> None:
    if progress is not None:
        progress(Step(repo, step, index, total, detail))


#: Row statuses that count as failures.
FAILED = frozenset({"failed", "refused", "error"})


@dataclass
class RepoOutcome:
    """One row of a multi-repo result table."""

    repo: str
    status: str
    detail: str = ""
    path: str | None = None
    branch: str | None = None
    url: str | None = None
    warnings: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status in FAILED

    def as_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "status": self.status,
            "detail": self.detail,
            "path": self.path,
            "branch": self.branch,
            "url": self.url,
            "warnings": list(self.warnings),
            **self.extra,
        }


@dataclass
class RunReport:
    """The result of a multi-repo command: one :class:`RepoOutcome` per repo, in order."""

    action: str
    realm: str
    rfc: str | None
    repos: list[RepoOutcome] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cancelled: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[RepoOutcome]:
        return [r for r in self.repos if r.failed]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled

    @property
    def exit_code(self) -> int:
        if self.cancelled:
            return EXIT_INTERRUPTED
        return EXIT_FAILURE if self.failed else EXIT_OK

    def row(self, repo: str) -> RepoOutcome | None:
        for r in self.repos:
            if r.repo == repo:
                return r
        return None

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "realm": self.realm,
            "rfc": self.rfc,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "cancelled": self.cancelled,
            "repos": [r.as_json() for r in self.repos],
            "warnings": list(self.warnings),
            **self.details,
        }


def new_cancel() -> threading.Event:
    return threading.Event()
