"""What the dashboard's panes share: settings, one dialogue store, the realm to show, a clock.

Built once per app, without touching the network or the disk (the first frame must not wait).
The store is made on first use, from a worker thread, under a lock: one store per app means one
KEK and one DEK cache, so opening dialogues one after another unwraps each data key once (one
KMS Decrypt per dialogue, not per open).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from blue_tui.core.config import Settings

if TYPE_CHECKING:
    from blue_tui.core.realm.locate import Located
    from blue_tui.core.store.dialogue_store import DialogueStore

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    realm: str | None = None
    read_only: bool = False
    clock: Clock = system_clock
    #: Where the realm is looked for when no --realm is given (the current directory).
    cwd: Path | None = None
    store_factory: Callable[[Settings], DialogueStore] | None = None
    #: Where realm graph layouts are remembered (default ``$XDG_CACHE_HOME/blue/graph-layouts``).
    layout_cache: Path | None = None
    _store: DialogueStore | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def store(self) -> DialogueStore:
        """The app's one dialogue store (made on first call; safe from any thread)."""
        with self._lock:
            if self._store is None:
                if self.store_factory is not None:
                    self._store = self.store_factory(self.settings)
                else:
                    from blue_tui.core.store.dialogue_store import DialogueStore

                    self._store = DialogueStore(self.settings)
            return self._store

    def locate_realm(self) -> Located:
        from blue_tui.core.realm.locate import find_realm

        return find_realm(self.settings, self.realm, self.cwd)

    def layout_dir(self) -> Path:
        return self.layout_cache or self.settings.cache_home / "blue" / "graph-layouts"

    def now_text(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
