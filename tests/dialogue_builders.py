"""Dialogues made for the tests: big enough that their partition spans several Query pages."""

from __future__ import annotations

from typing import Any

from blue_tui.core.config import Settings
from blue_tui.core.store import table as tbl
from blue_tui.core.store.dialogue_store import pk_for


def long_dialogue(dialogue_id: str, members: int = 1200, title: str = "A long dialogue") -> dict[str, Any]:
    """A deterministic dialogue of ``members`` perspectives of about 1 KB each (several 1 MB pages)."""
    filler = " ".join(f"word{n % 97}" for n in range(150))
    return {
        "id": dialogue_id,
        "title": title,
        "date": "2026-01-20",
        "status": "open",
        "totalAlignment": 77,
        "question": "Does the first page show before the last one is read?",
        "warnings": ["round 3: a marker without an id was skipped"],
        "experts": [{"slug": "ann", "name": "Ann", "role": "Reader"}],
        "rounds_data": [{"round": 0, "title": "Opening", "text": "the opening round"}],
        "perspectives": [
            {
                "id": f"P{n // 99:02d}{n % 99 + 1:02d}",
                "label": f"perspective number {n}",
                "content": f"{n}: {filler}",
                "status": "open",
                "origin": {"round": 0, "contributors": ["ann"]},
            }
            for n in range(members)
        ],
    }


def partition_pages(settings: Settings, dialogue_id: str) -> list[list[dict[str, Any]]]:
    return list(tbl.query_partition(settings, pk_for(dialogue_id)))
