"""`blue audit verify | log`: needs the table only, never KMS."""

from __future__ import annotations

import argparse

from blue_tui.cli.output import emit_json, note, table
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_FAILURE


def cmd_verify(args: argparse.Namespace) -> int:
    from blue_tui.core.store.audit_log import AuditLog

    report = AuditLog(Settings.from_env()).verify()
    if args.json:
        emit_json(report.as_json())
    elif report.ok:
        note(f"ok: {report.events} event(s), the chain is intact")
    else:
        note(f"blue: error: audit chain broken at {report.first_bad}: {report.reason}")
    return 0 if report.ok else EXIT_FAILURE


def cmd_log(args: argparse.Namespace) -> int:
    from blue_tui.core.store.audit_log import AuditLog

    events = AuditLog(Settings.from_env()).events()
    if args.limit > 0:
        events = events[-args.limit :]
    if args.json:
        emit_json({"events": [e.as_json() for e in events]})
        return 0
    table(
        None,
        ["seq", "time", "operation", "outcome", "subject", "key", "principal"],
        [
            (e.seq, e.timestamp, e.operation, e.outcome, e.subject or "", e.key_id, e.principal)
            for e in events
        ],
    )
    return 0
