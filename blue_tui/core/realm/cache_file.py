"""The SQLite file behind ``.blue/cache.db``: opening it safely, short transactions, and failing soft.

Safe with several processes at once: WAL mode, a 5 s busy timeout, short transactions. Any SQLite
failure (locked past the timeout, disk full, a corrupt file) or a missing MAC key turns the cache
off for the rest of the run instead of failing the command; a corrupt file is recreated once. A
symlinked ``.blue`` (committed to a realm repo, say) is refused rather than written through.
What is stored, and how each row is authenticated, is :mod:`.cache`'s business.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Self

from blue_tui.core.realm.cache_auth import CacheKeyError, load_key

SCHEMA_VERSION = "2"
BUSY_TIMEOUT_MS = 5000
TABLES = ("realm_snapshot", "contract_cache", "history_state", "validation_cache", "export_cache")

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS realm_snapshot (
    realm TEXT NOT NULL, realm_commit TEXT NOT NULL, format TEXT NOT NULL, data BLOB NOT NULL,
    cached_at INTEGER NOT NULL, mac TEXT NOT NULL, PRIMARY KEY (realm, realm_commit, format));
CREATE TABLE IF NOT EXISTS contract_cache (
    realm TEXT NOT NULL, domain TEXT NOT NULL, contract TEXT NOT NULL, version TEXT NOT NULL,
    schema JSON, realm_commit TEXT NOT NULL, cached_at INTEGER NOT NULL,
    PRIMARY KEY (realm, domain, contract, version));
CREATE TABLE IF NOT EXISTS history_state (
    realm TEXT PRIMARY KEY, last_commit TEXT NOT NULL, digest TEXT NOT NULL, mac TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validation_cache (
    contract TEXT NOT NULL, version TEXT NOT NULL, binding_hash TEXT NOT NULL, valid INTEGER NOT NULL,
    output TEXT, validated_at INTEGER NOT NULL, mac TEXT NOT NULL,
    PRIMARY KEY (contract, version, binding_hash));
CREATE TABLE IF NOT EXISTS export_cache (
    file_path TEXT PRIMARY KEY, mtime INTEGER NOT NULL, size INTEGER NOT NULL, content_hash TEXT NOT NULL,
    exports JSON, cached_at INTEGER NOT NULL, mac TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats (name TEXT PRIMARY KEY, hits INTEGER NOT NULL, misses INTEGER NOT NULL);
"""


