"""Pilot tests of the realm workflows' keys (issue 13): ``s`` sync, ``w`` worktrees, ``p`` PRs,
end to end on the demo workspace (real git, bare remotes, the local forge)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input

from blue_tui.core.config import Settings
from blue_tui.core.realm import git
from blue_tui.core.realm.clone import checkouts
from blue_tui.core.sessions import Viewer, open_sessions
from screens.element_list import ElementList
from screens.graph import GraphPane
from screens.modals import ConfirmModal, ErrorScreen, PromptModal, ResultsModal
from screens.result_table import ResultTable
from screens.workflow_modals import MenuModal, ProgressModal
from tests.ui.conftest import make_app, screen_text, settle


def remote_refs(settings: Settings, prefix: str = "refs/heads/") -> dict[str, str]:
    bare = settings.blue_home / "demo" / "remote" / "realm.git"
    out = git.run(["for-each-ref", "--format=%(refname) %(objectname)", prefix], bare).stdout.decode()
    return dict(line.split(" ", 1) for line in out.splitlines() if line)


def results(app: Any) -> list[tuple[str, str, str]]:
    table = app.screen.query_one(ResultTable)
    return [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def wait_for(pilot: Any, screen_type: type, seconds: float = 60) -> None:
    """Wait until that screen is on top (workflows run git in threads)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        if isinstance(pilot.app.screen, screen_type):
            await pilot.pause()
            return
        await pilot.pause(0.05)
    raise AssertionError(
        f"{screen_type.__name__} never came; on top: {pilot.app.screen!r}: {screen_text(pilot.app)}"
    )


async def select(pilot: Any, row: str) -> None:
    """Select a repo (or an edge, ``a -> b``) in the realm graph's list."""
    graph = pilot.app.query_one(GraphPane)
    table = graph.query_one("#graph-list", ElementList)
    names = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
    table.move_cursor(row=names.index(row))
    await settle(pilot)


def test_s_dry_runs_asks_then_publishes_through_the_local_forge(realm_demo: Settings) -> None:
    before = remote_refs(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "aperture")
            await pilot.press("s")
            await wait_for(pilot, ConfirmModal)
            text = screen_text(app)
            assert "Publish aperture's realm change for review (selected in the realm graph)?" in text
            assert "M domains/s3-access/contracts/s3-permissions.yaml" in text
            assert "contract s3-access/s3-permissions 1.1.0 -> 2.0.0 (importers: fungal)" in text
            assert remote_refs(realm_demo) == before  # the dry run pushed nothing
            await pilot.press("enter")
            await wait_for(pilot, ResultsModal)
            rows = results(app)
            assert rows[0][:2] == ("aperture", "✓ published")
            assert "PR local:demo/demo#1" in rows[0][2]
            assert rows[1][:2] == ("domains/s3-access/contracts/s3-permissions.yaml", "✓ ok")
            assert "Sync aperture: published" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)
            # pressed again: the change waits for review; nothing to confirm
            await pilot.press("s")
            await wait_for(pilot, ResultsModal)
            assert results(app)[0][:2] == ("aperture", "… pending")
            await pilot.press("escape")
            await settle(pilot)

    asyncio.run(go())
    after = remote_refs(realm_demo)
    published = [ref for ref in after if ref.startswith("refs/heads/sync/aperture/")]
    assert len(published) == 1 and "refs/heads/blue/forge" in after
    # the admin command's notification and the sync's are one row
    with open_sessions(realm_demo) as db:
        notes = db.notifications(Viewer(realm="demo"), state="all")
    assert [n.headline for n in notes] == [
        "aperture updated s3-access/s3-permissions 1.1.0 -> 2.0.0 (breaking)"
    ]


def test_escape_at_the_confirmation_changes_nothing(realm_demo: Settings) -> None:
    before = remote_refs(realm_demo)
    head = git.head(realm_demo.blue_home / "demo" / "realm")

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "aperture")
            await pilot.press("s")
            await wait_for(pilot, ConfirmModal)
            await pilot.press("escape")
            await settle(pilot)
            assert not app.screen.is_modal
            assert "sync cancelled: nothing was changed" in [n.message for n in app._notifications]

    asyncio.run(go())
    assert remote_refs(realm_demo) == before
    assert git.head(realm_demo.blue_home / "demo" / "realm") == head


