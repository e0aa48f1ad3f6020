"""A small cache of unwrapped DEKs: bounded by age and by uses, single-flight on a miss.

Unwrapping costs a KMS round trip in production, so a dialogue's DEK is unwrapped
once per open and kept for a while; the TTL and use limit make sure a revoked KMS
grant is noticed (the lesson of aws-dynamodb-encryption-python #148), and concurrent
misses for one key wait for a single unwrap instead of stampeding (ESDK-JS #1663).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from blue_tui.core.crypto.keys import DekHandle

DEFAULT_TTL_SECONDS = 300.0
DEFAULT_MAX_USES = 1000


@dataclass
class _Entry:
    handle: DekHandle
    expires_at: float
    uses: int


class DekCache:
    def __init__(
        self,
        ttl: float = DEFAULT_TTL_SECONDS,
        max_uses: int = DEFAULT_MAX_USES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_uses = max_uses
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.loads = 0

    def _fresh(self, key: str) -> DekHandle | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry.expires_at or entry.uses >= self.max_uses:
            del self._entries[key]
            return None
        entry.uses += 1
        return entry.handle

    def get(self, key: str, loader: Callable[[], DekHandle]) -> DekHandle:
        """The cached handle for ``key``, or the loader's (called once however many threads ask)."""
        with self._guard:
            handle = self._fresh(key)
            if handle is not None:
                return handle
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                handle = self._fresh(key)
                if handle is not None:
                    return handle
            handle = loader()
            with self._guard:
                self.loads += 1
                self._entries[key] = _Entry(handle, self._clock() + self.ttl, 1)
            return handle

    def put(self, key: str, handle: DekHandle) -> None:
        with self._guard:
            self._entries[key] = _Entry(handle, self._clock() + self.ttl, 1)

    def invalidate(self, key: str | None = None) -> None:
        with self._guard:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)
