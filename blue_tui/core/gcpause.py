"""gc_paused(): hold Python's cyclic garbage collector off while bulk data is decoded."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _GcPause:
    """Pause Python's cyclic garbage collector while partitions load.

    Loading allocates hundreds of thousands of small, acyclic objects that reference
    counting frees on its own; the cyclic collector would rescan all of them again and
    again and cost about a third of an open. Nested and multi-threaded use is counted;
    the collector runs again when the last loader finishes.

    What survives the load (the decoded dialogue) is long-lived: at the end it is moved
    straight to the oldest generation (gc.freeze() then gc.unfreeze(), which also resets
    the young generation's allocation count) instead of being scanned at once by a young
    collection that would find nothing to free. Later full collections see it as usual.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    gc.freeze()
                    gc.unfreeze()
                    if self._was_enabled:
                        gc.enable()


gc_paused = _GcPause()
