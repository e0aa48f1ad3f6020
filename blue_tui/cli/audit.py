"""`blue audit verify | anchor | log`: they need the table only, never KMS."""

from __future__ import annotations

import argparse

from blue_tui.cli.output import emit_json, note, table
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_FAILURE, UsageError


def cmd_verify(args: argparse.Namespace) -> int:
    from blue_tui.core.crypto.audit import Anchor
    from blue_tui.core.store.audit_log import AuditLog

    try:
        anchors = [Anchor.parse(text) for text in args.anchor]
    except ValueError as exc:
        raise UsageError(f"--anchor {exc}", hint="pass what `blue audit anchor` printed") from None
    report = AuditLog(Settings.from_env()).verify(anchors)
    if args.json:
        emit_json(report.as_json())
    elif report.ok:
        held = f"; it holds {len(anchors)} anchor(s)" if anchors else ""
        note(f"ok: {report.events} event(s), the chain is intact{held}")
    else:
        note(f"blue: error: audit chain broken at {report.first_bad} ({report.kind}): {report.reason}")
    return 0 if report.ok else EXIT_FAILURE


def cmd_anchor(args: argparse.Namespace) -> int:
    from blue_tui.core.store.audit_log import AuditLog

    settings = Settings.from_env()
    log = AuditLog(settings)
    head = log.anchor()
    if args.json:
        emit_json(
            {
                **head.as_json(),
                "anchor": str(head),
                "chain": log.chain,
                "table": settings.table,
                "endpoint": settings.endpoint_label,
            }
        )
    else:
        print(head)
        note(
            f"the head of audit chain {log.chain!r} in {settings.table} at {settings.endpoint_label}; keep it "
            f"where the table's writers cannot reach, and check with `blue audit verify --anchor {head}`"
        )
    return 0


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
