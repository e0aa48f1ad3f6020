"""Fetch a partition's pages on a helper thread while the caller works on the ones already here.

Opening a dialogue is one paginated Query; between pages the client waits for the
server, and that wait is where decryption and verification should happen. Python runs
one thread at a time, though: if the caller is busy when a page arrives, parsing that
page (on the critical path: the next request goes out only after it) waits for the
GIL, and the server sits idle. So the fetching thread raises a flag while it waits for
the server (botocore's `before-send` event) and lowers it when it starts parsing
(`before-parse`); the caller works in small slices and only while the flag is up.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from typing import Any

from blue_tui.core.aws import dynamodb_client
from blue_tui.core.config import Settings
from blue_tui.core.store import table as tbl

Page = list[dict[str, Any]]
#: Items handled between two looks at the flag (a few milliseconds of work).
SLICE = 256

_local = threading.local()
_hooked: set[int] = set()
_hook_lock = threading.Lock()


def _on_send(**_: Any) -> None:
    gate: threading.Event | None = getattr(_local, "gate", None)
    if gate is not None:
        gate.set()


def _on_parse(**_: Any) -> None:
    gate: threading.Event | None = getattr(_local, "gate", None)
    if gate is not None:
        gate.clear()


def _hook(client: Any) -> None:
    """Register the two handlers once per client; they act only on fetching threads."""
    with _hook_lock:
        if id(client) in _hooked:
            return
        client.meta.events.register("before-send.dynamodb.Query", _on_send, unique_id="blue-prefetch-send")
        client.meta.events.register("before-parse.dynamodb.Query", _on_parse, unique_id="blue-prefetch-parse")
        _hooked.add(id(client))


class Prefetcher:
    """Iterate over slices of a partition's items; pages are fetched ahead on a thread.

    Use as a context manager; leaving it early stops the fetching thread.
    """

    def __init__(self, settings: Settings, pk: str, *, depth: int = 8, first_page: int | None = None) -> None:
        self.settings = settings
        self.pk = pk
        #: Cap on the first request's items (see ``table.query_partition``).
        self.first_page = first_page
        self._pages: queue.Queue[Page | BaseException | None] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        #: Set while the fetching thread waits for the server (or is done): the caller may work.
        self._idle = threading.Event()
        self._idle.set()
        self._thread = threading.Thread(target=self._fetch, name="blue-prefetch", daemon=True)
        self._finished = False

    def _fetch(self) -> None:
        _local.gate = self._idle
        try:
            for page in tbl.query_partition(self.settings, self.pk, first_page=self.first_page):
                if self._stop.is_set():
                    return
                self._pages.put(page)
            self._pages.put(None)
        except BaseException as exc:  # handed to the consuming thread
            self._pages.put(exc)
        finally:
            _local.gate = None
            self._idle.set()

    def __enter__(self) -> Prefetcher:
        _hook(dynamodb_client(self.settings))
        self._thread.start()
        return self

    def slices(self) -> Iterator[Page]:
        """Slices of at most SLICE items, each handed out while the fetcher is not parsing."""
        while True:
            page = self._pages.get()
            if page is None:
                self._finished = True
                return
            if isinstance(page, BaseException):
                raise page
            for start in range(0, len(page), SLICE):
                self._idle.wait()
                time.sleep(0)  # let the fetching thread take the GIL if it has bytes to read
                yield page[start : start + SLICE]

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._finished:
            self._thread.join()
        while self._thread.is_alive():  # stopped early: unblock a fetcher waiting on a full queue
            with contextlib.suppress(queue.Empty):
                self._pages.get_nowait()
            self._thread.join(0.01)
