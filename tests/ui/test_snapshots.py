"""SVG snapshots of every pane, the help screen, an error state, a tampered dialogue, the narrow
layout and the worktree menu: fixed sizes, a fixed clock, the demo realm's fixed commits, real
DynamoDB Local; the live panes on sessions and notifications written with fixed clocks and ids
(tests/ui/live_seed.py)."""

from __future__ import annotations

from typing import Any

import pytest

from blue_tui.core.config import Settings
from tests.ui.conftest import make_app, run_before
from tests.ui.live_seed import seed
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


def test_sessions_pane(realm_demo: Settings, snap_compare: Snap) -> None:
    seed(realm_demo)
    app = make_app(realm_demo, pane="sessions")
    assert snap_compare(app, terminal_size=(120, 28), run_before=run_before("j"))


def test_notifications_pane(realm_demo: Settings, snap_compare: Snap) -> None:
    seed(realm_demo)
    app = make_app(realm_demo, pane="notifications")
    # the second one acknowledged: greyed, the tab's count goes down
    assert snap_compare(app, terminal_size=(140, 28), run_before=run_before("j", "a"))


def test_graph_marks_live_sessions(realm_demo: Settings, snap_compare: Snap) -> None:
    seed(realm_demo)
    assert snap_compare(make_app(realm_demo), terminal_size=(120, 32), run_before=run_before("j"))


def test_worktree_menu(realm_demo: Settings, snap_compare: Snap) -> None:
    assert snap_compare(make_app(realm_demo), terminal_size=(100, 24), run_before=run_before("w"))
