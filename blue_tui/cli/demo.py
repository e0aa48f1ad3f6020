"""`blue demo [--reset]`: build the demo workspace once, import the sample dialogues into
DynamoDB Local (starting it when needed), then open the dashboard on it; without a terminal,
print what was built and the command that opens the dashboard."""

from __future__ import annotations

import argparse
import sys

from blue_tui.cli.output import emit_json, note
from blue_tui.core.config import Settings


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
    summary = {
        **built.as_json(),
        "dialogues": [r.as_json() for r in results],
        "dynamodb": {"endpoint": endpoint, "table": settings.table},
    }
    if args.json:
        emit_json(summary)
        return 0
    if sys.stdin.isatty() and sys.stdout.isatty():
        from blue_tui.app import main as dashboard

        return dashboard(["--realm", workspace.REALM])
    created = sum(r.status != "unchanged" for r in results)
    out = sys.stdout
    out.write(f"blue demo: {'built' if built.built else 'reused'} {built.root}\n")
    out.write(f"  realm      {workspace.REALM}: {built.realm} (bare remote {built.remote})\n")
    out.write(f"  repos      {', '.join(built.repos)} in {built.root / 'repos'}\n")
    out.write(f"  domains    {', '.join(built.domains)}\n")
    out.write(
        f"  dialogues  {len(results)} in table {settings.table} at {endpoint} "
        f"({created} imported now, {len(results) - created} already there)\n"
    )
    out.write(f"open the dashboard:\n  {built.command}\n")
    return 0
