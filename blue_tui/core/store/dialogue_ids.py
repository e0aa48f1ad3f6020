"""Finding a stored dialogue by its id written in any case.

Dialogue ids keep the case they were written in (``2026-03-12T2026Z-pm-repo-sync``,
from the file name), so that what the store shows is what the files say; people
type them in any case. :func:`resolve_dialogue_id` maps what was typed to the id
stored: the exact id when there is one, else the one id that differs only in case.
"""

from __future__ import annotations

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError
from blue_tui.core.store import table as tbl

MAX_LISTED = 5


def stored_ids(settings: Settings) -> list[str]:
    """The ids of every committed dialogue (cleartext index keys; nothing is decrypted)."""
    return sorted(r["kind_key"]["S"] for r in tbl.query_index(settings, "dialogue") if "gen" in r)


def resolve_dialogue_id(settings: Settings, wanted: str) -> str:
    """The stored id ``wanted`` names in any case; ``wanted`` itself when none does (the caller's
    lookup then reports it missing). Two stored ids that differ only in case are ambiguous."""
    ids = stored_ids(settings)
    if wanted in ids:
        return wanted
    folded = wanted.casefold()
    matches = [ident for ident in ids if ident.casefold() == folded]
    if len(matches) == 1:
        return matches[0]
    if matches:
        shown = ", ".join(matches[:MAX_LISTED])
        raise BlueError(
            f"{wanted!r} names {len(matches)} dialogues that differ only in case: {shown}",
            hint="give the id exactly as `blue dialogue list` shows it",
        )
    return wanted
