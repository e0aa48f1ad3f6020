"""`blue keys status | init | reset`."""

from __future__ import annotations

import argparse

from blue_tui.cli.output import ask_yes_no, emit_json, interactive, note, table
from blue_tui.core.config import Settings
from blue_tui.core.errors import EXIT_FAILURE, BlueError


def cmd_status(args: argparse.Namespace) -> int:
    from blue_tui.core.crypto.providers import key_provider

    settings = Settings.from_env()
    info = key_provider(settings).describe()
    info["user"] = settings.user
    if args.json:
        emit_json(info)
    else:
        table(None, ["key", "value"], [(k, "-" if v is None else v) for k, v in info.items()])
    return 0 if info.get("ok") else EXIT_FAILURE


def cmd_init(args: argparse.Namespace) -> int:
    from blue_tui.core.crypto.local_provider import LocalFileKeyProvider
    from blue_tui.core.crypto.providers import key_provider

    settings = Settings.from_env()
    provider = key_provider(settings)
    created = False
    if isinstance(provider, LocalFileKeyProvider) and not provider.exists():
        provider.create()
        created = True
    info = provider.describe()
    info["created"] = created
    if args.json:
        emit_json(info)
    elif info.get("ok"):
        note(f"{'created' if created else 'found'} key {info['key_id']}")
    else:
        note(f"blue: error: {info.get('problem')}")
    return 0 if info.get("ok") else EXIT_FAILURE


def cmd_reset(args: argparse.Namespace) -> int:
    from blue_tui.core.store.dialogue_store import DialogueStore

    settings = Settings.from_env()
    if not args.yes:
        if not interactive():
            raise BlueError(
                "`blue keys reset` wipes the local dialogue store", hint="re-run with --yes to confirm"
            )
        if not ask_yes_no(f"Wipe every dialogue at {settings.endpoint_label} and make a fresh local key?"):
            note("nothing changed")
            return EXIT_FAILURE
    store = DialogueStore(settings)
    wiped = store.reset_local()
    info = store.provider.describe()
    if args.json:
        emit_json({"wiped": wiped, "key_id": info.get("key_id")})
    else:
        note(f"wiped {wiped} dialogue(s); new key {info.get('key_id')}")
    return 0
