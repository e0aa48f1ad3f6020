"""The values the sessions database hands out: sessions, notifications, viewers, changes.

Times are POSIX seconds (``float``) from an injected clock, so a caller with a fixed clock (the
dashboard's snapshot tests) gets fixed ages and states. Text that came from elsewhere (a change
summary, a repo name) is cleaned of control characters before it is stored, so printing it can
never drive the terminal.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

#: Returns the current time in POSIX seconds; ``time.time`` unless a test fixes it.
Clock = Callable[[], float]
SYSTEM_CLOCK: Clock = time.time

HEARTBEAT_INTERVAL = 10.0
#: A session that missed a beat: shown greyed, still counted as live.
LATE_AFTER = 15.0
#: A session older than this (or whose pid is gone on this host) is stale and removed by whoever looks.
STALE_AFTER = 30.0
DEFAULT_TTL_DAYS = 7.0

SESSION_KINDS = ("dashboard", "cli", "script")
CHANGE_TYPES = ("new", "updated", "breaking")
STATES = ("pending", "seen", "expired", "all")

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[\t\n]+")


def clean_text(value: str | None, limit: int = 200) -> str | None:
    """Drop control and bidi-override characters, fold tabs and newlines, cap the length."""
    if value is None:
        return None
    text = _SPACES.sub(" ", _UNSAFE.sub("", value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def ago(seconds: float) -> str:
    """``4s``, ``5 min``, ``3 h``, ``2 d``: for text output."""
    s = max(0, int(seconds))
    if s < 90:
        return f"{s}s"
    if s < 90 * 60:
        return f"{round(s / 60)} min"
    if s < 36 * 3600:
        return f"{round(s / 3600)} h"
    return f"{round(s / 86400)} d"


@dataclass(frozen=True)
class SessionSpec:
    """What a process says about itself when it registers."""

    kind: str
    realm: str | None = None
    repo: str | None = None
    command: str | None = None
    active_domains: tuple[str, ...] = ()
    watching: tuple[str, ...] = ()
    worktree: str | None = None
    rfc: str | None = None
    #: The process whose life bounds the session; default: the registering process.
    pid: int | None = None
    user: str | None = None


@dataclass(frozen=True)
class Session:
    id: str
    kind: str
    realm: str | None
    repo: str | None
    host: str
    pid: int
    user: str | None
    command: str | None
    started_at: float
    last_heartbeat: float
    active_domains: tuple[str, ...]
    watching: tuple[str, ...]
    worktree: str | None
    rfc: str | None
    #: Seconds since the last heartbeat, by the reader's clock.
    heartbeat_age: float
    #: ``active``, or ``late`` (missed a beat; greyed). Stale sessions are never returned.
    state: str

    @property
    def activity(self) -> str:
        """``working on X`` (RFC, worktree, command or domains), else ``idle``."""
        what = self.rfc or self.worktree or self.command or ", ".join(self.active_domains)
        return f"working on {what}" if what else "idle"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "realm": self.realm,
            "repo": self.repo,
            "host": self.host,
            "pid": self.pid,
            "user": self.user,
            "command": self.command,
            "started_at": iso(self.started_at),
            "last_heartbeat": iso(self.last_heartbeat),
            "heartbeat_age": round(self.heartbeat_age, 1),
            "state": self.state,
            "active_domains": list(self.active_domains),
            "watching": list(self.watching),
            "worktree": self.worktree,
            "rfc": self.rfc,
            "activity": self.activity,
        }


@dataclass(frozen=True)
class ContractChange:
    """A contract that changed in a realm; ``compatible`` is the checker's verdict (None: new)."""

    realm: str
    domain: str
    contract: str
    from_repo: str | None
    to_version: str
    from_version: str | None = None
    compatible: bool | None = None
    summary: str = ""
    commit: str | None = None

    @property
    def change_type(self) -> str:
        if self.from_version is None:
            return "new"
        return "breaking" if self.compatible is False else "updated"

    @property
    def key(self) -> str:
        """The change's identity: the same change notified twice dedups to one row."""
        parts = [self.realm, self.domain, self.contract, self.from_version, self.to_version]
        return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Notification:
    id: int
    realm: str
    domain: str
    contract: str
    from_repo: str | None
    change_type: str
    from_version: str | None
    to_version: str
    summary: str
    commit: str | None
    created_at: float
    expires_at: float
    #: ``pending`` | ``seen`` | ``expired``, for the viewer that asked.
    state: str
    #: Repos that acknowledged it (the changing repo always has).
    acked_by: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        return self.change_type == "breaking"

    @property
    def headline(self) -> str:
        """``aperture updated s3-access/s3-permissions 1.3.0 -> 2.0.0 (breaking)`` and the like."""
        who = self.from_repo or "someone"
        ref = f"{self.domain}/{self.contract}"
        if self.change_type == "new":
            return f"{who} added {ref} {self.to_version}"
        tail = " (breaking)" if self.breaking else ""
        return f"{who} updated {ref} {self.from_version} -> {self.to_version}{tail}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "realm": self.realm,
            "domain": self.domain,
            "contract": self.contract,
            "from_repo": self.from_repo,
            "change_type": self.change_type,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "summary": self.summary,
            "commit": self.commit,
            "created_at": iso(self.created_at),
            "expires_at": iso(self.expires_at),
            "state": self.state,
            "acked_by": list(self.acked_by),
        }


@dataclass(frozen=True)
class Viewer:
    """Who is looking: acknowledgements and the domain filter are relative to it.

    ``domains=None`` shows every domain; an empty set shows none. With a ``repo``, acks are the
    repo's (shared by all its sessions); without one, a ``session_id``'s own.
    """

    realm: str | None = None
    repo: str | None = None
    domains: frozenset[str] | None = None
    session_id: str | None = None

    @property
    def label(self) -> str:
        if self.repo:
            return f"repo {self.repo!r}" + (f" in realm {self.realm!r}" if self.realm else "")
        if self.session_id:
            return f"session {self.session_id}"
        return "this viewer"

    def sees(self, realm: str, domain: str) -> bool:
        if self.realm is not None and realm != self.realm:
            return False
        return self.domains is None or domain in self.domains


@dataclass(frozen=True)
class Change:
    """What the watcher saw between two looks (one callback; several commits may be folded in)."""

    data_version: int
    #: Sessions registered, deregistered, reaped or edited (heartbeats excluded).
    sessions: bool
    #: Only heartbeats moved (ages changed; the set of sessions did not).
    heartbeats: bool
    #: New notifications the viewer sees, oldest first.
    notifications: tuple[Notification, ...]
    #: Acknowledgements were added (by this or another process).
    acks: bool
    #: Notifications were purged or the database was cleared.
    purged: bool
    #: The database file was replaced or reset: reload everything.
    reset: bool
    #: When the watcher noticed, by its clock.
    at: float
