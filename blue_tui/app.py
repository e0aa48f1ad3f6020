"""The Textual dashboard (`blue-tui`): builds the services and installs the screens."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from screens.dialogues import DialoguesScreen

if TYPE_CHECKING:
    from blue_tui.core.store.dialogue_store import DialogueStore


def styles_dir() -> Path:
    """styles/ inside the installed wheel (blue_tui/styles), else the checkout's top-level styles/."""
    packaged = resources.files("blue_tui").joinpath("styles")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "styles"


def default_store() -> DialogueStore:
    from blue_tui.core.config import Settings
    from blue_tui.core.store.dialogue_store import DialogueStore

    return DialogueStore(Settings.from_env())


class BlueApp(App[None]):
    TITLE = "blue"
    SUB_TITLE = "dialogues"
    CSS_PATH = str(styles_dir() / "app.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("ctrl+c", "quit", "Quit", show=False),
    ]

    def __init__(self, store_factory: Callable[[], DialogueStore] = default_store) -> None:
        super().__init__()
        self.store_factory = store_factory

    def on_mount(self) -> None:
        self.push_screen(DialoguesScreen(self.store_factory))


def main() -> int:
    BlueApp().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
