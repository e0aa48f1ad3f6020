"""`blue demo [--reset]`: build the demo workspace once, import the sample dialogues into
DynamoDB Local (starting it when needed), start two background sessions (other developers at
work), then open the dashboard on it; without a terminal, print what was built and the command
that opens the dashboard.

`python -m blue_tui.cli.demo keep REPO [--watch PID] [--lifetime S]` is one background session's
process (blue_tui.core.demo.sessions says how each one ends).
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

from blue_tui.cli.output import emit_json, note
from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError


def start_background_sessions(
    settings: Settings, built: Any, *, watch_pid: int | None
) -> list[dict[str, Any]]:
    """Replace an earlier pair, then start one process per demo session; their ids and pids."""
    from blue_tui.core.demo import sessions, workspace

    sessions.stop_previous(settings, workspace.REALM)
    lifetime = sessions.WATCHED_LIFETIME if watch_pid else sessions.UNWATCHED_LIFETIME
    started = []
    for demo in sessions.SESSIONS:
        argv = [sys.executable, "-m", "blue_tui.cli.demo", "keep", demo.repo, "--lifetime", str(lifetime)]
        if watch_pid:
            argv += ["--watch", str(watch_pid)]
        # Its own process group and no terminal: ^C in the dashboard's terminal does not reach it.
        proc = subprocess.Popen(
            argv,
            cwd=built.repos[demo.repo],
            env=workspace.child_env(settings),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
            text=True,
        )
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        line = proc.stdout.readline().strip() if ready else ""
        proc.stdout.close()
        if not line:
            proc.kill()
            raise BlueError(
                f"the demo's background session for {demo.repo} did not start",
                hint="check `blue session list`; `blue session reset` clears a damaged sessions database",
            )
        started.append({"repo": demo.repo, "id": line, "pid": proc.pid, "lifetime_seconds": lifetime})
    return started


def cmd_demo(args: argparse.Namespace) -> int:
    from blue_tui.core.demo import ensure_dynamodb, import_samples, require_local_endpoint, workspace
    from blue_tui.core.store.dialogue_store import DialogueStore

    settings = Settings.from_env()
    require_local_endpoint(settings)  # before anything is built or started
    quiet = args.json
    say = None if quiet else note
    if args.reset and workspace.remove(settings) and not quiet:
        note(f"removed {workspace.demo_root(settings)}")
    endpoint = ensure_dynamodb(settings, progress=say)
    built = workspace.build(settings, progress=say)
    results = import_samples(DialogueStore(settings))
    dashboard_here = sys.stdin.isatty() and sys.stdout.isatty() and not args.json
    background = start_background_sessions(settings, built, watch_pid=os.getpid() if dashboard_here else None)
    summary = {
        **built.as_json(),
        "dialogues": [r.as_json() for r in results],
        "dynamodb": {"endpoint": endpoint, "table": settings.table},
        "sessions": background,
    }
    if args.json:
        emit_json(summary)
        return 0
    if dashboard_here:
        from blue_tui.app import main as dashboard

        return dashboard(["--realm", workspace.REALM])
    created = sum(r.status != "unchanged" for r in results)
    out = sys.stdout
    minutes = round(background[0]["lifetime_seconds"] / 60) if background else 0
    out.write(f"blue demo: {'built' if built.built else 'reused'} {built.root}\n")
    out.write(f"  realm      {workspace.REALM}: {built.realm} (bare remote {built.remote})\n")
    out.write(f"  repos      {', '.join(built.repos)} in {built.root / 'repos'}\n")
    out.write(f"  domains    {', '.join(built.domains)}\n")
    out.write(
        f"  dialogues  {len(results)} in table {settings.table} at {endpoint} "
        f"({created} imported now, {len(results) - created} already there)\n"
    )
    out.write(
        "  sessions   "
        + ", ".join(f"{s['repo']} (session {s['id']}, pid {s['pid']})" for s in background)
        + f" in the background for {minutes} min (`blue session stop ID` ends one)\n"
    )
    out.write(f"open the dashboard:\n  {built.command}\n")
    return 0


# ---- one background session's process ----------------------------------------------------------------


def keep(argv: Sequence[str]) -> int:
    """Hold one demo session: print its id (the parent reads it), then beat until it ends."""
    from blue_tui.core.demo import sessions, workspace

    parser = argparse.ArgumentParser(prog="python -m blue_tui.cli.demo keep")
    parser.add_argument("repo", choices=[s.repo for s in sessions.SESSIONS])
    parser.add_argument("--watch", type=int, default=None, metavar="PID")
    parser.add_argument("--lifetime", type=float, default=sessions.UNWATCHED_LIFETIME, metavar="SECONDS")
    parser.add_argument("--interval", type=float, default=None, metavar="SECONDS", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    spec = sessions.spec_for(args.repo, workspace.REALM)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stop.set())
    options: dict[str, Any] = {"interval": args.interval} if args.interval else {}
    try:
        sessions.run(
            settings,
            spec,
            watch_pid=args.watch,
            lifetime=args.lifetime,
            stop=stop,
            on_registered=lambda session: print(session.id, flush=True),
            **options,
        )
    except BlueError:
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["keep"]:
        sys.exit(keep(sys.argv[2:]))
    sys.exit("usage: python -m blue_tui.cli.demo keep REPO [--watch PID] [--lifetime SECONDS]")
