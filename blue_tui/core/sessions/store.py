"""One aiosqlite connection to sessions.db: opening safely, retrying when busy, writing atomically.

Every write is one ``BEGIN IMMEDIATE`` transaction: the write lock is taken up front, so a
transaction never has to upgrade a read lock (the case where SQLite gives up without waiting).
SQLite itself waits up to ``BUSY_TIMEOUT`` for the lock; past that the whole transaction is rolled
back and retried with backoff until ``BUSY_DEADLINE``, and only then does the caller see
:class:`SessionsBusy`. ``database is locked`` never reaches a user as such.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import aiosqlite

from blue_tui.core.sessions import location, schema
from blue_tui.core.sessions.errors import SessionsBusy, SessionsDbCorrupt, SessionsError

T = TypeVar("T")

BUSY_TIMEOUT = 5.0
BUSY_DEADLINE = 30.0
_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def is_busy(exc: BaseException) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.OperationalError) and code is not None and code & 0xFF in _BUSY


def translate(path: Path, exc: sqlite3.Error) -> SessionsError | None:
    """The user-facing error for an SQLite failure, or None for a bug (re-raised as is)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    if primary in _CORRUPT:
        return SessionsDbCorrupt(path, str(exc))
    if primary in {
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
    }:
        return SessionsError(
            f"cannot use sessions database {path}: {exc}", hint="check the disk and the folder's permissions"
        )
    return None


def uri(path: Path) -> str:
    # mode=rw: SQLite never creates the file itself (we did, with mode 0600).
    return f"file:{quote(str(path))}?mode=rw"


class Store:
    """The connection, reopened when the file is replaced (``blue session reset``)."""

    def __init__(self, path: Path, *, create: bool, private_folder: bool) -> None:
        self.path = path
        self._create = create
        self._private = private_folder
        self._conn: aiosqlite.Connection | None = None
        self._identity: tuple[int, int] | None = None
        self._closed = False
        # Tasks of one loop share the connection: one statement sequence at a time, or a second
        # task's BEGIN would land inside the first one's transaction.
        self._lock = asyncio.Lock()

    # ---- opening ------------------------------------------------------------------------------

    async def open(self) -> Store:
        await self._retrying(self._open_once)
        return self

    async def _open_once(self) -> None:
        await self._disconnect()
        if self._create:
            location.prepare_folder(self.path.parent, private=self._private)
        if not location.check_file(self.path):
            if not self._create:
                raise SessionsError(f"no sessions database at {self.path} yet")
            location.create_file(self.path)
            location.check_file(self.path)
        conn = await aiosqlite.connect(uri(self.path), uri=True, timeout=BUSY_TIMEOUT, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            await self._configure(conn)
        except BaseException:
            await conn.close()
            raise
        self._conn = conn
        self._identity = location.identity(self.path)

    async def _configure(self, conn: aiosqlite.Connection) -> None:
        for pragma in ("foreign_keys = ON", "trusted_schema = OFF", "synchronous = NORMAL"):
            await conn.execute_fetchall(f"PRAGMA {pragma}")
        # One read transaction: three separate reads could straddle another process's creation
        # and see its tables without its application_id (and call the file foreign).
        await conn.execute("BEGIN")
        try:
            state = await self._classify(conn)
        finally:
            await conn.execute("COMMIT")
        if state == "current":
            await self._ensure_wal(conn)
            return
        await conn.execute("BEGIN IMMEDIATE")
        try:
            state = await self._classify(conn)  # another process may have done it meanwhile
            if state != "current":
                version = int((await _one(conn, "PRAGMA user_version"))[0])
                for number in range(version + 1, schema.SCHEMA_VERSION + 1):
                    for sql in schema.MIGRATIONS[number - 1]:
                        await conn.execute(sql)
                await conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
                await conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        await self._ensure_wal(conn)

    async def _classify(self, conn: aiosqlite.Connection) -> str:
        app_id = int((await _one(conn, "PRAGMA application_id"))[0])
        version = int((await _one(conn, "PRAGMA user_version"))[0])
        objects = await conn.execute_fetchall(schema.OBJECTS_SQL)
        state = schema.classify(self.path, app_id, version, [tuple(r) for r in objects])
        if state == "current":
            check = await _one(conn, "PRAGMA quick_check(1)")
            if check[0] != "ok":
                raise SessionsDbCorrupt(self.path, str(check[0]))
        return state

    async def _ensure_wal(self, conn: aiosqlite.Connection) -> None:
        mode = (await _one(conn, "PRAGMA journal_mode"))[0]
        if str(mode).lower() != "wal":
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")

    async def close(self) -> None:
        """For good: a statement after this is refused instead of opening the file again (a
        second connection nobody closes would keep the process from exiting)."""
        self._closed = True
        await self._disconnect()

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    # ---- running statements -----------------------------------------------------------------------

    async def _connection(self) -> aiosqlite.Connection:
        if self._closed:
            raise SessionsError(f"{self.path} was closed by this process")
        if self._conn is None or location.identity(self.path) != self._identity:
            await self._open_once()
        assert self._conn is not None
        return self._conn

    async def read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        async def run() -> list[sqlite3.Row]:
            conn = await self._connection()
            return list(await conn.execute_fetchall(sql, params))

        return await self._retrying(run)

    async def write(self, body: Callable[[Tx], Awaitable[T]]) -> T:
        """Run ``body`` in one immediate transaction, retried as a whole while the file is busy."""

        async def run() -> T:
            conn = await self._connection()
            try:
                await conn.execute("BEGIN IMMEDIATE")
                result = await body(Tx(conn))
                await conn.execute("COMMIT")
            except BaseException:
                # Always, not only when in_transaction says so: a BEGIN (or COMMIT) whose await was
                # cancelled still runs on aiosqlite's thread, after that check. The ROLLBACK is
                # queued behind it; with no transaction left, SQLite refuses it, harmlessly.
                with contextlib.suppress(sqlite3.OperationalError):
                    await asyncio.shield(conn.execute("ROLLBACK"))
                raise
            return result

        return await self._retrying(run)

    async def _retrying(self, fn: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            return await self._retry(fn)

    async def _retry(self, fn: Callable[[], Awaitable[T]]) -> T:
        deadline = time.monotonic() + BUSY_DEADLINE
        pause = 0.005
        while True:
            try:
                return await fn()
            except sqlite3.Error as exc:
                if is_busy(exc) and time.monotonic() < deadline:
                    await asyncio.sleep(pause * (0.5 + random.random()))  # noqa: S311 - jitter, not crypto
                    pause = min(pause * 2, 0.2)
                    continue
                if is_busy(exc):
                    raise SessionsBusy(self.path, BUSY_DEADLINE) from None
                problem = translate(self.path, exc)
                if problem is None:
                    raise
                await self._disconnect()
                raise problem from None


class Tx:
    """The statements of one write transaction."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def run(self, sql: str, params: Sequence[Any] = ()) -> tuple[int, int | None]:
        """Execute; return (rows changed, last row id)."""
        cursor = await self._conn.execute(sql, params)
        try:
            return cursor.rowcount, cursor.lastrowid
        finally:
            await cursor.close()

    async def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))


async def _one(conn: aiosqlite.Connection, sql: str) -> sqlite3.Row:
    rows = list(await conn.execute_fetchall(sql))
    return rows[0]
