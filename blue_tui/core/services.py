"""What the dashboard's panes share: settings, one dialogue store, the realm to show, a clock.

Built once per app, without touching the network or the disk (the first frame must not wait).
The store is made on first use, from a worker thread, under a lock: one store per app means one
KEK and one DEK cache, so opening dialogues one after another unwraps each data key once (one
KMS Decrypt per dialogue, not per open). The realm is loaded the same way: the graph pane and
the live hub both need it at start, and two threads parsing 200 contracts at once held the
graph's first frame back by tens of ms.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from blue_tui.core.config import Settings

if TYPE_CHECKING:
    from blue_tui.core.realm.locate import Located
    from blue_tui.core.realm.model import Realm
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
    _realm: tuple[Located, Realm] | None = field(default=None, init=False, repr=False)
    _realm_at: float = field(default=0.0, init=False, repr=False)
    _realm_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

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

    def shared_realm(
        self, *, max_age: float | None = None, then: Callable[[Located, Realm], None] | None = None
    ) -> tuple[Located, Realm]:
        """The realm the panes show, loaded once and shared (safe from any thread: a caller that
        comes while another loads it waits for that load instead of parsing the realm again).

        ``max_age`` (seconds) loads it again unless the shared load is at most that old (0 for a
        refresh; None takes it at any age). ``then`` is called with the result before this
        returns and, after a load, before the snapshot cache is closed: the graph pane posts the
        realm there, so the cache's closing write (its hit counters) does not compete with
        painting it. The lock is let go before that write, so other callers need not wait for it.
        Load problems are raised, and nothing is kept.
        """
        with contextlib.ExitStack() as later:  # the cache closes last, after the lock is let go
            with self._realm_lock:
                if self._realm is None or (
                    max_age is not None and time.monotonic() - self._realm_at > max_age
                ):
                    self._realm = None
                    located = self.locate_realm()
                    # imported once there is a realm: a dashboard outside one pays nothing
                    from blue_tui.core.gcpause import gc_paused
                    from blue_tui.core.realm.cache import Cache, cache_path_for
                    from blue_tui.core.realm.loader import load_realm

                    cache = later.enter_context(Cache(cache_path_for(located)))
                    # decoding a big realm's snapshot makes many small objects: the cyclic GC
                    # would rescan the dashboard's whole heap over and over meanwhile
                    with gc_paused():
                        self._realm = located, load_realm(located.root, cache=cache)
                    self._realm_at = time.monotonic()
                loaded = self._realm
            if then is not None:
                then(*loaded)
            return loaded

    def preload_realm(self) -> threading.Thread:
        """Start :meth:`shared_realm` on a thread now. The app calls it as it starts: while its
        event loop is busy with the first frames, a worker thread gets the GIL only in scraps
        (each of its many short waits for git and SQLite gives it back), so a load begun after
        the first frame finished long after it. Problems are left for the next caller to raise."""

        def run() -> None:
            with contextlib.suppress(Exception):
                self.shared_realm()

        thread = threading.Thread(target=run, name="blue-realm-preload", daemon=True)
        thread.start()
        return thread

    def layout_dir(self) -> Path:
        return self.layout_cache or self.settings.cache_home / "blue" / "graph-layouts"

    def now_text(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
