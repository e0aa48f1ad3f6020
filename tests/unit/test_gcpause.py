"""gc_paused: the collector is off inside, on again after, and cycles made inside are still collected."""

from __future__ import annotations

import gc
import threading
import weakref

from blue_tui.core.gcpause import gc_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_pause_nests_and_restores() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_cycles_made_while_paused_are_collected_later() -> None:
    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        del a, b
        assert ref() is not None  # nothing collects cycles while paused
    gc.collect()
    assert ref() is None


def test_threads_share_one_pause() -> None:
    inside = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with gc_paused():
            inside.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the worker still holds it
    release.set()
    worker.join(5)
    assert gc.isenabled()
