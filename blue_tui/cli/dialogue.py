"""`blue dialogue import | list | show | export | verify`."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blue_tui.cli.output import ask_yes_no, emit_json, interactive, note, table
from blue_tui.core.config import Settings
from blue_tui.core.errors import (
    EXIT_FAILURE,
    BlueError,
    ConcurrentWrite,
    DialogueExists,
    IntegrityError,
    KeyChanged,
    SourceError,
)

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_store import DialogueStore

KEY_LOSS_QUESTION = "Local encryption key changed. Reset local dialogue store?"


def open_store() -> DialogueStore:
    from blue_tui.core.store.dialogue_store import DialogueStore

    return DialogueStore(Settings.from_env())


def with_key_recovery(args: argparse.Namespace, action: Callable[[DialogueStore], int]) -> int:
    """Run ``action``; when the local key no longer fits the store, ask before resetting it.

    Seed 001: never wipe silently. ``--yes`` answers for scripts; without a terminal
    and without ``--yes`` the command stops with recovery instructions.
    """
    store = open_store()
    try:
        return action(store)
    except KeyChanged as exc:
        if store.settings.key_provider != "local":
            raise
        if getattr(args, "yes", False):
            confirmed = True
        elif interactive():
            note(f"blue: {exc.message}")
            confirmed = ask_yes_no(KEY_LOSS_QUESTION)
        else:
            raise BlueError(exc.message, hint=f"{exc.hint}; or re-run with --yes to reset") from None
        if not confirmed:
            raise BlueError(
                "aborted; the local dialogue store was left as it is",
                hint="restore the previous $BLUE_HOME/keys/umk.key from a backup to read it again, "
                "or run `blue keys reset` to start over",
            ) from None
        wiped = store.reset_local()
        note(f"reset the local dialogue store: wiped {wiped} dialogue(s) and made a fresh key")
        return action(store)


# ---- import ---------------------------------------------------------------------------------------


def cmd_import(args: argparse.Namespace) -> int:
    from blue_tui.core.store.sources import DEFAULT_LIMITS, ReadLimits, parse_path

    max_bytes = getattr(args, "max_file_size", None)
    limits = ReadLimits(max_bytes) if max_bytes else DEFAULT_LIMITS

    def run(store: DialogueStore) -> int:
        imported: list[dict[str, Any]] = []
        failed: list[dict[str, str]] = []
        needs_replace = False
        for raw in args.paths:
            try:
                parsed_list = parse_path(Path(raw), limits)
            except SourceError as exc:
                failed.append({"source": raw, "error": exc.message})
                continue
            for parsed in parsed_list:
                try:
                    result = store.import_dialogue(parsed, replace=args.replace)
                except DialogueExists as exc:
                    needs_replace = True
                    failed.append({"source": parsed.source, "error": exc.message})
                    continue
                except (SourceError, ConcurrentWrite, IntegrityError) as exc:
                    failed.append({"source": parsed.source, "error": exc.message})
                    continue
                imported.append(result.as_json())
        if args.json:
            emit_json({"imported": imported, "failed": failed})
        else:
            if imported:
                table(
                    None,
                    ["status", "id", "items", "source"],
                    [(r["status"], r["id"], r["items"], r["source"]) for r in imported],
                )
                for r in imported:
                    for warning in r.get("warnings", []):
                        note(f"warning: {r['id']}: {warning}")
            for f in failed:
                note(f"blue: error: {f['error']}")
            if needs_replace:
                note("  hint: re-run with --replace to replace changed dialogues")
        return EXIT_FAILURE if failed else 0

    return with_key_recovery(args, run)


# ---- list / show / export ---------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    def run(store: DialogueStore) -> int:
        dialogues = store.list_dialogues()
        if args.json:
            emit_json({"dialogues": [d.as_json() for d in dialogues]})
            return 0
        if not dialogues:
            note("no dialogues yet; import one with `blue dialogue import FILE`")
            return 0
        table(
            None,
            ["id", "title", "status", "date", "rounds", "experts", "items", "alignment", "warnings"],
            [
                (
                    d.id,
                    d.problem or d.title,
                    d.status,
                    d.date,
                    d.rounds,
                    d.experts,
                    d.items,
                    d.alignment,
                    d.warnings,
                )
                for d in dialogues
            ],
        )
        return 0

    return with_key_recovery(args, run)


def _stored_id(store: DialogueStore, typed: str) -> str:
    """The stored dialogue id ``typed`` names, in any case."""
    from blue_tui.core.store.dialogue_ids import resolve_dialogue_id

    return resolve_dialogue_id(store.settings, typed)


def cmd_show(args: argparse.Namespace) -> int:
    def run(store: DialogueStore) -> int:
        opened = store.open(_stored_id(store, args.id))
        if args.json:
            emit_json(
                {
                    "id": opened.id,
                    "generation": opened.generation,
                    "items": opened.items,
                    "key_id": opened.key_id,
                    "dialogue": opened.document,
                }
            )
            return 0
        from blue_tui.cli.render import render_dialogue

        render_dialogue(opened.document)
        return 0

    return with_key_recovery(args, run)


def cmd_export(args: argparse.Namespace) -> int:
    def run(store: DialogueStore) -> int:
        document = store.export(_stored_id(store, args.id))
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if not args.output:
            import sys

            sys.stdout.write(text)
            return 0
        target = Path(args.output)
        try:
            fd, tmp = tempfile.mkstemp(
                dir=target.parent if str(target.parent) else ".", prefix=".blue-export-"
            )
        except OSError as exc:
            raise BlueError(f"cannot write {target}: {exc.strerror}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(tmp, 0o600)  # decrypted content: private to its owner
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        note(f"wrote {target} ({len(text.encode())} bytes, mode 0600)")
        return 0

    return with_key_recovery(args, run)


def cmd_verify(args: argparse.Namespace) -> int:
    def run(store: DialogueStore) -> int:
        report = store.verify(_stored_id(store, args.id) if args.id else None)
        if args.json:
            emit_json(report.as_json())
        elif report.ok:
            extra = (
                f"; {report.stale_items} stale item(s) of older versions remain" if report.stale_items else ""
            )
            note(f"ok: {report.dialogues} dialogue(s) verified, no problems{extra}")
        else:
            table(
                f"{len(report.problems)} problem(s)",
                ["dialogue", "item", "kind", "what"],
                [(p.dialogue_id, p.sk, p.kind, p.message) for p in report.problems],
            )
        return 0 if report.ok else EXIT_FAILURE

    return with_key_recovery(args, run)