def test_s_for_a_repo_that_does_not_own_the_change_is_refused_without_asking(realm_demo: Settings) -> None:
    before = remote_refs(realm_demo)

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "fungal")
            await pilot.press("s")
            await wait_for(pilot, ResultsModal)
            rows = results(app)
            assert rows[0][:2] == ("fungal", "✗ refused")
            assert rows[1][:2] == ("domains/s3-access/contracts/s3-permissions.yaml", "✗ refused")
            assert "Sync (dry run) fungal: refused" in screen_text(app)

    asyncio.run(go())
    assert remote_refs(realm_demo) == before


def test_s_without_a_repo_says_which_step_is_missing(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "aperture -> fungal")
            await pilot.press("s")
            await wait_for(pilot, ErrorScreen)
            text = screen_text(app)
            assert "which repo? blue-tui runs outside a member repo" in text
            assert "select a repo in pane 1 (realm graph)" in text

    asyncio.run(go())


def test_s_in_a_member_checkout_syncs_that_repo(realm_demo: Settings) -> None:
    aperture = checkouts(realm_demo, "demo")["aperture"]

    async def go() -> None:
        app = make_app(realm_demo, realm=None)
        app.services.cwd = aperture
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "fungal")  # the checkout wins over the selection
            await pilot.press("s")
            await wait_for(pilot, ConfirmModal)
            assert "Publish aperture's realm change for review (this checkout)?" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, ResultsModal)
            assert results(app)[0][:2] == ("aperture", "✓ published")

    asyncio.run(go())


def test_w_creates_lists_and_removes_an_rfcs_worktrees(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "aperture")
            await pilot.press("w")
            await wait_for(pilot, MenuModal)
            await pilot.press("enter")  # Create
            await wait_for(pilot, PromptModal)
            app.screen.query_one(Input).value = "ship-it"
            await pilot.press("enter")
            await wait_for(pilot, ResultsModal)
            assert [r[:2] for r in results(app)] == [
                ("aperture", "✓ created"),
                ("fungal", "✓ created"),
                ("notebooks", "✓ created"),
            ]
            await pilot.press("escape")
            await pilot.press("w")
            await wait_for(pilot, MenuModal)
            await pilot.press("down", "enter")  # List
            await wait_for(pilot, ResultsModal)
            listed = results(app)
            assert [r[:2] for r in listed] == [
                ("ship-it / aperture", "✓ present"),
                ("ship-it / fungal", "✓ present"),
                ("ship-it / notebooks", "✓ present"),
            ]
            assert listed[0][2].startswith("clean · ")
            await pilot.press("escape")
            # a change in one worktree: removing refuses it, then asks to force
            worktree = realm_demo.worktrees_dir / "demo" / "ship-it" / "aperture"
            (worktree / "notes.txt").write_text("work in progress\n")
            await pilot.press("w")
            await wait_for(pilot, MenuModal)
            await pilot.press("down", "down", "enter")  # Remove (the only RFC: no second menu)
            await wait_for(pilot, ConfirmModal)
            assert "Remove the worktrees of RFC ship-it?" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, ConfirmModal)  # the force question, over the results
            assert "Force the removal in aperture?" in screen_text(app)
            await pilot.press("escape")
            await wait_for(pilot, ResultsModal)
            rows = {r[0]: r[1] for r in results(app)}
            # preflight first: one refusal touches nothing
            assert rows == {"aperture": "✗ refused", "fungal": "· skipped", "notebooks": "· skipped"}
            assert worktree.exists() and (worktree / "notes.txt").exists()
            await pilot.press("escape")
            await pilot.press("w")
            await wait_for(pilot, MenuModal)
            await pilot.press("down", "down", "enter")
            await wait_for(pilot, ConfirmModal)
            await pilot.press("enter")
            await wait_for(pilot, ConfirmModal)
            await pilot.press("enter")  # force
            await wait_for(pilot, ResultsModal)
            forced = results(app)
            assert [r[:2] for r in forced] == [
                ("aperture", "✓ removed"),
                ("aperture", "! warning"),
                ("fungal", "✓ removed"),
                ("notebooks", "✓ removed"),
            ]
            assert forced[1][2] == "forced: has uncommitted changes: notes.txt"
            assert not worktree.exists()

    asyncio.run(go())


