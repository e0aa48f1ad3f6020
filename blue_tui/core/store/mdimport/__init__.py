"""Importing dialogue markdown (every format generation) into dialogue.json documents.

Entry points used by :func:`blue_tui.core.store.sources.parse_path`:

* :func:`parse_markdown_text` / :mod:`.single_file`: one ``.md`` file (V1 transcripts,
  V2 pastry panels, V3 generated templates, summary-only records, free-form talks);
* :func:`parse_folder` / :mod:`.folder`: one round-scoped folder (V4), with its
  recorded summary (:func:`summary_for_folder`, :func:`folder_for_summary`);
* :func:`is_dialogue_folder` and :func:`looks_like_dialogue` to tell a dialogue from
  a folder of many.

Everything here is pure: no printing, no prompting, no clocks; the same input always
gives the same document. Content never raises: only unreadable files do
(:class:`~blue_tui.core.errors.SourceError`). See docs/IMPORT.md.
"""

from __future__ import annotations

from blue_tui.core.store.mdimport.folder import is_dialogue_folder, parse_folder
from blue_tui.core.store.mdimport.pairing import folder_for_summary, summary_for_folder
from blue_tui.core.store.mdimport.single_file import looks_like_dialogue
from blue_tui.core.store.mdimport.single_file import parse_text as parse_markdown_text

__all__ = [
    "folder_for_summary",
    "is_dialogue_folder",
    "looks_like_dialogue",
    "parse_folder",
    "parse_markdown_text",
    "summary_for_folder",
]
