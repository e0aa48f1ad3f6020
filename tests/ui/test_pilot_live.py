"""Pilot tests of panes 4 (sessions) and 5 (notifications), the dashboard's own session, the
graph's live marks and the toasts: the real sessions.db, written by the test (or by other
processes) while the dashboard runs."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from blue_tui.core.config import Settings
from blue_tui.core.demo import workspace
from blue_tui.core.sessions import ContractChange, SessionsDb, Viewer, reset
from screens.element_list import ElementList
from screens.graph import GraphPane
from screens.live import LiveHub
from screens.notifications import NotificationsPane
from screens.sessions import SessionsPane
from tests.ui.conftest import make_app, screen_text, settle
from tests.ui.live_seed import NOW, db_at, deregister, heartbeat, notify, register, seed


def rows(table: DataTable, column: int) -> list[str]:  # type: ignore[type-arg]
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


def keys(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(table.row_count)]


async def until(pilot: object, check: object, seconds: float = 10.0) -> bool:
    """Pause until ``check()`` holds (live data arrives from other threads and processes)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        if check():  # type: ignore[operator]
            return True
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    return bool(check())  # type: ignore[operator]


async def all_sessions(settings: Settings) -> list[str]:
    db = await SessionsDb.for_settings(settings, clock=lambda: NOW)
    try:
        return [f"{s.kind}:{s.repo}:{s.command}" for s in await db.sessions()]
    finally:
        await db.close()


def test_the_dashboard_holds_its_own_session_while_it_runs(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            hub = app.query_one(LiveHub)
            assert await until(pilot, lambda: hub.me is not None)
            assert hub.me is not None and (hub.me.kind, hub.me.realm, hub.me.repo) == (
                "dashboard",
                "demo",
                None,
            )
            assert await all_sessions(realm_demo) == ["dashboard:None:blue-tui"]
        # the app has exited: deregistered, not left for the reaper
        assert await all_sessions(realm_demo) == []

    asyncio.run(go())


def test_sessions_pane_updates_rows_in_place_greys_late_and_left_ones(realm_demo: Settings) -> None:
    seed(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo, pane="sessions")
        async with app.run_test(size=(120, 32)) as pilot:
            pane = app.query_one(SessionsPane)
            pane.LINGER = 0.5
            table = pane.query_one("#session-list", DataTable)
            assert await until(pilot, lambda: table.row_count == 4)
            assert keys(table)[:3] == ["f00d00000002", "f00d00000001", "f00d00000003"]  # oldest first
            assert rows(table, 1)[:3] == ["web", "fungal", "aperture"]
            assert rows(table, 4)[:3] == ["21s ago · late", "4s ago", "8s ago"]
            assert [c.style for c in (table.get_row_at(0)[1], table.get_row_at(1)[1])] == ["dim", ""]
            assert rows(table, 0)[:3] == ["◌", "●", "●"]
            assert rows(table, 1)[3] == "— (you)"
            text = screen_text(app)
            assert "realm demo · 4 live (1 late)" in text
            # a heartbeat moves one cell of one row; the rows stay where they are
            updates = pane.updates
            assert await asyncio.to_thread(heartbeat, realm_demo, "f00d00000002", 1)
            assert await until(pilot, lambda: rows(table, 4)[0] == "1s ago")
            assert keys(table)[:3] == ["f00d00000002", "f00d00000001", "f00d00000003"]
            assert table.get_row_at(0)[1].style == ""  # no longer late
            assert pane.updates > updates
            # one leaves: greyed and marked, then its row goes
            await asyncio.to_thread(deregister, realm_demo, "f00d00000003")
            assert await until(pilot, lambda: rows(table, 4)[2] == "left")
            assert rows(table, 0)[2] == "✗" and table.get_row_at(2)[3].style == "dim"
            assert "· 1 left" in screen_text(app)
            assert await until(pilot, lambda: "f00d00000003" not in keys(table))
            # the details of the selected one: its id, pid and host
            await pilot.press("g")
            await settle(pilot)
            assert "session: f00d00000002" in screen_text(app)
            assert "process: pid 1 on " in screen_text(app)

    asyncio.run(go())


def test_a_killed_process_vanishes_from_the_pane(realm_demo: Settings, tmp_path: Path) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane="sessions")
        async with app.run_test(size=(120, 32)) as pilot:
            pane = app.query_one(SessionsPane)
            pane.LINGER = 0.3
            table = pane.query_one("#session-list", DataTable)
            other = subprocess.Popen(
                [sys.executable, "-m", "blue_tui.cli.demo", "keep", "web", "--lifetime", "60"],
                env=workspace.child_env(realm_demo),
                stdout=subprocess.PIPE,
                text=True,
            )
            try:
                assert other.stdout is not None
                ident = await asyncio.to_thread(other.stdout.readline)
                ident = ident.strip()
                assert await until(pilot, lambda: ident in keys(table))
                other.kill()
                other.wait()
                assert await until(pilot, lambda: ident not in keys(table), 30)
            finally:
                other.kill()

    asyncio.run(go())


