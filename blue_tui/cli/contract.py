"""`blue contract diff`: compare two schema versions in both directions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from blue_tui.core.errors import EXIT_FAILURE, EXIT_OK, EXIT_WARNINGS

_WORDS = {True: "compatible", False: "incompatible", None: "unknown"}
_MARKS = {True: "ok", False: "BREAKS", None: "unknown"}


def exit_code(backward: bool | None, forward: bool | None, warnings: int) -> int:
    if backward is False or forward is False:
        return EXIT_FAILURE
    if backward is None or forward is None or warnings:
        return EXIT_WARNINGS
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    from blue_tui.cli.output import emit_json
    from blue_tui.core.realm.compat import compare_schemas, load_schema_file

    old = load_schema_file(Path(args.old))
    new = load_schema_file(Path(args.new))
    report = compare_schemas(old, new, policy=args.policy, readers_apply_defaults=args.readers_apply_defaults)
    code = exit_code(report.backward, report.forward, len(report.warnings))
    if args.json:
        emit_json(report.as_json())
        return code
    out = sys.stdout
    for change in report.changes:
        flags = "".join(
            f" [{word}]" for word, on in (("warning", change.warning), ("disputed", change.disputed)) if on
        )
        out.write(
            f"{change.rule}  {change.path}  backward={_MARKS[change.backward]} "
            f"forward={_MARKS[change.forward]}{flags}  {change.message}\n"
        )
        if change.counterexample_for is not None:
            side = (
                "old accepts, new rejects"
                if change.counterexample_for == "backward"
                else "new accepts, old rejects"
            )
            out.write(
                f"    counterexample ({side}): {json.dumps(change.counterexample, ensure_ascii=False)}\n"
            )
    count = len(report.changes)
    warnings = len(report.warnings)
    tail = f"; {warnings} warning{'s' if warnings != 1 else ''}" if warnings else ""
    out.write(
        f"backward: {_WORDS[report.backward]}, forward: {_WORDS[report.forward]} "
        f"({count} change{'s' if count != 1 else ''}, policy {report.policy}{tail})\n"
    )
    return code
