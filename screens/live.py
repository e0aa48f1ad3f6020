"""The dashboard's live link to sessions.db: its own session, the sessions and notifications the
panes show, and the toasts.

One :class:`LiveHub` per app (an invisible widget, so it owns workers, timers and messages):

- on start (after the first frame) it registers the dashboard's session (``SessionLease``:
  heartbeats every 10 s; deregistered when the app exits) and starts the change watcher, whose
  callbacks arrive from its thread as :class:`LiveHub.Changed` messages;
- sessions are looked at by a poll worker re-armed by a timer when it ends (Dolphie's pattern):
  every second while the Sessions pane is on screen (heartbeat ages move), every 5 s otherwise
  (the graph's live marks; whoever looks also removes stale sessions), and at once when the
  watcher says the set of sessions changed;
- new notifications come in the watcher's :class:`~blue_tui.core.sessions.model.Change`; a full
  reload happens only on acknowledgements, purges and resets;
- panes hear about it through :meth:`screens.base.Pane.live_changed`; a pane that is not on
  screen only takes note (it draws when shown).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from blue_tui.core.errors import BlueError
from screens.live_toasts import Toaster
from screens.whereabouts import Whereabouts, whereabouts

if TYPE_CHECKING:
    from blue_tui.core.services import Services
    from blue_tui.core.sessions import Change, Notification, Session, SessionsDb, Viewer
    from blue_tui.core.sessions.lease import SessionLease
    from blue_tui.core.sessions.watcher import Watcher


class LiveHub(Widget):
    DEFAULT_CSS = "LiveHub { display: none; }"

    POLL_SHOWN: ClassVar[float] = 1.0
    POLL_HIDDEN: ClassVar[float] = 5.0
    #: Notifications arriving within this many seconds of a toast share the next one.
    TOAST_QUIET: ClassVar[float] = 2.0
    #: The newest this many notifications are kept for the pane.
    KEEP: ClassVar[int] = 500
    #: At most one full reload of the notifications per this many seconds.
    RELOAD_EVERY: ClassVar[float] = 1.0

    class Changed(Message):
        """The watcher saw commits (posted from its thread)."""

        def __init__(self, change: Change) -> None:
            super().__init__()
            self.change = change

    class PendingChanged(Message):
        """How many notifications wait (for the tab bar)."""

        def __init__(self, pending: int, breaking: int) -> None:
            super().__init__()
            self.pending = pending
            self.breaking = breaking

    class WatchFailed(Message):
        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(self, services: Services) -> None:
        super().__init__(id="live-hub")
        self.services = services
        self.where = Whereabouts()
        self.db: SessionsDb | None = None
        self.lease: SessionLease | None = None
        self.me: Session | None = None
        self.viewer: Viewer | None = None
        self.watcher: Watcher | None = None
        #: Why the live panes have nothing to show (an unusable sessions.db), else None.
        self.problem: BaseException | None = None
        self.ready = False
        self.sessions: list[Session] = []
        #: Newest first, at most KEEP.
        self.notifications: list[Notification] = []
        self._poll_timer: Timer | None = None
        self._looking = False
        self._look_again = False
        self._reloading = False
        self._reload_again = False
        self._reload_timer: Timer | None = None
        self._last_reload = 0.0
        self._leaving = False
        self._opening = False
        self.toaster = Toaster(self, self.TOAST_QUIET)
        #: Counter for tests and benchmarks.
        self.looks = 0

    # ---- time ------------------------------------------------------------------------------------

    def now(self) -> float:
        """POSIX seconds by the services' clock (fixed in snapshot tests)."""
        return self.services.clock().timestamp()

    # ---- start and stop ----------------------------------------------------------------------------

    def start(self) -> None:
        """Open sessions.db and register (again, after a failure: ``r`` in a live pane)."""
        if self._opening or self.db is not None or self._leaving:
            return
        self._opening = True
        self.run_worker(self._open(), name="open sessions.db", group="live-open", exit_on_error=False)

    async def _open(self) -> None:
        from blue_tui.core.sessions import SessionsDb, SessionSpec, Viewer
        from blue_tui.core.sessions.lease import SessionLease
        from blue_tui.core.sessions.watcher import Watcher

        self.where = await asyncio.to_thread(whereabouts, self.services)
        try:
            db = await SessionsDb.for_settings(self.services.settings, clock=self.now)
        except BlueError as exc:
            self._opening = False
            self._fail(exc)
            return
        self.db = db
        self._opening = False
        try:
            spec = SessionSpec(
                "dashboard",
                realm=self.where.realm,
                repo=self.where.repo,
                command="blue-tui" + (" --read-only" if self.services.read_only else ""),
                active_domains=tuple(sorted(self.where.domains or ())),
                worktree=self.where.checkout,
            )
            self.lease = SessionLease(db, spec)
            self.me = await self.lease.__aenter__()
        except BlueError as exc:
            self.lease = None
            self.db = None
            await db.close()
            self._fail(exc)
            return
        if self._leaving:
            return
        if self.problem is not None:
            self.problem = None
            self._dispatch("problem")
        self.viewer = Viewer(
            realm=self.where.realm, repo=self.where.repo, domains=self.where.domains, session_id=self.me.id
        )
        self.watcher = Watcher.for_settings(
            self.services.settings,
            self._changed_from_thread,
            viewer=self.viewer,
            clock=self.now,
            on_error=lambda error: self.post_message(self.WatchFailed(error)),
        ).start()
        self.ready = True
        try:
            await self._reload_notifications()
        except BlueError as exc:
            self._fail(exc)
        self._dispatch("notifications")
        self.look_now()

    def _changed_from_thread(self, change: Change) -> None:
        """The watcher's callback (its thread): hand the change over to the event loop."""
        self.post_message(self.Changed(change))

    async def close(self) -> None:
        """The app is leaving: stop watching, deregister, close the database. Each step runs even
        when one before it failed (an open aiosqlite thread would keep the process from exiting);
        calling it again does nothing."""
        self._leaving = True
        self.toaster.stop()
        for timer in (self._poll_timer, self._reload_timer):
            if timer is not None:
                timer.stop()
        watcher, lease, db = self.watcher, self.lease, self.db
        self.watcher, self.lease, self.db = None, None, None
        async with contextlib.AsyncExitStack() as steps:  # run last-pushed first
            if db is not None:
                steps.push_async_callback(_quietly, db.close)
            if lease is not None:
                steps.push_async_callback(_quietly, functools.partial(lease.__aexit__, None, None, None))
            if watcher is not None:
                await asyncio.to_thread(watcher.stop)

    def _fail(self, exc: BaseException) -> None:
        self.problem = exc
        self._dispatch("problem")

    # ---- sessions: a poll worker, re-armed by a timer when it ends ----------------------------------

    def interval(self) -> float:
        return self.POLL_SHOWN if self._pane_shown("sessions") else self.POLL_HIDDEN

    def look_now(self) -> None:
        """Look at the sessions now (or right after the look under way); without a database (it
        could not be opened), try to open it again."""
        if self.db is None:
            self.start()
            return
        if self._leaving:
            return
        if self._looking:
            self._look_again = True
            return
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        self._looking = True
        self.run_worker(self._look(), name="look at sessions", group="sessions-poll", exit_on_error=False)

    async def _look(self) -> list[Session]:
        assert self.db is not None
        return await self.db.sessions(realm=self.where.realm)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "sessions-poll" or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        self._looking = False
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, list):
            self.looks += 1
            self.sessions = worker.result
            if self.problem is not None:
                self.problem = None
                self._dispatch("problem")
            self._dispatch("sessions")
        elif event.state == WorkerState.ERROR and worker.error is not None:
            self._fail(worker.error)
        if self._leaving:
            return
        if self._look_again:
            self._look_again = False
            self.look_now()
        else:
            self._poll_timer = self.set_timer(self.interval(), self.look_now, name="sessions-poll")

    def live_repos(self) -> dict[str, list[Session]]:
        """Repo -> its live sessions (the graph marks them)."""
        out: dict[str, list[Session]] = {}
        for s in self.sessions:
            if s.repo:
                out.setdefault(s.repo, []).append(s)
        return out

    # ---- notifications ------------------------------------------------------------------------------

    async def _reload_notifications(self) -> None:
        assert self.db is not None and self.viewer is not None
        # Only what can still be kept: rows older than the oldest kept one stay out of the read.
        since = self.notifications[-1].id - 1 if len(self.notifications) >= self.KEEP else 0
        notes = await self.db.notifications(self.viewer, state="all", since_id=since)
        self.notifications = notes[: self.KEEP]

    def reload_notifications(self, *, now: bool = False) -> None:
        """Read them again (acknowledgements, purges, a reset): one reload at a time, and at most
        one per RELOAD_EVERY seconds unless ``now`` (this dashboard's own acknowledgement). Every
        new notification comes with its author's acknowledgement, so under a stream of them this
        is what keeps the stream from turning into a stream of reloads."""
        if self.db is None:
            self.start()
            return
        if self.viewer is None or self._leaving:
            return
        if self._reloading:
            self._reload_again = True
            return
        if self._reload_timer is not None:
            if not now:
                return
            self._reload_timer.stop()
            self._reload_timer = None
        wait = self._last_reload + self.RELOAD_EVERY - time.monotonic()
        if wait > 0 and not now:
            self._reload_timer = self.set_timer(wait, self._reload_due, name="notifications-reload")
            return
        self._reloading = True

        async def reload() -> None:
            try:
                await self._reload_notifications()
            except BlueError as exc:
                self._fail(exc)
            finally:
                self._reloading = False
                self._last_reload = time.monotonic()
            self._dispatch("notifications")
            if self._reload_again:
                self._reload_again = False
                self.reload_notifications()

        self.run_worker(
            reload(), name="reload notifications", group="notifications-reload", exit_on_error=False
        )

    def _reload_due(self) -> None:
        self._reload_timer = None
        self.reload_notifications()

    def acknowledge(self, ids: list[int] | None, done: Callable[[list[int]], None]) -> None:
        """Acknowledge ``ids`` (None: every pending one) for this viewer; ``done(acked ids)``."""
        if self.db is None or self.viewer is None:
            return
        db, viewer = self.db, self.viewer

        async def ack() -> None:
            try:
                acked = await db.acknowledge(viewer, ids)
            except BlueError as exc:
                from screens.base import problem_text

                message, hint = problem_text(exc)
                self.app.notify(
                    f"{message}\nnext: {hint}", title="not acknowledged", severity="error", markup=False
                )
                return
            done(acked)
            self.reload_notifications(now=True)

        self.run_worker(ack(), name="acknowledge", group="notifications-ack", exit_on_error=False)

    def on_live_hub_changed(self, message: LiveHub.Changed) -> None:
        change = message.change
        if self._leaving:
            return
        if change.notifications:
            fresh = list(reversed(change.notifications))  # newest first
            known = {n.id for n in self.notifications}
            fresh = [n for n in fresh if n.id not in known]
            if fresh:
                self.notifications[:0] = fresh
                del self.notifications[self.KEEP :]
                self._dispatch("notifications", fresh)
                if not self._pane_shown("notifications"):
                    self.toaster.toast(fresh)
        if change.reset or change.acks or change.purged:
            self.reload_notifications()
        if change.sessions or change.reset:
            self.look_now()

    def on_live_hub_watch_failed(self, message: LiveHub.WatchFailed) -> None:
        self._fail(message.error)

    # ---- panes -------------------------------------------------------------------------------------

    def _pane_shown(self, pane_id: str) -> bool:
        return getattr(self.app, "current_pane", None) == pane_id and not self.app.screen.is_modal

    @property
    def toasts(self) -> int:
        return self.toaster.shown

    def pending(self) -> tuple[int, int]:
        """(pending, of them breaking) among the kept notifications: the tab bar shows them."""
        pending = [n for n in self.notifications if n.state == "pending"]
        return len(pending), sum(n.breaking for n in pending)

    def _dispatch(self, what: str, fresh: list[Notification] | None = None) -> None:
        from screens.base import Pane

        if self._leaving or not self.is_attached:
            return
        for pane in self.app.query(Pane):
            pane.live_changed(self, what, fresh or [])
        if what == "notifications":
            self.post_message(self.PendingChanged(*self.pending()))


async def _quietly(step: Callable[[], Awaitable[object]]) -> None:
    """Run a closing step; a product error there (a busy file) is not worth a message at exit."""
    with contextlib.suppress(BlueError):
        await step()