def test_the_graph_marks_repos_with_a_live_session(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            graph = app.query_one(GraphPane)
            table = graph.query_one("#graph-list", ElementList)
            assert not any("◉" in r for r in rows(table, 1))
            await asyncio.to_thread(
                register, realm_demo, "f00d00000001", "fungal", kind="dashboard", beat_ago=0
            )
            await asyncio.to_thread(register, realm_demo, "f00d00000002", "fungal", beat_ago=0)
            assert await until(pilot, lambda: "fungal ◉2" in rows(table, 1))
            fungal = rows(table, 1).index("fungal ◉2")
            assert rows(table, 2)[fungal] == "warning"  # the check's state is kept
            assert "live: fungal" in screen_text(app)
            table.move_cursor(row=fungal)
            await settle(pilot)
            assert "live sessions: dashboard, cli" in str(graph.query_one("#graph-details", Static).render())
            await asyncio.to_thread(deregister, realm_demo, "f00d00000001", "f00d00000002")
            assert await until(pilot, lambda: "fungal" in rows(table, 1))
            assert "live:" not in screen_text(app)

    asyncio.run(go())


def test_notifications_newest_first_breaking_marked_and_acknowledged(realm_demo: Settings) -> None:
    seed(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo, pane="notifications")
        async with app.run_test(size=(140, 32)) as pilot:
            pane = app.query_one(NotificationsPane)
            table = pane.query_one("#notification-list", DataTable)
            assert await until(pilot, lambda: table.row_count == 3)
            assert rows(table, 3) == [
                "s3-access/s3-permissions",
                "image-results/detections",
                "training-metrics/run-metrics",
            ]
            assert rows(table, 0) == ["✗", "●", "●"] and rows(table, 2)[0] == "BREAKING"
            assert rows(table, 7) == ["pending"] * 3
            assert "3 pending (1 breaking)" in screen_text(app)
            await pilot.press("j", "a")  # acknowledge detections
            assert await until(pilot, lambda: rows(table, 7) == ["pending", "seen", "pending"])
            assert table.get_row_at(1)[3].style == "dim"
            assert "2 pending (1 breaking)" in screen_text(app)
            hub = app.query_one(LiveHub)
            assert hub.viewer is not None
            viewer = hub.viewer

            def seen() -> list[str]:
                with db_at(realm_demo, 0) as db:  # the dashboard's clock: 14-day-old rows would be purged
                    return [n.contract for n in db.notifications(viewer, state="seen")]

            assert await asyncio.to_thread(seen) == ["detections"]
            await pilot.press("A")
            assert await until(pilot, lambda: rows(table, 7) == ["seen"] * 3)

    asyncio.run(go())


def test_a_toast_when_one_arrives_while_another_pane_is_shown(realm_demo: Settings) -> None:
    seed(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            hub = app.query_one(LiveHub)
            assert await until(pilot, lambda: hub.ready)
            start = hub.toasts
            assert start == 0  # what was pending at start is counted in the tab bar instead
            assert "5 Notifications (3 ✗1)" in str(app.query_one("#tabs").render())
            # another process changes a contract while the graph pane is shown
            change = ContractChange(
                "demo", "s3-access", "s3-permissions", "aperture", "3.0.0", "2.0.0", False
            )
            await asyncio.to_thread(notify, realm_demo, change)
            assert await until(pilot, lambda: hub.toasts == start + 1)
            assert await until(
                pilot, lambda: "5 Notifications (4 ✗2)" in str(app.query_one("#tabs").render())
            )
            toast = list(app._notifications)[-1]
            assert toast.title == "breaking change" and toast.severity == "warning"
            assert "aperture updated s3-access/s3-permissions 2.0.0 -> 3.0.0 (breaking)" in toast.message
            # a burst shares one toast (100 a second must not mean 100 toasts)
            burst = [
                ContractChange(
                    "demo", "image-results", "detections", "fungal", f"1.{m + 1}.0", f"1.{m}.0", True
                )
                for m in range(1, 11)
            ]
            await asyncio.to_thread(notify, realm_demo, *burst)
            assert await until(pilot, lambda: len(hub.notifications) == 14)
            assert await until(pilot, lambda: hub.toasts == start + 2, 5)
            assert "contract changes" in list(app._notifications)[-1].title
            # on the notifications pane itself: the row appears at the top, no toast
            await pilot.press("5")
            await settle(pilot)
            before = hub.toasts
            change = ContractChange(
                "demo", "training-metrics", "run-metrics", "aperture", "1.2.0", "1.1.0", True
            )
            await asyncio.to_thread(notify, realm_demo, change)
            table = app.query_one("#notification-list", DataTable)
            assert await until(pilot, lambda: rows(table, 3)[0] == "training-metrics/run-metrics")
            assert rows(table, 4)[0] == "1.1.0 -> 1.2.0"
            await pilot.pause(0.3)
            assert hub.toasts == before

    asyncio.run(go())


def test_read_only_hides_acknowledging_and_the_realm_workflows(realm_demo: Settings) -> None:
    seed(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo, pane="notifications", read_only=True)
        async with app.run_test(size=(140, 32)) as pilot:
            table = app.query_one("#notification-list", DataTable)
            assert await until(pilot, lambda: table.row_count == 3)
            shown = {
                b.binding.action for b in app.screen.active_bindings.values() if b.binding.show and b.enabled
            }
            assert not {"ack", "ack_all", "realm_sync", "realm_worktree", "realm_prs"} & shown
            await pilot.press("a", "A", "s", "w", "p")
            await settle(pilot)
            assert rows(table, 7) == ["pending"] * 3 and not app.screen.is_modal

    asyncio.run(go())


def test_an_unusable_sessions_db_is_named_in_both_panes(realm_demo: Settings) -> None:
    path = realm_demo.sessions_db
    path.unlink()
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # a damaged file, not ours to repair

    async def go() -> None:
        app = make_app(realm_demo, pane="sessions")
        async with app.run_test(size=(120, 32)) as pilot:
            hub = app.query_one(LiveHub)
            assert await until(pilot, lambda: hub.problem is not None)
            await settle(pilot)
            text = screen_text(app)
            assert "reading sessions.db failed" in text and "blue session reset" in text
            await pilot.press("5")
            await settle(pilot)
            assert "reading sessions.db failed" in screen_text(app)
            await pilot.press("1")  # the rest of the dashboard works
            await settle(pilot)
            assert app.query_one("#graph-list", ElementList).row_count > 0
            assert path.read_bytes().startswith(b"SQLite format 3\x00")  # never written
            # `blue session reset` moves it aside; r in a live pane connects again
            done = await asyncio.to_thread(reset, realm_demo)
            assert done.action == "moved"
            await pilot.press("4", "r")
            assert await until(pilot, lambda: hub.ready and hub.problem is None)
            table = app.query_one("#session-list", DataTable)
            assert await until(pilot, lambda: table.row_count == 1 and table.display)
            assert "reading sessions.db failed" not in screen_text(app)

    asyncio.run(go())


@pytest.mark.parametrize("pane", ["sessions", "notifications"])
def test_live_panes_open_before_sessions_db_answers(realm_demo: Settings, pane: str) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane=pane)
        async with app.run_test(size=(120, 32)) as pilot:
            await pilot.pause()
            assert "connecting…" in screen_text(app) or app.query_one(LiveHub).ready
            await settle(pilot)
            assert "connecting…" not in screen_text(app)

    asyncio.run(go())


def test_viewer_outside_a_member_repo_sees_the_realm(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane="notifications")
        async with app.run_test(size=(140, 32)) as pilot:
            hub = app.query_one(LiveHub)
            assert await until(pilot, lambda: hub.viewer is not None)
            assert hub.viewer == Viewer(
                realm="demo", repo=None, domains=None, session_id=hub.me.id if hub.me else None
            )
            table = app.query_one("#notification-list", DataTable)
            assert await until(pilot, lambda: table.row_count == 1)  # the demo's own breaking change
            assert rows(table, 2) == ["BREAKING"]

    asyncio.run(go())


def test_closing_closes_the_database_even_when_deregistering_fails(
    realm_demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error while deregistering must not leave aiosqlite's thread running (the
    process would never exit); closing twice does nothing."""

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 32)) as pilot:
            await settle(pilot)
            hub = app.query_one(LiveHub)
            assert await until(pilot, lambda: hub.me is not None)
            db, lease = hub.db, hub.lease
            assert db is not None and lease is not None

            async def broken_exit(*exc: object) -> None:
                raise RuntimeError("injected")

            monkeypatch.setattr(lease, "__aexit__", broken_exit)
            with pytest.raises(RuntimeError, match="injected"):
                await hub.close()
            assert db._store._conn is None  # closed all the same
            await hub.close()  # nothing left to close: no second error at the app's exit
        # and the app still shut down (a LiveHub attribute once shadowed Textual's own `_closing`,
        # so a hub closed early never let its screen close)

    asyncio.run(go())
