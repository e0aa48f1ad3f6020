"""The forge interface: what ``realm sync`` and ``realm pr`` need from GitHub (or a stand-in).

Five calls, all blocking and safe in a worker thread: open a PR (returning the open one when the
branch already has one), read it, rewrite its body (to link the PRs of one change to each other),
merge it, and record a coordinated plan. Implementations: :mod:`.github` (REST, GitHub or GitHub
Enterprise) and :mod:`.local` (PRs and plans recorded in the realm repo, for realms without a forge).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from blue_tui.core.realm.errors import RealmError

MERGE_METHODS = ("merge", "squash", "rebase")


class ForgeError(RealmError):
    """The forge refused or failed a request; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class ForgeNotFound(ForgeError):
    """The repository (or PR) does not exist, or the token cannot see it (GitHub answers 404 for both)."""


class ForgeAuthError(ForgeError):
    """No token, a bad token, or a token without the permission the call needs."""


class ForgeRateLimited(ForgeError):
    """The forge asked to wait longer than this command is willing to."""

    def __init__(self, message: str, *, retry_after: float, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, status=429)
        self.retry_after = retry_after


class ForgeConflict(ForgeError):
    """The request is valid but cannot be done now: not mergeable, head moved, validation failed."""


class ForgeUnreachable(ForgeError):
    """No answer from the forge (network, DNS, timeout)."""


@dataclass(frozen=True)
class RepoRef:
    """A repository as a forge sees it.

    ``name``: the realm's name for it (or the realm's own name); ``slug``: ``owner/name`` on
    GitHub; ``url``: its git URL; ``local_path``: a git checkout on this machine (the local forge
    merges there); ``remote``: that checkout's remote for ``url``."""

    name: str
    slug: str | None = None
    url: str | None = None
    local_path: Path | None = None
    remote: str = "origin"


@dataclass(frozen=True)
class PrRequest:
    title: str
    body: str
    head: str
    base: str
    reviewers: tuple[str, ...] = ()
    draft: bool = False


@dataclass(frozen=True)
class PullRequest:
    repo: str
    number: int
    url: str
    title: str
    head: str
    base: str
    #: ``open`` | ``closed`` | ``merged``
    state: str
    forge: str
    mergeable: bool | None = None
    reviewers: tuple[str, ...] = ()
    #: Things that went half-right (a reviewer the forge would not add...).
    notes: tuple[str, ...] = field(default=(), compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "number": self.number,
            "url": self.url,
            "title": self.title,
            "head": self.head,
            "base": self.base,
            "state": self.state,
            "forge": self.forge,
            "mergeable": self.mergeable,
            "reviewers": list(self.reviewers),
            "notes": list(self.notes),
        }


class Forge(Protocol):
    kind: str

    def open_pr(self, repo: RepoRef, request: PrRequest) -> PullRequest: ...

    def get_pr(self, repo: RepoRef, number: int) -> PullRequest: ...

    def update_pr(self, repo: RepoRef, number: int, *, body: str) -> PullRequest: ...

    def merge_pr(self, repo: RepoRef, number: int, *, method: str = "merge") -> PullRequest: ...

    def record_plan(self, name: str, plan: dict[str, Any]) -> str | None:
        """Keep the coordinated plan where the team sees it; where it went, or None."""
        ...


_SCP = re.compile(r"^(?:[^@/\s]{1,100}@)?(?P<host>[^:/\s]{1,253}):(?P<path>[^\s]{1,500})$")
_URL = re.compile(
    r"^(?:https?|ssh|git)://(?:[^@/\s]{1,200}@)?(?P<host>[^/:\s]{1,253})(?::\d{1,5})?/(?P<path>[^\s]{1,500})$"
)


def parse_git_url(url: str | None) -> tuple[str, str] | None:
    """``(host, "owner/name")`` for forge-style URLs (``git@host:o/n.git``, ``https://host/o/n``,
    ``ssh://git@host/o/n.git``); None for local paths and ``file://``."""
    if not url or url.startswith(("/", ".", "~", "file:")):
        return None
    m = _URL.match(url) or (None if "://" in url else _SCP.match(url))
    if not m:
        return None
    path = m.group("path").strip("/")
    if path.endswith(".git"):
        path = path[:-4]
    parts = path.split("/")
    if len(parts) < 2 or not all(re.fullmatch(r"[A-Za-z0-9._-]{1,100}", p) for p in parts[-2:]):
        return None
    return m.group("host").lower(), "/".join(parts[-2:])
