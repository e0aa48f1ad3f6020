"""``.blue/cache.db``: the SQLite cache of seed 004 round 7. Invisible, best effort, shared safely.

Tables (the seed's three, plus the realm snapshot that makes a warm ``realm check`` cheap):

- ``realm_snapshot``: the whole loaded realm (model + load problems), keyed by realm path and
  commit; used only when the realm's working tree is clean at that commit.
- ``contract_cache``: contract schemas by version, read from the realm's git history (keyed by
  realm, domain, contract, version; ``realm_commit`` says where the schema was read), with the
  last commit scanned in ``history_state``.
- ``validation_cache``: hook results, keyed by contract version and a hash of the binding, the
  source files, the hook scripts and the schema. Only passes and warnings are cached.
- ``export_cache``: source-file content hashes, reused while mtime and size are unchanged.

The file may come from a CI cache or another machine, so nothing in it is believed on its own:
every row carries an HMAC under a key kept outside the file, over its key and value fields and the
checker's version (:mod:`.cache_auth`). ``history_state`` authenticates a digest of all the
``contract_cache`` rows of a realm, so a row changed, added or deleted behind blue's back makes the
whole history a miss (rescanned from git). A row that fails its MAC is never used.

Concurrency: WAL mode, ``busy_timeout``, short transactions. Any SQLite failure (locked past the
timeout, disk full, a corrupt file) turns the cache off for the rest of the run instead of failing
the command. A ``Cache`` belongs to one thread; open one per worker.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from blue_tui.core.realm.cache_auth import CacheKeyError, checker_version, load_key, mac, same

SCHEMA_VERSION = "2"
BUSY_TIMEOUT_MS = 5000
KEEP_SNAPSHOTS = 3
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


def default_path(repo_root: Path) -> Path:
    return repo_root / ".blue" / "cache.db"


class Cache:
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

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- realm snapshots ---------------------------------------------------------------------------

    def get_snapshot(self, realm: str, commit: str, fmt: str) -> dict[str, Any] | None:
        rows = self._read(
            "SELECT data, mac FROM realm_snapshot WHERE realm=? AND realm_commit=? AND format=?",
            (realm, commit, fmt),
        )
        data: Any = None
        if rows and same(rows[0][1], mac(self.key, "realm_snapshot", realm, commit, fmt, bytes(rows[0][0]))):
            try:
                data = json.loads(zlib.decompress(rows[0][0]))
            except (zlib.error, ValueError, TypeError):
                data = None
        ok = isinstance(data, dict)
        self._count("realm_snapshot", ok)
        return data if ok else None

    def put_snapshot(self, realm: str, commit: str, fmt: str, data: dict[str, Any]) -> None:
        if not self.enabled:
            return
        blob = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 1)
        with self._write() as conn:
            if conn is None:
                return
            conn.execute(
                "INSERT OR REPLACE INTO realm_snapshot VALUES (?, ?, ?, ?, ?, ?)",
                (
                    realm,
                    commit,
                    fmt,
                    blob,
                    int(time.time()),
                    mac(self.key, "realm_snapshot", realm, commit, fmt, blob),
                ),
            )
            conn.execute(
                "DELETE FROM realm_snapshot WHERE realm=? AND rowid NOT IN (SELECT rowid FROM realm_snapshot "
                "WHERE realm=? ORDER BY cached_at DESC, rowid DESC LIMIT ?)",
                (realm, realm, KEEP_SNAPSHOTS),
            )

    # ---- contract schemas by version, read from git history ----------------------------------------

    def get_history(self, realm: str) -> tuple[str, dict[tuple[str, str, str], tuple[Any, str]]] | None:
        """``(last commit scanned, {(domain, contract, version): (schema, realm_commit)})``, or None
        when there is none or it does not verify (then the caller rescans from git)."""
        marks = self._read("SELECT last_commit, digest, mac FROM history_state WHERE realm=?", (realm,))
        found: dict[tuple[str, str, str], tuple[Any, str]] = {}
        if marks and same(marks[0][2], mac(self.key, "history_state", realm, marks[0][0], marks[0][1])):
            for domain, contract, version, schema, commit in self._read(
                "SELECT domain, contract, version, schema, realm_commit FROM contract_cache WHERE realm=?",
                (realm,),
            ):
                try:
                    found[(domain, contract, version)] = (json.loads(schema), commit)
                except (ValueError, TypeError):
                    break
            else:
                if same(marks[0][1], _rows_digest(found)):
                    self._count("contract_cache", True)
                    return str(marks[0][0]), found
        self._count("contract_cache", False)
        return None

    def put_history(
        self,
        realm: str,
        last_commit: str,
        every: dict[tuple[str, str, str], tuple[Any, str]],
        fresh: Iterable[tuple[str, str, str]],
    ) -> None:
        """Store the ``fresh`` rows of ``every`` (all rows known, the ones already stored included)
        and the mark that authenticates them all."""
        if not self.enabled:
            return
        now = int(time.time())
        items = [
            (realm, d, c, v, json.dumps(every[(d, c, v)][0]), every[(d, c, v)][1], now) for d, c, v in fresh
        ]
        digest = _rows_digest(every)
        with self._write() as conn:
            if conn is not None:
                conn.executemany("INSERT OR REPLACE INTO contract_cache VALUES (?, ?, ?, ?, ?, ?, ?)", items)
                conn.execute(
                    "INSERT OR REPLACE INTO history_state VALUES (?, ?, ?, ?)",
                    (realm, last_commit, digest, mac(self.key, "history_state", realm, last_commit, digest)),
                )

    def forget_history(self, realm: str) -> None:
        with self._write() as conn:
            if conn is not None:
                conn.execute("DELETE FROM history_state WHERE realm=?", (realm,))
                conn.execute("DELETE FROM contract_cache WHERE realm=?", (realm,))

    # ---- validation hook results -------------------------------------------------------------------

    def get_validation(self, contract: str, version: str, binding_hash: str) -> tuple[int, str] | None:
        rows = self._read(
            "SELECT valid, output, mac FROM validation_cache WHERE contract=? AND version=? AND binding_hash=?",
            (contract, version, binding_hash),
        )
        if rows:
            valid, output = rows[0][0], rows[0][1]
            if not same(
                rows[0][2], mac(self.key, "validation_cache", contract, version, binding_hash, valid, output)
            ):
                rows = []
        self._count("validation_cache", bool(rows))
        return (int(rows[0][0]), str(rows[0][1] or "")) if rows else None

    def put_validation(self, contract: str, version: str, binding_hash: str, valid: int, output: str) -> None:
        with self._write() as conn:
            if conn is not None:
                tag = mac(self.key, "validation_cache", contract, version, binding_hash, valid, output)
                conn.execute(
                    "INSERT OR REPLACE INTO validation_cache VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (contract, version, binding_hash, valid, output, int(time.time()), tag),
                )

    # ---- export detection: file hashes by mtime ----------------------------------------------------

    def file_hash(self, path: Path, exports: Iterable[str] = ()) -> str | None:
        """SHA-256 of a file, reused while its mtime and size are unchanged. None if unreadable."""
        try:
            st = path.stat()
        except OSError:
            return None
        key = str(path)
        rows = self._read("SELECT mtime, size, content_hash, mac FROM export_cache WHERE file_path=?", (key,))
        if rows and rows[0][0] == st.st_mtime_ns and rows[0][1] == st.st_size:
            mtime, size, digest = rows[0][0], rows[0][1], rows[0][2]
            if same(rows[0][3], mac(self.key, "export_cache", key, mtime, size, digest)):
                self._count("export_cache", True)
                return str(digest)
        self._count("export_cache", False)
        fresh = hash_file(path)
        if fresh is None:
            return None
        if self.enabled:
            with self._write() as conn:
                if conn is not None:
                    tag = mac(self.key, "export_cache", key, st.st_mtime_ns, st.st_size, fresh)
                    conn.execute(
                        "INSERT OR REPLACE INTO export_cache VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            key,
                            st.st_mtime_ns,
                            st.st_size,
                            fresh,
                            json.dumps(sorted(exports)),
                            int(time.time()),
                            tag,
                        ),
                    )
        return fresh

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


def hash_file(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def content_key(*parts: Any) -> str:
    """A stable hash of JSON-able parts and the checker's version (the validation cache's key)."""
    return hashlib.sha256(
        json.dumps([checker_version(), *parts], sort_keys=True, default=str).encode()
    ).hexdigest()


def _rows_digest(rows: dict[tuple[str, str, str], tuple[Any, str]]) -> str:
    """One hash over a realm's cached schema history, in a canonical order and encoding."""
    digest = hashlib.sha256()
    for key in sorted(rows):
        schema, commit = rows[key]
        digest.update(
            json.dumps([*key, schema, commit], sort_keys=True, separators=(",", ":")).encode() + b"\n"
        )
    return digest.hexdigest()


def env_disabled() -> bool:
    """``BLUE_NO_CACHE=1`` turns the cache off like ``--no-cache``."""
    return os.environ.get("BLUE_NO_CACHE", "").strip() not in ("", "0", "false")
