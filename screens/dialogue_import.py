"""Importing dialogue files from the dialogues pane (`i`), the worker's side: one result row per
dialogue, and the parsed dialogues whose stored content differs (the pane asks before replacing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from screens.result_table import Result

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_store import DialogueStore
    from blue_tui.core.store.sources import ParsedDialogue


def import_files(
    store: DialogueStore, raw: str, *, replace: bool
) -> tuple[list[Result], list[ParsedDialogue]]:
    """Import every dialogue ``raw`` (a file or a folder) holds; runs in a worker thread."""
    from blue_tui.core.errors import DialogueExists, IntegrityError, SourceError
    from blue_tui.core.store.sources import parse_path

    results: list[Result] = []
    changed: list[ParsedDialogue] = []
    try:
        parsed_list = parse_path(Path(raw).expanduser())
    except SourceError as exc:
        return [Result(raw, "failed", exc.message)], []
    for parsed in parsed_list:
        try:
            done = store.import_dialogue(parsed, replace=replace)
        except DialogueExists as exc:
            results.append(Result(parsed.source, "changed", exc.message))
            changed.append(parsed)
            continue
        except (SourceError, IntegrityError) as exc:
            results.append(Result(parsed.source, "failed", exc.message))
            continue
        detail = f"{done.items} items" + (f"; {len(done.warnings)} warning(s)" if done.warnings else "")
        results.append(Result(done.id, done.status, detail))
    return results, changed
