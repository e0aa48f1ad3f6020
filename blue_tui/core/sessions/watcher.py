"""The change watcher: tells callbacks, from its own thread, what changed in sessions.db.

It polls ``PRAGMA data_version`` (which moves when another connection commits) every
``interval`` seconds and wakes at once on a file-system hint where there is one (inotify). On a
change it reads the revision counters the schema's triggers keep and the notifications newer than
the last one it saw, and calls ``on_change(Change)`` once. It knows nothing of any UI: the
dashboard turns a :class:`Change` into a message (``app.call_from_thread``).

It never writes, survives the file being missing, damaged or replaced (``blue session reset``),
and ``stop()`` returns within one poll.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from blue_tui.core.config import Settings
from blue_tui.core.errors import BlueError
from blue_tui.core.sessions import location, mailbox, schema
from blue_tui.core.sessions.api import ttl_seconds
from blue_tui.core.sessions.fshint import FsHint
from blue_tui.core.sessions.model import DEFAULT_TTL_DAYS, SYSTEM_CLOCK, Change, Clock, Viewer
from blue_tui.core.sessions.store import BUSY_TIMEOUT, translate, uri

log = logging.getLogger(__name__)

#: Called from the watcher's thread. Keep it short: hand the value over to your own loop.
OnChange = Callable[[Change], None]
OnError = Callable[[BaseException], None]

RETRY_AFTER = 1.0  # seconds between attempts while the file is missing or unusable


class Watcher:
    def __init__(
        self,
        path: Path,
        on_change: OnChange,
        *,
        viewer: Viewer | None = None,
        interval: float = 0.01,
        fs_hint: bool = True,
        on_error: OnError | None = None,
        clock: Clock = SYSTEM_CLOCK,
        ttl: float = DEFAULT_TTL_DAYS * 86400,
    ) -> None:
        self.path = path
        self.viewer = viewer or Viewer()
        self.interval = interval
        self._on_change = on_change
        self._on_error = on_error
        self._clock = clock
        self._ttl = ttl
        self._use_hint = fs_hint
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake_r, self._wake_w = -1, -1
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._data_version = -1
        self._revisions: dict[str, int] = {}
        self._last_id = 0
        self._looked = False
        self._last_problem: str | None = None

    @classmethod
    def for_settings(cls, settings: Settings, on_change: OnChange, **options: object) -> Watcher:
        return cls(settings.sessions_db, on_change, ttl=ttl_seconds(settings), **options)  # type: ignore[arg-type]

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Watcher:
        if self._thread is not None:
            raise RuntimeError("watcher already started")
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._run, name="blue-sessions-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and join the thread (idempotent). No callback runs after this returns."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        thread.join(timeout)
        self._thread = None
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ---- the thread --------------------------------------------------------------------------

    def _run(self) -> None:
        hint = FsHint(self.path.parent) if self._use_hint else None
        try:
            while not self._stop.is_set():
                pause = self.interval
                try:
                    self._look()
                    self._last_problem = None
                except BlueError as exc:
                    self._close()
                    self._problem(exc)
                    pause = RETRY_AFTER
                except sqlite3.Error as exc:
                    self._close()
                    self._problem(translate(self.path, exc) or exc)
                    pause = RETRY_AFTER
                if self._conn is None:
                    pause = max(pause, min(RETRY_AFTER, self.interval * 10))
                self._wait(pause, hint)
        finally:
            self._close()
            if hint is not None:
                hint.close()

    def _wait(self, seconds: float, hint: FsHint | None) -> None:
        fds = [self._wake_r]
        hint_fd = hint.fileno() if hint is not None else None
        if hint_fd is not None:
            fds.append(hint_fd)
        ready, _, _ = select.select(fds, [], [], seconds)
        if hint is not None and hint_fd in ready:
            hint.drain()

    def _problem(self, exc: BaseException) -> None:
        text = str(exc)
        if text == self._last_problem:
            return
        self._last_problem = text
        if self._on_error is not None:
            self._on_error(exc)

    def _open(self) -> bool:
        if not location.check_file(self.path):
            return False
        conn = sqlite3.connect(uri(self.path), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA trusted_schema = OFF")
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            objects = [tuple(r) for r in conn.execute(schema.OBJECTS_SQL)]
            if schema.classify(self.path, app_id, version, objects) != "current":
                conn.close()
                return False  # being created or upgraded by a writer: look again soon
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._identity = location.identity(self.path)
        self._data_version = -1
        return True

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _look(self) -> None:
        replaced = False
        if self._conn is not None and location.identity(self.path) != self._identity:
            self._close()
            replaced = True
        if self._conn is None:
            if not self._open():
                self._looked = True
                return
            replaced = replaced or self._looked
            if replaced:
                self._last_id, self._revisions = 0, {}
        self._looked = True
        conn = self._conn
        assert conn is not None
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        if version == self._data_version and not replaced:
            return
        first = self._data_version == -1 and not replaced
        self._data_version = version
        conn.execute("BEGIN")
        try:
            revisions = {str(r[0]): int(r[1]) for r in conn.execute("SELECT name, rev FROM revisions")}
            rows = conn.execute(mailbox.SELECT, mailbox.select_params(self.viewer, self._last_id)).fetchall()
        finally:
            conn.execute("COMMIT")
        newest = max((int(r["id"]) for r in rows), default=self._last_id)
        if first:
            self._revisions, self._last_id = revisions, newest
            return
        moved = {k for k, v in revisions.items() if self._revisions.get(k) != v}
        self._revisions, self._last_id = revisions, newest
        now = self._clock()
        fresh = [n for n in mailbox.from_rows(rows, self.viewer, now, self._ttl) if n.state == "pending"]
        change = Change(
            data_version=version,
            sessions="sessions" in moved or replaced,
            heartbeats="heartbeats" in moved,
            notifications=tuple(reversed(fresh)),
            acks="acks" in moved or replaced,
            purged="purges" in moved or replaced,
            reset=replaced,
            at=now,
        )
        if not (change.sessions or change.heartbeats or change.notifications or change.acks or change.purged):
            return
        try:
            self._on_change(change)
        except Exception:
            log.exception("sessions watcher callback failed")
