"""The sessions database seen from a realm: who takes part where, and `realm status`'s live part."""

from __future__ import annotations

from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError
from blue_tui.core.realm.model import Realm
from blue_tui.core.sessions.api import open_sessions
from blue_tui.core.sessions.model import Notification, Viewer


def participating_domains(realm: Realm, repo: str) -> frozenset[str]:
    """Domains ``repo`` takes part in: a member, a binding, or the owner of a contract there."""
    found = {d.name for d in realm.domains.values() if repo in d.members}
    found |= {b.domain for b in realm.bindings_of(repo)}
    found |= {c.domain for c in realm.contracts.values() if c.owner == repo}
    return frozenset(found)


def viewer_for(realm: Realm | None, repo: str | None, session_id: str | None = None) -> Viewer:
    """A member repo sees its realm's notifications in its domains; elsewhere, the whole realm."""
    if realm is None:
        return Viewer(session_id=session_id)
    domains = participating_domains(realm, repo) if repo else None
    return Viewer(realm=realm.name, repo=repo, domains=domains, session_id=session_id)


def your_import(realm: Realm, repo: str | None, note: Notification) -> dict[str, Any] | None:
    """How ``repo`` imports the notified contract, if it does (range, resolved version, state)."""
    if repo is None:
        return None
    from blue_tui.core.realm.status import import_state

    for binding, imp in realm.imports_of(note.domain, note.contract):
        if binding.repo == repo:
            return {
                "range": imp.range,
                "resolved_version": imp.resolved_version,
                "state": import_state(imp, realm.contract(note.domain, note.contract)),
            }
    return None


def live_status(settings: Settings, realm: Realm, repo: str | None) -> dict[str, Any]:
    """`realm status`'s live part: sessions in the realm and the repo's pending notifications.

    Never fails the status: a missing database is empty, an unusable one is named in ``problem``.
    """
    out: dict[str, Any] = {
        "sessions": [],
        "notifications": [],
        "sessions_db": {"path": str(settings.sessions_db), "problem": None, "hint": None},
    }
    if not settings.sessions_db.exists():
        return out
    try:
        with open_sessions(settings, create=False) as db:
            sessions = db.sessions(realm=realm.name)
            notes = db.notifications(viewer_for(realm, repo), state="pending")
            now = db.now()
    except BlueError as exc:
        out["sessions_db"].update(problem=exc.message, hint=exc.hint)
        return out
    out["sessions"] = [s.as_json() | {"you": repo is not None and s.repo == repo} for s in sessions]
    out["notifications"] = [
        n.as_json()
        | {
            "headline": n.headline,
            "age_seconds": round(max(0.0, now - n.created_at)),
            "your_import": your_import(realm, repo, n),
        }
        for n in notes
    ]
    return out
