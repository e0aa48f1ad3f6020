"""Sessions: register, heartbeat, deregister, and the reaping of stale ones by whoever looks."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sqlite3
from collections.abc import Sequence
from typing import Any

from blue_tui.core.sessions.liveness import judge, process_start, this_host
from blue_tui.core.sessions.model import Clock, Session, SessionSpec, clean_text
from blue_tui.core.sessions.store import Store, Tx

_SELECT = (
    "SELECT id, kind, realm, repo, host, pid, pid_start, user, command, started_at, last_heartbeat, "
    "active_domains, watching, worktree, rfc FROM sessions"
)
_INSERT = (
    "INTO sessions (id, kind, realm, repo, host, pid, pid_start, user, command, started_at, "
    "last_heartbeat, active_domains, watching, worktree, rfc) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UNSET: Any = object()


def _names(values: Sequence[str]) -> str:
    return json.dumps([v for v in (clean_text(x, 100) for x in values) if v])


def _loads(text: str) -> tuple[str, ...]:
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def session_from_row(row: sqlite3.Row, now: float, state: str) -> Session:
    return Session(
        id=row["id"],
        kind=row["kind"],
        realm=row["realm"],
        repo=row["repo"],
        host=row["host"],
        pid=row["pid"],
        user=row["user"],
        command=row["command"],
        started_at=row["started_at"],
        last_heartbeat=row["last_heartbeat"],
        active_domains=_loads(row["active_domains"]),
        watching=_loads(row["watching"]),
        worktree=row["worktree"],
        rfc=row["rfc"],
        heartbeat_age=max(0.0, now - row["last_heartbeat"]),
        state=state,
    )


def _judge_all(rows: Sequence[sqlite3.Row], now: float) -> tuple[list[Session], list[Session]]:
    live: list[Session] = []
    stale: list[Session] = []
    for row in rows:
        state = judge(row["host"], row["pid"], row["pid_start"], row["last_heartbeat"], now)
        (stale if state == "stale" else live).append(session_from_row(row, now, state))
    return live, stale


class SessionRegistry:
    """The ``sessions`` half of :class:`~blue_tui.core.sessions.api.SessionsDb`."""

    _store: Store
    _clock: Clock

    async def register(
        self, spec: SessionSpec, *, session_id: str | None = None, started_at: float | None = None
    ) -> Session:
        """Add a session; a new id (never reused) unless re-registering a known one."""
        now = self._clock()
        pid = spec.pid or os.getpid()
        values = [
            spec.kind,
            clean_text(spec.realm, 100),
            clean_text(spec.repo, 100),
            this_host(),
            pid,
            process_start(pid),
            clean_text(spec.user, 200),
            clean_text(spec.command, 200),
            started_at if started_at is not None else now,
            now,
            _names(spec.active_domains),
            _names(spec.watching),
            clean_text(spec.worktree, 400),
            clean_text(spec.rfc, 200),
        ]

        async def insert(tx: Tx) -> str:
            if session_id is not None:
                await tx.run("INSERT OR REPLACE " + _INSERT, [session_id, *values])
                return session_id
            while True:
                new_id = secrets.token_hex(6)
                changed, _ = await tx.run("INSERT OR IGNORE " + _INSERT, [new_id, *values])
                if changed:
                    return new_id

        ident = await self._store.write(insert)
        rows = await self._store.read(_SELECT + " WHERE id = ?", [ident])
        return session_from_row(rows[0], now, "active")

    async def heartbeat(self, session_id: str) -> bool:
        """Record a beat; False when the row is gone (reaped or reset): the caller registers again."""
        now = self._clock()

        async def beat(tx: Tx) -> bool:
            changed, _ = await tx.run(
                "UPDATE sessions SET last_heartbeat = ? WHERE id = ?", [now, session_id]
            )
            return changed > 0

        return await self._store.write(beat)

    async def update_session(
        self,
        session_id: str,
        *,
        active_domains: Sequence[str] | None = None,
        watching: Sequence[str] | None = None,
        worktree: str | None = _UNSET,
        rfc: str | None = _UNSET,
    ) -> bool:
        """Change what a session says it works on (also a heartbeat). False when the row is gone."""
        sets: list[str] = ["last_heartbeat = ?"]
        params: list[object] = [self._clock()]
        if active_domains is not None:
            sets.append("active_domains = ?")
            params.append(_names(active_domains))
        if watching is not None:
            sets.append("watching = ?")
            params.append(_names(watching))
        if worktree is not _UNSET:
            sets.append("worktree = ?")
            params.append(clean_text(worktree, 400))
        if rfc is not _UNSET:
            sets.append("rfc = ?")
            params.append(clean_text(rfc, 200))

        async def update(tx: Tx) -> bool:
            sql = f"UPDATE sessions SET {', '.join(sets)} WHERE id = ?"  # noqa: S608 - fixed column names
            changed, _ = await tx.run(sql, [*params, session_id])
            return changed > 0

        return await self._store.write(update)

    async def deregister(self, session_id: str) -> bool:
        async def delete(tx: Tx) -> bool:
            changed, _ = await tx.run("DELETE FROM sessions WHERE id = ?", [session_id])
            return changed > 0

        return await self._store.write(delete)

    async def session(self, session_id: str) -> Session | None:
        """One session as stored (even if stale), or None."""
        now = self._clock()
        rows = await self._store.read(_SELECT + " WHERE id = ?", [session_id])
        if not rows:
            return None
        row = rows[0]
        return session_from_row(
            row, now, judge(row["host"], row["pid"], row["pid_start"], row["last_heartbeat"], now)
        )

    async def sessions(self, *, realm: str | None = None) -> list[Session]:
        """Live sessions (``active`` or ``late``), oldest first; stale ones are removed on the way."""
        live, _ = await self._look(realm)
        return live

    async def reap(self) -> list[Session]:
        """Remove stale sessions; return them (their last known state) for a greyed farewell."""
        _, reaped = await self._look(None)
        return reaped

    async def _look(self, realm: str | None) -> tuple[list[Session], list[Session]]:
        now = self._clock()
        where, params = (" WHERE realm = ?", [realm]) if realm is not None else ("", [])
        rows = await self._store.read(_SELECT + where + " ORDER BY started_at, id", params)
        # Judging reads /proc for every local pid: off the event loop, so a dashboard with a
        # thousand sessions does not stall while it looks.
        live, stale = await asyncio.to_thread(_judge_all, rows, now)
        if stale:

            async def delete(tx: Tx) -> list[Session]:
                gone = []
                for s in stale:
                    # Only if it did not beat since we looked (then it is not stale after all).
                    changed, _ = await tx.run(
                        "DELETE FROM sessions WHERE id = ? AND last_heartbeat = ?", [s.id, s.last_heartbeat]
                    )
                    if changed:
                        gone.append(s)
                return gone

            stale = await self._store.write(delete)
        return live, stale
