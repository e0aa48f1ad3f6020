"""Background loads that never post a stale result.

Every :meth:`Loads.start` takes a new generation number and runs the work in a thread worker of
one exclusive group (so the previous one is cancelled). When the work ends, its result is
delivered only if its worker was not cancelled and no newer load was started meanwhile; the
check is made again on the UI thread, so a result that was already on its way when ``r`` was
pressed is dropped too (Dolphie's worker groups; Toolong's cancellable scans).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.widget import Widget
from textual.worker import Worker, get_current_worker

T = TypeVar("T")


class Loads(Generic[T]):
    def __init__(self, owner: Widget, group: str) -> None:
        self.owner = owner
        self.group = group
        self.generation = 0
        #: Results dropped because they were stale (tests and the log read it).
        self.dropped = 0

    def start(
        self,
        work: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
        *,
        description: str = "",
    ) -> Worker[None]:
        self.generation += 1
        token = self.generation

        def run() -> None:
            worker = get_current_worker()
            outcome: tuple[Callable[[Any], None], Any]
            try:
                outcome = (done, work())
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
        callback(value)

    def cancel(self) -> None:
        """Forget the running load (its result will be dropped)."""
        self.generation += 1
        self.owner.workers.cancel_group(self.owner, self.group)
