"""Opening a dialogue, the worker's side: read it with the store's streaming open, post a
preview of its first records and then progress to the pane, and make the verified view.

Runs in a :meth:`screens.loads.Loads.stream` worker thread; the pane (screens/dialogues.py)
draws what it posts. Nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from screens.loads import Channel
from screens.record_view import LogicalLine, logical_lines

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_blocks import DialogueView
    from blue_tui.core.store.dialogue_store import OpenedDialogue, OpenedSlice
    from blue_tui.core.store.entities import Entity


@dataclass
class Opened:
    opened: OpenedDialogue
    view: DialogueView
    lines: tuple[list[LogicalLine], list[int]]


@dataclass
class Reading:
    """A dialogue being read: what it holds so far (``view``: a preview, the first time only)."""

    records_read: int
    records_total: int | None
    view: DialogueView | None = None
    lines: tuple[list[LogicalLine], list[int]] | None = None


#: Progress is posted at most this often (seconds) once the preview is on screen: each post is
#: a frame, and frames take the GIL from the read.
PROGRESS_EVERY = 0.25
#: How long the read waits for the preview to be painted (the fetching thread goes on meanwhile).
PREVIEW_WAIT = 0.25


def read_dialogue(
    open_dialogue: Callable[..., OpenedDialogue], ident: str, channel: Channel[Reading]
) -> Opened:
    """Worker thread: open ``ident``, posting a preview of the first records and then progress.

    The preview is made once, from the first slices that hold the dialogue's meta record; a read
    that starts over (a writer committed meanwhile) makes a new one. The inventories' rows are
    made as their records arrive, while the read waits for the server, so that the verified
    view at the end is quick to build. The read stops as soon as the load is no longer wanted
    (``channel.check`` raises in ``on_slice``).
    """
    import time

    from blue_tui.core.gcpause import gc_paused
    from blue_tui.core.store.dialogue_view import build_view
    from blue_tui.core.store.entities import partial_document
    from blue_tui.core.store.view_inventories import InventoryRows

    waiting: list[Entity] = []
    rows = InventoryRows()
    attempt, previewed, posted = 0, False, 0.0

    def on_slice(part: OpenedSlice) -> None:
        nonlocal attempt, previewed, posted
        channel.check()
        if part.attempt != attempt:
            attempt, previewed = part.attempt, False
            waiting.clear()
            rows.clear()
        rows.add(part.entities)
        now = time.monotonic()
        if not previewed:
            waiting.extend(part.entities)
            if not any(e.entity_type == "dialogue" for e in part.entities):
                return
            doc = partial_document(waiting)
            waiting.clear()
            previewed = True
            if doc is not None:
                view = build_view(doc)
                preview = Reading(part.records_read, part.records_total, view, logical_lines(view))
                channel.post(preview, until_drawn=PREVIEW_WAIT)
                posted = now
        elif now - posted >= PROGRESS_EVERY:
            channel.post(Reading(part.records_read, part.records_total))
            posted = now

    opened = open_dialogue(ident, on_slice=on_slice)
    channel.check()
    with gc_paused():  # tens of thousands of small acyclic objects, as in the store's open
        view = build_view(opened.document, rows)
        return Opened(opened, view, logical_lines(view))
