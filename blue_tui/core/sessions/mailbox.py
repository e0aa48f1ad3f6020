"""Notifications: post a contract change once, list them for a viewer, acknowledge, purge.

A notification is ``pending`` for a viewer until its repo (or, without a repo, its session)
acknowledges it; ``expired`` once older than the TTL (7 days unless configured), and purged once
older than twice the TTL, so an expired one stays listable for one more TTL. The repo that made
the change has acknowledged it from the start: nobody is notified of their own change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from blue_tui.core.sessions.errors import NoSuchNotification, SessionsError
from blue_tui.core.sessions.model import STATES, Clock, ContractChange, Notification, Viewer, clean_text
from blue_tui.core.sessions.store import Store, Tx

SEP = "\x1f"

#: The one query behind every listing (the watcher's too). Parameters: repo, session, realm, since id.
SELECT = """
SELECT n.id, n.realm, n.domain, n.contract, n.from_repo, n.change_type, n.from_version,
       n.to_version, n.summary, n.commit_sha, n.created_at,
       (SELECT group_concat(a.who, char(31)) FROM acks a
         WHERE a.notification_id = n.id AND a.kind = 'repo') AS acked_repos,
       EXISTS (SELECT 1 FROM acks a WHERE a.notification_id = n.id AND
               ((a.kind = 'repo' AND a.who = ?) OR (a.kind = 'session' AND a.who = ?))) AS seen
  FROM notifications n
 WHERE (? IS NULL OR n.realm = ?) AND n.id > ?
 ORDER BY n.id DESC
"""


def select_params(viewer: Viewer, since_id: int = 0) -> list[Any]:
    return [viewer.repo, viewer.session_id, viewer.realm, viewer.realm, since_id]


def from_rows(rows: Sequence[sqlite3.Row], viewer: Viewer, now: float, ttl: float) -> list[Notification]:
    """Rows of :data:`SELECT` as the viewer sees them (its domains; purged-by-age ones left out)."""
    out = []
    for row in rows:
        created = float(row["created_at"])
        if created + 2 * ttl <= now or not viewer.sees(row["realm"], row["domain"]):
            continue
        state = "expired" if created + ttl <= now else "seen" if row["seen"] else "pending"
        acked = tuple(sorted(row["acked_repos"].split(SEP))) if row["acked_repos"] else ()
        out.append(
            Notification(
                id=row["id"],
                realm=row["realm"],
                domain=row["domain"],
                contract=row["contract"],
                from_repo=row["from_repo"],
                change_type=row["change_type"],
                from_version=row["from_version"],
                to_version=row["to_version"],
                summary=row["summary"],
                commit=row["commit_sha"],
                created_at=created,
                expires_at=created + ttl,
                state=state,
                acked_by=acked,
            )
        )
    return out


class Mailbox:
    """The ``notifications`` half of :class:`~blue_tui.core.sessions.api.SessionsDb`."""

    _store: Store
    _clock: Clock
    ttl: float

    async def notify(self, change: ContractChange) -> Notification | None:
        """Post a change; None when the same change is already there (deduplicated)."""
        now = self._clock()
        from_repo = clean_text(change.from_repo, 100)
        values = [
            change.key,
            clean_text(change.realm, 100),
            clean_text(change.domain, 100),
            clean_text(change.contract, 100),
            from_repo,
            change.change_type,
            clean_text(change.from_version, 100),
            clean_text(change.to_version, 100),
            clean_text(change.summary, 500) or "",
            clean_text(change.commit, 64),
            now,
        ]

        async def insert(tx: Tx) -> int | None:
            await tx.run("DELETE FROM notifications WHERE created_at <= ?", [now - 2 * self.ttl])
            changed, row_id = await tx.run(
                "INSERT INTO notifications (change_key, realm, domain, contract, from_repo, change_type, "
                "from_version, to_version, summary, commit_sha, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (change_key) DO NOTHING",
                values,
            )
            if not changed:
                return None
            if from_repo:
                await tx.run(
                    "INSERT INTO acks (notification_id, kind, who, acked_at) VALUES (?, 'repo', ?, ?)",
                    [row_id, from_repo, now],
                )
            return row_id

        row_id = await self._store.write(insert)
        if row_id is None:
            return None
        return Notification(
            row_id,
            str(values[1]),
            str(values[2]),
            str(values[3]),
            from_repo,
            change.change_type,
            values[6],  # type: ignore[arg-type]
            str(values[7]),
            str(values[8]),
            values[9],  # type: ignore[arg-type]
            now,
            now + self.ttl,
            "pending",
            (from_repo,) if from_repo else (),
        )

    async def notifications(
        self, viewer: Viewer, *, state: str = "pending", since_id: int = 0
    ) -> list[Notification]:
        """The viewer's notifications in ``state`` (pending | seen | expired | all), newest first."""
        if state not in STATES:
            raise SessionsError(f"unknown notification state {state!r} (use {', '.join(STATES)})")
        now = self._clock()
        rows = await self._store.read(SELECT, select_params(viewer, since_id))
        if any(float(r["created_at"]) + 2 * self.ttl <= now for r in rows):
            await self.purge()
        found = from_rows(rows, viewer, now, self.ttl)
        return found if state == "all" else [n for n in found if n.state == state]

    async def acknowledge(self, viewer: Viewer, ids: Sequence[int] | None = None) -> list[int]:
        """Mark ids (or, with None, every pending one) seen for the viewer's repo or session.

        Returns the ids newly acknowledged; an id the viewer cannot see raises, and nothing is
        acknowledged then.
        """
        if viewer.repo:
            kind, who = "repo", viewer.repo
        elif viewer.session_id:
            kind, who = "session", viewer.session_id
        else:
            raise SessionsError(
                "acknowledging needs a repo: run it in a realm member repo",
                hint="or pass --realm NAME --repo NAME",
            )
        now = self._clock()

        async def ack(tx: Tx) -> list[int]:
            visible = from_rows(await tx.rows(SELECT, select_params(viewer)), viewer, now, self.ttl)
            by_id = {n.id: n for n in visible}
            if ids is None:
                chosen = [n.id for n in visible if n.state == "pending"]
            else:
                missing = [i for i in ids if i not in by_id]
                if missing:
                    raise NoSuchNotification(missing[0], viewer.label)
                chosen = [i for i in dict.fromkeys(ids) if by_id[i].state != "seen"]
            newly = []
            for ident in sorted(chosen):
                changed, _ = await tx.run(
                    "INSERT OR IGNORE INTO acks (notification_id, kind, who, acked_at) VALUES (?, ?, ?, ?)",
                    [ident, kind, who, now],
                )
                if changed:
                    newly.append(ident)
            return newly

        return await self._store.write(ack)

    async def purge(self) -> int:
        """Delete notifications older than twice the TTL; return how many."""
        horizon = self._clock() - 2 * self.ttl

        async def delete(tx: Tx) -> int:
            changed, _ = await tx.run("DELETE FROM notifications WHERE created_at <= ?", [horizon])
            return changed

        return await self._store.write(delete)
