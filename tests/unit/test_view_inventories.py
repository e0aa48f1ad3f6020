"""Inventory rows made while a dialogue is read are the rows of the view built at the end."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from blue_tui.core.store.dialogue_view import build_view
from blue_tui.core.store.entities import assemble, split_document
from blue_tui.core.store.sources import parse_path
from blue_tui.core.store.view_inventories import InventoryRows, inventory_row

DIALOGUES = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues"
SOURCES = sorted(
    [p for p in (DIALOGUES / "formats").iterdir()]
    + [p for p in (DIALOGUES / "samples").iterdir()]
    + [DIALOGUES / "local-prod-parity.dialogue.json"]
)


def documents() -> list[dict]:  # type: ignore[type-arg]
    return [parsed.document for source in SOURCES for parsed in parse_path(source) if parsed.error is None]


@pytest.mark.parametrize("doc", documents(), ids=lambda d: str(d.get("id")))
def test_rows_made_as_records_arrive_give_the_same_view(doc: dict) -> None:  # type: ignore[type-arg]
    expected = build_view(copy.deepcopy(doc))
    entities = split_document(copy.deepcopy(doc))
    rows = InventoryRows()
    rows.add(entities[: len(entities) // 2])  # as the slices arrive
    rows.add(entities[len(entities) // 2 :])
    assembled = assemble(entities)  # fills in the events and links the rows do not read
    assert build_view(assembled, rows) == expected


def primed(entity_type: str) -> tuple[InventoryRows, dict]:  # type: ignore[type-arg]
    """Rows made ahead for the sample dialogue's records, and one member of ``entity_type``."""
    entities = split_document(parse_path(DIALOGUES / "local-prod-parity.dialogue.json")[0].document)
    rows = InventoryRows()
    rows.add(entities)
    return rows, next(e.payload["data"] for e in entities if e.entity_type == entity_type)


def test_a_row_made_ahead_is_the_one_used_and_only_for_its_own_record() -> None:
    rows, member = primed("tension")
    assert rows.row(member) is rows.row(member)  # looked up, not made again
    lookalike = dict(member, label="changed after the read")
    assert rows.row(lookalike)[2].text == "changed after the read"
    assert rows.row(lookalike) == inventory_row(lookalike)


def test_a_read_that_starts_over_forgets_its_rows() -> None:
    rows, member = primed("perspective")
    kept = rows.row(member)
    rows.clear()
    assert rows.row(member) is not kept
    assert rows.row(member) == kept