def test_p_opens_prs_shows_their_status_and_merges_in_order(realm_demo: Settings) -> None:
    from blue_tui.core.realm import worktree
    from blue_tui.core.realm.locate import find_realm

    located = find_realm(realm_demo, None, checkouts(realm_demo, "demo")["aperture"])
    made = worktree.create(realm_demo, located, "ship-it")
    assert made.exit_code == 0
    place = Path(str(made.repos[0].path))
    (place / "models" / "training" / "s3_paths.py").write_text("PATHS = ['v2']\n")
    git.run(["add", "-A"], place)
    git.run(["-c", "user.email=a@x", "-c", "user.name=a", "commit", "-q", "-m", "s3 paths v2"], place)

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("p")
            await wait_for(pilot, MenuModal)  # no PRs yet: the one thing to do
            assert "RFC ship-it: no PRs yet" in screen_text(app)
            await pilot.press("enter")
            await wait_for(pilot, ResultsModal)
            rows = {r[0]: r for r in results(app)}
            assert rows["aperture"][1] == "✓ opened" and "local:" in rows["aperture"][2]
            assert rows["fungal"][1] == "· no-changes"
            await pilot.press("escape")
            await pilot.press("p")
            await wait_for(pilot, MenuModal)
            assert "RFC ship-it: next" in screen_text(app)
            await pilot.press("escape")  # the status table is under the menu
            await wait_for(pilot, ResultsModal)
            assert [r[:2] for r in results(app)] == [("aperture", "… pending")]
            await pilot.press("escape")
            await pilot.press("p")
            await wait_for(pilot, MenuModal)
            await pilot.press("down", "enter")  # Merge in order…
            await wait_for(pilot, ConfirmModal)
            await pilot.press("enter")
            await wait_for(pilot, ResultsModal)
            assert [r[:2] for r in results(app)] == [("aperture", "✓ merged")]

    asyncio.run(go())
    bare = realm_demo.blue_home / "demo" / "remote" / "code" / "aperture.git"
    log = git.run(["log", "--format=%s", "main"], bare).stdout.decode()
    assert "s3 paths v2" in log


def test_progress_per_repo_and_keys_wait_while_a_modal_is_up(
    realm_demo: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[ProgressModal] = []

    class Recorded(ProgressModal):
        def on_mount(self) -> None:  # Textual runs ProgressModal's own on_mount too
            shown.append(self)

    monkeypatch.setattr("screens.workflows.ProgressModal", Recorded)

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select(pilot, "aperture")
            await pilot.press("s")
            await wait_for(pilot, ConfirmModal)
            assert [m.title_text for m in shown] == ["Sync: what it would do (dry run)"]
            steps = [(s.repo, s.step) for s in shown[0].steps]
            assert steps[0] == ("aperture", "fetch") and ("aperture", "check") in steps
            await pilot.press("w", "p", "s")  # a confirmation is up: the workflow keys wait
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal) and len(shown) == 1
            await pilot.press("escape")
            await settle(pilot)
            # one workflow at a time: a second key while one runs is refused with a word
            app.workflows.busy = "Sync aperture"
            await pilot.press("w")
            await pilot.pause()
            assert not app.screen.is_modal
            assert "Sync aperture is still running" in [n.message for n in app._notifications]

    asyncio.run(go())


def test_progress_that_comes_before_the_modal_is_mounted_is_shown_not_lost() -> None:
    """A workflow's thread can report its first steps before the progress modal has mounted (it
    did under load: `More values provided than there are columns`, an error instead of results)."""
    import threading

    from textual.app import App

    from blue_tui.core.realm.runs import Step

    async def go() -> None:
        app: App[None] = App()
        async with app.run_test(size=(100, 24)) as pilot:
            modal = ProgressModal("Create worktrees", threading.Event())
            app.push_screen(modal)
            modal.step(Step("aperture", "preflight", 1, 3))  # same tick: nothing mounted yet
            modal.step(Step("aperture", "worktree add", 2, 3, "sync/x"))
            modal.step(Step("fungal", "preflight", 1, 3))
            await pilot.pause()
            table = modal.query_one("#progress", DataTable)
            rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            assert rows == [["aperture", "worktree add", "2/3", "sync/x"], ["fungal", "preflight", "1/3", ""]]

    asyncio.run(go())
