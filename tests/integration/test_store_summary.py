"""The summary sealed in each dialogue's root carries its alignment and warnings, so `blue dialogue
list` and the dashboard's table show them without decrypting the dialogues themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from blue_tui.cli import main
from blue_tui.core.config import Settings
from blue_tui.core.store import table as tbl
from blue_tui.core.store.dialogue_store import DialogueStore, pk_for
from blue_tui.core.store.results import DialogueSummary
from blue_tui.core.store.sources import ParsedDialogue

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dialogues" / "local-prod-parity.dialogue.json"


def with_warnings() -> dict[str, Any]:
    doc = json.loads(FIXTURE.read_text())
    doc["id"] = "warned"
    doc["totalAlignment"] = 17.5
    doc["warnings"] = ["round 2: a marker without an id", "round 3: an unknown status 'meh'"]
    return doc


def test_list_shows_alignment_and_warnings_from_the_sealed_summary(settings: Settings) -> None:
    store = DialogueStore(settings)
    store.import_dialogue(ParsedDialogue(str(FIXTURE), json.loads(FIXTURE.read_text())))
    store.import_dialogue(ParsedDialogue("warned.json", with_warnings()))

    listed = {d.id: d for d in DialogueStore(settings).list_dialogues()}
    assert (listed["local-prod-parity"].alignment, listed["local-prod-parity"].warnings) == (289, 0)
    assert (listed["warned"].alignment, listed["warned"].warnings) == (17.5, 2)

    # Sealed: neither field, nor the warnings' text, is readable in the table.
    root = next(
        item
        for page in tbl.query_partition(settings, pk_for("warned"))
        for item in page
        if item["SK"]["S"] == "manifest"
    )
    assert not {"alignment", "warnings", "totalAlignment"} & set(root)
    assert b"marker without an id" not in json.dumps(root, default=repr).encode()


def test_a_summary_stored_before_these_fields_reads_as_unknown() -> None:
    root = {"gen": {"N": "3"}, "updated_at": {"S": "2026-01-01T00:00:00Z"}}
    payload = {"items": 12, "summary": {"title": "Old", "status": "open", "rounds": 2, "experts": 3}}
    old = DialogueSummary.from_root("old", root, payload, None)
    assert (old.alignment, old.warnings) == (None, None)
    assert old.as_json()["alignment"] is None and old.as_json()["warnings"] is None
    odd = DialogueSummary.from_root("odd", root, {"summary": {"alignment": True, "warnings": "2"}}, None)
    assert (odd.alignment, odd.warnings) == (None, None)  # only numbers (or text) count


def test_cli_list_prints_and_emits_them(blue_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    DialogueStore(Settings.from_env(blue_env)).import_dialogue(ParsedDialogue("warned.json", with_warnings()))
    assert main(["dialogue", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)["dialogues"]
    assert (listed["id"], listed["alignment"], listed["warnings"]) == ("warned", 17.5, 2)

    assert main(["dialogue", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if "alignment" in line)
    assert header.split()[-2:] == ["alignment", "warnings"]
    row = next(line for line in lines if line.lstrip().startswith("warned"))
    assert row.split()[-2:] == ["17.5", "2"]
