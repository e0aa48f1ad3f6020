"""`blue session ...` and `blue notifications ...`: parse, call blue_tui.core.sessions, print.

`python -m blue_tui.cli.session keep ID PID` is the small detached process that `blue session
start` leaves behind to heartbeat while the calling script runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from blue_tui.cli.output import emit_json, note
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_OK, UsageError
from blue_tui.core.realm.model import Realm
from blue_tui.core.sessions import NoSuchSession, Notification, Session, Viewer, open_sessions
from blue_tui.core.sessions.model import SYSTEM_CLOCK, ago

# ---- sessions ----------------------------------------------------------------------------------


def _live(settings: Settings, realm: str | None = None) -> list[Session]:
    if not settings.sessions_db.exists():
        return []
    with open_sessions(settings, create=False) as db:
        return db.sessions(realm=realm)


def cmd_session_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    sessions = _live(settings, args.realm)
    if args.json:
        emit_json({"path": str(settings.sessions_db), "sessions": [s.as_json() for s in sessions]})
        return EXIT_OK
    if not sessions:
        print(f"no live sessions ({settings.sessions_db})")
        return EXIT_OK
    from blue_tui.cli.output import table

    rows = [
        (
            s.id,
            s.realm or "-",
            s.repo or "-",
            s.kind,
            s.pid,
            s.host,
            f"{ago(s.heartbeat_age)} ago" + (" (late)" if s.state == "late" else ""),
            s.activity,
        )
        for s in sessions
    ]
    table(None, ["id", "realm", "repo", "kind", "pid", "host", "heartbeat", "activity"], rows)
    return EXIT_OK


def cmd_session_start(args: argparse.Namespace) -> int:
    from blue_tui.core.sessions.lease import realm_session_spec

    settings = Settings.from_env()
    pid = args.pid or os.getppid()
    spec = realm_session_spec(
        settings,
        args.command or "script",
        cwd=Path.cwd(),
        realm_arg=args.realm,
        domains=tuple(args.domains),
        kind="script",
        pid=pid,
    )
    if args.rfc:
        from dataclasses import replace

        spec = replace(spec, rfc=args.rfc)
    with open_sessions(settings) as db:
        session = db.register(spec)
    # The keeper outlives this command: its own session and no terminal, so ^C in the script's
    # shell or closing it does not kill it; it leaves when the script (pid) ends.
    subprocess.Popen(
        [sys.executable, "-m", "blue_tui.cli.session", "keep", session.id, str(pid)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )
    if args.json:
        emit_json(session.as_json())
    else:
        print(session.id)
    return EXIT_OK


def cmd_session_stop(args: argparse.Namespace) -> int:
    from blue_tui.core.sessions.liveness import this_host

    settings = Settings.from_env()
    sessions = _live(settings)
    if args.id:
        chosen = [s for s in sessions if s.id == args.id] or [s for s in sessions if s.id.startswith(args.id)]
        if not chosen:
            raise NoSuchSession(repr(args.id))
        if len(chosen) > 1:
            raise UsageError(
                f"session id prefix {args.id!r} is ambiguous ({', '.join(s.id for s in chosen)})",
                hint="give more characters of the id",
            )
    else:
        pid = args.pid or os.getppid()
        chosen = [s for s in sessions if s.pid == pid and s.host == this_host() and s.kind == "script"]
        if not chosen:
            raise NoSuchSession(f"started by this shell (pid {pid}) with `blue session start`")
    stopped = []
    with open_sessions(settings, create=False) as db:
        for s in chosen:
            if db.deregister(s.id):
                stopped.append(s.id)
    if args.json:
        emit_json({"stopped": stopped})
    else:
        print("stopped " + ", ".join(stopped) if stopped else "nothing to stop")
    return EXIT_OK


def cmd_session_reset(args: argparse.Namespace) -> int:
    from blue_tui.core.sessions import reset

    settings = Settings.from_env()
    result = reset(settings)
    if args.json:
        emit_json(result.as_json())
    elif result.action == "none":
        print(f"no sessions database at {result.path}; nothing to reset")
    elif result.action == "cleared":
        removed = result.removed or {}
        print(
            f"cleared {result.path}: {removed.get('sessions', 0)} sessions and "
            f"{removed.get('notifications', 0)} notifications removed"
        )
    else:
        print(f"moved {result.path} aside to {result.moved_to}; a fresh sessions database is in place")
        note(f"(it was refused because: {result.reason})")
    return EXIT_OK


# ---- notifications -------------------------------------------------------------------------------


def _viewer(args: argparse.Namespace, settings: Settings) -> tuple[Viewer, Realm | None]:
    """A member repo's view (its realm and domains); outside any realm, everything."""
    from blue_tui.core.realm.cache import Cache, cache_path_for, env_disabled
    from blue_tui.core.realm.errors import ItemNotFound, RealmNotFound
    from blue_tui.core.realm.loader import load_realm
    from blue_tui.core.realm.locate import find_realm
    from blue_tui.core.sessions.realmview import viewer_for

    try:
        located = find_realm(settings, args.realm, Path.cwd())
    except RealmNotFound:
        if args.realm or args.repo:
            raise
        return Viewer(), None
    with Cache(cache_path_for(located), enabled=not env_disabled()) as cache:
        realm = load_realm(located.root, cache=cache)
    repo = args.repo or located.member(realm.name)
    if args.repo and args.repo not in realm.repos:
        raise ItemNotFound(
            f"no repo {args.repo!r} in realm {realm.name!r}", hint="see `blue realm status` for its repos"
        )
    return viewer_for(realm, repo), realm


