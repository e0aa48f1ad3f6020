"""Background loads that never post a stale result.

Every :meth:`Loads.start` takes a new generation number and runs the work in a thread worker of
one exclusive group (so the previous one is cancelled). When the work ends, its result is
delivered only if its worker was not cancelled and no newer load was started meanwhile; the
check is made again on the UI thread, so a result that was already on its way when ``r`` was
pressed is dropped too (Dolphie's worker groups; Toolong's cancellable scans).

:meth:`Loads.stream` is the same with a :class:`Channel` for the work: it posts partial results
(a preview, progress) to the UI as it goes, without waiting for the UI thread, and asks it
whether the load is still wanted. A partial result is delivered under the same rule, and never
after the load's final result or failure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.widget import Widget
from textual.worker import Worker, get_current_worker

T = TypeVar("T")
P = TypeVar("P")


class LoadCancelled(Exception):
    """Raised in a load's thread by :meth:`Channel.check` once the load is no longer wanted."""


class Channel(Generic[P]):
    """A streaming load's link to the UI, used from its worker thread."""

    def __init__(self, loads: Loads[Any], token: int, worker: Worker[None], deliver: Callable[[P], None]):
        self._loads = loads
        self._token = token
        self._worker = worker
        self._deliver = deliver

    @property
    def cancelled(self) -> bool:
        """The worker was cancelled, or a newer load started (its results would be dropped)."""
        return self._worker.is_cancelled or self._token != self._loads.generation

    def check(self) -> None:
        """Stop the work (raise LoadCancelled) if the load is no longer wanted."""
        if self.cancelled:
            raise LoadCancelled

    def post(self, value: P, *, until_drawn: float = 0.0) -> None:
        """Hand a partial result to the UI thread. Returns at once, or with ``until_drawn``, once
        the UI has drawn it (at most that many seconds later): the work then steps aside while the
        UI paints, instead of both taking turns at the GIL and the frame coming late."""
        if self.cancelled:
            return
        drawn = threading.Event()
        # post_message (which call_later uses) is thread-safe and does not wait.
        self._loads.owner.call_later(self._loads._deliver_partial, self._token, self._deliver, value, drawn)
        if until_drawn > 0:
            drawn.wait(until_drawn)


class Loads(Generic[T]):
    def __init__(self, owner: Widget, group: str) -> None:
        self.owner = owner
        self.group = group
        self.generation = 0
        #: The newest load whose final result or failure was delivered (its partials are late).
        self._finished = 0
        #: Results, and partial results, dropped because they were stale (tests read them).
        self.dropped = 0
        self.dropped_partials = 0

    def start(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
        *,
        description: str = "",
    ) -> Worker[None]:
        return self._run(lambda _token: work(), done, failed, description)

    def stream(
        self,
        work: Callable[[Channel[P]], T],
        partial: Callable[[P], None],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
        *,
        description: str = "",
    ) -> Worker[None]:
        """Like :meth:`start`; ``work`` gets a channel whose posts reach ``partial`` on the UI thread."""

        def run(token: int) -> T:
            return work(Channel(self, token, get_current_worker(), partial))

        return self._run(run, done, failed, description)

    def _run(
        self,
        work: Callable[[int], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
        description: str,
    ) -> Worker[None]:
        self.generation += 1
        token = self.generation

        def run() -> None:
            worker = get_current_worker()
            outcome: tuple[Callable[[Any], None], Any]
            try:
                outcome = (done, work(token))
            except Exception as exc:  # delivered to `failed`, never raised into Textual
                outcome = (failed, exc)
            if worker.is_cancelled or token != self.generation:
                self.dropped += 1
                return
            self.owner.app.call_from_thread(self._deliver, token, *outcome)

        return self.owner.run_worker(
            run,
            name=description or self.group,
            group=self.group,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _deliver(self, token: int, callback: Callable[[Any], None], value: Any) -> None:
        if token != self.generation or not self.owner.is_attached:
            self.dropped += 1
            return
        self._finished = token
        callback(value)

    def _deliver_partial(
        self, token: int, callback: Callable[[Any], None], value: Any, drawn: threading.Event
    ) -> None:
        if token != self.generation or token == self._finished or not self.owner.is_attached:
            self.dropped_partials += 1
            drawn.set()
            return
        try:
            callback(value)
        finally:
            self.owner.call_after_refresh(drawn.set)

    def cancel(self) -> None:
        """Forget the running load (its result will be dropped)."""
        self.generation += 1
        self.owner.workers.cancel_group(self.owner, self.group)
