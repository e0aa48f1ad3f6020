"""The footer: what it shows for each pane and width, clicks on it, and that it is remade only
when the keys it shows change (Textual's footer remade a widget per key on every focus move)."""

from __future__ import annotations

import asyncio

from blue_tui.core.config import Settings
from screens.help import HelpScreen
from screens.key_footer import KeyFooter
from tests.ui.conftest import make_app, screen_text, settle


def footer_line(app) -> str:  # type: ignore[no-untyped-def]
    return screen_text(app).splitlines()[-1]


def test_it_shows_the_panes_keys_and_the_palette_on_the_right(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane="notifications")
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            line = footer_line(app)
            assert line.startswith(" a Acknowledge  A Acknowledge all  q Quit  ? Keys and help ")
            assert line.endswith("▏^p Command palette ")
            await pilot.press("1")
            await settle(pilot)
            line = footer_line(app)
            assert "Acknowledge" not in line
            assert line.startswith(" q Quit  ? Keys and help  r Refresh  / Filter  s Sync this repo ")

    asyncio.run(go())


def test_read_only_leaves_writing_actions_out(realm_demo: Settings) -> None:
    async def go() -> None:
        for read_only, shown in ((False, True), (True, False)):
            app = make_app(realm_demo, read_only=read_only)
            async with app.run_test(size=(160, 30)) as pilot:
                await settle(pilot)
                assert ("Sync this repo" in footer_line(app)) is shown
                assert "Keys and help" in footer_line(app)

    asyncio.run(go())


def test_too_many_keys_lose_their_padding_then_end_in_an_ellipsis(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane="notifications")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            line = footer_line(app)
            assert len(line) == 80
            assert line.startswith("a Acknowledge A Acknowledge all q Quit ? Keys and help ")
            assert line.endswith("…▏^p Command palette ")
            footer = app.query_one(KeyFooter)
            # a key cut by the ellipsis cannot be clicked
            assert all(span.end <= line.index("…") for span in footer.spans[:-1])
            assert footer.spans[-1].entry.description == "Command palette"

    asyncio.run(go())


def test_a_click_on_a_key_presses_it(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            footer = app.query_one(KeyFooter)
            help_at = footer_line(app).index("? Keys and help")
            assert footer.entry_at(help_at) is not None
            await pilot.click(KeyFooter, offset=(help_at, 0))
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)

    asyncio.run(go())


def test_a_remapped_palette_key_is_the_one_shown(realm_demo: Settings) -> None:
    realm_demo.user_config_path.parent.mkdir(parents=True, exist_ok=True)
    realm_demo.user_config_path.write_text("keys:\n  app.palette: ctrl+k\n", encoding="utf-8")

    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            assert footer_line(app).endswith("▏^k Command palette ")

    asyncio.run(go())


def test_it_is_remade_only_when_the_keys_it_shows_change(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo)
        async with app.run_test(size=(160, 30)) as pilot:
            await settle(pilot)
            footer = app.query_one(KeyFooter)
            before = footer.entries
            app.screen.refresh_bindings()  # published, nothing shown changed
            await settle(pilot)
            assert footer.entries is before
            await pilot.press("5")  # notifications: its own keys
            await settle(pilot)
            assert footer.entries != before
            assert footer.entries[0].description == "Acknowledge"

    asyncio.run(go())


def test_keys_keep_their_padding_while_they_fit_to_the_last_column(realm_demo: Settings) -> None:
    async def go() -> None:
        app = make_app(realm_demo, pane="notifications")
        async with app.run_test(size=(200, 30)) as pilot:
            await settle(pilot)
            footer = app.query_one(KeyFooter)
            assert footer.palette is not None
            tail = 1 + len(footer.palette.label) + len(footer.palette.description) + 2
            needed = sum(len(e.label) + len(e.description) + 3 for e in footer.entries) + tail
            await pilot.resize_terminal(needed, 30)
            await settle(pilot)
            line = footer_line(app)
            assert line.startswith(" a Acknowledge  A Acknowledge all ") and "…" not in line
            await pilot.resize_terminal(needed - 1, 30)
            await settle(pilot)
            assert footer_line(app).startswith("a Acknowledge A Acknowledge all ")

    asyncio.run(go())