class CacheFile:
    """The cache file at ``path``. ``enabled=False`` makes every lookup miss and every store a no-op.

    ``key`` authenticates the rows; by default it is loaded (or made) on first use from
    ``BLUE_CACHE_KEY`` or ``$BLUE_HOME/cache.key`` (:func:`.cache_auth.load_key`).
    """

    def __init__(self, path: Path, *, enabled: bool = True, key: bytes | None = None) -> None:
        self.path = path
        self.enabled = enabled
        self.error: str | None = None
        self._key = key
        self._conn: sqlite3.Connection | None = None
        self._counts: dict[str, list[int]] = {}

    # ---- connection ------------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection | None:
        if not self.enabled:
            return None
        if self._conn is not None:
            return self._conn
        if self._key is None:
            from blue_tui.core.config import Settings

            try:
                self._key = load_key(Settings.from_env().blue_home)
            except CacheKeyError as exc:
                self._fail(exc)
                return None
        try:
            self._refuse_links()
            self._conn = self._open_retrying()
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                # A corrupt cache is worth nothing: start over once.
                self._drop_files()
                try:
                    self._conn = self._open()
                except sqlite3.Error as exc2:
                    self._fail(exc2)
            else:
                self._fail(exc)
        except OSError as exc:
            self._fail(exc)
        return self._conn

    def _open_retrying(self) -> sqlite3.Connection:
        """_open(), retried while another process holds the file: switching to WAL and creating
        the tables need a moment of exclusive access, which SQLite's busy handler does not wait for."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as exc:
                message = str(exc).lower()
                if ("locked" not in message and "busy" not in message) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _refuse_links(self) -> None:
        """A symlinked ``.blue`` (say, committed to a realm repo) would put the cache elsewhere."""
        folder = self.path.parent
        names = [folder, *(Path(str(self.path) + s) for s in ("", "-wal", "-shm")), folder / ".gitignore"]
        for p in names:
            if p.is_symlink():
                raise OSError(f"{p} is a symlink; the cache is off for this run")

    @property
    def key(self) -> bytes:
        assert self._key is not None  # set by _connect before any row is read or written
        return self._key

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.path.parent / ".gitignore"
        if self.path.parent.name == ".blue" and not ignore.exists():
            with suppress(OSError):
                ignore.write_text("# blue's local cache (safe to delete)\ncache.db*\n", encoding="utf-8")
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            row = None
            with suppress(sqlite3.OperationalError):
                row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None or row[0] != SCHEMA_VERSION:
                # CREATE ... IF NOT EXISTS is idempotent, so two first runs racing here is harmless.
                if row is not None:
                    for table in (*TABLES, "stats", "meta"):
                        conn.execute(f"DROP TABLE IF EXISTS {table}")
                conn.executescript(_DDL)
                conn.execute(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,)
                )
        except BaseException:
            conn.close()
            raise
        return conn

    def _drop_files(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                Path(str(self.path) + suffix).unlink()

    def _fail(self, exc: BaseException) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self.enabled = False
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection | None]:
        conn = self._connect()
        if conn is None:
            yield None
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._fail(exc)

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        conn = self._connect()
        if conn is None:
            return []
        try:
            return conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            self._fail(exc)
            return []

    def _count(self, table: str, hit: bool) -> None:
        pair = self._counts.setdefault(table, [0, 0])
        pair[0 if hit else 1] += 1

    def close(self) -> None:
        """Flush the hit/miss counters and close. Safe to call twice."""
        if self._counts and self.enabled:
            with self._write() as conn:
                if conn is not None:
                    for name, (hits, misses) in self._counts.items():
                        conn.execute(
                            "INSERT INTO stats (name, hits, misses) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE "
                            "SET hits = hits + excluded.hits, misses = misses + excluded.misses",
                            (name, hits, misses),
                        )
        self._counts = {}
        if self._conn is not None:
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- admin -------------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        info: dict[str, Any] = {"path": str(self.path), "exists": self.path.exists(), "tables": {}}
        try:
            info["bytes"] = sum(
                Path(str(self.path) + s).stat().st_size
                for s in ("", "-wal", "-shm")
                if Path(str(self.path) + s).exists()
            )
        except OSError:
            info["bytes"] = 0
        if not self.path.exists():
            return info
        counts = {name: (h, m) for name, h, m in self._read("SELECT name, hits, misses FROM stats", ())}
        for table in TABLES:
            rows = self._read(f"SELECT COUNT(*) FROM {table}", ())  # noqa: S608 - fixed table names
            hits, misses = counts.get(table, (0, 0))
            total = hits + misses
            info["tables"][table] = {
                "rows": int(rows[0][0]) if rows else 0,
                "hits": hits,
                "misses": misses,
                "hit_rate": round(hits / total, 3) if total else None,
            }
        if self.error:
            info["error"] = self.error
        return info

    def clear(self) -> int:
        """Empty every table (safe while another process has the file open). Returns rows removed."""
        removed = 0
        with self._write() as conn:
            if conn is not None:
                for table in (*TABLES, "stats"):
                    removed += conn.execute(f"DELETE FROM {table}").rowcount or 0  # noqa: S608 - fixed names
        conn = self._connect()
        if conn is not None:
            with suppress(sqlite3.Error):
                conn.execute("VACUUM")
        self._counts = {}
        return removed
