"""Typed failures of the sessions database (each names the file and the next command)."""

from __future__ import annotations

from pathlib import Path

from blue_tui.core.errors import BlueError

RESET_HINT = "run `blue session reset` (it moves the file aside and starts a fresh database)"


class SessionsError(BlueError):
    """Base of the sessions.db failures."""


class SessionsDbForeign(SessionsError):
    """The file at the sessions.db path is not a blue sessions database; it is never overwritten."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path} is not a blue sessions database ({why}); left untouched", hint=RESET_HINT)
        self.path = path


class SessionsDbCorrupt(SessionsError):
    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"sessions database {path} is damaged ({why}); left untouched", hint=RESET_HINT)
        self.path = path


class SessionsDbNewer(SessionsError):
    def __init__(self, path: Path, found: int, known: int) -> None:
        super().__init__(
            f"sessions database {path} has schema version {found}; this blue knows up to {known}",
            hint="upgrade blue-tui, or run `blue session reset` to start a fresh database",
        )
        self.path = path


class SessionsDbUnsafe(SessionsError):
    """Wrong owner or type of the database file or its folder."""


class SessionsBusy(SessionsError):
    def __init__(self, path: Path, seconds: float) -> None:
        super().__init__(
            f"sessions database {path} stayed locked by other blue processes for {seconds:g} s",
            hint="run the command again; `blue session list` shows who is running",
        )
        self.path = path


class NoSuchSession(SessionsError):
    def __init__(self, what: str) -> None:
        super().__init__(f"no live session {what}", hint="`blue session list` shows the live sessions")


class NoSuchNotification(SessionsError):
    def __init__(self, ident: int, viewer: str) -> None:
        super().__init__(
            f"no notification {ident} for {viewer}",
            hint="`blue notifications list --state all` shows the ones you can acknowledge",
        )
