"""DekCache: TTL, use limit, and one unwrap however many threads miss at once."""

from __future__ import annotations

import threading
import time

from blue_tui.core.crypto.dek_cache import DekCache
from blue_tui.core.crypto.keys import DekHandle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_ttl_and_use_limit() -> None:
    clock = Clock()
    cache = DekCache(ttl=10, max_uses=3, clock=clock)
    loads: list[int] = []

    def loader() -> DekHandle:
        loads.append(1)
        return DekHandle("dek#d#v1", bytes(32))

    first = cache.get("k", loader)
    assert cache.get("k", loader) is first and cache.get("k", loader) is first
    assert len(loads) == 1
    assert cache.get("k", loader) is not first  # fourth use: over the limit, unwrapped again
    assert len(loads) == 2
    clock.now = 11
    cache.get("k", loader)
    assert len(loads) == 3  # expired
    cache.invalidate()
    cache.get("k", loader)
    assert len(loads) == 4


def test_cold_misses_are_single_flight() -> None:
    cache = DekCache()
    calls = []
    gate = threading.Event()

    def slow_loader() -> DekHandle:
        calls.append(1)
        gate.wait(2)
        return DekHandle("dek#d#v1", bytes(32))

    results: list[DekHandle] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get("k", slow_loader))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1
    assert len(results) == 8 and all(r is results[0] for r in results)
