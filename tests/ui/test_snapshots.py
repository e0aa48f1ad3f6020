"""SVG snapshots of every pane, the help screen, an error state, a tampered dialogue and the narrow
layout: fixed sizes, a fixed clock, the demo realm's fixed commits, real DynamoDB Local."""

from __future__ import annotations

from typing import Any

import pytest

from blue_tui.core.config import Settings
from tests.ui.conftest import make_app, run_before
from tests.ui.test_pilot_keys import tamper

Snap = Any


def test_graph_pane(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(demo), terminal_size=(120, 32), run_before=run_before("j"))


def test_contracts_pane(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(demo, pane="contracts"), terminal_size=(140, 40), run_before=run_before("j"))


def test_dialogues_pane(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(demo, pane="dialogues"), terminal_size=(120, 24), run_before=run_before())


def test_dialogue_record(demo: Settings, snap_compare: Snap) -> None:
    keys = ("j", "j", "enter", "tab", "tab", "tab")  # Local-Production Parity, then three sections down
    assert snap_compare(
        make_app(demo, pane="dialogues"), terminal_size=(120, 40), run_before=run_before(*keys)
    )


def test_help_screen(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(demo), terminal_size=(120, 44), run_before=run_before("question_mark"))


def test_error_state(settings: Settings, snap_compare: Snap, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYNAMODB_ENDPOINT", "http://127.0.0.1:9")
    app = make_app(Settings.from_env(), pane="dialogues", realm=None)
    assert snap_compare(app, terminal_size=(100, 24), run_before=run_before())


def test_tampered_dialogue(demo: Settings, snap_compare: Snap) -> None:
    tamper(demo, "local-prod-parity")
    assert snap_compare(
        make_app(demo, pane="dialogues"), terminal_size=(120, 30), run_before=run_before("j", "j", "enter")
    )


def test_narrow_layout(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(demo), terminal_size=(80, 24), run_before=run_before("j"))


def test_filtering(demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(
        make_app(demo), terminal_size=(100, 28), run_before=run_before("slash", "f", "u", "n")
    )