def cmd_notifications_list(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    viewer, _ = _viewer(args, settings)
    notes: list[Notification] = []
    now = SYSTEM_CLOCK()
    if settings.sessions_db.exists():
        with open_sessions(settings, create=False) as db:
            notes = db.notifications(viewer, state=args.state)
            now = db.now()
    if args.json:
        emit_json(
            {
                "viewer": _viewer_json(viewer),
                "state": args.state,
                "notifications": [n.as_json() for n in notes],
            }
        )
        return EXIT_OK
    if not notes:
        print(f"no {'' if args.state == 'all' else args.state + ' '}notifications for {viewer.label}")
        return EXIT_OK
    from blue_tui.cli.output import table

    rows = []
    for n in notes:
        versions = n.to_version if n.from_version is None else f"{n.from_version} -> {n.to_version}"
        change = n.change_type.upper() if n.breaking else n.change_type
        rows.append(
            (
                n.id,
                ago(now - n.created_at),
                change,
                f"{n.realm}/{n.domain}/{n.contract}",
                versions,
                n.from_repo or "-",
                n.state,
                n.summary,
            )
        )
    table(None, ["id", "age", "change", "contract", "versions", "from", "state", "summary"], rows)
    if args.state == "pending":
        note("`blue notifications ack ID` (or --all) marks them seen")
    return EXIT_OK


def _viewer_json(viewer: Viewer) -> dict[str, Any]:
    return {
        "realm": viewer.realm,
        "repo": viewer.repo,
        "domains": sorted(viewer.domains) if viewer.domains is not None else None,
    }


def cmd_notifications_ack(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.all):
        raise UsageError(
            "give notification ids or --all (not both)", hint="e.g. `blue notifications ack 3 4`"
        )
    settings = Settings.from_env()
    viewer, _ = _viewer(args, settings)
    if not viewer.repo:
        from blue_tui.core.sessions import SessionsError

        raise SessionsError(
            "acknowledging needs a repo: run it in a realm member repo",
            hint="or pass --realm NAME --repo NAME",
        )
    with open_sessions(settings) as db:
        acked = db.acknowledge(viewer, None if args.all else args.ids)
    if args.json:
        emit_json({"viewer": _viewer_json(viewer), "acknowledged": acked})
    elif acked:
        print(f"acknowledged {len(acked)} for {viewer.label}: {', '.join(map(str, acked))}")
    else:
        print(f"nothing to acknowledge for {viewer.label}")
    return EXIT_OK


# ---- the keeper process --------------------------------------------------------------------------


def _keep(argv: list[str]) -> int:
    import signal

    from blue_tui.core.errors import BlueError
    from blue_tui.core.sessions.lease import keep_alive

    if len(argv) != 3 or argv[0] != "keep":
        print("usage: python -m blue_tui.cli.session keep SESSION_ID PID", file=sys.stderr)
        return 64
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        keep_alive(Settings.from_env(), argv[1], int(argv[2]))
    except BlueError:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_keep(sys.argv[1:]))
