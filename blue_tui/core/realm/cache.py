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

Opening, concurrency and failing soft are :mod:`.cache_file`'s (WAL, a busy timeout, short
transactions; any SQLite failure turns the cache off for the run). A ``Cache`` belongs to one
thread; open one per worker.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blue_tui.core.realm.cache_auth import checker_version, mac, same
from blue_tui.core.realm.cache_file import TABLES, CacheFile

if TYPE_CHECKING:
    from blue_tui.core.realm.locate import Located

__all__ = ["TABLES", "Cache", "content_key", "default_path", "env_disabled", "hash_file"]

KEEP_SNAPSHOTS = 3


def default_path(repo_root: Path) -> Path:
    return repo_root / ".blue" / "cache.db"


def cache_path_for(located: Located) -> Path:
    """The member repo's ``.blue/cache.db``; the realm repo's own ``.blue/cache.db`` elsewhere."""
    if located.repo_root is not None and located.membership is not None:
        return default_path(located.repo_root)
    return default_path(located.root)


class Cache(CacheFile):
    """What ``realm check`` keeps between runs, each row authenticated (see the module docstring)."""

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
