"""A round folder and its ``.dialogue.recorded.md`` summary are one dialogue.

Blue writes a round-scoped dialogue as a folder (``.blue/dialogues/{id}/``) and, when
it is recorded, a summary file (``.blue/docs/dialogues/{id}.dialogue.recorded.md``)
holding the inventories and the verdict. The two have the same id (the folder's name,
the file's name without ``.dialogue.recorded.md``), and either one found on its own
brings in the other: beside it, or in the other place of a ``.blue/`` tree. So
importing the folder, the summary, both, or the whole tree, in any order, in one
command or several, always gives the same one document.

Only a real folder and a real file count (symbolic links are not followed).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SUMMARY_SUFFIX = ".dialogue.recorded.md"


def _is_real_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _is_real_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def summary_name(folder: Path) -> str:
    return (folder.name or folder.resolve().name) + SUMMARY_SUFFIX


def summary_for_folder(folder: Path) -> Path | None:
    """``X.dialogue.recorded.md`` beside the folder ``X``, or in ``.blue/docs/dialogues/`` for ``.blue/dialogues/X``."""
    name = summary_name(folder)
    candidates = [folder.parent / name]
    if folder.parent.name == "dialogues":
        candidates.append(folder.parent.parent / "docs" / "dialogues" / name)
    return next((c for c in candidates if _is_real_file(c)), None)


def folder_for_summary(summary: Path) -> Path | None:
    """The round folder of ``X.dialogue.recorded.md``: ``X`` beside it, or ``.blue/dialogues/X``."""
    from blue_tui.core.store.mdimport.folder import is_dialogue_folder

    if not summary.name.lower().endswith(SUMMARY_SUFFIX):
        return None
    stem = summary.name[: -len(SUMMARY_SUFFIX)]
    if not stem:
        return None
    candidates = [summary.parent / stem]
    if summary.parent.name == "dialogues" and summary.parent.parent.name == "docs":
        candidates.append(summary.parent.parent.parent / "dialogues" / stem)
    return next((c for c in candidates if _is_real_dir(c) and is_dialogue_folder(c)), None)
