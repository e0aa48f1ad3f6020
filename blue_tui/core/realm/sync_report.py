"""The values ``realm sync`` takes and returns: options, notices for other sessions, the report.

Outcomes a user acts on (a refused file, a failed check, an overlapping concurrent change, a push
refused by a hook) are report statuses, not exceptions, so the dashboard can show them with their
details; environmental failures (no remote, unreachable, dirty clone) raise :class:`BlueError`s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from blue_tui.core.errors import EXIT_FAILURE, EXIT_OK
from blue_tui.core.realm.forge.base import PullRequest
from blue_tui.core.realm.ownership import FileVerdict
from blue_tui.core.realm.problems import Problem

#: Statuses that end a sync without publishing or pulling what was asked.
FAILED_STATUSES = frozenset({"refused", "check-failed", "conflict", "push-rejected", "pr-failed"})


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    #: False: ``--no-cache`` (the realm check reads every file fresh).
    use_cache: bool = True
    #: Publish this repo's version of files a concurrent merge also changed (round 11's choice 2).
    force: bool = False
    run_hooks: bool = True
    #: How often to rebase and retry when the remote moves during the sync.
    retries: int = 3
    title: str | None = None


@dataclass(frozen=True)
class SyncNotice:
    """One thing other sessions should hear about (the lead wires these into sessions.db)."""

    realm: str
    repo: str
    #: ``contract-added`` | ``contract-changed`` | ``contract-removed`` | ``binding-changed``
    kind: str
    domain: str
    contract: str | None
    from_version: str | None
    to_version: str | None
    branch: str
    pr_url: str | None
    #: Repos whose imports the change touches (they are the PR's reviewers).
    affected: tuple[str, ...] = ()

    @property
    def dedup_key(self) -> str:
        return f"{self.realm}:{self.branch}:{self.kind}:{self.domain}/{self.contract or self.repo}"

    def as_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "repo": self.repo,
            "kind": self.kind,
            "domain": self.domain,
            "contract": self.contract,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "branch": self.branch,
            "pr_url": self.pr_url,
            "affected": list(self.affected),
            "dedup_key": self.dedup_key,
        }


class Notifier(Protocol):
    def __call__(self, notice: SyncNotice) -> None: ...


def no_notifier(notice: SyncNotice) -> None:
    """The default: nobody is told (sessions.db is wired by the caller)."""


@dataclass(frozen=True)
class ContractChange:
    domain: str
    contract: str
    #: ``A`` | ``M`` | ``D``
    change: str
    from_version: str | None
    to_version: str | None
    importers: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "contract": self.contract,
            "change": self.change,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "importers": list(self.importers),
        }


@dataclass(frozen=True)
class Outdated:
    domain: str
    contract: str
    resolved_version: str
    version: str

    def as_json(self) -> dict[str, str]:
        return {
            "domain": self.domain,
            "contract": self.contract,
            "resolved_version": self.resolved_version,
            "version": self.version,
        }


@dataclass(frozen=True)
class Choice:
    choice: str
    label: str
    command: str

    def as_json(self) -> dict[str, str]:
        return {"choice": self.choice, "label": self.label, "command": self.command}


@dataclass
class Conflict:
    """A concurrent change to the same lines: what they did, what you did, and the three ways on
    (seed 004 round 11: rebase and retry, ``--force``, abort)."""

    overlapping: list[str]
    theirs: list[dict[str, Any]]
    yours: list[str]
    choices: list[Choice]

    def as_json(self) -> dict[str, Any]:
        return {
            "overlapping": self.overlapping,
            "theirs": self.theirs,
            "yours": self.yours,
            "choices": [c.as_json() for c in self.choices],
        }


@dataclass
class SyncReport:
    realm: str
    repo: str
    #: ``up-to-date`` | ``pulled`` | ``published`` | ``pending`` (already published, PR open) |
    #: ``merged`` | ``would-publish`` | ``would-pull`` | and the failures in FAILED_STATUSES
    status: str
    dry_run: bool = False
    base: str = ""
    branch: str | None = None
    commit: str | None = None
    pr: PullRequest | None = None
    files: list[FileVerdict] = field(default_factory=list)
    contracts: list[ContractChange] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    #: Maintainers the forge cannot take as reviewers (emails): named in the PR body instead.
    cc: list[str] = field(default_factory=list)
    affected: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)
    outdated: list[Outdated] = field(default_factory=list)
    retries: int = 0
    conflict: Conflict | None = None
    remote_lines: list[str] = field(default_factory=list)
    notices: list[SyncNotice] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    message: str = ""
    hint: str | None = None

    @property
    def ok(self) -> bool:
        return self.status not in FAILED_STATUSES

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILURE

    def as_json(self) -> dict[str, Any]:
        return {
            "realm": self.realm,
            "repo": self.repo,
            "status": self.status,
            "ok": self.ok,
            "exit_code": self.exit_code,
            "dry_run": self.dry_run,
            "message": self.message,
            "hint": self.hint,
            "base": self.base,
            "branch": self.branch,
            "commit": self.commit,
            "pr": self.pr.as_json() if self.pr else None,
            "files": [f.as_json() for f in self.files],
            "contracts": [c.as_json() for c in self.contracts],
            "reviewers": self.reviewers,
            "cc": self.cc,
            "affected": self.affected,
            "problems": [p.as_json() for p in self.problems],
            "pulled": self.pulled,
            "outdated": [o.as_json() for o in self.outdated],
            "retries": self.retries,
            "conflict": self.conflict.as_json() if self.conflict else None,
            "remote_lines": self.remote_lines,
            "notices": [n.as_json() for n in self.notices],
            "warnings": self.warnings,
        }


ForgeFactory = Callable[[str | None], Any]
